//! TCP sequence analysis: retransmissions, lost and out-of-order segments,
//! duplicate ACKs, keep-alives, window updates and zero windows, with the
//! meanings (and the order of the checks) Wireshark gives them, so the Info
//! column's `[TCP Retransmission]`-style prefixes agree with tshark.
//!
//! Sans-IO: the caller passes each segment with relative sequence numbers and
//! its timestamp; state is one [`Flow`] per direction.

use wirecrab_core::Timestamp;

/// Analysis flags (a bit set).
pub mod flag {
    /// The segment repeats data already sent.
    pub const RETRANSMISSION: u32 = 1;
    /// A gap: earlier data of this direction was not captured.
    pub const LOST_PACKET: u32 = 1 << 1;
    /// The ACK covers data of the other direction that was not captured.
    pub const ACK_LOST_PACKET: u32 = 1 << 2;
    /// A keep-alive probe.
    pub const KEEP_ALIVE: u32 = 1 << 3;
    /// The ACK of a keep-alive.
    pub const KEEP_ALIVE_ACK: u32 = 1 << 4;
    /// The same ACK again.
    pub const DUPLICATE_ACK: u32 = 1 << 5;
    /// Only the window changed.
    pub const WINDOW_UPDATE: u32 = 1 << 6;
    /// The data fills the receiver's window.
    pub const WINDOW_FULL: u32 = 1 << 7;
    /// The receiver's window is zero.
    pub const ZERO_WINDOW: u32 = 1 << 8;
    /// One byte sent into a zero window.
    pub const ZERO_WINDOW_PROBE: u32 = 1 << 9;
    /// The ACK of a zero-window probe.
    pub const ZERO_WINDOW_PROBE_ACK: u32 = 1 << 10;
    /// A retransmission after duplicate ACKs.
    pub const FAST_RETRANSMISSION: u32 = 1 << 11;
    /// A segment older than the highest one, soon after it.
    pub const OUT_OF_ORDER: u32 = 1 << 12;
    /// A retransmission of data the receiver had already acknowledged.
    pub const SPURIOUS_RETRANSMISSION: u32 = 1 << 13;
    /// A new connection on the ports of an earlier one.
    pub const REUSED_PORTS: u32 = 1 << 14;
}

const SYN: u16 = 0x02;
const FIN: u16 = 0x01;
const RST: u16 = 0x04;
const ACK: u16 = 0x10;
const PSH: u16 = 0x08;

/// A segment waiting for its ACK (Wireshark's unacked list).
#[derive(Clone, Copy)]
struct Unacked {
    frame: u64,
    seq: u32,
    nextseq: u32,
    ts: Timestamp,
}

/// Segments remembered per direction for ACK matching; beyond, new ones are
/// not recorded (Wireshark's cap too).
const MAX_UNACKED: usize = 10_000;

/// State of one direction.
#[derive(Clone, Default)]
pub struct Flow {
    /// Sent segments not yet acknowledged, oldest first.
    unacked: std::collections::VecDeque<Unacked>,
    /// Bytes in flight can be computed (cleared by a segment after a hole
    /// until the other side ACKs again).
    bif_invalid: bool,
    /// Bytes sent since the last PSH, and whether the last data had PSH.
    push_bytes: u32,
    push_last: bool,
    /// SACK blocks of this direction's latest segment.
    sack: [(u32, u32); 4],
    nsack: usize,
    nextseq: u32,
    nextseqtime: Timestamp,
    maxseqtobeacked: u32,
    lastack: u32,
    lastacktime: Timestamp,
    lastnondupack: u64,
    dupacknum: u32,
    window: Option<u32>,
    lastflags: u32,
}

/// One segment as the analysis sees it.
pub struct Segment<'a> {
    /// Frame number.
    pub frame: u64,
    /// Capture time.
    pub ts: Timestamp,
    /// Relative sequence number.
    pub seq: u32,
    /// Relative acknowledgment number.
    pub ack: u32,
    /// Payload length.
    pub len: u32,
    /// TCP flags.
    pub flags: u16,
    /// Window field as sent (unscaled).
    pub window: u32,
    /// The acknowledgment number relative to the other direction's start,
    /// whether or not the ACK flag is set (Wireshark matches it anyway).
    pub walk_ack: u32,
    /// SACK blocks (left, right) of this segment's options.
    pub sack: &'a [(u32, u32)],
    /// Track unacknowledged segments (ACK times, bytes in flight): off when
    /// no output or filter reads them, as it costs on every segment.
    pub acks: bool,
}

/// What the analysis found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Analysis {
    /// Bits of [`flag`].
    pub flags: u32,
    /// Duplicate-ACK count (with DUPLICATE_ACK).
    pub dupack_num: u32,
    /// The frame duplicated (with DUPLICATE_ACK).
    pub dupack_frame: u64,
    /// The segment this one acknowledges exactly, and how long that took.
    pub acks: Option<(u64, i128)>,
    /// Bytes sent and not yet acknowledged, with this segment (non-zero).
    pub bytes_in_flight: Option<u32>,
    /// Bytes sent since the last PSH (shown with bytes_in_flight).
    pub push_bytes_sent: u32,
    /// Wireshark shows a "SEQ/ACK analysis" node for this segment.
    pub node: bool,
}

fn gt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

fn lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

fn le(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) <= 0
}

/// Analyse one segment of direction `fwd` (the other direction is `rev`, whose
/// window scale is `rev_scale`: -1 unknown, -2 none). `first_rtt_ns` is the
/// handshake's round trip, if seen (the out-of-order threshold).
pub fn analyze(fwd: &mut Flow, rev: &mut Flow, rev_scale: i32, first_rtt_ns: Option<i128>, s: &Segment<'_>) -> Analysis {
    let mut a = Analysis::default();
    let f = s.flags;
    let sfr = f & (SYN | FIN | RST) != 0;
    'fwd: {
        if s.len == 1 && s.seq == fwd.nextseq && rev.window == Some(0) {
            a.flags |= flag::ZERO_WINDOW_PROBE;
            break 'fwd;
        }
        if s.window == 0 && !sfr {
            a.flags |= flag::ZERO_WINDOW;
        }
        if fwd.nextseq != 0 && gt(s.seq, fwd.nextseq) && f & RST == 0 {
            a.flags |= flag::LOST_PACKET;
        }
        if (s.len == 0 || s.len == 1) && s.seq == fwd.nextseq.wrapping_sub(1) && !sfr {
            a.flags |= flag::KEEP_ALIVE;
        }
        let same = s.seq == fwd.nextseq && s.ack == fwd.lastack && !sfr;
        if s.len == 0 && s.window != 0 && fwd.window.is_some_and(|w| w != s.window) && same {
            a.flags |= flag::WINDOW_UPDATE;
        }
        if s.len > 0 && rev_scale != -1 && !sfr {
            if let Some(w) = rev.window {
                let shift = if rev_scale < 0 { 0 } else { rev_scale as u32 };
                if s.seq.wrapping_add(s.len) == rev.lastack.wrapping_add(w << shift) {
                    a.flags |= flag::WINDOW_FULL;
                }
            }
        }
        let same_window = fwd.window == Some(s.window);
        if s.len == 0 && s.window != 0 && same_window && same && rev.lastflags & flag::KEEP_ALIVE != 0 {
            a.flags |= flag::KEEP_ALIVE_ACK;
            break 'fwd;
        }
        if s.len == 0 && s.window == 0 && same_window && same && rev.lastflags & flag::ZERO_WINDOW_PROBE != 0 {
            a.flags |= flag::ZERO_WINDOW_PROBE_ACK;
            break 'fwd;
        }
        if s.len == 0 && s.window != 0 && same_window && same {
            fwd.dupacknum += 1;
            a.flags |= flag::DUPLICATE_ACK;
            a.dupack_num = fwd.dupacknum;
            a.dupack_frame = fwd.lastnondupack;
        }
    }
    if a.flags & flag::DUPLICATE_ACK == 0 {
        fwd.lastnondupack = s.frame;
        fwd.dupacknum = 0;
    }
    if rev.maxseqtobeacked != 0 && gt(s.ack, rev.maxseqtobeacked) && f & ACK != 0 {
        a.flags |= flag::ACK_LOST_PACKET;
        rev.maxseqtobeacked = rev.nextseq;
    }
    retransmission_type(fwd, rev, first_rtt_ns, s, &mut a);
    let mut nextseq = s.seq.wrapping_add(s.len);
    if fwd.nextseq == 0 && f & SYN == 0 {
        // The first segment seen in this direction (mid-stream capture)
        // fixes where the next one should start, even without data.
        fwd.nextseq = nextseq;
        fwd.nextseqtime = s.ts;
    }
    if s.len > 0 || f & (SYN | FIN) != 0 {
        if f & (SYN | FIN) != 0 {
            nextseq = nextseq.wrapping_add(1);
        }
        if fwd.nextseq == 0 || gt(nextseq, fwd.nextseq) {
            fwd.nextseq = nextseq;
            fwd.nextseqtime = s.ts;
        }
    }
    if (fwd.maxseqtobeacked == 0 || gt(nextseq, fwd.maxseqtobeacked)) && a.flags & flag::ZERO_WINDOW_PROBE == 0 {
        fwd.maxseqtobeacked = fwd.nextseq;
    }
    fwd.window = Some(s.window);
    fwd.lastack = s.ack;
    fwd.lastacktime = s.ts;
    fwd.lastflags = a.flags;
    if s.acks {
        remember_unacked(fwd, s);
        acknowledge(rev, s, &mut a);
        in_flight(fwd, rev, s, &mut a);
        fwd.nsack = s.sack.len().min(4);
        fwd.sack[..fwd.nsack].copy_from_slice(&s.sack[..fwd.nsack]);
    }
    a.node |= a.flags != 0;
    a
}

/// Data, SYN and FIN wait for an ACK (retransmitted copies too).
fn remember_unacked(fwd: &mut Flow, s: &Segment<'_>) {
    if a_sequence_is_used(s) && fwd.unacked.len() < MAX_UNACKED {
        let nextseq = s.seq.wrapping_add(s.len).wrapping_add((s.flags & (SYN | FIN) != 0) as u32);
        fwd.unacked.push_back(Unacked { frame: s.frame, seq: s.seq, nextseq, ts: s.ts });
    }
}

fn a_sequence_is_used(s: &Segment<'_>) -> bool {
    s.len > 0 || s.flags & (SYN | FIN) != 0
}

/// Match the ACK against the other direction's unacked segments: the one
/// ending exactly at the ACK is reported (the oldest when copies exist),
/// partly acknowledged ones are trimmed, covered ones forgotten.
fn acknowledge(rev: &mut Flow, s: &Segment<'_>, a: &mut Analysis) {
    if s.flags & ACK != 0 {
        // An ACK from this side lets the other side's bytes in flight count again.
        rev.bif_invalid = false;
    }
    let ack = s.walk_ack;
    let mut i = rev.unacked.len();
    while i > 0 {
        i -= 1;
        let u = rev.unacked[i];
        if ack == u.nextseq {
            a.acks = Some((u.frame, s.ts.since(u.ts)));
            rev.unacked.remove(i);
        } else if gt(ack, u.seq) && le(ack, u.nextseq) {
            rev.unacked[i].seq = ack;
        } else if !gt(u.nextseq, ack) {
            rev.unacked.remove(i);
        }
    }
    a.node |= a.acks.is_some();
}

/// Bytes in flight: from the lowest unacknowledged byte to the highest sent,
/// less what the receiver's latest SACK blocks say it holds.
fn in_flight(fwd: &mut Flow, rev: &Flow, s: &Segment<'_>, a: &mut Analysis) {
    if a.flags & flag::LOST_PACKET != 0 {
        fwd.bif_invalid = true;
    }
    if s.len == 0 || fwd.unacked.is_empty() || fwd.bif_invalid {
        return;
    }
    a.node = true;
    let first = fwd.unacked[0];
    let (mut low, mut high) = (first.seq, first.nextseq);
    for u in fwd.unacked.iter().skip(1) {
        if lt(u.seq, low) {
            low = u.seq;
        }
        if gt(u.nextseq, high) {
            high = u.nextseq;
        }
    }
    let sacked: u32 = rev.sack[..rev.nsack].iter().fold(0u32, |t, (l, r)| t.wrapping_add(r.wrapping_sub(*l)));
    let bytes = high.wrapping_sub(low).wrapping_sub(sacked);
    let psh = s.flags & PSH != 0;
    if psh == fwd.push_last {
        fwd.push_bytes = if psh { s.len } else { fwd.push_bytes.wrapping_add(s.len) };
    } else if psh {
        fwd.push_bytes = fwd.push_bytes.wrapping_add(s.len);
    } else {
        fwd.push_bytes = s.len;
    }
    fwd.push_last = psh;
    if bytes > 0 && bytes < 2_000_000_000 {
        let bytes = bytes - (s.flags & (SYN | FIN) != 0) as u32;
        if bytes > 0 {
            a.bytes_in_flight = Some(bytes);
            a.push_bytes_sent = fwd.push_bytes;
        }
    }
}

fn retransmission_type(fwd: &Flow, rev: &Flow, first_rtt_ns: Option<i128>, s: &Segment<'_>, a: &mut Analysis) {
    if !(s.len > 0 || s.flags & (SYN | FIN) != 0) || a.flags & flag::KEEP_ALIVE != 0 {
        return;
    }
    let mut not_advanced = fwd.nextseq != 0 && lt(s.seq, fwd.nextseq);
    // More than one byte starting just before nextseq follows a probe: new data.
    if s.len > 1 && fwd.nextseq.wrapping_sub(1) == s.seq {
        not_advanced = false;
    }
    if s.len > 0 && rev.lastack != 0 && le(s.seq.wrapping_add(s.len), rev.lastack) {
        a.flags |= flag::SPURIOUS_RETRANSMISSION;
        return;
    }
    if !not_advanced {
        return;
    }
    if rev.dupacknum >= 2 && rev.lastack == s.seq && s.ts.since(rev.lastacktime) < 20_000_000 {
        a.flags |= flag::FAST_RETRANSMISSION;
        return;
    }
    let threshold = first_rtt_ns.filter(|r| *r > 0).unwrap_or(3_000_000);
    if s.len > 0 && s.ts.since(fwd.nextseqtime) < threshold && fwd.nextseq != s.seq.wrapping_add(s.len) {
        a.flags |= flag::OUT_OF_ORDER;
        return;
    }
    a.flags |= flag::RETRANSMISSION;
}

/// The Info prefixes, in the order tshark shows them.
pub fn write_prefixes(out: &mut String, a: &Analysis) {
    use std::fmt::Write;
    if a.flags == 0 {
        return;
    }
    // Wireshark prepends each in turn, so the last checked comes first.
    let order: [(u32, &str); 14] = [
        (flag::REUSED_PORTS, "[TCP Port numbers reused] "),
        (flag::SPURIOUS_RETRANSMISSION, "[TCP Spurious Retransmission] "),
        (flag::OUT_OF_ORDER, "[TCP Out-Of-Order] "),
        (flag::FAST_RETRANSMISSION, "[TCP Fast Retransmission] "),
        (flag::ZERO_WINDOW_PROBE_ACK, "[TCP ZeroWindowProbeAck] "),
        (flag::ZERO_WINDOW, "[TCP ZeroWindow] "),
        (flag::ZERO_WINDOW_PROBE, "[TCP ZeroWindowProbe] "),
        (flag::DUPLICATE_ACK, ""),
        (flag::KEEP_ALIVE_ACK, "[TCP Keep-Alive ACK] "),
        (flag::WINDOW_FULL, "[TCP Window Full] "),
        (flag::WINDOW_UPDATE, "[TCP Window Update] "),
        (flag::KEEP_ALIVE, "[TCP Keep-Alive] "),
        (flag::ACK_LOST_PACKET, "[TCP ACKed unseen segment] "),
        (flag::LOST_PACKET, "[TCP Previous segment not captured] "),
    ];
    for (bit, text) in order {
        if a.flags & bit != 0 {
            if bit == flag::DUPLICATE_ACK {
                let _ = write!(out, "[TCP Dup ACK {}#{}] ", a.dupack_frame, a.dupack_num);
            } else {
                out.push_str(text);
            }
        }
    }
    if a.flags & flag::RETRANSMISSION != 0 {
        out.push_str("[TCP Retransmission] ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(frame: u64, ms: u64, seq: u32, ack: u32, len: u32, flags: u16, window: u32) -> Segment<'static> {
        Segment { frame, ts: Timestamp::new(0, ms * 1_000_000), seq, ack, len, flags, window, walk_ack: ack, sack: &[], acks: true }
    }

    #[test]
    fn retransmission_dup_ack_and_lost_segment() {
        let (mut c, mut s) = (Flow::default(), Flow::default());
        analyze(&mut c, &mut s, -2, None, &seg(1, 0, 0, 0, 0, SYN, 100));
        analyze(&mut s, &mut c, -2, None, &seg(2, 1, 0, 1, 0, SYN | ACK, 100));
        analyze(&mut c, &mut s, -2, None, &seg(3, 2, 1, 1, 0, ACK, 100));
        assert_eq!(analyze(&mut c, &mut s, -2, None, &seg(4, 3, 1, 1, 10, ACK, 100)).flags, 0);
        let r = analyze(&mut c, &mut s, -2, None, &seg(5, 500, 1, 1, 10, ACK, 100));
        assert_eq!(r.flags, flag::RETRANSMISSION);
        let r = analyze(&mut c, &mut s, -2, None, &seg(6, 501, 21, 1, 10, ACK, 100));
        assert_eq!(r.flags, flag::LOST_PACKET);
        analyze(&mut s, &mut c, -2, None, &seg(7, 502, 1, 11, 0, ACK, 100));
        let r = analyze(&mut s, &mut c, -2, None, &seg(8, 503, 1, 11, 0, ACK, 100));
        assert_eq!((r.flags, r.dupack_frame, r.dupack_num), (flag::DUPLICATE_ACK, 7, 1));
        let mut out = String::new();
        write_prefixes(&mut out, &r);
        assert_eq!(out, "[TCP Dup ACK 7#1] ");
    }

    #[test]
    fn keep_alive_and_its_ack_and_window_update() {
        let (mut c, mut s) = (Flow::default(), Flow::default());
        analyze(&mut c, &mut s, -2, None, &seg(1, 0, 0, 0, 0, SYN, 100));
        analyze(&mut s, &mut c, -2, None, &seg(2, 1, 0, 1, 0, SYN | ACK, 100));
        analyze(&mut c, &mut s, -2, None, &seg(3, 2, 1, 1, 0, ACK, 100));
        assert_eq!(analyze(&mut c, &mut s, -2, None, &seg(4, 9000, 0, 1, 1, ACK, 100)).flags, flag::KEEP_ALIVE);
        assert_eq!(analyze(&mut s, &mut c, -2, None, &seg(5, 9001, 1, 1, 0, ACK, 100)).flags, flag::KEEP_ALIVE_ACK);
        assert_eq!(analyze(&mut s, &mut c, -2, None, &seg(6, 9002, 1, 1, 0, ACK, 200)).flags, flag::WINDOW_UPDATE);
    }
}

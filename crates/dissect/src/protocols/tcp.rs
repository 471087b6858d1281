//! Transmission Control Protocol (RFC 9293; options RFC 7323 window scale and
//! timestamps, RFC 2018 SACK).
//!
//! ```text
//!  0                   1                   2                   3
//! +-------------------------------+-------------------------------+
//! |          Source Port          |       Destination Port        |
//! +-------------------------------+-------------------------------+
//! |                        Sequence Number                        |
//! |                    Acknowledgment Number                      |
//! +-------+-------+---------------+-------------------------------+
//! |  Data |  Res  | C E U A P R S F|           Window             |
//! | Offset|       |               |                               |
//! +-------+-------+---------------+-------------------------------+
//! |           Checksum            |         Urgent Pointer        |
//! +-------------------------------+-------------------------------+
//! |                    Options (Data Offset > 5)                  |
//! +---------------------------------------------------------------+
//! ```
//! Sequence numbers are shown relative to each direction's first one (the SYN's,
//! or one less than the first segment's when the connection is seen from the
//! middle), and `tcp.stream` numbers connections in order of appearance, a new
//! SYN with a different initial sequence number starting a new stream: both as
//! tshark does. Analysis (retransmissions, duplicate ACKs...) is a later issue.

use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write;

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Timestamp, Value, Want};

use crate::columns::Address;
use crate::tcp_analysis::{analyze, flag, write_prefixes, Analysis, Flow, Segment};
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static TCP: FieldDef = FieldDef::new("tcp", "Transmission Control Protocol", T::Protocol);
static SRCPORT: FieldDef = FieldDef::new("tcp.srcport", "Source Port", T::U16).base(Base::Port);
static DSTPORT: FieldDef = FieldDef::new("tcp.dstport", "Destination Port", T::U16).base(Base::Port);
static PORT: FieldDef = FieldDef::new("tcp.port", "Source or Destination Port", T::U16).base(Base::Port).hidden();
static STREAM: FieldDef = FieldDef::new("tcp.stream", "Stream index", T::U32).generated();
static LEN: FieldDef = FieldDef::new("tcp.len", "TCP Segment Len", T::U32).generated();
static SEQ: FieldDef = FieldDef::new("tcp.seq", "Sequence Number", T::U32);
static SEQ_RAW: FieldDef = FieldDef::new("tcp.seq_raw", "Sequence Number (raw)", T::U32);
static NXTSEQ: FieldDef = FieldDef::new("tcp.nxtseq", "Next Sequence Number", T::U32).generated();
static ACK: FieldDef = FieldDef::new("tcp.ack", "Acknowledgment Number", T::U32);
static ACK_RAW: FieldDef = FieldDef::new("tcp.ack_raw", "Acknowledgment number (raw)", T::U32);
static HDR_LEN: FieldDef = FieldDef::new("tcp.hdr_len", "Header Length", T::U8);
static FLAGS: FieldDef = FieldDef::new("tcp.flags", "Flags", T::U16).base(Base::Hex).mask(0xfff);
static FLAG_RES: FieldDef = FieldDef::new("tcp.flags.res", "Reserved", T::Bool).mask(0xe00).width(12);
static FLAG_AE: FieldDef = FieldDef::new("tcp.flags.ae", "Accurate ECN", T::Bool).mask(0x100).width(12);
static FLAG_CWR: FieldDef = FieldDef::new("tcp.flags.cwr", "Congestion Window Reduced", T::Bool).mask(0x80).width(12);
static FLAG_ECE: FieldDef = FieldDef::new("tcp.flags.ece", "ECN-Echo", T::Bool).mask(0x40).width(12);
static FLAG_URG: FieldDef = FieldDef::new("tcp.flags.urg", "Urgent", T::Bool).mask(0x20).width(12);
static FLAG_ACK: FieldDef = FieldDef::new("tcp.flags.ack", "Acknowledgment", T::Bool).mask(0x10).width(12);
static FLAG_PUSH: FieldDef = FieldDef::new("tcp.flags.push", "Push", T::Bool).mask(0x8).width(12);
static FLAG_RESET: FieldDef = FieldDef::new("tcp.flags.reset", "Reset", T::Bool).mask(0x4).width(12);
static FLAG_SYN: FieldDef = FieldDef::new("tcp.flags.syn", "Syn", T::Bool).mask(0x2).width(12);
static FLAG_FIN: FieldDef = FieldDef::new("tcp.flags.fin", "Fin", T::Bool).mask(0x1).width(12);
static FLAGS_STR: FieldDef = FieldDef::new("tcp.flags.str", "TCP Flags", T::String);
static WIN_VALUE: FieldDef = FieldDef::new("tcp.window_size_value", "Window", T::U16);
static WIN: FieldDef = FieldDef::new("tcp.window_size", "Calculated window size", T::U32).generated();
static WIN_SCALE: FieldDef = FieldDef::new("tcp.window_size_scalefactor", "Window size scaling factor", T::I32).generated();
static CHECKSUM: FieldDef = FieldDef::new("tcp.checksum", "Checksum", T::U16).base(Base::Hex);
static CHECKSUM_STATUS: FieldDef = FieldDef::new("tcp.checksum.status", "Checksum Status", T::U8).names(super::udp::CHECKSUM_STATUS_NAMES);
static URGENT: FieldDef = FieldDef::new("tcp.urgent_pointer", "Urgent Pointer", T::U16);
static OPTIONS: FieldDef = FieldDef::new("tcp.options", "TCP Options", T::Bytes);
static OPTION_KIND: FieldDef = FieldDef::new("tcp.option_kind", "Kind", T::U8).names(OPTION_KINDS);
static OPTION_LEN: FieldDef = FieldDef::new("tcp.option_len", "Length", T::U8);
static MSS_VAL: FieldDef = FieldDef::new("tcp.options.mss_val", "MSS Value", T::U16);
static WS_SHIFT: FieldDef = FieldDef::new("tcp.options.wscale.shift", "Shift count", T::U8);
static WS_MULT: FieldDef = FieldDef::new("tcp.options.wscale.multiplier", "Multiplier", T::U16);
static SACK_PERM: FieldDef = FieldDef::new("tcp.options.sack_perm", "TCP SACK Permitted Option", T::None);
static SACK_LE: FieldDef = FieldDef::new("tcp.options.sack_le", "TCP SACK Left Edge", T::U32);
static SACK_RE: FieldDef = FieldDef::new("tcp.options.sack_re", "TCP SACK Right Edge", T::U32);
static SACK_COUNT: FieldDef = FieldDef::new("tcp.options.sack.count", "TCP SACK Count", T::U8);
static TSVAL: FieldDef = FieldDef::new("tcp.options.timestamp.tsval", "Timestamp value", T::U32);
static TSECR: FieldDef = FieldDef::new("tcp.options.timestamp.tsecr", "Timestamp echo reply", T::U32);
static TIME_RELATIVE: FieldDef = FieldDef::new("tcp.time_relative", "Time since first frame in this TCP stream", T::RelTime).generated();
static TIME_DELTA: FieldDef = FieldDef::new("tcp.time_delta", "Time since previous frame in this TCP stream", T::RelTime).generated();
static PAYLOAD: FieldDef = FieldDef::new("tcp.payload", "TCP payload", T::Bytes);
static COMPLETENESS: FieldDef =
    FieldDef::new("tcp.completeness", "Conversation completeness", T::U8).generated().names(COMPLETENESS_NAMES);
/// Wireshark's names for the completeness bit sets.
static COMPLETENESS_NAMES: &[(u64, &str)] = &[(0, "Incomplete"), (1, "Incomplete, SYN_SENT"), (2, "Incomplete"), (3, "Incomplete, CLIENT_ESTABLISHED"), (4, "Incomplete"), (5, "Incomplete"), (6, "Incomplete"), (7, "Incomplete, ESTABLISHED"), (8, "Incomplete"), (9, "Incomplete"), (10, "Incomplete"), (11, "Incomplete"), (12, "Incomplete"), (13, "Incomplete"), (14, "Incomplete"), (15, "Incomplete, DATA"), (16, "Incomplete"), (17, "Incomplete"), (18, "Incomplete"), (19, "Incomplete"), (20, "Incomplete"), (21, "Incomplete"), (22, "Incomplete"), (23, "Complete, NO_DATA"), (24, "Incomplete"), (25, "Incomplete"), (26, "Incomplete"), (27, "Incomplete"), (28, "Incomplete"), (29, "Incomplete"), (30, "Incomplete"), (31, "Complete, WITH_DATA"), (32, "Incomplete"), (33, "Incomplete"), (34, "Incomplete"), (35, "Incomplete"), (36, "Incomplete"), (37, "Incomplete"), (38, "Incomplete"), (39, "Complete, NO_DATA"), (40, "Incomplete"), (41, "Incomplete"), (42, "Incomplete"), (43, "Incomplete"), (44, "Incomplete"), (45, "Incomplete"), (46, "Incomplete"), (47, "Complete, WITH_DATA"), (48, "Incomplete"), (49, "Incomplete"), (50, "Incomplete"), (51, "Incomplete"), (52, "Incomplete"), (53, "Incomplete"), (54, "Incomplete"), (55, "Complete, NO_DATA"), (56, "Incomplete"), (57, "Incomplete"), (58, "Incomplete"), (59, "Incomplete"), (60, "Incomplete"), (61, "Incomplete"), (62, "Incomplete"), (63, "Complete, WITH_DATA")];
// Expert items (Wireshark's names, so `-Y tcp.connection.syn` works too).
static E_SYN: FieldDef = FieldDef::new("tcp.connection.syn", "Connection establish request (SYN)", T::None);
static E_SYNACK: FieldDef = FieldDef::new("tcp.connection.synack", "Connection establish acknowledge (SYN+ACK)", T::None);
static E_FIN: FieldDef = FieldDef::new("tcp.connection.fin", "Connection finish (FIN)", T::None);
static E_FIN_ACTIVE: FieldDef = FieldDef::new("tcp.connection.fin_active", "This frame initiates the connection closing", T::None);
static E_FIN_PASSIVE: FieldDef = FieldDef::new("tcp.connection.fin_passive", "This frame undergoes the connection closing", T::None);
static E_RST: FieldDef = FieldDef::new("tcp.connection.rst", "Connection reset (RST)", T::None);
static E_URGENT: FieldDef = FieldDef::new("tcp.urgent_pointer.non_zero", "The urgent pointer field is nonzero while the URG flag is not set", T::None);
static E_MSS_ABSENT: FieldDef = FieldDef::new("tcp.options.mss.absent", "The SYN packet does not contain a MSS option", T::None);
static E_ACK_NONZERO: FieldDef = FieldDef::new("tcp.ack.nonzero", "The acknowledgment number field is nonzero while the ACK flag is not set", T::None);
static E_DSACK: FieldDef = FieldDef::new("tcp.options.sack.dsack", "D-SACK Sequence", T::None);
static A_ACKS_FRAME: FieldDef = FieldDef::new("tcp.analysis.acks_frame", "This is an ACK to the segment in frame", T::FrameNum).generated();
static A_ACK_RTT: FieldDef = FieldDef::new("tcp.analysis.ack_rtt", "The RTT to ACK the segment was", T::RelTime).generated();
static A_INITIAL_RTT: FieldDef = FieldDef::new("tcp.analysis.initial_rtt", "iRTT", T::RelTime).generated();
static A_BYTES_IN_FLIGHT: FieldDef = FieldDef::new("tcp.analysis.bytes_in_flight", "Bytes in flight", T::U32).generated();
static A_PUSH_BYTES: FieldDef = FieldDef::new("tcp.analysis.push_bytes_sent", "Bytes sent since last PSH flag", T::U32).generated();
static ANALYSIS: FieldDef = FieldDef::new("tcp.analysis", "SEQ/ACK analysis", T::None).generated();
static ANALYSIS_FLAGS: FieldDef = FieldDef::new("tcp.analysis.flags", "TCP Analysis Flags", T::None).generated();
static A_RETRANSMISSION: FieldDef = FieldDef::new("tcp.analysis.retransmission", "This frame is a (suspected) retransmission", T::None);
static A_FAST_RETRANSMISSION: FieldDef = FieldDef::new("tcp.analysis.fast_retransmission", "This frame is a (suspected) fast retransmission", T::None);
static A_SPURIOUS: FieldDef = FieldDef::new("tcp.analysis.spurious_retransmission", "This frame is a (suspected) spurious retransmission", T::None);
static A_OUT_OF_ORDER: FieldDef = FieldDef::new("tcp.analysis.out_of_order", "This frame is a (suspected) out-of-order segment", T::None);
static A_LOST: FieldDef = FieldDef::new("tcp.analysis.lost_segment", "Previous segment(s) not captured (common at capture start)", T::None);
static A_ACK_LOST: FieldDef = FieldDef::new("tcp.analysis.ack_lost_segment", "ACKed segment that wasn't captured (common at capture start)", T::None);
static A_DUP_ACK: FieldDef = FieldDef::new("tcp.analysis.duplicate_ack", "Duplicate ACK", T::None);
static A_DUP_ACK_NUM: FieldDef = FieldDef::new("tcp.analysis.duplicate_ack_num", "Duplicate ACK #", T::U32).generated();
static A_DUP_ACK_FRAME: FieldDef = FieldDef::new("tcp.analysis.duplicate_ack_frame", "Duplicate to the ACK in frame", T::FrameNum).generated();
static A_ZERO_WINDOW: FieldDef = FieldDef::new("tcp.analysis.zero_window", "TCP Zero Window segment", T::None);
static A_ZWP: FieldDef = FieldDef::new("tcp.analysis.zero_window_probe", "TCP Zero Window Probe", T::None);
static A_ZWP_ACK: FieldDef = FieldDef::new("tcp.analysis.zero_window_probe_ack", "TCP Zero Window Probe Ack", T::None);
static A_WINDOW_FULL: FieldDef = FieldDef::new("tcp.analysis.window_full", "TCP window specified by the receiver is now completely full", T::None);
static A_WINDOW_UPDATE: FieldDef = FieldDef::new("tcp.analysis.window_update", "TCP window update", T::None);
static A_KEEP_ALIVE: FieldDef = FieldDef::new("tcp.analysis.keep_alive", "TCP keep-alive segment", T::None);
static A_KEEP_ALIVE_ACK: FieldDef = FieldDef::new("tcp.analysis.keep_alive_ack", "ACK to a TCP keep-alive segment", T::None);
static A_REUSED_PORTS: FieldDef = FieldDef::new("tcp.analysis.reused_ports", "A new tcp session is started with the same ports as an earlier session in this trace", T::None);
pub(crate) static SEGMENTS: FieldDef = FieldDef::new("tcp.segments", "Reassembled TCP Segments", T::None).generated();
pub(crate) static SEGMENT: FieldDef = FieldDef::new("tcp.segment", "TCP Segment", T::FrameNum).generated();
pub(crate) static SEGMENT_COUNT: FieldDef = FieldDef::new("tcp.segment.count", "Segment count", T::U32).generated();
pub(crate) static REASSEMBLED_LENGTH: FieldDef =
    FieldDef::new("tcp.reassembled.length", "Reassembled TCP length", T::U32).generated();
// Known only to a two-pass run (tshark -2); empty in one pass, as in tshark.
static REASSEMBLED_IN: FieldDef = FieldDef::new("tcp.reassembled_in", "Reassembled PDU in frame", T::FrameNum).generated();
static BOGUS_HDR_LEN: FieldDef = FieldDef::new("tcp.bogus_header_length", "Bogus TCP Header Length", T::None);

static OPTION_KINDS: &[(u64, &str)] = &[
    (0, "End of Option List"),
    (1, "No-Operation"),
    (2, "Maximum Segment Size"),
    (3, "Window Scale"),
    (4, "SACK Permitted"),
    (5, "SACK"),
    (8, "Time Stamp Option"),
    (28, "User Timeout"),
    (29, "TCP Authentication Option"),
    (30, "Multipath TCP"),
    (34, "TCP Fast Open Cookie"),
];

/// The TCP protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &TCP,
    short: "TCP",
    leaf: false,
    fields: &[
        &SRCPORT, &DSTPORT, &PORT, &STREAM, &LEN, &SEQ, &SEQ_RAW, &NXTSEQ, &ACK, &ACK_RAW, &HDR_LEN, &FLAGS, &FLAG_RES,
        &FLAG_AE, &FLAG_CWR, &FLAG_ECE, &FLAG_URG, &FLAG_ACK, &FLAG_PUSH, &FLAG_RESET, &FLAG_SYN, &FLAG_FIN, &FLAGS_STR,
        &WIN_VALUE, &WIN, &WIN_SCALE, &CHECKSUM, &CHECKSUM_STATUS, &URGENT, &OPTIONS, &OPTION_KIND, &OPTION_LEN,
        &MSS_VAL, &WS_SHIFT, &WS_MULT, &SACK_PERM, &SACK_LE, &SACK_RE, &SACK_COUNT, &TSVAL, &TSECR, &TIME_RELATIVE,
        &TIME_DELTA, &PAYLOAD, &COMPLETENESS, &A_ACKS_FRAME, &A_ACK_RTT, &A_INITIAL_RTT, &A_BYTES_IN_FLIGHT, &A_PUSH_BYTES, &E_SYN, &E_SYNACK, &E_FIN, &E_FIN_ACTIVE, &E_FIN_PASSIVE,
        &E_RST, &E_URGENT, &E_MSS_ABSENT, &E_DSACK, &E_ACK_NONZERO, &BOGUS_HDR_LEN, &SEGMENTS, &SEGMENT, &SEGMENT_COUNT, &REASSEMBLED_LENGTH, &REASSEMBLED_IN,
        &ANALYSIS, &ANALYSIS_FLAGS, &A_RETRANSMISSION, &A_FAST_RETRANSMISSION,
        &A_SPURIOUS, &A_OUT_OF_ORDER, &A_LOST, &A_ACK_LOST, &A_DUP_ACK, &A_DUP_ACK_NUM, &A_DUP_ACK_FRAME, &A_ZERO_WINDOW,
        &A_ZWP, &A_ZWP_ACK, &A_WINDOW_FULL, &A_WINDOW_UPDATE, &A_KEEP_ALIVE, &A_KEEP_ALIVE_ACK, &A_REUSED_PORTS,
    ],
    dissect,
    register: |t| t.ip_proto(6, &PROTOCOL),
};

const FIN: u16 = 0x01;
const SYN: u16 = 0x02;
const RST: u16 = 0x04;
const ACKF: u16 = 0x10;
const URG: u16 = 0x20;

/// Window scale of one direction: -1 unknown (no handshake seen), -2 not used.
#[derive(Clone)]
struct DirState {
    base: Option<u32>,
    /// Relative sequence number of this direction's FIN, once sent.
    fin_seq: Option<u32>,
    syn_ws: Option<Option<u8>>,
    scale: i32,
    flow: Flow,
}

impl Default for DirState {
    fn default() -> Self {
        DirState { base: None, fin_seq: None, syn_ws: None, scale: -1, flow: Flow::default() }
    }
}

struct Conv {
    stream: u32,
    /// FIN seen per direction; a RST or both FINs end the connection.
    fin: [bool; 2],
    ended: bool,
    dirs: [DirState; 2],
    /// Time of the latest SYN, and the handshake's round trip once known.
    syn_time: Option<Timestamp>,
    first_rtt: Option<i128>,
    first: Timestamp,
    prev: Timestamp,
    /// tcp.completeness bits so far (SYN 1, SYN-ACK 2, ACK 4, DATA 8, FIN 16, RST 32).
    completeness: u8,
}

type Key = ((Address, u16), (Address, u16));

#[derive(Default)]
struct TcpState {
    convs: HashMap<Key, Conv>,
    next_stream: u32,
    /// Connections that ended (FIN both ways, or RST), oldest first. Only the
    /// most recent [`KEEP_CLOSED`] stay in the table, so memory follows the
    /// number of open connections rather than the length of the capture.
    closed: std::collections::VecDeque<(Key, u32)>,
}

/// Ended connections remembered (for late retransmissions and final ACKs).
const KEEP_CLOSED: usize = 1024;


/// What the conversation says about this segment.
struct Seen {
    stream: u32,
    /// Direction within the connection (0 or 1), for per-direction state.
    dir: u8,
    rel_seq: u32,
    rel_ack: u32,
    ack_base: u32,
    scale: i32,
    first: Timestamp,
    prev: Timestamp,
    analysis: Analysis,
    /// The handshake's round trip, once known.
    initial_rtt: Option<i128>,
    /// tcp.completeness before this segment (None: not tracked).
    completeness: Option<u8>,
    /// A FIN that acknowledges the other side's FIN (it "undergoes" the close).
    fin_passive: bool,
}

/// What [`track`] needs to know about the segment.
struct Header {
    sport: u16,
    dport: u16,
    seq: u32,
    ack: u32,
    flags: u16,
    ws: Option<u8>,
    win: u16,
    seg_len: u32,
    /// SACK blocks from the options.
    sack: [(u32, u32); 4],
    nsack: usize,
    /// Someone reads the ACK bookkeeping (acks_frame, bytes in flight...).
    acks: bool,
}

fn track(ctx: &mut Ctx<'_, '_>, h: &Header) -> Seen {
    let Header { sport, dport, seq, ack, flags, ws, .. } = *h;
    let (a, b, forward) = super::udp::conv_key(ctx.pinfo.net_src, sport, ctx.pinfo.net_dst, dport);
    let d = if forward { 0 } else { 1 };
    let ts = ctx.meta.ts;
    let max_flows = ctx.needs.limits.max_flows.max(1);
    let st = ctx.state.get::<TcpState>();
    if st.convs.len() >= max_flows {
        // At the cap: forget the ended connections, then every one (their
        // later segments start afresh), and say how many were dropped.
        let before = st.convs.len();
        st.convs.retain(|_, c| !c.ended);
        if st.convs.len() >= max_flows {
            st.convs.clear();
        }
        st.closed.clear();
        let dropped = (before - st.convs.len()) as u64;
        ctx.state.get::<crate::LimitHits>().flows += dropped;
    }
    let st = ctx.state.get::<TcpState>();
    let pure_syn = flags & (SYN | ACKF) == SYN;
    let next_stream = &mut st.next_stream;
    let fresh = |n: &mut u32| {
        let stream = *n;
        *n += 1;
        Conv {
            stream,
            fin: [false; 2],
            ended: false,
            dirs: Default::default(),
            syn_time: None,
            first_rtt: None,
            first: ts,
            prev: ts,
            completeness: 0,
        }
    };
    let mut reused = false;
    let mut created = false;
    let c = match st.convs.entry((a, b)) {
        std::collections::hash_map::Entry::Occupied(o) => {
            let c = o.into_mut();
            // A new SYN with another initial sequence number: the ports were reused.
            if pure_syn && c.dirs[d].base.is_some_and(|base| base != seq) {
                *c = fresh(next_stream);
                reused = true;
                c.completeness = 1;
            }
            c
        }
        std::collections::hash_map::Entry::Vacant(v) => {
            created = true;
            v.insert(fresh(next_stream))
        }
    };
    let completeness = c.completeness;
    c.completeness |= completeness_bits(flags, h.seg_len, created);
    let fwd = &mut c.dirs[d];
    let base = *fwd.base.get_or_insert(if flags & SYN != 0 { seq } else { seq.wrapping_sub(1) });
    if flags & SYN != 0 {
        fwd.syn_ws = Some(ws);
        // A SYN's window-scale option applies to its sender from now on;
        // without one, scaling is off for the connection (RFC 7323 §2.2).
        fwd.scale = match ws {
            Some(shift) => shift.min(14) as i32,
            None => -2,
        };
    }
    let rev_d = 1 - d;
    if flags & ACKF != 0 && c.dirs[rev_d].base.is_none() {
        c.dirs[rev_d].base = Some(ack.wrapping_sub(1));
    }
    if flags & (SYN | ACKF) == (SYN | ACKF) {
        // The handshake's second half decides whether scaling is in use.
        let both = matches!((c.dirs[d].syn_ws, c.dirs[rev_d].syn_ws), (Some(Some(_)), Some(Some(_))));
        let answered_without = matches!(c.dirs[d].syn_ws, Some(None)) || matches!(c.dirs[rev_d].syn_ws, Some(None));
        if answered_without || (!both && c.dirs[rev_d].syn_ws.is_some()) {
            c.dirs[d].scale = -2;
            c.dirs[rev_d].scale = -2;
        }
    }
    let ack_base = c.dirs[rev_d].base.unwrap_or(0);
    let rel_seq = seq.wrapping_sub(base);
    // Without the ACK flag the field means nothing: tshark shows it raw.
    let rel_ack = if flags & ACKF != 0 { ack.wrapping_sub(ack_base) } else { ack };
    // The round trip runs from the latest SYN (not a SYN-ACK) to the first
    // plain ACK in either direction.
    if pure_syn {
        c.syn_time = Some(ts);
    } else if flags & (SYN | ACKF) == ACKF && c.first_rtt.is_none() {
        if let Some(t) = c.syn_time {
            c.first_rtt = Some(ts.since(t));
        }
    }
    let fin_passive = flags & FIN != 0
        && flags & ACKF != 0
        && c.dirs[rev_d].fin_seq.is_some_and(|fs| (rel_ack.wrapping_sub(fs) as i32) > 0);
    if flags & FIN != 0 {
        c.dirs[d].fin_seq = Some(rel_seq.wrapping_add(h.seg_len));
    }
    let rev_scale = c.dirs[rev_d].scale;
    let [d0, d1] = &mut c.dirs;
    let (fwd, rev) = if d == 0 { (d0, d1) } else { (d1, d0) };
    let segment = Segment {
        frame: ctx.meta.number,
        ts,
        seq: rel_seq,
        ack: rel_ack,
        len: h.seg_len,
        flags,
        window: h.win as u32,
        walk_ack: ack.wrapping_sub(ack_base),
        sack: &h.sack[..h.nsack],
        acks: h.acks,
    };
    let mut analysis = if ctx.needs.tcp_analysis {
        analyze(&mut fwd.flow, &mut rev.flow, rev_scale, c.first_rtt, &segment)
    } else {
        Analysis::default()
    };
    if reused {
        analysis.flags |= flag::REUSED_PORTS;
    }
    let seen = Seen {
        dir: d as u8,
        analysis,
        stream: c.stream,
        rel_seq,
        rel_ack,
        ack_base,
        scale: c.dirs[d].scale,
        first: c.first,
        prev: c.prev,
        initial_rtt: c.first_rtt,
        completeness: Some(completeness),
        fin_passive,
    };
    c.prev = ts;
    if flags & FIN != 0 {
        c.fin[d] = true;
    }
    if !c.ended && (flags & RST != 0 || c.fin == [true, true]) {
        c.ended = true;
        let stream = c.stream;
        st.closed.push_back(((a, b), stream));
        while st.closed.len() > KEEP_CLOSED {
            let Some((k, stream)) = st.closed.pop_front() else { break };
            // The ports may have been reused since: only forget that same connection.
            if st.convs.get(&k).is_some_and(|c| c.stream == stream && c.ended) {
                st.convs.remove(&k);
            }
        }
    }
    seen
}

/// Chats and warnings about the connection's life: SYN, SYN+ACK, FIN, RST.
fn connection_experts(ctx: &mut Ctx<'_, '_>, flags: u16, sport: u16, dport: u16, fin_passive: bool, in_error: bool) {
    use wirecrab_core::Severity::{Chat, Note, Warning};
    if in_error || !ctx.wants_experts() {
        return;
    }
    if flags & (SYN | ACKF) == SYN {
        ctx.expert(&E_SYN, Chat, "Sequence", format!("Connection establish request (SYN): server port {dport}"));
    } else if flags & (SYN | ACKF) == SYN | ACKF {
        ctx.expert(&E_SYNACK, Chat, "Sequence", format!("Connection establish acknowledge (SYN+ACK): server port {sport}"));
    }
    if flags & FIN != 0 {
        ctx.expert(&E_FIN, Chat, "Sequence", "Connection finish (FIN)");
        if fin_passive {
            ctx.expert(&E_FIN_PASSIVE, Note, "Sequence", "This frame undergoes the connection closing");
        } else {
            ctx.expert(&E_FIN_ACTIVE, Note, "Sequence", "This frame initiates the connection closing");
        }
    }
    if flags & RST != 0 {
        ctx.expert(&E_RST, Warning, "Sequence", "Connection reset (RST)");
    }
}

/// Notes about the header: a SYN without MSS, an urgent pointer without
/// URG, a SACK block below the ACK (a duplicate-SACK, RFC 2883).
fn option_experts(ctx: &mut Ctx<'_, '_>, flags: u16, urg: u16, ack: u32, opts: Option<&[u8]>, h: &Header) {
    use wirecrab_core::Severity::{Note, Warning};
    if urg != 0 && flags & URG == 0 {
        ctx.expert(&E_URGENT, Note, "Protocol", "The urgent pointer field is nonzero while the URG flag is not set");
    }
    if flags & ACKF == 0 && ack != 0 {
        ctx.expert(&E_ACK_NONZERO, Note, "Protocol", "The acknowledgment number field is nonzero while the ACK flag is not set");
    }
    // Checked while reading the options: a SYN without any has no note.
    if flags & SYN != 0 && opts.is_some_and(|o| !has_mss(o)) {
        ctx.expert(&E_MSS_ABSENT, Note, "Protocol", "The SYN packet does not contain a MSS option");
    }
    if h.nsack > 0 && flags & ACKF != 0 && (h.sack[0].0.wrapping_sub(ack) as i32) < 0 {
        ctx.expert(&E_DSACK, Warning, "Sequence", "D-SACK Sequence");
    }
}

fn has_mss(o: &[u8]) -> bool {
    let mut i = 0;
    while i < o.len() {
        match o[i] {
            0 => return false,
            1 => i += 1,
            2 => return true,
            _ => match o.get(i + 1) {
                Some(&len) if len >= 2 => i += len as usize,
                _ => return false,
            },
        }
    }
    false
}

/// Fields that need the unacknowledged-segment bookkeeping (the
/// `tcp.analysis` node's presence depends on it too).
static ACK_FIELDS: &[&FieldDef] = &[&ANALYSIS, &A_ACKS_FRAME, &A_ACK_RTT, &A_INITIAL_RTT, &A_BYTES_IN_FLIGHT, &A_PUSH_BYTES];

/// What a segment adds to tcp.completeness. A connection seen first at
/// anything but a SYN never gets the SYN bit, nor anything from that frame.
fn completeness_bits(flags: u16, seg_len: u32, created: bool) -> u8 {
    let pure_syn = flags & (SYN | ACKF) == SYN;
    if created {
        return if pure_syn { 1 | if seg_len > 0 { 8 } else { 0 } } else { 0 };
    }
    let mut bits = 0;
    if flags & (SYN | ACKF) == SYN | ACKF {
        bits |= 2;
    }
    if flags & (SYN | ACKF) == ACKF {
        bits |= if seg_len > 0 { 8 } else { 4 };
    }
    if flags & (FIN | ACKF) == FIN | ACKF {
        bits |= 16;
    }
    if flags & RST != 0 {
        bits |= 32;
    }
    bits
}

/// SACK blocks (option 5) as (left, right) edges, at most four.
fn find_sack(o: &[u8]) -> ([(u32, u32); 4], usize) {
    let mut out = [(0, 0); 4];
    let mut n = 0;
    let mut i = 0;
    while i < o.len() {
        match o[i] {
            0 => break,
            1 => i += 1,
            k => {
                let Some(&len) = o.get(i + 1) else { break };
                let len = len as usize;
                if len < 2 {
                    break;
                }
                if k == 5 {
                    let blocks = o.get(i + 2..i + len).unwrap_or(&[]);
                    for b in blocks.chunks_exact(8).take(4) {
                        let edge = |x: &[u8]| u32::from_be_bytes([x[0], x[1], x[2], x[3]]);
                        out[n] = (edge(&b[..4]), edge(&b[4..]));
                        n += 1;
                    }
                    break;
                }
                i += len;
            }
        }
    }
    (out, n)
}

/// Write the flags as tshark's Info shows them: `SYN, ACK`.
fn flag_names(out: &mut String, flags: u16) {
    const NAMES: [&str; 9] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];
    let mut first = true;
    for (i, n) in NAMES.iter().enumerate() {
        if flags & (1 << i) != 0 {
            if !first {
                out.push_str(", ");
            }
            out.push_str(n);
            first = false;
        }
    }
    if flags & 0xe00 != 0 {
        if !first {
            out.push_str(", ");
        }
        out.push_str("Reserved");
        first = false;
    }
    if first {
        out.push_str("<None>");
    }
}

/// TCP's part of the Info column of one segment, as numbers: formatted only
/// when the frame is printed (see [`crate::columns::Columns::write_info`]).
#[derive(Debug, Clone, Copy)]
pub struct InfoSummary {
    analysis: Analysis,
    sport: u16,
    dport: u16,
    flags: u16,
    seq: u32,
    ack: u32,
    win: u32,
    urg: u16,
    /// The payload length, once the header proved whole.
    len: Option<u32>,
    /// The options' bytes (at most 40), for their Info text.
    options: [u8; 40],
    options_len: u8,
    ack_base: u32,
    prefixes_only: bool,
}

impl InfoSummary {
    /// Keep the analysis prefixes only: an upper protocol writes the rest.
    pub(crate) fn prefixes_only(&mut self) {
        self.prefixes_only = true;
    }

    /// Append the text as tshark writes it:
    /// `[TCP Retransmission] 80 → 39836 [PSH, ACK] Seq=1 Ack=2 Win=501 Len=5 TSval=1 TSecr=2`.
    pub fn write(&self, i: &mut String) {
        use crate::names::write_u64;
        write_prefixes(i, &self.analysis);
        if self.prefixes_only {
            return;
        }
        write_u64(i, self.sport as u64);
        i.push_str(" → ");
        write_u64(i, self.dport as u64);
        i.push_str(" [");
        flag_names(i, self.flags);
        i.push_str("] Seq=");
        write_u64(i, self.seq as u64);
        if self.flags & ACKF != 0 {
            i.push_str(" Ack=");
            write_u64(i, self.ack as u64);
        }
        i.push_str(" Win=");
        write_u64(i, self.win as u64);
        if self.flags & URG != 0 {
            i.push_str(" Urg=");
            write_u64(i, self.urg as u64);
        }
        if let Some(len) = self.len {
            i.push_str(" Len=");
            write_u64(i, len as u64);
            write_options_info(i, &self.options[..self.options_len as usize], self.ack_base);
        }
    }
}

/// The options' Info text (` MSS=1460 WS=256 SACK_PERM`), walked as
/// [`options`] walks them: a bad length ends the walk.
fn write_options_info(out: &mut String, o: &[u8], ack_base: u32) {
    use crate::names::write_u64;
    let be32 = |at: usize| u32::from_be_bytes([o[at], o[at + 1], o[at + 2], o[at + 3]]);
    let mut i = 0;
    while i < o.len() {
        let kind = o[i];
        if kind == 0 {
            break;
        }
        if kind == 1 {
            i += 1;
            continue;
        }
        let len = o.get(i + 1).copied().unwrap_or(0) as usize;
        if len < 2 || i + len > o.len() {
            break;
        }
        match (kind, len) {
            (2, 4) => {
                out.push_str(" MSS=");
                write_u64(out, u16::from_be_bytes([o[i + 2], o[i + 3]]) as u64);
            }
            (3, 3) => {
                out.push_str(" WS=");
                write_u64(out, 1u64 << o[i + 2].min(14));
            }
            (4, 2) => out.push_str(" SACK_PERM"),
            (5, _) => {
                for k in 0..(len - 2) / 8 {
                    out.push_str(" SLE=");
                    write_u64(out, be32(i + 2 + k * 8).wrapping_sub(ack_base) as u64);
                    out.push_str(" SRE=");
                    write_u64(out, be32(i + 6 + k * 8).wrapping_sub(ack_base) as u64);
                }
            }
            (8, 10) => {
                out.push_str(" TSval=");
                write_u64(out, be32(i + 2) as u64);
                out.push_str(" TSecr=");
                write_u64(out, be32(i + 6) as u64);
            }
            _ => {}
        }
        i += len;
    }
}

/// tshark's `tcp.flags.str`: `·······A···S·` style, most significant first.
fn flags_str(flags: u16) -> String {
    const LETTERS: [char; 12] = ['R', 'R', 'R', 'A', 'C', 'E', 'U', 'A', 'P', 'R', 'S', 'F'];
    (0..12).map(|i| if flags & (1 << (11 - i)) != 0 { LETTERS[i] } else { '·' }).collect()
}

/// Fields read straight from the header: a run that wants only these (and
/// nothing after TCP) needs no conversation tracking.
static UNTRACKED: &[&FieldDef] = &[
    &TCP, &SRCPORT, &DSTPORT, &PORT, &LEN, &SEQ_RAW, &ACK_RAW, &HDR_LEN, &FLAGS, &FLAG_RES, &FLAG_AE, &FLAG_CWR,
    &FLAG_ECE, &FLAG_URG, &FLAG_ACK, &FLAG_PUSH, &FLAG_RESET, &FLAG_SYN, &FLAG_FIN, &FLAGS_STR, &WIN_VALUE,
    &CHECKSUM, &CHECKSUM_STATUS, &URGENT, &OPTIONS, &OPTION_KIND, &OPTION_LEN, &MSS_VAL, &WS_SHIFT, &WS_MULT,
    &SACK_PERM, &SACK_COUNT, &TSVAL, &TSECR, &PAYLOAD, &BOGUS_HDR_LEN,
];

/// The option fields: without any of them wanted, options are not walked.
static OPTION_FIELDS: &[&FieldDef] =
    &[&OPTIONS, &OPTION_KIND, &OPTION_LEN, &MSS_VAL, &WS_SHIFT, &WS_MULT, &SACK_PERM, &SACK_COUNT, &SACK_LE, &SACK_RE, &TSVAL, &TSECR];

/// What of TCP's optional work a run needs, decided once from its fields
/// (tested per segment, it was a tenth of TCP's time).
#[derive(Debug, Clone, Copy, Default)]
pub struct Wants {
    /// The ACK bookkeeping (acks_frame, RTTs, bytes in flight).
    pub(crate) acks: bool,
    /// SACK blocks (the bookkeeping, or D-SACK expert items).
    pub(crate) sack: bool,
    /// The options walked as fields.
    pub(crate) options: bool,
}

/// [`Wants`] for a run keeping `want`.
pub(crate) fn wants(want: &Want) -> Wants {
    let all = matches!(want, Want::All);
    let acks = all || ACK_FIELDS.iter().any(|f| want.wants(f));
    Wants { acks, sack: acks || want.wants(&E_DSACK), options: all || OPTION_FIELDS.iter().any(|f| want.wants(f)) }
}

/// Fields that need the conversation but not the sequence analysis.
static TRACKED_ONLY: &[&FieldDef] = &[&STREAM, &SEQ, &ACK, &NXTSEQ, &WIN, &WIN_SCALE, &TIME_RELATIVE, &TIME_DELTA, &COMPLETENESS];

/// Does a run keeping `want` need TCP's sequence analysis (any wanted TCP
/// field beyond the header, stream numbers, relative numbers and times)?
pub(crate) fn needs_analysis(want: &Want) -> bool {
    PROTOCOL.fields.iter().any(|f| {
        want.wants(f) && !UNTRACKED.iter().chain(TRACKED_ONLY).any(|u| std::ptr::eq(*u, *f))
    })
}

/// Does a run keeping `want` need TCP conversations tracked (stream numbers,
/// relative sequence numbers, analysis)? Yes unless every wanted TCP field
/// comes straight from the header.
pub(crate) fn needs_tracking(want: &Want) -> bool {
    PROTOCOL.fields.iter().any(|f| want.wants(f) && !UNTRACKED.iter().any(|u| std::ptr::eq(*u, *f)))
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("TCP");
    let idx = ctx.open(&TCP, &buf, 20);
    let h = match buf.slice(0, 20) {
        Ok(h) => h,
        Err(e) => {
            // Ports may still be there (an ICMP error quotes only 8 bytes).
            if let (Ok(s), Ok(d)) = (buf.be16(0), buf.be16(2)) {
                ctx.uint(&SRCPORT, &buf, 0, 2, s as u64);
                ctx.uint(&DSTPORT, &buf, 2, 2, d as u64);
                ctx.pinfo.src_port = s;
                ctx.pinfo.dst_port = d;
            }
            // No conversation for a partial header: the number is shown raw.
            if let Ok(seq) = buf.be32(4) {
                ctx.uint(&SEQ, &buf, 4, 4, seq as u64);
            }
            ctx.close();
            ctx.malformed("tcp", e);
            return Next::Done;
        }
    };
    let be16 = |o: usize| u16::from_be_bytes([h[o], h[o + 1]]);
    let be32 = |o: usize| u32::from_be_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]);
    let (sport, dport, seq, ack) = (be16(0), be16(2), be32(4), be32(8));
    let hlen = ((h[12] >> 4) as usize) * 4;
    let flags = be16(12) & 0x0fff;
    let (win, csum, urg) = (be16(14), be16(16), be16(18));
    ctx.pinfo.src_port = sport;
    ctx.pinfo.dst_port = dport;
    let seg_len = buf.reported_len().saturating_sub(hlen) as u32;
    let opts = if hlen > 20 { buf.slice(20, hlen - 20).ok() } else { None };
    let ws = opts.and_then(find_wscale);
    let in_error = ctx.pinfo.in_error;
    // A header whose options run past the packet is malformed: Wireshark
    // then shows raw sequence numbers and no analysis.
    let bad_header = hlen < 20 || !buf.has(0, hlen);
    let untracked = Seen {
        dir: 0,
        stream: 0,
        rel_seq: seq,
        rel_ack: ack,
        ack_base: 0,
        scale: -1,
        first: ctx.meta.ts,
        prev: ctx.meta.ts,
        analysis: Analysis::default(),
        initial_rtt: None,
        completeness: None,
        fin_passive: false,
    };
    let Wants { acks, sack: want_sack, .. } = ctx.needs.tcp;
    let (sack, nsack) = if want_sack { opts.map(find_sack).unwrap_or(([(0, 0); 4], 0)) } else { ([(0, 0); 4], 0) };
    let header = Header { sport, dport, seq, ack, flags, ws, win, seg_len, sack, nsack, acks };
    let seen = match (in_error, bad_header) {
        (true, _) => untracked,
        // Still numbered as a stream (tshark does), but with raw numbers.
        (false, true) => {
            let t = track(ctx, &header);
            Seen { stream: t.stream, completeness: t.completeness, first: t.first, prev: t.prev, ..untracked }
        }
        (false, false) if ctx.needs.tcp_tracking => track(ctx, &header),
        (false, false) => untracked,
    };
    let win_calc = if seen.scale >= 0 && flags & SYN == 0 { (win as u32) << seen.scale } else { win as u32 };
    ctx.label(idx, |s| {
        let _ = write!(s, "Transmission Control Protocol, Src Port: {sport}, Dst Port: {dport}, Seq: {}", seen.rel_seq);
        if flags & ACKF != 0 {
            let _ = write!(s, ", Ack: {}", seen.rel_ack);
        }
        let _ = write!(s, ", Len: {seg_len}");
    });
    // Most runs keep no TCP field (a filter on HTTP, a report): testing
    // forty fields' bits per segment was a tenth of such a run.
    if !ctx.needs.fieldless(&PROTOCOL) {
        header_fields(ctx, &buf, &header, &seen, hlen, csum, urg, win_calc, bad_header);
    } else {
        connection_experts(ctx, flags, sport, dport, seen.fin_passive, in_error);
    }
    if !ctx.needs.fieldless(&PROTOCOL) || ctx.wants_experts() {
        analysis_fields(ctx, &buf, &seen.analysis, seen.initial_rtt);
    }
    if ctx.wants_cols() {
        ctx.cols.set_tcp_info(InfoSummary {
            analysis: seen.analysis,
            sport,
            dport,
            flags,
            seq: seen.rel_seq,
            ack: seen.rel_ack,
            win: win_calc,
            urg,
            len: None,
            options: [0; 40],
            options_len: 0,
            ack_base: seen.ack_base,
            prefixes_only: false,
        });
    }
    if hlen < 20 {
        ctx.close();
        if let Some(i) = ctx.info() {
            let _ = write!(i, ", bogus TCP header length ({hlen}, must be at least 20)");
        }
        ctx.expert(&BOGUS_HDR_LEN, wirecrab_core::Severity::Error, "Malformed", "Bogus TCP header length");
        return Next::Done;
    }
    if hlen > 20 {
        match buf.slice(20, hlen - 20) {
            Ok(_) => {}
            Err(e) => {
                ctx.close();
                ctx.malformed("tcp", e);
                return Next::Done;
            }
        }
    }
    if ctx.wants_cols() {
        if let Some(t) = ctx.cols.tcp_info_mut() {
            t.len = Some(seg_len);
            if let Some(o) = opts {
                let n = o.len().min(40);
                t.options[..n].copy_from_slice(&o[..n]);
                t.options_len = n as u8;
            }
        }
    }
    if hlen > 20 && ctx.needs.tcp.options {
        options(ctx, &buf.sub(20, hlen - 20), seen.ack_base);
    }
    if !in_error && ctx.wants_experts() {
        option_experts(ctx, flags, urg, ack, opts, &header);
    }
    let payload = buf.from(hlen);
    ctx.bytes(&PAYLOAD, &payload, 0, payload.len());
    ctx.close();
    // A reset's payload is a human-readable reason (RFC 9293 §3.5.3), not
    // application data: Wireshark does not hand it on, nor do we.
    // Data already seen (retransmitted, or out of order) is not handed on
    // again: tshark's frame.protocols stops at "tcp" for such segments.
    const RESENT: u32 = flag::RETRANSMISSION | flag::FAST_RETRANSMISSION | flag::SPURIOUS_RETRANSMISSION | flag::OUT_OF_ORDER;
    if seen.analysis.flags & RESENT != 0 {
        return Next::Done;
    }
    // HTTP takes part in TCP reassembly: it sees every segment of its
    // connections (a bare FIN may complete a response read until close).
    if !in_error
        && flags & RST == 0
        && ctx.needs.tcp_tracking
        && !ctx.needs.skips(&super::http::PROTOCOL)
        && super::http::claims(ctx, seen.stream, sport, dport, payload.bytes())
    {
        let seg = super::http::Segment {
            stream: seen.stream,
            dir: seen.dir,
            seq: seen.rel_seq,
            fin: flags & FIN != 0,
            payload: payload.bytes(),
        };
        if seen.analysis.flags & flag::KEEP_ALIVE != 0 {
            // A keep-alive byte is old data: never HTTP's. Inside a PDU
            // already reassembled it is a reassembly error, else plain data.
            return if super::http::keep_alive(ctx, &seg) { Next::Done } else { Next::Data(payload) };
        }
        if super::http::tcp_segment(ctx, &seg) {
            return Next::Done;
        }
    }
    if payload.reported_len() == 0 || in_error || flags & RST != 0 {
        if flags & RST != 0 {
            return Next::Done;
        }
        return if payload.is_empty() { Next::Done } else { Next::Data(payload) };
    }
    Next::TcpPorts(sport, dport, payload)
}

/// The header's fields (and the conversation's numbers and times), with the
/// connection's expert items in their place.
#[allow(clippy::too_many_arguments)]
fn header_fields<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, h: &Header, seen: &Seen, hlen: usize, csum: u16, urg: u16, win_calc: u32, bad_header: bool) {
    let Header { sport, dport, seq, ack, flags, win, seg_len, .. } = *h;
    let in_error = ctx.pinfo.in_error;
    ctx.uint(&SRCPORT, buf, 0, 2, sport as u64);
    ctx.uint(&DSTPORT, buf, 2, 2, dport as u64);
    ctx.uint(&PORT, buf, 0, 2, sport as u64);
    ctx.uint(&PORT, buf, 2, 2, dport as u64);
    if !in_error {
        ctx.uint(&STREAM, buf, 0, 0, seen.stream as u64);
    }
    if let Some(c) = seen.completeness {
        ctx.uint(&COMPLETENESS, buf, 0, 0, c as u64);
    }
    if !bad_header {
        ctx.uint(&LEN, buf, 0, 0, seg_len as u64);
    }
    ctx.uint(&SEQ, buf, 4, 4, seen.rel_seq as u64);
    ctx.uint(&SEQ_RAW, buf, 4, 4, seq as u64);
    let nxt = seen.rel_seq.wrapping_add(seg_len).wrapping_add((flags & (SYN | FIN) != 0) as u32);
    if !bad_header {
        ctx.uint(&NXTSEQ, buf, 0, 0, nxt as u64);
    }
    ctx.uint(&ACK, buf, 8, 4, seen.rel_ack as u64);
    ctx.uint(&ACK_RAW, buf, 8, 4, ack as u64);
    ctx.uint(&HDR_LEN, buf, 12, 1, hlen as u64);
    ctx.uint(&FLAGS, buf, 12, 2, flags as u64);
    flag_fields(ctx, buf, flags);
    // The connection's chats sit after the flags, as in Wireshark's tree.
    connection_experts(ctx, flags, sport, dport, seen.fin_passive, in_error);
    ctx.uint(&WIN_VALUE, buf, 14, 2, win as u64);
    ctx.uint(&WIN, buf, 14, 2, win_calc as u64);
    if flags & SYN == 0 {
        // Shown as the multiplier, or -1 (unknown) / -2 (no scaling), as tshark does.
        let factor = if seen.scale >= 0 { 1i64 << seen.scale } else { seen.scale as i64 };
        ctx.add(&WIN_SCALE, buf, 14, 2, Value::I(factor));
    }
    ctx.uint(&CHECKSUM, buf, 16, 2, csum as u64);
    // Wireshark does not verify TCP checksums by default: "Unverified".
    ctx.uint(&CHECKSUM_STATUS, buf, 16, 2, 2);
    ctx.uint(&URGENT, buf, 18, 2, urg as u64);
    if !in_error {
        ctx.add(&TIME_RELATIVE, buf, 0, 0, Value::RelTime(ctx.meta.ts.since(seen.first) as i64));
        ctx.add(&TIME_DELTA, buf, 0, 0, Value::RelTime(ctx.meta.ts.since(seen.prev) as i64));
    }
}

/// The `tcp.analysis.*` items of one segment.
fn analysis_fields<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, a: &Analysis, initial_rtt: Option<i128>) {
    if !a.node || ctx.tree.wants_nothing() {
        return;
    }
    let items: [(u32, &'static FieldDef); 15] = [
        (flag::FAST_RETRANSMISSION, &A_FAST_RETRANSMISSION),
        (flag::RETRANSMISSION, &A_RETRANSMISSION),
        (flag::SPURIOUS_RETRANSMISSION, &A_SPURIOUS),
        (flag::OUT_OF_ORDER, &A_OUT_OF_ORDER),
        (flag::LOST_PACKET, &A_LOST),
        (flag::ACK_LOST_PACKET, &A_ACK_LOST),
        (flag::DUPLICATE_ACK, &A_DUP_ACK),
        (flag::ZERO_WINDOW, &A_ZERO_WINDOW),
        (flag::ZERO_WINDOW_PROBE, &A_ZWP),
        (flag::ZERO_WINDOW_PROBE_ACK, &A_ZWP_ACK),
        (flag::WINDOW_FULL, &A_WINDOW_FULL),
        (flag::WINDOW_UPDATE, &A_WINDOW_UPDATE),
        (flag::KEEP_ALIVE, &A_KEEP_ALIVE),
        (flag::KEEP_ALIVE_ACK, &A_KEEP_ALIVE_ACK),
        (flag::REUSED_PORTS, &A_REUSED_PORTS),
    ];
    ctx.add(&ANALYSIS, buf, 0, 0, Value::None);
    ctx.tree.enter();
    if let Some((frame, rtt)) = a.acks {
        ctx.add(&A_ACKS_FRAME, buf, 0, 0, Value::U(frame));
        if rtt != 0 {
            ctx.add(&A_ACK_RTT, buf, 0, 0, Value::RelTime(rtt as i64));
        }
    }
    if let Some(rtt) = initial_rtt.filter(|r| *r != 0) {
        ctx.add(&A_INITIAL_RTT, buf, 0, 0, Value::RelTime(rtt as i64));
    }
    if let Some(b) = a.bytes_in_flight {
        ctx.uint(&A_BYTES_IN_FLIGHT, buf, 0, 0, b as u64);
        ctx.uint(&A_PUSH_BYTES, buf, 0, 0, a.push_bytes_sent as u64);
    }
    if a.flags == 0 {
        ctx.tree.leave();
        return;
    }
    ctx.add(&ANALYSIS_FLAGS, buf, 0, 0, Value::None);
    ctx.tree.enter();
    for (bit, f) in items {
        // A fast retransmission is a retransmission too (both items, one Info prefix).
        let fast_too = bit == flag::RETRANSMISSION && a.flags & flag::FAST_RETRANSMISSION != 0;
        if a.flags & bit != 0 || fast_too {
            ctx.add(f, buf, 0, 0, Value::None);
            analysis_expert(ctx, bit, f, a.dupack_num);
        }
    }
    ctx.tree.leave();
    if a.flags & flag::DUPLICATE_ACK != 0 {
        ctx.uint(&A_DUP_ACK_NUM, buf, 0, 0, a.dupack_num as u64);
        ctx.uint(&A_DUP_ACK_FRAME, buf, 0, 0, a.dupack_frame);
    }
    ctx.tree.leave();
}

/// The expert item of an analysis flag, with Wireshark's severity.
fn analysis_expert(ctx: &mut Ctx<'_, '_>, bit: u32, f: &'static FieldDef, dupack_num: u32) {
    use wirecrab_core::Severity::{Chat, Note, Warning};
    let severity = match bit {
        flag::OUT_OF_ORDER | flag::LOST_PACKET | flag::ACK_LOST_PACKET | flag::ZERO_WINDOW | flag::WINDOW_FULL => Warning,
        flag::WINDOW_UPDATE => Chat,
        _ => Note,
    };
    let message = match bit {
        flag::DUPLICATE_ACK => format!("Duplicate ACK (#{dupack_num})"),
        flag::LOST_PACKET => "Previous segment(s) not captured (common at capture start)".into(),
        flag::ACK_LOST_PACKET => "ACKed segment that wasn't captured (common at capture start)".into(),
        flag::ZERO_WINDOW => "TCP Zero Window segment".into(),
        flag::ZERO_WINDOW_PROBE => "TCP Zero Window Probe".into(),
        flag::ZERO_WINDOW_PROBE_ACK => "ACK to a TCP Zero Window Probe".into(),
        flag::WINDOW_UPDATE => "TCP window update".into(),
        flag::KEEP_ALIVE => "TCP keep-alive segment".into(),
        flag::KEEP_ALIVE_ACK => "ACK to a TCP keep-alive segment".into(),
        _ => f.name.into(),
    };
    ctx.expert(f, severity, "Sequence", message);
}

fn flag_fields<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, flags: u16) {
    if !(ctx.tree.wants_all() || ctx.tree.wants(&FLAG_SYN) || ctx.tree.wants(&FLAG_ACK) || ctx.tree.wants(&FLAG_FIN)
        || ctx.tree.wants(&FLAG_RESET) || ctx.tree.wants(&FLAG_PUSH) || ctx.tree.wants(&FLAGS_STR)
        || ctx.tree.wants(&FLAG_URG) || ctx.tree.wants(&FLAG_ECE) || ctx.tree.wants(&FLAG_CWR)
        || ctx.tree.wants(&FLAG_AE) || ctx.tree.wants(&FLAG_RES))
    {
        return;
    }
    ctx.tree.enter();
    for (f, bit) in [
        (&FLAG_RES, 0xe00),
        (&FLAG_AE, 0x100),
        (&FLAG_CWR, 0x80),
        (&FLAG_ECE, 0x40),
        (&FLAG_URG, 0x20),
        (&FLAG_ACK, 0x10),
        (&FLAG_PUSH, 0x8),
        (&FLAG_RESET, 0x4),
        (&FLAG_SYN, 0x2),
        (&FLAG_FIN, 0x1),
    ] {
        ctx.flag(f, buf, 12, 2, flags & bit != 0);
    }
    if ctx.tree.wants(&FLAGS_STR) {
        ctx.add(&FLAGS_STR, buf, 12, 2, Value::OwnedStr(flags_str(flags).into()));
    }
    ctx.tree.leave();
}

/// The window-scale shift in a SYN's options, if present.
fn find_wscale(o: &[u8]) -> Option<u8> {
    let mut i = 0;
    while i < o.len() {
        match o[i] {
            0 => return None,
            1 => i += 1,
            k => {
                let len = *o.get(i + 1)? as usize;
                if len < 2 {
                    return None;
                }
                if k == 3 && len == 3 {
                    return o.get(i + 2).copied();
                }
                i += len;
            }
        }
    }
    None
}

/// Dissect the options (their Info text is [`write_options_info`]'s).
fn options<'a>(ctx: &mut Ctx<'a, '_>, o: &Buf<'a>, ack_base: u32) {
    ctx.bytes(&OPTIONS, o, 0, o.len());
    ctx.tree.enter();
    let mut i = 0;
    while i < o.len() {
        let Ok(kind) = o.u8(i) else { break };
        ctx.uint(&OPTION_KIND, o, i, 1, kind as u64);
        if kind == 0 {
            break;
        }
        if kind == 1 {
            i += 1;
            continue;
        }
        let len = o.u8(i + 1).unwrap_or(0) as usize;
        ctx.uint(&OPTION_LEN, o, i + 1, 1, len as u64);
        if len < 2 || !o.has(i, len) {
            // A bad option length ends option parsing, as in Wireshark.
            break;
        }
        option(ctx, o, i, kind, len, ack_base);
        i += len;
    }
    ctx.tree.leave();
}

fn option<'a>(ctx: &mut Ctx<'a, '_>, o: &Buf<'a>, i: usize, kind: u8, len: usize, ack_base: u32) {
    match (kind, len) {
        (2, 4) => {
            let v = o.be16(i + 2).unwrap_or(0);
            ctx.uint(&MSS_VAL, o, i + 2, 2, v as u64);
        }
        (3, 3) => {
            let shift = o.u8(i + 2).unwrap_or(0);
            let mult = 1u32 << shift.min(14);
            ctx.uint(&WS_SHIFT, o, i + 2, 1, shift as u64);
            ctx.uint(&WS_MULT, o, i + 2, 1, mult as u64);
        }
        (4, 2) => {
            ctx.add(&SACK_PERM, o, i, 2, Value::None);
        }
        (5, _) => {
            let n = (len - 2) / 8;
            ctx.uint(&SACK_COUNT, o, i, len, n as u64);
            for k in 0..n {
                let le = o.be32(i + 2 + k * 8).unwrap_or(0).wrapping_sub(ack_base);
                let re = o.be32(i + 6 + k * 8).unwrap_or(0).wrapping_sub(ack_base);
                ctx.uint(&SACK_LE, o, i + 2 + k * 8, 4, le as u64);
                ctx.uint(&SACK_RE, o, i + 6 + k * 8, 4, re as u64);
            }
        }
        (8, 10) => {
            let (v, e) = (o.be32(i + 2).unwrap_or(0), o.be32(i + 6).unwrap_or(0));
            ctx.uint(&TSVAL, o, i + 2, 4, v as u64);
            ctx.uint(&TSECR, o, i + 6, 4, e as u64);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options_info(o: &[u8], ack_base: u32) -> String {
        let mut s = String::new();
        write_options_info(&mut s, o, ack_base);
        s
    }

    #[test]
    fn options_info_as_tshark_writes_it() {
        // MSS 1460, NOP, WS shift 7, SACK permitted, timestamps 1/2.
        let o = [2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
        assert_eq!(options_info(&o, 0), " MSS=1460 WS=128 SACK_PERM TSval=1 TSecr=2");
        // SACK edges are shown relative to the peer's initial sequence number.
        let sack = [1, 1, 5, 10, 0, 0, 0x03, 0xe9, 0, 0, 0x07, 0xd1];
        assert_eq!(options_info(&sack, 1000), " SLE=1 SRE=1001");
    }

    #[test]
    fn options_info_stops_at_a_bad_length() {
        // A length of 1, then a length running past the end: the walk ends
        // there, as the field walk does, and never reads out of bounds.
        assert_eq!(options_info(&[2, 4, 0, 100, 3, 1, 2, 4, 5], 0), " MSS=100");
        assert_eq!(options_info(&[2, 4, 0, 100, 8, 10, 0, 0], 0), " MSS=100");
        assert_eq!(options_info(&[2], 0), "");
        // End of options stops the walk; a shift over 14 is shown as 14.
        assert_eq!(options_info(&[3, 3, 20, 0, 2, 4, 0, 1], 0), " WS=16384");
    }
}

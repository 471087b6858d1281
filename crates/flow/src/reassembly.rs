//! TCP stream reassembly (RFC 9293 §3.4 sequence space): segments in, for
//! each direction ordered bytes with explicit gaps out.
//!
//! Offsets are 64-bit positions in a direction's byte stream, 0 being the
//! first byte after the SYN (or the first byte seen, for a connection caught
//! in the middle). A segment's place is its sequence number's signed 32-bit
//! distance from the next expected one, so wrap-around and retransmissions
//! of old data need no special case.
//!
//! Data that arrives ahead of a hole waits, up to [`Limits::max_buffer`]
//! bytes per direction, and up to a [`Budget`] shared by many connections
//! (the global cap); past either the hole is given up as an [`Event::Gap`]
//! and delivery goes on: memory never grows past the caps. Retransmitted and overlapping bytes are delivered
//! once: the first copy to arrive wins, as in Wireshark's and Suricata's
//! default policy.

use std::collections::BTreeMap;

/// Caps that bound a connection's memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Out-of-order bytes held per direction before the hole before them
    /// is declared a gap.
    pub max_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_buffer: 1 << 20 }
    }
}

/// Out-of-order bytes that many connections hold together: the global cap.
/// A connection whose segment would take the total past `max` gives up its
/// own holes instead (gaps), so the total never grows past it.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    max: usize,
    used: usize,
}

impl Budget {
    /// A budget of `max` bytes, none used.
    pub fn new(max: usize) -> Budget {
        Budget { max, used: 0 }
    }

    /// Bytes held out of order by every connection fed with this budget.
    pub fn used(&self) -> usize {
        self.used
    }
}

/// One TCP segment, as much as reassembly needs of it.
#[derive(Debug, Clone, Copy)]
pub struct Segment<'a> {
    /// Sequence number.
    pub seq: u32,
    /// SYN flag: the sequence number is the initial one and data starts after it.
    pub syn: bool,
    /// FIN flag: the stream ends after this segment's data.
    pub fin: bool,
    /// RST flag.
    pub rst: bool,
    /// The segment's data.
    pub payload: &'a [u8],
}

/// What reassembly produces, in order, per direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// In-order bytes starting at `offset`.
    Data {
        /// Direction: 0 is the sender of the first segment seen.
        dir: usize,
        /// Stream offset of the first byte.
        offset: u64,
        /// The bytes.
        bytes: &'a [u8],
    },
    /// `len` bytes at `offset` that will never be delivered (lost, or given
    /// up to respect the buffer cap).
    Gap {
        /// Direction.
        dir: usize,
        /// Stream offset of the first missing byte.
        offset: u64,
        /// How many bytes are missing.
        len: u64,
    },
    /// The sender finished: every byte before `offset` has been delivered or
    /// reported as a gap.
    Fin {
        /// Direction.
        dir: usize,
        /// Stream offset of the end.
        offset: u64,
    },
    /// The sender reset the connection.
    Reset {
        /// Direction.
        dir: usize,
    },
}

/// One direction of a connection.
#[derive(Debug, Default)]
struct Half {
    /// Sequence number of stream offset 0.
    base: Option<u32>,
    /// Next stream offset to deliver.
    next: u64,
    /// Segments waiting for the bytes before them, by stream offset.
    pending: BTreeMap<u64, Vec<u8>>,
    buffered: usize,
    fin_at: Option<u64>,
    fin_sent: bool,
}

impl Half {
    /// Stream offset of sequence number `seq` (`None` before the stream's start).
    fn offset(&self, seq: u32) -> Option<u64> {
        let base = self.base?;
        let expected = base.wrapping_add(self.next as u32);
        let distance = seq.wrapping_sub(expected) as i32 as i64;
        u64::try_from(self.next as i64 + distance).ok()
    }

    /// Deliver what is now in order: waiting segments that start at or
    /// before `next`, trimmed of bytes already delivered.
    fn drain(&mut self, dir: usize, out: &mut dyn FnMut(Event<'_>)) {
        while let Some(entry) = self.pending.first_entry() {
            let at = *entry.key();
            if at > self.next {
                break;
            }
            let bytes = entry.remove();
            self.buffered -= bytes.len();
            let end = at + bytes.len() as u64;
            if end > self.next {
                let skip = (self.next - at) as usize;
                out(Event::Data { dir, offset: self.next, bytes: &bytes[skip..] });
                self.next = end;
            }
        }
    }

    /// Give up the hole before the first waiting segment.
    fn skip_hole(&mut self, dir: usize, out: &mut dyn FnMut(Event<'_>)) {
        if let Some((&at, _)) = self.pending.first_key_value() {
            if at > self.next {
                out(Event::Gap { dir, offset: self.next, len: at - self.next });
                self.next = at;
            }
            self.drain(dir, out);
        }
    }

    fn fin_if_done(&mut self, dir: usize, out: &mut dyn FnMut(Event<'_>)) {
        if let Some(at) = self.fin_at {
            if !self.fin_sent && self.next >= at {
                self.fin_sent = true;
                out(Event::Fin { dir, offset: at });
            }
        }
    }
}

/// One TCP connection's reassembly state.
#[derive(Debug, Default)]
pub struct Stream {
    halves: [Half; 2],
    limits: Limits,
}

impl Stream {
    /// A connection with these caps.
    pub fn new(limits: Limits) -> Stream {
        Stream { halves: Default::default(), limits }
    }

    /// Bytes held out of order, both directions.
    pub fn buffered(&self) -> usize {
        self.halves.iter().map(|h| h.buffered).sum()
    }

    /// Feed a segment sent in direction `dir` (0 or 1); events go to `out`.
    pub fn segment(&mut self, dir: usize, seg: &Segment<'_>, out: &mut dyn FnMut(Event<'_>)) {
        let dir = dir.min(1);
        if seg.rst {
            out(Event::Reset { dir });
            return;
        }
        let max = self.limits.max_buffer;
        let h = &mut self.halves[dir];
        if seg.syn {
            // Data (rare, TCP Fast Open) starts one after the initial sequence number.
            if h.base.is_none() || h.next == 0 {
                h.base = Some(seg.seq.wrapping_add(1));
            }
        } else if h.base.is_none() {
            // Caught in the middle: the first byte seen is offset 0.
            h.base = Some(seg.seq);
        }
        let data_seq = if seg.syn { seg.seq.wrapping_add(1) } else { seg.seq };
        let Some(at) = h.offset(data_seq) else { return };
        let end = at + seg.payload.len() as u64;
        if seg.fin && h.fin_at.is_none() {
            h.fin_at = Some(end);
        }
        if end > h.next && !seg.payload.is_empty() {
            if at <= h.next {
                let skip = (h.next - at) as usize;
                out(Event::Data { dir, offset: h.next, bytes: &seg.payload[skip..] });
                h.next = end;
                h.drain(dir, out);
            } else {
                let keep = match h.pending.get(&at) {
                    Some(old) => old.len() < seg.payload.len(),
                    None => true,
                };
                if keep {
                    if let Some(old) = h.pending.insert(at, seg.payload.to_vec()) {
                        h.buffered -= old.len();
                    }
                    h.buffered += seg.payload.len();
                }
                while h.buffered > max {
                    h.skip_hole(dir, out);
                }
            }
        }
        h.fin_if_done(dir, out);
    }

    /// [`Stream::segment`] under a budget shared with other connections: what
    /// this segment would hold beyond the budget is given up as gaps of this
    /// direction (the other connections' bytes wait undisturbed).
    pub fn segment_shared(&mut self, dir: usize, seg: &Segment<'_>, budget: &mut Budget, out: &mut dyn FnMut(Event<'_>)) {
        let before = self.buffered();
        // What the other connections hold.
        let others = budget.used.saturating_sub(before);
        self.segment(dir, seg, out);
        let dir = dir.min(1);
        let room = budget.max.saturating_sub(others + self.halves[1 - dir].buffered);
        let h = &mut self.halves[dir];
        while h.buffered > room && !h.pending.is_empty() {
            h.skip_hole(dir, out);
        }
        h.fin_if_done(dir, out);
        budget.used = others + self.buffered();
    }

    /// [`Stream::finish`], returning what the connection held to the budget.
    pub fn finish_shared(&mut self, budget: &mut Budget, out: &mut dyn FnMut(Event<'_>)) {
        let before = self.buffered();
        self.finish(out);
        budget.used = budget.used.saturating_sub(before);
    }

    /// The capture ended (or the connection is evicted): give up every hole
    /// and deliver what waits behind them.
    pub fn finish(&mut self, out: &mut dyn FnMut(Event<'_>)) {
        for (dir, h) in self.halves.iter_mut().enumerate() {
            while !h.pending.is_empty() {
                h.skip_hole(dir, out);
            }
            h.fin_if_done(dir, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(seq: u32, payload: &[u8]) -> Segment<'_> {
        Segment { seq, syn: false, fin: false, rst: false, payload }
    }

    fn collect(s: &mut Stream, segs: &[(usize, Segment<'_>)]) -> Vec<String> {
        let mut log = Vec::new();
        for (d, g) in segs {
            s.segment(*d, g, &mut |e| log.push(describe(&e)));
        }
        s.finish(&mut |e| log.push(describe(&e)));
        log
    }

    fn describe(e: &Event<'_>) -> String {
        match e {
            Event::Data { dir, offset, bytes } => format!("{dir}:{offset}:{}", String::from_utf8_lossy(bytes)),
            Event::Gap { dir, offset, len } => format!("{dir}:gap@{offset}+{len}"),
            Event::Fin { dir, offset } => format!("{dir}:fin@{offset}"),
            Event::Reset { dir } => format!("{dir}:rst"),
        }
    }

    #[test]
    fn syn_data_fin_in_order_and_wrapping() {
        let mut s = Stream::default();
        let isn = u32::MAX - 2;
        let log = collect(
            &mut s,
            &[
                (0, Segment { seq: isn, syn: true, fin: false, rst: false, payload: b"" }),
                (0, seg(isn.wrapping_add(1), b"GET ")),
                (0, Segment { seq: isn.wrapping_add(5), syn: false, fin: true, rst: false, payload: b"/x" }),
            ],
        );
        assert_eq!(log, ["0:0:GET ", "0:4:/x", "0:fin@6"]);
    }

    #[test]
    fn out_of_order_retransmitted_and_overlapping() {
        let mut s = Stream::default();
        let log = collect(&mut s, &[(0, seg(100, b"ab")), (0, seg(104, b"ef")), (0, seg(101, b"bcd")), (0, seg(100, b"abcdefg"))]);
        assert_eq!(log, ["0:0:ab", "0:2:cd", "0:4:ef", "0:6:g"]);
    }

    #[test]
    fn a_hole_beyond_the_cap_becomes_a_gap() {
        let mut s = Stream::new(Limits { max_buffer: 4 });
        let log = collect(&mut s, &[(1, seg(0, b"a")), (1, seg(3, b"de")), (1, seg(5, b"fgh"))]);
        assert_eq!(log, ["1:0:a", "1:gap@1+2", "1:3:de", "1:5:fgh"]);
        assert_eq!(s.buffered(), 0);
    }

    #[test]
    fn a_shared_budget_makes_the_connection_that_would_exceed_it_give_up_its_hole() {
        let mut budget = Budget::new(6);
        let (mut a, mut b) = (Stream::default(), Stream::default());
        let mut log = Vec::new();
        let mut feed = |s: &mut Stream, budget: &mut Budget, g: Segment<'_>| s.segment_shared(0, &g, budget, &mut |e| log.push(describe(&e)));
        feed(&mut a, &mut budget, seg(0, b"a"));
        feed(&mut a, &mut budget, seg(3, b"defgh"));
        assert_eq!(budget.used(), 5);
        feed(&mut b, &mut budget, seg(0, b"x"));
        // Three more out-of-order bytes would make 8: b gives up its hole.
        feed(&mut b, &mut budget, seg(4, b"zzz"));
        assert_eq!(budget.used(), 5);
        a.finish_shared(&mut budget, &mut |e| log.push(describe(&e)));
        assert_eq!(budget.used(), 0);
        assert_eq!(log, ["0:0:a", "0:0:x", "0:gap@1+3", "0:4:zzz", "0:gap@1+2", "0:3:defgh"]);
    }

    #[test]
    fn the_end_of_the_capture_reports_holes_and_resets_pass_through() {
        let mut s = Stream::default();
        let log = collect(&mut s, &[(0, seg(10, b"a")), (0, seg(15, b"z")), (1, Segment { seq: 7, syn: false, fin: false, rst: true, payload: b"" })]);
        assert_eq!(log, ["0:0:a", "1:rst", "0:gap@1+4", "0:5:z"]);
    }
}

//! TCP stream reassembly (crates/flow) under any sequence of segments: each
//! 6-byte record is a segment (direction, flags, connection, a 16-bit offset
//! from the initial sequence number, a length). Two connections share one
//! global budget while each keeps its own per-direction cap. Checks the
//! invariants the property tests check, on hostile orders: delivered data and
//! gaps tile each direction from 0 without overlap, data equals the stream's
//! bytes, and the connections together never hold more than the budget.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_flow::{Budget, Event, Limits, Segment, Stream};

/// The next offset each direction of one connection must deliver.
struct Checker<'s> {
    stream: &'s [u8],
    next: [u64; 2],
}

impl Checker<'_> {
    fn event(&mut self, e: Event<'_>) {
        match e {
            Event::Data { dir, offset, bytes } => {
                assert_eq!(offset, self.next[dir], "data follows what came before");
                assert_eq!(bytes, &self.stream[offset as usize..offset as usize + bytes.len()]);
                self.next[dir] += bytes.len() as u64;
            }
            Event::Gap { dir, offset, len } => {
                assert_eq!(offset, self.next[dir], "a gap follows what came before");
                assert!(len > 0);
                self.next[dir] += len;
            }
            Event::Fin { .. } | Event::Reset { .. } => {}
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&cap, rest)) = data.split_first() else { return };
    let stream: Vec<u8> = (0..70_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let isn = [0xffff_ff00u32, 12345];
    let limits = Limits { max_buffer: 1 + cap as usize * 97 };
    let mut budget = Budget::new(budget_max(cap));
    let mut conns = [Stream::new(limits), Stream::new(limits)];
    let mut checks = [Checker { stream: &stream, next: [0; 2] }, Checker { stream: &stream, next: [0; 2] }];
    for (c, s) in conns.iter_mut().enumerate() {
        for dir in 0..2 {
            let syn = Segment { seq: isn[dir], syn: true, fin: false, rst: false, payload: b"" };
            s.segment_shared(dir, &syn, &mut budget, &mut |e| checks[c].event(e));
        }
    }
    for rec in rest.chunks_exact(6) {
        let dir = (rec[0] & 1) as usize;
        let c = ((rec[0] >> 3) & 1) as usize;
        let at = u16::from_be_bytes([rec[1], rec[2]]) as usize;
        let len = (u16::from_be_bytes([rec[3], rec[4]]) as usize % 3000).min(stream.len() - at.min(stream.len()));
        let at = at.min(stream.len());
        let seg = Segment {
            seq: isn[dir].wrapping_add(1).wrapping_add(at as u32),
            syn: false,
            fin: rec[0] & 2 != 0,
            rst: rec[0] & 4 != 0 && rec[5] == 0,
            payload: &stream[at..at + len],
        };
        conns[c].segment_shared(dir, &seg, &mut budget, &mut |e| checks[c].event(e));
        assert!(budget.used() <= budget_max(cap), "the connections hold more than the budget");
        assert_eq!(budget.used(), conns[0].buffered() + conns[1].buffered());
    }
    for (c, s) in conns.iter_mut().enumerate() {
        s.finish_shared(&mut budget, &mut |e| checks[c].event(e));
    }
    assert_eq!(budget.used(), 0);
});

fn budget_max(cap: u8) -> usize {
    1 + cap as usize * 53
}

//! TCP stream reassembly (crates/flow) under any sequence of segments: each
//! 6-byte record is a segment (direction, flags, a 16-bit offset from the
//! initial sequence number, a length, a cap choice). Checks the invariants
//! the property test checks, on hostile orders: delivered data and gaps tile
//! each direction from 0 without overlap, and data equals the stream's bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_flow::{Event, Limits, Segment, Stream};

fuzz_target!(|data: &[u8]| {
    let Some((&cap, rest)) = data.split_first() else { return };
    let stream: Vec<u8> = (0..70_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let isn = [0xffff_ff00u32, 12345];
    let mut s = Stream::new(Limits { max_buffer: 1 + cap as usize * 97 });
    let mut next = [0u64; 2];
    let mut check = |e: Event<'_>| match e {
        Event::Data { dir, offset, bytes } => {
            assert_eq!(offset, next[dir], "data follows what came before");
            assert_eq!(bytes, &stream[offset as usize..offset as usize + bytes.len()]);
            next[dir] += bytes.len() as u64;
        }
        Event::Gap { dir, offset, len } => {
            assert_eq!(offset, next[dir], "a gap follows what came before");
            assert!(len > 0);
            next[dir] += len;
        }
        Event::Fin { .. } | Event::Reset { .. } => {}
    };
    for dir in 0..2 {
        s.segment(dir, &Segment { seq: isn[dir], syn: true, fin: false, rst: false, payload: b"" }, &mut check);
    }
    for rec in rest.chunks_exact(6) {
        let dir = (rec[0] & 1) as usize;
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
        s.segment(dir, &seg, &mut check);
    }
    s.finish(&mut check);
});

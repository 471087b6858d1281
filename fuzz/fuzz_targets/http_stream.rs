//! A TCP connection on port 80 whose segments come from the input: each
//! segment is a header byte (bit 7: from the server, bit 6: FIN, bits 0-5:
//! how many of the next bytes it carries, times 23) and its payload, with
//! sequence numbers that follow each other (bit 5 of the header byte makes a
//! segment skip ahead, leaving a gap). Exercises HTTP's reassembly across
//! segments: lengths, chunks, until-FIN bodies, pipelining, gaps.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_core::{FrameMeta, LinkType, Timestamp, Want};
use wirecrab_dissect::{Dissector, Options};

fn segment(server: bool, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let (src, dst, sp, dp) = if server { ([10, 0, 0, 2], [10, 0, 0, 1], 80u16, 40000u16) } else { ([10, 0, 0, 1], [10, 0, 0, 2], 40000, 80) };
    let total = 40 + payload.len();
    let mut f = vec![0x45, 0, (total >> 8) as u8, total as u8, 0, 1, 0x40, 0, 64, 6, 0, 0];
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&sp.to_be_bytes());
    f.extend_from_slice(&dp.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

fuzz_target!(|data: &[u8]| {
    for want in [Want::All, Want::Nothing] {
        let mut d = Dissector::new(Options { want: want.clone(), columns: true, protocols: true });
        let mut next = [1000u32, 9000u32];
        let mut frames = vec![segment(false, 999, 0, 0x02, b""), segment(true, 8999, 1000, 0x12, b"")];
        let mut i = 0;
        while i < data.len() && frames.len() < 256 {
            let h = data[i];
            i += 1;
            let n = ((h & 0x1f) as usize * 23).min(data.len() - i);
            let server = h & 0x80 != 0;
            let side = server as usize;
            if h & 0x20 != 0 {
                next[side] = next[side].wrapping_add(100);
            }
            let flags = 0x18 | if h & 0x40 != 0 { 0x01 } else { 0 };
            frames.push(segment(server, next[side], next[1 - side], flags, &data[i..i + n]));
            next[side] = next[side].wrapping_add(n as u32);
            i += n;
        }
        for (k, f) in frames.iter().enumerate() {
            let meta = FrameMeta {
                number: k as u64 + 1,
                ts: Timestamp::new(1_700_000_000 + k as i64, 0),
                has_ts: true,
                orig_len: f.len() as u32,
                cap_len: f.len() as u32,
                link_type: LinkType::RAW,
                ..Default::default()
            };
            let _ = d.dissect(&meta, f);
        }
    }
});

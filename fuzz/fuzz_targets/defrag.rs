//! IPv4 and IPv6 fragments whose offsets, lengths, identifications and
//! more-fragments flags come from the input: overlaps, duplicates, holes,
//! fragments past 64 KiB, a last fragment before the first. Each record is
//! 5 bytes (bit 7 of the first: IPv6; bit 6: more fragments; bits 0-1: the
//! identification; then the offset in 8-byte units, big-endian, and a
//! length byte times 8) followed by that many payload bytes. The datagram
//! inside is UDP to port 53 or 4789, so reassembled data goes on to DNS
//! or VXLAN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_core::{FrameMeta, LinkType, Timestamp, Want};
use wirecrab_dissect::{Dissector, Options};

fn v4(id: u16, offset: u16, more: bool, payload: &[u8]) -> Vec<u8> {
    let total = 20 + payload.len();
    let frag = (offset & 0x1fff) | if more { 0x2000 } else { 0 };
    let mut f = vec![0x45, 0, (total >> 8) as u8, total as u8];
    f.extend_from_slice(&id.to_be_bytes());
    f.extend_from_slice(&frag.to_be_bytes());
    f.extend_from_slice(&[64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    f.extend_from_slice(payload);
    f
}

fn v6(id: u32, offset: u16, more: bool, payload: &[u8]) -> Vec<u8> {
    let plen = 8 + payload.len();
    let mut f = vec![0x60, 0, 0, 0, (plen >> 8) as u8, plen as u8, 44, 64];
    f.extend_from_slice(&[0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    f.extend_from_slice(&[0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    let frag = ((offset & 0x1fff) << 3) | more as u16;
    f.extend_from_slice(&[17, 0]);
    f.extend_from_slice(&frag.to_be_bytes());
    f.extend_from_slice(&id.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fuzz_target!(|data: &[u8]| {
    let mut frames = Vec::new();
    let mut i = 0;
    while i + 5 <= data.len() && frames.len() < 512 {
        let (h, offset, len) = (data[i], u16::from_be_bytes([data[i + 3], data[i + 4]]), data[i + 2] as usize * 8);
        let dport = if data[i + 1] & 1 == 0 { 53u16 } else { 4789 };
        i += 5;
        let n = len.min(data.len() - i);
        let mut payload = data[i..i + n].to_vec();
        i += n;
        if offset == 0 && payload.len() >= 8 {
            // A UDP header the first fragment may or may not get right.
            payload[2..4].copy_from_slice(&dport.to_be_bytes());
        }
        let (id, more) = ((h & 3) as u16, h & 0x40 != 0);
        frames.push(if h & 0x80 != 0 { v6(id as u32, offset, more, &payload) } else { v4(id, offset, more, &payload) });
    }
    for want in [Want::All, Want::Nothing] {
        let mut d = Dissector::new(Options { want: want.clone(), columns: true, protocols: true });
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
            let out = d.dissect(&meta, f);
            // Every frame is an IP packet whatever its fragments did.
            assert!(out.layers.first().is_some_and(|l| *l == "ip" || *l == "ipv6" || *l == "raw"), "{:?}", out.layers);
        }
    }
});

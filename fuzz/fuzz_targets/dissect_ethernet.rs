//! A stream of Ethernet frames (length-prefixed) through one dissector, so
//! state built by earlier frames (TCP streams, fragments, DNS requests) meets
//! hostile later ones.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_core::{FrameMeta, LinkType, Want};
use wirecrab_dissect::{Dissector, Options};

fuzz_target!(|data: &[u8]| {
    let mut d = Dissector::new(Options { want: Want::All, columns: true, protocols: true });
    let mut rest = data;
    let mut n = 0;
    while rest.len() >= 2 && n < 64 {
        let len = u16::from_le_bytes([rest[0], rest[1]]) as usize % 2048;
        rest = &rest[2..];
        let take = len.min(rest.len());
        let (frame, tail) = rest.split_at(take);
        rest = tail;
        n += 1;
        let meta = FrameMeta {
            number: n,
            has_ts: true,
            orig_len: frame.len() as u32,
            cap_len: frame.len() as u32,
            link_type: LinkType::ETHERNET,
            ..Default::default()
        };
        let _ = d.dissect(&meta, frame);
    }
});

//! Any bytes through the dissection engine from every supported link type
//! (the first byte picks it), in all three modes, with every sink.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_core::{FrameMeta, LinkType, Timestamp, Want};
use wirecrab_dissect::{Dissector, Options};
use wirecrab_output::{write_ek, write_hex_dump, write_tree, FrameView, SummarySink, TimeCache, TimeFormat};

const LINKS: [u32; 11] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, bytes)) = data.split_first() else { return };
    let link = LinkType(LINKS[sel as usize % LINKS.len()]);
    // Sometimes claim more bytes on the wire than were captured (snaplen).
    let orig = bytes.len() as u32 + if sel & 0x80 != 0 { 100 } else { 0 };
    let meta = FrameMeta {
        number: 1,
        ts: Timestamp::new(1_700_000_000, 0),
        has_ts: true,
        orig_len: orig,
        cap_len: bytes.len() as u32,
        link_type: link,
        ts_digits: 6,
        ..Default::default()
    };
    for want in [Want::All, Want::Nothing] {
        let mut d = Dissector::new(Options { want, columns: true, protocols: true });
        // Twice, so cross-frame state (TCP streams, DNS matching, defragmentation) is exercised.
        for n in 1..=2 {
            let meta = FrameMeta { number: n, ..meta.clone() };
            let r = d.dissect(&meta, bytes);
            let view = FrameView { meta: &meta, data: bytes, d: &r, first_ts: meta.ts, prev_ts: meta.ts, prev_displayed_ts: meta.ts };
            let mut out = String::new();
            let mut tz = TimeCache::default();
            SummarySink::new(TimeFormat::Relative).frame(&mut out, &view);
            write_tree(&mut out, &view, None, &mut tz);
            write_ek(&mut out, &view, &mut tz);
            write_hex_dump(&mut out, bytes);
        }
    }
});

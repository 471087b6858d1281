//! Any text as a display filter: parse, type-check against the real field
//! registry and, when it compiles, evaluate it on a small dissected frame.
//! Errors are fine; panics, stack overflows and runaway memory are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wirecrab_core::{FieldDef, FrameMeta, LinkType, Want};
use wirecrab_dissect::{Dissector, Options, Registry};
use wirecrab_filter::{Filter, Frame, Schema};

struct R;
impl Schema for R {
    fn field(&self, name: &str) -> Option<&'static FieldDef> {
        Registry::get().field(name)
    }
    fn suggest(&self, name: &str) -> Option<&'static str> {
        Registry::get().suggest(name)
    }
}

/// Ethernet / IPv4 / UDP 53 / DNS query for www.example.com.
const FRAME: &[u8] = b"\xff\xff\xff\xff\xff\xff\x00\x11\x22\x33\x44\x55\x08\x00\x45\x00\x00\x3d\x00\x01\x00\x00\x40\x11\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02\xc3\x50\x00\x35\x00\x29\x00\x00\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x03com\x00\x00\x01\x00\x01";

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(f) = Filter::new(src, &R) {
        let mut d = Dissector::new(Options { want: Want::All, columns: false, protocols: true });
        let meta = FrameMeta { number: 1, has_ts: true, orig_len: FRAME.len() as u32, cap_len: FRAME.len() as u32, link_type: LinkType::ETHERNET, ..Default::default() };
        let r = d.dissect(&meta, FRAME);
        let _ = f.matches(&Frame { tree: r.tree, data: FRAME });
    }
});

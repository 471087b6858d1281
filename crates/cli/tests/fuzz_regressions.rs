//! Replays every input kept in fuzz/regressions/TARGET/ through the code path
//! its fuzz target exercises: crashers found once stay fixed.

use std::path::PathBuf;

use wirecrab_capture::FileReader;
use wirecrab_core::{FrameMeta, LinkType, Want};
use wirecrab_dissect::{Dissector, Options};

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions").join(target);
    let Ok(rd) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut v: Vec<(PathBuf, Vec<u8>)> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')))
        .map(|p| {
            let b = std::fs::read(&p).expect("readable regression input");
            (p, b)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn file_reader_regressions() {
    for (_, data) in inputs("file_reader") {
        if let Ok(mut r) = FileReader::new(Box::new(std::io::Cursor::new(data))) {
            while let Ok(Some(_)) = r.next_frame() {}
        }
    }
}

#[test]
fn dissect_link_regressions() {
    const LINKS: [u32; 11] = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147];
    for (_, data) in inputs("dissect_link") {
        let Some((&sel, bytes)) = data.split_first() else { continue };
        let meta = FrameMeta {
            number: 1,
            has_ts: true,
            orig_len: bytes.len() as u32 + if sel & 0x80 != 0 { 100 } else { 0 },
            cap_len: bytes.len() as u32,
            link_type: LinkType(LINKS[sel as usize % LINKS.len()]),
            ..Default::default()
        };
        for want in [Want::All, Want::Nothing] {
            let mut d = Dissector::new(Options { want, columns: true, protocols: true });
            let _ = d.dissect(&meta, bytes);
        }
    }
}

#[test]
fn dissect_ethernet_regressions() {
    for (_, data) in inputs("dissect_ethernet") {
        let mut d = Dissector::new(Options { want: Want::All, columns: true, protocols: true });
        let mut rest = data.as_slice();
        let mut n = 0;
        while rest.len() >= 2 && n < 64 {
            let len = u16::from_le_bytes([rest[0], rest[1]]) as usize % 2048;
            rest = &rest[2..];
            let (frame, tail) = rest.split_at(len.min(rest.len()));
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
    }
}

struct RegistrySchema;

impl wirecrab_filter::Schema for RegistrySchema {
    fn field(&self, name: &str) -> Option<&'static wirecrab_core::FieldDef> {
        wirecrab_dissect::Registry::get().field(name)
    }
    fn suggest(&self, name: &str) -> Option<&'static str> {
        wirecrab_dissect::Registry::get().suggest(name)
    }
}

#[test]
fn filter_regressions() {
    for (path, data) in inputs("filter") {
        let Ok(src) = std::str::from_utf8(&data) else { continue };
        // Either outcome is fine; reaching here without a panic is the point,
        // and the kept inputs are all invalid filters.
        assert!(wirecrab_filter::Filter::new(src, &RegistrySchema).is_err(), "{} compiled", path.display());
    }
}

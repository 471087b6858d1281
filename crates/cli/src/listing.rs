//! `wirecrab fields` and `wirecrab protocols`.

use std::fmt::Write;

use wirecrab_core::{Base, FieldType};
use wirecrab_dissect::Registry;

/// Every protocol then its fields, in `tshark -G fields` layout.
pub fn fields() -> String {
    let reg = Registry::get();
    let mut out = String::new();
    for f in &reg.fields {
        if f.ty == FieldType::Protocol {
            let _ = writeln!(out, "P\t{}\t{}", f.name, f.abbrev);
            continue;
        }
        let base = match (f.ty, f.base) {
            (FieldType::Bool, _) if f.bits != 0 => f.bits.to_string(),
            (FieldType::Bool, _) if f.mask != 0 => ((64 - f.mask.leading_zeros()).div_ceil(8) * 8).to_string(),
            (FieldType::Bool, _) => "0".to_string(),
            (_, Base::None) => String::new(),
            (_, b) => b.wireshark_name().to_string(),
        };
        let _ = writeln!(out, "F\t{}\t{}\t{}\t{}\t{}\t0x{:x}\t", f.name, f.abbrev, f.ty.wireshark_name(), f.protocol(), base, f.mask);
    }
    out
}

/// Every protocol: long name, short name, filter name.
pub fn protocols() -> String {
    let mut out = String::new();
    for p in &Registry::get().protocols {
        let _ = writeln!(out, "{}\t{}\t{}", p.name(), p.short, p.abbrev());
    }
    out
}

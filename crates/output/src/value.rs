//! Field values as text: the `-T fields` form and the detail-tree form.

use wirecrab_core::{Base, FieldDef, FieldType, Node, Value};
use wirecrab_dissect::names::{write_hex, write_hex_bytes, write_mac, write_u64, write_v4};

use crate::time::{utc, write_abs, write_epoch, write_rel, TimeCache};

fn node_bytes<'a>(n: &Node, frame: &'a [u8]) -> &'a [u8] {
    let s = n.start as usize;
    let e = s.saturating_add(n.len as usize).min(frame.len());
    frame.get(s.min(e)..e).unwrap_or(&[])
}

fn write_int(out: &mut String, f: &FieldDef, v: u64, signed: Option<i64>) {
    match (f.base, signed) {
        (Base::Hex | Base::HexDec, _) => write_hex(out, v, f.ty.hex_width()),
        (Base::Oct, _) => out.push_str(&format!("0{v:o}")),
        (_, Some(i)) => out.push_str(&i.to_string()),
        _ => write_u64(out, v),
    }
}

/// Append a value as `tshark -T fields` prints it.
pub fn write_value(out: &mut String, n: &Node, frame: &[u8], tz: &mut TimeCache) {
    let f = n.field;
    match &n.value {
        // tshark prints a valueless item as its bytes, or "1" when it has none.
        Value::None if n.len > 0 && f.ty != FieldType::Protocol => write_hex_bytes(out, node_bytes(n, frame), None),
        Value::None if f.ty != FieldType::Protocol => out.push('1'),
        Value::None => {}
        Value::Bool(b) => out.push(if *b { '1' } else { '0' }),
        Value::U(v) => write_int(out, f, *v, None),
        Value::I(v) => write_int(out, f, *v as u64, Some(*v)),
        Value::F(x) => out.push_str(&format_double(*x)),
        Value::Ether(m) => write_mac(out, m),
        Value::V4(a) => write_v4(out, a),
        Value::V6(a) => out.push_str(&std::net::Ipv6Addr::from(*a).to_string()),
        Value::Bytes => write_hex_bytes(out, node_bytes(n, frame), None),
        Value::OwnedBytes(b) => write_hex_bytes(out, b, None),
        Value::Str => write_text(out, node_bytes(n, frame)),
        Value::OwnedStr(s) => out.push_str(s),
        Value::Time(ts) => {
            if f.abbrev.ends_with("time_epoch") {
                write_epoch(out, *ts, 9);
            } else if f.abbrev.ends_with("_utc") {
                write_abs(out, &utc(ts.secs), ts.nanos, "UTC");
            } else {
                let (tm, zone) = tz.local(ts.secs);
                let zone = zone.to_string();
                write_abs(out, &tm, ts.nanos, &zone);
            }
        }
        Value::RelTime(ns) => write_rel(out, *ns as i128, 9),
    }
}

/// The shortest text that reads back as `x` (tshark prints doubles with %g;
/// dissectors round to the digits Wireshark keeps).
fn format_double(x: f64) -> String {
    format!("{x}")
}

/// Text bytes as tshark shows them: printable ASCII and valid UTF-8 as is,
/// control bytes and invalid sequences as `\xNN` escapes.
pub fn write_text(out: &mut String, b: &[u8]) {
    match std::str::from_utf8(b) {
        Ok(s) if !s.bytes().any(|c| c < 0x20 || c == 0x7f) => out.push_str(s),
        _ => {
            for chunk in b.utf8_chunks() {
                for c in chunk.valid().chars() {
                    match c {
                        '\r' => out.push_str("\\r"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
                        c => out.push(c),
                    }
                }
                for x in chunk.invalid() {
                    out.push_str(&format!("\\x{x:02x}"));
                }
            }
        }
    }
}

fn type_bits(t: FieldType) -> u32 {
    match t {
        FieldType::U8 => 8,
        FieldType::U16 => 16,
        FieldType::U24 => 24,
        FieldType::U32 | FieldType::I32 => 32,
        _ => 64,
    }
}

/// The `.... ..1. .... = ` prefix Wireshark puts before a masked field.
fn write_bitfield(out: &mut String, f: &FieldDef, v: u64) {
    let bits = match f.ty {
        FieldType::Bool if f.bits != 0 => f.bits as u32,
        FieldType::Bool => (64 - f.mask.leading_zeros()).div_ceil(8) * 8,
        t => type_bits(t),
    };
    let shift = f.mask.trailing_zeros();
    let raw = v << shift;
    for i in (0..bits).rev() {
        let bit = 1u64 << i;
        out.push(if f.mask & bit == 0 { '.' } else if raw & bit != 0 { '1' } else { '0' });
        if i % 4 == 0 && i != 0 {
            out.push(' ');
        }
    }
    out.push_str(" = ");
}

/// Append `Name: value` as the detail tree (-V) shows a field.
pub fn write_value_display(out: &mut String, n: &Node, frame: &[u8], tz: &mut TimeCache) {
    let f = n.field;
    if f.mask != 0 {
        if let Some(v) = n.value.as_u64() {
            write_bitfield(out, f, v);
        }
    }
    out.push_str(f.name);
    if matches!(n.value, Value::None) {
        return;
    }
    out.push_str(": ");
    match &n.value {
        Value::Bool(b) => out.push_str(match f.names.lookup(*b as u64) {
            Some(s) => s,
            None if *b => {
                if f.mask != 0 { "Set" } else { "True" }
            }
            None => {
                if f.mask != 0 { "Not set" } else { "False" }
            }
        }),
        Value::U(v) => {
            let name = f.names.lookup(*v);
            if let Some(s) = name {
                out.push_str(s);
                out.push_str(" (");
            }
            match f.base {
                Base::DecHex => {
                    write_u64(out, *v);
                    out.push_str(" (");
                    write_hex(out, *v, f.ty.hex_width());
                    out.push(')');
                }
                Base::HexDec => {
                    write_hex(out, *v, f.ty.hex_width());
                    out.push_str(" (");
                    write_u64(out, *v);
                    out.push(')');
                }
                _ => write_value(out, n, frame, tz),
            }
            if name.is_some() {
                out.push(')');
            }
        }
        Value::I(v) if *v >= 0 && f.names.lookup(*v as u64).is_some() => {
            out.push_str(f.names.lookup(*v as u64).unwrap_or_default());
            out.push_str(&format!(" ({v})"));
        }
        // Long byte strings end in "…" after 36 bytes in a label, as Wireshark's do.
        Value::Bytes | Value::OwnedBytes(_) => {
            let bytes = match &n.value {
                Value::OwnedBytes(b) => &b[..],
                _ => node_bytes(n, frame),
            };
            if bytes.len() > 36 {
                write_hex_bytes(out, &bytes[..36], None);
                out.push('…');
            } else {
                write_hex_bytes(out, bytes, None);
            }
        }
        Value::RelTime(_) => {
            write_value(out, n, frame, tz);
            out.push_str(" seconds");
        }
        Value::Time(ts) if f.abbrev.ends_with("time_epoch") => {
            write_epoch(out, *ts, 9);
            out.push_str(" seconds");
        }
        _ => write_value(out, n, frame, tz),
    }
}

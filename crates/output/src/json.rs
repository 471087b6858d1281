//! `-T json` (an array of packets) and `-T ek` (one object per line, for
//! Elasticsearch bulk import), in tshark's shapes.

use wirecrab_core::{FieldType, Node, Value};

use crate::time::{utc, TimeCache};
use crate::value::write_value;
use crate::FrameView;

/// State across frames for `-T json` (the array brackets).
#[derive(Default)]
pub struct JsonState {
    /// Frames written so far.
    pub count: u64,
}

fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn index_name(v: &FrameView<'_>) -> String {
    let tm = utc(v.meta.ts.secs);
    format!("packets-{:04}-{:02}-{:02}", tm.year, tm.mon, tm.mday)
}

/// The JSON text of a node's value (bytes shown with colons, as tshark's JSON does).
fn value_text(n: &Node, data: &[u8], tz: &mut TimeCache) -> String {
    let mut s = String::new();
    match (&n.value, n.field.ty) {
        (Value::Bytes, _) => {
            let st = n.start as usize;
            let e = (st + n.len as usize).min(data.len());
            wirecrab_dissect::names::write_hex_bytes(&mut s, data.get(st.min(e)..e).unwrap_or(&[]), Some(':'));
        }
        (Value::None, FieldType::Protocol) | (Value::None, _) => {}
        _ => write_value(&mut s, n, data, tz),
    }
    s
}

#[allow(clippy::too_many_arguments)]
/// Write the children of `nodes[start]` (those deeper than `depth`) as object members.
fn members(out: &mut String, nodes: &[Node], mut i: usize, depth: u16, indent: usize, v: &FrameView<'_>, tz: &mut TimeCache, first: &mut bool) -> usize {
    while i < nodes.len() && nodes[i].depth >= depth {
        let n = &nodes[i];
        if n.field.hidden {
            // Hidden fields and their children stay out of JSON, as in tshark.
            i += 1;
            while i < nodes.len() && nodes[i].depth > n.depth {
                i += 1;
            }
            continue;
        }
        let has_children = nodes.get(i + 1).is_some_and(|c| c.depth > n.depth);
        let pad = " ".repeat(indent);
        let text_only = n.field.ty == FieldType::None;
        // A text-only item is keyed by its filter name when it has one (as
        // tshark does for `tcp.analysis`), by its label otherwise ("Queries").
        let key = if text_only && n.field.abbrev.is_empty() {
            v.d.tree.label(n).unwrap_or(n.field.name).to_string()
        } else {
            n.field.abbrev.to_string()
        };
        if !text_only || !has_children {
            if !*first {
                out.push_str(",\n");
            }
            *first = false;
            out.push_str(&pad);
            json_str(out, &key);
            out.push_str(": ");
            json_str(out, &value_text(n, v.data, tz));
        }
        i += 1;
        if has_children {
            if !*first {
                out.push_str(",\n");
            }
            *first = false;
            out.push_str(&pad);
            let tkey = if text_only { key } else { format!("{key}_tree") };
            json_str(out, &tkey);
            out.push_str(": {\n");
            let mut f2 = true;
            i = members(out, nodes, i, n.depth + 1, indent + 2, v, tz, &mut f2);
            out.push('\n');
            out.push_str(&pad);
            out.push('}');
        }
    }
    i
}

/// Append one packet of `-T json` (call [`json_end`] after the last).
pub fn write_json(out: &mut String, st: &mut JsonState, v: &FrameView<'_>, tz: &mut TimeCache) {
    out.push_str(if st.count == 0 { "[\n" } else { ",\n" });
    st.count += 1;
    out.push_str("  {\n    \"_index\": ");
    json_str(out, &index_name(v));
    out.push_str(",\n    \"_type\": \"doc\",\n    \"_score\": null,\n    \"_source\": {\n      \"layers\": {\n");
    let nodes = v.d.tree.nodes();
    let mut i = 0;
    let mut first_layer = true;
    while i < nodes.len() {
        let n = &nodes[i];
        if !first_layer {
            out.push_str(",\n");
        }
        first_layer = false;
        out.push_str("        ");
        json_str(out, n.field.abbrev);
        out.push_str(": {\n");
        let mut first = true;
        i = members(out, nodes, i + 1, n.depth + 1, 10, v, tz, &mut first);
        out.push_str("\n        }");
    }
    out.push_str("\n      }\n    }\n  }");
}

/// Close the `-T json` array.
pub fn json_end(out: &mut String, st: &JsonState) {
    out.push_str(if st.count == 0 { "[\n]\n" } else { "\n]\n" });
}

/// Append one packet of `-T ek`: the bulk index line and the document line.
pub fn write_ek(out: &mut String, v: &FrameView<'_>, tz: &mut TimeCache) {
    out.push_str("{\"index\":{\"_index\":");
    json_str(out, &index_name(v));
    out.push_str(",\"_type\":\"doc\"}}\n{\"timestamp\":\"");
    let ms = v.meta.ts.as_nanos() / 1_000_000;
    out.push_str(&ms.to_string());
    out.push_str("\",\"layers\":{");
    let nodes = v.d.tree.nodes();
    let mut first_layer = true;
    let mut i = 0;
    while i < nodes.len() {
        let top = &nodes[i];
        let proto = top.field.abbrev;
        if !first_layer {
            out.push(',');
        }
        first_layer = false;
        json_str(out, &proto.replace('.', "_"));
        out.push_str(":{");
        i += 1;
        // Group values of the same field into arrays, in first-seen order.
        let mut keys: Vec<(&str, Vec<String>)> = Vec::new();
        while i < nodes.len() && nodes[i].depth > top.depth {
            let n = &nodes[i];
            if n.field.ty != FieldType::None && n.field.ty != FieldType::Protocol {
                let val = value_text(n, v.data, tz);
                match keys.iter_mut().find(|(k, _)| *k == n.field.abbrev) {
                    Some((_, vals)) => vals.push(val),
                    None => keys.push((n.field.abbrev, vec![val])),
                }
            }
            i += 1;
        }
        for (j, (k, vals)) in keys.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            json_str(out, &format!("{}_{}", proto.replace('.', "_"), k.replace('.', "_")));
            out.push(':');
            if vals.len() == 1 {
                json_str(out, &vals[0]);
            } else {
                out.push('[');
                for (m, val) in vals.iter().enumerate() {
                    if m > 0 {
                        out.push(',');
                    }
                    json_str(out, val);
                }
                out.push(']');
            }
        }
        out.push('}');
    }
    out.push_str("}}\n");
}

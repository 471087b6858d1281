//! `-V` / `-O`: the packet detail tree as text.

use wirecrab_core::FieldType;

use crate::time::TimeCache;
use crate::value::write_value_display;
use crate::FrameView;

/// Append the tree of one frame followed by an empty line. With `only` set,
/// protocols not named there show their top line only (tshark's `-O`).
pub fn write_tree(out: &mut String, v: &FrameView<'_>, only: Option<&[String]>, tz: &mut TimeCache) {
    let tree = v.d.tree;
    let mut skip_below: Option<u16> = None;
    for n in tree.nodes() {
        if let Some(d) = skip_below {
            if n.depth > d {
                continue;
            }
            skip_below = None;
        }
        if n.field.hidden {
            skip_below = Some(n.depth);
            continue;
        }
        if let (Some(only), 0) = (only, n.depth) {
            if n.field.ty == FieldType::Protocol && !only.iter().any(|p| p == n.field.abbrev) {
                skip_below = Some(0);
            }
        }
        for _ in 0..n.depth {
            out.push_str("    ");
        }
        if n.field.generated {
            out.push('[');
        }
        match tree.label(n) {
            Some(l) => out.push_str(l),
            None => write_value_display(out, n, v.data, tz),
        }
        if n.field.generated {
            out.push(']');
        }
        out.push('\n');
    }
    out.push('\n');
}

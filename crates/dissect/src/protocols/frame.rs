//! The `frame` pseudo-protocol: what the capture knows about each frame
//! (number, times, lengths, interface, comments) and the `_ws.*` markers for
//! malformed and truncated packets.

use wirecrab_core::{Buf, FieldDef, FieldType as T, Tree, Value};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

/// The frame protocol field.
pub static FRAME: FieldDef = FieldDef::new("frame", "Frame", T::Protocol);
static INTERFACE_ID: FieldDef = FieldDef::new("frame.interface_id", "Interface id", T::U32);
static INTERFACE_NAME: FieldDef = FieldDef::new("frame.interface_name", "Interface name", T::String);
static ENCAP: FieldDef = FieldDef::new("frame.encap_type", "Encapsulation type", T::I32).names(ENCAP_NAMES);
static ENCAP_NAMES: &[(u64, &str)] = &[
    (1, "Ethernet"),
    (7, "Raw IP"),
    (15, "NULL/Loopback"),
    (25, "Linux cooked-mode capture v1"),
    (129, "Raw IPv4"),
    (130, "Raw IPv6"),
    (210, "Linux cooked-mode capture v2"),
];
static TIME: FieldDef = FieldDef::new("frame.time", "Arrival Time", T::AbsTime);
static TIME_UTC: FieldDef = FieldDef::new("frame.time_utc", "UTC Arrival Time", T::AbsTime).hidden();
// Wireshark 4.0 types the epoch time as a relative time (seconds since 1970).
static TIME_EPOCH: FieldDef = FieldDef::new("frame.time_epoch", "Epoch Time", T::RelTime);
static TIME_DELTA: FieldDef = FieldDef::new("frame.time_delta", "Time delta from previous captured frame", T::RelTime).generated();
static TIME_DELTA_DISPLAYED: FieldDef =
    FieldDef::new("frame.time_delta_displayed", "Time delta from previous displayed frame", T::RelTime).generated();
static TIME_RELATIVE: FieldDef = FieldDef::new("frame.time_relative", "Time since reference or first frame", T::RelTime).generated();
static NUMBER: FieldDef = FieldDef::new("frame.number", "Frame Number", T::U32);
static LEN: FieldDef = FieldDef::new("frame.len", "Frame Length", T::U32);
static CAP_LEN: FieldDef = FieldDef::new("frame.cap_len", "Capture Length", T::U32);
static MARKED: FieldDef = FieldDef::new("frame.marked", "Frame is marked", T::Bool).generated();
static IGNORED: FieldDef = FieldDef::new("frame.ignored", "Frame is ignored", T::Bool).generated();
pub(crate) static PROTOCOLS: FieldDef = FieldDef::new("frame.protocols", "Protocols in frame", T::String).generated();
static COMMENT: FieldDef = FieldDef::new("frame.comment", "Comment", T::String);

/// `_ws.malformed`: the packet is malformed.
pub static MALFORMED: FieldDef = FieldDef::new("_ws.malformed", "Malformed Packet", T::Protocol);
/// The expert item raised with it.
pub static MALFORMED_EXPERT: FieldDef = FieldDef::new("_ws.malformed.expert", "Malformed Packet (Exception occurred)", T::None);
/// `_ws.short`: the packet was cut by the snapshot length.
pub static SHORT: FieldDef = FieldDef::new("_ws.short", "Short Frame", T::Protocol);
/// `_ws.expert`: any expert item.
pub static EXPERT: FieldDef = FieldDef::new("_ws.expert", "Expert Info", T::None);
static EXPERT_MESSAGE: FieldDef = FieldDef::new("_ws.expert.message", "Message", T::String);
static EXPERT_SEVERITY: FieldDef = FieldDef::new("_ws.expert.severity", "Severity level", T::U32);
static EXPERT_GROUP: FieldDef = FieldDef::new("_ws.expert.group", "Group", T::U32);

/// Fields that belong to no dissector's table (registered first).
pub static EXTRA_FIELDS: &[&FieldDef] =
    &[&MALFORMED, &MALFORMED_EXPERT, &SHORT, &EXPERT, &EXPERT_MESSAGE, &EXPERT_SEVERITY, &EXPERT_GROUP];

/// The frame pseudo-protocol (not in any table: the engine calls it first).
pub static PROTOCOL: Protocol = Protocol {
    field: &FRAME,
    short: "FRAME",
    leaf: false,
    fields: &[
        &INTERFACE_ID,
        &INTERFACE_NAME,
        &ENCAP,
        &TIME,
        &TIME_UTC,
        &TIME_EPOCH,
        &TIME_DELTA,
        &TIME_DELTA_DISPLAYED,
        &TIME_RELATIVE,
        &NUMBER,
        &LEN,
        &CAP_LEN,
        &MARKED,
        &IGNORED,
        &PROTOCOLS,
        &COMMENT,
    ],
    dissect: |_, _| Next::Done,
    register: |_| {},
};

/// Wireshark's WTAP_ENCAP number for a link type (shown as frame.encap_type).
fn encap(lt: u32) -> i64 {
    match lt {
        0 => 15,
        1 => 1,
        12 | 14 | 101 => 7,
        108 => 15,
        113 => 25,
        228 => 129,
        229 => 130,
        276 => 210,
        _ => -1,
    }
}

/// Add the frame node and its fields ([`finish`] fills in `frame.protocols`).
pub fn dissect_frame<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) {
    let meta = ctx.meta;
    let (first, prev) = if meta.has_ts {
        (*ctx.state.first_ts.get_or_insert(meta.ts), ctx.state.prev_ts.replace(meta.ts).unwrap_or(meta.ts))
    } else {
        (meta.ts, meta.ts)
    };
    let idx = ctx.tree.add(&FRAME, 0, buf.len(), Value::None);
    if ctx.tree.wants_nothing() || ctx.needs.fieldless(&PROTOCOL) {
        return;
    }
    ctx.label(idx, |s| {
        use std::fmt::Write;
        let (w, c) = (meta.orig_len as u64, meta.cap_len as u64);
        let _ = write!(s, "Frame {}: {w} bytes on wire ({} bits), {c} bytes captured ({} bits)", meta.number, w * 8, c * 8);
        if meta.pcapng && meta.has_ts {
            match &meta.interface_name {
                Some(n) => {
                    let _ = write!(s, " on interface {n}, id {}", meta.interface);
                }
                None => {
                    let _ = write!(s, " on interface {}", meta.interface);
                }
            }
        }
    });
    ctx.tree.enter();
    for c in &meta.comments {
        ctx.tree.add(&COMMENT, 0, 0, Value::OwnedStr(c.as_str().into()));
    }
    if meta.pcapng {
        ctx.tree.add(&INTERFACE_ID, 0, 0, Value::U(meta.interface as u64));
        if let Some(n) = &meta.interface_name {
            ctx.tree.add(&INTERFACE_NAME, 0, 0, Value::OwnedStr(n.as_ref().into()));
        }
    }
    ctx.tree.add(&ENCAP, 0, 0, Value::I(encap(meta.link_type.0)));
    if meta.has_ts {
        ctx.tree.add(&TIME, 0, 0, Value::Time(meta.ts));
        ctx.tree.add(&TIME_UTC, 0, 0, Value::Time(meta.ts));
        // Kept as a timestamp: seconds since 1970 in nanoseconds overflow i64 for odd files.
        ctx.tree.add(&TIME_EPOCH, 0, 0, Value::Time(meta.ts));
        let delta = meta.ts.since(prev) as i64;
        ctx.tree.add(&TIME_DELTA, 0, 0, Value::RelTime(delta));
        // Until a frame has been displayed there is no reference: 0, as tshark.
        let displayed = ctx.state.prev_displayed_ts.map_or(0, |p| meta.ts.since(p) as i64);
        ctx.tree.add(&TIME_DELTA_DISPLAYED, 0, 0, Value::RelTime(displayed));
        ctx.tree.add(&TIME_RELATIVE, 0, 0, Value::RelTime(meta.ts.since(first) as i64));
    }
    ctx.tree.add(&NUMBER, 0, 0, Value::U(meta.number));
    let (w, c) = (meta.orig_len as u64, meta.cap_len as u64);
    ctx.tree.add_labeled(&LEN, 0, 0, Value::U(w), |s| s.push_str(&format!("Frame Length: {w} bytes ({} bits)", w * 8)));
    ctx.tree.add_labeled(&CAP_LEN, 0, 0, Value::U(c), |s| s.push_str(&format!("Capture Length: {c} bytes ({} bits)", c * 8)));
    ctx.tree.add(&MARKED, 0, 0, Value::Bool(false));
    ctx.tree.add(&IGNORED, 0, 0, Value::Bool(false));
    ctx.tree.add(&PROTOCOLS, 0, 0, Value::None);
    ctx.tree.leave();
}

/// Fill in `frame.protocols` once every layer is known.
pub fn finish(tree: &mut Tree, layers: &[&'static str]) {
    if !tree.wants(&PROTOCOLS) {
        return;
    }
    let pos = tree.nodes().iter().position(|n| std::ptr::eq(n.field, &PROTOCOLS));
    if pos.is_some() {
        // The first layer is the link layer: frame.protocols does not name "frame".
        tree.set_value(pos, Value::OwnedStr(layers.join(":").into()));
    }
}

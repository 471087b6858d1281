//! HTTP/2 (RFC 9113): the field names only, for now.
//!
//! Registered so that `-e http2.streamid` is accepted as in tshark; frame and
//! HPACK dissection arrive with a later issue. These fields stay empty.

use wirecrab_core::{Buf, FieldDef, FieldType as T};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static HTTP2: FieldDef = FieldDef::new("http2", "HyperText Transfer Protocol 2", T::Protocol);
static STREAMID: FieldDef = FieldDef::new("http2.streamid", "Stream Identifier", T::U32);
static TYPE: FieldDef = FieldDef::new("http2.type", "Type", T::U8);
static METHOD: FieldDef = FieldDef::new("http2.headers.method", "Method", T::String);
static AUTHORITY: FieldDef = FieldDef::new("http2.headers.authority", "Authority", T::String);
static PATH: FieldDef = FieldDef::new("http2.headers.path", "Path", T::String);
static STATUS: FieldDef = FieldDef::new("http2.headers.status", "Status", T::String);

/// The HTTP/2 protocol (fields only in this version).
pub static PROTOCOL: Protocol = Protocol {
    field: &HTTP2,
    short: "HTTP2",
    leaf: true,
    fields: &[&STREAMID, &TYPE, &METHOD, &AUTHORITY, &PATH, &STATUS],
    dissect,
    register: |_| {},
};

fn dissect<'a>(_ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    Next::Data(buf)
}

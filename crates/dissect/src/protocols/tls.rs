//! TLS (RFC 8446, RFC 5246): the field names only, for now.
//!
//! Registered so that `-e tls.handshake.extensions_server_name` is accepted as
//! in tshark; record and handshake dissection and decryption arrive with the
//! TLS issue. No port is registered yet, so these fields stay empty.

use wirecrab_core::{Buf, FieldDef, FieldType as T};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static TLS: FieldDef = FieldDef::new("tls", "Transport Layer Security", T::Protocol);
static SNI: FieldDef = FieldDef::new("tls.handshake.extensions_server_name", "Server Name", T::String);
static RECORD_VERSION: FieldDef = FieldDef::new("tls.record.version", "Version", T::U16);
static CONTENT_TYPE: FieldDef = FieldDef::new("tls.record.content_type", "Content Type", T::U8);
static HANDSHAKE_TYPE: FieldDef = FieldDef::new("tls.handshake.type", "Handshake Type", T::U8);

/// The TLS protocol (fields only in this version).
pub static PROTOCOL: Protocol = Protocol {
    field: &TLS,
    short: "TLS",
    leaf: true,
    fields: &[&SNI, &RECORD_VERSION, &CONTENT_TYPE, &HANDSHAKE_TYPE],
    dissect,
    register: |_| {},
};

fn dissect<'a>(_ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    Next::Data(buf)
}

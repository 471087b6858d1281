//! Placeholder: being written.
use wirecrab_core::{Buf, FieldDef, FieldType as T};
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;
static P: FieldDef = FieldDef::new("dns", "dns", T::Protocol);
/// The protocol.
pub static PROTOCOL: Protocol = Protocol { field: &P, short: "dns", fields: &[], dissect, register: |_| {} };
fn dissect<'a>(_ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> { Next::Data(buf) }

//! Placeholder: being written.
use wirecrab_core::{Buf, FieldDef, FieldType as T};
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;
static P: FieldDef = FieldDef::new("icmpv6", "icmpv6", T::Protocol);
/// The protocol.
pub static PROTOCOL: Protocol = Protocol { field: &P, short: "icmpv6", fields: &[], dissect, register: |_| {} };
fn dissect<'a>(_ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> { Next::Data(buf) }

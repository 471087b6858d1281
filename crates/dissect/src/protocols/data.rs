//! `data`: bytes no dissector understands (Wireshark's data dissector).

use wirecrab_core::{Buf, FieldDef, FieldType as T, Value};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static DATA: FieldDef = FieldDef::new("data", "Data", T::Protocol);
static DATA_DATA: FieldDef = FieldDef::new("data.data", "Data", T::Bytes);
static DATA_LEN: FieldDef = FieldDef::new("data.len", "Length", T::I32);

/// The data protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &DATA,
    short: "DATA",
    leaf: true,
    fields: &[&DATA_DATA, &DATA_LEN],
    dissect,
    register: |_| {},
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let n = buf.len();
    let idx = ctx.open(&DATA, &buf, n);
    ctx.label(idx, |s| s.push_str(&format!("Data ({n} bytes)")));
    ctx.bytes(&DATA_DATA, &buf, 0, n);
    ctx.tree.add(&DATA_LEN, buf.base(), 0, Value::I(n as i64));
    ctx.close();
    Next::Done
}

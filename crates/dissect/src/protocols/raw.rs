//! Raw IP link types: LINKTYPE_RAW (101, and 12/14 where old BSDs meant raw IP),
//! LINKTYPE_IPV4 (228) and LINKTYPE_IPV6 (229). No link header: the IP version
//! nibble says which IP follows.

use wirecrab_core::{Buf, FieldDef, FieldType as T};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static RAW: FieldDef = FieldDef::new("raw", "Raw packet data", T::Protocol);

/// The raw IP pseudo-protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &RAW,
    short: "Raw",
    leaf: false,
    fields: &[],
    dissect,
    register: |t| {
        for lt in [12, 14, 101, 228, 229] {
            t.link(lt, &PROTOCOL);
        }
    },
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("Raw");
    if let Some(i) = ctx.info_set() {
        i.push_str("Raw packet data");
    }
    let idx = ctx.open(&RAW, &buf, 0);
    ctx.label(idx, |s| s.push_str("Raw packet data"));
    ctx.close();
    let ty = match (ctx.meta.link_type.0, buf.u8(0).map(|b| b >> 4)) {
        (228, _) | (_, Ok(4)) => 0x0800,
        (229, _) | (_, Ok(6)) => 0x86dd,
        _ => return Next::Data(buf),
    };
    // Raw IP has no ethertype layer in frame.protocols: call IP directly.
    crate::ctx::direct_ethertype(ty, buf)
}

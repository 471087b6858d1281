//! BSD loopback encapsulation: LINKTYPE_NULL (0), a 4-byte address family in the
//! capturing host's byte order, and LINKTYPE_LOOP (108), the same in network order.
//! Families: 2 = IPv4; 24, 28, 30 = IPv6 (NetBSD/OpenBSD, FreeBSD, Darwin).

use wirecrab_core::{Buf, FieldDef, FieldType as T};

use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static NULL: FieldDef = FieldDef::new("null", "Null/Loopback", T::Protocol);
static FAMILY: FieldDef = FieldDef::new("null.family", "Family", T::U32).names(FAMILIES);

static FAMILIES: &[(u64, &str)] = &[(2, "IP"), (7, "OSI"), (23, "IPX"), (24, "IPv6"), (28, "IPv6"), (30, "IPv6")];

/// The null/loopback protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &NULL,
    short: "NULL",
    leaf: false,
    fields: &[&FAMILY],
    dissect,
    register: |t| {
        t.link(0, &PROTOCOL);
        t.link(108, &PROTOCOL);
    },
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("NULL");
    let idx = ctx.open(&NULL, &buf, 4);
    let raw = match buf.be32(0) {
        Ok(v) => v,
        Err(e) => {
            ctx.close();
            ctx.malformed("null", e);
            return Next::Done;
        }
    };
    // The family is small; whichever byte order makes it small is the right one.
    // Some systems write an EtherType in the last two bytes instead (Wireshark
    // accepts that too): both halves non-zero means that.
    if ctx.meta.link_type.0 != 108 && raw & 0xffff != 0 && raw >> 16 != 0 {
        let ty = (raw & 0xffff) as u16;
        ctx.close();
        return crate::ctx::direct_ethertype(ty, buf.from(4));
    }
    let family = if ctx.meta.link_type.0 == 108 || raw <= 0xffff { raw } else { raw.swap_bytes() };
    ctx.label(idx, |s| s.push_str("Null/Loopback"));
    ctx.uint(&FAMILY, &buf, 0, 4, family as u64);
    ctx.close();
    let payload = buf.from(4);
    match family {
        2 => crate::ctx::direct_ethertype(0x0800, payload),
        24 | 28 | 30 => crate::ctx::direct_ethertype(0x86dd, payload),
        _ => Next::Data(payload),
    }
}

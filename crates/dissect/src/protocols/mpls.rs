//! MPLS label stack (RFC 3032), EtherTypes 0x8847 (unicast) and 0x8848 (multicast).
//!
//! ```text
//! +---------------------------------------+-----+-+---------------+
//! |                Label (20)             | TC  |S|     TTL       |
//! +---------------------------------------+-----+-+---------------+
//! ```
//! After the entry with S (bottom of stack) set, the payload has no type field:
//! as Wireshark does, a first nibble of 4 means IPv4 and 6 means IPv6.

use wirecrab_core::{Buf, FieldDef, FieldType as T};

use crate::ctx::{direct_ethertype, Ctx, Next};
use crate::registry::Protocol;

static MPLS: FieldDef = FieldDef::new("mpls", "MultiProtocol Label Switching Header", T::Protocol);
static LABEL: FieldDef = FieldDef::new("mpls.label", "MPLS Label", T::U32);
static EXP: FieldDef = FieldDef::new("mpls.exp", "MPLS Experimental Bits", T::U8);
static BOTTOM: FieldDef = FieldDef::new("mpls.bottom", "MPLS Bottom Of Label Stack", T::U8);
static TTL: FieldDef = FieldDef::new("mpls.ttl", "MPLS TTL", T::U8);

/// The MPLS protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &MPLS,
    short: "MPLS",
    leaf: false,
    fields: &[&LABEL, &EXP, &BOTTOM, &TTL],
    dissect,
    register: |t| {
        t.ethertype(0x8847, &PROTOCOL);
        t.ethertype(0x8848, &PROTOCOL);
    },
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("MPLS");
    if let Some(i) = ctx.info_set() {
        i.push_str("MPLS Label Switched Packet");
    }
    let mut off = 0;
    // Each entry is 4 bytes, so the stack is bounded by the packet length.
    loop {
        let e = match buf.be32(off) {
            Ok(e) => e,
            Err(err) => {
                ctx.malformed("mpls", err);
                return Next::Done;
            }
        };
        let idx = ctx.open(&MPLS, &buf.from(off), 4);
        let (label, tc, s, ttl) = (e >> 12, ((e >> 9) & 7) as u8, ((e >> 8) & 1) as u8, (e & 0xff) as u8);
        ctx.label(idx, |t| t.push_str(&format!("MultiProtocol Label Switching Header, Label: {label}, Exp: {tc}, S: {s}, TTL: {ttl}")));
        ctx.uint(&LABEL, &buf, off, 3, label as u64);
        ctx.uint(&EXP, &buf, off + 2, 1, tc as u64);
        ctx.uint(&BOTTOM, &buf, off + 2, 1, s as u64);
        ctx.uint(&TTL, &buf, off + 3, 1, ttl as u64);
        ctx.close();
        off += 4;
        if s == 1 {
            break;
        }
    }
    let payload = buf.from(off);
    match payload.u8(0).map(|b| b >> 4) {
        Ok(4) => direct_ethertype(0x0800, payload),
        Ok(6) => direct_ethertype(0x86dd, payload),
        _ => Next::Data(payload),
    }
}

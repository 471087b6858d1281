//! Linux cooked-mode capture, v1 (LINKTYPE_LINUX_SLL, 113) and v2
//! (LINKTYPE_LINUX_SLL2, 276): what `tcpdump -i any` writes.
//!
//! ```text
//! v1 (16 bytes)                          v2 (20 bytes)
//! +---------+---------+---------+        +----------+----------+----------------+
//! | pkttype | hatype  | halen   |        | protocol | reserved | ifindex (4)    |
//! +---------+---------+---------+        +----------+-----+----+----------------+
//! | link-layer address (8)      |        | hatype   |pkt  |len | address (8)    |
//! +-----------------------------+        +----------+-----+----+----------------+
//! | protocol|                             
//! +---------+
//! ```
//! Reference: https://www.tcpdump.org/linktypes/LINKTYPE_LINUX_SLL.html (and _SLL2).

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Value};

use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static SLL: FieldDef = FieldDef::new("sll", "Linux cooked capture", T::Protocol);
static PKTTYPE: FieldDef = FieldDef::new("sll.pkttype", "Packet type", T::U16).names(PKTTYPES);
static HATYPE: FieldDef = FieldDef::new("sll.hatype", "Link-layer address type", T::U16);
static HALEN: FieldDef = FieldDef::new("sll.halen", "Link-layer address length", T::U16);
static SRC_ETH: FieldDef = FieldDef::new("sll.src.eth", "Source", T::Ether);
static SRC_OTHER: FieldDef = FieldDef::new("sll.src.other", "Source", T::Bytes);
static UNUSED: FieldDef = FieldDef::new("sll.unused", "Unused", T::Bytes);
static ETYPE: FieldDef = FieldDef::new("sll.etype", "Protocol", T::U16).base(Base::Hex).names(super::eth::ETHERTYPES);
static LTYPE: FieldDef = FieldDef::new("sll.ltype", "Protocol", T::U16).base(Base::Hex);
static IFINDEX: FieldDef = FieldDef::new("sll.ifindex", "Interface index", T::U32);
static RESERVED: FieldDef = FieldDef::new("sll.reserved", "Reserved", T::U16).base(Base::Hex);

static PKTTYPES: &[(u64, &str)] = &[
    (0, "Unicast to us"),
    (1, "Broadcast"),
    (2, "Multicast"),
    (3, "Unicast to another host"),
    (4, "Sent by us"),
];

/// The Linux cooked capture protocol (both versions).
pub static PROTOCOL: Protocol = Protocol {
    field: &SLL,
    short: "SLL",
    leaf: false,
    fields: &[&PKTTYPE, &HATYPE, &HALEN, &SRC_ETH, &SRC_OTHER, &UNUSED, &ETYPE, &LTYPE, &IFINDEX, &RESERVED],
    dissect,
    register: |t| {
        t.link(113, &PROTOCOL);
        t.link(276, &PROTOCOL);
    },
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let v2 = ctx.meta.link_type.0 == 276;
    let hlen = if v2 { 20 } else { 16 };
    ctx.set_protocol("SLL");
    let idx = ctx.open(&SLL, &buf, hlen);
    if let Err(e) = buf.slice(0, hlen) {
        ctx.close();
        ctx.malformed("sll", e);
        return Next::Done;
    }
    let (proto, pkttype, hatype, halen, addr_off) = if v2 {
        let p = buf.be16(0).unwrap_or(0);
        (p, buf.u8(10).unwrap_or(0) as u16, buf.be16(8).unwrap_or(0), buf.u8(11).unwrap_or(0) as u16, 12)
    } else {
        (buf.be16(14).unwrap_or(0), buf.be16(0).unwrap_or(0), buf.be16(2).unwrap_or(0), buf.be16(4).unwrap_or(0), 6)
    };
    ctx.label(idx, |s| s.push_str(if v2 { "Linux cooked capture v2" } else { "Linux cooked capture v1" }));
    if v2 {
        ctx.uint(&ETYPE, &buf, 0, 2, proto as u64);
        ctx.uint(&RESERVED, &buf, 2, 2, buf.be16(2).unwrap_or(0) as u64);
        ctx.uint(&IFINDEX, &buf, 4, 4, buf.be32(4).unwrap_or(0) as u64);
        ctx.uint(&HATYPE, &buf, 8, 2, hatype as u64);
        ctx.uint(&PKTTYPE, &buf, 10, 1, pkttype as u64);
        ctx.uint(&HALEN, &buf, 11, 1, halen as u64);
    } else {
        ctx.uint(&PKTTYPE, &buf, 0, 2, pkttype as u64);
        ctx.uint(&HATYPE, &buf, 2, 2, hatype as u64);
        ctx.uint(&HALEN, &buf, 4, 2, halen as u64);
    }
    if halen == 6 {
        let m = buf.array::<6>(addr_off).unwrap_or_default();
        ctx.add(&SRC_ETH, &buf, addr_off, 6, Value::Ether(m));
        ctx.cols.dl_src = Address::Ether(m);
        ctx.bytes(&UNUSED, &buf, addr_off + 6, 2);
    } else if halen > 0 {
        ctx.bytes(&SRC_OTHER, &buf, addr_off, (halen as usize).min(8));
    }
    let payload = buf.from(hlen);
    // ARPHRD_NETLINK (824) carries netlink, FRAD/PPP others: not dissected yet.
    if hatype == 824 {
        ctx.close();
        return Next::Data(payload);
    }
    if !v2 {
        match proto {
            0x0001 | 0x0004 => {
                ctx.uint(&LTYPE, &buf, 14, 2, proto as u64);
                ctx.close();
                return Next::Data(payload);
            }
            _ => {
                ctx.uint(&ETYPE, &buf, 14, 2, proto as u64);
            }
        }
    }
    ctx.close();
    Next::Ethertype(proto, payload)
}

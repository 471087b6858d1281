//! Address Resolution Protocol (RFC 826) and RARP (RFC 903), EtherTypes 0x0806/0x8035.
//!
//! ```text
//! +--------+--------+----+----+--------+
//! | htype  | ptype  |hlen|plen| opcode |
//! +--------+--------+----+----+--------+
//! | sender hw (hlen) | sender proto (plen) | target hw | target proto |
//! ```

use std::fmt::Write;

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Value};

use crate::ctx::{Ctx, Next};
use crate::names::{write_mac, write_v4};
use crate::registry::Protocol;

static ARP: FieldDef = FieldDef::new("arp", "Address Resolution Protocol", T::Protocol);
static HW_TYPE: FieldDef = FieldDef::new("arp.hw.type", "Hardware type", T::U16).names(&[(1, "Ethernet")]);
static PROTO_TYPE: FieldDef = FieldDef::new("arp.proto.type", "Protocol type", T::U16).base(Base::Hex).names(super::eth::ETHERTYPES);
static HW_SIZE: FieldDef = FieldDef::new("arp.hw.size", "Hardware size", T::U8);
static PROTO_SIZE: FieldDef = FieldDef::new("arp.proto.size", "Protocol size", T::U8);
static OPCODE: FieldDef = FieldDef::new("arp.opcode", "Opcode", T::U16).names(OPCODES);
static IS_GRATUITOUS: FieldDef = FieldDef::new("arp.isgratuitous", "Is gratuitous", T::Bool);
static IS_PROBE: FieldDef = FieldDef::new("arp.isprobe", "Is probe", T::Bool);
static IS_ANNOUNCEMENT: FieldDef = FieldDef::new("arp.isannouncement", "Is announcement", T::Bool);
static SRC_HW: FieldDef = FieldDef::new("arp.src.hw", "Sender hardware address", T::Bytes);
static SRC_HW_MAC: FieldDef = FieldDef::new("arp.src.hw_mac", "Sender MAC address", T::Ether);
static SRC_PROTO: FieldDef = FieldDef::new("arp.src.proto", "Sender protocol address", T::Bytes);
static SRC_PROTO_IPV4: FieldDef = FieldDef::new("arp.src.proto_ipv4", "Sender IP address", T::Ipv4);
static DST_HW: FieldDef = FieldDef::new("arp.dst.hw", "Target hardware address", T::Bytes);
static DST_HW_MAC: FieldDef = FieldDef::new("arp.dst.hw_mac", "Target MAC address", T::Ether);
static DST_PROTO: FieldDef = FieldDef::new("arp.dst.proto", "Target protocol address", T::Bytes);
static DST_PROTO_IPV4: FieldDef = FieldDef::new("arp.dst.proto_ipv4", "Target IP address", T::Ipv4);

static OPCODES: &[(u64, &str)] = &[
    (1, "request"),
    (2, "reply"),
    (3, "reverse request"),
    (4, "reverse reply"),
    (8, "inverse request"),
    (9, "inverse reply"),
];

/// The ARP protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &ARP,
    short: "ARP",
    leaf: true,
    fields: &[
        &HW_TYPE, &PROTO_TYPE, &HW_SIZE, &PROTO_SIZE, &OPCODE, &IS_GRATUITOUS, &IS_PROBE, &IS_ANNOUNCEMENT, &SRC_HW,
        &SRC_HW_MAC, &SRC_PROTO, &SRC_PROTO_IPV4, &DST_HW, &DST_HW_MAC, &DST_PROTO, &DST_PROTO_IPV4,
    ],
    dissect,
    register: |t| {
        t.ethertype(0x0806, &PROTOCOL);
        t.ethertype(0x8035, &PROTOCOL);
    },
};

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let head = (buf.be16(0), buf.be16(2), buf.u8(4), buf.u8(5), buf.be16(6));
    let (Ok(htype), Ok(ptype), Ok(hlen), Ok(plen), Ok(op)) = head else {
        ctx.set_protocol("ARP");
        let e = buf.slice(0, 8).err().unwrap_or(wirecrab_core::BufError::Truncated { offset: buf.base(), wanted: 8, captured: buf.len() });
        ctx.open(&ARP, &buf, buf.len());
        ctx.close();
        ctx.malformed("arp", e);
        return Next::Done;
    };
    let (hl, pl) = (hlen as usize, plen as usize);
    let total = 8 + 2 * (hl + pl);
    let rarp = matches!(op, 3 | 4);
    ctx.set_protocol(if rarp { "RARP" } else { "ARP" });
    let idx = ctx.open(&ARP, &buf, total);
    let (sha, spa, tha, tpa) = (8, 8 + hl, 8 + hl + pl, 8 + 2 * hl + pl);
    let body = buf.slice(0, total);
    let is_eth_ip = htype == 1 && ptype == 0x0800 && hl == 6 && pl == 4;
    let mac = |o: usize| buf.array::<6>(o).unwrap_or_default();
    let ip = |o: usize| buf.array::<4>(o).unwrap_or_default();
    let (gratuitous, probe, announcement) = if is_eth_ip && body.is_ok() {
        let (s, t) = (ip(spa), ip(tpa));
        let probe = op == 1 && s == [0; 4] && mac(tha) == [0; 6];
        let gratuitous = s == t && !probe;
        (gratuitous, probe, gratuitous && op == 1 && mac(tha) == [0; 6])
    } else {
        (false, false, false)
    };
    ctx.label(idx, |s| {
        s.push_str(if rarp { "Address Resolution Protocol (reverse " } else { "Address Resolution Protocol (" });
        s.push_str(match op {
            1 => "request)",
            2 => "reply)",
            3 => "request)",
            4 => "reply)",
            _ => "opcode)",
        });
    });
    ctx.uint(&HW_TYPE, &buf, 0, 2, htype as u64);
    ctx.uint(&PROTO_TYPE, &buf, 2, 2, ptype as u64);
    ctx.uint(&HW_SIZE, &buf, 4, 1, hlen as u64);
    ctx.uint(&PROTO_SIZE, &buf, 5, 1, plen as u64);
    ctx.uint(&OPCODE, &buf, 6, 2, op as u64);
    if is_eth_ip {
        ctx.flag(&IS_GRATUITOUS, &buf, 0, 0, gratuitous);
        ctx.flag(&IS_PROBE, &buf, 0, 0, probe);
        ctx.flag(&IS_ANNOUNCEMENT, &buf, 0, 0, announcement);
    }
    if let Err(e) = body {
        ctx.close();
        ctx.malformed("arp", e);
        return Next::Done;
    }
    for (off, len, bytes_f, mac_f, ip_f) in [
        (sha, hl, &SRC_HW, &SRC_HW_MAC, None),
        (spa, pl, &SRC_PROTO, &SRC_PROTO_IPV4, Some(())),
        (tha, hl, &DST_HW, &DST_HW_MAC, None),
        (tpa, pl, &DST_PROTO, &DST_PROTO_IPV4, Some(())),
    ] {
        match (ip_f, len) {
            (None, 6) => ctx.add(mac_f, &buf, off, 6, Value::Ether(mac(off))),
            (Some(()), 4) if ptype == 0x0800 => ctx.add(mac_f, &buf, off, 4, Value::V4(ip(off))),
            _ => ctx.bytes(bytes_f, &buf, off, len),
        };
    }
    ctx.close();
    if is_eth_ip {
        if let Some(i) = ctx.info_set() {
            arp_info(i, op, gratuitous, probe, announcement, ip(spa), mac(sha), ip(tpa), mac(tha));
        }
    } else if let Some(i) = ctx.info_set() {
        let _ = write!(i, "{} (opcode {op})", if rarp { "RARP" } else { "ARP" });
    }
    ctx.set_l3_end(&buf, total);
    Next::Done
}

#[allow(clippy::too_many_arguments)]
fn arp_info(i: &mut String, op: u16, grat: bool, probe: bool, announce: bool, spa: [u8; 4], sha: [u8; 6], tpa: [u8; 4], tha: [u8; 6]) {
    match op {
        1 if announce => {
            i.push_str("ARP Announcement for ");
            write_v4(i, &spa);
        }
        1 if grat => {
            i.push_str("Gratuitous ARP for ");
            write_v4(i, &spa);
            i.push_str(" (Request)");
        }
        1 => {
            i.push_str("Who has ");
            write_v4(i, &tpa);
            i.push('?');
            if probe {
                i.push_str(" (ARP Probe)");
            } else {
                i.push_str(" Tell ");
                write_v4(i, &spa);
            }
        }
        2 if grat => {
            i.push_str("Gratuitous ARP for ");
            write_v4(i, &spa);
            i.push_str(" (Reply)");
        }
        2 => {
            write_v4(i, &spa);
            i.push_str(" is at ");
            write_mac(i, &sha);
        }
        3 => {
            i.push_str("Who is ");
            write_mac(i, &tha);
            i.push_str("? Tell ");
            write_mac(i, &sha);
        }
        4 => {
            write_mac(i, &tha);
            i.push_str(" is at ");
            write_v4(i, &tpa);
        }
        _ => {
            let _ = write!(i, "Unknown ARP opcode 0x{op:04x}");
        }
    }
}

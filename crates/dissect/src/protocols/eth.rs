//! Ethernet II and IEEE 802.3 framing (IEEE 802.3 clause 3).
//!
//! ```text
//! +-------------------+-------------------+-----------+----------------
//! | destination (6)   | source (6)        | type/len  | payload ...
//! +-------------------+-------------------+-----------+----------------
//! ```
//! A type/length value of 1536 (0x0600) or more is an EtherType; 1500 or less
//! is an 802.3 length followed by LLC (shown as data here).

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Value};

use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static ETH: FieldDef = FieldDef::new("eth", "Ethernet II", T::Protocol);
static DST: FieldDef = FieldDef::new("eth.dst", "Destination", T::Ether);
static DST_OUI: FieldDef = FieldDef::new("eth.dst.oui", "Destination OUI", T::U24).base(Base::Hex);
static DST_LG: FieldDef = FieldDef::new("eth.dst.lg", "LG bit", T::Bool).mask(0x20000).width(24);
static DST_IG: FieldDef = FieldDef::new("eth.dst.ig", "IG bit", T::Bool).mask(0x10000).width(24);
static SRC: FieldDef = FieldDef::new("eth.src", "Source", T::Ether);
static SRC_OUI: FieldDef = FieldDef::new("eth.src.oui", "Source OUI", T::U24).base(Base::Hex);
static SRC_LG: FieldDef = FieldDef::new("eth.src.lg", "LG bit", T::Bool).mask(0x20000).width(24);
static SRC_IG: FieldDef = FieldDef::new("eth.src.ig", "IG bit", T::Bool).mask(0x10000).width(24);
static SRC_NOT_GROUP: FieldDef = FieldDef::new("eth.src_not_group", "Source MAC must not be a group address", T::None);
static PADDING_BAD: FieldDef = FieldDef::new("eth.padding_bad", "Padding of non-zeros", T::None);
static ADDR: FieldDef = FieldDef::new("eth.addr", "Address", T::Ether).hidden();
static ADDR_OUI: FieldDef = FieldDef::new("eth.addr.oui", "Address OUI", T::U24).base(Base::Hex).hidden();
static LG: FieldDef = FieldDef::new("eth.lg", "LG bit", T::Bool).mask(0x20000).width(24).hidden();
static IG: FieldDef = FieldDef::new("eth.ig", "IG bit", T::Bool).mask(0x10000).width(24).hidden();
static TYPE: FieldDef = FieldDef::new("eth.type", "Type", T::U16).base(Base::Hex).names(ETHERTYPES);
static LEN: FieldDef = FieldDef::new("eth.len", "Length", T::U16);
/// Padding after the payload of a short frame.
pub static PADDING: FieldDef = FieldDef::new("eth.padding", "Padding", T::Bytes);
/// Bytes after the payload that are not padding.
pub static TRAILER: FieldDef = FieldDef::new("eth.trailer", "Trailer", T::Bytes);
/// The frame check sequence, when the capture kept it.
static FCS: FieldDef = FieldDef::new("eth.fcs", "Frame check sequence", T::U32).base(Base::Hex);

/// Names of common EtherTypes (IEEE registry).
pub static ETHERTYPES: &[(u64, &str)] = &[
    (0x0800, "IPv4"),
    (0x0806, "ARP"),
    (0x8035, "RARP"),
    (0x8100, "802.1Q Virtual LAN"),
    (0x86dd, "IPv6"),
    (0x8847, "MPLS label switched packet"),
    (0x8848, "MPLS multicast label switched packet"),
    (0x8863, "PPPoE Discovery"),
    (0x8864, "PPPoE Session"),
    (0x888e, "802.1X Authentication"),
    (0x88a8, "802.1ad Provider Bridge (Q-in-Q)"),
    (0x88cc, "802.1 Link Layer Discovery Protocol (LLDP)"),
    (0x88e5, "802.1AE (MACsec)"),
    (0x88f7, "PTPv2 over Ethernet (IEEE1588)"),
    (0x9000, "Loopback"),
    (0x9100, "VLAN-tagged frame (Q-in-Q)"),
    (0x6558, "Transparent Ethernet bridging"),
];

/// The Ethernet protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &ETH,
    short: "Ethernet",
    leaf: false,
    fields: &[
        &DST, &DST_OUI, &DST_LG, &DST_IG, &SRC, &SRC_OUI, &SRC_LG, &SRC_IG, &SRC_NOT_GROUP, &PADDING_BAD, &ADDR, &ADDR_OUI, &LG, &IG, &TYPE,
        &LEN, &PADDING, &TRAILER, &FCS,
    ],
    dissect,
    register: |t| {
        t.link(1, &PROTOCOL);
        t.ethertype(0x6558, &PROTOCOL);
    },
};

fn address<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, off: usize, m: [u8; 6], own: [&'static FieldDef; 4]) {
    let [f, oui, lg, ig] = own;
    let idx = ctx.add(f, buf, off, 6, Value::Ether(m));
    let oui_v = u32::from_be_bytes([0, m[0], m[1], m[2]]) as u64;
    if ctx.tree.wants_all() || ctx.tree.wants(oui) || ctx.tree.wants(lg) || ctx.tree.wants(ig) || ctx.tree.wants(&ADDR) {
        ctx.tree.enter();
        let _ = idx;
        ctx.uint(oui, buf, off, 3, oui_v);
        ctx.flag(lg, buf, off, 3, m[0] & 2 != 0);
        ctx.flag(ig, buf, off, 3, m[0] & 1 != 0);
        ctx.tree.leave();
        ctx.add(&ADDR, buf, off, 6, Value::Ether(m));
        ctx.tree.enter();
        ctx.uint(&ADDR_OUI, buf, off, 3, oui_v);
        ctx.flag(&LG, buf, off, 3, m[0] & 2 != 0);
        ctx.flag(&IG, buf, off, 3, m[0] & 1 != 0);
        ctx.tree.leave();
    }
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("Ethernet");
    if let Some(i) = ctx.info_set() {
        i.push_str("Ethernet II");
    }
    let idx = ctx.open(&ETH, &buf, 14);
    let (dst, src, ty) = match (buf.array::<6>(0), buf.array::<6>(6), buf.be16(12)) {
        (Ok(d), Ok(s), Ok(t)) => (d, s, t),
        (_, _, Err(e)) => {
            ctx.close();
            if let Some(i) = ctx.info_set() {
                i.clear();
            }
            ctx.malformed("eth", e);
            return Next::Done;
        }
        _ => unreachable!("a later field readable implies the earlier ones are"),
    };
    ctx.label(idx, |s| {
        s.push_str("Ethernet II, Src: ");
        crate::names::write_mac(s, &src);
        s.push_str(", Dst: ");
        crate::names::write_mac(s, &dst);
    });
    // Most runs keep no Ethernet field: skip testing each one's bit.
    if !ctx.needs.fieldless(&PROTOCOL) {
        address(ctx, &buf, 0, dst, [&DST, &DST_OUI, &DST_LG, &DST_IG]);
        address(ctx, &buf, 6, src, [&SRC, &SRC_OUI, &SRC_LG, &SRC_IG]);
    }
    if src[0] & 1 != 0 {
        let msg = "Source MAC must not be a group address: IEEE 802.3-2002, Section 3.2.3(b)";
        ctx.expert(&SRC_NOT_GROUP, wirecrab_core::Severity::Warning, "Protocol", msg);
    }
    ctx.cols.dl_src = Address::Ether(src);
    ctx.cols.dl_dst = Address::Ether(dst);
    if ctx.pinfo.tunnel_depth == 0 && buf.base() == 0 {
        ctx.pinfo.eth_outer = true;
    }
    let payload = buf.from(14);
    if ty <= 1500 {
        ctx.uint(&LEN, &buf, 12, 2, ty as u64);
        ctx.close();
        // IEEE 802.3 with LLC: no LLC dissector yet, so the payload is data.
        return Next::Data(payload.limit(ty as usize));
    }
    ctx.uint(&TYPE, &buf, 12, 2, ty as u64);
    ctx.close();
    Next::Ethertype(ty, payload)
}

/// The fields [`padding_and_trailer`] produces.
pub(crate) static TAIL_FIELDS: &[&FieldDef] = &[&PADDING, &TRAILER, &FCS, &super::vlan::TRAILER];

/// Bytes after the outermost datagram, as Wireshark splits them: zero bytes
/// up to Ethernet's 60-byte minimum are padding; of what is left, four bytes
/// holding the CRC-32 of the frame are the FCS, anything else is a trailer
/// (the 802.1Q layer's when the frame is tagged). Called by
/// the engine once every layer is done.
pub fn padding_and_trailer(ctx: &mut Ctx<'_, '_>) {
    let (Some(end), true) = (ctx.pinfo.l3_end, ctx.pinfo.eth_outer) else { return };
    let data = ctx.data;
    let vlan_trailer = &super::vlan::TRAILER;
    if end >= data.len() || !(ctx.tree.wants(&PADDING) || ctx.tree.wants(&TRAILER) || ctx.tree.wants(&FCS) || ctx.tree.wants(vlan_trailer)) {
        return;
    }
    let rest = &data[end..];
    let pad = rest.len().min(60usize.saturating_sub(end));
    let tagged = ctx.layers.contains(&"vlan");
    let trailer_field = if tagged { vlan_trailer } else { &TRAILER };
    ctx.tree.set_depth(1);
    if rest[..pad].iter().any(|b| *b != 0) {
        ctx.tree.add(trailer_field, end, rest.len(), Value::Bytes);
        let msg = "Didn't find padding of zeros, and an undecoded trailer exists. There may be padding of non-zeros.";
        ctx.expert_in("Ethertype", &PADDING_BAD, wirecrab_core::Severity::Note, "Protocol", msg);
    } else {
        if pad > 0 {
            ctx.tree.add(&PADDING, end, pad, Value::Bytes);
        }
        let tail = &rest[pad..];
        let at = end + pad;
        let crc_ok = tail.len() == 4 && crc32fast::hash(&data[..at]).to_le_bytes() == tail[..];
        if crc_ok {
            let v = u32::from_be_bytes([tail[0], tail[1], tail[2], tail[3]]);
            ctx.tree.add(&FCS, at, 4, Value::U(v as u64));
        } else if tail.len() == 4 && pad == 0 {
            // Four bytes after a full-size frame that are no valid checksum:
            // Wireshark shows them neither as FCS nor as trailer.
        } else if !tail.is_empty() {
            ctx.tree.add(trailer_field, at, tail.len(), Value::Bytes);
        }
    }
    ctx.tree.set_depth(0);
}

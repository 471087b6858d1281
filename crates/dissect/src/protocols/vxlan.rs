//! Virtual eXtensible Local Area Network: VXLAN (RFC 7348), with the Group Based
//! Policy extension (draft-smith-vxlan-group-policy) and the Generic Protocol
//! Extension VXLAN-GPE (draft-ietf-nvo3-vxlan-gpe).
//!
//! ```text
//! VXLAN / VXLAN-GBP (UDP 4789):
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |G|R|R|R|I|R|R|R|R|D|R|R|A|R|R|R|        Group Policy ID        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          VXLAN Network Identifier (VNI)       |   Reserved    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  inner Ethernet frame ...
//!
//! VXLAN-GPE (UDP 4790, or any VXLAN port when the P bit is set):
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |R|R|Ver|I|P|R|O|           Reserved            | Next Protocol |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          VXLAN Network Identifier (VNI)       |   Reserved    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//!   Next Protocol: 1 = IPv4, 2 = IPv6, 3 = Ethernet, 4 = NSH, 5 = MPLS
//! ```
//! G = GBP extension, I = VNI valid, D = don't learn, A = policy applied.
//!
//! Ports: 4789 (IANA, what tshark decodes), 4790 (IANA VXLAN-GPE, also decoded
//! by tshark) and 8472, the Linux kernel's historical default. tshark 4.0 does
//! *not* decode 8472 by default; wirecrab does, on purpose, because Linux
//! overlays (flannel, older OVS setups) still use it.
//!
//! Field names, labels and columns are tshark 4.0's: Protocol column "VxLAN",
//! Info cleared (the inner frame's dissectors overwrite both, and the
//! Source/Destination columns, so tshark shows the inner packet's). A GPE header
//! is shown under `vxlan` as Wireshark does, and, like Wireshark (whose
//! `vxlan_gpe` is a name-only protocol), leaves no token in `frame.protocols`.
//! Deliberate difference: tshark decodes a 4789/8472 header with the P bit set
//! as plain VXLAN; wirecrab reads it as VXLAN-GPE when it looks like one (P set,
//! version and reserved bits zero, next protocol 1 to 5).
//!
//! Cloud notes: AWS VPC Traffic Mirroring sends mirrored packets as VXLAN to
//! UDP 4789 with the VNI set to the mirror session's virtual network ID (one
//! VNI per session, so `vxlan.vni` tells sessions apart), the I flag set and no
//! GBP. A session with a packet length limit truncates the mirrored packet
//! *before* encapsulation: the outer IP/UDP lengths are consistent, but the
//! inner IP header announces more bytes than follow, which the inner dissectors
//! report (tshark does the same).

use std::fmt::Write;

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T};

use crate::ctx::{direct_ethertype, Ctx, Next};
use crate::registry::Protocol;

static VXLAN: FieldDef = FieldDef::new("vxlan", "Virtual eXtensible Local Area Network", T::Protocol);
static FLAGS: FieldDef = FieldDef::new("vxlan.flags", "Flags", T::U16).base(Base::Hex);
static FLAGS_RESERVED: FieldDef =
    FieldDef::new("vxlan.flags_reserved", "Reserved(R)", T::U16).base(Base::Hex).mask(0x77b7);
static FLAG_G: FieldDef =
    FieldDef::new("vxlan.flag_g", "GBP Extension", T::Bool).mask(0x8000).tf("Defined", "Not defined");
static FLAG_I: FieldDef =
    FieldDef::new("vxlan.flag_i", "VXLAN Network ID (VNI)", T::Bool).mask(0x0800).tf("True", "False");
static FLAG_D: FieldDef = FieldDef::new("vxlan.flag_d", "Don't Learn", T::Bool).mask(0x0040).tf("True", "False");
static FLAG_A: FieldDef = FieldDef::new("vxlan.flag_a", "Policy Applied", T::Bool).mask(0x0008).tf("True", "False");
static VER: FieldDef = FieldDef::new("vxlan.ver", "Version", T::U8).mask(0x30);
static I_BIT: FieldDef = FieldDef::new("vxlan.i_bit", "Instance", T::U8).mask(0x08);
static P_BIT: FieldDef = FieldDef::new("vxlan.p_bit", "Next Protocol Bit", T::U8).mask(0x04);
static O_BIT: FieldDef = FieldDef::new("vxlan.o_bit", "OAM bit", T::U8).mask(0x01);
static GBP: FieldDef = FieldDef::new("vxlan.gbp", "Group Policy ID", T::U16);
static VNI: FieldDef = FieldDef::new("vxlan.vni", "VXLAN Network Identifier (VNI)", T::U24);
static RESERVED8: FieldDef = FieldDef::new("vxlan.reserved8", "Reserved", T::U8);
static RESERVED16: FieldDef = FieldDef::new("vxlan.reserved_16", "Reserved", T::U16);
static NEXT_PROTO: FieldDef = FieldDef::new("vxlan.next_proto", "Next Protocol", T::U8).names(NEXT_PROTOS);

/// VXLAN-GPE next protocol numbers (Wireshark's names).
static NEXT_PROTOS: &[(u64, &str)] =
    &[(1, "IPv4"), (2, "IPv6"), (3, "Ethernet"), (4, "Network Service Header"), (5, "MPLS")];

/// The 16 flag bits of plain VXLAN / GBP: (field, bit) in display order.
static FLAG_BITS: [(&FieldDef, u16); 4] = [(&FLAG_G, 0x8000), (&FLAG_I, 0x0800), (&FLAG_D, 0x0040), (&FLAG_A, 0x0008)];

/// UDP ports handed to this dissector.
const PORT_VXLAN: u16 = 4789;
const PORT_GPE: u16 = 4790;
const PORT_LINUX: u16 = 8472;

/// P bit in the first header byte (VXLAN-GPE: a Next Protocol field follows).
const P_FLAG: u8 = 0x04;

/// The VXLAN protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &VXLAN,
    short: "VXLAN",
    leaf: false,
    fields: &[
        &FLAGS, &FLAGS_RESERVED, &FLAG_G, &FLAG_I, &FLAG_D, &FLAG_A, &VER, &I_BIT, &P_BIT, &O_BIT, &GBP, &VNI,
        &RESERVED8, &RESERVED16, &NEXT_PROTO,
    ],
    dissect,
    register: |t| {
        t.udp_port(PORT_VXLAN, &PROTOCOL);
        // Not decoded by tshark 4.0 by default; we do, on purpose (Linux's default).
        t.udp_port(PORT_LINUX, &PROTOCOL);
        t.udp_port(PORT_GPE, &PROTOCOL);
    },
};

/// True when UDP dispatch reached us through the VXLAN-GPE port (the engine
/// tries the lower port first, then the higher one).
fn via_gpe_port(ctx: &Ctx<'_, '_>) -> bool {
    let (a, b) = (ctx.pinfo.src_port, ctx.pinfo.dst_port);
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let ours = |p: u16| matches!(p, PORT_VXLAN | PORT_GPE | PORT_LINUX);
    (if ours(lo) { lo } else { hi }) == PORT_GPE
}

/// A GPE header on a VXLAN port: P bit set, reserved bits and version zero,
/// reserved 16 bits zero, a known next protocol. (A VXLAN or GBP header with
/// the reserved 0x0400 flag set fails at least one of these in practice.)
fn looks_like_gpe(buf: &Buf<'_>) -> bool {
    match (buf.u8(0), buf.be16(1), buf.u8(3)) {
        (Ok(b0), Ok(r16), Ok(np)) => b0 & 0xf4 == P_FLAG && r16 == 0 && (1..=5).contains(&np),
        _ => false,
    }
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("VxLAN");
    let _ = ctx.info_set();
    let gpe = via_gpe_port(ctx) || looks_like_gpe(&buf);
    if gpe {
        // Wireshark's vxlan_gpe is a name-only protocol: no frame.protocols token.
        if ctx.layers.last() == Some(&"vxlan") {
            ctx.layers.pop();
        }
    }
    ctx.open(&VXLAN, &buf, 8);
    let head = if gpe { gpe_head(ctx, &buf) } else { vxlan_head(ctx, &buf) };
    let tail = head.and_then(|np| {
        let vni = buf.be24(4)?;
        ctx.uint(&VNI, &buf, 4, 3, vni as u64);
        let r = buf.u8(7)?;
        ctx.uint(&RESERVED8, &buf, 7, 1, r as u64);
        Ok(np)
    });
    ctx.close();
    let next_proto = match tail {
        Ok(np) => np,
        Err(e) => {
            ctx.malformed("vxlan", e);
            return Next::Done;
        }
    };
    let inner = buf.from(8);
    let next = match next_proto {
        None | Some(3) => Next::Proto(&super::eth::PROTOCOL, inner),
        Some(1) => direct_ethertype(0x0800, inner),
        Some(2) => direct_ethertype(0x86dd, inner),
        Some(4) => direct_ethertype(0x894f, inner),
        Some(5) => direct_ethertype(0x8847, inner),
        Some(_) => Next::Data(inner),
    };
    if !matches!(next, Next::Data(_)) {
        ctx.pinfo.tunnel_depth = ctx.pinfo.tunnel_depth.saturating_add(1);
    }
    next
}

/// Flags and Group Policy ID of plain VXLAN / VXLAN-GBP. `Ok(None)`: Ethernet follows.
fn vxlan_head<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) -> Result<Option<u8>, wirecrab_core::BufError> {
    let flags = buf.be16(0)?;
    let idx = ctx.uint(&FLAGS, buf, 0, 2, flags as u64);
    ctx.label(idx, |s| {
        let _ = write!(s, "Flags: 0x{flags:04x}");
        for (f, bit) in FLAG_BITS {
            if flags & bit != 0 {
                s.push_str(", ");
                s.push_str(f.name);
            }
        }
    });
    ctx.tree.enter();
    for (f, bit) in FLAG_BITS {
        let set = flags & bit != 0;
        let i = ctx.flag(f, buf, 0, 2, set);
        // The full 16-bit picture, as Wireshark draws it for a 16-bit bitmask.
        ctx.label(i, |s| bool_line(s, flags as u64, bit as u64, 16, f, set));
    }
    let rsv = flags & 0x77b7;
    let i = ctx.uint(&FLAGS_RESERVED, buf, 0, 2, rsv as u64);
    ctx.label(i, |s| {
        s.push_str(&bit_picture(flags as u64, 0x77b7, 16));
        let _ = write!(s, " = Reserved(R): 0x{rsv:04x}");
    });
    ctx.tree.leave();
    let gbp = buf.be16(2)?;
    ctx.uint(&GBP, buf, 2, 2, gbp as u64);
    Ok(None)
}

/// Flags, reserved and Next Protocol of VXLAN-GPE. `Ok(Some(next protocol))`.
fn gpe_head<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) -> Result<Option<u8>, wirecrab_core::BufError> {
    let b = buf.u8(0)?;
    let idx = ctx.uint(&FLAGS, buf, 0, 1, b as u64);
    ctx.label(idx, |s| {
        let _ = write!(s, "Flags: 0x{b:02x}");
    });
    ctx.tree.enter();
    ctx.uint(&VER, buf, 0, 1, ((b & 0x30) >> 4) as u64);
    ctx.uint(&I_BIT, buf, 0, 1, ((b & 0x08) >> 3) as u64);
    ctx.uint(&P_BIT, buf, 0, 1, ((b & 0x04) >> 2) as u64);
    ctx.uint(&O_BIT, buf, 0, 1, (b & 0x01) as u64);
    // Wireshark's GPE flags_reserved is an 8-bit field under mask 0xc2.
    let rsv = (b & 0xc2) >> 1;
    let idx = ctx.uint(&FLAGS_RESERVED, buf, 0, 1, rsv as u64);
    ctx.label(idx, |s| {
        s.push_str(&bit_picture(b as u64, 0xc2, 8));
        let _ = write!(s, " = Reserved(R): {rsv}");
    });
    ctx.tree.leave();
    let r16 = buf.be16(1)?;
    ctx.uint(&RESERVED16, buf, 1, 2, r16 as u64);
    let np = buf.u8(3)?;
    ctx.uint(&NEXT_PROTO, buf, 3, 1, np as u64);
    Ok(Some(np))
}

/// `.... 1... .... .... = Name: True`: a flag bit of `raw` as Wireshark shows it.
pub(crate) fn bool_line(s: &mut String, raw: u64, mask: u64, bits: u32, f: &FieldDef, set: bool) {
    s.push_str(&bit_picture(raw, mask, bits));
    s.push_str(" = ");
    s.push_str(f.name);
    s.push_str(": ");
    s.push_str(f.names.lookup(set as u64).unwrap_or(if set { "True" } else { "False" }));
}

/// Wireshark's bit picture of `v` under `mask` (`00.. ..0.`), `bits` wide.
pub(crate) fn bit_picture(v: u64, mask: u64, bits: u32) -> String {
    let mut s = String::with_capacity(bits as usize * 5 / 4);
    for i in (0..bits).rev() {
        if i != bits - 1 && (i + 1) % 4 == 0 {
            s.push(' ');
        }
        s.push(match (mask >> i & 1, v >> i & 1) {
            (0, _) => '.',
            (_, 0) => '0',
            _ => '1',
        });
    }
    s
}

#[cfg(test)]
mod tests {
    use wirecrab_core::{FrameMeta, LinkType, Value, Want};

    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: Vec<u8> = s.bytes().filter(|c| c.is_ascii_hexdigit()).collect();
        s.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("00"), 16).unwrap_or(0)).collect()
    }

    /// Outer Ethernet/IPv4/UDP 40000 → 4789, VXLAN with G, I, D, A set,
    /// GBP 0x1234, VNI 0xabcdef; inner Ethernet/IPv4/ICMP echo request.
    const GBP_FRAME: &str = "
        02000000000102000000000208004500005612344000401114610a0000010a00
        00029c4012b50042000088481234abcdef000200000000030200000000040800
        45000024123440004001a551c0a80101c0a80102080066210042000761626364
        65666768";

    /// The same inner IPv4/ICMP packet behind a VXLAN-GPE header (next protocol 1), to UDP 4790.
    const GPE_FRAME: &str = "
        020000000001020000000002080045000048123440004011146f0a0000010a00
        00029c4012b6003400000c00000100004d0045000024123440004001a551c0a8
        0101c0a8010208006621004200076162636465666768";

    fn run(bytes: &[u8], f: impl FnOnce(crate::Dissection<'_>)) {
        let mut d = crate::Dissector::new(crate::Options { want: Want::All, columns: true, protocols: true });
        let n = bytes.len() as u32;
        let meta =
            FrameMeta { number: 1, orig_len: n, cap_len: n, link_type: LinkType::ETHERNET, ..Default::default() };
        f(d.dissect(&meta, bytes));
    }

    fn values<'t>(r: &'t crate::Dissection<'_>, abbrev: &str) -> Vec<&'t Value> {
        r.tree.nodes().iter().filter(|n| n.field.abbrev == abbrev).map(|n| &n.value).collect()
    }

    fn label(r: &crate::Dissection<'_>, abbrev: &str) -> Option<String> {
        let n = r.tree.nodes().iter().find(|n| n.field.abbrev == abbrev)?;
        r.tree.label(n).map(str::to_string)
    }

    #[test]
    fn vxlan_gbp_frame_through_engine() {
        run(&hex(GBP_FRAME), |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data");
            assert!(!r.malformed);
            assert_eq!(values(&r, "ip.src"), [&Value::V4([10, 0, 0, 1]), &Value::V4([192, 168, 1, 1])]);
            assert_eq!(values(&r, "vxlan.vni"), [&Value::U(0xabcdef)]);
            assert_eq!(values(&r, "vxlan.gbp"), [&Value::U(0x1234)]);
            assert_eq!(values(&r, "vxlan.flags"), [&Value::U(0x8848)]);
            assert_eq!(values(&r, "vxlan.flag_g"), [&Value::Bool(true)]);
            assert_eq!(values(&r, "vxlan.flag_i"), [&Value::Bool(true)]);
            assert_eq!(values(&r, "vxlan.flags_reserved"), [&Value::U(0)]);
            assert_eq!(values(&r, "vxlan.reserved8"), [&Value::U(0)]);
            assert_eq!(
                label(&r, "vxlan.flags").as_deref(),
                Some("Flags: 0x8848, GBP Extension, VXLAN Network ID (VNI), Don't Learn, Policy Applied")
            );
            // The vxlan node spans the 8-byte header at offset 42 and holds its fields.
            let n = r.tree.nodes().iter().find(|n| n.field.abbrev == "vxlan").map(|n| (n.start, n.len, n.depth));
            assert_eq!(n, Some((42, 8, 0)));
            assert_eq!(r.cols.protocol, "ICMP");
        });
    }

    #[test]
    fn vxlan_reserved_flags_are_not_gpe() {
        // Flags 0x0fff include the reserved 0x0400 (GPE's P bit): still VXLAN, as in tshark.
        let mut b = hex(GBP_FRAME);
        b[42..46].copy_from_slice(&[0x0f, 0xff, 0, 0]);
        run(&b, |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data");
            assert_eq!(values(&r, "vxlan.flags_reserved"), [&Value::U(0x07b7)]);
            assert_eq!(label(&r, "vxlan.flags_reserved").as_deref(), Some(".000 .111 1.11 .111 = Reserved(R): 0x07b7"));
            assert_eq!(
                label(&r, "vxlan.flags").as_deref(),
                Some("Flags: 0x0fff, VXLAN Network ID (VNI), Don't Learn, Policy Applied")
            );
            assert_eq!(label(&r, "vxlan.flag_d").as_deref(), Some(".... .... .1.. .... = Don't Learn: True"));
            assert_eq!(label(&r, "vxlan.flag_g").as_deref(), Some("0... .... .... .... = GBP Extension: Not defined"));
        });
    }

    #[test]
    fn vxlan_gpe_next_protocol_ipv4() {
        run(&hex(GPE_FRAME), |r| {
            // As in tshark: the GPE layer leaves no token, IPv4 follows directly.
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:ip:icmp:data");
            assert_eq!(values(&r, "vxlan.next_proto"), [&Value::U(1)]);
            assert_eq!(values(&r, "vxlan.p_bit"), [&Value::U(1)]);
            assert_eq!(values(&r, "vxlan.i_bit"), [&Value::U(1)]);
            assert_eq!(values(&r, "vxlan.vni"), [&Value::U(77)]);
            assert_eq!(values(&r, "ip.src").len(), 2);
            assert_eq!(label(&r, "vxlan.flags_reserved").as_deref(), Some("00.. ..0. = Reserved(R): 0"));
        });
    }

    #[test]
    fn vxlan_linux_port_and_p_bit_on_4789() {
        // 8472: Linux's default port (tshark does not decode it by default).
        let mut b = hex(GBP_FRAME);
        b[36..38].copy_from_slice(&8472u16.to_be_bytes());
        run(&b, |r| assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:icmp:data"));
        // GPE header on 4789: read as GPE because the P bit is set.
        let mut b = hex(GPE_FRAME);
        b[37] = 0xb5;
        run(&b, |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:ip:icmp:data");
            assert_eq!(values(&r, "ip.src").len(), 2);
        });
    }

    #[test]
    fn vxlan_short_header_is_malformed_or_truncated() {
        // UDP payload of 5 bytes: flags and GBP, then the VNI is missing.
        let mut b = hex(GBP_FRAME);
        b.truncate(42 + 5);
        b[16..18].copy_from_slice(&(20u16 + 8 + 5).to_be_bytes());
        b[38..40].copy_from_slice(&(8u16 + 5).to_be_bytes());
        run(&b, |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:vxlan");
            assert!(r.malformed);
            assert_eq!(r.cols.protocol, "VxLAN");
            assert_eq!(r.cols.info_text(), "[Malformed Packet]");
            assert_eq!(values(&r, "vxlan.gbp").len(), 1);
            assert!(values(&r, "vxlan.vni").is_empty());
        });
        // Cut by the snapshot length instead.
        let full = hex(GBP_FRAME);
        let mut d = crate::Dissector::new(crate::Options { want: Want::All, columns: true, protocols: true });
        let meta = FrameMeta {
            number: 1,
            orig_len: full.len() as u32,
            cap_len: 46,
            link_type: LinkType::ETHERNET,
            ..Default::default()
        };
        let r = d.dissect(&meta, &full[..46]);
        assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:vxlan");
        assert_eq!(r.cols.info_text(), "[Packet size limited during capture]");
    }

    /// Tiny xorshift64 generator: deterministic pseudo-random bytes, no deps.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Run `frame`'s prefixes, `frame` with random bytes in its tunnel header and
    /// 10k random strings behind an outer header that leads to `port`.
    fn no_panic(frame: &[u8], port: u16, seed: u64) {
        let mut d = crate::Dissector::new(crate::Options { want: Want::All, columns: true, protocols: true });
        let mut go = |b: &[u8], orig: usize| {
            let meta = FrameMeta {
                number: 1,
                orig_len: orig as u32,
                cap_len: b.len() as u32,
                link_type: LinkType::ETHERNET,
                ..Default::default()
            };
            let _ = d.dissect(&meta, b);
        };
        for n in 0..=frame.len() {
            go(&frame[..n], n);
            go(&frame[..n], frame.len());
        }
        let mut rng = XorShift(seed);
        for i in 0..10_000 {
            let len = (rng.next() % 160) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if i % 2 == 0 {
                // Keep a valid outer Eth/IPv4/UDP prefix so the tunnel dissector runs.
                let keep = 42.min(frame.len());
                let mut v = frame[..keep].to_vec();
                v.extend_from_slice(&b);
                if v.len() >= 42 {
                    let n = v.len();
                    v[16..18].copy_from_slice(&((n - 14) as u16).to_be_bytes());
                    v[36..38].copy_from_slice(&port.to_be_bytes());
                    v[38..40].copy_from_slice(&((n - 34) as u16).to_be_bytes());
                }
                b = v;
            }
            let orig = if i % 3 == 0 { b.len() + (rng.next() % 64) as usize } else { b.len() };
            go(&b, orig);
        }
    }

    #[test]
    fn vxlan_no_panic() {
        no_panic(&hex(GBP_FRAME), 4789, 0x9e37_79b9_7f4a_7c15);
        no_panic(&hex(GPE_FRAME), 4790, 0x1234_5678_9abc_def1);
    }

    #[test]
    fn bit_pictures() {
        assert_eq!(bit_picture(0x0c, 0xc2, 8), "00.. ..0.");
        assert_eq!(bit_picture(0x0fff, 0x77b7, 16), ".000 .111 1.11 .111");
    }
}

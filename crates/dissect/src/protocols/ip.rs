//! Internet Protocol version 4 (RFC 791; DSCP/ECN RFC 2474/3168).
//!
//! ```text
//!  0                   1                   2                   3
//! +-------+-------+---------------+-------------------------------+
//! |Version|  IHL  |  DSCP   | ECN |          Total Length         |
//! +-------+-------+---------------+-----+-------------------------+
//! |         Identification        |Flags|     Fragment Offset     |
//! +---------------+---------------+-----+-------------------------+
//! |  Time to Live |    Protocol   |        Header Checksum        |
//! +---------------+---------------+-------------------------------+
//! |                       Source Address                          |
//! |                    Destination Address                        |
//! |                    Options (IHL > 5)                          |
//! +---------------------------------------------------------------+
//! ```
//! A total length of 0 is taken as "whatever was captured": TCP segmentation
//! offload on the capturing host leaves it unset. Fragments are not reassembled
//! yet (a later issue): their payload is `data`, as tshark shows every fragment
//! but the last.

use std::fmt::Write;

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Value};

use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::defrag::{fragment_fields, Defrag, FragmentFields};
use crate::registry::Protocol;

static IP: FieldDef = FieldDef::new("ip", "Internet Protocol Version 4", T::Protocol);
static VERSION: FieldDef = FieldDef::new("ip.version", "Version", T::U8);
static HDR_LEN: FieldDef = FieldDef::new("ip.hdr_len", "Header Length", T::U8);
static DSFIELD: FieldDef = FieldDef::new("ip.dsfield", "Differentiated Services Field", T::U8).base(Base::Hex);
static DSCP: FieldDef = FieldDef::new("ip.dsfield.dscp", "Differentiated Services Codepoint", T::U8).mask(0xfc);
static ECN: FieldDef = FieldDef::new("ip.dsfield.ecn", "Explicit Congestion Notification", T::U8).mask(0x03);
static LEN: FieldDef = FieldDef::new("ip.len", "Total Length", T::U16);
static ID: FieldDef = FieldDef::new("ip.id", "Identification", T::U16).base(Base::HexDec);
static FLAGS: FieldDef = FieldDef::new("ip.flags", "Flags", T::U8).base(Base::Hex).mask(0xe0);
static FLAG_RB: FieldDef = FieldDef::new("ip.flags.rb", "Reserved bit", T::Bool).mask(0x80);
static FLAG_DF: FieldDef = FieldDef::new("ip.flags.df", "Don't fragment", T::Bool).mask(0x40);
static FLAG_MF: FieldDef = FieldDef::new("ip.flags.mf", "More fragments", T::Bool).mask(0x20);
static FRAG_OFFSET: FieldDef = FieldDef::new("ip.frag_offset", "Fragment Offset", T::U16).mask(0x1fff);
static TTL: FieldDef = FieldDef::new("ip.ttl", "Time to Live", T::U8);
static TTL_TOO_SMALL: FieldDef = FieldDef::new("ip.ttl.too_small", "Time To Live too small", T::None);
static PROTO: FieldDef = FieldDef::new("ip.proto", "Protocol", T::U8).names(IP_PROTOCOLS);
static CHECKSUM: FieldDef = FieldDef::new("ip.checksum", "Header Checksum", T::U16).base(Base::Hex);
static CHECKSUM_STATUS: FieldDef =
    FieldDef::new("ip.checksum.status", "Header checksum status", T::U8).names(super::udp::CHECKSUM_STATUS_NAMES);
static SRC: FieldDef = FieldDef::new("ip.src", "Source Address", T::Ipv4);
static DST: FieldDef = FieldDef::new("ip.dst", "Destination Address", T::Ipv4);
static ADDR: FieldDef = FieldDef::new("ip.addr", "Source or Destination Address", T::Ipv4).hidden();
static SRC_HOST: FieldDef = FieldDef::new("ip.src_host", "Source Host", T::String).hidden();
static DST_HOST: FieldDef = FieldDef::new("ip.dst_host", "Destination Host", T::String).hidden();
static HOST: FieldDef = FieldDef::new("ip.host", "Source or Destination Host", T::String).hidden();
static OPT_TYPE: FieldDef = FieldDef::new("ip.opt.type", "Type", T::U8);
static OPT_LEN: FieldDef = FieldDef::new("ip.opt.len", "Length", T::U8);
static OPT_DATA: FieldDef = FieldDef::new("ip.options", "Options", T::Bytes);
static FRAGMENTS: FieldDef = FieldDef::new("ip.fragments", "IPv4 Fragments", T::Bytes).generated();
static FRAGMENT: FieldDef = FieldDef::new("ip.fragment", "IPv4 Fragment", T::FrameNum).generated();
static FRAGMENT_COUNT: FieldDef = FieldDef::new("ip.fragment.count", "Fragment count", T::U32).generated();
static REASSEMBLED_LENGTH: FieldDef = FieldDef::new("ip.reassembled.length", "Reassembled IPv4 length", T::U32).generated();
static REASSEMBLED_DATA: FieldDef = FieldDef::new("ip.reassembled.data", "Reassembled IPv4 data", T::Bytes).generated();
// Filled only when a first pass has seen the whole datagram (tshark -2); a
// single pass leaves it empty, as tshark's does.
static REASSEMBLED_IN: FieldDef = FieldDef::new("ip.reassembled_in", "Reassembled IPv4 in frame", T::FrameNum).generated();
static FRAGMENT_FIELDS: FragmentFields = FragmentFields {
    family: "IPv4",
    fragments: &FRAGMENTS,
    fragment: &FRAGMENT,
    count: &FRAGMENT_COUNT,
    length: &REASSEMBLED_LENGTH,
    data: Some(&REASSEMBLED_DATA),
};
static BOGUS_LEN: FieldDef = FieldDef::new("ip.bogus_ip_length", "Bogus IP length", T::None);
static BOGUS_VERSION: FieldDef = FieldDef::new("ip.bogus_ip_version", "Bogus IP version", T::None);
static BOGUS_HDR_LEN: FieldDef = FieldDef::new("ip.bogus_header_length", "Bogus IP header length", T::None);

/// IP protocol numbers (IANA), for `ip.proto` and the fragment Info text.
pub static IP_PROTOCOLS: &[(u64, &str)] = &[
    (0, "IPv6 Hop-by-Hop Option"),
    (1, "ICMP"),
    (2, "IGMP"),
    (4, "IPIP"),
    (6, "TCP"),
    (17, "UDP"),
    (41, "IPv6"),
    (43, "IPv6 Routing"),
    (44, "IPv6 Fragment"),
    (47, "GRE"),
    (50, "ESP"),
    (51, "AH"),
    (58, "ICMPv6"),
    (59, "IPv6 No Next Header"),
    (60, "IPv6 Destination Options"),
    (89, "OSPF IGP"),
    (103, "PIM"),
    (112, "VRRP"),
    (132, "SCTP"),
    (136, "UDPLite"),
];

/// The IPv4 protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &IP,
    short: "IPv4",
    leaf: false,
    fields: &[
        &VERSION, &HDR_LEN, &DSFIELD, &DSCP, &ECN, &LEN, &ID, &FLAGS, &FLAG_RB, &FLAG_DF, &FLAG_MF, &FRAG_OFFSET, &TTL, &TTL_TOO_SMALL,
        &PROTO, &CHECKSUM, &CHECKSUM_STATUS, &SRC, &DST, &ADDR, &SRC_HOST, &DST_HOST, &HOST, &OPT_TYPE, &OPT_LEN,
        &OPT_DATA, &BOGUS_LEN, &BOGUS_VERSION, &BOGUS_HDR_LEN, &FRAGMENTS, &FRAGMENT, &FRAGMENT_COUNT,
        &REASSEMBLED_LENGTH, &REASSEMBLED_DATA, &REASSEMBLED_IN,
    ],
    dissect,
    register: |t| {
        t.ethertype(0x0800, &PROTOCOL);
        t.ip_proto(4, &PROTOCOL);
    },
};

fn bogus<'a>(ctx: &mut Ctx<'a, '_>, f: &'static FieldDef, text: std::fmt::Arguments) -> Next<'a> {
    ctx.close();
    if let Some(i) = ctx.info_set() {
        let _ = i.write_fmt(text);
    }
    ctx.expert(f, wirecrab_core::Severity::Error, "Malformed", f.name);
    Next::Done
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("IPv4");
    ctx.info_set();
    let idx = ctx.open(&IP, &buf, 20);
    let b0 = match buf.u8(0) {
        Ok(b) => b,
        Err(e) => {
            ctx.close();
            ctx.malformed("ip", e);
            return Next::Done;
        }
    };
    let (version, ihl) = (b0 >> 4, ((b0 & 15) as usize) * 4);
    ctx.uint(&VERSION, &buf, 0, 1, version as u64);
    if version != 4 {
        return bogus(ctx, &BOGUS_VERSION, format_args!("Bogus IPv4 version ({version}, must be 4)"));
    }
    ctx.uint(&HDR_LEN, &buf, 0, 1, ihl as u64);
    if ihl < 20 {
        return bogus(ctx, &BOGUS_HDR_LEN, format_args!("Bogus IP header length ({ihl}, must be at least 20)"));
    }
    let hdr = match buf.slice(0, 20) {
        Ok(h) => h,
        Err(e) => {
            partial_header(ctx, &buf);
            ctx.close();
            ctx.malformed("ip", e);
            return Next::Done;
        }
    };
    let tos = hdr[1];
    let mut total = u16::from_be_bytes([hdr[2], hdr[3]]) as usize;
    if total == 0 {
        total = buf.reported_len();
    }
    // Most runs keep no IPv4 field: skip testing each one's bit.
    let fields = !ctx.needs.fieldless(&PROTOCOL);
    if fields {
        ctx.uint(&DSFIELD, &buf, 1, 1, tos as u64);
        if ctx.tree.wants_all() || ctx.tree.wants(&DSCP) || ctx.tree.wants(&ECN) {
            ctx.tree.enter();
            ctx.uint(&DSCP, &buf, 1, 1, (tos >> 2) as u64);
            ctx.uint(&ECN, &buf, 1, 1, (tos & 3) as u64);
            ctx.tree.leave();
        }
        ctx.uint(&LEN, &buf, 2, 2, total as u64);
    }
    if total < ihl {
        return bogus(ctx, &BOGUS_LEN, format_args!("Bogus IP length ({total}, less than header length {ihl})"));
    }
    let id = u16::from_be_bytes([hdr[4], hdr[5]]);
    let ff = u16::from_be_bytes([hdr[6], hdr[7]]);
    let (df, mf, off) = (ff & 0x4000 != 0, ff & 0x2000 != 0, ff & 0x1fff);
    let (ttl, proto) = (hdr[8], hdr[9]);
    let src: [u8; 4] = [hdr[12], hdr[13], hdr[14], hdr[15]];
    let dst: [u8; 4] = [hdr[16], hdr[17], hdr[18], hdr[19]];
    if fields {
        ctx.uint(&ID, &buf, 4, 2, id as u64);
        ctx.uint(&FLAGS, &buf, 6, 1, (ff >> 13) as u64);
        if ctx.tree.wants_all() || ctx.tree.wants(&FLAG_DF) || ctx.tree.wants(&FLAG_MF) || ctx.tree.wants(&FLAG_RB) {
            ctx.tree.enter();
            ctx.flag(&FLAG_RB, &buf, 6, 1, ff & 0x8000 != 0);
            ctx.flag(&FLAG_DF, &buf, 6, 1, df);
            ctx.flag(&FLAG_MF, &buf, 6, 1, mf);
            ctx.tree.leave();
        }
        ctx.uint(&FRAG_OFFSET, &buf, 6, 2, off as u64);
        ctx.uint(&TTL, &buf, 8, 1, ttl as u64);
    }
    // A unicast datagram about to expire (multicast and PIM use small TTLs on purpose).
    if ttl < 5 && proto != 103 && !(224..=239).contains(&hdr[16]) && !ctx.pinfo.in_error {
        ctx.expert(&TTL_TOO_SMALL, wirecrab_core::Severity::Note, "Sequence", format!("\"Time To Live\" only {ttl}"));
    }
    if fields {
        ctx.uint(&PROTO, &buf, 9, 1, proto as u64);
        ctx.uint(&CHECKSUM, &buf, 10, 2, u16::from_be_bytes([hdr[10], hdr[11]]) as u64);
        // Wireshark does not verify IPv4 checksums by default: status 2 = "Unverified".
        ctx.uint(&CHECKSUM_STATUS, &buf, 10, 2, 2);
        ctx.add(&SRC, &buf, 12, 4, Value::V4(src));
        ctx.add(&ADDR, &buf, 12, 4, Value::V4(src));
        host_fields(ctx, &buf, 12, src, &SRC_HOST);
        ctx.add(&DST, &buf, 16, 4, Value::V4(dst));
        ctx.add(&ADDR, &buf, 16, 4, Value::V4(dst));
        host_fields(ctx, &buf, 16, dst, &DST_HOST);
    }
    ctx.label(idx, |s| {
        s.push_str("Internet Protocol Version 4, Src: ");
        crate::names::write_v4(s, &src);
        s.push_str(", Dst: ");
        crate::names::write_v4(s, &dst);
    });
    if ctx.cols.writable {
        // Inside an ICMP error the columns keep the outer packet's addresses.
        ctx.cols.net_src = Address::V4(src);
        ctx.cols.net_dst = Address::V4(dst);
    }
    ctx.pinfo.net_src = Address::V4(src);
    ctx.pinfo.net_dst = Address::V4(dst);
    ctx.pinfo.ttl = ttl;
    if ihl > 20 {
        match buf.slice(20, ihl - 20) {
            Ok(_) => options(ctx, &buf.sub(20, ihl - 20)),
            Err(e) => {
                ctx.close();
                ctx.malformed("ip", e);
                return Next::Done;
            }
        }
    }
    ctx.tree.set_len(idx, ihl);
    ctx.close();
    let datagram = buf.limit(total);
    ctx.set_l3_end(&buf, total);
    let payload = datagram.from(ihl);
    if mf || off != 0 {
        if !ctx.pinfo.in_error && !payload.is_truncated() {
            let key = (src, dst, id, proto);
            let frame = ctx.meta.number;
            let whole = ctx.state.get::<Defrag<([u8; 4], [u8; 4], u16, u8)>>().add(key, frame, off as usize * 8, payload.bytes(), !mf);
            if let Some(whole) = whole {
                fragment_fields(ctx, &FRAGMENT_FIELDS, &whole);
                return Next::Reassembled(whole.data, proto);
            }
        }
        if let Some(i) = ctx.info_set() {
            let name = IP_PROTOCOLS.iter().find(|(k, _)| *k == proto as u64).map_or("Unknown", |(_, s)| *s);
            let _ = write!(i, "Fragmented IP protocol (proto={name} {proto}, off={}, ID={id:04x})", off as usize * 8);
        }
        return Next::Data(payload);
    }
    if total > buf.reported_len() {
        // The header claims more than the frame holds: dissect what is there.
        ctx.expert(&BOGUS_LEN, wirecrab_core::Severity::Error, "Malformed", "IPv4 total length exceeds packet length");
    }
    if let Some(i) = ctx.info_set() {
        i.push_str("IPv4 protocol ");
        crate::names::write_u64(i, proto as u64);
    }
    if payload.reported_len() == 0 {
        return Next::Done;
    }
    Next::IpProto(proto, payload)
}

/// The fields of a header cut short by the snapshot length: Wireshark shows
/// each field that was captured before the cut.
fn partial_header<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) {
    if let Ok(tos) = buf.u8(1) {
        ctx.uint(&DSFIELD, buf, 1, 1, tos as u64);
    }
    if let Ok(v) = buf.be16(2) {
        ctx.uint(&LEN, buf, 2, 2, v as u64);
    }
    if let Ok(v) = buf.be16(4) {
        ctx.uint(&ID, buf, 4, 2, v as u64);
    }
    if let Ok(v) = buf.be16(6) {
        ctx.uint(&FLAGS, buf, 6, 1, (v >> 13) as u64);
        ctx.uint(&FRAG_OFFSET, buf, 6, 2, (v & 0x1fff) as u64);
    }
    if let Ok(v) = buf.u8(8) {
        ctx.uint(&TTL, buf, 8, 1, v as u64);
    }
    if let Ok(v) = buf.u8(9) {
        ctx.uint(&PROTO, buf, 9, 1, v as u64);
    }
    if let Ok(v) = buf.be16(10) {
        ctx.uint(&CHECKSUM, buf, 10, 2, v as u64);
    }
    for (f, off) in [(&SRC, 12), (&DST, 16)] {
        if let Ok(a) = buf.array::<4>(off) {
            ctx.add(f, buf, off, 4, Value::V4(a));
            ctx.add(&ADDR, buf, off, 4, Value::V4(a));
        }
    }
}

/// `ip.src_host` and friends: without name resolution, the address as text.
fn host_fields<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, off: usize, a: [u8; 4], own: &'static FieldDef) {
    if ctx.tree.wants(own) || ctx.tree.wants(&HOST) {
        let mut s = String::new();
        crate::names::write_v4(&mut s, &a);
        let s: Box<str> = s.into();
        ctx.add(own, buf, off, 4, Value::OwnedStr(s.clone()));
        ctx.add(&HOST, buf, off, 4, Value::OwnedStr(s));
    }
}

/// Walk the options (RFC 791 §3.1): type, length, data; 0 ends, 1 pads.
fn options<'a>(ctx: &mut Ctx<'a, '_>, opts: &Buf<'a>) {
    let mut o = 0;
    while o < opts.len() {
        let Ok(t) = opts.u8(o) else { break };
        ctx.uint(&OPT_TYPE, opts, o, 1, t as u64);
        match t {
            0 => break,
            1 => o += 1,
            _ => {
                let len = opts.u8(o + 1).unwrap_or(0) as usize;
                ctx.uint(&OPT_LEN, opts, o + 1, 1, len as u64);
                if len < 2 {
                    break;
                }
                ctx.bytes(&OPT_DATA, opts, o, len);
                o += len;
            }
        }
    }
}

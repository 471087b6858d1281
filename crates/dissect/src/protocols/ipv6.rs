//! Internet Protocol version 6 (RFC 8200) with its extension headers:
//! hop-by-hop options (0), routing (43), fragment (44), destination options
//! (60), AH (51, RFC 4302); ESP (50) is recognised and its payload left opaque.
//!
//! ```text
//! +-------+---------------+---------------------------------------+
//! |Version| Traffic Class |              Flow Label               |
//! +-------+-------+-------+-------+---------------+---------------+
//! |        Payload Length         |  Next Header  |   Hop Limit   |
//! +-------------------------------+---------------+---------------+
//! |                     Source Address (16)                       |
//! |                  Destination Address (16)                     |
//! +---------------------------------------------------------------+
//! ```
//! Fragments are not reassembled yet (a later issue): their payload is `data`.

use std::fmt::Write;

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Value};

use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::defrag::{fragment_fields, Defrag, FragmentFields};
use crate::registry::Protocol;

static IPV6: FieldDef = FieldDef::new("ipv6", "Internet Protocol Version 6", T::Protocol);
static FRAGMENTS: FieldDef = FieldDef::new("ipv6.fragments", "IPv6 Fragments", T::None).generated();
static FRAGMENT: FieldDef = FieldDef::new("ipv6.fragment", "IPv6 Fragment", T::FrameNum).generated();
static FRAGMENT_COUNT: FieldDef = FieldDef::new("ipv6.fragment.count", "Fragment count", T::U32).generated();
static REASSEMBLED_LENGTH: FieldDef = FieldDef::new("ipv6.reassembled.length", "Reassembled IPv6 length", T::U32).generated();
// Filled only by a first pass over the whole capture; empty in one pass, as in tshark.
static REASSEMBLED_IN: FieldDef = FieldDef::new("ipv6.reassembled_in", "Reassembled IPv6 in frame", T::FrameNum).generated();
static FRAGMENT_FIELDS: FragmentFields = FragmentFields {
    family: "IPv6",
    fragments: &FRAGMENTS,
    fragment: &FRAGMENT,
    count: &FRAGMENT_COUNT,
    length: &REASSEMBLED_LENGTH,
    data: None,
};
static VERSION: FieldDef = FieldDef::new("ipv6.version", "Version", T::U8);
static TCLASS: FieldDef = FieldDef::new("ipv6.tclass", "Traffic Class", T::U32).base(Base::Hex).mask(0x0ff0_0000);
static DSCP: FieldDef = FieldDef::new("ipv6.tclass.dscp", "Differentiated Services Codepoint", T::U32).mask(0x0fc0_0000);
static ECN: FieldDef = FieldDef::new("ipv6.tclass.ecn", "Explicit Congestion Notification", T::U32).mask(0x0030_0000);
static FLOW: FieldDef = FieldDef::new("ipv6.flow", "Flow Label", T::U24).base(Base::Hex).mask(0xfffff);
static PLEN: FieldDef = FieldDef::new("ipv6.plen", "Payload Length", T::U16);
static NXT: FieldDef = FieldDef::new("ipv6.nxt", "Next Header", T::U8).names(super::ip::IP_PROTOCOLS);
static HLIM: FieldDef = FieldDef::new("ipv6.hlim", "Hop Limit", T::U8);
static SRC: FieldDef = FieldDef::new("ipv6.src", "Source Address", T::Ipv6);
static DST: FieldDef = FieldDef::new("ipv6.dst", "Destination Address", T::Ipv6);
static ADDR: FieldDef = FieldDef::new("ipv6.addr", "Source or Destination Address", T::Ipv6).hidden();
static SRC_HOST: FieldDef = FieldDef::new("ipv6.src_host", "Source Host", T::String).hidden();
static DST_HOST: FieldDef = FieldDef::new("ipv6.dst_host", "Destination Host", T::String).hidden();
static HOST: FieldDef = FieldDef::new("ipv6.host", "Source or Destination Host", T::String).hidden();
static HOPOPTS: FieldDef = FieldDef::new("ipv6.hopopts", "IPv6 Hop-by-Hop Option", T::Protocol);
static HOPOPTS_NXT: FieldDef = FieldDef::new("ipv6.hopopts.nxt", "Next Header", T::U8);
static HOPOPTS_LEN: FieldDef = FieldDef::new("ipv6.hopopts.len", "Length", T::U8);
static HOPOPTS_LEN_OCT: FieldDef = FieldDef::new("ipv6.hopopts.len_oct", "Length", T::U16);
static DSTOPTS: FieldDef = FieldDef::new("ipv6.dstopts", "Destination Options for IPv6", T::Protocol);
static DSTOPTS_NXT: FieldDef = FieldDef::new("ipv6.dstopts.nxt", "Next Header", T::U8);
static DSTOPTS_LEN: FieldDef = FieldDef::new("ipv6.dstopts.len", "Length", T::U8);
static DSTOPTS_LEN_OCT: FieldDef = FieldDef::new("ipv6.dstopts.len_oct", "Length", T::U16);
static OPT_TYPE: FieldDef = FieldDef::new("ipv6.opt.type", "Type", T::U8).base(Base::Hex);
static OPT_LENGTH: FieldDef = FieldDef::new("ipv6.opt.length", "Length", T::U8);
static OPT_PADN: FieldDef = FieldDef::new("ipv6.opt.padn", "PadN", T::Bytes);
static OPT_ROUTER_ALERT: FieldDef = FieldDef::new("ipv6.opt.router_alert", "Router Alert", T::U16);
static ROUTING: FieldDef = FieldDef::new("ipv6.routing", "Routing Header for IPv6", T::Protocol);
static ROUTING_NXT: FieldDef = FieldDef::new("ipv6.routing.nxt", "Next Header", T::U8);
static ROUTING_LEN: FieldDef = FieldDef::new("ipv6.routing.len", "Length", T::U8);
static ROUTING_LEN_OCT: FieldDef = FieldDef::new("ipv6.routing.len_oct", "Length", T::U16);
static ROUTING_TYPE: FieldDef = FieldDef::new("ipv6.routing.type", "Type", T::U8);
static ROUTING_SEGLEFT: FieldDef = FieldDef::new("ipv6.routing.segleft", "Segments Left", T::U8);
static ROUTING_ADDR: FieldDef = FieldDef::new("ipv6.routing.src.addr", "Address", T::Ipv6);
static FRAGHDR: FieldDef = FieldDef::new("ipv6.fraghdr", "Fragment Header for IPv6", T::Protocol);
static FRAG_NXT: FieldDef = FieldDef::new("ipv6.fraghdr.nxt", "Next header", T::U8);
static FRAG_OFFSET: FieldDef = FieldDef::new("ipv6.fraghdr.offset", "Offset", T::U16).mask(0xfff8);
static FRAG_MORE: FieldDef = FieldDef::new("ipv6.fraghdr.more", "More Fragments", T::Bool).mask(0x0001).width(16);
static FRAG_IDENT: FieldDef = FieldDef::new("ipv6.fraghdr.ident", "Identification", T::U32).base(Base::Hex);
static AH: FieldDef = FieldDef::new("ah", "Authentication Header", T::Protocol);
static AH_NXT: FieldDef = FieldDef::new("ah.next_header", "Next header", T::U8);
static AH_LEN: FieldDef = FieldDef::new("ah.length", "Length", T::U8);
static AH_SPI: FieldDef = FieldDef::new("ah.spi", "AH SPI", T::U32).base(Base::Hex);
static AH_SEQ: FieldDef = FieldDef::new("ah.sequence", "AH Sequence", T::U32);
static AH_ICV: FieldDef = FieldDef::new("ah.icv", "AH ICV", T::Bytes);
static ESP: FieldDef = FieldDef::new("esp", "Encapsulating Security Payload", T::Protocol);
static ESP_SPI: FieldDef = FieldDef::new("esp.spi", "ESP SPI", T::U32).base(Base::Hex);
static ESP_SEQ: FieldDef = FieldDef::new("esp.sequence", "ESP Sequence", T::U32);

/// The IPv6 protocol (with its extension headers).
pub static PROTOCOL: Protocol = Protocol {
    field: &IPV6,
    short: "IPv6",
    leaf: false,
    fields: &[
        &VERSION, &TCLASS, &DSCP, &ECN, &FLOW, &PLEN, &NXT, &HLIM, &SRC, &DST, &ADDR, &SRC_HOST, &DST_HOST, &HOST,
        &FRAGMENTS, &FRAGMENT, &FRAGMENT_COUNT, &REASSEMBLED_LENGTH, &REASSEMBLED_IN,
        &HOPOPTS, &HOPOPTS_NXT, &HOPOPTS_LEN, &HOPOPTS_LEN_OCT, &DSTOPTS, &DSTOPTS_NXT, &DSTOPTS_LEN, &DSTOPTS_LEN_OCT,
        &OPT_TYPE, &OPT_LENGTH, &OPT_PADN, &OPT_ROUTER_ALERT, &ROUTING, &ROUTING_NXT, &ROUTING_LEN, &ROUTING_LEN_OCT,
        &ROUTING_TYPE, &ROUTING_SEGLEFT, &ROUTING_ADDR, &FRAGHDR, &FRAG_NXT, &FRAG_OFFSET, &FRAG_MORE, &FRAG_IDENT,
        &AH, &AH_NXT, &AH_LEN, &AH_SPI, &AH_SEQ, &AH_ICV, &ESP, &ESP_SPI, &ESP_SEQ,
    ],
    dissect,
    register: |t| {
        t.ethertype(0x86dd, &PROTOCOL);
        t.ip_proto(41, &PROTOCOL);
    },
};

fn write_v6(s: &mut String, a: &[u8; 16]) {
    let _ = write!(s, "{}", std::net::Ipv6Addr::from(*a));
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("IPv6");
    let version = buf.u8(0).map(|b| b >> 4);
    if let Ok(v) = version {
        if v != 6 {
            // Wireshark's IPv6 dissector refuses the packet; the ethertype layer
            // then shows it as data named by its EtherType.
            ctx.layers.pop();
            ctx.set_protocol("0x86dd");
            if let Some(i) = ctx.info_set() {
                i.push_str("IPv6");
            }
            return Next::Data(buf);
        }
    }
    let idx = ctx.open(&IPV6, &buf, 40);
    let h = match buf.slice(0, 40) {
        Ok(h) => h,
        Err(e) => {
            // Keep the fields that were captured, as Wireshark does.
            if let Ok(v) = buf.be16(4) {
                ctx.uint(&PLEN, &buf, 4, 2, v as u64);
            }
            if let Ok(v) = buf.u8(6) {
                ctx.uint(&NXT, &buf, 6, 1, v as u64);
            }
            if let Ok(v) = buf.u8(7) {
                ctx.uint(&HLIM, &buf, 7, 1, v as u64);
            }
            if let Ok(a) = buf.array::<16>(8) {
                ctx.add(&SRC, &buf, 8, 16, Value::V6(a));
                ctx.add(&ADDR, &buf, 8, 16, Value::V6(a));
            }
            if let Ok(a) = buf.array::<16>(24) {
                ctx.add(&DST, &buf, 24, 16, Value::V6(a));
                ctx.add(&ADDR, &buf, 24, 16, Value::V6(a));
            }
            ctx.close();
            if let Some(i) = ctx.info_set() {
                i.clear();
            }
            ctx.malformed("ipv6", e);
            return Next::Done;
        }
    };
    let w0 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    let mut plen = u16::from_be_bytes([h[4], h[5]]) as usize;
    let (nxt, hlim) = (h[6], h[7]);
    let mut src = [0u8; 16];
    let mut dst = [0u8; 16];
    src.copy_from_slice(&h[8..24]);
    dst.copy_from_slice(&h[24..40]);
    if plen == 0 {
        plen = buf.reported_len().saturating_sub(40);
    }
    ctx.uint(&VERSION, &buf, 0, 1, 6);
    ctx.uint(&TCLASS, &buf, 0, 4, ((w0 >> 20) & 0xff) as u64);
    ctx.uint(&DSCP, &buf, 0, 4, ((w0 >> 22) & 0x3f) as u64);
    ctx.uint(&ECN, &buf, 0, 4, ((w0 >> 20) & 3) as u64);
    ctx.uint(&FLOW, &buf, 1, 3, (w0 & 0xfffff) as u64);
    ctx.uint(&PLEN, &buf, 4, 2, plen as u64);
    ctx.uint(&NXT, &buf, 6, 1, nxt as u64);
    ctx.uint(&HLIM, &buf, 7, 1, hlim as u64);
    ctx.add(&SRC, &buf, 8, 16, Value::V6(src));
    ctx.add(&ADDR, &buf, 8, 16, Value::V6(src));
    host(ctx, &buf, 8, &src, &SRC_HOST);
    ctx.add(&DST, &buf, 24, 16, Value::V6(dst));
    ctx.add(&ADDR, &buf, 24, 16, Value::V6(dst));
    host(ctx, &buf, 24, &dst, &DST_HOST);
    ctx.label(idx, |s| {
        s.push_str("Internet Protocol Version 6, Src: ");
        write_v6(s, &src);
        s.push_str(", Dst: ");
        write_v6(s, &dst);
    });
    ctx.close();
    if ctx.cols.writable {
        // Inside an ICMP error the columns keep the outer packet's addresses.
        ctx.cols.net_src = Address::V6(src);
        ctx.cols.net_dst = Address::V6(dst);
    }
    ctx.pinfo.net_src = Address::V6(src);
    ctx.pinfo.net_dst = Address::V6(dst);
    ctx.pinfo.ttl = hlim;
    let payload = buf.limit(40 + plen).from(40);
    ctx.set_l3_end(&buf, 40 + plen);
    extension_headers(ctx, nxt, payload)
}

fn host<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, off: usize, a: &[u8; 16], own: &'static FieldDef) {
    if ctx.tree.wants(own) || ctx.tree.wants(&HOST) {
        let mut s = String::new();
        write_v6(&mut s, a);
        let s: Box<str> = s.into();
        ctx.add(own, buf, off, 16, Value::OwnedStr(s.clone()));
        ctx.add(&HOST, buf, off, 16, Value::OwnedStr(s));
    }
}

/// Follow the chain of extension headers, then hand over to the upper layer.
fn extension_headers<'a>(ctx: &mut Ctx<'a, '_>, mut nxt: u8, mut b: Buf<'a>) -> Next<'a> {
    // Each header is at least 8 bytes, so the chain is bounded by the packet;
    // the counter is a second guard against a zero-length loop.
    for _ in 0..64 {
        let r = match nxt {
            0 => options_header(ctx, &b, "ipv6.hopopts", [&HOPOPTS, &HOPOPTS_NXT, &HOPOPTS_LEN, &HOPOPTS_LEN_OCT]),
            60 => options_header(ctx, &b, "ipv6.dstopts", [&DSTOPTS, &DSTOPTS_NXT, &DSTOPTS_LEN, &DSTOPTS_LEN_OCT]),
            43 => routing_header(ctx, &b),
            51 => ah_header(ctx, &b),
            44 => return fragment_header(ctx, &b),
            50 => return esp(ctx, &b),
            59 => return Next::Done,
            _ => return Next::IpProto(nxt, b),
        };
        match r {
            Ok((n, len)) => {
                nxt = n;
                b = b.from(len);
            }
            Err(e) => {
                ctx.malformed("ipv6", e);
                return Next::Done;
            }
        }
    }
    Next::Data(b)
}

type HdrResult = Result<(u8, usize), wirecrab_core::BufError>;

fn options_header<'a>(ctx: &mut Ctx<'a, '_>, b: &Buf<'a>, layer: &'static str, f: [&'static FieldDef; 4]) -> HdrResult {
    ctx.layer(layer);
    let (nxt, l) = (b.u8(0)?, b.u8(1)?);
    let len = (l as usize + 1) * 8;
    b.slice(0, len)?;
    ctx.open(f[0], b, len);
    ctx.uint(f[1], b, 0, 1, nxt as u64);
    ctx.uint(f[2], b, 1, 1, l as u64);
    ctx.uint(f[3], b, 1, 1, len as u64);
    let mut o = 2;
    while o < len {
        let t = b.u8(o)?;
        if t == 0 {
            o += 1;
            continue;
        }
        let ol = b.u8(o + 1)? as usize;
        ctx.uint(&OPT_TYPE, b, o, 1, t as u64);
        ctx.uint(&OPT_LENGTH, b, o + 1, 1, ol as u64);
        match t {
            1 => {
                ctx.bytes(&OPT_PADN, b, o + 2, ol);
            }
            5 if ol == 2 => {
                ctx.uint(&OPT_ROUTER_ALERT, b, o + 2, 2, b.be16(o + 2)? as u64);
            }
            _ => {}
        }
        o += 2 + ol;
    }
    ctx.close();
    Ok((nxt, len))
}

fn routing_header<'a>(ctx: &mut Ctx<'a, '_>, b: &Buf<'a>) -> HdrResult {
    ctx.layer("ipv6.routing");
    let (nxt, l, ty, left) = (b.u8(0)?, b.u8(1)?, b.u8(2)?, b.u8(3)?);
    let len = (l as usize + 1) * 8;
    b.slice(0, len)?;
    ctx.open(&ROUTING, b, len);
    ctx.uint(&ROUTING_NXT, b, 0, 1, nxt as u64);
    ctx.uint(&ROUTING_LEN, b, 1, 1, l as u64);
    ctx.uint(&ROUTING_LEN_OCT, b, 1, 1, len as u64);
    ctx.uint(&ROUTING_TYPE, b, 2, 1, ty as u64);
    ctx.uint(&ROUTING_SEGLEFT, b, 3, 1, left as u64);
    if ty == 0 {
        let mut o = 8;
        while o + 16 <= len {
            ctx.add(&ROUTING_ADDR, b, o, 16, Value::V6(b.array::<16>(o)?));
            o += 16;
        }
    }
    ctx.close();
    Ok((nxt, len))
}

fn ah_header<'a>(ctx: &mut Ctx<'a, '_>, b: &Buf<'a>) -> HdrResult {
    ctx.layer("ah");
    let (nxt, l) = (b.u8(0)?, b.u8(1)?);
    let len = (l as usize + 2) * 4;
    b.slice(0, len.max(12))?;
    ctx.open(&AH, b, len);
    ctx.uint(&AH_NXT, b, 0, 1, nxt as u64);
    ctx.uint(&AH_LEN, b, 1, 1, l as u64);
    ctx.uint(&AH_SPI, b, 4, 4, b.be32(4)? as u64);
    ctx.uint(&AH_SEQ, b, 8, 4, b.be32(8)? as u64);
    ctx.bytes(&AH_ICV, b, 12, len.saturating_sub(12));
    ctx.close();
    Ok((nxt, len))
}

fn fragment_header<'a>(ctx: &mut Ctx<'a, '_>, b: &Buf<'a>) -> Next<'a> {
    ctx.layer("ipv6.fraghdr");
    let h = match b.slice(0, 8) {
        Ok(h) => h,
        Err(e) => {
            ctx.malformed("ipv6", e);
            return Next::Done;
        }
    };
    let nxt = h[0];
    let offmore = u16::from_be_bytes([h[2], h[3]]);
    let (off, more) = ((offmore >> 3) as usize, offmore & 1 != 0);
    let ident = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
    ctx.open(&FRAGHDR, b, 8);
    ctx.uint(&FRAG_NXT, b, 0, 1, nxt as u64);
    ctx.uint(&FRAG_OFFSET, b, 2, 2, off as u64);
    ctx.flag(&FRAG_MORE, b, 2, 2, more);
    ctx.uint(&FRAG_IDENT, b, 4, 4, ident as u64);
    ctx.close();
    let payload = b.from(8);
    if off != 0 || more {
        if !ctx.pinfo.in_error && !payload.is_truncated() {
            let (src, dst) = (ctx.pinfo.net_src, ctx.pinfo.net_dst);
            let key = (src, dst, ident);
            let frame = ctx.meta.number;
            let whole = ctx.state.get::<Defrag<(Address, Address, u32)>>().add(key, frame, off * 8, payload.bytes(), !more);
            if let Some(whole) = whole {
                fragment_fields(ctx, &FRAGMENT_FIELDS, &whole);
                return Next::Reassembled(whole.data, nxt);
            }
        }
        if let Some(i) = ctx.info_set() {
            let _ = write!(i, "IPv6 fragment (off={} more={} ident=0x{ident:08x} nxt={nxt})", off * 8, if more { "y" } else { "n" });
        }
        return Next::Data(payload);
    }
    // An atomic fragment (offset 0, no more): the payload is whole.
    extension_headers(ctx, nxt, payload)
}

fn esp<'a>(ctx: &mut Ctx<'a, '_>, b: &Buf<'a>) -> Next<'a> {
    ctx.layer("esp");
    ctx.set_protocol("ESP");
    let (Ok(spi), Ok(seq)) = (b.be32(0), b.be32(4)) else {
        return Next::Done;
    };
    ctx.open(&ESP, b, b.len());
    ctx.uint(&ESP_SPI, b, 0, 4, spi as u64);
    ctx.uint(&ESP_SEQ, b, 4, 4, seq as u64);
    ctx.close();
    if let Some(i) = ctx.info_set() {
        let _ = write!(i, "ESP (SPI=0x{spi:08x})");
    }
    Next::Done
}

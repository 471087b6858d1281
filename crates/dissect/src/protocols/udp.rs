//! User Datagram Protocol (RFC 768).
//!
//! ```text
//! +----------------+----------------+
//! |  Source Port   |  Dest. Port    |
//! +----------------+----------------+
//! |    Length      |   Checksum     |
//! +----------------+----------------+
//! ```
//! The payload goes to the protocol registered for the lower port first, then
//! the higher one (Wireshark's order); `udp.stream` numbers conversations in
//! order of first appearance.

use rustc_hash::FxHashMap as HashMap;
use std::fmt::Write;

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Value};

use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static UDP: FieldDef = FieldDef::new("udp", "User Datagram Protocol", T::Protocol);
static SRCPORT: FieldDef = FieldDef::new("udp.srcport", "Source Port", T::U16).base(Base::Port);
static DSTPORT: FieldDef = FieldDef::new("udp.dstport", "Destination Port", T::U16).base(Base::Port);
static PORT: FieldDef = FieldDef::new("udp.port", "Source or Destination Port", T::U16).base(Base::Port).hidden();
static LENGTH: FieldDef = FieldDef::new("udp.length", "Length", T::U16);
static CHECKSUM: FieldDef = FieldDef::new("udp.checksum", "Checksum", T::U16).base(Base::Hex);
static CHECKSUM_STATUS: FieldDef = FieldDef::new("udp.checksum.status", "Checksum Status", T::U8).names(CHECKSUM_STATUS_NAMES);
static STREAM: FieldDef = FieldDef::new("udp.stream", "Stream index", T::U32).generated();
static TIME_RELATIVE: FieldDef = FieldDef::new("udp.time_relative", "Time since first frame", T::RelTime).generated();
static TIME_DELTA: FieldDef = FieldDef::new("udp.time_delta", "Time since previous frame", T::RelTime).generated();
static PAYLOAD: FieldDef = FieldDef::new("udp.payload", "Payload", T::Bytes);
static LENGTH_BAD: FieldDef = FieldDef::new("udp.length.bad", "Bad length value", T::None);

/// Wireshark's checksum status names (shared by every checksum field).
pub static CHECKSUM_STATUS_NAMES: &[(u64, &str)] = &[(0, "Bad"), (1, "Good"), (2, "Unverified"), (3, "Not present"), (4, "Illegal")];

/// The UDP protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &UDP,
    short: "UDP",
    leaf: false,
    fields: &[
        &SRCPORT, &DSTPORT, &PORT, &LENGTH, &CHECKSUM, &CHECKSUM_STATUS, &STREAM, &TIME_RELATIVE, &TIME_DELTA, &PAYLOAD,
        &LENGTH_BAD,
    ],
    dissect,
    register: |t| t.ip_proto(17, &PROTOCOL),
};

/// A conversation key with its endpoints in a canonical order.
pub(crate) fn conv_key(a: Address, ap: u16, b: Address, bp: u16) -> ((Address, u16), (Address, u16), bool) {
    let (x, y) = ((a, ap), (b, bp));
    if x <= y { (x, y, true) } else { (y, x, false) }
}

type Key = ((Address, u16), (Address, u16));

#[derive(Default)]
struct UdpState {
    convs: HashMap<Key, (u32, wirecrab_core::Timestamp, wirecrab_core::Timestamp)>,
    next: u32,
}

/// Conversations kept before the table is reset (a later issue adds eviction).
const MAX_CONVS: usize = 1 << 20;

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("UDP");
    let idx = ctx.open(&UDP, &buf, 8);
    let h = match buf.slice(0, 8) {
        Ok(h) => h,
        Err(e) => {
            ctx.close();
            ctx.malformed("udp", e);
            return Next::Done;
        }
    };
    let sport = u16::from_be_bytes([h[0], h[1]]);
    let dport = u16::from_be_bytes([h[2], h[3]]);
    let ulen = u16::from_be_bytes([h[4], h[5]]) as usize;
    let csum = u16::from_be_bytes([h[6], h[7]]);
    ctx.pinfo.src_port = sport;
    ctx.pinfo.dst_port = dport;
    ctx.label(idx, |s| {
        let _ = write!(s, "User Datagram Protocol, Src Port: {sport}, Dst Port: {dport}");
    });
    ctx.uint(&SRCPORT, &buf, 0, 2, sport as u64);
    ctx.uint(&DSTPORT, &buf, 2, 2, dport as u64);
    ctx.uint(&PORT, &buf, 0, 2, sport as u64);
    ctx.uint(&PORT, &buf, 2, 2, dport as u64);
    ctx.uint(&LENGTH, &buf, 4, 2, ulen as u64);
    ctx.uint(&CHECKSUM, &buf, 6, 2, csum as u64);
    // Wireshark does not verify UDP checksums by default; 0 means "none sent".
    ctx.uint(&CHECKSUM_STATUS, &buf, 6, 2, if csum == 0 { 3 } else { 2 });
    if ctx.tree.wants(&STREAM) || ctx.tree.wants(&TIME_DELTA) || ctx.tree.wants(&TIME_RELATIVE) {
        stream_fields(ctx, &buf, sport, dport);
    }
    let (ulen_ok, payload) = if ulen >= 8 && ulen <= buf.reported_len() {
        (true, buf.limit(ulen).from(8))
    } else {
        (false, buf.from(8))
    };
    if !ulen_ok {
        ctx.expert(&LENGTH_BAD, wirecrab_core::Severity::Error, "Malformed", "Bad length value");
    }
    ctx.bytes(&PAYLOAD, &payload, 0, payload.len());
    ctx.close();
    if let Some(i) = ctx.info_set() {
        crate::names::write_u64(i, sport as u64);
        i.push_str(" → ");
        crate::names::write_u64(i, dport as u64);
        i.push_str(" Len=");
        crate::names::write_u64(i, if ulen_ok { ulen as u64 - 8 } else { payload.reported_len() as u64 });
    }
    Next::UdpPorts(sport, dport, payload)
}

fn stream_fields<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, sport: u16, dport: u16) {
    let (a, b, _) = conv_key(ctx.pinfo.net_src, sport, ctx.pinfo.net_dst, dport);
    let ts = ctx.meta.ts;
    let st = ctx.state.get::<UdpState>();
    if st.convs.len() >= MAX_CONVS {
        st.convs.clear();
    }
    let next = st.next;
    let e = st.convs.entry((a, b)).or_insert((next, ts, ts));
    if e.0 == next {
        st.next += 1;
    }
    let (stream, first, prev) = *e;
    e.2 = ts;
    ctx.uint(&STREAM, buf, 0, 0, stream as u64);
    ctx.add(&TIME_RELATIVE, buf, 0, 0, Value::RelTime(ts.since(first) as i64));
    ctx.add(&TIME_DELTA, buf, 0, 0, Value::RelTime(ts.since(prev) as i64));
}

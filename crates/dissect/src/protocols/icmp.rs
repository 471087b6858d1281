//! Internet Control Message Protocol (RFC 792; address mask RFC 950; router
//! discovery RFC 1256; Mobile IP agent advertisements RFC 5944; multi-part
//! extensions RFC 4884/4950; extended echo RFC 8335), IP protocol 1.
//!
//! ```text
//!  0                   1                   2                   3
//! +---------------+---------------+-------------------------------+
//! |     Type      |     Code      |           Checksum            |
//! +---------------+---------------+-------------------------------+
//! |  type-specific word: identifier + sequence number (echo,      |
//! |  timestamp, mask), gateway (redirect), pointer (parameter     |
//! |  problem), unused / RFC 4884 length / MTU (errors)...         |
//! +---------------------------------------------------------------+
//! |  body: echo data, timestamps, address mask, router list, or   |
//! |  the offending IP header + 8 bytes (error messages)           |
//! +---------------------------------------------------------------+
//! ```
//! Error messages quote the packet that caused them; like Wireshark we dissect
//! it as IP again (so `ip.src` gets a second value) with the Protocol and Info
//! columns frozen, so the Info column keeps ICMP's text. Echo replies are
//! matched to their requests across frames (`icmp.resp_to`, `icmp.resptime`).

use std::collections::HashMap;
use std::fmt::{self, Write};

use wirecrab_core::{Base, Buf, BufError, FieldDef, FieldType as T, Severity, Timestamp, Value};

use crate::columns::Address;
use crate::ctx::{Ctx, Next};
use crate::registry::Protocol;

static ICMP: FieldDef = FieldDef::new("icmp", "Internet Control Message Protocol", T::Protocol);
static TYPE: FieldDef = FieldDef::new("icmp.type", "Type", T::U8);
static CODE: FieldDef = FieldDef::new("icmp.code", "Code", T::U8);
static CHECKSUM: FieldDef = FieldDef::new("icmp.checksum", "Checksum", T::U16).base(Base::Hex);
static CHECKSUM_STATUS: FieldDef =
    FieldDef::new("icmp.checksum.status", "Checksum Status", T::U8).base(Base::None).names(CHECKSUM_STATUS_NAMES);
static UNUSED: FieldDef = FieldDef::new("icmp.unused", "Unused", T::Bytes);
static RESERVED: FieldDef = FieldDef::new("icmp.reserved", "Reserved", T::Bytes);
static IDENT: FieldDef = FieldDef::new("icmp.ident", "Identifier (BE)", T::U16).base(Base::DecHex);
static IDENT_LE: FieldDef = FieldDef::new("icmp.ident_le", "Identifier (LE)", T::U16).base(Base::DecHex);
static SEQ: FieldDef = FieldDef::new("icmp.seq", "Sequence Number (BE)", T::U16).base(Base::DecHex);
static SEQ_LE: FieldDef = FieldDef::new("icmp.seq_le", "Sequence Number (LE)", T::U16).base(Base::DecHex);
static MTU: FieldDef = FieldDef::new("icmp.mtu", "MTU of next hop", T::U16);
static NUM_ADDRS: FieldDef = FieldDef::new("icmp.num_addrs", "Number of addresses", T::U8);
static ADDR_ENTRY_SIZE: FieldDef = FieldDef::new("icmp.addr_entry_size", "Address entry size", T::U8);
static LIFETIME: FieldDef = FieldDef::new("icmp.lifetime", "Lifetime", T::U16);
static POINTER: FieldDef = FieldDef::new("icmp.pointer", "Pointer", T::U32);
static ROUTER_ADDRESS: FieldDef = FieldDef::new("icmp.router_address", "Router address", T::Ipv4);
static PREF_LEVEL: FieldDef = FieldDef::new("icmp.pref_level", "Preference level", T::I32);
static ORIGINATE_TS: FieldDef = FieldDef::new("icmp.originate_timestamp", "Originate Timestamp", T::U32);
static RECEIVE_TS: FieldDef = FieldDef::new("icmp.receive_timestamp", "Receive Timestamp", T::U32);
static TRANSMIT_TS: FieldDef = FieldDef::new("icmp.transmit_timestamp", "Transmit Timestamp", T::U32);
static ADDRESS_MASK: FieldDef = FieldDef::new("icmp.address_mask", "Address Mask", T::Ipv4);
static REDIR_GW: FieldDef = FieldDef::new("icmp.redir_gw", "Gateway Address", T::Ipv4);
static LENGTH: FieldDef = FieldDef::new("icmp.length", "Length", T::U8);
static LENGTH_ORIGINAL: FieldDef = FieldDef::new("icmp.length.original_datagram", "Length of original datagram", T::U8);

static MIP_TYPE: FieldDef = FieldDef::new("icmp.mip.type", "Extension Type", T::U8).names(MIP_EXTENSIONS);
static MIP_LENGTH: FieldDef = FieldDef::new("icmp.mip.length", "Length", T::U8);
static MIP_PREFIX_LENGTH: FieldDef = FieldDef::new("icmp.mip.prefixlength", "Prefix Length", T::U8);
static MIP_SEQ: FieldDef = FieldDef::new("icmp.mip.seq", "Sequence Number", T::U16);
static MIP_LIFE: FieldDef = FieldDef::new("icmp.mip.life", "Registration Lifetime", T::U16);
static MIP_FLAGS: FieldDef = FieldDef::new("icmp.mip.flags", "Flags", T::U16).base(Base::Hex);
static MIP_R: FieldDef = FieldDef::new("icmp.mip.r", "Registration Required", T::Bool).mask(0x8000);
static MIP_B: FieldDef = FieldDef::new("icmp.mip.b", "Busy", T::Bool).mask(0x4000);
static MIP_H: FieldDef = FieldDef::new("icmp.mip.h", "Home Agent", T::Bool).mask(0x2000);
static MIP_F: FieldDef = FieldDef::new("icmp.mip.f", "Foreign Agent", T::Bool).mask(0x1000);
static MIP_M: FieldDef = FieldDef::new("icmp.mip.m", "Minimal Encapsulation", T::Bool).mask(0x0800);
static MIP_G: FieldDef = FieldDef::new("icmp.mip.g", "GRE", T::Bool).mask(0x0400);
static MIP_V: FieldDef = FieldDef::new("icmp.mip.v", "VJ Comp", T::Bool).mask(0x0200);
static MIP_RT: FieldDef = FieldDef::new("icmp.mip.rt", "Reverse tunneling", T::Bool).mask(0x0100);
static MIP_U: FieldDef = FieldDef::new("icmp.mip.u", "UDP tunneling", T::Bool).mask(0x0080);
static MIP_X: FieldDef = FieldDef::new("icmp.mip.x", "Revocation support", T::Bool).mask(0x0040);
static MIP_RESERVED: FieldDef = FieldDef::new("icmp.mip.reserved", "Reserved", T::U16).base(Base::Hex).mask(0x003f);
static MIP_COA: FieldDef = FieldDef::new("icmp.mip.coa", "Care-Of-Address", T::Ipv4);
static MIP_CHALLENGE: FieldDef = FieldDef::new("icmp.mip.challenge", "Challenge", T::Bytes);
static MIP_CONTENT: FieldDef = FieldDef::new("icmp.mip.content", "Content", T::Bytes);

static EXT: FieldDef = FieldDef::new("icmp.ext", "ICMP Extensions", T::None);
static EXT_VERSION: FieldDef = FieldDef::new("icmp.ext.version", "Version", T::U8);
static EXT_RES: FieldDef = FieldDef::new("icmp.ext.res", "Reserved", T::U16).base(Base::Hex).mask(0x0fff);
static EXT_CHECKSUM: FieldDef = FieldDef::new("icmp.ext.checksum", "Checksum", T::U16).base(Base::Hex);
static EXT_CHECKSUM_STATUS: FieldDef =
    FieldDef::new("icmp.ext.checksum.status", "Checksum Status", T::U8).base(Base::None).names(CHECKSUM_STATUS_NAMES);
static EXT_LENGTH: FieldDef = FieldDef::new("icmp.ext.length", "Length", T::U16);
static EXT_CLASS: FieldDef = FieldDef::new("icmp.ext.class", "Class", T::U8).names(EXT_CLASSES);
static EXT_CTYPE: FieldDef = FieldDef::new("icmp.ext.ctype", "C-Type", T::U8);
static EXT_DATA: FieldDef = FieldDef::new("icmp.ext.data", "Data", T::Bytes);
static MPLS_LABEL: FieldDef = FieldDef::new("icmp.mpls.label", "Label", T::U24).mask(0xfffff0);
static MPLS_EXP: FieldDef = FieldDef::new("icmp.mpls.exp", "Experimental", T::U24).mask(0x0e);
static MPLS_S: FieldDef = FieldDef::new("icmp.mpls.s", "Stack bit", T::Bool).mask(0x01).tf("Set", "Not set");
static MPLS_TTL: FieldDef = FieldDef::new("icmp.mpls.ttl", "Time to live", T::U8);
static MPLS_DATA: FieldDef = FieldDef::new("icmp.mpls.data", "Data", T::Bytes);

static EXT_ECHO_SEQ: FieldDef = FieldDef::new("icmp.ext.echo.seq", "Sequence Number", T::U8).base(Base::DecHex);
static EXT_ECHO_REQ_RES: FieldDef = FieldDef::new("icmp.ext.echo.req.res", "Reserved", T::U8).base(Base::Hex).mask(0xfe);
static EXT_ECHO_REQ_LOCAL: FieldDef =
    FieldDef::new("icmp.ext.echo.req.local", "Local bit", T::Bool).mask(0x01).tf("Set", "Not set");
static EXT_ECHO_RSP_STATE: FieldDef =
    FieldDef::new("icmp.ext.echo.rsp.state", "State", T::U8).mask(0xe0).names(EXT_ECHO_STATES);
static EXT_ECHO_RSP_RES: FieldDef = FieldDef::new("icmp.ext.echo.rsp.res", "Reserved", T::U8).base(Base::Hex).mask(0x18);
static EXT_ECHO_RSP_ACTIVE: FieldDef =
    FieldDef::new("icmp.ext.echo.rsp.active", "Active bit", T::Bool).mask(0x04).tf("Set", "Not set");
static EXT_ECHO_RSP_IPV4: FieldDef =
    FieldDef::new("icmp.ext.echo.rsp.ipv4", "IPv4 bit", T::Bool).mask(0x02).tf("Set", "Not set");
static EXT_ECHO_RSP_IPV6: FieldDef =
    FieldDef::new("icmp.ext.echo.rsp.ipv6", "IPv6 bit", T::Bool).mask(0x01).tf("Set", "Not set");

static RESP_IN: FieldDef = FieldDef::new("icmp.resp_in", "Response frame", T::FrameNum);
static NO_RESP: FieldDef = FieldDef::new("icmp.no_resp", "No response seen", T::None);
static RESP_TO: FieldDef = FieldDef::new("icmp.resp_to", "Request frame", T::FrameNum);
static RESPTIME: FieldDef = FieldDef::new("icmp.resptime", "Response time", T::Double);
static DATA_TIME: FieldDef = FieldDef::new("icmp.data_time", "Timestamp from icmp data", T::AbsTime);
static DATA_TIME_RELATIVE: FieldDef =
    FieldDef::new("icmp.data_time_relative", "Timestamp from icmp data (relative)", T::RelTime);
static RESP_NOT_FOUND: FieldDef = FieldDef::new("icmp.resp_not_found", "Response not found", T::None);
static CHECKSUM_BAD: FieldDef = FieldDef::new("icmp.checksum_bad", "Bad checksum", T::None);
static EXT_CHECKSUM_BAD: FieldDef = FieldDef::new("icmp.ext.checksum_bad", "Bad checksum", T::None);

use super::udp::CHECKSUM_STATUS_NAMES;

static MIP_EXTENSIONS: &[(u64, &str)] = &[
    (0, "One byte padding extension"),
    (16, "Mobility Agent Advertisement Extension"),
    (19, "Prefix Lengths Extension"),
    (24, "Challenge Extension"),
];

static EXT_CLASSES: &[(u64, &str)] =
    &[(1, "MPLS Label Stack Class"), (2, "Interface Information Object"), (3, "Interface Identification Object")];

static EXT_ECHO_STATES: &[(u64, &str)] =
    &[(0, "Reserved"), (1, "Incomplete"), (2, "Reachable"), (3, "Stale"), (4, "Delay"), (5, "Probe"), (6, "Failed")];

/// The ICMP protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &ICMP,
    short: "ICMP",
    leaf: false,
    fields: &[
        &TYPE, &CODE, &CHECKSUM, &CHECKSUM_STATUS, &UNUSED, &RESERVED, &IDENT, &IDENT_LE, &SEQ, &SEQ_LE, &MTU,
        &NUM_ADDRS, &ADDR_ENTRY_SIZE, &LIFETIME, &POINTER, &ROUTER_ADDRESS, &PREF_LEVEL, &ORIGINATE_TS, &RECEIVE_TS,
        &TRANSMIT_TS, &ADDRESS_MASK, &REDIR_GW, &MIP_TYPE, &MIP_LENGTH, &MIP_PREFIX_LENGTH, &MIP_SEQ, &MIP_LIFE,
        &MIP_FLAGS, &MIP_R, &MIP_B, &MIP_H, &MIP_F, &MIP_M, &MIP_G, &MIP_V, &MIP_RT, &MIP_U, &MIP_X, &MIP_RESERVED,
        &MIP_COA, &MIP_CHALLENGE, &MIP_CONTENT, &EXT, &EXT_VERSION, &EXT_RES, &EXT_CHECKSUM, &EXT_CHECKSUM_STATUS,
        &EXT_LENGTH, &EXT_CLASS, &EXT_CTYPE, &EXT_DATA, &MPLS_LABEL, &MPLS_EXP, &MPLS_S, &MPLS_TTL, &MPLS_DATA,
        &RESP_IN, &NO_RESP, &RESP_TO, &RESPTIME, &DATA_TIME, &DATA_TIME_RELATIVE, &LENGTH, &LENGTH_ORIGINAL,
        &EXT_ECHO_SEQ, &EXT_ECHO_REQ_RES, &EXT_ECHO_REQ_LOCAL, &EXT_ECHO_RSP_STATE, &EXT_ECHO_RSP_RES,
        &EXT_ECHO_RSP_ACTIVE, &EXT_ECHO_RSP_IPV4, &EXT_ECHO_RSP_IPV6, &RESP_NOT_FOUND, &CHECKSUM_BAD,
        &EXT_CHECKSUM_BAD,
    ],
    dissect,
    register: |t| t.ip_proto(1, &PROTOCOL),
};

// Message types with a body this dissector decodes.
const ECHO_REPLY: u8 = 0;
const UNREACH: u8 = 3;
const SOURCE_QUENCH: u8 = 4;
const REDIRECT: u8 = 5;
const ALT_HOST: u8 = 6;
const ECHO: u8 = 8;
const ROUTER_ADVERT: u8 = 9;
const TIME_EXCEEDED: u8 = 11;
const PARAM_PROBLEM: u8 = 12;
const TIMESTAMP: u8 = 13;
const TIMESTAMP_REPLY: u8 = 14;
const INFO_REQUEST: u8 = 15;
const INFO_REPLY: u8 = 16;
const MASK_REQUEST: u8 = 17;
const MASK_REPLY: u8 = 18;
const EXT_ECHO: u8 = 42;
const EXT_ECHO_REPLY: u8 = 43;
/// Unreachable code 4: "Fragmentation needed", which carries the next-hop MTU (RFC 1191).
const FRAG_NEEDED: u8 = 4;

/// Wireshark's names for the message types.
fn type_name(ty: u8, code: u8) -> &'static str {
    match ty {
        0 => "Echo (ping) reply",
        1 | 2 => "Reserved",
        3 => "Destination unreachable",
        4 => "Source quench (flow control)",
        5 => "Redirect",
        6 => "Alternate host address",
        8 => "Echo (ping) request",
        // Codes 0 and 16 are what Mobile IP agents send (RFC 5944 §2.1).
        9 if code == 0 || code == 16 => "Mobile IP Advertisement",
        9 => "Router advertisement",
        10 => "Router solicitation",
        11 => "Time-to-live exceeded",
        12 => "Parameter problem",
        13 => "Timestamp request",
        14 => "Timestamp reply",
        15 => "Information request",
        16 => "Information reply",
        17 => "Address mask request",
        18 => "Address mask reply",
        19 => "Reserved (for security)",
        30 => "Traceroute",
        31 => "Datagram Conversion Error",
        32 => "Mobile Host Redirect",
        33 => "IPv6 Where-Are-You",
        34 => "IPv6 I-Am-Here",
        35 => "Mobile Registration Request",
        36 => "Mobile Registration Reply",
        37 => "Domain Name Request",
        38 => "Domain Name Reply",
        39 => "SKIP",
        40 => "Photuris",
        41 => "Experimental mobility protocols",
        42 => "Extended Echo request",
        43 => "Extended Echo reply",
        _ => "Unknown ICMP (obsolete or malformed?)",
    }
}

/// The code's meaning, for the types whose codes have names.
#[derive(Clone, Copy)]
enum CodeName {
    Known(&'static str),
    Unknown(u8),
}

impl fmt::Display for CodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodeName::Known(s) => f.write_str(s),
            CodeName::Unknown(c) => write!(f, "Unknown code: {c}"),
        }
    }
}

fn code_name(ty: u8, code: u8) -> Option<CodeName> {
    let table: &[&str] = match ty {
        UNREACH => &[
            "Network unreachable",
            "Host unreachable",
            "Protocol unreachable",
            "Port unreachable",
            "Fragmentation needed",
            "Source route failed",
            "Destination network unknown",
            "Destination host unknown",
            "Source host isolated",
            "Network administratively prohibited",
            "Host administratively prohibited",
            "Network unreachable for TOS",
            "Host unreachable for TOS",
            "Communication administratively filtered",
            "Host precedence violation",
            "Precedence cutoff in effect",
        ],
        REDIRECT => {
            &["Redirect for network", "Redirect for host", "Redirect for TOS and network", "Redirect for TOS and host"]
        }
        ALT_HOST => &["Alternate address for host"],
        ROUTER_ADVERT => {
            return Some(match code {
                0 => CodeName::Known("Normal router advertisement"),
                16 => CodeName::Known("Does not route common traffic"),
                _ => CodeName::Unknown(code),
            })
        }
        TIME_EXCEEDED => &["Time to live exceeded in transit", "Fragment reassembly time exceeded"],
        PARAM_PROBLEM => &["Pointer indicates the error", "Required option missing", "Bad length"],
        40 => &[
            "Bad SPI",
            "Authentication Failed",
            "Decompression Failed",
            "Decryption Failed",
            "Need Authentication",
            "Need Authorization",
        ],
        EXT_ECHO => &["No error"],
        EXT_ECHO_REPLY => {
            &["No error", "Malformed Query", "No Such Interface", "No Such Table Entry", "Multiple Interfaces Satisfy Query"]
        }
        _ => return None,
    };
    Some(table.get(code as usize).map_or(CodeName::Unknown(code), |s| CodeName::Known(s)))
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let depth = ctx.tree.depth();
    match dissect_icmp(ctx, buf) {
        Ok(next) => next,
        Err(e) => {
            // Like a Wireshark exception: whatever was added stays, the marker
            // goes at the top level.
            ctx.tree.set_depth(depth);
            ctx.malformed("icmp", e);
            Next::Done
        }
    }
}

/// What the second word of the header said, for the body that follows.
#[derive(Default, Clone, Copy)]
struct Word2 {
    ident: u16,
    seq: u16,
    num_addrs: u8,
    addr_entry_size: u8,
}

fn dissect_icmp<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Result<Next<'a>, BufError> {
    ctx.set_protocol("ICMP");
    ctx.info_set();
    // Wireshark reads type, code and the RFC 4884 length byte before it writes
    // anything, so a header cut before byte 6 leaves an empty Info column.
    let (ty, code, mut orig_words) = (buf.u8(0)?, buf.u8(1)?, buf.u8(5)?);
    if ty == ALT_HOST {
        orig_words = 0;
    }
    let type_str = type_name(ty, code);
    let code_str = code_name(ty, code);
    if let Some(i) = ctx.info() {
        let _ = write!(i, "{type_str:<20}");
        if let Some(c) = code_str {
            let _ = write!(i, " ({c})");
        }
    }
    ctx.open(&ICMP, &buf, buf.len());
    let t = ctx.uint(&TYPE, &buf, 0, 1, ty as u64);
    ctx.label(t, |s| {
        let _ = write!(s, "Type: {ty} ({type_str})");
    });
    let c = ctx.uint(&CODE, &buf, 1, 1, code as u64);
    if let Some(cs) = code_str {
        ctx.label(c, |s| {
            let _ = write!(s, "Code: {code} ({cs})");
        });
    }
    checksum(ctx, &buf)?;
    let w = second_word(ctx, &buf, ty, code, orig_words)?;
    body(ctx, buf, ty, code, orig_words, w)
}

/// The checksum, verified as Wireshark does unless the packet is cut short or
/// quoted inside an error (then it cannot be, and the status is "Unverified").
fn checksum<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>) -> Result<(), BufError> {
    let ck = buf.be16(2)?;
    if ctx.tree.wants_nothing() {
        // Summary lines only: nothing would show the result.
        return Ok(());
    }
    let whole = if buf.is_truncated() || ctx.pinfo.in_error { None } else { buf.slice(0, buf.reported_len()).ok() };
    let Some(bytes) = whole else {
        let i = ctx.uint(&CHECKSUM, buf, 2, 2, ck as u64);
        let why = if ctx.pinfo.in_error { "in ICMP error packet" } else { "fragmented datagram" };
        ctx.label(i, |s| {
            let _ = write!(s, "Checksum: 0x{ck:04x} [unverified] [{why}]");
        });
        ctx.uint(&CHECKSUM_STATUS, buf, 2, 0, 2);
        return Ok(());
    };
    let good = fold(sum16(0, bytes)) == 0xffff;
    let i = ctx.uint(&CHECKSUM, buf, 2, 2, ck as u64);
    // What the field should hold: the complement of the sum without it.
    let should = !fold(sum16(0, bytes) + (!ck) as u64);
    ctx.label(i, |s| {
        if good {
            let _ = write!(s, "Checksum: 0x{ck:04x} [correct]");
        } else {
            let _ = write!(s, "Checksum: 0x{ck:04x} incorrect, should be 0x{should:04x}");
        }
    });
    ctx.uint(&CHECKSUM_STATUS, buf, 2, 0, if good { 1 } else { 0 });
    if !good {
        ctx.expert(&CHECKSUM_BAD, Severity::Warning, "Checksum", format!("Bad checksum [should be 0x{should:04x}]"));
    }
    Ok(())
}

/// Bytes 4..8: their meaning depends on the type.
fn second_word<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, ty: u8, code: u8, orig_words: u8) -> Result<Word2, BufError> {
    let mut w = Word2::default();
    match ty {
        ECHO_REPLY | ECHO | TIMESTAMP | TIMESTAMP_REPLY | INFO_REQUEST | INFO_REPLY | MASK_REQUEST | MASK_REPLY => {
            both_ways(ctx, &IDENT, &IDENT_LE, buf, 4)?;
            both_ways(ctx, &SEQ, &SEQ_LE, buf, 6)?;
            // The Info text reads them whatever the tree wants.
            w.ident = buf.be16(4)?;
            w.seq = buf.be16(6)?;
            let v4 = matches!(ctx.pinfo.net_src, Address::V4(_));
            let ttl = ctx.pinfo.ttl;
            if let Some(i) = ctx.info() {
                let _ = write!(i, " id=0x{:04x}, seq={}/{}", w.ident, w.seq, w.seq.swap_bytes());
                // Wireshark shows the TTL only when the IPv4 header is at hand.
                if v4 {
                    let _ = write!(i, ", ttl={ttl}");
                }
            }
        }
        UNREACH | TIME_EXCEEDED => {
            if orig_words > 0 {
                item(ctx, &UNUSED, buf, 4, 1)?;
                rfc4884_length(ctx, buf, orig_words)?;
                if ty == UNREACH && code == FRAG_NEEDED {
                    item(ctx, &MTU, buf, 6, 2)?;
                } else {
                    item(ctx, &UNUSED, buf, 6, 2)?;
                }
            } else if ty == UNREACH && code == FRAG_NEEDED {
                item(ctx, &UNUSED, buf, 4, 2)?;
                item(ctx, &MTU, buf, 6, 2)?;
            } else {
                item(ctx, &UNUSED, buf, 4, 4)?;
            }
        }
        ROUTER_ADVERT => {
            w.num_addrs = buf.u8(4)?;
            ctx.uint(&NUM_ADDRS, buf, 4, 1, w.num_addrs as u64);
            w.addr_entry_size = buf.u8(5)?;
            ctx.uint(&ADDR_ENTRY_SIZE, buf, 5, 1, w.addr_entry_size as u64);
            // Read whatever the tree wants: Wireshark's label needs it.
            ctx.uint(&LIFETIME, buf, 6, 2, buf.be16(6)? as u64);
        }
        PARAM_PROBLEM => {
            item(ctx, &POINTER, buf, 4, 1)?;
            if orig_words > 0 {
                rfc4884_length(ctx, buf, orig_words)?;
                item(ctx, &UNUSED, buf, 6, 2)?;
            } else {
                item(ctx, &UNUSED, buf, 5, 3)?;
            }
        }
        REDIRECT => {
            item(ctx, &REDIR_GW, buf, 4, 4)?;
        }
        EXT_ECHO | EXT_ECHO_REPLY => {
            both_ways(ctx, &IDENT, &IDENT_LE, buf, 4)?;
            item(ctx, &EXT_ECHO_SEQ, buf, 6, 1)?;
            let flags: &[&'static FieldDef] = if ty == EXT_ECHO {
                &[&EXT_ECHO_REQ_RES, &EXT_ECHO_REQ_LOCAL]
            } else {
                &[&EXT_ECHO_RSP_STATE, &EXT_ECHO_RSP_RES, &EXT_ECHO_RSP_ACTIVE, &EXT_ECHO_RSP_IPV4, &EXT_ECHO_RSP_IPV6]
            };
            for f in flags {
                item(ctx, f, buf, 7, 1)?;
            }
        }
        _ => {}
    }
    Ok(w)
}

/// A 16-bit value shown both ways round (identifier, sequence number): pings
/// on little-endian hosts write them in host order.
fn both_ways<'a>(
    ctx: &mut Ctx<'a, '_>,
    be: &'static FieldDef,
    le: &'static FieldDef,
    buf: &Buf<'a>,
    off: usize,
) -> Result<(), BufError> {
    item(ctx, be, buf, off, 2)?;
    let v = buf.be16(off)?;
    if ctx.tree.wants(le) {
        ctx.uint(le, buf, off, 2, v.swap_bytes() as u64);
    }
    Ok(())
}

/// RFC 4884: byte 5 is the quoted datagram's length in 32-bit words.
fn rfc4884_length<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, words: u8) -> Result<(), BufError> {
    item(ctx, &LENGTH, buf, 5, 1)?;
    // Wireshark stores the byte count in an 8-bit field, so it wraps.
    ctx.uint(&LENGTH_ORIGINAL, buf, 5, 1, (words as u64 * 4) & 0xff);
    Ok(())
}

/// Add `f` from `buf[off..off + len]` as Wireshark's proto_tree_add_item()
/// does: missing bytes fail even when nobody asked for the field (Wireshark
/// checks the length before it decides to skip the item), except for
/// text-only (FT_NONE) items, which are never checked; the value is only
/// decoded when the field is wanted. Integers are big-endian, then masked
/// and shifted.
pub(crate) fn item<'a>(
    ctx: &mut Ctx<'a, '_>,
    f: &'static FieldDef,
    buf: &Buf<'a>,
    off: usize,
    len: usize,
) -> Result<Option<usize>, BufError> {
    if matches!(f.ty, T::None | T::Protocol) {
        let len = len.min(buf.len().saturating_sub(off));
        return Ok(ctx.add(f, buf, off.min(buf.len()), len, Value::None));
    }
    let b = buf.slice(off, len)?;
    if !ctx.tree.wants(f) {
        return Ok(None);
    }
    let raw = b.iter().take(8).fold(0u64, |a, x| a << 8 | *x as u64);
    let bits = if f.mask != 0 { raw & f.mask } else { raw };
    let v = match f.ty {
        T::Bool => Value::Bool(bits != 0),
        T::U8 | T::U16 | T::U24 | T::U32 | T::U64 | T::FrameNum => {
            Value::U(if f.mask != 0 { bits >> f.mask.trailing_zeros() } else { bits })
        }
        T::I32 | T::I64 => {
            // Sign-extend from the item's width.
            let shift = 64 - 8 * b.len().clamp(1, 8) as u32;
            Value::I(((raw << shift) as i64) >> shift)
        }
        T::Ipv4 => b.try_into().map_or(Value::Bytes, Value::V4),
        T::Ipv6 => b.try_into().map_or(Value::Bytes, Value::V6),
        T::Ether => b.try_into().map_or(Value::Bytes, Value::Ether),
        T::None | T::Protocol => Value::None,
        T::String => Value::Str,
        _ => Value::Bytes,
    };
    Ok(ctx.add(f, buf, off, len, v))
}

/// Everything after the first 8 bytes.
fn body<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>, ty: u8, code: u8, orig_words: u8, w: Word2) -> Result<Next<'a>, BufError> {
    match ty {
        UNREACH | TIME_EXCEEDED | PARAM_PROBLEM | SOURCE_QUENCH | REDIRECT => quoted_datagram(ctx, buf, ty, orig_words),
        ECHO | ECHO_REPLY => echo(ctx, buf, ty, w),
        ROUTER_ADVERT => {
            if w.addr_entry_size != 2 {
                ctx.close();
                return Ok(Next::Data(buf.from(8)));
            }
            let mut off = 8;
            for _ in 0..w.num_addrs {
                item(ctx, &ROUTER_ADDRESS, &buf, off, 4)?;
                item(ctx, &PREF_LEVEL, &buf, off + 4, 4)?;
                off += 8;
            }
            if code == 0 || code == 16 {
                mip_extensions(ctx, &buf, off)?;
            }
            ctx.close();
            Ok(Next::Done)
        }
        TIMESTAMP | TIMESTAMP_REPLY => {
            for (off, f) in [(8, &ORIGINATE_TS), (12, &RECEIVE_TS), (16, &TRANSMIT_TS)] {
                ctx.uint(f, &buf, off, 4, buf.be32(off)? as u64);
            }
            ctx.close();
            Ok(Next::Done)
        }
        MASK_REQUEST | MASK_REPLY => {
            item(ctx, &ADDRESS_MASK, &buf, 8, 4)?;
            ctx.close();
            Ok(Next::Done)
        }
        EXT_ECHO | EXT_ECHO_REPLY => {
            // Only requests carry extensions (RFC 8335 §2), and only those
            // Wireshark 4.0 decodes.
            if ty == EXT_ECHO && buf.reported_len() > 8 {
                extensions(ctx, &rest_from(&buf, 8)?)?;
            }
            ctx.close();
            Ok(Next::Done)
        }
        _ => {
            ctx.close();
            Ok(Next::Done)
        }
    }
}

/// An error message: the offending IP header and the start of its payload,
/// then (RFC 4884) optional extension objects.
fn quoted_datagram<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>, ty: u8, orig_words: u8) -> Result<Next<'a>, BufError> {
    let mut inner = rest_from(&buf, 8)?;
    let reported = buf.reported_len();
    let words = orig_words as usize * 4;
    if ty == REDIRECT {
        // RFC 792 quotes the IP header plus 64 bits of data; nothing says more.
        inner = inner.limit((buf.u8(8)? & 0x0f) as usize * 4 + 8);
    } else if orig_words > 0 && reported > 8 + words && buf.be16(10)? as usize > words {
        inner = inner.limit(((buf.u8(8)? & 0x0f) as usize + orig_words as usize) * 4);
    }
    // Wireshark dissects the quoted packet first and the extensions after
    // it; here they come first, so an error in them is only reported below,
    // and not when the capture ends inside the quoted IP header: that stops
    // Wireshark first.
    let depth = ctx.tree.depth();
    let hdr = inner.u8(0).map_or(20, |b| if b >> 4 == 6 { 40 } else { ((b & 0x0f) as usize * 4).max(20) });
    let cut = cut_in_header(&inner, hdr);
    let ext_err = trailing_extensions(ctx, &buf, orig_words).err().filter(|_| !cut);
    ctx.tree.set_depth(depth);
    ctx.close();
    ctx.pinfo.in_error = true;
    let version = match inner.u8(0) {
        Ok(b) => b >> 4,
        // Nothing quoted: Wireshark's IP dissector throws at once; inside an
        // error packet a "bounds past the packet" exception is swallowed and
        // the ip layer withdrawn, while a capture cut short is reported
        // (without an ip layer either: tshark 4.0 shows none).
        Err(BufError::Malformed { .. }) => return Ok(Next::Done),
        Err(e) => return Err(e),
    };
    if let Some(e) = ext_err {
        ctx.malformed("icmp", e);
    }
    // The quoted packet must not take over the Protocol and Info columns.
    ctx.cols.writable = false;
    if version == 6 {
        // Wireshark's "ip" dissector hands IPv6 on: both show in frame.protocols.
        ctx.layer("ip");
        return Ok(crate::ctx::direct_ethertype(0x86dd, inner));
    }
    Ok(crate::ctx::direct_ethertype(0x0800, inner))
}

/// True when reading the first `hdr` bytes of a quoted packet fails because
/// the capture (not the packet) ends there: Wireshark reports that at once
/// even inside an error message, where running past the packet's own end is
/// silently accepted.
pub(crate) fn cut_in_header(inner: &Buf<'_>, hdr: usize) -> bool {
    matches!(inner.slice(0, hdr), Err(BufError::Truncated { .. }))
}

/// Past 128 quoted bytes the payload may be MPLS extensions (RFC 4950) or
/// more of the datagram (RFC 1812); like Wireshark's default, extensions only
/// when the quoted datagram itself is short enough to end before.
fn trailing_extensions<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, orig_words: u8) -> Result<(), BufError> {
    if buf.reported_len() > 8 + 128 && buf.be16(10)? <= 128 {
        let at = if orig_words > 0 { orig_words as usize * 4 } else { 128 } + 8;
        extensions(ctx, &rest_from(buf, at)?)?;
    }
    Ok(())
}

/// Echo request/reply: match the pair, then look for a `struct timeval` that
/// ping put at the start of the data.
fn echo<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>, ty: u8, w: Word2) -> Result<Next<'a>, BufError> {
    if !ctx.pinfo.in_error {
        let ck = buf.be16(2)?;
        let (src, dst) = (ctx.pinfo.net_src, ctx.pinfo.net_dst);
        let id_seq = (w.ident as u32) << 16 | w.seq as u32;
        if ty == ECHO {
            // Key the request by the checksum its reply will carry: type 8 -> 0
            // adds 0x0800 to the checksum (RFC 1624 incremental update).
            let key = EchoKey::new(src, dst, !fold((!ck) as u64 + (!0x0800u16) as u64), id_seq);
            let (frame, ts) = (ctx.meta.number, ctx.meta.ts);
            ctx.state.get::<IcmpEchoes>().0.request(key, frame, ts);
        } else {
            let key = EchoKey::new(src, dst, if ck == 0xffff { 0 } else { ck }, id_seq);
            if let Some((frame, ts)) = ctx.state.get::<IcmpEchoes>().0.reply(key) {
                matched_reply(ctx, &buf, &RESP_TO, &RESPTIME, frame, ts);
            }
        }
    }
    if buf.len() < 16 {
        ctx.close();
        return Ok(Next::Data(buf.from(8)));
    }
    let data_at = match timeval(&buf, ctx.meta.ts) {
        Some(ts) => {
            ctx.add(&DATA_TIME, &buf, 8, 8, Value::Time(ts));
            let rel = ctx.meta.ts.since(ts);
            ctx.add(&DATA_TIME_RELATIVE, &buf, 8, 8, Value::RelTime(rel as i64));
            16
        }
        None => 8,
    };
    ctx.close();
    Ok(Next::Data(buf.from(data_at)))
}

/// Wireshark 4.0's guess: a big-endian, else little-endian, 32-bit timeval
/// within a day of the frame's own time.
fn timeval(buf: &Buf<'_>, now: Timestamp) -> Option<Timestamp> {
    let plausible = |secs: u32, usecs: u32| {
        // Wireshark compares `abs((int)(secs - now))`, with C's wrap-around.
        let d = (secs as i64).wrapping_sub(now.secs) as i32;
        d.wrapping_abs() < 86400 && usecs < 1_000_000
    };
    let (mut s, mut u) = (buf.be32(8).ok()?, buf.be32(12).ok()?);
    if !plausible(s, u) {
        (s, u) = (buf.le32(8).ok()?, buf.le32(12).ok()?);
    }
    plausible(s, u).then(|| Timestamp::new(s as i64, u as u64 * 1000))
}

/// Add `resp_to` / `resptime` and the Info note for a reply that matched.
pub(crate) fn matched_reply<'a>(
    ctx: &mut Ctx<'a, '_>,
    buf: &Buf<'a>,
    resp_to: &'static FieldDef,
    resptime: &'static FieldDef,
    frame: u64,
    ts: Timestamp,
) {
    ctx.add(resp_to, buf, 0, 0, Value::U(frame));
    let delta = ctx.meta.ts.since(ts);
    // Wireshark's nstime_to_msec(): seconds and nanoseconds converted apart.
    let ms = (delta / 1_000_000_000) as f64 * 1000.0 + (delta % 1_000_000_000) as f64 / 1_000_000.0;
    // tshark prints doubles with 15 significant digits ("%.15g"): keep only
    // those, so that the shortest representation prints the same text
    // (1000 + 200.639 is 1200.6390000000001 in binary; tshark shows 1200.639).
    let ms = format!("{ms:.14e}").parse::<f64>().unwrap_or(ms);
    let i = ctx.add(resptime, buf, 0, 0, Value::F(ms));
    ctx.label(i, |s| {
        let _ = write!(s, "{}: {ms:.3} ms", resptime.name);
    });
    if let Some(i) = ctx.info() {
        let _ = write!(i, " (request in {frame})");
    }
}

/// Mobile IP agent advertisement extensions (RFC 5944 §2.1) after the router list.
fn mip_extensions<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, mut off: usize) -> Result<(), BufError> {
    // Every pass consumes at least the type byte, so the loop ends.
    while off < buf.reported_len() {
        let ty = buf.u8(off)?;
        let len = if ty != 0 { buf.u8(off + 1)? } else { 0 };
        ctx.uint(&MIP_TYPE, buf, off, 1, ty as u64);
        off += 1;
        if ty != 0 {
            ctx.uint(&MIP_LENGTH, buf, off, 1, len as u64);
            off += 1;
        }
        let len = len as usize;
        match ty {
            0 => {}
            16 => {
                item(ctx, &MIP_SEQ, buf, off, 2)?;
                item(ctx, &MIP_LIFE, buf, off + 2, 2)?;
                mip_flags(ctx, buf, off + 4, buf.be16(off + 4)?);
                off += 6;
                for _ in 0..len.saturating_sub(6) / 4 {
                    item(ctx, &MIP_COA, buf, off, 4)?;
                    off += 4;
                }
            }
            19 => {
                for _ in 0..len {
                    item(ctx, &MIP_PREFIX_LENGTH, buf, off, 1)?;
                    off += 1;
                }
            }
            24 => {
                item(ctx, &MIP_CHALLENGE, buf, off, len)?;
                off += len;
            }
            _ => {
                if len != 0 {
                    // Wireshark shows length - 4 bytes but skips length bytes.
                    item(ctx, &MIP_CONTENT, buf, off, len.saturating_sub(4))?;
                    off += len;
                }
            }
        }
    }
    Ok(())
}

fn mip_flags<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, off: usize, flags: u16) {
    ctx.uint(&MIP_FLAGS, buf, off, 2, flags as u64);
    ctx.tree.enter();
    for f in [&MIP_R, &MIP_B, &MIP_H, &MIP_F, &MIP_M, &MIP_G, &MIP_V, &MIP_RT, &MIP_U, &MIP_X] {
        ctx.flag(f, buf, off, 2, flags as u64 & f.mask != 0);
    }
    ctx.uint(&MIP_RESERVED, buf, off, 2, (flags & 0x3f) as u64);
    ctx.tree.leave();
}

/// RFC 4884 multi-part extensions: a 4-byte header, then objects (length,
/// class, C-type, data). Only MPLS label stacks (RFC 4950) are decoded.
/// Returns false when Wireshark's dissector would reject them (too short,
/// unknown version): callers going through a handle then show data instead.
pub(crate) fn extensions<'a>(ctx: &mut Ctx<'a, '_>, ext: &Buf<'a>) -> Result<bool, BufError> {
    let rl = ext.reported_len();
    let idx = ctx.add(&EXT, ext, 0, rl.min(ext.len()), Value::None);
    ctx.label(idx, |s| s.push_str("ICMP Multi-Part Extensions"));
    if rl < 4 {
        return Ok(false);
    }
    ctx.tree.enter();
    let version = ext.u8(0)? >> 4;
    ctx.uint(&EXT_VERSION, ext, 0, 1, version as u64);
    item(ctx, &EXT_RES, ext, 0, 2)?;
    let ck = ext.be16(2)?;
    ctx.uint(&EXT_CHECKSUM, ext, 2, 2, ck as u64);
    let status = if ck == 0 {
        3
    } else if fold(sum16(0, ext.slice(0, rl)?)) == 0xffff {
        1
    } else {
        ctx.expert(&EXT_CHECKSUM_BAD, Severity::Warning, "Checksum", "Bad checksum");
        0
    };
    ctx.uint(&EXT_CHECKSUM_STATUS, ext, 2, 0, status);
    if version != 1 && version != 2 {
        ctx.label(idx, |s| s.push_str("ICMP Multi-Part Extensions (unsupported version)"));
        ctx.tree.leave();
        return Ok(false);
    }
    let mut off = 4;
    while rl.saturating_sub(off) >= 4 {
        let obj_len = ext.be16(off)? as usize;
        let end = off + obj_len.min(rl - off);
        ctx.uint(&EXT_LENGTH, ext, off, 2, obj_len as u64);
        let class = ext.u8(off + 2)?;
        ctx.uint(&EXT_CLASS, ext, off + 2, 1, class as u64);
        let ctype = ext.u8(off + 3)?;
        if obj_len < 4 {
            break;
        }
        if class == 1 && ctype == 1 {
            ctx.uint(&EXT_CTYPE, ext, off + 3, 1, ctype as u64);
            mpls_stack(ctx, ext, off + 4, end)?;
        } else {
            // Unknown object (RFC 5837 interface objects included): raw.
            ctx.uint(&EXT_CTYPE, ext, off + 3, 1, ctype as u64);
            if end > off + 4 {
                item(ctx, &EXT_DATA, ext, off + 4, end - off - 4)?;
            }
        }
        // `end` > `off` because obj_len >= 4 and at least 4 bytes remain.
        off = end;
    }
    ctx.tree.leave();
    Ok(true)
}

/// MPLS label stack entries (RFC 4950): label, EXP, bottom-of-stack, TTL.
fn mpls_stack<'a>(ctx: &mut Ctx<'a, '_>, ext: &Buf<'a>, mut off: usize, end: usize) -> Result<(), BufError> {
    while off + 4 <= end && ext.reported_len().saturating_sub(off) >= 4 {
        let v = ext.be32(off)?;
        ctx.uint(&MPLS_LABEL, ext, off, 3, (v >> 12) as u64);
        let b = (v >> 8) as u8;
        ctx.uint(&MPLS_EXP, ext, off + 2, 1, ((b & 0x0e) >> 1) as u64);
        ctx.flag(&MPLS_S, ext, off + 2, 1, b & 1 != 0);
        ctx.uint(&MPLS_TTL, ext, off + 3, 1, (v & 0xff) as u64);
        off += 4;
    }
    if off < end {
        item(ctx, &MPLS_DATA, ext, off, end - off)?;
    }
    Ok(())
}

/// The bytes from `at` on; like Wireshark's tvb_new_subset_remaining(), an
/// offset past the end is an error (at the end is an empty window).
pub(crate) fn rest_from<'a>(buf: &Buf<'a>, at: usize) -> Result<Buf<'a>, BufError> {
    if at > buf.len() {
        buf.slice(0, at)?;
    }
    Ok(buf.from(at))
}

/// RFC 1071 sum of big-endian 16-bit words (an odd last byte is the high
/// half of a word), added to `sum` without folding.
pub(crate) fn sum16(mut sum: u64, data: &[u8]) -> u64 {
    let mut words = data.chunks_exact(2);
    for w in &mut words {
        sum += u16::from_be_bytes([w[0], w[1]]) as u64;
    }
    if let [b] = words.remainder() {
        sum += (*b as u64) << 8;
    }
    sum
}

/// Fold carries back into 16 bits (ones'-complement addition).
pub(crate) fn fold(mut sum: u64) -> u16 {
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

/// An echo request/reply pair is the same (addresses in either order,
/// checksum-derived value, identifier and sequence number), as Wireshark keys
/// its ICMP conversations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct EchoKey {
    lo: Address,
    hi: Address,
    check: u16,
    id_seq: u32,
}

impl EchoKey {
    /// The key for an echo between `a` and `b` (order does not matter).
    pub(crate) fn new(a: Address, b: Address, check: u16, id_seq: u32) -> Self {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        EchoKey { lo, hi, check, id_seq }
    }
}

/// Requests seen so far, waiting for their reply.
#[derive(Default)]
pub(crate) struct EchoTable {
    pending: HashMap<EchoKey, Pending>,
}

struct Pending {
    frame: u64,
    ts: Timestamp,
    answered: bool,
}

/// Bound on remembered requests: a flood of unanswered pings must not grow
/// memory without limit.
const MAX_PENDING: usize = 65536;

impl EchoTable {
    /// Remember a request; a repeated one replaces the earlier (Wireshark too).
    pub(crate) fn request(&mut self, key: EchoKey, frame: u64, ts: Timestamp) {
        if self.pending.len() >= MAX_PENDING && !self.pending.contains_key(&key) {
            self.pending.clear();
        }
        self.pending.insert(key, Pending { frame, ts, answered: false });
    }

    /// The request a reply answers: only the first reply matches.
    pub(crate) fn reply(&mut self, key: EchoKey) -> Option<(u64, Timestamp)> {
        let p = self.pending.get_mut(&key)?;
        if p.answered {
            return None;
        }
        p.answered = true;
        Some((p.frame, p.ts))
    }
}

/// ICMP's own table (ICMPv6 keeps another).
#[derive(Default)]
struct IcmpEchoes(EchoTable);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{Dissector, Options};
    use wirecrab_core::{FrameMeta, LinkType, Want};

    /// Parse hex with optional whitespace.
    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len() / 2).filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()).collect()
    }

    pub(crate) fn dissector() -> Dissector {
        Dissector::new(Options { want: Want::All, columns: true, protocols: true })
    }

    pub(crate) fn meta(number: u64, ts: Timestamp, orig: usize, cap: usize, lt: LinkType) -> FrameMeta {
        FrameMeta { number, ts, orig_len: orig as u32, cap_len: cap as u32, link_type: lt, ..Default::default() }
    }

    /// Dissect raw-IP packets in order; return (Info, protocols, field values by abbrev) per frame.
    pub(crate) type Row = (String, String, Vec<(&'static str, Value)>);

    pub(crate) fn run_frames(frames: &[(Timestamp, Vec<u8>, usize)], lt: LinkType) -> Vec<Row> {
        let mut d = dissector();
        let mut out = Vec::new();
        for (n, (ts, bytes, orig)) in frames.iter().enumerate() {
            let m = meta(n as u64 + 1, *ts, *orig, bytes.len(), lt);
            let r = d.dissect(&m, bytes);
            let fields = r.tree.nodes().iter().map(|n| (n.field.abbrev, n.value.clone())).collect();
            out.push((r.cols.info_text(), r.layers.join(":"), fields));
        }
        out
    }

    pub(crate) fn values<'r>(row: &'r Row, abbrev: &str) -> Vec<&'r Value> {
        row.2.iter().filter(|(a, _)| *a == abbrev).map(|(_, v)| v).collect()
    }

    fn ts(secs: i64, usecs: u64) -> Timestamp {
        Timestamp::new(secs, usecs * 1000)
    }

    // Frames 9 and 10 of icmp-arp-udp/icmp-packets.pcap (IP layer onwards).
    const ECHO_REQ: &str = "4500005426ef0000400157f9c0a82b0908080808 0800bbb3d73b0000 51a7d67d000451e4
        08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";
    const ECHO_REP: &str = "4500005400000000280196e808080808c0a82b09 0000c3b3d73b0000 51a7d67d000451e4
        08090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637";

    #[test]
    fn icmp_echo_request_reply_match() {
        let (a, b) = (hex(ECHO_REQ), hex(ECHO_REP));
        let rows = run_frames(
            &[(ts(1369953917, 283187), a.clone(), a.len()), (ts(1369953917, 775391), b.clone(), b.len())],
            LinkType::RAW,
        );
        assert_eq!(rows[0].0, "Echo (ping) request  id=0xd73b, seq=0/0, ttl=64");
        assert_eq!(rows[1].0, "Echo (ping) reply    id=0xd73b, seq=0/0, ttl=40 (request in 1)");
        assert_eq!(rows[0].1, "raw:ip:icmp:data");
        assert_eq!(values(&rows[0], "icmp.checksum.status"), [&Value::U(1)]);
        assert_eq!(values(&rows[0], "icmp.ident"), [&Value::U(0xd73b)]);
        assert_eq!(values(&rows[0], "icmp.ident_le"), [&Value::U(0x3bd7)]);
        assert_eq!(values(&rows[1], "icmp.resp_to"), [&Value::U(1)]);
        assert_eq!(values(&rows[1], "icmp.resptime"), [&Value::F(492.204)]);
        assert_eq!(values(&rows[0], "icmp.data_time"), [&Value::Time(ts(1369953917, 283108))]);
        assert_eq!(values(&rows[0], "icmp.data_time_relative"), [&Value::RelTime(79_000)]);
        assert_eq!(values(&rows[0], "data.len"), [&Value::I(48)]);
    }

    #[test]
    fn icmp_second_reply_does_not_match() {
        let (a, b) = (hex(ECHO_REQ), hex(ECHO_REP));
        let t = ts(1369953917, 283187);
        let rows = run_frames(&[(t, a.clone(), a.len()), (t, b.clone(), b.len()), (t, b.clone(), b.len())], LinkType::RAW);
        assert!(rows[1].0.ends_with("(request in 1)"));
        assert_eq!(rows[2].0, "Echo (ping) reply    id=0xd73b, seq=0/0, ttl=40");
        assert!(values(&rows[2], "icmp.resp_to").is_empty());
    }

    #[test]
    fn icmp_port_unreachable_quotes_udp() {
        // Frame 6 of icmp-packets.pcap (IP onwards).
        let p = hex(
            "45c0003800cc0000fb01a7350a0002020a000102 0303b42a00000000
             4500001c00e60000011101d80a000102ac100002c01e82a600080605",
        );
        let rows = run_frames(&[(ts(1, 0), p.clone(), p.len())], LinkType::RAW);
        assert_eq!(rows[0].0, "Destination unreachable (Port unreachable)");
        assert!(rows[0].1.starts_with("raw:ip:icmp:ip"), "{}", rows[0].1);
        assert_eq!(values(&rows[0], "icmp.unused"), [&Value::Bytes]);
        assert_eq!(values(&rows[0], "icmp.checksum.status"), [&Value::U(1)]);
        assert_eq!(values(&rows[0], "ip.src").len(), 2);
    }

    #[test]
    fn icmp_truncated_echo() {
        // icmp-header-trunc.pcap frame 1: 6 of 64 ICMP bytes captured.
        let p = hex("4500005459c400004001 2bda 0a000001c0002b0a 0800d9dbd9db");
        let rows = run_frames(&[(ts(1, 0), p.clone(), p.len() + 58)], LinkType::RAW);
        assert_eq!(rows[0].0, "Echo (ping) request [Packet size limited during capture]");
        assert_eq!(values(&rows[0], "icmp.checksum.status"), [&Value::U(2)]);
        assert_eq!(values(&rows[0], "icmp.ident").len(), 1);
        assert!(values(&rows[0], "icmp.seq").is_empty());
    }

    #[test]
    fn icmp_checksum_arithmetic() {
        // The request's key is the reply's checksum.
        assert_eq!(!fold((!0xbbb3u16) as u64 + (!0x0800u16) as u64), 0xc3b3);
        assert_eq!(fold(sum16(0, &[0xff, 0xff, 0x00, 0x01])), 0x0001);
        assert_eq!(sum16(0, &[0x01]), 0x0100);
    }

    /// Every prefix of the test packets, then random bytes, must not panic.
    #[test]
    fn icmp_no_panic_on_garbage() {
        let mut d = dissector();
        let hdr = hex("4500005400004000400100000a0000010a000002");
        let mut bodies: Vec<Vec<u8>> = vec![hex(ECHO_REQ), hex(ECHO_REP)];
        let mut x: u64 = 0x9e3779b97f4a7c15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..10_000 {
            let n = (next() % 200) as usize;
            let mut p = hdr.clone();
            for _ in 0..n {
                p.push(next() as u8);
            }
            // Bias the type towards the interesting ones.
            if n > 0 {
                p[20] = [0, 3, 4, 5, 8, 9, 11, 12, 13, 17, 42, 43][(next() % 12) as usize];
            }
            bodies.push(p);
        }
        for (i, p) in bodies.iter().enumerate() {
            let lens: Vec<usize> = if i < 2 { (0..=p.len()).collect() } else { vec![p.len()] };
            for l in lens {
                let m = meta(i as u64 + 1, Timestamp::default(), p.len().max(l), l, LinkType::RAW);
                let _ = d.dissect(&m, &p[..l]);
            }
        }
    }
}

//! Generic Network Virtualization Encapsulation: GENEVE (RFC 8926), UDP 6081.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |        Virtual Network Identifier (VNI)       |    Reserved   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Variable-Length Options                    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//!
//! Each option (Opt Len counts 4-byte words of all options):
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Option Class         |C|    Type     |R|R|R| Length  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Variable-Length Option Data (Length words)     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//! O = OAM frame, C = critical options present; the option type's high bit
//! marks a critical option. The payload is looked up by Protocol Type (an
//! EtherType: 0x6558 = Ethernet) without an `ethertype` layer in
//! `frame.protocols`, as tshark does.
//!
//! Fields, labels and columns are tshark 4.0's, quirks included: the header's
//! option length is shown with the same field as an option's,
//! `geneve.option.length`, in bytes (so `-e geneve.option.length` prints the
//! header's value first); option classes are named after the IANA registry;
//! Google's class 0x0132 options are decoded (`geneve.option.gcp.*`), any
//! other option's data is `geneve.option.unknown.data`. An option whose length
//! runs past the options raises the `geneve.option.length.invalid` warning and
//! ends the option loop (the inner frame is still dissected), as in tshark.
//! Protocol column "Geneve", Info "Encapsulated <ethertype name>"; the inner
//! frame's dissectors overwrite both and the Source/Destination columns.
//!
//! Cloud notes: AWS Gateway Load Balancer (GWLB) sends traffic to appliances
//! as GENEVE on UDP 6081, carrying the original IP packet and three TLV
//! options of class 0x0108 ("Amazon.com, Inc."): type 1, the GWLB (VPC)
//! endpoint ID (8 bytes); type 2, the attachment ID (8 bytes); type 3, the
//! flow cookie (4 bytes). An appliance must send them back unchanged. tshark
//! 4.0 has no AWS decoder, so they show as
//! `Unknown, Class: Amazon.com, Inc. (0x0108) Type: 0x01 (Non-critical)` with
//! their bytes in `geneve.option.unknown.data`; wirecrab does the same, to
//! stay compatible ([`aws_option_name`] gives their AWS names).

use std::fmt::Write;

use wirecrab_core::{Base, Buf, FieldDef, FieldType as T, Severity, Value};

use super::vxlan::bool_line;
use crate::ctx::{direct_ethertype, Ctx, Next};
use crate::registry::Protocol;

static GENEVE: FieldDef = FieldDef::new("geneve", "Generic Network Virtualization Encapsulation", T::Protocol);
static VERSION: FieldDef = FieldDef::new("geneve.version", "Version", T::U8);
static FLAGS: FieldDef = FieldDef::new("geneve.flags", "Flags", T::U8).base(Base::Hex);
static FLAG_OAM: FieldDef =
    FieldDef::new("geneve.flags.oam", "Operations, Administration and Management Frame", T::Bool)
        .mask(0x80)
        .tf(TRUE, FALSE);
static FLAG_CRITICAL: FieldDef =
    FieldDef::new("geneve.flags.critical", "Critical Options Present", T::Bool).mask(0x40).tf(TRUE, FALSE);
static FLAG_RESERVED: FieldDef = FieldDef::new("geneve.flags.reserved", "Reserved", T::Bool).mask(0x3f).tf(TRUE, FALSE);
static PROTO_TYPE: FieldDef =
    FieldDef::new("geneve.proto_type", "Protocol Type", T::U16).base(Base::Hex).names(super::eth::ETHERTYPES);
static VNI: FieldDef = FieldDef::new("geneve.vni", "Virtual Network Identifier (VNI)", T::U24).base(Base::HexDec);
static RESERVED: FieldDef = FieldDef::new("geneve.reserved", "Reserved", T::U8).base(Base::Hex);
static OPTIONS: FieldDef = FieldDef::new("geneve.options", "Geneve Options", T::Bytes);
static OPT_CLASS: FieldDef = FieldDef::new("geneve.option.class", "Class", T::U16).base(Base::Hex);
static OPT_TYPE: FieldDef = FieldDef::new("geneve.option.type", "Type", T::U8).base(Base::Hex);
static OPT_TYPE_CRITICAL: FieldDef =
    FieldDef::new("geneve.option.type.critical", "Critical Option", T::Bool).mask(0x80).tf(TRUE, FALSE);
static OPT_FLAGS: FieldDef = FieldDef::new("geneve.option.flags", "Flags", T::U8).base(Base::Hex);
static OPT_FLAGS_RESERVED: FieldDef =
    FieldDef::new("geneve.option.flags.reserved", "Reserved", T::Bool).mask(0xe0).tf(TRUE, FALSE);
static OPT_LENGTH: FieldDef = FieldDef::new("geneve.option.length", "Length", T::U8);
static OPTION: FieldDef = FieldDef::new("geneve.option", "Option", T::Bytes);
static GCP_VNID: FieldDef = FieldDef::new("geneve.option.gcp.vnid", "GCP Virtual Network ID", T::U32);
static GCP_RESERVED: FieldDef =
    FieldDef::new("geneve.option.gcp.reserved", "GCP Reserved bits", T::Bool).mask(0xe).tf(TRUE, FALSE);
static GCP_DIRECTION: FieldDef =
    FieldDef::new("geneve.option.gcp.direction", "GCP Traffic Direction", T::Bool).mask(0x1).tf("Egress", "Ingress");
static GCP_ENDPOINT: FieldDef = FieldDef::new("geneve.option.gcp.endpoint", "GCP Endpoint ID", T::Bytes);
static GCP_PROFILE: FieldDef = FieldDef::new("geneve.option.gcp.profile", "GCP Profile ID", T::U64);
static UNKNOWN_DATA: FieldDef = FieldDef::new("geneve.option.unknown.data", "Unknown Option Data", T::Bytes);
// wirecrab's own names for AWS Gateway Load Balancer's options (class 0x0108),
// which Wireshark 4.0 leaves unknown. The bytes also stay in
// geneve.option.unknown.data, so tshark-style field output is unchanged.
static AWS_ENDPOINT_ID: FieldDef =
    FieldDef::new("geneve.option.aws.gwlbe_id", "AWS GWLB Endpoint ID", T::U64).base(Base::Hex);
static AWS_ATTACHMENT_ID: FieldDef =
    FieldDef::new("geneve.option.aws.attachment_id", "AWS GWLB Attachment ID", T::U64).base(Base::Hex);
static AWS_FLOW_COOKIE: FieldDef =
    FieldDef::new("geneve.option.aws.flow_cookie", "AWS GWLB Flow Cookie", T::U32).base(Base::Hex);
static VERSION_UNKNOWN: FieldDef = FieldDef::new("geneve.version.unknown", "Unknown version", T::None);
static OPT_LEN_INVALID: FieldDef = FieldDef::new("geneve.option.length.invalid", "Invalid length for option", T::None);

/// Wireshark's texts for a boolean without its own true/false strings.
const TRUE: &str = "True";
const FALSE: &str = "False";

/// Header flags shown in the Flags line when set: (field, bit).
static FLAG_BITS: [(&FieldDef, u8); 3] = [(&FLAG_OAM, 0x80), (&FLAG_CRITICAL, 0x40), (&FLAG_RESERVED, 0x3f)];

/// Option class of Google Cloud (one of 0x0132..=0x0135), decoded by Wireshark.
const CLASS_GCP: u16 = 0x0132;
/// First option class of AWS's block (0x0108..=0x0110), used by GWLB.
pub const CLASS_AWS: u16 = 0x0108;

/// The GENEVE protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &GENEVE,
    short: "Geneve",
    leaf: false,
    fields: &[
        &VERSION,
        &FLAGS,
        &FLAG_OAM,
        &FLAG_CRITICAL,
        &FLAG_RESERVED,
        &PROTO_TYPE,
        &VNI,
        &RESERVED,
        &OPTIONS,
        &OPT_CLASS,
        &OPT_TYPE,
        &OPT_TYPE_CRITICAL,
        &OPT_FLAGS,
        &OPT_FLAGS_RESERVED,
        &OPT_LENGTH,
        &OPTION,
        &GCP_VNID,
        &GCP_RESERVED,
        &GCP_DIRECTION,
        &GCP_ENDPOINT,
        &GCP_PROFILE,
        &UNKNOWN_DATA,
        &AWS_ENDPOINT_ID,
        &AWS_ATTACHMENT_ID,
        &AWS_FLOW_COOKIE,
        &VERSION_UNKNOWN,
        &OPT_LEN_INVALID,
    ],
    dissect,
    register: |t| t.udp_port(6081, &PROTOCOL),
};

/// The IANA "Geneve Option Class" registry as Wireshark 4.0 names it.
pub fn class_name(class: u16) -> &'static str {
    match class {
        0x0000..=0x00ff => "Standard",
        0x0100 => "Linux",
        0x0101 => "Open vSwitch",
        0x0102 => "Open Virtual Networking (OVN)",
        0x0103 => "In-band Network Telemetry (INT)",
        0x0104 => "VMware",
        0x0105 | 0x0108..=0x0110 => "Amazon.com, Inc.",
        0x0106 | 0x0130..=0x0131 => "Cisco Systems, Inc.",
        0x0107 => "Oracle Corporation",
        0x0111..=0x0118 => "IBM",
        0x0119..=0x0128 => "Ericsson",
        0x0129 => "Oxide Computer Company",
        0x0132..=0x0135 => "Google LLC",
        0x0136 => "InfoQuick Global Connection Tech Ltd.",
        0x0137..=0xfeff => "Unassigned",
        0xfff0..=0xffff => "Experimental",
        _ => "Unknown",
    }
}

/// The name Wireshark gives an option (only Google's are known to it).
fn option_name(class: u16, ty: u8) -> &'static str {
    match (class, ty) {
        (CLASS_GCP, 1) => "GCP Virtual Network ID",
        (CLASS_GCP, 2) => "GCP Endpoint ID",
        (CLASS_GCP, 3) => "GCP Profile ID",
        _ => "Unknown",
    }
}

/// AWS's name for a GWLB option of class 0x0108 (not used in tshark-compatible
/// output, which calls them "Unknown").
pub fn aws_option_name(class: u16, ty: u8) -> Option<&'static str> {
    match (class, ty & 0x7f) {
        (CLASS_AWS, 1) => Some("GWLB Endpoint ID"),
        (CLASS_AWS, 2) => Some("Attachment ID"),
        (CLASS_AWS, 3) => Some("Flow Cookie"),
        _ => None,
    }
}

/// `Unknown, Class: Linux (0x0100) Type: 0x01`: Wireshark's option title.
fn write_option_title(s: &mut String, class: u16, ty: u8) {
    let _ = write!(s, "{}, Class: {} (0x{class:04x}) Type: 0x{ty:02x}", option_name(class, ty), class_name(class));
}

fn bytes_unit(s: &mut String, name: &str, n: usize) {
    let _ = write!(s, "{name}: {n} {}", if n == 1 { "byte" } else { "bytes" });
}

fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("Geneve");
    let _ = ctx.info_set();
    let opts_len = buf.u8(0).map_or(0, |b| (b & 0x3f) as usize * 4);
    let idx = ctx.open(&GENEVE, &buf, 8 + opts_len);
    let head = header(ctx, &buf, opts_len, idx);
    let proto = head.and_then(|p| {
        if opts_len > 0 {
            buf.slice(8, opts_len)?;
            // Like tshark, which walks the options only when building a tree.
            if !ctx.tree.wants_nothing() {
                options(ctx, &buf, opts_len);
            }
        }
        Ok(p)
    });
    ctx.close();
    let proto = match proto {
        Ok(p) => p,
        Err(e) => {
            ctx.malformed("geneve", e);
            return Next::Done;
        }
    };
    let next = direct_ethertype(proto, buf.from(8 + opts_len));
    if !matches!(next, Next::Data(_)) {
        ctx.pinfo.tunnel_depth = ctx.pinfo.tunnel_depth.saturating_add(1);
    }
    next
}

/// The fixed 8-byte header; returns the Protocol Type.
fn header<'a>(
    ctx: &mut Ctx<'a, '_>,
    buf: &Buf<'a>,
    opts_len: usize,
    idx: Option<usize>,
) -> Result<u16, wirecrab_core::BufError> {
    let b0 = buf.u8(0)?;
    let ver = b0 >> 6;
    ctx.uint(&VERSION, buf, 0, 1, ver as u64);
    if ver != 0 {
        ctx.expert(&VERSION_UNKNOWN, Severity::Warning, "Protocol", format!("Unknown version {ver}"));
        if let Some(i) = ctx.info_set() {
            let _ = write!(i, "Unknown Geneve version {ver}");
        }
    }
    let l = ctx.uint(&OPT_LENGTH, buf, 0, 1, opts_len as u64);
    ctx.label(l, |s| bytes_unit(s, "Length", opts_len));

    let flags = buf.u8(1)?;
    let f = ctx.uint(&FLAGS, buf, 1, 1, flags as u64);
    ctx.label(f, |s| {
        let _ = write!(s, "Flags: 0x{flags:02x}");
        for (fd, bit) in FLAG_BITS {
            if flags & bit != 0 {
                s.push_str(", ");
                s.push_str(fd.name);
            }
        }
    });
    ctx.tree.enter();
    for (fd, bit) in FLAG_BITS {
        let set = flags & bit != 0;
        let i = ctx.flag(fd, buf, 1, 1, set);
        ctx.label(i, |s| bool_line(s, flags as u64, bit as u64, 8, fd, set));
    }
    ctx.tree.leave();

    let proto = buf.be16(2)?;
    ctx.uint(&PROTO_TYPE, buf, 2, 2, proto as u64);
    if let Some(i) = ctx.info_set() {
        i.push_str("Encapsulated ");
        match PROTO_TYPE.names.lookup(proto as u64) {
            Some(n) => i.push_str(n),
            None => {
                let _ = write!(i, "0x{proto:04x} (unknown)");
            }
        }
    }

    let vni = buf.be24(4)?;
    ctx.uint(&VNI, buf, 4, 3, vni as u64);
    ctx.label(idx, |s| {
        let _ = write!(s, "Generic Network Virtualization Encapsulation, VNI: 0x{vni:06x}");
        if flags & 0x80 != 0 {
            s.push_str(", OAM");
        }
    });

    let rsvd = buf.u8(7)?;
    ctx.uint(&RESERVED, buf, 7, 1, rsvd as u64);
    Ok(proto)
}

/// The options, known to be captured: `opts_len` bytes from offset 8.
/// Every turn consumes at least 4 bytes, so the loop runs at most 63 times.
fn options<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, opts_len: usize) {
    let idx = ctx.bytes(&OPTIONS, buf, 8, opts_len);
    ctx.label(idx, |s| {
        let _ = write!(s, "Options: ({opts_len} bytes)");
    });
    ctx.tree.enter();
    let mut off = 0;
    while off < opts_len {
        let at = 8 + off;
        let (Ok(class), Ok(ty), Ok(lb)) = (buf.be16(at), buf.u8(at + 2), buf.u8(at + 3)) else {
            break;
        };
        let olen = 4 + (lb & 0x1f) as usize * 4;
        if olen > opts_len - off {
            if !ctx.tree.wants_nothing() {
                let mut m = String::new();
                write_option_title(&mut m, class, ty);
                let _ = write!(m, " (length of {olen} is past end of options)");
                ctx.expert(&OPT_LEN_INVALID, Severity::Warning, "Protocol", m);
            }
            break;
        }
        option(ctx, buf, at, class, ty, lb, olen);
        off += olen;
    }
    ctx.tree.leave();
}

/// One option of `olen` bytes (header included) at `at`.
fn option<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, at: usize, class: u16, ty: u8, lb: u8, olen: usize) {
    let crit = if ty & 0x80 != 0 { "Critical" } else { "Non-critical" };
    let idx = ctx.bytes(&OPTION, buf, at, olen);
    ctx.label(idx, |s| {
        write_option_title(s, class, ty);
        let _ = write!(s, " ({crit})");
    });
    ctx.tree.enter();
    let c = ctx.uint(&OPT_CLASS, buf, at, 2, class as u64);
    ctx.label(c, |s| {
        let _ = write!(s, "Class: {} (0x{class:04x})", class_name(class));
    });
    let t = ctx.uint(&OPT_TYPE, buf, at + 2, 1, ty as u64);
    ctx.label(t, |s| {
        let _ = write!(s, "Type: 0x{ty:02x} ({crit})");
    });
    // Hidden in tshark's -V (kept here: the tree has no hidden items yet).
    ctx.flag(&OPT_TYPE_CRITICAL, buf, at + 2, 1, ty & 0x80 != 0);
    let flags = lb >> 5;
    let f = ctx.uint(&OPT_FLAGS, buf, at + 3, 1, flags as u64);
    if flags != 0 {
        ctx.label(f, |s| {
            let _ = write!(s, "Flags: 0x{flags:02x} (RSVD)");
        });
    }
    ctx.tree.enter();
    let i = ctx.flag(&OPT_FLAGS_RESERVED, buf, at + 3, 1, flags != 0);
    ctx.label(i, |s| bool_line(s, lb as u64, 0xe0, 8, &OPT_FLAGS_RESERVED, flags != 0));
    ctx.tree.leave();
    let l = ctx.uint(&OPT_LENGTH, buf, at + 3, 1, olen as u64);
    ctx.label(l, |s| bytes_unit(s, "Length", olen));
    let (data, n) = (at + 4, olen - 4);
    match (class, ty) {
        (CLASS_GCP, 1) if n >= 4 => {
            let w = buf.be32(data).unwrap_or(0);
            let vnid = w >> 4;
            let v = ctx.uint(&GCP_VNID, buf, data, 4, vnid as u64);
            ctx.label(v, |s| {
                gcp_vnid_bits(s, w);
                let _ = write!(s, " = GCP Virtual Network ID: {vnid}");
            });
            let (dir, rsv) = (w & 0x1 != 0, w & 0xe != 0);
            let i = ctx.flag(&GCP_DIRECTION, buf, data, 4, dir);
            ctx.label(i, |s| bool_line(s, w as u64, 0x1, 32, &GCP_DIRECTION, dir));
            let i = ctx.flag(&GCP_RESERVED, buf, data, 4, rsv);
            ctx.label(i, |s| bool_line(s, w as u64, 0xe, 32, &GCP_RESERVED, rsv));
        }
        (CLASS_GCP, 2) => {
            ctx.bytes(&GCP_ENDPOINT, buf, data, n);
        }
        (CLASS_GCP, 3) if (1..=8).contains(&n) => {
            let v = buf.slice(data, n).map_or(0, |b| b.iter().fold(0u64, |a, x| a << 8 | *x as u64));
            ctx.add(&GCP_PROFILE, buf, data, n, Value::U(v));
        }
        _ => {
            ctx.bytes(&UNKNOWN_DATA, buf, data, n);
            aws_option(ctx, buf, data, class, ty, n);
        }
    }
    ctx.tree.leave();
}

/// Name the AWS GWLB options (endpoint id and attachment id: 8 bytes; flow
/// cookie: 4 bytes) with wirecrab's own fields.
fn aws_option<'a>(ctx: &mut Ctx<'a, '_>, buf: &Buf<'a>, data: usize, class: u16, ty: u8, n: usize) {
    let f = match (class, ty & 0x7f, n) {
        (CLASS_AWS, 1, 8) => &AWS_ENDPOINT_ID,
        (CLASS_AWS, 2, 8) => &AWS_ATTACHMENT_ID,
        (CLASS_AWS, 3, 4) => &AWS_FLOW_COOKIE,
        _ => return,
    };
    if let Ok(b) = buf.slice(data, n) {
        let v = b.iter().fold(0u64, |a, x| a << 8 | *x as u64);
        ctx.add(f, buf, data, n, Value::U(v));
    }
}

/// Wireshark's picture of the top 28 bits of `w` (`0001 0010  0011 ... 0111 ....`).
fn gcp_vnid_bits(s: &mut String, w: u32) {
    for i in (0..32).rev() {
        if i != 31 {
            if (i + 1) % 8 == 0 {
                s.push_str("  ");
            } else if (i + 1) % 4 == 0 {
                s.push(' ');
            }
        }
        s.push(if i < 4 {
            '.'
        } else if w >> i & 1 != 0 {
            '1'
        } else {
            '0'
        });
    }
}

#[cfg(test)]
mod tests {
    use wirecrab_core::{FrameMeta, LinkType, Value, Want};

    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: Vec<u8> = s.bytes().filter(|c| c.is_ascii_hexdigit()).collect();
        s.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("00"), 16).unwrap_or(0)).collect()
    }

    /// Outer Ethernet/IPv4/UDP 12345 → 6081; GENEVE VNI 0x123456, Protocol Type
    /// 0x6558 and AWS GWLB options (class 0x0108: type 1 endpoint ID
    /// 0123456789abcdef, type 2 attachment ID 1122334455667788, type 3 flow
    /// cookie deadbeef); inner Ethernet/IPv4/ICMP echo request.
    const AWS_FRAME: &str = "
        02000000000102000000000208004500007612344000401114410a0000010a00
        0002303917c1006200000800655812345600010801020123456789abcdef0108
        0202112233445566778801080301deadbeef0200000000030200000000040800
        45000024123440004001a551c0a80101c0a80102080066210042000761626364
        65666768";

    /// Options of 12 bytes: a valid 8-byte AWS option (critical), then an Open
    /// vSwitch option claiming 128 bytes; inner Ethernet/IPv4/ICMP.
    const BAD_OPTION_FRAME: &str = "
        02000000000102000000000208004500006212344000401114550a0000010a00
        00029c4017c1004e0000034065580000010001088101000000000101051f0200
        00000003020000000004080045000024123440004001a551c0a80101c0a80102
        08006621004200076162636465666768";

    /// Google Cloud options (VNID 0x1234567 egress, endpoint, profile) before IPv4.
    const GCP_FRAME: &str = "
        020000000001020000000002080045000068123440004011144f0a0000010a00
        00029c4017c1005400000800080000000900013201011234567f013202024142
        43444546474801320302000000003ade68b145000024123440004001a551c0a8
        0101c0a8010208006621004200076162636465666768";

    fn run(bytes: &[u8], cap: usize, f: impl FnOnce(crate::Dissection<'_>)) {
        let mut d = crate::Dissector::new(crate::Options { want: Want::All, columns: true, protocols: true });
        let meta = FrameMeta {
            number: 1,
            orig_len: bytes.len() as u32,
            cap_len: cap as u32,
            link_type: LinkType::ETHERNET,
            ..Default::default()
        };
        f(d.dissect(&meta, &bytes[..cap]));
    }

    fn values<'t>(r: &'t crate::Dissection<'_>, abbrev: &str) -> Vec<&'t Value> {
        r.tree.nodes().iter().filter(|n| n.field.abbrev == abbrev).map(|n| &n.value).collect()
    }

    fn labels(r: &crate::Dissection<'_>, abbrev: &str) -> Vec<String> {
        let t = r.tree;
        t.nodes().iter().filter(|n| n.field.abbrev == abbrev).filter_map(|n| t.label(n).map(str::to_string)).collect()
    }

    fn bytes_of(r: &crate::Dissection<'_>, frame: &[u8], abbrev: &str) -> Vec<String> {
        r.tree
            .nodes()
            .iter()
            .filter(|n| n.field.abbrev == abbrev)
            .map(|n| {
                let mut s = String::new();
                let (a, b) = (n.start as usize, (n.start + n.len) as usize);
                crate::names::write_hex_bytes(&mut s, frame.get(a..b).unwrap_or(&[]), None);
                s
            })
            .collect()
    }

    #[test]
    fn geneve_aws_gwlb_options_through_engine() {
        let b = hex(AWS_FRAME);
        run(&b, b.len(), |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:geneve:eth:ethertype:ip:icmp:data");
            assert!(!r.malformed);
            assert_eq!(values(&r, "ip.src"), [&Value::V4([10, 0, 0, 1]), &Value::V4([192, 168, 1, 1])]);
            assert_eq!(values(&r, "geneve.vni"), [&Value::U(0x123456)]);
            assert_eq!(values(&r, "geneve.proto_type"), [&Value::U(0x6558)]);
            assert_eq!(values(&r, "geneve.version"), [&Value::U(0)]);
            // Header length first, then each option's (tshark 4.0 uses one field).
            assert_eq!(values(&r, "geneve.option.length"), [&Value::U(32), &Value::U(12), &Value::U(12), &Value::U(8)]);
            assert_eq!(values(&r, "geneve.option.class"), [&Value::U(0x0108); 3]);
            assert_eq!(values(&r, "geneve.option.type"), [&Value::U(1), &Value::U(2), &Value::U(3)]);
            assert_eq!(
                bytes_of(&r, &b, "geneve.option.unknown.data"),
                ["0123456789abcdef", "1122334455667788", "deadbeef"]
            );
            assert_eq!(values(&r, "geneve.option").len(), 3);
            assert_eq!(
                labels(&r, "geneve.option")[0],
                "Unknown, Class: Amazon.com, Inc. (0x0108) Type: 0x01 (Non-critical)"
            );
            assert_eq!(labels(&r, "geneve.options"), ["Options: (32 bytes)"]);
            assert_eq!(labels(&r, "geneve"), ["Generic Network Virtualization Encapsulation, VNI: 0x123456"]);
            let n = r.tree.nodes().iter().find(|n| n.field.abbrev == "geneve").map(|n| (n.start, n.len));
            assert_eq!(n, Some((42, 40)));
            assert_eq!(r.cols.protocol, "ICMP");
            assert!(r.tree.experts.is_empty());
            for (ty, name) in [(1, "GWLB Endpoint ID"), (2, "Attachment ID"), (3, "Flow Cookie")] {
                assert_eq!(aws_option_name(CLASS_AWS, ty), Some(name));
            }
            assert_eq!(values(&r, "geneve.option.aws.gwlbe_id"), [&Value::U(0x0123_4567_89ab_cdef)]);
            assert_eq!(values(&r, "geneve.option.aws.attachment_id"), [&Value::U(0x1122_3344_5566_7788)]);
            assert_eq!(values(&r, "geneve.option.aws.flow_cookie"), [&Value::U(0xdead_beef)]);
        });
    }

    #[test]
    fn geneve_option_past_end_warns_and_stops() {
        let b = hex(BAD_OPTION_FRAME);
        run(&b, b.len(), |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:geneve:eth:ethertype:ip:icmp:data");
            assert_eq!(values(&r, "geneve.option").len(), 1);
            assert_eq!(
                labels(&r, "geneve.option"),
                ["Unknown, Class: Amazon.com, Inc. (0x0108) Type: 0x81 (Critical)"]
            );
            assert_eq!(labels(&r, "geneve.flags"), ["Flags: 0x40, Critical Options Present"]);
            let e: Vec<_> = r.tree.experts.iter().map(|e| (e.field.abbrev, e.severity, e.message.as_str())).collect();
            assert_eq!(
                e,
                [(
                    "geneve.option.length.invalid",
                    Severity::Warning,
                    "Unknown, Class: Open vSwitch (0x0101) Type: 0x05 (length of 128 is past end of options)"
                )]
            );
        });
    }

    #[test]
    fn geneve_gcp_options_and_ipv4_payload() {
        let b = hex(GCP_FRAME);
        run(&b, b.len(), |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:geneve:ip:icmp:data");
            assert_eq!(values(&r, "geneve.option.gcp.vnid"), [&Value::U(0x1234567)]);
            assert_eq!(values(&r, "geneve.option.gcp.direction"), [&Value::Bool(true)]);
            assert_eq!(values(&r, "geneve.option.gcp.reserved"), [&Value::Bool(true)]);
            assert_eq!(values(&r, "geneve.option.gcp.profile"), [&Value::U(987654321)]);
            assert_eq!(bytes_of(&r, &b, "geneve.option.gcp.endpoint"), ["4142434445464748"]);
            assert_eq!(
                labels(&r, "geneve.option.gcp.reserved"),
                [".... .... .... .... .... .... .... 111. = GCP Reserved bits: True"]
            );
            assert_eq!(
                labels(&r, "geneve.option.gcp.vnid"),
                ["0001 0010  0011 0100  0101 0110  0111 .... = GCP Virtual Network ID: 19088743"]
            );
        });
    }

    #[test]
    fn geneve_cut_options_are_malformed_or_truncated() {
        let full = hex(AWS_FRAME);
        // Cut by the snapshot length inside the options.
        run(&full, 70, |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:geneve");
            assert_eq!(r.cols.protocol, "Geneve");
            assert_eq!(r.cols.info_text(), "Encapsulated Transparent Ethernet bridging[Packet size limited during capture]");
            assert_eq!(values(&r, "geneve.vni").len(), 1);
            assert!(values(&r, "geneve.options").is_empty());
        });
        // The packet itself ends inside the options (UDP payload of 20 bytes).
        let mut b = full[..62].to_vec();
        b[16..18].copy_from_slice(&48u16.to_be_bytes());
        b[38..40].copy_from_slice(&28u16.to_be_bytes());
        run(&b, b.len(), |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:geneve");
            assert!(r.malformed);
            assert_eq!(r.cols.info_text(), "Encapsulated Transparent Ethernet bridging[Malformed Packet]");
        });
    }

    #[test]
    fn geneve_unknown_version_and_protocol_type() {
        let mut b = hex(AWS_FRAME);
        b[42] = 0x40; // version 1, no options
        b[44..46].copy_from_slice(&0x1234u16.to_be_bytes());
        run(&b, b.len(), |r| {
            assert_eq!(r.layers.join(":"), "eth:ethertype:ip:udp:geneve:data");
            assert_eq!(r.cols.info_text(), "Encapsulated 0x1234 (unknown)");
            assert_eq!(values(&r, "geneve.version"), [&Value::U(1)]);
            assert_eq!(r.tree.experts.first().map(|e| e.message.as_str()), Some("Unknown version 1"));
        });
    }

    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn geneve_no_panic() {
        let mut d = crate::Dissector::new(crate::Options { want: Want::All, columns: true, protocols: true });
        let mut go = |b: &[u8], orig: usize| {
            let meta = FrameMeta {
                number: 1,
                orig_len: orig.max(b.len()) as u32,
                cap_len: b.len() as u32,
                link_type: LinkType::ETHERNET,
                ..Default::default()
            };
            let _ = d.dissect(&meta, b);
        };
        let frames = [hex(AWS_FRAME), hex(BAD_OPTION_FRAME), hex(GCP_FRAME)];
        for f in &frames {
            for n in 0..=f.len() {
                go(&f[..n], n);
                go(&f[..n], f.len());
            }
        }
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for i in 0..10_000 {
            let len = (rng.next() % 200) as usize;
            let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if i % 2 == 0 {
                // A valid outer Eth/IPv4/UDP to 6081 with lengths fitted, random GENEVE.
                let mut v = frames[i % 3][..42].to_vec();
                v.extend_from_slice(&b);
                let n = v.len();
                v[16..18].copy_from_slice(&((n - 14) as u16).to_be_bytes());
                v[36..38].copy_from_slice(&6081u16.to_be_bytes());
                v[38..40].copy_from_slice(&((n - 34) as u16).to_be_bytes());
                if i % 4 == 0 && n > 42 {
                    v[42] &= 0x3f; // version 0, random option length
                }
                b = v;
            }
            let orig = if i % 3 == 0 { b.len() + (rng.next() % 64) as usize } else { b.len() };
            go(&b, orig);
        }
    }
}

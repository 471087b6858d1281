//! `-z follow,tcp|udp|http,MODE,STREAM[,RANGE]`: one conversation's payload
//! in tshark's layout (docs/research/z-reports.md §3).
//!
//! A chunk is what one frame adds to one direction: for TCP the new bytes of a
//! segment in sequence order (retransmitted bytes are dropped, data after a
//! hole waits for the hole to fill and is never printed if it does not), for
//! UDP a datagram, for HTTP a message's header block and its decoded body.
//! Node 0 is the sender of the first frame of the stream, whatever it carries.

use std::fmt::Write;

use base64::Engine;
use wirecrab_core::{FieldDef, Timestamp, Value};
use wirecrab_dissect::Registry;

use crate::FrameView;

/// Which protocol's stream is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowProto {
    /// TCP payload in sequence order.
    Tcp,
    /// UDP datagrams.
    Udp,
    /// HTTP messages on a TCP stream (headers, then the decoded body).
    Http,
}

/// How chunks are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowMode {
    /// Printable bytes, others as `.`, CR and LF kept.
    Ascii,
    /// Offset, 16 hex bytes, ASCII.
    Hex,
    /// One line of lowercase hex per chunk.
    Raw,
    /// YAML with base64 data, as Wireshark's Follow dialog saves it.
    Yaml,
}

/// An address and port as the dissection gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Addr {
    Mac([u8; 6]),
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Addr {
    fn parse(s: &str) -> Option<Addr> {
        if let Some(v6) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return v6.parse::<std::net::Ipv6Addr>().ok().map(|a| Addr::V6(a.octets()));
        }
        s.parse::<std::net::Ipv4Addr>().ok().map(|a| Addr::V4(a.octets()))
    }

    fn write(&self, out: &mut String, brackets: bool) {
        match self {
            Addr::Mac(m) => {
                let _ = write!(out, "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
            }
            Addr::V4(a) => {
                let _ = write!(out, "{}", std::net::Ipv4Addr::from(*a));
            }
            Addr::V6(a) if brackets => {
                let _ = write!(out, "[{}]", std::net::Ipv6Addr::from(*a));
            }
            Addr::V6(a) => {
                let _ = write!(out, "{}", std::net::Ipv6Addr::from(*a));
            }
        }
    }
}

type End = (Addr, u16);

/// Which stream: an index, or both ends (every stream between them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selector {
    Index(u64),
    Pair(End, End),
}

/// A parsed `-z follow,...` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowSpec {
    proto: FollowProto,
    proto_name: String,
    mode: FollowMode,
    mode_name: String,
    selector: Selector,
    range: Option<(u64, u64)>,
}

impl FollowSpec {
    /// Parse what follows `follow,`: `PROTO,MODE,INDEX|A:p,B:q[,N[-M]]`.
    /// Errors are tshark's words.
    pub fn parse(arg: &str) -> Result<FollowSpec, String> {
        let mut parts = arg.splitn(3, ',');
        let proto_name = parts.next().unwrap_or("");
        let proto = match proto_name {
            "tcp" => FollowProto::Tcp,
            "udp" => FollowProto::Udp,
            "http" => FollowProto::Http,
            _ => return Err(format!("follow: unknown protocol \"{proto_name}\" (use tcp, udp or http)")),
        };
        let mode_name = parts.next().unwrap_or("");
        let mode = match mode_name {
            "ascii" => FollowMode::Ascii,
            "hex" => FollowMode::Hex,
            "raw" => FollowMode::Raw,
            "yaml" => FollowMode::Yaml,
            _ => return Err("follow - Invalid display mode (use ascii, hex, raw or yaml).".into()),
        };
        let rest = parts.next().ok_or("follow - Invalid parameter: give a stream index or two endpoints A:p,B:q.")?;
        let (selector, tail) = parse_selector(rest)?;
        let range = match tail {
            None => None,
            Some(r) => Some(parse_range(r)?),
        };
        Ok(FollowSpec { proto, proto_name: proto_name.into(), mode, mode_name: mode_name.into(), selector, range })
    }
}

fn parse_selector(s: &str) -> Result<(Selector, Option<&str>), String> {
    let (first, rest) = match s.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    if let Ok(n) = first.parse::<u64>() {
        return Ok((Selector::Index(n), rest));
    }
    let a = parse_end(first)?;
    let rest = rest.ok_or("follow - Invalid address: give both endpoints, A:p,B:q.")?;
    let (second, tail) = match rest.split_once(',') {
        Some((b, t)) => (b, Some(t)),
        None => (rest, None),
    };
    let b = parse_end(second)?;
    if matches!((a.0, b.0), (Addr::V4(_), Addr::V6(_)) | (Addr::V6(_), Addr::V4(_))) {
        return Err("follow - Mismatched IP address types.".into());
    }
    Ok((Selector::Pair(a, b), tail))
}

fn parse_end(s: &str) -> Result<End, String> {
    let (addr, port) = s.rsplit_once(':').ok_or("follow - Invalid address.")?;
    let addr = Addr::parse(addr).ok_or("follow - Invalid address.")?;
    let port = port.parse::<u16>().map_err(|_| "follow - Invalid port.".to_string())?;
    Ok((addr, port))
}

fn parse_range(s: &str) -> Result<(u64, u64), String> {
    let bad = || "follow - Invalid range value.".to_string();
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (a.parse::<u64>().map_err(|_| bad())?, b.parse::<u64>().map_err(|_| bad())?),
        None => {
            let a = s.parse::<u64>().map_err(|_| bad())?;
            (a, a)
        }
    };
    if a < 1 || a > b {
        return Err(bad());
    }
    Ok((a, b))
}

/// One piece of payload in one direction.
struct Chunk {
    server: bool,
    frame: u64,
    ts: Timestamp,
    bytes: Vec<u8>,
}

/// A segment that arrived after a hole, waiting for it to fill.
struct Held {
    seq: u32,
    frame: u64,
    ts: Timestamp,
    bytes: Vec<u8>,
    len: u32,
}

/// Sequence state of one direction.
#[derive(Default)]
struct Direction {
    next: Option<u32>,
    held: Vec<Held>,
}

/// RFC 1982 comparison: is `a` after `b`?
fn after(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) > 0
}

/// The fields a follow report reads, looked up once.
struct Fields {
    ip_src: &'static FieldDef,
    ip_dst: &'static FieldDef,
    tcp_sport: &'static FieldDef,
    tcp_dport: &'static FieldDef,
    udp_sport: &'static FieldDef,
    udp_dport: &'static FieldDef,
    ipv6_src: &'static FieldDef,
    ipv6_dst: &'static FieldDef,
    icmp: &'static FieldDef,
    icmpv6: &'static FieldDef,
    stream: &'static FieldDef,
    payload: &'static FieldDef,
    seq: &'static FieldDef,
    len: &'static FieldDef,
    syn: &'static FieldDef,
    http: &'static FieldDef,
    http_head: &'static FieldDef,
    http_body: &'static FieldDef,
}

impl Fields {
    fn get(proto: FollowProto) -> Fields {
        let r = Registry::get();
        let f = |n: &str| r.field(n).unwrap_or_else(|| panic!("the registry names {n}"));
        let l4 = if proto == FollowProto::Udp { "udp" } else { "tcp" };
        Fields {
            tcp_sport: f("tcp.srcport"),
            tcp_dport: f("tcp.dstport"),
            udp_sport: f("udp.srcport"),
            udp_dport: f("udp.dstport"),
            ip_src: f("ip.src"),
            ip_dst: f("ip.dst"),
            ipv6_src: f("ipv6.src"),
            ipv6_dst: f("ipv6.dst"),
            icmp: f("icmp"),
            icmpv6: f("icmpv6"),
            stream: f(&format!("{l4}.stream")),
            payload: f(&format!("{l4}.payload")),
            seq: f("tcp.seq_raw"),
            len: f("tcp.len"),
            syn: f("tcp.flags.syn"),
            http: f("http"),
            http_head: f("http.header_block"),
            http_body: f("http.decoded_body"),
        }
    }
}

/// What one frame says about the followed protocol.
#[derive(Default)]
struct Seen<'a> {
    src: Option<Addr>,
    dst: Option<Addr>,
    sport: u16,
    dport: u16,
    stream: u64,
    seq: u32,
    len: u32,
    syn: bool,
    payload: &'a [u8],
    /// HTTP: header blocks and bodies, in order.
    pieces: Vec<&'a [u8]>,
}

/// `-z follow`: collects one stream's chunks, prints them at the end.
pub struct FollowReport {
    spec: FollowSpec,
    f: Fields,
    nodes: Option<(End, End)>,
    dirs: [Direction; 2],
    chunks: Vec<Chunk>,
}

impl FollowReport {
    /// A report for `spec`.
    pub fn new(spec: FollowSpec) -> FollowReport {
        let f = Fields::get(spec.proto);
        FollowReport { spec, f, nodes: None, dirs: Default::default(), chunks: Vec::new() }
    }

    /// The fields the dissection must keep.
    pub fn wanted_fields(&self) -> Vec<&'static FieldDef> {
        let f = &self.f;
        // TCP and UDP always ride on IP: the innermost IP addresses are the
        // endpoints, so Ethernet's fields are not kept (nor paid for).
        let mut v = vec![f.tcp_sport, f.tcp_dport, f.udp_sport, f.udp_dport, f.ip_src, f.ip_dst, f.ipv6_src, f.ipv6_dst, f.icmp, f.icmpv6, f.stream];
        match self.spec.proto {
            FollowProto::Tcp => v.extend([f.payload, f.seq, f.len, f.syn]),
            FollowProto::Udp => v.push(f.payload),
            FollowProto::Http => v.extend([f.http, f.http_head, f.http_body]),
        }
        v
    }

    /// Read one frame.
    pub fn frame(&mut self, v: &FrameView<'_>) {
        let Some(seen) = self.seen(v) else { return };
        let (Some(src), Some(dst)) = (seen.src, seen.dst) else { return };
        let told = match self.spec.proto {
            // tshark's UDP follow tap is not told about an empty datagram,
            // its HTTP tap only about frames where HTTP dissected a message.
            FollowProto::Udp => !seen.payload.is_empty(),
            FollowProto::Http => !seen.pieces.is_empty(),
            FollowProto::Tcp => true,
        };
        if !told {
            return;
        }
        let matches = match self.spec.selector {
            Selector::Index(n) => seen.stream == n,
            Selector::Pair(a, b) => {
                let (s, d) = ((src, seen.sport), (dst, seen.dport));
                (s == a && d == b) || (s == b && d == a)
            }
        };
        if !matches {
            return;
        }
        let node0 = self.nodes.get_or_insert(((src, seen.sport), (dst, seen.dport))).0;
        let server = (src, seen.sport) != node0;
        let (frame, ts) = (v.meta.number, v.meta.ts);
        match self.spec.proto {
            FollowProto::Udp => self.push(server, frame, ts, seen.payload),
            FollowProto::Http => {
                for p in &seen.pieces {
                    // A body that decodes to nothing is a chunk too (tshark prints it).
                    self.chunks.push(Chunk { server, frame, ts, bytes: p.to_vec() });
                }
            }
            FollowProto::Tcp => self.tcp(server, frame, ts, &seen),
        }
    }

    fn push(&mut self, server: bool, frame: u64, ts: Timestamp, bytes: &[u8]) {
        if !bytes.is_empty() {
            self.chunks.push(Chunk { server, frame, ts, bytes: bytes.to_vec() });
        }
    }

    /// The new in-sequence bytes of a segment; later data waits in `held`.
    fn tcp(&mut self, server: bool, frame: u64, ts: Timestamp, s: &Seen<'_>) {
        let d = &mut self.dirs[server as usize];
        let mut seq = s.seq;
        if s.syn {
            seq = seq.wrapping_add(1);
            d.next = Some(seq);
        }
        let next = *d.next.get_or_insert(seq);
        if s.len == 0 {
            return;
        }
        if after(seq, next) {
            // A hole before this segment: keep it until the hole fills (bounded:
            // one stream's out-of-order data).
            if d.held.len() < 4096 {
                d.held.push(Held { seq, frame, ts, bytes: s.payload.to_vec(), len: s.len });
            }
            return;
        }
        let mut out = Vec::new();
        deliver(d, seq, s.len, s.payload, frame, ts, &mut out);
        // Held segments the new data reaches, in sequence order.
        loop {
            let next = d.next.unwrap_or(seq);
            let Some(i) = (0..d.held.len()).filter(|&i| !after(d.held[i].seq, next)).min_by_key(|&i| d.held[i].seq.wrapping_sub(next)) else {
                break;
            };
            let h = d.held.swap_remove(i);
            deliver(d, h.seq, h.len, &h.bytes, h.frame, h.ts, &mut out);
        }
        for (frame, ts, bytes) in out {
            self.chunks.push(Chunk { server, frame, ts, bytes });
        }
    }

    fn seen<'a>(&self, v: &FrameView<'a>) -> Option<Seen<'a>> {
        let f = &self.f;
        let data = v.data;
        let mut seen: Option<Seen<'a>> = None;
        let (mut src, mut dst, mut ports) = (None, None, (0, 0));
        let mut in_error = false;
        let is = |field: &FieldDef, a: &FieldDef, b: &FieldDef| std::ptr::eq(field, a) || std::ptr::eq(field, b);
        for n in v.d.tree.nodes() {
            let field = n.field;
            if is(field, f.icmp, f.icmpv6) {
                in_error = true;
            }
            if in_error {
                // Headers quoted in an ICMP error are not this stream's traffic.
                continue;
            }
            if is(field, f.ip_src, f.ipv6_src) {
                src = addr(&n.value);
            } else if is(field, f.ip_dst, f.ipv6_dst) {
                dst = addr(&n.value);
            } else if is(field, f.tcp_sport, f.udp_sport) {
                ports.0 = n.value.as_u64().unwrap_or(0) as u16;
            } else if is(field, f.tcp_dport, f.udp_dport) {
                ports.1 = n.value.as_u64().unwrap_or(0) as u16;
            }
            if std::ptr::eq(field, f.stream) {
                // The first header of the followed protocol is the one followed.
                if seen.is_none() {
                    seen = Some(Seen { stream: n.value.as_u64().unwrap_or(0), ..Default::default() });
                }
            } else if let Some(s) = seen.as_mut() {
                if std::ptr::eq(field, f.seq) {
                    s.seq = n.value.as_u64().unwrap_or(0) as u32;
                } else if std::ptr::eq(field, f.len) {
                    s.len = n.value.as_u64().unwrap_or(0) as u32;
                } else if std::ptr::eq(field, f.syn) {
                    s.syn = n.value.as_u64() == Some(1);
                } else if std::ptr::eq(field, f.payload) && s.payload.is_empty() {
                    s.payload = bytes_of(&n.value, n.start, n.len, data);
                } else if std::ptr::eq(field, f.http_head) || std::ptr::eq(field, f.http_body) {
                    s.pieces.push(bytes_of(&n.value, n.start, n.len, data));
                }
            }
        }
        // Like tshark's tap, which runs when the frame is done: the addresses
        // and ports are the innermost ones (a VXLAN datagram's inner IP or
        // Ethernet addresses, its inner TCP ports).
        seen.map(|s| Seen { src, dst, sport: ports.0, dport: ports.1, ..s })
    }

    /// Print the report.
    pub fn write(&self, out: &mut String) {
        if self.spec.mode == FollowMode::Yaml {
            self.write_yaml(out);
            return;
        }
        let bar = "=".repeat(67);
        let _ = writeln!(out, "\n{bar}\nFollow: {},{}\nFilter: {}", self.spec.proto_name, self.spec.mode_name, self.filter_text());
        for (i, n) in [0, 1].into_iter().enumerate() {
            let _ = write!(out, "Node {i}: ");
            match self.nodes {
                Some(nodes) => {
                    let e = if n == 0 { nodes.0 } else { nodes.1 };
                    e.0.write(out, true);
                    let _ = writeln!(out, ":{}", e.1);
                }
                None => out.push_str(":0\n"),
            }
        }
        let mut offsets = [0u64; 2];
        for (i, c) in self.chunks.iter().enumerate() {
            let shown = self.spec.range.is_none_or(|(a, b)| (a..=b).contains(&(i as u64 + 1)));
            if shown {
                match self.spec.mode {
                    FollowMode::Ascii => write_ascii(out, c),
                    FollowMode::Raw => write_raw(out, c),
                    FollowMode::Hex => write_hex(out, c, offsets[c.server as usize]),
                    FollowMode::Yaml => {}
                }
            }
            offsets[c.server as usize] += c.bytes.len() as u64;
        }
        let _ = writeln!(out, "{bar}");
    }

    fn filter_text(&self) -> String {
        let l4 = if self.spec.proto == FollowProto::Udp { "udp" } else { "tcp" };
        match self.spec.selector {
            Selector::Index(n) => format!("{l4}.stream eq {n}"),
            Selector::Pair(a, b) => {
                let ip = if matches!(a.0, Addr::V6(_)) { "ipv6" } else { "ip" };
                let (mut sa, mut sb) = (String::new(), String::new());
                a.0.write(&mut sa, false);
                b.0.write(&mut sb, false);
                let side = |s: &str, sp: u16, d: &str, dp: u16| {
                    format!("(({ip}.src eq {s} and {l4}.srcport eq {sp}) and ({ip}.dst eq {d} and {l4}.dstport eq {dp}))")
                };
                format!("{} or {}", side(&sa, a.1, &sb, b.1), side(&sb, b.1, &sa, a.1))
            }
        }
    }

    fn write_yaml(&self, out: &mut String) {
        out.push_str("peers:\n");
        for i in 0..2 {
            let e = self.nodes.map(|n| if i == 0 { n.0 } else { n.1 });
            let _ = write!(out, "  - peer: {i}\n    host: ");
            if let Some(e) = e {
                e.0.write(out, false);
            }
            let _ = writeln!(out, "\n    port: {}", e.map_or(0, |e| e.1));
        }
        out.push_str("packets:\n");
        for (i, c) in self.chunks.iter().enumerate() {
            if !self.spec.range.is_none_or(|(a, b)| (a..=b).contains(&(i as u64 + 1))) {
                continue;
            }
            // tshark prints the time through a double.
            let t = c.ts.secs as f64 + c.ts.nanos as f64 / 1e9;
            let _ = write!(out, "  - packet: {}\n    peer: {}\n    timestamp: {t:.9}\n    data: !!binary |\n", c.frame, c.server as u8);
            for line in c.bytes.chunks(57) {
                out.push_str("      ");
                out.push_str(&base64::engine::general_purpose::STANDARD.encode(line));
                out.push('\n');
            }
        }
    }
}

/// Deliver the part of a segment past `d.next`; advance `d.next` by the
/// segment's real length even when the capture cut its payload short.
fn deliver(d: &mut Direction, seq: u32, len: u32, payload: &[u8], frame: u64, ts: Timestamp, out: &mut Vec<(u64, Timestamp, Vec<u8>)>) {
    let next = d.next.unwrap_or(seq);
    let end = seq.wrapping_add(len);
    if !after(end, next) {
        return;
    }
    let skip = next.wrapping_sub(seq) as usize;
    if let Some(new) = payload.get(skip..).filter(|b| !b.is_empty()) {
        out.push((frame, ts, new.to_vec()));
    }
    d.next = Some(end);
}

fn addr(v: &Value) -> Option<Addr> {
    match v {
        Value::V4(a) => Some(Addr::V4(*a)),
        Value::V6(a) => Some(Addr::V6(*a)),
        Value::Ether(m) => Some(Addr::Mac(*m)),
        _ => None,
    }
}

fn bytes_of<'a>(v: &'a Value, start: u32, len: u32, data: &'a [u8]) -> &'a [u8] {
    match v {
        Value::OwnedBytes(b) => b,
        Value::OwnedStr(s) => s.as_bytes(),
        _ => data.get(start as usize..start as usize + len as usize).unwrap_or(&[]),
    }
}

fn printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

fn write_ascii(out: &mut String, c: &Chunk) {
    let _ = writeln!(out, "{}{}", if c.server { "\t" } else { "" }, c.bytes.len());
    out.extend(c.bytes.iter().map(|&b| if printable(b) || b == b'\r' || b == b'\n' { b as char } else { '.' }));
    out.push('\n');
}

fn write_raw(out: &mut String, c: &Chunk) {
    if c.server {
        out.push('\t');
    }
    for b in &c.bytes {
        let _ = write!(out, "{b:02x}");
    }
    out.push('\n');
}

fn write_hex(out: &mut String, c: &Chunk, start: u64) {
    for (i, line) in c.bytes.chunks(16).enumerate() {
        if c.server {
            out.push('\t');
        }
        let _ = write!(out, "{:08X}  ", start + i as u64 * 16);
        for j in 0..16 {
            match line.get(j) {
                Some(b) => {
                    let _ = write!(out, "{b:02x} ");
                }
                None => out.push_str("   "),
            }
            if j == 7 {
                out.push(' ');
            }
        }
        out.push(' ');
        for (j, &b) in line.iter().enumerate() {
            out.push(if printable(b) { b as char } else { '.' });
            if j == 7 {
                out.push(' ');
            }
        }
        // tshark trims one trailing space, a real 0x20 byte included.
        if out.ends_with(' ') {
            out.pop();
        }
        out.push('\n');
    }
}

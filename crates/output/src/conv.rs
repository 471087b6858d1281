//! `-z conv,eth|ip|ipv6|tcp|udp`: tshark's conversation table, byte for byte
//! (docs/research/z-reports.md §1).
//!
//! A conversation's side A is the source of its first frame; `->` counts
//! A→B, `<-` B→A, bytes are whole frame lengths; TCP and UDP rows are also
//! keyed by stream index. Every header of the type counts (outer and inner
//! in tunnels), except headers quoted inside ICMP errors and IPv6 fragments
//! that are not the last.

use std::fmt::Write;

use rustc_hash::FxHashMap as HashMap;
use wirecrab_core::{FieldDef, Timestamp, Value};
use wirecrab_dissect::Registry;

use crate::FrameView;

/// Which layer a table is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvKind {
    /// Ethernet addresses.
    Eth,
    /// IPv4 addresses.
    Ip,
    /// IPv6 addresses.
    Ipv6,
    /// TCP address:port pairs, per stream.
    Tcp,
    /// UDP address:port pairs, per stream.
    Udp,
}

impl ConvKind {
    /// `eth`, `ip`, `ipv6`, `tcp`, `udp` (tshark matches the type by prefix).
    pub fn parse(s: &str) -> Option<ConvKind> {
        [("ipv6", ConvKind::Ipv6), ("eth", ConvKind::Eth), ("ip", ConvKind::Ip), ("tcp", ConvKind::Tcp), ("udp", ConvKind::Udp)]
            .into_iter()
            .find(|(p, _)| s.starts_with(p))
            .map(|(_, k)| k)
    }

    fn title(self) -> &'static str {
        match self {
            ConvKind::Eth => "Ethernet",
            ConvKind::Ip => "IPv4",
            ConvKind::Ipv6 => "IPv6",
            ConvKind::Tcp => "TCP",
            ConvKind::Udp => "UDP",
        }
    }

    fn ports(self) -> bool {
        matches!(self, ConvKind::Tcp | ConvKind::Udp)
    }
}

/// The fields a conversation table reads, looked up once.
struct Fields {
    eth_src: &'static FieldDef,
    eth_dst: &'static FieldDef,
    ip_src: &'static FieldDef,
    ip_dst: &'static FieldDef,
    ipv6_src: &'static FieldDef,
    ipv6_dst: &'static FieldDef,
    ipv6_more: &'static FieldDef,
    tcp_src: &'static FieldDef,
    tcp_dst: &'static FieldDef,
    tcp_stream: &'static FieldDef,
    udp_src: &'static FieldDef,
    udp_dst: &'static FieldDef,
    udp_stream: &'static FieldDef,
    icmp: &'static FieldDef,
    icmpv6: &'static FieldDef,
}

impl Fields {
    fn get() -> Fields {
        let r = Registry::get();
        let f = |n: &str| r.field(n).unwrap_or_else(|| panic!("the registry names {n}"));
        Fields {
            eth_src: f("eth.src"),
            eth_dst: f("eth.dst"),
            ip_src: f("ip.src"),
            ip_dst: f("ip.dst"),
            ipv6_src: f("ipv6.src"),
            ipv6_dst: f("ipv6.dst"),
            ipv6_more: f("ipv6.fraghdr.more"),
            tcp_src: f("tcp.srcport"),
            tcp_dst: f("tcp.dstport"),
            tcp_stream: f("tcp.stream"),
            udp_src: f("udp.srcport"),
            udp_dst: f("udp.dstport"),
            udp_stream: f("udp.stream"),
            icmp: f("icmp"),
            icmpv6: f("icmpv6"),
        }
    }

    /// The fields a table of `kind` reads: only these are kept, so a TCP
    /// table does not pay for Ethernet's fields (and the other way round).
    fn for_kind(&self, kind: ConvKind) -> Vec<&'static FieldDef> {
        // An ICMP error's quoted packet is never counted: its start is the fence.
        let mut v = vec![self.icmp, self.icmpv6];
        match kind {
            ConvKind::Eth => v.extend([self.eth_src, self.eth_dst]),
            ConvKind::Ip => v.extend([self.ip_src, self.ip_dst]),
            ConvKind::Ipv6 => v.extend([self.ipv6_src, self.ipv6_dst, self.ipv6_more]),
            ConvKind::Tcp => v.extend([self.ip_src, self.ip_dst, self.ipv6_src, self.ipv6_dst, self.tcp_src, self.tcp_dst, self.tcp_stream]),
            ConvKind::Udp => v.extend([self.ip_src, self.ip_dst, self.ipv6_src, self.ipv6_dst, self.udp_src, self.udp_dst, self.udp_stream]),
        }
        v
    }
}

/// An address as the dissection gave it (formatted only when printed).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Addr {
    Mac([u8; 6]),
    V4([u8; 4]),
    V6([u8; 16]),
}

/// One endpoint: an address, and a port for TCP and UDP.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct End {
    addr: Addr,
    port: Option<u64>,
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        match &self.addr {
            Addr::Mac(m) => wirecrab_dissect::names::write_mac(&mut s, m),
            Addr::V4(a) => s = std::net::Ipv4Addr::from(*a).to_string(),
            Addr::V6(a) => s = std::net::Ipv6Addr::from(*a).to_string(),
        }
        if let Some(p) = self.port {
            let _ = write!(s, ":{p}");
        }
        // Padding applies to the whole endpoint text.
        f.pad(&s)
    }
}

fn addr(v: &Value) -> Option<Addr> {
    match v {
        Value::Ether(m) => Some(Addr::Mac(*m)),
        Value::V4(a) => Some(Addr::V4(*a)),
        Value::V6(a) => Some(Addr::V6(*a)),
        _ => None,
    }
}

struct Row {
    a: End,
    b: End,
    /// Frames and bytes A→B and B→A.
    tx: (u64, u64),
    rx: (u64, u64),
    start: Timestamp,
    stop: Timestamp,
}

/// One `-z conv,...` or `-z endpoints,...` table being filled.
pub struct ConvReport {
    kind: ConvKind,
    /// `endpoints` instead of `conv`: one row per address (and port).
    endpoints: bool,
    /// Endpoints: (address, port) → (tx frames, tx bytes, rx frames, rx bytes), in creation order.
    ends: Vec<(End, [u64; 4])>,
    end_index: HashMap<End, usize>,
    filter: Option<String>,
    fields: Fields,
    rows: Vec<Row>,
    index: HashMap<(End, End, u64), usize>,
}

impl ConvReport {
    /// A table of `kind`; `filter` is the text after `conv,TYPE,` (shown in the header).
    pub fn new(kind: ConvKind, filter: Option<String>) -> ConvReport {
        ConvReport {
            kind,
            endpoints: false,
            ends: Vec::new(),
            end_index: HashMap::default(),
            filter,
            fields: Fields::get(),
            rows: Vec::new(),
            index: HashMap::default(),
        }
    }

    /// The `-z endpoints,...` table of the same layer.
    pub fn endpoints(kind: ConvKind, filter: Option<String>) -> ConvReport {
        ConvReport { endpoints: true, ..ConvReport::new(kind, filter) }
    }

    /// The fields the dissection must keep for this table.
    pub fn wanted_fields(&self) -> Vec<&'static FieldDef> {
        self.fields.for_kind(self.kind)
    }

    /// Count one frame (every frame the report sees; `-Y` does not apply).
    pub fn frame(&mut self, v: &FrameView<'_>) {
        let f = &self.fields;
        let mut pairs: [Option<(End, End, u64)>; 8] = [None; 8];
        let mut n_pairs = 0;
        let (mut src, mut dst): (Option<Addr>, Option<Addr>) = (None, None);
        let mut net: (Option<Addr>, Option<Addr>) = (None, None);
        let (mut port_src, mut port_dst) = (None, None);
        for n in v.d.tree.nodes() {
            let is = |g: &FieldDef| std::ptr::eq(n.field, g);
            if is(f.icmp) || is(f.icmpv6) {
                // What follows is the packet an ICMP error quotes: not counted.
                break;
            }
            match self.kind {
                ConvKind::Eth if is(f.eth_dst) => dst = addr(&n.value),
                ConvKind::Eth if is(f.eth_src) => src = addr(&n.value),
                ConvKind::Ip if is(f.ip_src) => src = addr(&n.value),
                ConvKind::Ip if is(f.ip_dst) => dst = addr(&n.value),
                ConvKind::Ipv6 if is(f.ipv6_src) => src = addr(&n.value),
                ConvKind::Ipv6 if is(f.ipv6_dst) => dst = addr(&n.value),
                ConvKind::Ipv6 if is(f.ipv6_more) && matches!(n.value, Value::Bool(true)) => {
                    // A fragment that is not the last: tshark counts the datagram once, when whole.
                    n_pairs = 0;
                    src = None;
                    dst = None;
                    continue;
                }
                ConvKind::Tcp | ConvKind::Udp if is(f.ip_src) || is(f.ipv6_src) => net = (addr(&n.value), None),
                ConvKind::Tcp | ConvKind::Udp if is(f.ip_dst) || is(f.ipv6_dst) => net.1 = addr(&n.value),
                ConvKind::Tcp if is(f.tcp_src) => port_src = n.value.as_u64(),
                ConvKind::Tcp if is(f.tcp_dst) => port_dst = n.value.as_u64(),
                ConvKind::Udp if is(f.udp_src) => port_src = n.value.as_u64(),
                ConvKind::Udp if is(f.udp_dst) => port_dst = n.value.as_u64(),
                ConvKind::Tcp | ConvKind::Udp if is(f.tcp_stream) || is(f.udp_stream) => {
                    if let ((Some(a), Some(b)), Some(p), Some(q)) = (net, port_src.take(), port_dst.take()) {
                        let stream = n.value.as_u64().unwrap_or(0);
                        if n_pairs < pairs.len() {
                            pairs[n_pairs] = Some((End { addr: a, port: Some(p) }, End { addr: b, port: Some(q) }, stream));
                            n_pairs += 1;
                        }
                    }
                }
                _ => {}
            }
            if let (Some(a), Some(b)) = (src, dst) {
                if n_pairs < pairs.len() {
                    pairs[n_pairs] = Some((End { addr: a, port: None }, End { addr: b, port: None }, 0));
                    n_pairs += 1;
                }
                src = None;
                dst = None;
            }
        }
        let len = v.meta.orig_len as u64;
        let ts = if v.meta.has_ts { v.meta.ts } else { v.first_ts };
        for (a, b, stream) in pairs.into_iter().take(n_pairs).flatten() {
            self.count(a, b, stream, len, ts);
        }
    }

    fn count(&mut self, a: End, b: End, stream: u64, len: u64, ts: Timestamp) {
        if self.endpoints {
            // The source is created before the destination; a frame from X
            // to X counts on X twice.
            for (e, tx) in [(a, true), (b, false)] {
                let i = *self.end_index.entry(e).or_insert_with(|| {
                    self.ends.push((e, [0; 4]));
                    self.ends.len() - 1
                });
                let c = &mut self.ends[i].1;
                let o = if tx { 0 } else { 2 };
                c[o] += 1;
                c[o + 1] += len;
            }
            return;
        }
        let fwd = (a, b, stream);
        let rev = (b, a, stream);
        let (i, forward) = match (self.index.get(&fwd), self.index.get(&rev)) {
            (Some(&i), _) => (i, true),
            (None, Some(&i)) => (i, false),
            (None, None) => {
                self.rows.push(Row { a, b, tx: (0, 0), rx: (0, 0), start: ts, stop: ts });
                self.index.insert(fwd, self.rows.len() - 1);
                (self.rows.len() - 1, true)
            }
        };
        let r = &mut self.rows[i];
        let side = if forward { &mut r.tx } else { &mut r.rx };
        side.0 += 1;
        side.1 += len;
        if ts > r.stop {
            r.stop = ts;
        } else if ts < r.start {
            r.start = ts;
        }
    }

    /// The table, as tshark prints it after the last frame.
    pub fn write(&self, out: &mut String, first: Timestamp) {
        if self.endpoints {
            return self.write_endpoints(out);
        }
        let bar = "=".repeat(80);
        let pad = if self.kind.ports() { " ".repeat(12) } else { String::new() };
        let _ = writeln!(out, "{bar}\n{} Conversations\nFilter:{}", self.kind.title(), self.filter.as_deref().unwrap_or("<No Filter>"));
        let _ = writeln!(out, "{pad}{}|       <-      | |       ->      | |     Total     |    Relative    |   Duration   |", " ".repeat(47));
        let _ = writeln!(out, "{pad}{}| Frames  Bytes | | Frames  Bytes | | Frames  Bytes |      Start     |              |", " ".repeat(47));
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        // Most frames first; ties keep the order conversations appeared in.
        order.sort_by_key(|&i| std::cmp::Reverse(self.rows[i].tx.0 + self.rows[i].rx.0));
        for i in order {
            let r = &self.rows[i];
            let w = if self.kind.ports() { 26 } else { 20 };
            // The relative start is an exact difference, then a double (as
            // nstime_delta then nstime_to_sec); the duration subtracts doubles.
            let rel = |t: Timestamp| {
                let ns = t.since(first);
                (ns / 1_000_000_000) as f64 + (ns % 1_000_000_000) as f64 / 1e9
            };
            let start = rel(r.start);
            let duration = rel(r.stop) - start;
            let _ = writeln!(
                out,
                "{:<w$} <-> {:<w$}  {:>6} {:<9}  {:>6} {:<9}  {:>6} {:<9}  {start:>14.9}   {:>12.4}",
                r.a.to_string(),
                r.b.to_string(),
                r.rx.0,
                size(r.rx.1),
                r.tx.0,
                size(r.tx.1),
                r.rx.0 + r.tx.0,
                size(r.rx.1 + r.tx.1),
                duration,
            );
        }
        let _ = writeln!(out, "{bar}");
    }
}

impl ConvReport {
    fn write_endpoints(&self, out: &mut String) {
        let bar = "=".repeat(80);
        let _ = writeln!(out, "{bar}\n{} Endpoints\nFilter:{}", self.kind.title(), self.filter.as_deref().unwrap_or("<No Filter>"));
        let port_col = if self.kind.ports() { "|  Port  |" } else { "" };
        let _ = writeln!(out, "                       {port_col}|  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |");
        let mut order: Vec<usize> = (0..self.ends.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.ends[i].1[0] + self.ends[i].1[2]));
        for i in order {
            let (e, [txf, txb, rxf, rxb]) = &self.ends[i];
            let a = End { port: None, ..*e }.to_string();
            let counts = format!("{:>6}     {:>9}     {:>6}       {:>9}      {:>6}       {:>9}   ", txf + rxf, txb + rxb, txf, txb, rxf, rxb);
            match e.port {
                Some(p) => {
                    let _ = writeln!(out, "{a:<20}      {:>5}     {counts}", p.to_string());
                }
                None => {
                    let _ = writeln!(out, "{a:<20}      {counts}");
                }
            }
        }
        let _ = writeln!(out, "{bar}");
    }
}

/// Wireshark's format_size (SI, truncating): `9999 bytes`, `10 kB`, `2553 kB`, `10 MB`.
fn size(n: u64) -> String {
    for (div, unit) in [(1_000_000_000_000u64, "TB"), (1_000_000_000, "GB"), (1_000_000, "MB"), (1_000, "kB")] {
        if n / div >= 10 {
            return format!("{} {unit}", n / div);
        }
    }
    format!("{n} bytes")
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_as_wireshark_formats_them() {
        assert_eq!(size(9999), "9999 bytes");
        assert_eq!(size(10_000), "10 kB");
        assert_eq!(size(2_553_999), "2553 kB");
        assert_eq!(size(10_000_000), "10 MB");
        assert_eq!(size(0), "0 bytes");
    }
}

//! `wirecrab http`: one row per HTTP request with its response, the
//! connection's handshake round trip, time to first and last response byte,
//! the client the load balancer saw, and a footer of latency percentiles.
//!
//! Rows are built from the dissection: HTTP messages (in the frame that
//! completes them, as tshark shows them) are paired per TCP stream in order
//! (HTTP/1.1 answers in request order, pipelined or not); TCP segments give
//! the handshake and the first response byte.

use std::collections::VecDeque;
use std::fmt::Write;

use rustc_hash::FxHashMap as HashMap;
use wirecrab_core::{FieldDef, Timestamp, Value};
use wirecrab_dissect::Registry;

use crate::time::{utc, write_frac, write_hms, write_ymd, TimeCache};
use crate::FrameView;

/// One HTTP message as a row needs it.
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// Frame that completed the message.
    pub frame: u64,
    /// Its capture time.
    pub ts: Timestamp,
    /// Length as sent (start line, headers, body).
    pub bytes: u64,
}

/// One request and its response (either may be missing).
#[derive(Debug, Clone, Default)]
pub struct Transaction {
    /// tcp.stream.
    pub stream: u64,
    /// The client: left-most X-Forwarded-For address, else the TCP source.
    pub client: String,
    /// Server address and port.
    pub server: String,
    /// Request method.
    pub method: String,
    /// Host header.
    pub host: String,
    /// Request target as sent.
    pub path: String,
    /// Status code.
    pub status: Option<u16>,
    /// The request.
    pub request: Option<Message>,
    /// The response.
    pub response: Option<Message>,
    /// The connection's handshake round trip (SYN to the client's ACK), ns.
    pub handshake_rtt: Option<i128>,
    /// Request to the first byte the server sent after it, ns.
    pub first_byte: Option<i128>,
    /// Request to the end of the response, ns.
    pub duration: Option<i128>,
    /// X-Amzn-Trace-Id.
    pub trace_id: String,
    /// A load balancer's (or other well-known) health check.
    pub health_check: bool,
    /// The display filter matched the request or the response frame.
    pub matched: bool,
}

/// Per-connection state.
#[derive(Default)]
struct Stream {
    syn: Option<(Timestamp, (Addr, u16))>,
    syn_ack: bool,
    rtt: Option<i128>,
    /// Rows waiting for their response, oldest first, with the server's end.
    open: VecDeque<(usize, (Addr, u16))>,
}

/// An address as the dissection gave it, formatted only for rows.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Addr {
    #[default]
    None,
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Addr {
    fn of(v: &Value) -> Addr {
        match v {
            Value::V4(a) => Addr::V4(*a),
            Value::V6(a) => Addr::V6(*a),
            _ => Addr::None,
        }
    }

    fn text(self) -> String {
        match self {
            Addr::None => String::new(),
            Addr::V4(a) => std::net::Ipv4Addr::from(a).to_string(),
            Addr::V6(a) => std::net::Ipv6Addr::from(a).to_string(),
        }
    }

    /// `addr:port`, IPv6 in brackets.
    fn with_port(self, port: u16) -> String {
        match self {
            Addr::V6(_) => format!("[{}]:{port}", self.text()),
            _ => format!("{}:{port}", self.text()),
        }
    }
}

/// What one frame holds.
#[derive(Default)]
struct Seen {
    src: Addr,
    dst: Addr,
    sport: u16,
    dport: u16,
    stream: Option<u64>,
    len: u64,
    syn: bool,
    ack: bool,
    messages: Vec<Msg>,
}

#[derive(Default)]
struct Msg {
    request: bool,
    response: bool,
    method: String,
    host: String,
    uri: String,
    code: Option<u16>,
    client: Option<String>,
    trace: String,
    health: bool,
    bytes: u64,
}

/// Field handles, looked up once.
struct Fields {
    ip_src: &'static FieldDef,
    ip_dst: &'static FieldDef,
    ipv6_src: &'static FieldDef,
    ipv6_dst: &'static FieldDef,
    icmp: &'static FieldDef,
    icmpv6: &'static FieldDef,
    sport: &'static FieldDef,
    dport: &'static FieldDef,
    stream: &'static FieldDef,
    len: &'static FieldDef,
    syn: &'static FieldDef,
    ack: &'static FieldDef,
    http: &'static FieldDef,
    ssdp: &'static FieldDef,
    request: &'static FieldDef,
    response: &'static FieldDef,
    method: &'static FieldDef,
    host: &'static FieldDef,
    uri: &'static FieldDef,
    code: &'static FieldDef,
    client: &'static FieldDef,
    trace: &'static FieldDef,
    health: &'static FieldDef,
    bytes: &'static FieldDef,
}

impl Fields {
    fn get() -> Fields {
        let r = Registry::get();
        let f = |n: &str| r.field(n).unwrap_or_else(|| panic!("the registry names {n}"));
        Fields {
            ip_src: f("ip.src"),
            ip_dst: f("ip.dst"),
            ipv6_src: f("ipv6.src"),
            ipv6_dst: f("ipv6.dst"),
            icmp: f("icmp"),
            icmpv6: f("icmpv6"),
            sport: f("tcp.srcport"),
            dport: f("tcp.dstport"),
            stream: f("tcp.stream"),
            len: f("tcp.len"),
            syn: f("tcp.flags.syn"),
            ack: f("tcp.flags.ack"),
            http: f("http"),
            ssdp: f("ssdp"),
            request: f("http.request"),
            response: f("http.response"),
            method: f("http.request.method"),
            host: f("http.host"),
            uri: f("http.request.uri"),
            code: f("http.response.code"),
            client: f("http.client_ip"),
            trace: f("http.x_amzn_trace_id"),
            health: f("http.lb.health_check"),
            bytes: f("http.message_length"),
        }
    }
}

/// Builds the transactions of a capture, frame by frame.
pub struct Transactions {
    f: Fields,
    streams: HashMap<u64, Stream>,
    rows: Vec<Transaction>,
}

impl Default for Transactions {
    fn default() -> Self {
        Transactions { f: Fields::get(), streams: HashMap::default(), rows: Vec::new() }
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::OwnedStr(s) => s.to_string(),
        _ => String::new(),
    }
}

impl Transactions {
    /// The fields the dissection must keep.
    pub fn wanted_fields(&self) -> Vec<&'static FieldDef> {
        let f = &self.f;
        vec![
            f.ip_src, f.ip_dst, f.ipv6_src, f.ipv6_dst, f.icmp, f.icmpv6, f.sport, f.dport, f.stream, f.len, f.syn, f.ack, f.http,
            f.ssdp, f.request, f.response, f.method, f.host, f.uri, f.code, f.client, f.trace, f.health, f.bytes,
        ]
    }

    fn seen(&self, v: &FrameView<'_>) -> Seen {
        let f = &self.f;
        let mut s = Seen::default();
        let is = |a: &FieldDef, b: &FieldDef| std::ptr::eq(a, b);
        for n in v.d.tree.nodes() {
            let field = n.field;
            if is(field, f.icmp) || is(field, f.icmpv6) {
                // A quoted header inside an ICMP error is not this frame's traffic.
                break;
            }
            if is(field, f.ip_src) || is(field, f.ipv6_src) {
                s.src = Addr::of(&n.value);
            } else if is(field, f.ip_dst) || is(field, f.ipv6_dst) {
                s.dst = Addr::of(&n.value);
            } else if is(field, f.sport) {
                s.sport = n.value.as_u64().unwrap_or(0) as u16;
            } else if is(field, f.dport) {
                s.dport = n.value.as_u64().unwrap_or(0) as u16;
            } else if is(field, f.stream) {
                s.stream = n.value.as_u64();
            } else if is(field, f.len) {
                s.len = n.value.as_u64().unwrap_or(0);
            } else if is(field, f.syn) {
                s.syn = n.value.as_u64() == Some(1);
            } else if is(field, f.ack) {
                s.ack = n.value.as_u64() == Some(1);
            } else if is(field, f.http) || is(field, f.ssdp) {
                s.messages.push(Msg::default());
            } else if let Some(m) = s.messages.last_mut() {
                match () {
                    _ if is(field, f.request) => m.request = true,
                    _ if is(field, f.response) => m.response = true,
                    _ if is(field, f.method) => m.method = text(&n.value),
                    _ if is(field, f.host) && m.host.is_empty() => m.host = text(&n.value),
                    _ if is(field, f.uri) => m.uri = text(&n.value),
                    _ if is(field, f.code) => m.code = n.value.as_u64().map(|c| c as u16),
                    _ if is(field, f.client) => m.client = Some(text(&n.value)),
                    _ if is(field, f.trace) && m.trace.is_empty() => m.trace = text(&n.value),
                    _ if is(field, f.health) => m.health = n.value.as_u64() == Some(1),
                    _ if is(field, f.bytes) => m.bytes = n.value.as_u64().unwrap_or(0),
                    _ => {}
                }
            }
        }
        s
    }

    /// Read one frame; `matched` is the display filter's verdict on it.
    pub fn frame(&mut self, v: &FrameView<'_>, matched: bool) {
        let s = self.seen(v);
        let Some(stream) = s.stream else { return };
        let ts = v.meta.ts;
        let st = self.streams.entry(stream).or_default();
        // The handshake: SYN, SYN-ACK, then the SYN sender's first ACK.
        let from = (s.src, s.sport);
        if s.syn && !s.ack {
            st.syn = Some((ts, from));
            st.syn_ack = false;
            st.rtt = None;
        } else if s.syn && s.ack {
            st.syn_ack = true;
        } else if s.ack && st.syn_ack && st.rtt.is_none() {
            if let Some((t, who)) = st.syn {
                if who == from {
                    st.rtt = Some(ts.since(t));
                }
            }
        }
        // The first byte the server sends after a request.
        if s.len > 0 {
            if let Some(&(row, server)) = st.open.iter().find(|(r, _)| self.rows[*r].first_byte.is_none()) {
                let t = &mut self.rows[row];
                if server == from {
                    if let Some(req) = &t.request {
                        t.first_byte = Some(ts.since(req.ts));
                    }
                }
            }
        }
        for m in s.messages {
            let msg = Message { frame: v.meta.number, ts, bytes: m.bytes };
            if m.request {
                let row = Transaction {
                    stream,
                    client: m.client.unwrap_or_else(|| s.src.text()),
                    server: s.dst.with_port(s.dport),
                    method: m.method,
                    host: m.host,
                    path: m.uri,
                    request: Some(msg),
                    handshake_rtt: st.rtt,
                    trace_id: m.trace,
                    health_check: m.health,
                    matched,
                    ..Default::default()
                };
                st.open.push_back((self.rows.len(), (s.dst, s.dport)));
                self.rows.push(row);
            } else if m.response && m.code.is_some_and(|c| (100..200).contains(&c) && c != 101) {
                // An interim response (100 Continue): the final one follows.
                if let Some(&(r, _)) = st.open.front() {
                    let t = &mut self.rows[r];
                    t.matched |= matched;
                    if let (None, Some(req)) = (t.first_byte, &t.request) {
                        t.first_byte = Some(ts.since(req.ts));
                    }
                }
            } else if m.response {
                match st.open.pop_front() {
                    Some((r, _)) => {
                        let t = &mut self.rows[r];
                        t.status = m.code;
                        t.matched |= matched;
                        if let Some(req) = &t.request {
                            let d = ts.since(req.ts);
                            t.duration = Some(d);
                            t.first_byte.get_or_insert(d);
                        }
                        t.response = Some(msg);
                    }
                    None => self.rows.push(Transaction {
                        stream,
                        client: s.dst.text(),
                        server: s.src.with_port(s.sport),
                        status: m.code,
                        response: Some(msg),
                        handshake_rtt: st.rtt,
                        matched,
                        ..Default::default()
                    }),
                }
            }
        }
    }

    /// Every transaction, in order of the request (or lone response).
    pub fn finish(self) -> Vec<Transaction> {
        self.rows
    }
}

/// Which rows to show.
#[derive(Debug, Clone, Default)]
pub struct RowFilter {
    /// Only transactions at least this slow (ns), or without a response.
    pub slow: Option<i128>,
    /// Only these statuses: exact codes or classes (`5` = 5xx).
    pub status: Vec<StatusSpec>,
    /// Leave out health checks.
    pub no_health_checks: bool,
}

/// One `--status` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSpec {
    /// `404`.
    Code(u16),
    /// `5xx`.
    Class(u16),
}

impl StatusSpec {
    /// `404`, `5xx`, `4XX`.
    pub fn parse(s: &str) -> Option<StatusSpec> {
        let s = s.trim();
        if let Some(c) = s.strip_suffix("xx").or_else(|| s.strip_suffix("XX")) {
            return c.parse::<u16>().ok().filter(|c| (1..=5).contains(c)).map(StatusSpec::Class);
        }
        s.parse::<u16>().ok().filter(|c| (100..=999).contains(c)).map(StatusSpec::Code)
    }

    fn matches(self, code: u16) -> bool {
        match self {
            StatusSpec::Code(c) => c == code,
            StatusSpec::Class(c) => code / 100 == c,
        }
    }
}

impl RowFilter {
    /// Is `t` shown?
    pub fn keeps(&self, t: &Transaction) -> bool {
        if !t.matched || (self.no_health_checks && t.health_check) {
            return false;
        }
        if let Some(min) = self.slow {
            if t.duration.is_some_and(|d| d < min) {
                return false;
            }
        }
        if !self.status.is_empty() && !t.status.is_some_and(|c| self.status.iter().any(|s| s.matches(c))) {
            return false;
        }
        true
    }
}

/// How times are written in the table and CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The local zone (TZ), like `tshark -t ad`.
    Local,
    /// UTC, like `tshark -t ud`.
    Utc,
}

fn write_time(out: &mut String, ts: Timestamp, clock: Clock, tc: &mut TimeCache) {
    let tm = match clock {
        Clock::Utc => utc(ts.secs),
        Clock::Local => tc.local(ts.secs).0,
    };
    write_ymd(out, &tm);
    out.push(' ');
    write_hms(out, &tm);
    write_frac(out, ts.nanos as u32, 6);
}

fn ms(ns: Option<i128>) -> String {
    ns.map_or(String::new(), |n| format!("{:.3}", n as f64 / 1e6))
}

fn note(t: &Transaction) -> &'static str {
    match (&t.request, &t.response) {
        (Some(_), None) => "no response",
        (None, Some(_)) => "no request",
        _ => "",
    }
}

/// The columns of the table and the CSV, in order.
const COLUMNS: [&str; 16] = [
    "time", "stream", "client", "server", "method", "host", "path", "status", "req_bytes", "resp_bytes", "rtt_ms", "ttfb_ms",
    "total_ms", "trace_id", "health_check", "note",
];

fn cells(t: &Transaction, clock: Clock, tc: &mut TimeCache) -> [String; 16] {
    let mut time = String::new();
    if let Some(m) = t.request.as_ref().or(t.response.as_ref()) {
        write_time(&mut time, m.ts, clock, tc);
    }
    [
        time,
        t.stream.to_string(),
        t.client.clone(),
        t.server.clone(),
        t.method.clone(),
        t.host.clone(),
        t.path.clone(),
        t.status.map_or(String::new(), |c| c.to_string()),
        t.request.as_ref().map_or(String::new(), |m| m.bytes.to_string()),
        t.response.as_ref().map_or(String::new(), |m| m.bytes.to_string()),
        ms(t.handshake_rtt),
        ms(t.first_byte),
        ms(t.duration),
        t.trace_id.clone(),
        if t.health_check { "yes".into() } else { String::new() },
        note(t).into(),
    ]
}

/// One JSON object per line; the keys are documented in docs/http.md and stable.
pub fn write_json(out: &mut String, t: &Transaction) {
    let mut o = String::from("{");
    let mut key = |k: &str, v: String| {
        if o.len() > 1 {
            o.push(',');
        }
        let _ = write!(o, "\"{k}\":{v}");
    };
    let time = t.request.as_ref().or(t.response.as_ref()).map(|m| m.ts);
    key("time", time.map_or("null".into(), |ts| {
        let mut s = String::from("\"");
        let tm = utc(ts.secs);
        write_ymd(&mut s, &tm);
        s.push('T');
        write_hms(&mut s, &tm);
        write_frac(&mut s, ts.nanos as u32, 6);
        s.push_str("Z\"");
        s
    }));
    key("epoch", time.map_or("null".into(), |ts| format!("{}.{:09}", ts.secs, ts.nanos)));
    key("stream", t.stream.to_string());
    key("request_frame", t.request.as_ref().map_or("null".into(), |m| m.frame.to_string()));
    key("response_frame", t.response.as_ref().map_or("null".into(), |m| m.frame.to_string()));
    key("client", json_str(&t.client));
    key("server", json_str(&t.server));
    key("method", json_str(&t.method));
    key("host", json_str(&t.host));
    key("path", json_str(&t.path));
    key("status", t.status.map_or("null".into(), |c| c.to_string()));
    key("request_bytes", t.request.as_ref().map_or("null".into(), |m| m.bytes.to_string()));
    key("response_bytes", t.response.as_ref().map_or("null".into(), |m| m.bytes.to_string()));
    let num = |v: Option<i128>| v.map_or("null".into(), |n| format!("{:.6}", n as f64 / 1e6));
    key("handshake_rtt_ms", num(t.handshake_rtt));
    key("ttfb_ms", num(t.first_byte));
    key("duration_ms", num(t.duration));
    key("trace_id", json_str(&t.trace_id));
    key("health_check", t.health_check.to_string());
    key("note", json_str(note(t)));
    o.push('}');
    out.push_str(&o);
    out.push('\n');
}

fn json_str(s: &str) -> String {
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        return format!("\"{s}\"");
    }
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// CSV header.
pub fn write_csv_header(out: &mut String) {
    out.push_str(&COLUMNS.join(","));
    out.push('\n');
}

/// One CSV record (RFC 4180 quoting).
pub fn write_csv(out: &mut String, t: &Transaction, clock: Clock, tc: &mut TimeCache) {
    let c = cells(t, clock, tc);
    for (i, v) in c.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if v.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&v.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(v);
        }
    }
    out.push('\n');
}

/// An aligned table no wider than `width` columns (0: no limit). Narrow
/// terminals lose the trace id first; the path, host and client are then
/// shortened with `…`.
pub fn write_table(out: &mut String, rows: &[&Transaction], clock: Clock, width: usize) {
    let mut tc = TimeCache::default();
    let mut grid: Vec<[String; 16]> = rows.iter().map(|t| cells(t, clock, &mut tc)).collect();
    let titles = ["time", "stream", "client", "server", "method", "host", "path", "status", "req", "resp", "rtt ms", "ttfb ms", "total ms", "trace id", "hc", "note"];
    let mut widths: Vec<usize> = titles.iter().map(|t| t.chars().count()).collect();
    for r in &grid {
        for (w, c) in widths.iter_mut().zip(r.iter()) {
            *w = (*w).max(c.chars().count());
        }
    }
    // Columns that are empty in every row are not shown.
    let mut shown: Vec<bool> = (0..16).map(|i| grid.iter().any(|r| !r[i].is_empty())).collect();
    shown[0] = true;
    let total = |widths: &[usize], shown: &[bool]| widths.iter().zip(shown).filter(|(_, s)| **s).map(|(w, _)| w + 2).sum::<usize>();
    if width > 0 && total(&widths, &shown) > width {
        // Narrow terminal: the time of day is enough, then shrink the path and
        // host, then give up columns, least useful first.
        for r in grid.iter_mut() {
            if let Some((_, tod)) = r[0].split_once(' ') {
                r[0] = tod.chars().take(12).collect();
            }
        }
        widths[0] = grid.iter().map(|r| r[0].chars().count()).max().unwrap_or(4).max(4);
        for col in [6, 5] {
            let over = total(&widths, &shown).saturating_sub(width);
            widths[col] = widths[col].saturating_sub(over).max(16.min(widths[col]));
        }
        for col in [13, 8, 9, 1, 10, 3, 11, 14] {
            if total(&widths, &shown) <= width {
                break;
            }
            shown[col] = false;
        }
        // The last column's two trailing spaces are not printed.
        for col in [6, 5, 2, 4] {
            let over = total(&widths, &shown).saturating_sub(width + 2);
            widths[col] = widths[col].saturating_sub(over).max(6.min(widths[col]));
        }
    }
    for r in grid.iter_mut() {
        for (c, w) in r.iter_mut().zip(&widths) {
            if c.chars().count() > *w {
                let cut: String = c.chars().take(w.saturating_sub(1)).collect();
                *c = format!("{cut}…");
            }
        }
    }
    let numeric = [1, 7, 8, 9, 10, 11, 12];
    let mut line = |cols: &[String]| {
        let mut l = String::new();
        for i in (0..16).filter(|&i| shown[i]) {
            let (c, w) = (&cols[i], widths[i]);
            let pad = w.saturating_sub(c.chars().count());
            if numeric.contains(&i) {
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            } else {
                l.push_str(c);
                l.push_str(&" ".repeat(pad));
            }
            l.push_str("  ");
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&titles.map(String::from));
    for r in &grid {
        line(r);
    }
}

/// `/users/42/orders/9f1c…-…` → `/users/{n}/orders/{uuid}`: the footer groups
/// requests by host and this pattern.
pub fn path_pattern(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut out = String::new();
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str("{n}");
        } else if is_uuid(seg) {
            out.push_str("{uuid}");
        } else if seg.len() >= 16 && seg.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push_str("{hex}");
        } else {
            out.push_str(seg);
        }
    }
    out
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36 && b.iter().enumerate().all(|(i, &c)| if [8, 13, 18, 23].contains(&i) { c == b'-' } else { c.is_ascii_hexdigit() })
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i128], p: f64) -> i128 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Counts per status class, then latency percentiles per host and path
/// pattern (the `limit` busiest groups).
pub fn write_footer(out: &mut String, rows: &[&Transaction], limit: usize) {
    let mut classes = [0usize; 7];
    for t in rows {
        let i = match (t.status, &t.response) {
            (Some(c), _) if (100..600).contains(&c) => (c / 100) as usize,
            (_, None) => 6,
            _ => 0,
        };
        classes[i] += 1;
    }
    let _ = write!(out, "\n{} transactions:", rows.len());
    for (i, name) in ["other", "1xx", "2xx", "3xx", "4xx", "5xx", "no response"].iter().enumerate() {
        if classes[i] > 0 {
            let _ = write!(out, "  {name} {}", classes[i]);
        }
    }
    out.push('\n');
    let mut groups: HashMap<(String, String), Vec<i128>> = HashMap::default();
    for t in rows {
        if let Some(d) = t.duration {
            groups.entry((t.host.clone(), path_pattern(&t.path))).or_default().push(d);
        }
    }
    if groups.is_empty() {
        return;
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let n = groups.len();
    let shown = &mut groups[..n.min(limit)];
    let names: Vec<String> = shown.iter().map(|((h, p), _)| format!("{h}{p}")).collect();
    let w = names.iter().map(|s| s.chars().count()).max().unwrap_or(0).clamp(20, 60);
    let _ = writeln!(out, "\n{:<w$} {:>7} {:>9} {:>9} {:>9} {:>9}", "latency (ms) by host and path", "count", "p50", "p90", "p99", "max");
    for ((_, v), mut name) in shown.iter_mut().zip(names) {
        v.sort_unstable();
        let f = |ns: i128| format!("{:.1}", ns as f64 / 1e6);
        if name.chars().count() > w {
            name = format!("{}…", name.chars().take(w - 1).collect::<String>());
        }
        let _ = writeln!(
            out,
            "{name:<w$} {:>7} {:>9} {:>9} {:>9} {:>9}",
            v.len(),
            f(percentile(v, 50.0)),
            f(percentile(v, 90.0)),
            f(percentile(v, 99.0)),
            f(*v.last().unwrap_or(&0))
        );
    }
    if n > limit {
        let _ = writeln!(out, "… {} more groups (--json or --csv give every row)", n - limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_fold_numbers_uuids_and_long_hex() {
        assert_eq!(path_pattern("/users/42/orders?x=1"), "/users/{n}/orders");
        assert_eq!(path_pattern("/v1/items/123e4567-e89b-12d3-a456-426614174000"), "/v1/items/{uuid}");
        assert_eq!(path_pattern("/blob/0123456789abcdef0123"), "/blob/{hex}");
        assert_eq!(path_pattern("/health"), "/health");
        assert_eq!(path_pattern("/"), "/");
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<i128> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&[7], 90.0), 7);
    }

    #[test]
    fn status_specs() {
        assert_eq!(StatusSpec::parse("5xx"), Some(StatusSpec::Class(5)));
        assert_eq!(StatusSpec::parse("404"), Some(StatusSpec::Code(404)));
        assert_eq!(StatusSpec::parse("9xx"), None);
        assert_eq!(StatusSpec::parse("abc"), None);
        assert!(StatusSpec::Class(4).matches(404) && !StatusSpec::Class(4).matches(504));
    }
}

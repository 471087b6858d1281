//! `-z http,tree` and `-z http_req,tree`: Wireshark's stats_tree counters in
//! tshark's plain-text layout (docs/research/z-reports.md §4).
//!
//! A tree of named counters; every HTTP message the dissection produced is
//! one event. Each counter also tracks its densest 100 ms window ("burst"),
//! measured in 5 ms buckets exactly as Wireshark does, so the Burst columns
//! agree with tshark's.

use std::collections::VecDeque;
use std::fmt::Write;

use wirecrab_core::{FieldDef, Timestamp, Value};
use wirecrab_dissect::Registry;

use crate::FrameView;

/// Burst window and bucket size (Wireshark's defaults, in ms).
const BURST_WINDOW_MS: f64 = 100.0;
const BURST_BUCKET_MS: f64 = 5.0;
const BURST_BUCKETS: i64 = (BURST_WINDOW_MS / BURST_BUCKET_MS) as i64;
/// Rows are indented by depth, up to this many spaces.
const INDENT_MAX: usize = 6;

/// Wireshark's burst bookkeeping for one counter.
struct Burst {
    /// (bucket number, ticks, time of the bucket's first tick in ms).
    buckets: VecDeque<(i64, u64, f64)>,
    sum: u64,
    max: u64,
    start: f64,
}

impl Default for Burst {
    fn default() -> Self {
        // Wireshark starts every counter with an empty bucket at time 0.
        Burst { buckets: VecDeque::from([(0, 0, 0.0)]), sum: 0, max: 0, start: 0.0 }
    }
}

impl Burst {
    fn tick(&mut self, now_ms: f64) {
        let cur = (now_ms / BURST_BUCKET_MS).floor() as i64;
        let (head, tail) = match (self.buckets.front(), self.buckets.back()) {
            (Some(h), Some(t)) => (h.0, t.0),
            _ => (cur, cur),
        };
        if self.buckets.is_empty() || cur > tail {
            self.buckets.push_back((cur, 1, now_ms));
            self.sum += 1;
            while self.buckets.front().is_some_and(|h| cur >= h.0 + BURST_BUCKETS) {
                if let Some(h) = self.buckets.pop_front() {
                    self.sum -= h.1;
                }
            }
        } else if cur < head {
            // Out of time order: kept only while still inside the window.
            if cur + BURST_BUCKETS > tail {
                self.buckets.push_front((cur, 1, now_ms));
                self.sum += 1;
            }
        } else {
            match self.buckets.iter().position(|b| b.0 >= cur) {
                Some(i) if self.buckets[i].0 == cur => {
                    let b = &mut self.buckets[i];
                    b.1 += 1;
                    b.2 = b.2.min(now_ms);
                }
                Some(i) => self.buckets.insert(i, (cur, 1, now_ms)),
                None => self.buckets.push_back((cur, 1, now_ms)),
            }
            self.sum += 1;
        }
        if self.sum > self.max {
            self.max = self.sum;
            self.start = self.buckets.front().map_or(now_ms, |h| h.2);
        }
    }
}

struct Node {
    name: String,
    count: u64,
    depth: usize,
    children: Vec<usize>,
    burst: Burst,
}

/// A stats_tree: named counters in a tree, with the time span of the events.
struct StatsTree {
    title: &'static str,
    root_name: &'static str,
    nodes: Vec<Node>,
    /// Relative times (ms) of the first and latest event.
    span: Option<(f64, f64)>,
}

impl StatsTree {
    fn new(title: &'static str, root_name: &'static str) -> StatsTree {
        let root = Node { name: root_name.into(), count: 0, depth: 0, children: Vec::new(), burst: Burst::default() };
        StatsTree { title, root_name, nodes: vec![root], span: None }
    }

    /// The child of `parent` called `name`, created on first use.
    fn child(&mut self, parent: usize, name: &str) -> usize {
        if let Some(&c) = self.nodes[parent].children.iter().find(|&&c| self.nodes[c].name == name) {
            return c;
        }
        let depth = self.nodes[parent].depth + 1;
        self.nodes.push(Node { name: name.into(), count: 0, depth, children: Vec::new(), burst: Burst::default() });
        let id = self.nodes.len() - 1;
        self.nodes[parent].children.push(id);
        id
    }

    /// Every event moves the time span, whether or not it ticks a counter.
    fn event(&mut self, now_ms: f64) {
        let span = self.span.get_or_insert((now_ms, now_ms));
        span.1 = now_ms;
    }

    fn tick(&mut self, node: usize, now_ms: f64) {
        let n = &mut self.nodes[node];
        n.count += 1;
        n.burst.tick(now_ms);
    }

    fn write(&self, out: &mut String) {
        let name_width = self.nodes.iter().map(|n| n.name.len() + n.depth.min(INDENT_MAX)).max().unwrap_or(0).max(self.root_name.len());
        let width = name_width + 8 * 14;
        let _ = writeln!(out, "\n{}\n{}:", "=".repeat(width), self.title);
        let _ = write!(out, "{:<name_width$}", "Topic / Item");
        for t in ["Count", "Average", "Min Val", "Max Val", "Rate (ms)", "Percent", "Burst Rate", "Burst Start"] {
            let _ = write!(out, " {t:<13}");
        }
        let _ = writeln!(out, "\n{}", "-".repeat(width));
        let elapsed = self.span.map_or(0.0, |(a, b)| b - a);
        // Top-level rows keep their order of creation; deeper ones are sorted.
        for &top in &self.nodes[0].children {
            self.write_row(out, top, 0, name_width, elapsed);
        }
        let _ = writeln!(out, "\n{}", "-".repeat(width));
    }

    fn write_row(&self, out: &mut String, id: usize, parent_count: u64, name_width: usize, elapsed: f64) {
        let n = &self.nodes[id];
        let indent = (n.depth - 1).min(INDENT_MAX);
        let _ = write!(out, "{:indent$}{:<w$}", "", n.name, w = name_width - indent);
        let rate = if elapsed == 0.0 { String::new() } else { format!("{:.4}", n.count as f64 / elapsed) };
        let percent = if parent_count > 0 {
            format!("{:.2}%", n.count as f64 * 100.0 / parent_count as f64)
        } else if n.depth == 1 {
            "100%".into()
        } else {
            String::new()
        };
        let (burst_rate, burst_start) = if n.burst.max > 0 {
            (format!("{:.4}", n.burst.max as f64 / BURST_WINDOW_MS), format!("{:.3}", n.burst.start / 1000.0))
        } else {
            ("-".into(), "-".into())
        };
        for v in [&n.count.to_string(), "", "", "", &rate, &percent, &burst_rate, &burst_start] {
            let _ = write!(out, " {v:<13}");
        }
        out.push('\n');
        let mut children = n.children.clone();
        children.sort_by(|&a, &b| {
            let (a, b) = (&self.nodes[a], &self.nodes[b]);
            b.count.cmp(&a.count).then_with(|| b.name.as_bytes().cmp(a.name.as_bytes()))
        });
        for c in children {
            self.write_row(out, c, n.count, name_width, elapsed);
        }
    }
}

/// Which HTTP tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpTreeKind {
    /// `http,tree`: messages by kind, status class and code, method.
    Packets,
    /// `http_req,tree`: requests by Host and URI.
    Requests,
}

/// What one HTTP message says, as the tree needs it.
#[derive(Default)]
struct Message {
    request: bool,
    method: Option<String>,
    code: Option<u64>,
    code_desc: Option<String>,
    host: Option<String>,
    uri: Option<String>,
}

/// `-z http,tree` / `-z http_req,tree`.
pub struct HttpTree {
    kind: HttpTreeKind,
    tree: StatsTree,
    fields: [&'static FieldDef; 7],
}

impl HttpTree {
    /// An empty report of `kind`.
    pub fn new(kind: HttpTreeKind) -> HttpTree {
        let r = Registry::get();
        let f = |n: &str| r.field(n).unwrap_or_else(|| panic!("the registry names {n}"));
        let fields = [
            f("http"),
            f("http.request"),
            f("http.request.method"),
            f("http.response.code"),
            f("http.response.code.desc"),
            f("http.host"),
            f("http.request.uri"),
        ];
        let mut tree = match kind {
            HttpTreeKind::Packets => StatsTree::new("HTTP/Packet Counter", "Packet Counter"),
            HttpTreeKind::Requests => StatsTree::new("HTTP/Requests", "Requests"),
        };
        // Wireshark creates these before the first packet; they print even at 0.
        match kind {
            HttpTreeKind::Packets => {
                let total = tree.child(0, "Total HTTP Packets");
                tree.child(total, "HTTP Request Packets");
                let responses = tree.child(total, "HTTP Response Packets");
                for class in CLASSES {
                    tree.child(responses, class);
                }
                tree.child(total, "Other HTTP Packets");
            }
            HttpTreeKind::Requests => {
                tree.child(0, "HTTP Requests by HTTP Host");
            }
        }
        HttpTree { kind, tree, fields }
    }

    fn messages(&self, v: &FrameView<'_>) -> Vec<Message> {
        let [http, request, method, code, code_desc, host, uri] = self.fields;
        let mut out: Vec<Message> = Vec::new();
        let text = |v: &Value| match v {
            Value::OwnedStr(s) => Some(s.to_string()),
            _ => None,
        };
        for n in v.d.tree.nodes() {
            let f = n.field;
            if std::ptr::eq(f, http) {
                out.push(Message::default());
            } else if let Some(m) = out.last_mut() {
                if std::ptr::eq(f, request) {
                    m.request = true;
                } else if std::ptr::eq(f, method) {
                    m.method = text(&n.value);
                } else if std::ptr::eq(f, code) {
                    m.code = n.value.as_u64();
                } else if std::ptr::eq(f, code_desc) {
                    m.code_desc = text(&n.value);
                } else if std::ptr::eq(f, host) && m.host.is_none() {
                    m.host = text(&n.value);
                } else if std::ptr::eq(f, uri) {
                    m.uri = text(&n.value);
                }
            }
        }
        out
    }

    fn count(&mut self, m: &Message, now: f64) {
        let t = &mut self.tree;
        match self.kind {
            HttpTreeKind::Packets => {
                let total = t.child(0, "Total HTTP Packets");
                t.tick(total, now);
                if let Some(c) = m.code {
                    let responses = t.child(total, "HTTP Response Packets");
                    t.tick(responses, now);
                    let class = t.child(responses, class_name(c));
                    t.tick(class, now);
                    let desc = m.code_desc.as_deref().unwrap_or("Unknown");
                    let code = t.child(class, &format!("{c} {desc}"));
                    t.tick(code, now);
                } else if m.request {
                    let requests = t.child(total, "HTTP Request Packets");
                    t.tick(requests, now);
                    let method = m.method.as_deref().unwrap_or("");
                    // Wireshark 4.0 files SSDP's M-SEARCH under SEARCH.
                    let method = if method == "M-SEARCH" { "SEARCH" } else { method };
                    let node = t.child(requests, method);
                    t.tick(node, now);
                } else {
                    let other = t.child(total, "Other HTTP Packets");
                    t.tick(other, now);
                }
            }
            HttpTreeKind::Requests => {
                if !m.request {
                    return;
                }
                let top = t.child(0, "HTTP Requests by HTTP Host");
                t.tick(top, now);
                if let Some(h) = &m.host {
                    let host = t.child(top, h);
                    t.tick(host, now);
                    if let Some(u) = &m.uri {
                        let uri = t.child(host, u);
                        t.tick(uri, now);
                    }
                }
            }
        }
    }
}

const CLASSES: [&str; 6] = ["???: broken", "1xx: Informational", "2xx: Success", "3xx: Redirection", "4xx: Client Error", "5xx: Server Error"];

fn class_name(code: u64) -> &'static str {
    match code {
        100..=199 => CLASSES[1],
        200..=299 => CLASSES[2],
        300..=399 => CLASSES[3],
        400..=499 => CLASSES[4],
        500..=599 => CLASSES[5],
        _ => CLASSES[0],
    }
}

impl crate::Report for HttpTree {
    fn wanted_fields(&self) -> Vec<&'static FieldDef> {
        self.fields.to_vec()
    }

    fn frame(&mut self, v: &FrameView<'_>) {
        let messages = self.messages(v);
        if messages.is_empty() {
            return;
        }
        let rel = v.meta.ts.since(v.first_ts);
        let now = rel as f64 / 1e6;
        for m in &messages {
            self.tree.event(now);
            self.count(m, now);
        }
    }

    fn write(&self, out: &mut String, _first: Timestamp) {
        self.tree.write(out);
    }
}

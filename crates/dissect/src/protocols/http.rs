//! HTTP/1.x (RFC 9112) over TCP, as Wireshark 4.0 shows it.
//!
//! TCP hands each segment of a connection on an HTTP port to
//! [`tcp_segment`], which keeps Wireshark's multi-segment PDUs per direction
//! (an exact length for Content-Length, "one more segment" while headers or
//! chunks are incomplete, "until FIN" for a response without a length) and
//! dissects each message in the segment that completes it. Earlier segments
//! are plain TCP with " [TCP segment of a reassembled PDU]" in the Info
//! column; single pass, so nothing is written back to them.
//!
//! ```text
//! GET /path HTTP/1.1\r\n          request line (or HTTP/1.1 200 OK: status line)
//! Host: example.com\r\n           header lines
//! \r\n                            end of headers
//! body                            Content-Length bytes, chunks, or until close
//! ```

use std::fmt::Write;
use std::io::Read;

use rustc_hash::FxHashMap as HashMap;
use wirecrab_core::{Buf, FieldDef, FieldType as T, Timestamp, Value};

use crate::ctx::{Ctx, Next};
use crate::http1::{self, Framing, Kind};
use crate::registry::Protocol;

static HTTP: FieldDef = FieldDef::new("http", "Hypertext Transfer Protocol", T::Protocol);
static REQUEST: FieldDef = FieldDef::new("http.request", "Request", T::Bool).hidden();
static RESPONSE: FieldDef = FieldDef::new("http.response", "Response", T::Bool).hidden();
static NOTIFICATION: FieldDef = FieldDef::new("http.notification", "Notification", T::Bool).hidden();
static METHOD: FieldDef = FieldDef::new("http.request.method", "Request Method", T::String);
static URI: FieldDef = FieldDef::new("http.request.uri", "Request URI", T::String);
static VERSION: FieldDef = FieldDef::new("http.request.version", "Request Version", T::String);
static FULL_URI: FieldDef = FieldDef::new("http.request.full_uri", "Full request URI", T::String).generated();
static RESP_VERSION: FieldDef = FieldDef::new("http.response.version", "Response Version", T::String);
static CODE: FieldDef = FieldDef::new("http.response.code", "Status Code", T::U16);
static CODE_DESC: FieldDef = FieldDef::new("http.response.code.desc", "Status Code Description", T::String).generated();
static PHRASE: FieldDef = FieldDef::new("http.response.phrase", "Response Phrase", T::String);
static HOST: FieldDef = FieldDef::new("http.host", "Host", T::String);
static USER_AGENT: FieldDef = FieldDef::new("http.user_agent", "User-Agent", T::String);
static CONTENT_TYPE: FieldDef = FieldDef::new("http.content_type", "Content-Type", T::String);
static CONTENT_LENGTH_HEADER: FieldDef = FieldDef::new("http.content_length_header", "Content-Length", T::String);
static CONTENT_LENGTH: FieldDef = FieldDef::new("http.content_length", "Content length", T::U64).generated();
static CONTENT_ENCODING: FieldDef = FieldDef::new("http.content_encoding", "Content-Encoding", T::String);
static TRANSFER_ENCODING: FieldDef = FieldDef::new("http.transfer_encoding", "Transfer-Encoding", T::String);
static CONNECTION: FieldDef = FieldDef::new("http.connection", "Connection", T::String);
static XFF: FieldDef = FieldDef::new("http.x_forwarded_for", "X-Forwarded-For", T::String);
static COOKIE: FieldDef = FieldDef::new("http.cookie", "Cookie", T::String);
static SET_COOKIE: FieldDef = FieldDef::new("http.set_cookie", "Set-Cookie", T::String);
static AUTHORIZATION: FieldDef = FieldDef::new("http.authorization", "Authorization", T::String);
static ACCEPT: FieldDef = FieldDef::new("http.accept", "Accept", T::String);
static ACCEPT_ENCODING: FieldDef = FieldDef::new("http.accept_encoding", "Accept Encoding", T::String);
static ACCEPT_LANGUAGE: FieldDef = FieldDef::new("http.accept_language", "Accept-Language", T::String);
static REFERER: FieldDef = FieldDef::new("http.referer", "Referer", T::String);
static DATE: FieldDef = FieldDef::new("http.date", "Date", T::String);
static SERVER: FieldDef = FieldDef::new("http.server", "Server", T::String);
static LOCATION: FieldDef = FieldDef::new("http.location", "Location", T::String);
static CACHE_CONTROL: FieldDef = FieldDef::new("http.cache_control", "Cache-Control", T::String);
static LAST_MODIFIED: FieldDef = FieldDef::new("http.last_modified", "Last-Modified", T::String);
static UPGRADE: FieldDef = FieldDef::new("http.upgrade", "Upgrade", T::String);
static REQUEST_LINE: FieldDef = FieldDef::new("http.request.line", "Request line", T::String).hidden();
static RESPONSE_LINE: FieldDef = FieldDef::new("http.response.line", "Response line", T::String).hidden();
static UNKNOWN_HEADER: FieldDef = FieldDef::new("http.unknown_header", "Unknown header", T::String);
static REQUEST_NUMBER: FieldDef = FieldDef::new("http.request_number", "Request number", T::U32).generated();
static RESPONSE_NUMBER: FieldDef = FieldDef::new("http.response_number", "Response number", T::U32).generated();
static PREV_REQUEST_IN: FieldDef = FieldDef::new("http.prev_request_in", "Prev request in frame", T::FrameNum).generated();
static PREV_RESPONSE_IN: FieldDef = FieldDef::new("http.prev_response_in", "Prev response in frame", T::FrameNum).generated();
static REQUEST_IN: FieldDef = FieldDef::new("http.request_in", "Request in frame", T::FrameNum).generated();
// Filled by a two-pass run only in tshark; registered so filters accept them.
static RESPONSE_IN: FieldDef = FieldDef::new("http.response_in", "Response in frame", T::FrameNum).generated();
static TIME: FieldDef = FieldDef::new("http.time", "Time since request", T::RelTime).generated();
static RESPONSE_FOR_URI: FieldDef = FieldDef::new("http.response_for.uri", "Request URI", T::String).generated();
static FILE_DATA: FieldDef = FieldDef::new("http.file_data", "File Data", T::String);
// wirecrab's own, hidden from the tree: the bytes `-z follow,http` prints.
static HEADER_BLOCK: FieldDef = FieldDef::new("http.header_block", "Header block (start line, headers, empty line)", T::Bytes).hidden();
static DECODED_BODY: FieldDef = FieldDef::new("http.decoded_body", "Body, de-chunked and decompressed", T::Bytes).hidden();
static CHUNK_SIZE: FieldDef = FieldDef::new("http.chunk_size", "Chunk size", T::U32);
static MESSAGE_LENGTH: FieldDef =
    FieldDef::new("http.message_length", "Message length as sent (start line, headers, body)", T::U64).generated().hidden();
static HEADER_TOO_LONG: FieldDef = FieldDef::new("http.header_too_long", "Header block longer than the cap", T::None);
static CHAT: FieldDef = FieldDef::new("http.chat", "HTTP request or response line", T::None);
static PROXY_AUTHORIZATION: FieldDef = FieldDef::new("http.proxy_authorization", "Proxy-Authorization", T::String);
static VIA: FieldDef = FieldDef::new("http.via", "Via", T::String);

// The load balancer's view (wirecrab's own fields, docs/fields.md).
static XF_PROTO: FieldDef = FieldDef::new("http.x_forwarded_proto", "X-Forwarded-Proto", T::String);
static XF_PORT: FieldDef = FieldDef::new("http.x_forwarded_port", "X-Forwarded-Port", T::String);
static TRACE_ID: FieldDef = FieldDef::new("http.x_amzn_trace_id", "X-Amzn-Trace-Id", T::String);
static TRACE_ROOT: FieldDef = FieldDef::new("http.x_amzn_trace_id.root", "Trace root", T::String);
static TRACE_PARENT: FieldDef = FieldDef::new("http.x_amzn_trace_id.parent", "Trace parent", T::String);
static TRACE_SAMPLED: FieldDef = FieldDef::new("http.x_amzn_trace_id.sampled", "Trace sampled", T::String);
static TRACE_SELF: FieldDef = FieldDef::new("http.x_amzn_trace_id.self", "Trace self (added by the load balancer)", T::String);
static AMZN_REQUEST_ID: FieldDef = FieldDef::new("http.x_amzn_requestid", "X-Amzn-RequestId (API Gateway, Lambda)", T::String);
static APIGW_API_ID: FieldDef = FieldDef::new("http.x_amzn_apigateway_api_id", "X-Amzn-Apigateway-Api-Id (API Gateway)", T::String);
static CF_ID: FieldDef = FieldDef::new("http.x_amz_cf_id", "X-Amz-Cf-Id (CloudFront)", T::String);
static CLIENT_IP: FieldDef =
    FieldDef::new("http.client_ip", "Client address (left-most X-Forwarded-For, else the source address)", T::String).generated();
static HEALTH_CHECK: FieldDef = FieldDef::new("http.lb.health_check", "Load balancer health check", T::Bool).generated();
static CLOUDFRONT: FieldDef = FieldDef::new("http.lb.cloudfront", "Came through CloudFront", T::Bool).generated();
static API_GATEWAY: FieldDef = FieldDef::new("http.lb.api_gateway", "Came through API Gateway", T::Bool).generated();
static BALANCED: FieldDef = FieldDef::new("http.lb.forwarded", "Forwarded by a proxy or load balancer", T::Bool).generated();

/// The HTTP protocol.
pub static PROTOCOL: Protocol = Protocol {
    field: &HTTP,
    short: "HTTP",
    leaf: true,
    fields: &[
        &REQUEST, &RESPONSE, &NOTIFICATION, &METHOD, &URI, &VERSION, &FULL_URI, &RESP_VERSION, &CODE, &CODE_DESC, &PHRASE,
        &HOST, &USER_AGENT, &CONTENT_TYPE, &CONTENT_LENGTH_HEADER, &CONTENT_LENGTH, &CONTENT_ENCODING, &TRANSFER_ENCODING,
        &CONNECTION, &XFF, &COOKIE, &SET_COOKIE, &AUTHORIZATION, &ACCEPT, &ACCEPT_ENCODING, &ACCEPT_LANGUAGE, &REFERER,
        &DATE, &SERVER, &LOCATION, &CACHE_CONTROL, &LAST_MODIFIED, &UPGRADE, &REQUEST_LINE, &RESPONSE_LINE,
        &UNKNOWN_HEADER, &REQUEST_NUMBER, &RESPONSE_NUMBER, &PREV_REQUEST_IN, &PREV_RESPONSE_IN, &REQUEST_IN,
        &RESPONSE_IN, &TIME, &RESPONSE_FOR_URI, &FILE_DATA, &CHUNK_SIZE, &HEADER_BLOCK, &DECODED_BODY, &MESSAGE_LENGTH, &CHAT, &HEADER_TOO_LONG, &PROXY_AUTHORIZATION,
        &VIA, &XF_PROTO, &XF_PORT, &TRACE_ID, &TRACE_ROOT, &TRACE_PARENT, &TRACE_SAMPLED, &TRACE_SELF, &AMZN_REQUEST_ID,
        &APIGW_API_ID, &CF_ID, &CLIENT_IP, &HEALTH_CHECK, &CLOUDFRONT, &API_GATEWAY, &BALANCED,
    ],
    dissect,
    // TCP calls `tcp_segment` for these ports itself (it owns the reassembly).
    register: |_| {},
};

static SSDP: FieldDef = FieldDef::new("ssdp", "Simple Service Discovery Protocol", T::Protocol);

/// SSDP (UPnP discovery): HTTP messages in UDP datagrams on port 1900.
pub static SSDP_PROTOCOL: Protocol = Protocol {
    field: &SSDP,
    short: "SSDP",
    leaf: true,
    fields: &[],
    dissect: dissect_ssdp,
    register: |t| t.udp_port(1900, &SSDP_PROTOCOL),
};

fn dissect_ssdp<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    ctx.set_protocol("SSDP");
    let mut conv = Conv::default();
    let mut out = Outcome { nested: true, ..Outcome::default() };
    message(ctx, buf.bytes(), buf.bytes().len(), &mut conv, &mut out);
    if let Some(i) = ctx.info_set() {
        i.push_str(&out.info);
    }
    Next::Done
}

/// Wireshark 4.0's default HTTP ports on TCP.
pub const PORTS: &[u16] = &[80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371];

/// Is this connection HTTP? Either port is an HTTP port, or Wireshark's
/// heuristic took it earlier, or (no port's protocol claims it) its first
/// line begins or ends with `HTTP/1.x`: then the whole connection is HTTP.
pub fn claims(ctx: &mut Ctx<'_, '_>, stream: u32, sport: u16, dport: u16, payload: &[u8]) -> bool {
    if PORTS.contains(&sport) || PORTS.contains(&dport) {
        return true;
    }
    if !ctx.needs.http_ports.is_empty() && (ctx.needs.http_ports.contains(&sport) || ctx.needs.http_ports.contains(&dport)) {
        return true;
    }
    let st = ctx.state.get::<HttpState>();
    if st.heuristic.contains(&stream) {
        return true;
    }
    if payload.is_empty() || crate::tables::Tables::ports(&crate::registry::Registry::get().tables.tcp_port, sport, dport).is_some() {
        return false;
    }
    let Some(n) = memchr::memchr2(b'\r', b'\n', payload) else { return false };
    let line = &payload[..n];
    let http = |b: &[u8]| b.len() >= 7 && b[..7].eq_ignore_ascii_case(b"HTTP/1.");
    let hit = http(line) || (n != 8 && n >= 8 && http(&line[n - 8..]));
    if hit {
        st.heuristic.insert(stream);
    }
    hit
}

/// Reached only through a "decode as" of a single buffer: one message.
fn dissect<'a>(ctx: &mut Ctx<'a, '_>, buf: Buf<'a>) -> Next<'a> {
    let mut conv = Conv::default();
    let mut out = Outcome::default();
    message(ctx, buf.bytes(), buf.bytes().len(), &mut conv, &mut out);
    Next::Done
}

/// A PDU collected over several segments of one direction.
struct Msp {
    /// Relative sequence number of its first byte.
    start: u32,
    end: MspEnd,
    /// The bytes kept: all of them, or only the head (headers and the start
    /// of the body) when nobody asked for the body itself.
    bytes: Vec<u8>,
    /// Bytes the PDU holds so far.
    len: usize,
    /// How many bytes to keep when only the head is wanted: the headers and
    /// the first bytes of the body (enough to tell its kind).
    keep: usize,
    frames: Vec<u64>,
}

/// Bytes of a PDU kept when its body is not wanted: enough for any header
/// block Wireshark would show and the start of the body (its kind).
const HEAD_KEEP: usize = 16 << 10;
/// Body bytes kept after the headers when the body is not wanted (magic numbers).
const BODY_PEEK: usize = 256;

impl Msp {
    /// Add a segment starting at `seq`: only the bytes beyond what the PDU
    /// already holds count, and with `head_only` only up to `keep` are stored.
    fn add(&mut self, seq: u32, payload: &[u8], head_only: bool, frame: u64) {
        let skip = self.start.wrapping_add(self.len as u32).wrapping_sub(seq) as usize;
        if let Some(new) = payload.get(skip..).filter(|n| !n.is_empty()) {
            self.len += new.len();
            let room = if head_only { self.keep.saturating_sub(self.bytes.len()) } else { new.len() };
            self.bytes.extend_from_slice(&new[..room.min(new.len())]);
        }
        self.frames.push(frame);
    }
}

#[derive(Clone, Copy)]
enum MspEnd {
    /// Complete at this relative sequence number.
    Exact(u32),
    /// Parse again with the next segment that starts before this sequence number.
    OneMore(u32),
    /// Complete with the sender's FIN.
    UntilFin,
}

/// One request/response pair of a connection.
struct Pair {
    number: u32,
    request: Option<(u64, Timestamp)>,
    response: Option<u64>,
}

/// What a connection has shown so far.
#[derive(Default)]
struct Conv {
    seen_request: bool,
    last_method: Vec<u8>,
    last_uri: String,
    last_full_uri: Option<String>,
    pairs: Vec<Pair>,
    next_number: u32,
    /// The last frame that touched the connection, for pruning.
    last_frame: u64,
}

/// Most bytes a PDU may collect before it is given up (a body without end
/// must not grow without bound).
const MAX_PDU: usize = 16 << 20; // inflated bodies; reassembly uses Limits::max_stream_buffer
/// Connections remembered before the tables are reset.
const MAX_CONVS: usize = 1 << 16;
/// Table size above which idle connections are forgotten...
const PRUNE_AT: usize = 4096;
/// ...idle meaning untouched for this many frames. Memory then follows the
/// connections that are active, not the length of the capture.
const IDLE_FRAMES: u64 = 50_000;
/// Pairs remembered per connection (enough for prev_request_in and matching).
const KEEP_PAIRS: usize = 4;

#[derive(Default)]
struct HttpState {
    msps: HashMap<(u32, u8), Msp>,
    convs: HashMap<u32, Conv>,
    /// Connections Wireshark's heuristic made HTTP (not on an HTTP port).
    heuristic: rustc_hash::FxHashSet<u32>,
    /// Table size at which the next pruning runs.
    prune_at: usize,
    /// The sequence range of the last PDU each direction completed from
    /// several segments: bytes sent again inside it clash with it.
    done: HashMap<(u32, u8), (u32, u32, u64)>,
}

impl HttpState {
    /// Forget idle connections once the tables grow (amortised: the next
    /// pruning waits until they have doubled again).
    fn prune(&mut self, frame: u64) {
        let size = self.convs.len() + self.msps.len() + self.done.len() + self.heuristic.len();
        if size < self.prune_at.max(PRUNE_AT) {
            return;
        }
        let fresh = |last: u64| frame.saturating_sub(last) < IDLE_FRAMES;
        self.convs.retain(|_, c| fresh(c.last_frame));
        self.msps.retain(|_, m| fresh(m.frames.last().copied().unwrap_or(0)));
        self.done.retain(|_, d| fresh(d.2));
        if self.heuristic.len() > MAX_CONVS {
            self.heuristic.clear();
        }
        if self.convs.len() > MAX_CONVS || self.msps.len() > MAX_CONVS {
            self.convs.clear();
            self.msps.clear();
        }
        self.prune_at = 2 * (self.convs.len() + self.msps.len() + self.done.len() + self.heuristic.len());
    }
}

/// A keep-alive segment (one old byte): if that byte lies in a PDU already
/// reassembled, Wireshark's reassembly complains about it (true); otherwise
/// it is plain data (false).
pub fn keep_alive(ctx: &mut Ctx<'_, '_>, seg: &Segment<'_>) -> bool {
    let key = (seg.stream, seg.dir);
    let inside = ctx.state.get::<HttpState>().done.get(&key).is_some_and(|&(start, end, _)| {
        seg.seq.wrapping_sub(start) as i32 >= 0 && (end.wrapping_sub(seg.seq) as i32) > 0
    });
    if inside {
        if let Some(i) = ctx.info() {
            i.push_str("[Reassembly error, protocol TCP: New fragment overlaps old data (retransmission?)]");
        }
    }
    inside
}

/// The segment as TCP saw it.
pub struct Segment<'p> {
    /// tcp.stream.
    pub stream: u32,
    /// Direction within the connection (0: the first sender seen).
    pub dir: u8,
    /// Relative sequence number of the first payload byte.
    pub seq: u32,
    /// FIN set.
    pub fin: bool,
    /// The payload.
    pub payload: &'p [u8],
}

/// What the messages of one frame produced.
#[derive(Default)]
struct Outcome {
    finished: usize,
    /// Info text of HTTP: first lines and suffixes.
    info: String,
    /// Protocol column of the first finished message.
    protocol: Option<&'static str>,
    /// Inside another protocol (SSDP): no `http` layer of its own.
    nested: bool,
}

/// TCP's hand-off: dissect what this segment completes, keep what it does
/// not. Returns false when the segment neither belongs to a PDU nor starts
/// anything HTTP, so TCP can treat it as plain data.
pub fn tcp_segment(ctx: &mut Ctx<'_, '_>, seg: &Segment<'_>) -> bool {
    let frame = ctx.meta.number;
    let key = (seg.stream, seg.dir);
    let st = ctx.state.get::<HttpState>();
    st.prune(frame);
    if seg.payload.is_empty() && !(seg.fin && matches!(st.msps.get(&key), Some(Msp { end: MspEnd::UntilFin, .. }))) {
        // Only a FIN can end a PDU without bringing bytes.
        return false;
    }
    let seg_end = seg.seq.wrapping_add(seg.payload.len() as u32);
    let sparse = !wants_body(ctx);
    let max_pdu = ctx.needs.limits.max_stream_buffer;
    let st = ctx.state.get::<HttpState>();
    // The common case, a segment in the middle of a long PDU, updates it in place.
    if let Some(m) = st.msps.get_mut(&key).filter(|m| in_msp(m, seg.seq) && matches!(m.end, MspEnd::Exact(_) | MspEnd::UntilFin)) {
        let head_only = sparse;
        let have = m.start.wrapping_add(m.len as u32);
        let skip = have.wrapping_sub(seg.seq) as usize;
        let new_len = seg.payload.len().saturating_sub(skip);
        let done = match m.end {
            MspEnd::Exact(end) => (have.wrapping_add(new_len as u32)).wrapping_sub(end) as i32 >= 0,
            _ => seg.fin,
        };
        if !done && (head_only || m.bytes.len() + new_len <= max_pdu) {
            m.add(seg.seq, seg.payload, head_only, frame);
            middle_segment(ctx);
            return true;
        }
    }
    let pending = st.msps.remove(&key);
    let mut until_fin_done = false;
    // A PDU of which only the head was kept: (bytes of it in `data`, real length).
    let mut head_pdu: Option<(usize, usize)> = None;
    let (data, frames, fresh_start) = match pending {
        Some(mut m) if in_msp(&m, seg.seq) => {
            let head_only = sparse && !matches!(m.end, MspEnd::OneMore(_));
            m.add(seg.seq, seg.payload, head_only, frame);
            let done = match m.end {
                MspEnd::Exact(end) => (m.start.wrapping_add(m.len as u32)).wrapping_sub(end) as i32 >= 0,
                MspEnd::OneMore(_) => true,
                MspEnd::UntilFin => seg.fin,
            };
            if !done || m.bytes.len() > max_pdu {
                if m.bytes.len() <= max_pdu {
                    ctx.state.get::<HttpState>().msps.insert(key, m);
                } else {
                    // Past --max-stream-buffer: the message is given up, not grown.
                    ctx.state.get::<crate::LimitHits>().stream_buffer += 1;
                }
                middle_segment(ctx);
                return true;
            }
            let start = m.start;
            until_fin_done = matches!(m.end, MspEnd::UntilFin);
            let end = start.wrapping_add(m.len as u32);
            ctx.state.get::<HttpState>().done.insert(key, (start, end, frame));
            if m.len > m.bytes.len() {
                // Only the head was kept: it stands for the whole PDU, and
                // what this segment holds after the PDU follows it.
                let total = match m.end {
                    MspEnd::Exact(e) => e.wrapping_sub(start) as usize,
                    _ => m.len,
                };
                let over = m.len.saturating_sub(total).min(seg.payload.len());
                head_pdu = Some((m.bytes.len(), total));
                m.bytes.extend_from_slice(&seg.payload[seg.payload.len() - over..]);
            }
            (std::borrow::Cow::Owned(m.bytes), m.frames, start)
        }
        _ => {
            if seg.payload.is_empty() {
                return false;
            }
            if !(0x20..0x7f).contains(&seg.payload[0]) && !matches!(seg.payload[0], b'\r' | b'\n') {
                // Not text: HTTP takes it only as the continuation of a
                // conversation it has seen; otherwise it adds nothing.
                let mut conv = ctx.state.get::<HttpState>().convs.remove(&seg.stream).unwrap_or_default();
                let mut out = Outcome::default();
                continuation(ctx, seg.payload, &conv, &mut out);
                if conv.seen_request {
                    columns(ctx, &out, None);
                }
                let keep = conv.seen_request || !conv.pairs.is_empty();
                if keep {
                    ctx.state.get::<HttpState>().convs.insert(seg.stream, std::mem::take(&mut conv));
                }
                return true;
            }
            (std::borrow::Cow::Borrowed(seg.payload), vec![frame], seg.seq)
        }
    };
    let eos = seg.fin;
    let mut out = Outcome::default();
    let conv_present = ctx.state.get::<HttpState>().convs.contains_key(&seg.stream);
    let mut conv = ctx.state.get::<HttpState>().convs.remove(&seg.stream).unwrap_or_default();
    let mut at = 0usize;
    let mut first_line_text = None;
    // The unfinished message left at the end, to keep for the next segments.
    let mut waiting: Option<(Msp, usize)> = None;
    // Sequence number of data[0] is fresh_start; later bytes move by seq_shift too.
    let mut seq_shift = 0u32;
    while at < data.len() {
        let rest = &data[at..];
        let head = conv.last_method == b"HEAD" && !rest.starts_with(b"HEAD ") && http1::classify(first_line(rest)).is_none_or(|k| k == Kind::Response);
        // The sender's FIN ends a PDU read until close; FIN on the segment a
        // message starts in means "take what is there".
        let take_all = until_fin_done || (eos && frames.len() == 1);
        let (framing, real_len) = match head_pdu.take() {
            Some((kept, total)) => (Framing::Complete(kept), Some(total)),
            None => {
                let f = http1::framing(rest, take_all, head);
                // A header block that never ends is taken as it is once it
                // passes --max-header, rather than waited for forever.
                let max_header = ctx.needs.limits.max_header;
                if matches!(f, Framing::NeedSegment) && rest.len() > max_header && http1::header_end(rest).is_none() {
                    ctx.state.get::<crate::LimitHits>().header += 1;
                    ctx.expert(&HEADER_TOO_LONG, wirecrab_core::Severity::Warning, "Malformed", format!("Header block longer than {max_header} bytes: not reassembled further (--max-header)"));
                    (Framing::Complete(rest.len()), None)
                } else {
                    (f, None)
                }
            }
        };
        match framing {
            Framing::Complete(n) => {
                let n = n.max(1).min(rest.len());
                if out.finished == 0 && frames.len() > 1 {
                    segment_fields(ctx, &frames, real_len.unwrap_or(n));
                }
                message(ctx, &rest[..n], real_len.unwrap_or(n), &mut conv, &mut out);
                at += n;
                // A PDU kept as its head only is shorter in `data` than on the wire.
                seq_shift = seq_shift.wrapping_add(real_len.map_or(0, |r| r.saturating_sub(n)) as u32);
            }
            Framing::NotMessage => {
                continuation(ctx, rest, &conv, &mut out);
                at = data.len();
            }
            wait => {
                if let Some(line) = complete_first_line(rest) {
                    first_line_text = Some(line);
                }
                let end = match wait {
                    Framing::NeedBytes(k) => MspEnd::Exact(fresh_start.wrapping_add(seq_shift).wrapping_add((at + rest.len() + k) as u32)),
                    Framing::UntilFin => MspEnd::UntilFin,
                    _ => MspEnd::OneMore(seg_end.wrapping_add(1)),
                };
                // Headers are complete unless HTTP asked for one more segment.
                let keep = match memchr::memmem::find(rest, b"\r\n\r\n").or_else(|| memchr::memmem::find(rest, b"\n\n")) {
                    Some(h) if !matches!(end, MspEnd::OneMore(_)) => (h + 4 + BODY_PEEK).min(HEAD_KEEP),
                    _ => HEAD_KEEP,
                };
                let start = fresh_start.wrapping_add(seq_shift).wrapping_add(at as u32);
                waiting = Some((Msp { start, end, bytes: Vec::new(), len: rest.len(), keep, frames: Vec::new() }, at));
                break;
            }
        }
    }
    if let Some((mut m, at)) = waiting {
        // What is left waits for more segments. A PDU still waiting keeps
        // its buffer: copying it again at every segment made a long chunked
        // body cost its length squared.
        let head_only = sparse && !matches!(m.end, MspEnd::OneMore(_));
        let stored = if head_only { m.len.min(m.keep) } else { m.len };
        let expected = match m.end {
            MspEnd::Exact(e) => Some(e.wrapping_sub(m.start) as usize),
            _ => None,
        };
        let capacity = expected.map_or(m.len, |n| n.min(if sparse { m.keep } else { max_pdu }));
        m.bytes = match data {
            std::borrow::Cow::Owned(mut v) if at == 0 => {
                v.truncate(stored);
                v
            }
            _ => {
                let mut v = Vec::with_capacity(capacity.max(stored));
                v.extend_from_slice(&data[at..at + stored]);
                v
            }
        };
        m.frames = frames;
        ctx.state.get::<HttpState>().msps.insert(key, m);
    }
    if conv_present || conv.seen_request || !conv.pairs.is_empty() {
        conv.last_frame = frame;
        ctx.state.get::<HttpState>().convs.insert(seg.stream, conv);
    }
    columns(ctx, &out, first_line_text);
    true
}

/// Does a segment starting at `seq` belong to this PDU?
fn in_msp(m: &Msp, seq: u32) -> bool {
    let after_start = seq.wrapping_sub(m.start) as i32 >= 0;
    let limit = match m.end {
        MspEnd::Exact(end) => end,
        MspEnd::OneMore(nxt) => nxt,
        MspEnd::UntilFin => return after_start,
    };
    after_start && (limit.wrapping_sub(seq) as i32) > 0
}

/// The first line of `b` (without its terminator), or all of it.
fn first_line(b: &[u8]) -> &[u8] {
    let s = http1::skip_blank_lines(b);
    match http1::line_end(b, s) {
        Some((end, _)) => &b[s..end],
        None => &b[s..],
    }
}

/// The first line when it is complete and is a request or status line.
fn complete_first_line(b: &[u8]) -> Option<String> {
    let s = http1::skip_blank_lines(b);
    let (end, _) = http1::line_end(b, s)?;
    http1::classify(&b[s..end])?;
    Some(format_text(&b[s..end]))
}

/// A segment inside a PDU that it does not complete.
fn middle_segment(ctx: &mut Ctx<'_, '_>) {
    ctx.set_protocol("TCP");
    if let Some(i) = ctx.info() {
        i.push_str(" [TCP segment of a reassembled PDU]");
    }
}

/// Protocol and Info once the frame's messages are known.
fn columns(ctx: &mut Ctx<'_, '_>, out: &Outcome, first_line: Option<String>) {
    if !ctx.wants_cols() {
        return;
    }
    if out.finished > 0 || !out.info.is_empty() {
        let p = out.protocol.unwrap_or("HTTP");
        ctx.set_protocol(p);
        // HTTP's text replaces TCP's, after TCP's analysis prefixes.
        let info = ctx.cols.keep_tcp_prefixes();
        info.push_str(&out.info);
        if out.finished > 0 {
            if let Some(l) = &first_line {
                info.push_str(l);
                info.push(' ');
            }
            return;
        }
    }
    ctx.set_protocol("TCP");
    if let Some(l) = first_line {
        let info = ctx.cols.keep_tcp_prefixes();
        info.push_str(&l);
        info.push(' ');
    }
    ctx.cols.info_tail().push_str(" [TCP segment of a reassembled PDU]");
}

/// "[n Reassembled TCP Segments (len bytes): #7(1380), ...]" on the frame that completes a PDU.
fn segment_fields(ctx: &mut Ctx<'_, '_>, frames: &[u64], len: usize) {
    use super::tcp::{SEGMENT, SEGMENTS, SEGMENT_COUNT, REASSEMBLED_LENGTH};
    let depth = ctx.tree.depth();
    ctx.tree.set_depth(0);
    let idx = ctx.tree.add(&SEGMENTS, 0, 0, Value::None);
    ctx.label(idx, |s| {
        let _ = write!(s, "{} Reassembled TCP Segments ({len} bytes): ", frames.len());
        for (i, f) in frames.iter().enumerate() {
            let _ = write!(s, "{}#{f}", if i > 0 { ", " } else { "" });
        }
    });
    ctx.tree.enter();
    for f in frames {
        ctx.tree.add(&SEGMENT, 0, 0, Value::U(*f));
    }
    ctx.tree.add(&SEGMENT_COUNT, 0, 0, Value::U(frames.len() as u64));
    ctx.tree.add(&REASSEMBLED_LENGTH, 0, 0, Value::U(len as u64));
    ctx.tree.leave();
    ctx.tree.set_depth(depth);
}

/// Text as Wireshark's format_text shows it: UTF-8 kept, invalid bytes as
/// U+FFFD, TAB as `\t`, other control characters in octal.
fn format_text(b: &[u8]) -> String {
    if b.iter().all(|&c| (0x20..0x7f).contains(&c)) {
        // Printable ASCII, the usual case: nothing to translate.
        return String::from_utf8_lossy(b).into_owned();
    }
    let s = String::from_utf8_lossy(b);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\{:03o}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Add a string field read as HTTP reads it, building the string only when
/// the field is wanted.
/// One header line: `http.request.line`/`http.response.line`, and the
/// header block `-z follow,http` prints when secrets are masked.
fn add_line(ctx: &mut Ctx<'_, '_>, f: &'static FieldDef, line: &[u8], block: &mut Option<Vec<u8>>) {
    if ctx.tree.wants(f) {
        add_text(ctx, f, line);
    }
    if let Some(b) = block {
        b.extend_from_slice(line);
    }
}

/// The value to show instead of a credential: the scheme of an
/// Authorization header, the names of cookies, never the secret itself.
fn masked_value(name: &[u8], v: &[u8]) -> Option<String> {
    const MASK: &str = "<masked>";
    // cookie, set-cookie, authorization, proxy-authorization: most names
    // are none of these lengths.
    if !matches!(name.len(), 6 | 10 | 13 | 19) {
        return None;
    }
    let is = |n: &str| name.eq_ignore_ascii_case(n.as_bytes());
    if is("authorization") || is("proxy-authorization") {
        let v = String::from_utf8_lossy(v);
        return Some(match v.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} {MASK}"),
            None => MASK.to_string(),
        });
    }
    if is("cookie") || is("set-cookie") {
        let v = String::from_utf8_lossy(v);
        let (pairs, attrs) = if is("set-cookie") { v.split_once(';').map_or((&*v, ""), |(p, a)| (p, a)) } else { (&*v, "") };
        let mut out = pairs
            .split(';')
            .map(|p| match p.split_once('=') {
                Some((n, _)) => format!("{n}={MASK}"),
                None => p.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";");
        if !attrs.is_empty() {
            // Set-Cookie's attributes (Path, Expires...) are not secret.
            out.push(';');
            out.push_str(attrs);
        }
        return Some(out);
    }
    None
}

/// What the headers of a request say about the balancers in front of it.
#[derive(Default)]
struct LbView {
    first_xff: Option<String>,
    user_agent: Option<String>,
    forwarded: bool,
    cloudfront: bool,
    api_gateway: bool,
}

/// User-Agents of load balancer and uptime health checkers.
const HEALTH_CHECKERS: &[&str] = &[
    "ELB-HealthChecker/",
    "Amazon-Route53-Health-Check-Service",
    "GoogleHC/",
    "kube-probe/",
    "Consul Health Check",
    "Load Balancer Agent",
    "Azure Traffic Manager Endpoint Monitor",
    "Edge Health Probe",
    "GoogleStackdriverMonitoring-UptimeChecks",
];

impl LbView {
    /// Note a known header; split X-Amzn-Trace-Id into its parts.
    fn header(&mut self, ctx: &mut Ctx<'_, '_>, f: &'static FieldDef, v: &[u8]) {
        let is = |g: &FieldDef| std::ptr::eq(f, g);
        if is(&XFF) {
            self.forwarded = true;
            if self.first_xff.is_none() {
                self.first_xff = left_most_address(v);
            }
        } else if is(&XF_PROTO) || is(&XF_PORT) {
            self.forwarded = true;
        } else if is(&USER_AGENT) {
            self.user_agent = Some(String::from_utf8_lossy(v).into_owned());
            if v.starts_with(b"Amazon CloudFront") {
                self.cloudfront = true;
            }
        } else if is(&CF_ID) {
            self.cloudfront = true;
        } else if is(&VIA) {
            self.cloudfront |= memchr::memmem::find(v, b"CloudFront").is_some() || memchr::memmem::find(v, b"cloudfront").is_some();
        } else if is(&APIGW_API_ID) {
            self.api_gateway = true;
        } else if is(&TRACE_ID) {
            self.forwarded = true;
            ctx.tree.enter();
            for part in v.split(|&c| c == b';') {
                let part = part.trim_ascii();
                let Some(eq) = part.iter().position(|&c| c == b'=') else { continue };
                let (key, val) = (&part[..eq], &part[eq + 1..]);
                let field = match key.to_ascii_lowercase().as_slice() {
                    b"root" => &TRACE_ROOT,
                    b"parent" => &TRACE_PARENT,
                    b"sampled" => &TRACE_SAMPLED,
                    b"self" => &TRACE_SELF,
                    _ => continue,
                };
                add_text(ctx, field, val);
            }
            ctx.tree.leave();
        }
    }

    /// The generated fields of a request.
    fn finish(self, ctx: &mut Ctx<'_, '_>) {
        if ctx.tree.wants(&CLIENT_IP) {
            let client = self.first_xff.unwrap_or_else(|| {
                let mut s = String::new();
                ctx.pinfo.net_src.write(&mut s);
                s
            });
            if !client.is_empty() {
                ctx.tree.add(&CLIENT_IP, 0, 0, Value::OwnedStr(client.into()));
            }
        }
        let health = self.user_agent.as_deref().is_some_and(|ua| HEALTH_CHECKERS.iter().any(|h| ua.starts_with(h)));
        ctx.tree.add(&HEALTH_CHECK, 0, 0, Value::Bool(health));
        ctx.tree.add(&BALANCED, 0, 0, Value::Bool(self.forwarded));
        if self.cloudfront {
            ctx.tree.add(&CLOUDFRONT, 0, 0, Value::Bool(true));
        }
        if self.api_gateway {
            ctx.tree.add(&API_GATEWAY, 0, 0, Value::Bool(true));
        }
    }
}

/// The first address of an X-Forwarded-For list (the original client),
/// without a port or IPv6 brackets; `None` when it is not an address.
fn left_most_address(v: &[u8]) -> Option<String> {
    let first = std::str::from_utf8(v).ok()?.split(',').next()?.trim();
    let bare = if let Some(rest) = first.strip_prefix('[') {
        rest.split(']').next()?
    } else if first.matches(':').count() == 1 {
        first.split(':').next()?
    } else {
        first
    };
    bare.parse::<std::net::IpAddr>().ok().map(|a| a.to_string())
}

/// Is the whole body wanted (not only enough of it to name its kind)?
fn wants_body(ctx: &Ctx<'_, '_>) -> bool {
    ctx.tree.wants(&FILE_DATA) || ctx.tree.wants(&DECODED_BODY)
}

fn add_text(ctx: &mut Ctx<'_, '_>, f: &'static FieldDef, b: &[u8]) {
    if ctx.tree.wants(f) {
        ctx.tree.add(f, 0, 0, Value::OwnedStr(ascii(b)));
    }
}

/// A string value as HTTP reads it (ASCII): bytes ≥ 0x80 become U+FFFD and a NUL ends it.
fn ascii(b: &[u8]) -> Box<str> {
    let b = &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())];
    b.iter().map(|&c| if c < 0x80 { c as char } else { '\u{fffd}' }).collect::<String>().into_boxed_str()
}

/// A message that is not a request or response on an HTTP port.
fn continuation(ctx: &mut Ctx<'_, '_>, b: &[u8], conv: &Conv, out: &mut Outcome) {
    if !conv.seen_request {
        return;
    }
    ctx.layer("http");
    ctx.tree.set_depth(0);
    ctx.tree.add(&HTTP, 0, 0, Value::None);
    ctx.tree.enter();
    add_text(ctx, &FILE_DATA, b);
    ctx.tree.leave();
    ctx.layer("data");
    out.info.push_str("Continuation");
    out.finished += 1;
    out.protocol.get_or_insert("HTTP");
}

const STATUS: &[(u64, &str)] = &[
    (100, "Continue"), (101, "Switching Protocols"), (102, "Processing"), (103, "Early Hints"), (200, "OK"),
    (201, "Created"), (202, "Accepted"), (203, "Non-authoritative Information"), (204, "No Content"),
    (205, "Reset Content"), (206, "Partial Content"), (207, "Multi-Status"), (208, "Already Reported"),
    (226, "IM Used"), (300, "Multiple Choices"), (301, "Moved Permanently"), (302, "Found"), (303, "See Other"),
    (304, "Not Modified"), (305, "Use Proxy"), (307, "Temporary Redirect"), (308, "Permanent Redirect"),
    (400, "Bad Request"), (401, "Unauthorized"), (402, "Payment Required"), (403, "Forbidden"), (404, "Not Found"),
    (405, "Method Not Allowed"), (406, "Not Acceptable"), (407, "Proxy Authentication Required"),
    (408, "Request Time-out"), (409, "Conflict"), (410, "Gone"), (411, "Length Required"),
    (412, "Precondition Failed"), (413, "Request Entity Too Large"), (414, "Request-URI Too Long"),
    (415, "Unsupported Media Type"), (416, "Requested Range Not Satisfiable"), (417, "Expectation Failed"),
    (418, "I'm a teapot"), (421, "Misdirected Request"), (422, "Unprocessable Entity"), (423, "Locked"),
    (424, "Failed Dependency"), (425, "Too Early"), (426, "Upgrade Required"), (428, "Precondition Required"),
    (429, "Too Many Requests"), (431, "Request Header Fields Too Large"), (451, "Unavailable For Legal Reasons"),
    (500, "Internal Server Error"), (501, "Not Implemented"), (502, "Bad Gateway"), (503, "Service Unavailable"),
    (504, "Gateway Time-out"), (505, "HTTP Version not supported"), (506, "Variant Also Negotiates"),
    (507, "Insufficient Storage"), (508, "Loop Detected"), (510, "Not Extended"),
    (511, "Network Authentication Required"),
];

fn code_desc(code: u16) -> String {
    match STATUS.iter().find(|(c, _)| *c == code as u64) {
        Some((_, s)) => s.to_string(),
        None => match code {
            199 => "Informational - Others".into(),
            299 => "Success - Others".into(),
            399 => "Redirection - Others".into(),
            499 => "Client Error - Others".into(),
            599 => "Server Error - Others".into(),
            c => format!("Unknown ({c})"),
        },
    }
}

/// Headers that have a field of their own.
fn header_field(name: &[u8]) -> Option<&'static FieldDef> {
    const KNOWN: &[(&str, &FieldDef)] = &[
        ("host", &HOST), ("user-agent", &USER_AGENT), ("content-type", &CONTENT_TYPE),
        ("content-length", &CONTENT_LENGTH_HEADER), ("content-encoding", &CONTENT_ENCODING),
        ("transfer-encoding", &TRANSFER_ENCODING), ("connection", &CONNECTION), ("x-forwarded-for", &XFF),
        ("cookie", &COOKIE), ("set-cookie", &SET_COOKIE), ("authorization", &AUTHORIZATION), ("accept", &ACCEPT),
        ("accept-encoding", &ACCEPT_ENCODING), ("accept-language", &ACCEPT_LANGUAGE), ("referer", &REFERER),
        ("date", &DATE), ("server", &SERVER), ("location", &LOCATION), ("cache-control", &CACHE_CONTROL),
        ("last-modified", &LAST_MODIFIED), ("upgrade", &UPGRADE), ("proxy-authorization", &PROXY_AUTHORIZATION),
        ("via", &VIA), ("x-forwarded-proto", &XF_PROTO), ("x-forwarded-port", &XF_PORT), ("x-amzn-trace-id", &TRACE_ID),
        ("x-amzn-requestid", &AMZN_REQUEST_ID), ("x-amzn-apigateway-api-id", &APIGW_API_ID), ("x-amz-cf-id", &CF_ID),
    ];
    let first = name.first()?.to_ascii_lowercase();
    KNOWN
        .iter()
        .find(|(n, _)| n.len() == name.len() && n.as_bytes()[0] == first && n.as_bytes().eq_ignore_ascii_case(name))
        .map(|(_, f)| *f)
}

/// Bytes allowed in a header name (RFC 9110 tchar, plus `\\` and `:` as
/// Wireshark accepts them), as a table: every header line tests its name.
const TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric();
        c += 1;
    }
    let extra = b"!#$%&'*+-.^_`|~\\:";
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
};

fn is_tchar(c: u8) -> bool {
    TCHAR[c as usize]
}

/// Dissect one whole message (`b` holds exactly it, or its head when the
/// body was not kept; `wire_len` is its length as sent).
fn message(ctx: &mut Ctx<'_, '_>, b: &[u8], wire_len: usize, conv: &mut Conv, out: &mut Outcome) {
    let start = http1::skip_blank_lines(b);
    let (line_stop, next) = http1::line_end(b, start).unwrap_or((b.len(), b.len()));
    let line = &b[start..line_stop];
    let Some(kind) = http1::classify(line) else { return };
    out.finished += 1;
    if !out.nested {
        ctx.layer("http");
    }
    let info_start = out.info.len();
    let depth = ctx.tree.depth();
    ctx.tree.set_depth(0);
    // SSDP messages are HTTP's, under a node of their own.
    let proto = if out.nested { &SSDP } else { &HTTP };
    let idx = ctx.tree.add(proto, 0, 0, Value::None);
    ctx.label(idx, |s| s.push_str(proto.name));
    ctx.tree.enter();
    ctx.tree.add(&MESSAGE_LENGTH, 0, 0, Value::U(wire_len as u64));
    if ctx.wants_cols() {
        out.info.push_str(&format_text(line));
        out.info.push(' ');
    }
    if ctx.wants_experts() {
        // Wireshark's chat item: the start line with its CRLF written out.
        ctx.expert(&CHAT, wirecrab_core::Severity::Chat, "Sequence", format!("{}\\r\\n", format_text(line)));
    }
    let mut parts = line.splitn(3, |&c| c == b' ');
    let (p1, p2, p3) = (parts.next().unwrap_or(b""), parts.next().unwrap_or(b""), parts.next().unwrap_or(b""));
    let mut code = None;
    let mut uri = String::new();
    match kind {
        Kind::Request | Kind::Notification => {
            let flag = if kind == Kind::Request { &REQUEST } else { &NOTIFICATION };
            ctx.tree.add(flag, 0, 0, Value::Bool(true));
            add_text(ctx, &METHOD, p1);
            uri = String::from_utf8_lossy(p2).into_owned();
            add_text(ctx, &URI, p2);
            add_text(ctx, &VERSION, p3);
        }
        Kind::Response => {
            ctx.tree.add(&RESPONSE, 0, 0, Value::Bool(true));
            add_text(ctx, &RESP_VERSION, p1);
            code = http1::status_code(line);
            if let Some(c) = code {
                ctx.tree.add(&CODE, 0, 0, Value::U(c as u64));
                if ctx.tree.wants(&CODE_DESC) {
                    ctx.tree.add(&CODE_DESC, 0, 0, Value::OwnedStr(code_desc(c).into()));
                }
            }
            if !p3.is_empty() {
                add_text(ctx, &PHRASE, p3);
            }
        }
    }
    let headers = http1::header_lines(b, next);
    let (lines, body_at) = match &headers {
        Some((l, at)) => (l.as_slice(), *at),
        None => (&[][..], b.len()),
    };
    let line_field = if kind == Kind::Response { &RESPONSE_LINE } else { &REQUEST_LINE };
    let (mut host, mut ctype, mut clen, mut tenc, mut cenc) = (None, None, None, None, None);
    let mut lb = LbView::default();
    let mask = !ctx.needs.show_secrets;
    let mut masked_block: Option<Vec<u8>> = (mask && ctx.tree.wants(&HEADER_BLOCK)).then(|| b[..next.min(b.len())].to_vec());
    for &(s, e) in lines {
        let l = &b[s..e];
        let with_crlf = &b[s..http1::line_end(b, s).map_or(e, |(_, n)| n)];
        let Some(colon) = memchr::memchr(b':', l) else {
            add_line(ctx, line_field, with_crlf, &mut masked_block);
            continue;
        };
        let name = &l[..colon];
        let v = &l[colon + 1..];
        let v = &v[v.iter().take_while(|c| **c == b' ' || **c == b'\t').count()..];
        let hidden = mask.then(|| masked_value(name, v)).flatten();
        match &hidden {
            Some(m) => {
                let mut line = l[..colon + 1].to_vec();
                line.push(b' ');
                line.extend_from_slice(m.as_bytes());
                line.extend_from_slice(&with_crlf[l.len()..]);
                add_line(ctx, line_field, &line, &mut masked_block);
            }
            None => add_line(ctx, line_field, with_crlf, &mut masked_block),
        }
        if name.is_empty() || !name.iter().all(|&c| is_tchar(c)) {
            continue;
        }
        let Some(f) = header_field(name) else { continue };
        add_text(ctx, f, hidden.as_deref().map_or(v, str::as_bytes));
        lb.header(ctx, f, v);
        match () {
            _ if std::ptr::eq(f, &HOST) => host = Some(String::from_utf8_lossy(v).into_owned()),
            _ if std::ptr::eq(f, &CONTENT_TYPE) => ctype = Some(String::from_utf8_lossy(v).into_owned()),
            _ if std::ptr::eq(f, &CONTENT_LENGTH_HEADER) => {
                clen = http1::content_length(v);
                if let Some(n) = clen {
                    ctx.tree.add(&CONTENT_LENGTH, 0, 0, Value::U(n));
                }
            }
            _ if std::ptr::eq(f, &TRANSFER_ENCODING) => tenc = Some(String::from_utf8_lossy(v).to_ascii_lowercase()),
            _ if std::ptr::eq(f, &CONTENT_ENCODING) => cenc = Some(String::from_utf8_lossy(v).trim().to_ascii_lowercase()),
            _ => {}
        }
    }
    // The full URI costs two allocations a request: only when someone reads it.
    let uris_wanted = ctx.tree.wants(&FULL_URI) || ctx.tree.wants(&RESPONSE_FOR_URI);
    if kind != Kind::Response && uris_wanted {
        if let Some(h) = &host {
            if !uri.is_empty() {
                let lower = uri.to_ascii_lowercase();
                let full = if lower.starts_with("http://") || lower.starts_with("https://") || p1 == b"CONNECT" {
                    uri.clone()
                } else {
                    format!("http://{}{}", h.trim(), uri)
                };
                ctx.tree.add(&FULL_URI, 0, 0, Value::OwnedStr(full.as_str().into()));
                conv.last_full_uri = Some(full);
            }
        }
    }
    if kind != Kind::Response {
        lb.finish(ctx);
    }
    if ctx.tree.wants(&HEADER_BLOCK) {
        let block = match masked_block {
            Some(mut m) => {
                // The empty line (and anything up to the body) as sent.
                m.extend_from_slice(b.get(lines.last().map_or(next, |&(s, e)| http1::line_end(b, s).map_or(e, |(_, n)| n))..body_at).unwrap_or(&[]));
                m
            }
            None => b[..body_at.min(b.len())].to_vec(),
        };
        ctx.tree.add(&HEADER_BLOCK, 0, 0, Value::OwnedBytes(block.into()));
    }
    pairing(ctx, kind, conv, p1, &uri);
    // The body.
    let rest = &b[body_at.min(b.len())..];
    let no_body = match kind {
        Kind::Response => code.is_some_and(|c| (100..200).contains(&c) || c == 204 || c == 304),
        _ => tenc.is_none() && clen.is_none(),
    };
    let dechunked;
    let body: Option<&[u8]> = if no_body || headers.is_none() {
        None
    } else if tenc.as_deref().is_some_and(|t| t.contains("chunked")) {
        let (data, sizes) = http1::dechunk(rest);
        for s in sizes {
            ctx.tree.add(&CHUNK_SIZE, 0, 0, Value::U(s as u64));
        }
        dechunked = data;
        Some(&dechunked)
    } else if let (Some(n), None) = (clen, &tenc) {
        Some(&rest[..(n as usize).min(rest.len())])
    } else {
        Some(rest)
    };
    let mut suffix = String::new();
    if let Some(raw) = body.filter(|b| !b.is_empty()) {
        // Without file_data, only the start of the body decides its kind
        // (magic numbers, emptiness). A compressed body of more than 64
        // bytes is not empty; a text type needs none of its bytes, so it is
        // not inflated at all (inflating every response tripled the time of
        // a plain summary).
        let full = wants_body(ctx);
        let media_only = !full && raw.len() >= 64 && ctype.as_deref().is_some_and(|t| !t.trim_start().to_ascii_lowercase().starts_with("image/"));
        let decoded: Option<std::borrow::Cow<'_, [u8]>> = match cenc.as_deref() {
            Some("gzip" | "x-gzip" | "deflate" | "x-deflate" | "br") if media_only => Some(std::borrow::Cow::Borrowed(b"compressed".as_slice())),
            Some("br") => unbrotli(raw, if full { MAX_PDU as u64 } else { 64 }).map(Into::into),
            Some("gzip" | "x-gzip") => inflate(raw, true, if full { MAX_PDU as u64 } else { 64 }).map(Into::into),
            Some("deflate" | "x-deflate") => inflate(raw, false, if full { MAX_PDU as u64 } else { 64 }).map(Into::into),
            Some(_) => None,
            None => Some(raw.into()),
        };
        match decoded {
            Some(d) => {
                add_text(ctx, &FILE_DATA, &d);
                if ctx.tree.wants(&DECODED_BODY) {
                    ctx.tree.add(&DECODED_BODY, 0, 0, Value::OwnedBytes(d.as_ref().into()));
                }
                if !d.is_empty() {
                    let (tokens, proto, sfx) = body_kind(ctype.as_deref(), &d);
                    for t in tokens {
                        ctx.layer(t);
                    }
                    if let Some(p) = proto {
                        out.protocol.get_or_insert(p);
                    }
                    suffix = sfx;
                    if tokens == ["ocsp"] {
                        // OCSP replaces the Info with its own summary.
                        out.info.truncate(info_start);
                        out.info.push_str(if kind == Kind::Response { "Response" } else { "Request" });
                    }
                }
            }
            None => ctx.layer("data"),
        }
    }
    out.protocol.get_or_insert("HTTP");
    out.info.push_str(&suffix);
    ctx.tree.leave();
    ctx.tree.set_depth(depth);
}

/// Request numbers and request/response matching (Wireshark: a response
/// belongs to the latest pair without one).
fn pairing(ctx: &mut Ctx<'_, '_>, kind: Kind, conv: &mut Conv, method: &[u8], uri: &str) {
    let frame = ctx.meta.number;
    let prev = |conv: &Conv, n: u32| conv.pairs.iter().find(|p| p.number + 1 == n).map(|p| (p.request.map(|r| r.0), p.response));
    match kind {
        Kind::Request | Kind::Notification => {
            conv.seen_request = true;
            conv.last_method = method.to_vec();
            conv.last_uri = uri.to_string();
            conv.next_number += 1;
            let n = conv.next_number;
            ctx.tree.add(&REQUEST_NUMBER, 0, 0, Value::U(n as u64));
            if let Some((Some(r), _)) = prev(conv, n) {
                ctx.tree.add(&PREV_REQUEST_IN, 0, 0, Value::U(r));
            }
            conv.pairs.push(Pair { number: n, request: Some((frame, ctx.meta.ts)), response: None });
        }
        Kind::Response => {
            let n = match conv.pairs.last_mut() {
                Some(p) if p.response.is_none() => {
                    p.response = Some(frame);
                    p.number
                }
                _ => {
                    conv.next_number += 1;
                    conv.pairs.push(Pair { number: conv.next_number, request: None, response: Some(frame) });
                    conv.next_number
                }
            };
            ctx.tree.add(&RESPONSE_NUMBER, 0, 0, Value::U(n as u64));
            if let Some((req, res)) = prev(conv, n) {
                if let Some(r) = req {
                    ctx.tree.add(&PREV_REQUEST_IN, 0, 0, Value::U(r));
                }
                if let Some(r) = res {
                    ctx.tree.add(&PREV_RESPONSE_IN, 0, 0, Value::U(r));
                }
            }
            if let Some((rf, rts)) = conv.pairs.iter().find(|p| p.number == n).and_then(|p| p.request) {
                ctx.tree.add(&REQUEST_IN, 0, 0, Value::U(rf));
                ctx.tree.add(&TIME, 0, 0, Value::RelTime(ctx.meta.ts.since(rts) as i64));
            }
            if ctx.tree.wants(&RESPONSE_FOR_URI) {
                let for_uri = conv.last_full_uri.clone().unwrap_or_else(|| conv.last_uri.clone());
                if !for_uri.is_empty() {
                    ctx.tree.add(&RESPONSE_FOR_URI, 0, 0, Value::OwnedStr(for_uri.into()));
                }
            }
        }
    }
    if conv.pairs.len() > KEEP_PAIRS {
        conv.pairs.remove(0);
    }
}

/// Decompress a gzip or zlib body, at most `limit` bytes of it.
fn inflate(b: &[u8], gzip: bool, limit: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    // A body kept only in part (its head) ends early: what inflated is enough.
    let ok = if gzip {
        flate2::read::MultiGzDecoder::new(b).take(limit).read_to_end(&mut out).is_ok() || !out.is_empty()
    } else {
        flate2::read::ZlibDecoder::new(b).take(limit).read_to_end(&mut out).is_ok()
            || { out.clear(); flate2::read::DeflateDecoder::new(b).take(limit).read_to_end(&mut out).is_ok() }
    };
    ok.then_some(out)
}

/// Brotli (RFC 7932), as far as `limit` bytes; like [`inflate`], a body kept
/// only in part counts as decoded when some of it decoded.
fn unbrotli(b: &[u8], limit: u64) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let ok = brotli_decompressor::Decompressor::new(b, 4096).take(limit).read_to_end(&mut out).is_ok() || !out.is_empty();
    ok.then_some(out)
}

/// The body's frame.protocols tokens, Protocol column and Info suffix, by
/// what the body is and then by its Content-Type (Wireshark's media table
/// and image heuristics).
fn body_kind(ctype: Option<&str>, body: &[u8]) -> (&'static [&'static str], Option<&'static str>, String) {
    if body.starts_with(b"GIF87a") || body.starts_with(b"GIF89a") {
        let v = String::from_utf8_lossy(&body[..6]).into_owned();
        return (&["image-gif"], None, format!(" ({v})"));
    }
    if body.starts_with(b"\x89PNG\r\n\x1a\n") {
        return (&["png"], None, " (PNG)".into());
    }
    if body.len() > 10 && body.starts_with(b"\xff\xd8\xff\xe0") && &body[6..10] == b"JFIF" {
        return (&["image-jfif"], None, " (JPEG JFIF image)".into());
    }
    let Some(ct) = ctype else { return (&["data"], None, String::new()) };
    let media = ct.split(|c: char| c == ';' || c.is_whitespace()).next().unwrap_or("").to_ascii_lowercase();
    match media.as_str() {
        "text/html" | "text/plain" | "text/css" | "text/javascript" | "application/x-javascript" | "text/richtext"
        | "text/enriched" | "text/parameters" | "application/x-ns-proxy-autoconfig" => {
            if body.len() > 38 && body.starts_with(b"<?xml") {
                (&["data-text-lines", "xml"], Some("HTTP/XML"), String::new())
            } else {
                (&["data-text-lines"], None, format!(" ({media})"))
            }
        }
        "application/json" => (&["json"], Some("HTTP/JSON"), format!(", JavaScript Object Notation ({media})")),
        "text/xml" | "application/xml" | "image/svg+xml" => (&["xml"], Some("HTTP/XML"), String::new()),
        "application/x-www-form-urlencoded" => (&["urlencoded-form"], None, format!(" ({media})")),
        "application/octet-stream" => (&["data"], None, String::new()),
        "application/ocsp-request" | "application/ocsp-response" => (&["ocsp"], Some("OCSP"), String::new()),
        "" => (&["data"], None, String::new()),
        _ => (&["media"], None, format!(" ({media})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_name_bytes_are_rfc_9110_tchars() {
        for c in 0..=255u8 {
            let expected = c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~\\:".contains(&c);
            assert_eq!(is_tchar(c), expected, "byte {c:#04x}");
        }
    }

    #[test]
    fn known_headers_are_found_in_any_case_and_no_others() {
        assert!(std::ptr::eq(header_field(b"Content-Length").unwrap(), &CONTENT_LENGTH_HEADER));
        assert!(std::ptr::eq(header_field(b"X-AMZN-TRACE-ID").unwrap(), &TRACE_ID));
        assert!(std::ptr::eq(header_field(b"via").unwrap(), &VIA));
        assert!(header_field(b"").is_none());
        assert!(header_field(b"Content-Lengthy").is_none());
        assert!(header_field(b"Hosts").is_none());
    }

    /// "hello brotli" as one stored meta-block (RFC 7932 §9.2): window bit,
    /// ISLAST=0, four length nibbles (11 = length - 1), ISUNCOMPRESSED, the
    /// bytes, then an empty last meta-block.
    const HELLO_BR: &[u8] = b"\xb0\x00\x10hello brotli\x03";

    #[test]
    fn brotli_bodies_decode() {
        assert_eq!(unbrotli(HELLO_BR, 1 << 20).as_deref(), Some(&b"hello brotli"[..]));
        assert_eq!(unbrotli(HELLO_BR, 5).as_deref(), Some(&b"hello"[..]), "limited to what is asked");
        assert_eq!(unbrotli(b"\xff\xff\xff\xff", 64), None, "garbage is no body");
    }

    #[test]
    fn credentials_keep_their_scheme_and_names_only() {
        assert_eq!(masked_value(b"Authorization", b"Basic dXNlcjpwYXNz").as_deref(), Some("Basic <masked>"));
        assert_eq!(masked_value(b"cookie", b"a=1; b=2").as_deref(), Some("a=<masked>; b=<masked>"));
        assert_eq!(masked_value(b"Set-Cookie", b"sid=xyz; Path=/; HttpOnly").as_deref(), Some("sid=<masked>; Path=/; HttpOnly"));
        assert_eq!(masked_value(b"Host", b"example.com"), None);
    }

    #[test]
    fn the_client_is_the_left_most_forwarded_address() {
        assert_eq!(left_most_address(b"203.0.113.7, 10.0.1.23").as_deref(), Some("203.0.113.7"));
        assert_eq!(left_most_address(b"203.0.113.7:51234").as_deref(), Some("203.0.113.7"));
        assert_eq!(left_most_address(b"[2001:db8::1]:443, 10.0.0.1").as_deref(), Some("2001:db8::1"));
        assert_eq!(left_most_address(b"2001:db8::2").as_deref(), Some("2001:db8::2"));
        assert_eq!(left_most_address(b"unknown, 10.0.0.1"), None);
    }
}

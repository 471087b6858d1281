//! HTTP over TCP segment by segment: which frame shows the message, what the
//! others show, as tshark 4.0 does (the rules in crates/dissect/src/protocols/http.rs).

use wirecrab_core::{FrameMeta, LinkType, Timestamp, Value, Want};
use wirecrab_dissect::{Dissector, Options};

const CLIENT: [u8; 4] = [10, 0, 0, 1];
const SERVER: [u8; 4] = [10, 0, 0, 2];
const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH: u8 = 0x08;
const FIN: u8 = 0x01;

/// A raw-IP TCP segment.
fn segment(from_client: bool, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let (src, dst, sport, dport) = if from_client { (CLIENT, SERVER, 40000u16, 80u16) } else { (SERVER, CLIENT, 80, 40000) };
    let total = 40 + payload.len();
    let mut f = vec![0x45, 0, (total >> 8) as u8, total as u8, 0, 1, 0x40, 0, 64, 6, 0, 0];
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

struct Conversation {
    d: Dissector,
    n: u64,
    /// Next sequence number of each side (client, server).
    next: [u32; 2],
}

/// Info, frame.protocols and every value of `field` for one frame.
struct Shown {
    info: String,
    layers: String,
    values: Vec<Value>,
}

impl Conversation {
    fn new() -> Conversation {
        let want = Want::All;
        let mut c = Conversation { d: Dissector::new(Options { want, columns: true, protocols: true }), n: 0, next: [1000, 5000] };
        c.send(true, SYN, b"", "tcp.flags");
        c.next[0] += 1;
        c.send(false, SYN | ACK, b"", "tcp.flags");
        c.next[1] += 1;
        c
    }

    fn send(&mut self, from_client: bool, flags: u8, payload: &[u8], field: &str) -> Shown {
        let (me, them) = if from_client { (0, 1) } else { (1, 0) };
        let f = segment(from_client, self.next[me], self.next[them], flags, payload);
        self.next[me] = self.next[me].wrapping_add(payload.len() as u32);
        self.n += 1;
        let meta = FrameMeta {
            number: self.n,
            ts: Timestamp::new(1_700_000_000 + self.n as i64, 0),
            has_ts: true,
            orig_len: f.len() as u32,
            cap_len: f.len() as u32,
            link_type: LinkType::RAW,
            ..FrameMeta::default()
        };
        let r = self.d.dissect(&meta, &f);
        Shown {
            info: r.cols.info_text(),
            layers: r.layers.join(":"),
            values: r.tree.nodes().iter().filter(|n| n.field.abbrev == field).map(|n| n.value.clone()).collect(),
        }
    }
}

#[test]
fn a_request_in_one_segment_and_a_response_in_three() {
    let mut c = Conversation::new();
    let req = c.send(true, PSH | ACK, b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n", "http.request.uri");
    assert_eq!(req.info, "GET /index.html HTTP/1.1 ");
    assert_eq!(req.layers, "raw:ip:tcp:http");
    assert_eq!(req.values, [Value::OwnedStr("/index.html".into())]);
    let body = "<html>hello</html>";
    let head = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n", body.len());
    let first = c.send(false, ACK, head.as_bytes(), "http.response.code");
    assert_eq!(first.info, "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]");
    assert_eq!(first.layers, "raw:ip:tcp", "a frame that finishes no message has no http layer");
    assert!(first.values.is_empty());
    let middle = c.send(false, ACK, &body.as_bytes()[..6], "http.response.code");
    assert!(middle.info.ends_with("Len=6 [TCP segment of a reassembled PDU]"), "{}", middle.info);
    let last = c.send(false, PSH | ACK, &body.as_bytes()[6..], "tcp.segment");
    assert_eq!(last.info, "HTTP/1.1 200 OK  (text/html)");
    assert_eq!(last.layers, "raw:ip:tcp:http:data-text-lines");
    assert_eq!(last.values, [Value::U(4), Value::U(5), Value::U(6)], "the frames of the PDU");
}

#[test]
fn a_response_without_length_ends_with_the_fin() {
    let mut c = Conversation::new();
    c.send(true, PSH | ACK, b"GET / HTTP/1.0\r\n\r\n", "http.request");
    let a = c.send(false, PSH | ACK, b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome", "http.response");
    assert_eq!(a.info, "HTTP/1.0 200 OK  [TCP segment of a reassembled PDU]");
    let b = c.send(false, PSH | ACK, b" text", "http.response");
    assert!(b.info.ends_with("[TCP segment of a reassembled PDU]"));
    let fin = c.send(false, FIN | ACK, b"", "http.file_data");
    assert_eq!(fin.info, "HTTP/1.0 200 OK  (text/plain)");
    assert_eq!(fin.values, [Value::OwnedStr("some text".into())]);
}

#[test]
fn pipelined_requests_share_a_frame_and_chunked_bodies_reparse_every_segment() {
    let mut c = Conversation::new();
    let two = c.send(true, PSH | ACK, b"GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n", "http.request.uri");
    assert_eq!(two.info, "GET /a HTTP/1.1 GET /b HTTP/1.1 ");
    assert_eq!(two.values, [Value::OwnedStr("/a".into()), Value::OwnedStr("/b".into())]);
    let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n";
    let s1 = c.send(false, ACK, head, "http.response");
    assert_eq!(s1.info, "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]");
    let s2 = c.send(false, ACK, b"3\r\nabc\r\n", "http.response");
    assert_eq!(s2.info, "HTTP/1.1 200 OK  [TCP segment of a reassembled PDU]", "HTTP runs again on every segment");
    let s3 = c.send(false, PSH | ACK, b"0\r\n\r\n", "http.chunk_size");
    assert_eq!(s3.info, "HTTP/1.1 200 OK  (text/plain)");
    assert_eq!(s3.values, [Value::U(5), Value::U(3), Value::U(0)]);
}

#[test]
fn responses_pair_with_requests() {
    let mut c = Conversation::new();
    c.send(true, PSH | ACK, b"GET /x HTTP/1.1\r\nHost: h.example\r\n\r\n", "http.request");
    let r = c.send(false, PSH | ACK, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", "http.request_in");
    assert_eq!(r.values, [Value::U(3)]);
    let r = c.send(false, ACK, b"", "http.response_for.uri");
    assert!(r.values.is_empty(), "a bare ACK is not HTTP");
    c.send(true, PSH | ACK, b"GET /y HTTP/1.1\r\nHost: h.example\r\n\r\n", "http.request");
    let r = c.send(false, PSH | ACK, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "http.response_for.uri");
    assert_eq!(r.values, [Value::OwnedStr("http://h.example/y".into())]);
}

//! HTTP/1.x message framing and parsing (RFC 9112), sans-IO: given bytes
//! that start a message, say where it ends (or what more is needed), and
//! take a whole message apart. The framing follows Wireshark 4.0's
//! desegmentation rules (packet-http.c, req_resp_hdrs_do_reassembly), so
//! messages end in the same frames as in tshark:
//!
//! * the first line and the headers must be complete ("one more segment");
//! * `Transfer-Encoding:` beginning with `chunked` wins over `Content-Length:`;
//!   both are recognised only with the colon right after the name;
//! * a response with neither is read until the sender's FIN; a request with
//!   neither has no body; HEAD, 1xx, 204 and 304 responses have none, and a
//!   message whose first segment carries FIN is taken as it is.

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A request (`GET / HTTP/1.1`).
    Request,
    /// A response (`HTTP/1.1 200 OK`).
    Response,
    /// NOTIFY, SUBSCRIBE, UNSUBSCRIBE: shown like requests.
    Notification,
}

/// Where the message that starts at the beginning of a buffer ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// The message is the first `n` bytes.
    Complete(usize),
    /// The message needs `n` more bytes than the buffer holds.
    NeedBytes(usize),
    /// Headers or a chunk are incomplete: wait for the next segment.
    NeedSegment,
    /// The body runs until the sender closes.
    UntilFin,
    /// The first line is complete but is not a request or status line.
    NotMessage,
}

const METHODS: &[&str] = &[
    "GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE", "PATCH", "LABEL",
    "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "BDELETE", "CONNECT", "OPTIONS", "CHECKIN", "PROPFIND",
    "CHECKOUT", "CCM_POST", "PROPPATCH", "BPROPFIND", "BPROPPATCH", "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE",
    "RPC_CONNECT", "RPC_IN_DATA", "RPC_OUT_DATA", "VERSION-CONTROL", "BASELINE-CONTROL", "SSTP_DUPLEX_POST",
];
const NOTIFICATIONS: &[&str] = &["NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE"];

/// The end of the line starting at `from`: (end of its text, start of the next line).
/// Lines end in CRLF, LF or a bare CR.
pub fn line_end(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let rel = memchr::memchr2(b'\n', b'\r', b.get(from..)?)?;
    let end = from + rel;
    let next = match (b[end], b.get(end + 1)) {
        (b'\r', Some(b'\n')) => end + 2,
        (b'\r', None) => return None, // a CR at the very end may be half of a CRLF
        _ => end + 1,
    };
    Some((end, next))
}

/// Is this first line a request, a response or a notification?
pub fn classify(line: &[u8]) -> Option<Kind> {
    let line = line.strip_prefix(b"M-").unwrap_or(line);
    if line.starts_with(b"HTTP/") || line.starts_with(b"ICY") {
        return Some(Kind::Response);
    }
    let method = &line[..line.iter().position(|&c| c == b' ')?];
    let method = std::str::from_utf8(method).ok()?;
    if METHODS.contains(&method) {
        Some(Kind::Request)
    } else if NOTIFICATIONS.contains(&method) {
        Some(Kind::Notification)
    } else {
        None
    }
}

/// Can `b` (a first line without its end) be the start of a request or
/// response line? Anything else is body data, not worth waiting for.
pub fn could_begin(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"M-").unwrap_or(b);
    let prefix_either = |word: &[u8]| {
        let n = b.len().min(word.len());
        b[..n] == word[..n]
    };
    if prefix_either(b"HTTP/") || prefix_either(b"ICY ") {
        return true;
    }
    METHODS.iter().chain(NOTIFICATIONS).any(|m| {
        let word = [m.as_bytes(), b" "].concat();
        prefix_either(&word)
    })
}

/// Skip the CRLFs some clients send between messages.
pub fn skip_blank_lines(b: &[u8]) -> usize {
    let mut i = 0;
    while i < b.len() && (b[i] == b'\r' || b[i] == b'\n') {
        i += 1;
    }
    i
}

/// The header block: each line's (start, end of text), and where the body starts.
/// `None` while the empty line that ends it has not arrived.
pub fn header_lines(b: &[u8], from: usize) -> Option<(Vec<(usize, usize)>, usize)> {
    let mut lines = Vec::new();
    let mut at = from;
    loop {
        let (end, next) = line_end(b, at)?;
        if end == at {
            return Some((lines, next));
        }
        lines.push((at, end));
        at = next;
    }
}

/// Case-insensitive `Name:` prefix with the colon right after the name.
fn header_value<'a>(line: &'a [u8], name: &str) -> Option<&'a [u8]> {
    let n = name.len();
    if line.len() > n && line[..n].eq_ignore_ascii_case(name.as_bytes()) && line[n] == b':' {
        let v = &line[n + 1..];
        let skip = v.iter().take_while(|c| **c == b' ' || **c == b'\t').count();
        Some(&v[skip..])
    } else {
        None
    }
}

/// A Content-Length value as Wireshark accepts it: digits only, within int32.
pub fn content_length(v: &[u8]) -> Option<u64> {
    let t = std::str::from_utf8(v).ok()?.trim();
    let n: u64 = t.parse().ok()?;
    (n <= i32::MAX as u64).then_some(n)
}

/// The status code of a status line (`HTTP/1.1 204 No Content` → 204).
pub fn status_code(line: &[u8]) -> Option<u16> {
    let rest = &line[line.iter().position(|&c| c == b' ')? + 1..];
    let code = rest.get(..3)?;
    std::str::from_utf8(code).ok()?.parse().ok()
}

/// Where the chunked body starting at `from` ends (after the line that
/// follows the `0` chunk), `None` if it is not complete yet. A size line
/// that is not hex ends the message there.
pub fn chunked_end(b: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let (end, next) = line_end(b, at)?;
        let size_text = &b[at..end];
        let size_text = &size_text[..size_text.iter().position(|&c| c == b';').unwrap_or(size_text.len())];
        let size = std::str::from_utf8(size_text).ok().and_then(|s| u32::from_str_radix(s.trim(), 16).ok());
        let Some(size) = size.filter(|s| *s <= i32::MAX as u32) else { return Some(at) };
        if size == 0 {
            // The trailer is not waited for: the message ends after one more line.
            let (_, after) = line_end(b, next)?;
            return Some(after);
        }
        let data_end = next.checked_add(size as usize)?;
        if data_end > b.len() {
            return None;
        }
        let (_, after) = line_end(b, data_end)?;
        at = after;
    }
}

/// Where the header block of the message at the start of `b` ends (after
/// the empty line), if it does in `b`.
pub fn header_end(b: &[u8]) -> Option<usize> {
    let start = skip_blank_lines(b);
    let (_, first_next) = line_end(b, start)?;
    header_lines(b, first_next).map(|(_, body)| body)
}

/// Framing of the message at the start of `b`. `eos`: the segment the
/// message starts in carries FIN (take what is there). `head`: the latest
/// request on the connection was HEAD (its response has no body).
pub fn framing(b: &[u8], eos: bool, head: bool) -> Framing {
    let start = skip_blank_lines(b);
    let Some((line_stop, first_next)) = line_end(b, start) else {
        // No line end yet: wait only if what is there can begin a message.
        if !could_begin(&b[start..]) {
            return Framing::NotMessage;
        }
        return if eos { Framing::Complete(b.len()) } else { Framing::NeedSegment };
    };
    let line = &b[start..line_stop];
    let Some(kind) = classify(line) else { return Framing::NotMessage };
    // The header lines as header_lines() finds them, read in passing (no
    // list: framing runs for every segment of a message still arriving).
    let (mut chunked, mut length) = (false, None);
    let mut at = first_next;
    let body = loop {
        let Some((end, next)) = line_end(b, at) else {
            return if eos { Framing::Complete(b.len()) } else { Framing::NeedSegment };
        };
        if end == at {
            break next;
        }
        let l = &b[at..end];
        if let Some(v) = header_value(l, "transfer-encoding") {
            chunked |= v.len() >= 7 && v[..7].eq_ignore_ascii_case(b"chunked");
        } else if let Some(v) = header_value(l, "content-length") {
            length = length.or(content_length(v));
        }
        at = next;
    };
    let code = if kind == Kind::Response { status_code(line) } else { None };
    let no_body = kind == Kind::Response && (head || code.is_some_and(|c| (100..200).contains(&c) || c == 204 || c == 304));
    if no_body || eos {
        return if no_body { Framing::Complete(body) } else { Framing::Complete(b.len()) };
    }
    if chunked {
        return match chunked_end(b, body) {
            Some(end) => Framing::Complete(end),
            None => Framing::NeedSegment,
        };
    }
    match (length, kind) {
        (Some(n), _) => {
            let end = body as u64 + n;
            if end <= b.len() as u64 {
                Framing::Complete(end as usize)
            } else {
                Framing::NeedBytes((end - b.len() as u64) as usize)
            }
        }
        (None, Kind::Response) => Framing::UntilFin,
        (None, _) => Framing::Complete(body),
    }
}

/// Dechunk a chunked body: the data, and each chunk's size (the last is 0
/// when the body is complete).
pub fn dechunk(b: &[u8]) -> (Vec<u8>, Vec<u32>) {
    let (mut data, mut sizes) = (Vec::new(), Vec::new());
    let mut at = 0;
    while let Some((end, next)) = line_end(b, at) {
        let t = &b[at..end];
        let t = &t[..t.iter().position(|&c| c == b';').unwrap_or(t.len())];
        let Some(size) = std::str::from_utf8(t).ok().and_then(|s| u32::from_str_radix(s.trim(), 16).ok()) else { break };
        sizes.push(size);
        if size == 0 {
            break;
        }
        let stop = (next + size as usize).min(b.len());
        data.extend_from_slice(&b[next..stop]);
        match line_end(b, stop) {
            Some((_, after)) => at = after,
            None => break,
        }
    }
    (data, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_responses_and_lengths() {
        assert_eq!(classify(b"GET / HTTP/1.1"), Some(Kind::Request));
        assert_eq!(classify(b"M-SEARCH * HTTP/1.1"), Some(Kind::Request));
        assert_eq!(classify(b"HTTP/1.1 200 OK"), Some(Kind::Response));
        assert_eq!(classify(b"get / HTTP/1.1"), None, "methods are case-sensitive");
        assert_eq!(classify(b"NOTIFY * HTTP/1.1"), Some(Kind::Notification));
        assert!(could_begin(b"GE") && could_begin(b"GET /very/long/pa") && could_begin(b"HTTP/1.") && could_begin(b""));
        assert!(!could_begin(b"zzzz") && !could_begin(b"GETX") && !could_begin(b"\x16\x03\x01"));
        let req = b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /b";
        assert_eq!(framing(req, false, false), Framing::Complete(27));
        assert_eq!(framing(b"GET / HTTP/1.1\r\nHost:", false, false), Framing::NeedSegment);
        assert_eq!(framing(b"GET / HTT", false, false), Framing::NeedSegment);
        let resp = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
        assert_eq!(framing(resp, false, false), Framing::NeedBytes(7));
        assert_eq!(framing(resp, true, false), Framing::Complete(resp.len()), "FIN on the first segment");
        assert_eq!(framing(b"HTTP/1.1 200 OK\r\n\r\nxyz", false, false), Framing::UntilFin);
        assert_eq!(framing(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", false, false), Framing::Complete(48));
        assert_eq!(framing(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", false, true), Framing::Complete(38), "HEAD");
        assert_eq!(framing(b"HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nabcde", false, false), Framing::UntilFin, "space before the colon");
        assert_eq!(framing(b"FOO / HTTP/1.1\r\n", false, false), Framing::NotMessage);
        assert_eq!(framing(b"GET /x HTTP/1.1\nHost: h\n\n", false, false), Framing::Complete(25), "bare LF");
    }

    #[test]
    fn chunked_wins_and_ends_after_the_zero_chunk() {
        let m = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\n\r\nNEXT";
        let end = m.len() - 4;
        assert_eq!(framing(m, false, false), Framing::Complete(end));
        assert_eq!(framing(&m[..end - 2], false, false), Framing::NeedSegment);
        let body_at = m.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(dechunk(&m[body_at..end]), (b"helloabc".to_vec(), vec![5, 3, 0]));
        assert_eq!(chunked_end(b"zz\r\n", 0), Some(0), "a size that is not hex ends the body");
    }
}

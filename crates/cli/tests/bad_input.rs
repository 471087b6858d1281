//! Hostile traffic (issue 5 §8): a SYN flood, a million retransmissions of
//! one segment, garbage on port 80, header blocks that never end, chunk
//! sizes that overflow, bodies without end. Results stay right where they
//! can be, the caps hold and are reported when reached.
//! The captures are built here (raw-IP pcap) in a temporary directory.

mod common;
use common::*;

use std::path::{Path, PathBuf};

/// An IPv4/TCP packet from client `c` (10.9.x.y:port) to 10.0.0.80:80, or back.
fn tcp(c: u32, port: u16, to_server: bool, seq: u32, ack: u32, flags: u8, payload: &[u8]) -> Vec<u8> {
    let client = [10, 9, (c >> 8) as u8, c as u8];
    let server = [10, 0, 0, 80];
    let (src, dst, sp, dp) = if to_server { (client, server, port, 80u16) } else { (server, client, 80, port) };
    let total = 40 + payload.len();
    let mut f = vec![0x45, 0, (total >> 8) as u8, total as u8, 0, 1, 0x40, 0, 64, 6, 0, 0];
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&sp.to_be_bytes());
    f.extend_from_slice(&dp.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&ack.to_be_bytes());
    f.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;

/// Write `frames` as a microsecond pcap of raw IP, one millisecond apart.
fn write_pcap(path: &Path, frames: impl Iterator<Item = Vec<u8>>) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    w.write_all(&[0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 101, 0, 0, 0]).unwrap();
    for (i, f) in frames.enumerate() {
        let (secs, usecs) = (1_700_000_000 + (i / 1000) as u32, (i % 1000) as u32 * 1000);
        w.write_all(&secs.to_le_bytes()).unwrap();
        w.write_all(&usecs.to_le_bytes()).unwrap();
        w.write_all(&(f.len() as u32).to_le_bytes()).unwrap();
        w.write_all(&(f.len() as u32).to_le_bytes()).unwrap();
        w.write_all(&f).unwrap();
    }
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wirecrab-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// A handshake and one request on connection `c`, then `segments` from the server.
fn connection(c: u32, request: &[u8], responses: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut v = vec![tcp(c, 40000, true, 999, 0, SYN, b""), tcp(c, 40000, false, 4999, 1000, SYN | ACK, b""), tcp(c, 40000, true, 1000, 5000, ACK, b"")];
    v.push(tcp(c, 40000, true, 1000, 5000, PSH_ACK, request));
    let mut seq = 5000u32;
    for r in responses {
        v.push(tcp(c, 40000, false, seq, 1000 + request.len() as u32, PSH_ACK, r));
        seq = seq.wrapping_add(r.len() as u32);
    }
    v
}

#[test]
fn a_syn_flood_is_counted_right_and_the_flow_cap_is_reported() {
    let path = tmp("synflood.pcap");
    write_pcap(&path, (0..100_000u32).map(|i| tcp(i / 50, 1024 + (i % 50) as u16, true, i, 0, SYN, b"")));
    let p = path.to_str().unwrap();
    let o = wirecrab(&["-r", p, "-q", "-z", "conv,tcp"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = stdout(&o).lines().filter(|l| l.contains("<->")).count();
    assert_eq!(rows, 100_000, "every half-open connection is its own conversation");
    assert!(stderr(&o).is_empty(), "no cap reached by default: {}", stderr(&o));
    let capped = wirecrab(&["-r", p, "-q", "-z", "conv,tcp", "--max-flows", "10000"]);
    assert!(capped.status.success());
    assert!(stderr(&capped).contains("--max-flows 10000 reached"), "{}", stderr(&capped));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_million_retransmissions_of_one_segment() {
    let path = tmp("retrans.pcap");
    let request = b"GET /again HTTP/1.1\r\nHost: x\r\n\r\n";
    let first = connection(1, request, &[]);
    let copies = (0..1_000_000).map(|_| tcp(1, 40000, true, 1000, 5000, PSH_ACK, request));
    write_pcap(&path, first.into_iter().chain(copies));
    let p = path.to_str().unwrap();
    let o = wirecrab(&["-r", p, "-Y", "http.request", "-T", "fields", "-e", "frame.number"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "4\n", "the request is dissected once, in the original");
    let r = wirecrab(&["-r", p, "-q", "-z", "io,stat,0,tcp.analysis.retransmission"]);
    assert!(stdout(&r).contains("1000000 |"), "every copy is a retransmission: {}", stdout(&r));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn garbage_on_port_80_overflowing_chunks_and_endless_headers() {
    let path = tmp("garbage.pcap");
    let mut frames = Vec::new();
    // Binary garbage, then a request whose chunk size overflows every integer.
    frames.extend(connection(1, b"\x00\xff\x13garbage\x80\x81 not http", &[b"\x16\x03\x01 more garbage"]));
    frames.extend(connection(
        2,
        b"POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n",
        &[b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
    ));
    // A header block of 100 KiB that never ends, over 70 segments.
    let mut long = connection(3, b"GET /long HTTP/1.1\r\n", &[]);
    let mut seq = 1000 + 20;
    for _ in 0..70 {
        let line = format!("X-Filler: {}\r\n", "a".repeat(1450));
        long.push(tcp(3, 40000, true, seq, 5000, PSH_ACK, line.as_bytes()));
        seq += line.len() as u32;
    }
    frames.extend(long);
    write_pcap(&path, frames.into_iter());
    let p = path.to_str().unwrap();
    let o = wirecrab(&["-r", p]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-header 65536 reached: 1 HTTP header blocks"), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("POST /up HTTP/1.1"), "{out}");
    assert!(out.contains("GET /long HTTP/1.1"), "the endless request is shown once the cap is reached");
    let wide = wirecrab(&["-r", p, "--max-header", "1M", "-q"]);
    assert!(stderr(&wide).is_empty(), "a larger cap is not reached: {}", stderr(&wide));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_body_longer_than_the_stream_buffer_is_given_up_and_reported() {
    let path = tmp("longbody.pcap");
    let head = b"HTTP/1.1 200 OK\r\nContent-Length: 3000000\r\n\r\n".to_vec();
    let piece = vec![b'z'; 1400];
    let mut responses: Vec<&[u8]> = vec![&head];
    responses.extend(std::iter::repeat_n(piece.as_slice(), 2200));
    write_pcap(&path, connection(1, b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n", &responses).into_iter());
    let p = path.to_str().unwrap();
    // The body is wanted (file_data), so it is reassembled: 3 MB passes 1 MiB.
    let o = wirecrab(&["-r", p, "-T", "fields", "-e", "http.file_data", "--max-stream-buffer", "1M"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-stream-buffer 1048576 reached"), "{}", stderr(&o));
    let whole = wirecrab(&["-r", p, "-q", "-T", "fields", "-e", "http.file_data"]);
    assert!(stderr(&whole).is_empty(), "{}", stderr(&whole));
    std::fs::remove_file(&path).unwrap();
}

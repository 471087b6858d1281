//! The command line as a tshark user types it.

mod common;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{captures, stderr, stdout, wirecrab};

#[test]
fn fields_options_header_separator_quote_occurrence_aggregator() {
    let base = ["-r", "tunnels/vxlan.pcap", "-c", "1", "-T", "fields", "-e", "frame.number", "-e", "ip.src"];
    let o = wirecrab(&base);
    assert_eq!(stdout(&o), "1\t192.168.203.1,192.168.203.3\n", "outer then inner");
    let mut a = base.to_vec();
    a.extend(["-E", "header=y", "-E", "separator=,", "-E", "quote=d", "-E", "aggregator=;"]);
    assert_eq!(stdout(&wirecrab(&a)), "\"frame.number\",\"ip.src\"\n\"1\",\"192.168.203.1;192.168.203.3\"\n".replace("\"frame.number\",\"ip.src\"", "frame.number,ip.src"));
    // As in tshark, the occurrence applies to every field: frame.number has no 2nd value.
    for (occ, want) in [("f", "1\t192.168.203.1"), ("l", "1\t192.168.203.3"), ("2", "\t192.168.203.3"), ("3", "\t")] {
        let opt = format!("occurrence={occ}");
        let mut a = base.to_vec();
        a.extend(["-E", opt.as_str()]);
        let o = stdout(&wirecrab(&a));
        assert_eq!(o, format!("{want}\n"), "occurrence={occ}");
    }
    let mut a = base.to_vec();
    a.extend(["-E", "separator=/s"]);
    assert_eq!(stdout(&wirecrab(&a)), "1 192.168.203.1,192.168.203.3\n");
}

#[test]
fn column_pseudo_fields() {
    let o = wirecrab(&["-r", "dns/dns_udp.pcap", "-c", "1", "-T", "fields", "-e", "_ws.col.Source", "-e", "_ws.col.Destination", "-e", "_ws.col.Length", "-e", "_ws.col.Time"]);
    assert_eq!(stdout(&o), "192.168.1.11\t209.87.249.18\t98\t0.000000\n");
}

#[test]
fn time_formats() {
    let cases = [
        ("ad", "2020-06-10 09:19:54.740079"),
        ("a", "09:19:54.740079"),
        ("ud", "2020-06-10 09:19:54.740079"),
        ("udoa", "2020/162 09:19:54.740079"),
        ("e", "1591780794.740079"),
        ("r", "0.000000"),
        ("d", "0.000000"),
    ];
    for (fmt, want) in cases {
        let o = wirecrab(&["-r", "dns/dns_udp.pcap", "-c", "1", "-t", fmt, "-T", "fields", "-e", "_ws.col.Time"]);
        assert_eq!(stdout(&o).trim_end(), want, "-t {fmt}");
    }
    // The local zone comes from TZ.
    let o = Command::new(env!("CARGO_BIN_EXE_wirecrab"))
        .args(["-r", "dns/dns_udp.pcap", "-c", "1", "-t", "ad"])
        .current_dir(captures())
        .env("TZ", "Asia/Tokyo")
        .output()
        .unwrap();
    assert!(stdout(&o).contains("2020-06-10 18:19:54.740079"), "{}", stdout(&o));
}

#[test]
fn summary_line_matches_tshark_layout() {
    let o = wirecrab(&["-r", "tcp/tcp-one-stream.pcap", "-c", "2"]);
    assert_eq!(
        stdout(&o),
        "    1   0.000000     10.0.0.1 → 81.218.72.15 TCP 66 61541 → 80 [SYN] Seq=0 Win=8192 Len=0 MSS=1460 WS=256 SACK_PERM\n    2   0.015584 81.218.72.15 → 10.0.0.1     TCP 66 80 → 61541 [SYN, ACK] Seq=0 Ack=1 Win=8192 Len=0 MSS=1420 WS=256 SACK_PERM\n"
    );
}

#[test]
fn hex_dump_like_tshark() {
    let o = wirecrab(&["-r", "dns/dns_udp.pcap", "-c", "1", "-x"]);
    let s = stdout(&o);
    assert!(s.starts_with("0000  00 11 22 33 44 66 00 11 22 33 44 55 08 00 45 00   .\"3Df.\"3DU..E.\n".replace(".\"3Df.\"", "..\"3Df..\"").as_str()), "{s}");
    assert!(s.contains("\n0060  0b 13                                             ..\n\n"), "{s}");
}

#[test]
fn detail_tree_and_only() {
    let o = wirecrab(&["-r", "tcp/tcp-one-stream.pcap", "-c", "1", "-V"]);
    let s = stdout(&o);
    assert!(s.starts_with("Frame 1: 66 bytes on wire (528 bits), 66 bytes captured (528 bits)"), "{s}");
    assert!(s.contains("\nInternet Protocol Version 4, Src: 10.0.0.1, Dst: 81.218.72.15\n"), "{s}");
    assert!(s.contains("    Source Port: 61541\n"), "{s}");
    assert!(s.contains(".... .... ..1. = Syn: Set"), "{s}");
    let o = wirecrab(&["-r", "tcp/tcp-one-stream.pcap", "-c", "1", "-O", "tcp"]);
    let s = stdout(&o);
    assert!(!s.contains("Total Length"), "IP is collapsed with -O tcp");
    assert!(s.contains("    Source Port: 61541\n"));
}

#[test]
fn json_and_ek_are_valid_shapes() {
    let o = stdout(&wirecrab(&["-r", "dns/dns_udp.pcap", "-T", "json"]));
    assert!(o.starts_with("[\n  {\n    \"_index\": \"packets-2020-06-10\""), "{o}");
    assert!(o.trim_end().ends_with(']'));
    assert!(o.contains("\"ip.src\": \"192.168.1.11\""));
    let o = stdout(&wirecrab(&["-r", "dns/dns_udp.pcap", "-T", "ek"]));
    let lines: Vec<&str> = o.lines().collect();
    assert_eq!(lines.len(), 4, "index line + document per packet");
    assert!(lines[0].starts_with("{\"index\":{\"_index\":\"packets-2020-06-10\""));
    assert!(lines[1].contains("\"ip_ip_src\":\"192.168.1.11\""), "{}", lines[1]);
}

#[test]
fn unknown_field_is_an_error_with_a_suggestion() {
    let o = wirecrab(&["-r", "dns/dns_udp.pcap", "-T", "fields", "-e", "tcp.prot"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown field 'tcp.prot' — did you mean 'tcp.port'?"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn not_a_capture_missing_and_empty_files() {
    let dir = std::env::temp_dir().join(format!("wirecrab-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("page.html");
    std::fs::write(&html, "<!DOCTYPE html>").unwrap();
    let empty = dir.join("empty.pcap");
    std::fs::write(&empty, "").unwrap();
    let o = wirecrab(&["-r", html.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), format!("wirecrab: {}: not a pcap or pcapng file (starts with 3c 21 44 4f)\n", html.display()));
    let o = wirecrab(&["-r", "/nonexistent/x.pcap"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("No such file or directory"));
    let o = wirecrab(&["-r", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the file is empty"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn closed_pipe_ends_quietly_with_zero() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirecrab"))
        .args(["-r", "link/mixed-many-protocols.pcap"])
        .current_dir(captures())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here: the pipe is closed after one line.
    let o = child.wait_with_output().unwrap();
    assert!(first.starts_with("    1 "));
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn stdin_and_compressed_input() {
    let f = std::fs::File::open(captures().join("formats/dns-icmp.pcapng.gz")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_wirecrab"))
        .args(["-r", "-", "-T", "fields", "-e", "frame.number"])
        .stdin(f)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).lines().count() > 1);
}

#[test]
fn listings() {
    let f = stdout(&wirecrab(&["fields"]));
    assert!(f.contains("F\tSource\teth.src\tFT_ETHER\teth\t"), "eth.src listed");
    assert!(f.contains("\tvxlan.vni\tFT_UINT24\tvxlan\t"), "vxlan.vni listed");
    assert_eq!(f, stdout(&wirecrab(&["-G", "fields"])));
    let p = stdout(&wirecrab(&["protocols"]));
    assert!(p.contains("Transmission Control Protocol\tTCP\ttcp\n"), "{p}");
}

#[test]
fn help_has_examples() {
    let o = stdout(&wirecrab(&["--help"]));
    assert!(o.contains("Examples:") && o.contains("-T fields"), "{o}");
}

/// `tcpdump -U -w - | wirecrab -r -`: frames are printed as they arrive,
/// while the writer still holds the pipe open.
#[test]
fn a_pipe_that_is_still_being_written() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_wirecrab"))
        .args(["-r", "-", "-T", "fields", "-e", "frame.number", "-e", "ip.dst"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut header = Vec::new();
    for v in [0xa1b2c3d4u32, 0x0004_0002, 0, 0, 65535, 101] {
        header.extend(v.to_le_bytes());
    }
    stdin.write_all(&header).unwrap();
    let frame = |n: u8| {
        let ip = [0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, n];
        let mut rec = Vec::new();
        for v in [1u32, 0, ip.len() as u32, ip.len() as u32] {
            rec.extend(v.to_le_bytes());
        }
        rec.extend(ip);
        rec
    };
    for n in 1..=3u8 {
        stdin.write_all(&frame(n)).unwrap();
        stdin.flush().unwrap();
        // The line arrives before the next frame is even written.
        let line = lines.next().expect("a line per frame").unwrap();
        assert_eq!(line, format!("{n}\t10.0.0.{n}"));
    }
    drop(stdin);
    assert!(lines.next().is_none());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

/// The field list is public API: a change must be deliberate. Update the
/// snapshot with `wirecrab fields > crates/cli/tests/snapshots/fields.txt`.
#[test]
fn field_list_snapshot() {
    let now = stdout(&wirecrab(&["fields"]));
    let want = include_str!("snapshots/fields.txt");
    if now != want {
        let first = now.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(now.lines().count().min(want.lines().count()));
        panic!(
            "`wirecrab fields` changed at line {} (now {:?}, snapshot {:?}); update the snapshot if intended",
            first + 1,
            now.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

#[test]
fn display_filter_selects_frames_and_reports_mistakes_with_a_caret() {
    let o = wirecrab(&["-r", "tcp/tcp-one-stream.pcap", "-Y", "ip.src == 10.0.0.1 && tcp.flags.syn == 1", "-T", "fields", "-e", "frame.number"]);
    assert_eq!(stdout(&o), "1\n");
    let o = wirecrab(&["-r", "tcp/tcp-one-stream.pcap", "-Y", "tcp.prot == 80"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "nothing is read before the filter is valid");
    assert_eq!(
        stderr(&o),
        "wirecrab: -Y: invalid display filter\ntcp.prot == 80\n^^^^^^^^\nunknown field 'tcp.prot' — did you mean 'tcp.port'?\n"
    );
}

//! Every file in ../shared/captures/malformed: what wirecrab prints and its exit code.

mod common;
use common::{stderr, stdout, wirecrab};

fn fields(file: &str) -> (String, String, i32) {
    let o = wirecrab(&["-r", &format!("malformed/{file}"), "-T", "fields", "-e", "frame.number", "-e", "frame.protocols", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"]);
    (stdout(&o), stderr(&o), o.status.code().unwrap_or(-1))
}

#[test]
fn corrupt_record_length_prints_frames_then_names_frame_and_offset() {
    let (out, err, rc) = fields("corrupt-record-length.pcap");
    assert_eq!(rc, 2);
    assert_eq!(out.lines().count(), 6, "the six good frames are printed");
    assert!(err.contains("frame 7 at byte offset 5035 claims 4325376 bytes, more than the maximum of 262144"), "{err}");
}

#[test]
fn empty_pcap_and_pcapng_print_nothing_and_succeed() {
    for f in ["empty.pcap", "empty.pcapng"] {
        let (out, err, rc) = fields(f);
        assert_eq!((out.as_str(), err.as_str(), rc), ("", "", 0), "{f}");
    }
}

#[test]
fn file_cut_short_prints_every_complete_frame() {
    let (out, err, rc) = fields("file-cut-short-mid-packet.pcap");
    assert_eq!(rc, 2);
    assert_eq!(out.lines().count(), 2696);
    assert!(err.contains("cut short in the middle of frame 2697 (byte offset 2715459)"), "{err}");
}

#[test]
fn icmp_header_truncated_by_snaplen() {
    let (out, _, rc) = fields("icmp-header-trunc.pcap");
    assert_eq!(rc, 0);
    let first = out.lines().next().unwrap_or_default();
    assert!(first.starts_with("1\teth:ethertype:ip:icmp\tICMP\t"), "{first}");
    assert!(first.ends_with("[Packet size limited during capture]"), "{first}");
}

#[test]
fn ip4_bad_fragment_inside_mpls() {
    let (out, _, rc) = fields("ip4-bad-fragment.pcap");
    assert_eq!(rc, 0);
    assert!(out.starts_with("1\teth:ethertype:mpls:ip\tIPv4\t"), "{out}");
}

#[test]
fn ip4_and_ip6_truncated_headers() {
    let (out, _, _) = fields("ip4-trunc.pcap");
    assert_eq!(out, "1\teth:ethertype:ip\tIPv4\t[Packet size limited during capture]\n");
    let (out, _, _) = fields("ip6-trunc.pcap");
    assert_eq!(out, "1\teth:ethertype:ipv6\tIPv6\t[Packet size limited during capture]\n");
}

#[test]
fn ipv4_bogus_lengths_and_versions() {
    let (out, _, rc) = fields("ipv4-malformed.pcap");
    assert_eq!(rc, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "1\teth:ethertype:ip\tIPv4\tBogus IP length (11, less than header length 20)");
    assert_eq!(lines[1], "2\teth:ethertype:ip\tIPv4\tBogus IPv4 version (5, must be 4)");
    let (out, _, _) = fields("ipv4-truncated-broken-header.pcap");
    assert_eq!(out, "1\teth:ethertype:ip\tIPv4\tBogus IP length (20, less than header length 60)\n");
}

#[test]
fn ipv6_bad_version_becomes_data() {
    let (out, _, _) = fields("ipv6-bad-version.pcap");
    let second = out.lines().nth(1).unwrap_or_default();
    assert_eq!(second, "2\teth:ethertype:data\t0x86dd\tIPv6");
}

#[test]
fn tcp_malformed_options_mark_the_frame() {
    let (out, _, rc) = fields("tcp-malformed.pcap");
    assert_eq!(rc, 0);
    for l in out.lines() {
        assert!(l.ends_with("[Malformed Packet]"), "{l}");
        assert!(l.contains("\teth:ethertype:ip:tcp\tTCP\t49671 → 25014 [ACK]"), "{l}");
    }
}

#[test]
fn tcp_rst_with_data_cut_by_snaplen() {
    let (out, _, rc) = fields("tcp_rst_data-trunc.pcap");
    assert_eq!(rc, 0);
    assert!(out.starts_with("1\teth:ethertype:ip:tcp\tTCP\t80 → 52875 [RST, ACK] Seq=1 Ack=1 Win=5785 Len=58"), "{out}");
}

#[test]
fn ethernet_header_cut_by_a_one_byte_snaplen() {
    let (out, _, rc) = fields("trunc-hdr.pcap");
    assert_eq!(rc, 0);
    assert_eq!(out.lines().next(), Some("1\teth\tEthernet\t[Packet size limited during capture]"));
}

#[test]
fn every_malformed_file_is_covered_by_a_test() {
    let dir = common::captures().join("malformed");
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let src = include_str!("malformed.rs");
    for n in names {
        assert!(src.contains(&format!("\"{n}\"")), "no test names {n}");
    }
}

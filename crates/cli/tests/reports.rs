//! `-z` reports against tshark 4.0's output, committed in compat/report-goldens
//! (scripts/make-report-goldens.sh; tshark -n, TZ=UTC, LC_ALL=C).

mod common;
use common::*;

use std::path::PathBuf;

fn goldens() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../compat/report-goldens")
}

/// Run `-z REPORT` on every capture that has a golden called `*.NAME.txt`
/// and compare byte for byte; returns how many were compared.
fn matches_goldens(name: &str, report: &str) -> usize {
    matches_goldens_except(name, report, &[])
}

/// The same, except for captures whose difference has a written reason
/// (these must still differ: a fix makes the test say so).
fn matches_goldens_except(name: &str, report: &str, except: &[(&str, &str)]) -> usize {
    let mut checked = 0;
    for dir in ["http", "tcp", "ip"] {
        for entry in std::fs::read_dir(goldens().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_str().unwrap().to_string();
            let Some(capture) = file.strip_suffix(&format!(".{name}.txt")) else { continue };
            let want = std::fs::read_to_string(&path).unwrap();
            // tshark shows credentials; wirecrab masks them unless asked.
            let o = wirecrab(&["--show-secrets", "-r", &format!("{dir}/{capture}"), "-q", "-z", report]);
            assert!(o.status.code() == Some(0) || o.status.code() == Some(2), "{capture}: {}", stderr(&o));
            let path = format!("{dir}/{capture}");
            checked += 1;
            if let Some((_, why)) = except.iter().find(|(c, _)| *c == path) {
                assert_ne!(stdout(&o), want, "{path} now agrees with tshark; remove its exception ({why})");
                continue;
            }
            assert_eq!(stdout(&o), want, "-z {report} on {path}");
        }
    }
    assert!(checked >= 20, "only {checked} goldens for {name}");
    checked
}

#[test]
fn conv_tcp_matches_tshark_on_every_http_tcp_and_ip_capture() {
    matches_goldens("conv-tcp", "conv,tcp");
}

#[test]
fn follow_matches_tshark_in_every_mode_and_protocol() {
    matches_goldens("follow-tcp-ascii-0", "follow,tcp,ascii,0");
    matches_goldens("follow-tcp-hex-1", "follow,tcp,hex,1");
    matches_goldens("follow-udp-raw-0", "follow,udp,raw,0");
    matches_goldens("follow-http-ascii-0", "follow,http,ascii,0");
    matches_goldens("follow-http-yaml-1", "follow,http,yaml,1");
}

#[test]
fn http_trees_match_tshark() {
    matches_goldens("http-tree", "http,tree");
    matches_goldens("http-req-tree", "http_req,tree");
}

#[test]
fn expert_matches_tshark() {
    matches_goldens_except(
        "expert",
        "expert",
        &[
            ("http/http-chunked-request.pcap", "HTTP's Content-Length with Transfer-Encoding warning is not raised yet"),
            ("http/http-pipelined-requests.pcap", "HTTP's body-subdissector note is not raised yet"),
            ("ip/ipv6-ext-headers.pcap", "IPv6 extension-header notes (deprecated routing type, undecoded data) are not raised yet"),
            ("tcp/tcp-one-stream.pcap", "TCP reassembly's overlap error is not raised yet"),
        ],
    );
    let o = wirecrab(&["-r", "tcp/tcp-fast-retransmit.pcap", "-q", "-z", "expert,warn"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("Warns (1)") && !out.contains("Notes") && !out.contains("Chats"), "{out}");
    assert_eq!(wirecrab(&["-r", "http/http.pcap", "-q", "-z", "expert,chat,tcp.port =="]).status.code(), Some(2));
}

#[test]
fn io_stat_matches_tshark() {
    // One golden is empty: tshark ran out of memory on 1.3 billion one-second
    // rows (ipv6-ext-headers spans 42 years); wirecrab says so on stderr.
    matches_goldens("io-stat-1", "io,stat,1");
    let o = wirecrab(&["-r", "ip/ipv6-ext-headers.pcap", "-q", "-z", "io,stat,1"]);
    assert!(stderr(&o).contains("use a longer interval"), "{}", stderr(&o));
}

#[test]
fn io_stat_columns_and_whole_capture_interval() {
    // Checked against tshark 4.0 on this capture (docs/research/z-reports.md §5).
    let o = wirecrab(&["-r", "tcp/tcp-one-stream.pcap", "-q", "-z", "io,stat,5,COUNT(tcp.len)tcp.len>0,SUM(tcp.len)tcp.len,MAX(frame.len)frame.len,MIN(frame.len)frame.len,AVG(frame.len)frame.len"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let want = "\n=================================================\n\
| IO Statistics                                 |\n\
|                                               |\n\
| Duration: 15.660456 secs                      |\n\
| Interval:  5 secs                             |\n\
|                                               |\n\
| Col 1: COUNT(tcp.len)tcp.len>0                |\n\
|     2: SUM(tcp.len)tcp.len                    |\n\
|     3: MAX(frame.len)frame.len                |\n\
|     4: MIN(frame.len)frame.len                |\n\
|     5: AVG(frame.len)frame.len                |\n\
|-----------------------------------------------|\n\
|          |1      |2      |3     |4     |5     |\n\
| Interval | COUNT |  SUM  |  MAX |  MIN |  AVG |\n\
|-----------------------------------------------|\n\
|  0 <>  5 |     9 |  9819 | 1474 |   60 |  671 |\n\
|  5 <> 10 |     0 |     0 |    0 |    0 |    0 |\n\
| 10 <> 15 |     1 |     1 |   66 |   60 |   63 |\n\
| 15 <> Dur|    12 | 15413 | 1474 |   60 |  912 |\n\
=================================================\n";
    assert_eq!(stdout(&o), want);
    let whole = stdout(&wirecrab(&["-r", "http/http-packets2.pcap", "-q", "-z", "io,stat,0"]));
    assert!(whole.contains("|  0.0 <> 31.5 |    222 | 79505 | |"), "{whole}");
    for bad in ["io,stat,1,", "io,stat,x", "io,stat,1,SUM(tcp.len", "io,stat,1,MAX(no.such.field)", "io,stat,1,tcp.port ==", "io,stat,1,SUM(http.host)"] {
        assert_eq!(wirecrab(&["-r", "http/http.pcap", "-q", "-z", bad]).status.code(), Some(2), "{bad}");
    }
}

#[test]
fn follow_by_address_pair_and_chunk_range() {
    // Either order of the two ends; a range keeps chunks 2..3 but offsets count every chunk.
    let a = wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-z", "follow,tcp,hex,98.139.161.29:80,172.16.133.132:54615,2-3"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let out = stdout(&a);
    assert!(out.contains("Filter: ((ip.src eq 98.139.161.29 and tcp.srcport eq 80) and (ip.dst eq 172.16.133.132 and tcp.dstport eq 54615)) or"), "{out}");
    assert!(out.contains("Node 0: 172.16.133.132:54615\nNode 1: 98.139.161.29:80\n"), "{out}");
    let whole = stdout(&wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-z", "follow,tcp,hex,0"]));
    let body = |s: &str| s.lines().filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_hexdigit()) && l.contains("  ")).map(String::from).collect::<Vec<_>>();
    let (part, all) = (body(&out), body(&whole));
    assert!(!part.is_empty() && part.len() < all.len());
    assert!(all.windows(part.len()).any(|w| w == part.as_slice()), "the range is a run of the whole stream's lines");
    for bad in ["follow,tcp,utf-8,0", "follow,tcp,ascii,0,3-2", "follow,tcp,ascii,1.2.3.4:80,[::1]:80", "follow,sctp,ascii,0", "follow,tcp,ascii,1.2.3.4:99999,5.6.7.8:1"] {
        let o = wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-z", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(stderr(&o).contains("follow"), "{bad}: {}", stderr(&o));
    }
}

#[test]
fn several_reports_print_last_first_and_see_every_frame_despite_y() {
    // tshark prints reports in reverse order, and -Y does not change them.
    let o = wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-Y", "tcp.port == 44305", "-z", "conv,ip", "-z", "conv,tcp"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let tcp = out.find("TCP Conversations").unwrap();
    let ip = out.find("IPv4 Conversations").unwrap();
    assert!(tcp < ip);
    assert_eq!(out.matches("<->").count(), 3 + 3, "three connections between three address pairs");
    // A report's own filter restricts what it sees and is shown in its header.
    let o = wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-z", "conv,tcp,tcp.port==44305"]);
    assert!(stdout(&o).contains("Filter:tcp.port==44305\n"));
    assert_eq!(stdout(&o).matches("<->").count(), 1);
}

#[test]
fn unknown_reports_and_bad_report_filters_are_errors() {
    let o = wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-z", "conv,sctp"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("conv,tcp"), "{}", stderr(&o));
    let o = wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-z", "conv,tcp,tcp.prot==1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean 'tcp.port'"), "{}", stderr(&o));
}

#[test]
fn endpoints_match_tshark() {
    // TZ=UTC LC_ALL=C tshark -n -r http/http-three-streams.pcap -q -z endpoints,tcp -z endpoints,ip
    let want = "================================================================================\nIPv4 Endpoints\nFilter:<No Filter>\n                       |  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n172.16.133.132                28          4763         15            2484          13            2279   \n98.138.19.88                  10          1681          5             948           5             733   \n98.139.161.29                  9          1428          4             713           5             715   \n98.139.240.23                  9          1654          4             618           5            1036   \n================================================================================\n================================================================================\nTCP Endpoints\nFilter:<No Filter>\n                       |  Port  ||  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |\n172.16.133.132            44305         10          1681          5             733           5             948   \n98.138.19.88                 80         10          1681          5             948           5             733   \n172.16.133.132            54615          9          1428          5             715           4             713   \n98.139.161.29                80          9          1428          4             713           5             715   \n172.16.133.132            52328          9          1654          5            1036           4             618   \n98.139.240.23                80          9          1654          4             618           5            1036   \n================================================================================\n";
    let o = wirecrab(&["-r", "http/http-three-streams.pcap", "-q", "-z", "endpoints,tcp", "-z", "endpoints,ip"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), want);
}

#[test]
fn credentials_are_masked_unless_asked_for() {
    let cap = "http/http-chunked-request.pcap";
    let secret = "13333333-3333-3333-3333-333333333337";
    for args in [
        &["-r", cap, "-q", "-z", "follow,http,ascii,0"][..],
        &["-r", cap, "-V"][..],
        &["-r", cap, "-T", "json"][..],
        &["-r", cap, "-T", "fields", "-e", "http.cookie", "-e", "http.request.line"][..],
    ] {
        let o = wirecrab(args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        assert!(!out.contains(secret), "{args:?} shows the session cookie");
        assert!(out.contains("X-Qlik-Session=<masked>"), "{args:?} names the cookie and masks its value");
        let mut shown = vec!["--show-secrets"];
        shown.extend_from_slice(args);
        assert!(stdout(&wirecrab(&shown)).contains(secret), "{args:?} --show-secrets");
    }
}

//! `-z` reports against tshark 4.0's output, committed in compat/report-goldens
//! (scripts/make-report-goldens.sh; tshark -n, TZ=UTC, LC_ALL=C).

mod common;
use common::*;

use std::path::PathBuf;

fn goldens() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../compat/report-goldens")
}

#[test]
fn conv_tcp_matches_tshark_on_every_http_tcp_and_ip_capture() {
    let mut checked = 0;
    for dir in ["http", "tcp", "ip"] {
        for entry in std::fs::read_dir(goldens().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let Some(capture) = name.strip_suffix(".conv-tcp.txt") else { continue };
            let want = std::fs::read_to_string(&path).unwrap();
            let o = wirecrab(&["-r", &format!("{dir}/{capture}"), "-q", "-z", "conv,tcp"]);
            assert!(o.status.code() == Some(0) || o.status.code() == Some(2), "{capture}: {}", stderr(&o));
            assert_eq!(stdout(&o), want, "{dir}/{capture}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} goldens found");
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

//! `wirecrab http`: the transaction view, on the benchmark sample whose
//! requests curl logged (../shared/bench/samples/http) and on the corpus.

mod common;
use common::*;

/// The sample: ~290 requests to nginx, with a pipelined connection, 100-continue,
/// health checks, X-Forwarded-For and trace ids. Relative to the captures root.
const SAMPLE: &str = "../bench/samples/http/http.pcap";

fn csv(args: &[&str]) -> Vec<Vec<String>> {
    let mut all = vec!["http", SAMPLE, "--csv"];
    all.extend_from_slice(args);
    let o = wirecrab(&all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(lines.next().unwrap().split(',').count(), 16, "header");
    // No field in this sample holds a comma or a quote, so a plain split is exact.
    lines.map(|l| l.split(',').map(String::from).collect()).collect()
}

#[test]
fn every_request_is_paired_with_its_response_in_order() {
    let rows = csv(&[]);
    assert_eq!(rows.len(), 290);
    // The pipelined connection: five requests in one segment, five answers.
    let pipelined: Vec<_> = rows.iter().filter(|r| r[1] == "29").map(|r| (r[6].as_str(), r[7].as_str())).collect();
    assert_eq!(
        pipelined,
        [("/index.html", "200"), ("/api/v1/status.json", "200"), ("/static/style.css", "200"), ("/nope", "404"), ("/health", "200")]
    );
    // 100 Continue is interim: the request's status is the final one.
    assert!(rows.iter().all(|r| r[7] != "100"));
    assert!(rows.iter().all(|r| !r[15].contains("no response")), "every request in the sample was answered");
    // Timings are ordered: first byte no later than the last.
    for r in rows.iter().filter(|r| !r[11].is_empty() && !r[12].is_empty()) {
        let (ttfb, total): (f64, f64) = (r[11].parse().unwrap(), r[12].parse().unwrap());
        assert!(ttfb <= total + 1e-9, "{r:?}");
    }
}

#[test]
fn the_balancers_view_client_trace_and_health_checks() {
    let rows = csv(&[]);
    let forwarded: Vec<_> = rows.iter().filter(|r| r[2].starts_with("203.0.113.")).collect();
    assert!(!forwarded.is_empty(), "left-most X-Forwarded-For is the client");
    assert!(forwarded.iter().all(|r| r[13].starts_with("Root=1-")), "trace id shown");
    let health = rows.iter().filter(|r| r[14] == "yes").count();
    assert!(health >= 6, "ELB-HealthChecker requests are marked ({health})");
    assert_eq!(csv(&["--no-health-checks"]).len(), rows.len() - health);
}

#[test]
fn status_slow_and_display_filter_select_rows() {
    let five = csv(&["--status", "5xx"]);
    assert_eq!(five.len(), 18);
    assert!(five.iter().all(|r| r[7].starts_with('5')));
    let all = csv(&[]);
    let (n404, n503) = (all.iter().filter(|r| r[7] == "404").count(), all.iter().filter(|r| r[7] == "503").count());
    assert!(n404 >= 30 && n503 >= 12, "curl logged 30 and 12");
    assert_eq!(csv(&["--status", "404,503"]).len(), n404 + n503);
    // A filter on the response frame keeps the row, like one on the request;
    // -Y selects frames, so a frame with three pipelined answers keeps three rows.
    let by_code = csv(&["-Y", "http.response.code == 404"]);
    assert_eq!(by_code.iter().filter(|r| r[7] == "404").count(), n404);
    assert!(by_code.iter().all(|r| r[7] == "404" || r[1] == "29" || by_code.iter().any(|o| o[1] == r[1] && o[7] == "404")));
    let by_host = csv(&["-Y", "http.host == \"api.bench.test\""]);
    assert!(!by_host.is_empty() && by_host.iter().all(|r| r[5] == "api.bench.test"));
    let slow = csv(&["--slow", "1ms"]);
    let expected = all.iter().filter(|r| r[12].parse::<f64>().map_or(true, |t| t >= 1.0)).count();
    assert_eq!(slow.len(), expected);
    assert!(slow.len() < all.len());
    for bad in [&["--slow", "fast"][..], &["--status", "7xx"][..], &["-Y", "http.nope == 1"][..]] {
        let mut args = vec!["http", SAMPLE];
        args.extend_from_slice(bad);
        assert_eq!(wirecrab(&args).status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn json_lines_have_the_documented_keys() {
    let o = wirecrab(&["http", SAMPLE, "--json", "--status", "503"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 12);
    for l in out.lines() {
        assert!(l.starts_with("{\"time\":\"2026-") && l.ends_with('}'), "{l}");
        for key in ["epoch", "stream", "request_frame", "response_frame", "client", "server", "method", "host", "path", "status", "request_bytes", "response_bytes", "handshake_rtt_ms", "ttfb_ms", "duration_ms", "trace_id", "health_check", "note"] {
            assert!(l.contains(&format!("\"{key}\":")), "{key} in {l}");
        }
        assert!(l.contains("\"status\":503"));
    }
}

#[test]
fn the_table_fits_the_terminal_and_ends_with_percentiles() {
    for width in ["80", "120"] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_wirecrab"))
            .args(["http", SAMPLE, "--no-footer"])
            .current_dir(captures())
            .env("COLUMNS", width)
            .output()
            .unwrap();
        let out = stdout(&o);
        let w: usize = width.parse().unwrap();
        assert!(out.lines().count() > 200);
        assert!(out.lines().all(|l| l.chars().count() <= w), "a line wider than {w}");
    }
    let out = stdout(&wirecrab(&["http", SAMPLE]));
    assert!(out.contains("290 transactions:"), "{}", &out[out.len().saturating_sub(2000)..]);
    assert!(out.contains("p50") && out.contains("p99"));
    assert!(out.contains("api.bench.test/api/v1/users.json"), "grouped by host and path pattern");
}

#[test]
fn responses_without_requests_are_listed_and_marked() {
    // http-packets2 starts in the middle of a connection.
    let o = wirecrab(&["http", "http/http-packets2.pcap", "--csv"]);
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.ends_with(",no request")), "{out}");
    assert_eq!(out.lines().count() - 1, 58);
}

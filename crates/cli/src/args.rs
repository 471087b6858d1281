//! Command-line arguments: tshark's flags at the top level, subcommands beside them.

use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  wirecrab -r capture.pcapng                       one line per frame, like tshark
  wirecrab -r capture.pcap -V -c 1                 detail tree of the first frame
  wirecrab -r capture.pcap -T fields -E header=y -e frame.number -e ip.src -e tcp.srcport
  wirecrab -r capture.pcap -t ad                   wall-clock date and time in the Time column
  wirecrab -r capture.pcap.gz -x                   compressed input, with a hex dump
  wirecrab -r capture.pcap -Y 'ip.addr == 10.0.1.23 && tcp.port == 39836'
  wirecrab -r capture.pcap -Y 'http.response.code >= 400' -w errors.pcapng
  wirecrab -r big.pcap -f 'tcp port 80' -w port80.pcap    tcpdump filter, no dissection
  wirecrab -r capture.pcap -2 -R 'tcp.len > 0'     two passes; -R frames renumbered
  wirecrab -r capture.pcap -q -z conv,tcp          TCP conversations, as tshark prints them
  wirecrab -r capture.pcap -q -z follow,tcp,ascii,0    the first TCP connection's bytes
  wirecrab -r capture.pcap -q -z http,tree         HTTP messages by status and method
  wirecrab -r capture.pcap -d tcp.port==8888,http  HTTP on a port of your own
  tcpdump -U -w - | wirecrab -r -                  read a live pipe
  wirecrab http capture.pcap --status 5xx           HTTP transactions with timings (see `wirecrab http --help`)
  wirecrab fields | grep ^F.*vxlan                 every field wirecrab knows
  wirecrab protocols                               every protocol";

/// wirecrab — packet capture analysis with tshark's habits, much faster.
#[derive(Parser, Debug)]
#[command(name = "wirecrab", version, about, after_help = EXAMPLES, args_conflicts_with_subcommands = true, disable_version_flag = true)]
pub struct Cli {
    /// Print the version.
    #[arg(long = "version", action = clap::ArgAction::Version)]
    pub version: Option<bool>,

    /// Subcommand (omit to use the tshark-compatible flags).
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Read packets from FILE (pcap or pcapng, optionally gzip/zstd; `-` = stdin).
    #[arg(short = 'r', value_name = "FILE")]
    pub read: Option<String>,

    /// Output format: fields, json, ek, text (default).
    #[arg(short = 'T', value_name = "FORMAT")]
    pub format: Option<String>,

    /// Field to print with -T fields (repeatable), e.g. ip.src or _ws.col.Info.
    #[arg(short = 'e', value_name = "FIELD")]
    pub fields: Vec<String>,

    /// Fields option: header=y|n, separator=/t|/s|C, quote=d|s|n, occurrence=f|l|a|N, aggregator=C.
    #[arg(short = 'E', value_name = "KEY=VALUE")]
    pub field_opts: Vec<String>,

    /// Time format: a, ad, adoa, d, dd, e, r (default), u, ud, udoa.
    #[arg(short = 't', value_name = "FORMAT")]
    pub time: Option<String>,

    /// Print the packet detail tree.
    #[arg(short = 'V')]
    pub verbose: bool,

    /// Detail tree for these protocols only (comma-separated).
    #[arg(short = 'O', value_name = "PROTOCOLS")]
    pub only: Option<String>,

    /// Add a hex and ASCII dump of each frame.
    #[arg(short = 'x')]
    pub hex: bool,

    /// Quiet: print no per-frame output.
    #[arg(short = 'q')]
    pub quiet: bool,

    /// Stop after N frames.
    #[arg(short = 'c', value_name = "N")]
    pub count: Option<u64>,

    /// Display filter in Wireshark's language, e.g. `ip.addr == 10.0.1.23 && tcp.port == 39836`.
    #[arg(short = 'Y', value_name = "FILTER", allow_hyphen_values = true)]
    pub display_filter: Option<String>,

    /// Read filter for the first pass of a two-pass run (needs -2): frames it
    /// rejects do not exist for the second pass, which numbers the rest from 1.
    #[arg(short = 'R', value_name = "FILTER", allow_hyphen_values = true)]
    pub read_filter: Option<String>,

    /// Two-pass analysis: a first pass over the whole file (with -R), then the output pass.
    #[arg(short = '2')]
    pub two_pass: bool,

    /// Capture filter in tcpdump's language (libpcap's pcap_compile), applied to
    /// the file as if the capture had been taken with it: e.g. `tcp port 80`.
    #[arg(short = 'f', value_name = "BPF")]
    pub capture_filter: Option<String>,

    /// Write the frames that pass the filters to FILE (`-` = stdout) instead of printing them.
    #[arg(short = 'w', value_name = "FILE")]
    pub write: Option<String>,

    /// Format for -w: pcap, nsecpcap or pcapng (default: the input's own, so pcap stays pcap).
    #[arg(short = 'F', value_name = "FORMAT")]
    pub out_format: Option<String>,

    /// With -w, print packets too (as tshark -P).
    #[arg(short = 'P')]
    pub print_with_write: bool,

    /// Statistics report, printed after the frames (repeatable; tshark's order:
    /// last given, first printed): conv,TYPE[,FILTER] or endpoints,TYPE[,FILTER]
    /// (TYPE = eth, ip, ipv6, tcp or udp); follow,tcp|udp|http,ascii|hex|raw|yaml,STREAM[,RANGE]
    /// (STREAM = index or A:p,B:q); http,tree; http_req,tree; io,stat,INTERVAL[,FILTER...]; expert.
    #[arg(short = 'z', value_name = "REPORT")]
    pub reports: Vec<String>,

    /// Decode as: `-d tcp.port==8888,http` dissects that TCP port as HTTP (repeatable).
    #[arg(short = 'd', value_name = "LAYER==PORT,PROTO")]
    pub decode_as: Vec<String>,

    /// Memory caps.
    #[command(flatten)]
    pub caps: Caps,

    /// Show credentials (Authorization, Proxy-Authorization, Cookie and
    /// Set-Cookie values) as captured. Without it they are masked in every
    /// field, tree and report; raw bytes (-x, -w, follow,tcp) are the capture's.
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,

    /// Disable name resolution (wirecrab never resolves names; accepted for tshark habits).
    #[arg(short = 'n')]
    pub no_resolve: bool,

    /// Name resolution flags (accepted and ignored: wirecrab never resolves names).
    #[arg(short = 'N', value_name = "FLAGS")]
    pub resolve: Option<String>,

    /// Preference override `name:value` (tls.keylog_file is remembered for TLS work; others are ignored).
    #[arg(short = 'o', value_name = "PREF")]
    pub prefs: Vec<String>,

    /// Flush output after each frame (useful when reading a live pipe).
    #[arg(short = 'l')]
    pub line_buffered: bool,

    /// tshark's glossary reports: `-G fields` or `-G protocols`.
    #[arg(short = 'G', value_name = "REPORT")]
    pub glossary: Option<String>,
}

const HTTP_EXAMPLES: &str = "\
Examples:
  wirecrab http capture.pcap                          every request: client, status, timings
  wirecrab http capture.pcap --status 5xx --slow 500ms   slow or failing requests only
  wirecrab http capture.pcap --no-health-checks -Y 'http.host == \"api.example.com\"'
  wirecrab http capture.pcap -Y 'ip.addr == 10.0.1.23 && tcp.port == 39836'   one connection
  wirecrab http capture.pcap --json | jq 'select(.duration_ms > 1000)'
  wirecrab http capture.pcap --csv > requests.csv

Columns: time (local; --utc for UTC), tcp stream, client (left-most X-Forwarded-For, else the
source), server, method, host, path, status, request and response bytes, rtt ms (the
connection's handshake), ttfb ms (request to the server's first byte), total ms (request to
the end of the response), X-Amzn-Trace-Id, hc (health check), note (no response / no request).
A footer counts statuses and gives latency percentiles per host and path pattern.";

/// `wirecrab http`: the transaction view.
#[derive(clap::Args, Debug)]
pub struct HttpArgs {
    /// Capture file (pcap or pcapng, optionally gzip/zstd; `-` = stdin).
    pub file: String,
    /// Keep transactions whose request or response frame matches this display filter.
    #[arg(short = 'Y', value_name = "FILTER", allow_hyphen_values = true)]
    pub display_filter: Option<String>,
    /// Only transactions that took at least this long (500ms, 1.5s, 250us; a bare number is ms),
    /// and those without a response.
    #[arg(long, value_name = "DURATION")]
    pub slow: Option<String>,
    /// Only these statuses: codes or classes, comma-separated (5xx, 404, 4xx,503).
    #[arg(long, value_name = "LIST")]
    pub status: Option<String>,
    /// Leave out load balancer health checks (ELB-HealthChecker/2.0 and other known checkers).
    #[arg(long)]
    pub no_health_checks: bool,
    /// One JSON object per line (keys documented in docs/http.md).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// CSV with a header line.
    #[arg(long)]
    pub csv: bool,
    /// Times in UTC instead of the local zone (TZ).
    #[arg(long)]
    pub utc: bool,
    /// No footer (status counts and latency percentiles).
    #[arg(long)]
    pub no_footer: bool,
    /// Latency groups shown in the footer.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Decode as: `-d tcp.port==8888,http` (repeatable).
    #[arg(short = 'd', value_name = "LAYER==PORT,PROTO")]
    pub decode_as: Vec<String>,
    /// Show credentials as captured (masked otherwise).
    #[arg(long = "show-secrets")]
    pub show_secrets: bool,

    /// Memory caps.
    #[command(flatten)]
    pub caps: Caps,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// One row per HTTP request: client, server, status, bytes, handshake RTT, time to first
    /// and last byte, trace id, health checks; footer with latency percentiles.
    #[command(after_help = HTTP_EXAMPLES)]
    Http(HttpArgs),
    /// List every field: F, name, abbreviation, type, protocol, base, mask (like `tshark -G fields`).
    #[command(after_help = "Example:\n  wirecrab fields | awk -F'\\t' '$5==\"tcp\"'")]
    Fields,
    /// List every protocol: name, short name, filter name (like `tshark -G protocols`).
    #[command(after_help = "Example:\n  wirecrab protocols | grep -i vxlan")]
    Protocols,
}

/// Caps on the state kept for hostile or huge traffic (main job and `wirecrab http`).
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Caps {
    /// Most TCP connections tracked at once; past it the oldest state is
    /// forgotten and the run says how often.
    #[arg(long = "max-flows", value_name = "N", default_value_t = 1 << 20)]
    pub max_flows: usize,

    /// Most bytes one HTTP message is reassembled into; a longer one is given
    /// up (and counted), never grown (K, M, G suffixes).
    #[arg(long = "max-stream-buffer", value_name = "BYTES", default_value = "16M", value_parser = parse_size)]
    pub max_stream_buffer: usize,

    /// Most bytes an HTTP header block may span before it is taken as it is
    /// (a longer one is counted too).
    #[arg(long = "max-header", value_name = "BYTES", default_value = "64K", value_parser = parse_size)]
    pub max_header: usize,
}

/// `65536`, `64K`, `16M`, `1G` (binary multiples).
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, mult) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 1usize << 10),
        Some('M' | 'm') => (&t[..t.len() - 1], 1 << 20),
        Some('G' | 'g') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{s}: use a size such as 65536, 64K or 16M"))
}

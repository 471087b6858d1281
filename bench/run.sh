#!/usr/bin/env bash
# Benchmark wirecrab against tshark (and cat) on the same capture, in the same run.
#
#   bash bench/run.sh [DATA_DIR]        # default /tmp/wirecrab-bench
#   BIG_MB=256 RUNS=3 bash bench/run.sh
#   ONLY="follow0 http400 httpjson" bash bench/run.sh    # some pairs only
#
# Builds the reference captures with ../shared/bench/make-captures.sh (real
# loopback traffic; BIG_MB, default 1024, and a 128 MiB one for the memory
# comparison), then times each pair with hyperfine and prints ratios and peak
# RSS. Absolute times differ between machines; the ratios are what to compare.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SHARED="${SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
DATA="${1:-/tmp/wirecrab-bench}"
BIG_MB="${BIG_MB:-1024}"
RUNS="${RUNS:-3}"
SMALL_MB="${SMALL_MB:-128}"

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v tshark >/dev/null || need+=(tshark)
[ -x /usr/bin/time ] || need+=(time)
if ((${#need[@]})); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
(cd "$ROOT" && cargo build --release --quiet)
W="$ROOT/target/release/wirecrab"

BIG_MB="$BIG_MB" PARTS=big bash "$SHARED/bench/make-captures.sh" "$DATA/big-$BIG_MB" >&2
BIG_MB="$SMALL_MB" PARTS=big bash "$SHARED/bench/make-captures.sh" "$DATA/big-$SMALL_MB" >&2
F="$DATA/big-$BIG_MB/big/big.pcap"
SMALL="$DATA/big-$SMALL_MB/big/big.pcap"
OUT="$DATA/results"
mkdir -p "$OUT"

FIELDS="-T fields -e ip.src -e tcp.srcport -e dns.qry.name"
ONLY="${ONLY:-}"
pair() { # name, ours, theirs
    if [ -n "$ONLY" ] && [[ " $ONLY " != *" $1 "* ]]; then return; fi
    # This VM reclaims page cache under its own pressure: reading the capture
    # before each run keeps both tools timed on a warm cache, not on the disk.
    hyperfine --style basic --runs "$RUNS" --warmup 1 --export-json "$OUT/$1.json" \
        --prepare "cat $F > /dev/null" -n wirecrab "$2" -n peer "$3" >&2
}
pair default "$W -r $F > /dev/null" "tshark -r $F > /dev/null 2>&1"
pair fields "$W -r $F $FIELDS > /dev/null" "tshark -r $F $FIELDS > /dev/null 2>&1"
pair quiet "$W -r $F -q" "cat $F > /dev/null"

# Display filters, writing, capture filters (issue 4). The connection is one
# of the capture's (a client address and port the generator produced).
CONN='ip.addr == 10.0.24.10 && tcp.port == 59850'
pair filter443 "$W -r $F -Y 'tcp.port == 443' -q" "tshark -r $F -Y 'tcp.port == 443' -q > /dev/null 2>&1"
pair filterconn "$W -r $F -Y '$CONN' -q" "tshark -r $F -Y '$CONN' -q > /dev/null 2>&1"
pair filterdns "$W -r $F -Y 'dns.qry.name contains \"bench\"' -q" "tshark -r $F -Y 'dns.qry.name contains \"bench\"' -q > /dev/null 2>&1"
pair write443 "$W -r $F -Y 'tcp.port == 443' -F pcapng -w $OUT/w443.pcapng" "tshark -r $F -Y 'tcp.port == 443' -F pcapng -w $OUT/t443.pcapng > /dev/null 2>&1"
pair bpf80 "$W -r $F -f 'tcp port 80' -w $OUT/w80.pcap" "tcpdump -r $F 'tcp port 80' -w $OUT/t80.pcap 2>/dev/null"
cmp -s "$OUT/w80.pcap" "$OUT/t80.pcap" && echo "bpf80: wirecrab's file is byte-identical to tcpdump's" >&2
# Reports (issue 5).
pair convtcp "$W -r $F -q -z conv,tcp > /dev/null" "tshark -n -r $F -q -z conv,tcp > /dev/null 2>&1"
pair follow0 "$W -r $F -q -z follow,tcp,ascii,0 > /dev/null" "tshark -n -r $F -q -z follow,tcp,ascii,0 > /dev/null 2>&1"
pair http400 "$W -r $F -Y 'http.response.code >= 400' > /dev/null" "tshark -r $F -2 -R 'http.response.code >= 400' > /dev/null 2>&1"
pair httpjson "$W http $F --json > /dev/null" "tshark -r $F -Y http.request -T fields -e frame.time -e ip.src -e http.host -e http.request.uri -e http.response_in > /dev/null 2>&1"
rm -f "$OUT"/w443.pcapng "$OUT"/t443.pcapng "$OUT"/w80.pcap "$OUT"/t80.pcap

rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
{
    echo "rss_default_kb $(rss "$W" -r "$F")"
    echo "rss_fields_kb $(rss "$W" -r "$F" $FIELDS)"
    echo "rss_quiet_kb $(rss "$W" -r "$F" -q)"
    echo "rss_default_small_kb $(rss "$W" -r "$SMALL")"
    echo "rss_tshark_default_kb $(rss tshark -r "$F")"
    echo "rss_filter443_kb $(rss "$W" -r "$F" -Y 'tcp.port == 443' -q)"
    echo "rss_write443_kb $(rss "$W" -r "$F" -Y 'tcp.port == 443' -F pcapng -w /dev/null)"
    echo "rss_bpf80_kb $(rss "$W" -r "$F" -f 'tcp port 80' -w /dev/null)"
    echo "rss_follow0_kb $(rss "$W" -r "$F" -q -z follow,tcp,ascii,0)"
    echo "rss_http400_kb $(rss "$W" -r "$F" -Y 'http.response.code >= 400')"
    echo "rss_httpjson_kb $(rss "$W" http "$F" --json)"
} > "$OUT/rss.txt"

python3 - "$OUT" "$F" "$SMALL" <<'PY'
import json, os, sys
out, big, small = sys.argv[1:4]
def median(name, who):
    # The median, not the mean: one run slowed by the host (page-cache
    # reclaim, a neighbour) should not move the ratio.
    d = json.load(open(os.path.join(out, name + ".json")))
    return next(r["median"] for r in d["results"] if r["command"] == who)
rss = dict(l.split() for l in open(os.path.join(out, "rss.txt")))
print(f"capture: {big} ({os.path.getsize(big)/2**20:.0f} MiB); small: {small} ({os.path.getsize(small)/2**20:.0f} MiB)")
print(f"{'command (median of runs)':<42}{'wirecrab s':>11}{'peer s':>10}{'ratio':>9}")
rows = [("default", "-r F > /dev/null", "tshark"), ("fields", "-T fields -e ip.src -e tcp.srcport -e dns.qry.name", "tshark"), ("quiet", "-q", "cat"),
        ("filter443", "-Y 'tcp.port == 443' -q", "tshark"), ("filterconn", "-Y 'ip.addr == .. && tcp.port == ..' -q", "tshark"),
        ("filterdns", "-Y 'dns.qry.name contains \"bench\"' -q", "tshark"), ("write443", "-Y 'tcp.port == 443' -w out.pcapng", "tshark"),
        ("bpf80", "-f 'tcp port 80' -w out.pcap", "tcpdump"), ("convtcp", "-q -z conv,tcp", "tshark"),
        ("follow0", "-q -z follow,tcp,ascii,0", "tshark"), ("http400", "-Y 'http.response.code >= 400' (tshark -2 -R)", "tshark"),
        ("httpjson", "http F --json (tshark -Y http.request -T fields)", "tshark")]
for name, label, peer in rows:
    if not os.path.exists(os.path.join(out, name + ".json")):
        continue
    w, p = median(name, "wirecrab"), median(name, "peer")
    if peer == "cat":
        print(f"{label:<42}{w:>11.3f}{p:>10.3f}   wirecrab takes {w/p:.2f}x the time of cat")
    else:
        print(f"{label:<42}{w:>11.3f}{p:>10.3f}{p/w:>8.1f}x faster than {peer}")
print("peak RSS MiB: " + ", ".join(f"{k[4:-3]} {int(v)/1024:.1f}" for k, v in rss.items()))
PY

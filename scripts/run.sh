#!/usr/bin/env bash
# The main job: build wirecrab and read the bundled sample capture the way an
# SRE would read a capture from behind a load balancer.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release --quiet
W=target/release/wirecrab
S=samples/alb-story.pcapng
echo "== every frame, one line each (like tshark -r)"
$W -r "$S"
echo
echo "== wall-clock time, addresses and ports of every TCP SYN (like tshark -t ad -T fields)"
$W -r "$S" -t ad -T fields -E header=y -e _ws.col.Time -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.stream -e tcp.flags | awk -F'\t' 'NR==1 || $7=="0x0002"'
echo
echo "== every HTTP request: real client, status, handshake RTT, time to first and last byte (wirecrab http)"
$W http "$S" --utc
echo
echo "== HTTP messages by status and method (like tshark -z http,tree)"
$W -r "$S" -q -z http,tree

#!/usr/bin/env bash
# Regenerates the tshark 4.0 report goldens used by docs/research/z-reports.md and the -z tests:
#   goldens/<dir>/<capture>.conv-tcp.txt          tshark -n -r CAP -q -z conv,tcp
#   goldens/<dir>/<capture>.follow-tcp-ascii-0.txt tshark -n -r CAP -q -z follow,tcp,ascii,0
#   goldens/<dir>/<capture>.http-tree.txt         tshark -n -r CAP -q -z http,tree
#   and likewise follow-tcp-hex-1, follow-udp-raw-0, follow-http-ascii-0, follow-http-yaml-1,
#   http-req-tree, io-stat-1 (io,stat,1), expert (see SPECS below)
# for every capture in $CAPTURES/{http,tcp,ip}.  stdout only (tshark's "Running as
# user root" warning goes to stderr and is dropped); exit codes in goldens/STATUS.tsv.
# Generated with TShark (Wireshark) 4.0.17 (Debian 4.0.17-0+deb12u3).
# Environment pinned: TZ=UTC, LC_ALL=C (format_size() thousands grouping is locale
# dependent), no Wireshark profile (HOME pointed at an empty directory).
# -n makes no difference for these three reports (ports/IPs are never resolved by
# default) but is kept so that the goldens never depend on a resolver.
set -u
CAPTURES=${CAPTURES:-$(cd "$(dirname "$0")/../.." && pwd)/shared/captures}
OUT=${OUT:-$(cd "$(dirname "$0")/.." && pwd)/compat/report-goldens}
export TZ=UTC LC_ALL=C
EMPTY_HOME=$(mktemp -d); export HOME=$EMPTY_HOME
trap 'rm -rf "$EMPTY_HOME"' EXIT
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)   # absolute, before the cd below
: > "$OUT/STATUS.tsv"
SPECS=("conv-tcp:conv,tcp" "follow-tcp-ascii-0:follow,tcp,ascii,0" "http-tree:http,tree"
       "follow-tcp-hex-1:follow,tcp,hex,1" "follow-udp-raw-0:follow,udp,raw,0" "follow-http-ascii-0:follow,http,ascii,0"
       "follow-http-yaml-1:follow,http,yaml,1" "http-req-tree:http_req,tree" "io-stat-1:io,stat,1" "expert:expert")
cd "$CAPTURES" || exit 1          # command lines below are relative to the captures root
for dir in http tcp ip; do
  mkdir -p "$OUT/$dir"
  for cap in "$dir"/*; do
    [ -f "$cap" ] || continue
    base=$(basename "$cap")
    for spec in "${SPECS[@]}"; do
      name=${spec%%:*}; z=${spec#*:}
      out="$OUT/$dir/$base.$name.txt"
      tshark -n -r "$cap" -q -z "$z" > "$out" 2>/dev/null
      rc=$?
      # A capture spanning days gives an io,stat,1 table of megabytes: not worth a golden.
      if [ "$(stat -c %s "$out")" -gt 262144 ]; then rm -f "$out"; continue; fi
      printf '%s\t%s\tTZ=UTC LC_ALL=C tshark -n -r %s -q -z %s\n' "$dir/$base.$name.txt" "$rc" "$cap" "$z" >> "$OUT/STATUS.tsv"
    done
  done
done

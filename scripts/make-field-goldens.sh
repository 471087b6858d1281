#!/usr/bin/env bash
# Regenerate compat/field-goldens/: tshark's values for many fields beyond the
# harness's standard columns, for every capture under CAPTURES_ROOT (default
# ../shared/captures). Needs tshark (4.0, as the reference outputs). Run once
# when the field list or the corpus changes; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="${1:-$(cd .. && pwd)/shared/captures}"
OUT=compat/field-goldens
FIELDS=$(grep -v '^#' compat/field-goldens.fields | tr '\n' ' ')
args=(); for f in $FIELDS; do args+=(-e "$f"); done
rm -f "$OUT"/*.tsv.gz
(cd "$ROOT" && find . -path ./expected -prune -o -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.gz' \) -print | sort) |
while read -r f; do
    name=$(echo "${f#./}" | tr '/' '_')
    (cd "$ROOT" && tshark -r "$f" -T fields -E header=y "${args[@]}" 2>/dev/null || true) | gzip -9n > "$OUT/$name.tsv.gz"
    echo "${f#./}	$name.tsv.gz" 
done > "$OUT/INDEX.tsv"
tshark --version 2>/dev/null | head -1 | sed "s/Running as.*//" > "$OUT/VERSION"

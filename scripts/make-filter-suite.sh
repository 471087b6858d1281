#!/usr/bin/env bash
# Regenerate compat/filters/expected.tsv: for each line of
# compat/filters/expressions.tsv (capture, filter[, tshark-4.0 equivalent, reason]),
# the frame numbers tshark 4.0 matches, or ERROR when tshark rejects the filter.
# Needs tshark; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
# The suite pins a non-UTC zone so frame.time literals are checked as local time, the
# users' zone (tshark reads a time literal without a zone designator as local time).
export TZ=Asia/Tokyo
ROOT="${1:-$(cd .. && pwd)/shared/captures}"
grep -v '^#' compat/filters/expressions.tsv | grep -v '^$' | while IFS=$'\t' read -r cap filter equiv reason; do
    run="${equiv:-$filter}"
    if out=$(cd "$ROOT" && tshark -r "$cap" -Y "$run" -T fields -e frame.number 2>/dev/null); then
        result="$(echo "$out" | paste -sd, -)"
    else
        result=ERROR
    fi
    printf '%s\t%s\t%s\t%s\n' "$cap" "$filter" "$result" "${reason:-}"
done > compat/filters/expected.tsv

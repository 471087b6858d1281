#!/usr/bin/env bash
# Run every cargo-fuzz target for SECONDS each (default 600), one after the other.
# Crashers land in fuzz/artifacts/TARGET/; copy them to fuzz/regressions/TARGET/
# and they are replayed by `cargo test` (crates/cli/tests/fuzz_regressions.rs).
#   bash scripts/fuzz.sh 600
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
SECONDS_EACH="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for t in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$t"
    echo "== $t for ${SECONDS_EACH}s"
    cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536
done

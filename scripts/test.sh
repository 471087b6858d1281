#!/usr/bin/env bash
# Runs every test: unit and integration tests (cargo), then the differential
# harness against tshark's reference outputs in ../shared/captures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
CAPTURES="${WIRECRAB_CAPTURES:-$(cd .. && pwd)/shared/captures}"
export WIRECRAB_CAPTURES="$CAPTURES"
cargo build --release --locked
cargo test --release --locked --workspace
# The no-panic properties once more with overflow checks on (debug profile),
# which the optimised build does not have.
cargo test --locked -p wirecrab-dissect --test no_panic
python3 scripts/compat.py "$CAPTURES" --bin target/release/wirecrab
python3 scripts/fieldcheck.py "$CAPTURES" --bin target/release/wirecrab
python3 scripts/filtercheck.py "$CAPTURES" --bin target/release/wirecrab
python3 scripts/requestscheck.py "$CAPTURES/../bench/samples/http/http.pcap" "$CAPTURES/../bench/samples/http/requests.log" target/release/wirecrab

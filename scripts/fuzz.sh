#!/usr/bin/env bash
# The long fuzz run: the property tests of core/src/fuzz.rs (the form and JSON decoders,
# the search query parser, every handler and path) with many more cases than `cargo
# test` runs, in the release profile. Bounded: PROPTEST_CASES cases per property
# (default 100,000; the handler properties a quarter of that) and FUZZ_TIMEOUT seconds
# in all (default 1800). A failure prints the shrunk input: keep it in fuzz.rs's
# `regressions` module as a plain test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
export PROPTEST_CASES="${PROPTEST_CASES:-100000}"
started=$(date +%s)
echo "== fuzz: $PROPTEST_CASES cases per decoder property, $((PROPTEST_CASES / 4)) per handler property"
timeout "${FUZZ_TIMEOUT:-1800}" cargo test -p api-core --release --quiet fuzz -- --test-threads=2
echo "== fuzz done in $(( $(date +%s) - started )) s"

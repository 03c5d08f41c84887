#!/usr/bin/env bash
# Sets everything up, then runs every check: formatting and lints, the native unit
# tests of the pure modules, and the end-to-end suite against the built worker in
# workerd (Miniflare) over real HTTP on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test (native unit tests)"
cargo test --workspace --quiet
echo "== build the release worker"
bash scripts/build.sh
echo "== end-to-end tests (node --test)"
node --test --test-concurrency=2 tests/

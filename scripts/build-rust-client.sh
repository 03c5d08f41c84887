#!/usr/bin/env bash
# Builds clients/async-stripe, the async-stripe client check that tests/rust-sdk.test.mjs
# runs: natively, in its own workspace and target dir (not the wasm). `cargo fmt --check`,
# then one `cargo build --locked` with clippy-driver as this crate's compiler, which lints
# while it builds (the crate's Cargo.toml denies every warning, rustc's and clippy's): a
# separate `cargo clippy` would check every dependency a second time. Cold, the build takes
# minutes (async-stripe's generated types); warm, it is a no-op. scripts/test.sh runs it
# before the end-to-end suite; the test file runs it again (a no-op) so it works alone.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
manifest=clients/async-stripe/Cargo.toml
driver=$(command -v clippy-driver) || {
  echo "clippy-driver not found: rustup component add clippy" >&2
  exit 1
}
cargo fmt --check --manifest-path "$manifest"
RUSTC_WORKSPACE_WRAPPER="$driver" cargo build --locked --quiet --manifest-path "$manifest"

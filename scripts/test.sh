#!/usr/bin/env bash
# Sets everything up, then runs every check: formatting and lints, the native unit
# tests of the pure modules, the dev build `npm run dev` serves (into build-dev/), the
# release build, the bundle checks of both deploy environments, the stripe-python
# suite, the build of the async-stripe client check
# (clients/async-stripe, linted as it builds), and last the end-to-end node suite against
# the built worker in workerd (Miniflare) over real HTTP on 127.0.0.1. The node test
# runner stays last: CI reads its closing summary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
# Miniflare's temp directories go to one of this run's own, removed at its end.
source scripts/run-tmp.sh
run_tmp_dir test

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The bench's build (feature `bench`, src/bench_bulk.rs and the account's bulk path) too.
cargo clippy --workspace --lib --features edge-customers/bench --quiet -- -D warnings
# Code that serves requests (the libraries, tests aside) has no unwrap() or expect(): a
# request must not be able to reach a panic. The compiler checks it; scripts/panic-audit.mjs
# (tests/no-panics.test.mjs) also lists the indexing that could panic, for review.
cargo clippy --workspace --lib --quiet -- -D warnings -D clippy::unwrap_used -D clippy::expect_used
echo "== cargo test (native unit tests)"
cargo test --workspace --quiet
echo "== the dev build of npm run dev (into build-dev/: its glue differs from a release build's)"
EDGE_BUILD_MODE=dev EDGE_BUILD_DIR=build-dev bash scripts/build.sh
echo "== build the release worker"
EDGE_BUILD_MODE=release bash scripts/build.sh
echo "== the wasm's budget: 350 KB gzipped"
node scripts/wasm-budget.mjs build/index_bg.wasm
echo "== build the bench's worker (build-bench/: the bench-only paths, for their test)"
bash scripts/build.sh --bench
echo "== bundle check: wrangler deploy --dry-run, production and --env preview"
for env in production preview; do
  out=build/dry-run/$env
  rm -rf "$out"
  # --env= is the top level (production), named so wrangler need not warn about it.
  if [ "$env" = production ]; then target=--env=; else target=--env=$env; fi
  args=(deploy --dry-run --outdir "$out" "$target")
  # wrangler's [build] runs scripts/build.sh again, which finds build/ up to date.
  EDGE_BUILD_MODE=release node_modules/.bin/wrangler "${args[@]}"
done
node scripts/bundle-size.mjs build/dry-run/production build/dry-run/preview
echo "== stripe-python suite (tests/python)"
node tests/python/run.mjs
echo "== the async-stripe client check (clients/async-stripe: fmt, clippy, build)"
bash scripts/build-rust-client.sh
echo "== end-to-end tests (node --test)"
node --test --test-concurrency=2 tests/

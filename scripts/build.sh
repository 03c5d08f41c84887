#!/usr/bin/env bash
# Builds the worker (wasm plus the JS shim) into build/. Three modes:
#   release (default): `worker-build --release`: cargo's release profile (LTO, opt-level z)
#     and `wasm-opt -Os --converge` (Cargo.toml's wasm-pack metadata). `npm run build`,
#     `npm test`, deploys, and wrangler's [build] command, which `wrangler deploy` runs.
#   dev (`--dev`, EDGE_BUILD_MODE=dev, or run by `wrangler dev`, which sets
#     WRANGLER_COMMAND=dev for its [build] command): `worker-build --dev --no-opt`: cargo's
#     incremental dev profile without debug info, and no wasm-opt. Seconds after editing
#     one file; a larger, slower wasm, fine for local work.
#   bench (`--bench`): the release build with cargo's feature `bench` (the bench's own
#     paths, src/bench_bulk.rs) into build-bench/, for bench/scale.mjs, bench/billing.mjs
#     and the test of those paths. Never deployed; build/ is left as it is.
# EDGE_BUILD_MODE=release|dev overrides that choice, except under `wrangler deploy` (or any
# wrangler command but dev), which always gets the release build.
# Every mode's bundle entry is then rewritten by scripts/fast-shim.mjs (Durable
# Object RPC, no allocation per call); a release or bench wasm then loses its function
# names (scripts/strip-names.mjs).
# Each mode is skipped when nothing it depends on changed since the last build
# (scripts/build-inputs.mjs hashes src/, core/, the Cargo files, the lock file, this script
# and the tool versions). A dev build is also satisfied by a release build of the same inputs.
# FORCE_BUILD=1 builds regardless.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

if [ -n "${WRANGLER_COMMAND:-}" ] && [ "$WRANGLER_COMMAND" != dev ]; then
  mode=release # wrangler deploy, versions upload, …: always the full release build
elif [ -n "${EDGE_BUILD_MODE:-}" ]; then mode=$EDGE_BUILD_MODE
elif [ "${WRANGLER_COMMAND:-}" = dev ]; then mode=dev
else mode=release
fi
for arg in "$@"; do
  case "$arg" in
    --dev) mode=dev ;;
    --release) mode=release ;;
    --bench) mode=bench ;;
    *) echo "usage: scripts/build.sh [--dev|--release|--bench]" >&2; exit 2 ;;
  esac
done
case "$mode" in dev|release|bench) ;; *) echo "EDGE_BUILD_MODE must be dev, release or bench, not '$mode'" >&2; exit 2 ;; esac
out=build
[ "$mode" = bench ] && out=build-bench
# EDGE_BUILD_DIR puts a dev build elsewhere (scripts/test.sh builds one into build-dev/, to
# check that `npm run dev`'s build still goes through scripts/fast-shim.mjs).
[ "$mode" = dev ] && out=${EDGE_BUILD_DIR:-build}

say() { printf '[build] %s\n' "$*"; }
tool_versions="$(worker-build --version 2>/dev/null || true) | $(wasm-bindgen --version 2>/dev/null || true) | $(rustc -V 2>/dev/null || true)"
inputs=$(node scripts/build-inputs.mjs "$tool_versions")
stamp=$out/.build-stamp

if [ "${FORCE_BUILD:-}" != 1 ] && [ -f "$out/index.js" ] && [ -f "$stamp" ]; then
  read -r built_mode built_inputs < "$stamp" || true
  if [ "${built_inputs:-}" = "$inputs" ] && { [ "$built_mode" = "$mode" ] || [ "$built_mode" = release ]; }; then
    say "$out/ is up to date ($built_mode build of these sources); skipping"
    exit 0
  fi
fi

started=$(date +%s)
rm -f "$stamp"
if [ "$mode" = release ]; then
  say "release build (cargo --release, wasm-opt -Os)"
  NO_MINIFY=1 worker-build --release
elif [ "$mode" = bench ]; then
  say "bench build (the release build with the feature bench, into build-bench/)"
  NO_MINIFY=1 worker-build --release --out-dir build-bench --features bench
else
  say "dev build (cargo dev profile, no wasm-opt)"
  NO_MINIFY=1 CARGO_PROFILE_DEV_DEBUG=0 worker-build --dev --no-opt --out-dir "$out"
fi
# worker-build's JS entry, rewritten: no Proxy per call, and the Durable Objects' RPC
# method the Worker calls them through (see the script's header).
node scripts/fast-shim.mjs "$out/index.js"
# A release wasm without its function names (see the script's header).
if [ "$mode" != dev ]; then
  node scripts/strip-names.mjs "$out/index_bg.wasm"
fi
mkdir -p "$out"
echo "$mode $inputs" > "$stamp"
say "$mode build done in $(( $(date +%s) - started )) s"

#!/usr/bin/env bash
# Builds the release worker (wasm with wasm-opt, plus the JS shim) into build/.
# Also wrangler's [build] command, so `wrangler dev` and `wrangler deploy` use it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
worker-build --release

#!/usr/bin/env bash
# Sets everything up and serves the API on http://127.0.0.1:8787 under `wrangler dev`,
# with KV and Durable Object state persisted under .wrangler/state. Sandbox keys are on:
# any well-formed sk_test_ key is its own account, and the dashboard is on at /dashboard.
# Rate limits are off unless RATE_LIMITS is set in the environment (RATE_LIMITS=on npm run dev).
# wrangler runs the [build] command (scripts/build.sh) with WRANGLER_COMMAND=dev, which
# makes the fast dev build (no wasm-opt) or skips it when nothing changed, and again on
# every change under src/, core/ or the Cargo files while the server runs.
# EDGE_BUILD_MODE=release serves the release build instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
exec node_modules/.bin/wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" \
  --persist-to .wrangler/state --var SANDBOX_KEYS:true --var DASHBOARD:true \
  --var "RATE_LIMITS:${RATE_LIMITS:-off}" "$@"

#!/usr/bin/env bash
# Sets everything up and serves the API on http://127.0.0.1:8787 under `wrangler dev`,
# with KV and Durable Object state persisted under .wrangler/state. Sandbox keys are on:
# any well-formed sk_test_ key is its own account.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
exec npx wrangler dev --ip 127.0.0.1 --port "${PORT:-8787}" \
  --persist-to .wrangler/state --var SANDBOX_KEYS:true "$@"

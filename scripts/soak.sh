#!/usr/bin/env bash
# `npm run soak` (not part of `npm test`): builds the release worker (unless
# SOAK_SKIP_BUILD=1 and build/ exists), then runs bench/soak.mjs: SOAK_MINUTES (20) of
# mixed traffic with injected faults against our worker in workerd through Miniflare,
# checking memory, 5xx, webhook delivery and lost writes. Writes bench/soak-results.json;
# exits non-zero when a check fails. 127.0.0.1 only. See bench/README.md ("Soak").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${SOAK_SKIP_BUILD:-}" != 1 ] || [ ! -f build/index.js ]; then
  printf '[soak] building the release worker\n'
  bash scripts/build.sh
fi
source scripts/env.sh
source scripts/run-tmp.sh
run_tmp_dir soak
node bench/soak.mjs

#!/usr/bin/env bash
# `npm run bench`: our worker side by side with localstripe, stripe-stateful-mock and the
# runtime's own ceiling, on 127.0.0.1 only. Installs its peers (wrk from Debian's packages,
# localstripe from PyPI into bench/.venv, stripe-stateful-mock from npm into
# bench/peers/node_modules, pinned by bench/peers/package-lock.json), builds the release
# worker, then runs bench/run.mjs, which writes bench/results.json, bench/results.md and
# bench/plot.svg and prints the table, bench/billing.mjs (test clock advances and a
# real-time renewal's cost, merged into results.json and results.md as `billing`), and
# bench/scale.mjs (bench/scale-results.json, bench/scale.svg).
# Budget: 15 minutes of benchmarking, counted from the end of setup and build (those take
# about 2.5 minutes on a fresh clone, whose Rust build is not cached yet, and seconds
# after); bench/run.mjs seeds as far as the time left allows and says which store sizes
# it reached. Working state and logs go to bench/work/ (gitignored). BENCH_SKIP_BUILD=1
# reuses build/ and build-bench/ as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
setup_started=$(date +%s)
LOCALSTRIPE_VERSION=1.15.10

say() { printf '[bench] %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

bash scripts/setup.sh
if [ "${BENCH_SKIP_BUILD:-}" != 1 ] || [ ! -f build/index.js ] || [ ! -f build-bench/index.js ]; then
  say "building the release worker, and the bench's (build-bench/: the bench-only paths)"
  bash scripts/build.sh
  bash scripts/build.sh --bench
fi
source scripts/env.sh

if ! command -v wrk >/dev/null 2>&1; then
  say "installing wrk (Debian package)"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null; then
    as_root apt-get update -q >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null
  fi
fi

venv=bench/.venv
if [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("localstripe"))' 2>/dev/null)" != "$LOCALSTRIPE_VERSION" ]; then
  say "installing localstripe $LOCALSTRIPE_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "localstripe==$LOCALSTRIPE_VERSION"
fi

# stripe-stateful-mock: the exact version pinned in bench/peers/package.json, from its lock.
mock_want=$(node -p "require('./bench/peers/package.json').dependencies['stripe-stateful-mock']")
mock_have=$(node -p "require('./bench/peers/node_modules/stripe-stateful-mock/package.json').version" 2>/dev/null || true)
if [ "$mock_have" != "$mock_want" ]; then
  say "installing stripe-stateful-mock $mock_want into bench/peers/node_modules (npm ci)"
  npm ci --prefix bench/peers --no-audit --no-fund --loglevel=error
fi

# Directories of killed Miniflare runs left in the temp dir: on ext4 without a journal
# (this project's machines) they crowd the block groups the runtime's files go to, and
# making files there costs more for one system than another (bench/README.md, "Reading
# the numbers", "The disk"). Said, not removed: they may not be ours. The bench's own
# Miniflare directories go to a directory of this run's (scripts/run-tmp.sh).
stale=$( (find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'miniflare-*' -mmin +60 2>/dev/null || true) | wc -l)
if [ "$stale" -gt 0 ]; then
  say "note: $stale Miniflare directories older than an hour in ${TMPDIR:-/tmp}; remove those of runs that ended before measuring (bench/README.md, \"The disk\")"
fi
source scripts/run-tmp.sh
run_tmp_dir bench

# The 15 minutes start here: a build is not part of the benchmark, and the first one on a
# fresh clone (about 150 s) would otherwise take the second size's seeding.
export BENCH_SETUP_S=$(( $(date +%s) - setup_started ))
export BENCH_STARTED_AT="${BENCH_STARTED_AT:-$(date +%s)}"
say "setup and build took $BENCH_SETUP_S s (not counted in the 15 minutes); running the benchmark"
# The 15 minutes are shared: bench/run.mjs (the peers, the floor, the ceiling, the write
# ceiling) at the sizes it can seed through the API, then bench/scale.mjs (one account
# grown to 1,000,000 indexed customers by the bench-only bulk path) in the last
# BENCH_SCALE_SECONDS. Every size either reports is a size it reached. bench/billing.mjs
# (its own worker, with the bench-only paths on) gets BENCH_BILLING_SECONDS before that.
scale_s=${BENCH_SCALE_SECONDS:-280}
if [ "${BENCH_SKIP_SCALE:-}" = 1 ]; then scale_s=0; fi
billing_s=${BENCH_BILLING_SECONDS:-60}
if [ "${BENCH_SKIP_BILLING:-}" = 1 ]; then billing_s=0; fi
export BENCH_SIZES="${BENCH_SIZES:-1000,10000}"
export BENCH_WRITE_CEILING="${BENCH_WRITE_CEILING:-1}"
export BENCH_BUDGET="${BENCH_BUDGET:-$(( 15 * 60 - 45 - scale_s - billing_s - ($(date +%s) - BENCH_STARTED_AT) ))}"
node bench/run.mjs
if [ "$billing_s" -gt 0 ]; then
  say "billing: $(( $(date +%s) - BENCH_STARTED_AT )) s in; bench/billing.mjs"
  # Its measuring gets the budget less its worker's start and stop (about 10 s).
  BENCH_BILLING_SECONDS=$(( billing_s - 10 )) node bench/billing.mjs
fi
if [ "$scale_s" -gt 0 ]; then
  say "scale: $(( $(date +%s) - BENCH_STARTED_AT )) s in; bench/scale.mjs"
  node bench/scale.mjs --objects "${BENCH_SCALE_OBJECTS:-5000}" --tail-seconds "${BENCH_TAIL_SECONDS:-4}"
fi
say "done in $(( $(date +%s) - BENCH_STARTED_AT )) s"

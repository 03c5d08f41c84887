#!/usr/bin/env bash
# Installs whatever the build, the dev server and the tests need, and nothing twice:
# the wasm32 target, the pinned worker-build and wasm-bindgen-cli (matching Cargo.lock),
# the npm packages of package-lock.json, the Python venv (.venv/) with the pinned
# stripe-python of tests/python/requirements.txt, and Chromium for the dashboard's browser
# test (the OS's package, with apt-get, when root or passwordless sudo allows; otherwise
# it says how, and that test is skipped). Idempotent; seconds when all is present.
# Works on Linux and macOS, x64 and arm64.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

WORKER_BUILD_VERSION=0.8.7
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '[setup] %s\n' "$*"; }
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi | cut -d' ' -f1; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

version_of() { "$1" --version 2>/dev/null | awk '{ print $NF }'; }

# cargo install compiles from source: on the first run only, these two steps take about
# 12 minutes together (2 cores); cargo prints each crate as it compiles it.
cargo_install() {
  local crate=$1 version=$2 started
  started=$(date +%s)
  say "installing $crate $version (cargo install, from source): first run only; worker-build and"
  say "wasm-bindgen-cli take about 12 minutes together on 2 cores. cargo's progress follows."
  cargo install "$crate" --version "$version" --locked
  say "$crate $version installed in $(( $(date +%s) - started )) s"
}

if [ "$(version_of worker-build)" != "$WORKER_BUILD_VERSION" ]; then
  cargo_install worker-build "$WORKER_BUILD_VERSION"
fi

if [ "$(version_of wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  cargo_install wasm-bindgen-cli "$WASM_BINDGEN_VERSION"
fi

# npm ci wipes node_modules, so run it only when the lock file changed since the last run.
lock_hash=$(sha256 package-lock.json)
stamp=node_modules/.setup-lock-hash
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi

# stripe-python for tests/python, in a venv of its own, reinstalled when the pins change.
venv=.venv
requirements=tests/python/requirements.txt
req_hash=$(sha256 "$requirements")
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements-hash" 2>/dev/null)" != "$req_hash" ]; then
  python=$(command -v python3 || command -v python || true)
  if [ -z "$python" ]; then
    say "Python 3 is needed for the stripe-python suite (tests/python): install python3 (with venv)"
    exit 1
  fi
  say "creating $venv with $("$python" --version 2>&1) and installing $requirements"
  rm -rf "$venv"
  if ! "$python" -m venv "$venv"; then
    say "'$python -m venv' failed: on Debian and Ubuntu, install the python3-venv package"
    exit 1
  fi
  "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar off -q -r "$requirements"
  echo "$req_hash" > "$venv/.requirements-hash"
fi
# Chromium for tests/dashboard.test.mjs (driven by playwright-core, which cannot download
# a browser here): Debian's/Ubuntu's `chromium` package. CHROMIUM_BIN names another one.
have_chromium() {
  for c in "${CHROMIUM_BIN:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
    [ -n "$c" ] && [ -x "$c" ] && return 0
  done
  return 1
}
if ! have_chromium; then
  if [ "$(id -u)" = 0 ]; then as_root=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=sudo
  else as_root=none
  fi
  if command -v apt-get >/dev/null 2>&1 && [ "$as_root" != none ]; then
    say "installing Chromium for the dashboard's browser test (apt-get install chromium)"
    export DEBIAN_FRONTEND=noninteractive
    # The package lists may be missing or stale on a fresh machine: update once, then retry.
    if ! $as_root apt-get install -y -q chromium; then
      $as_root apt-get update -q
      $as_root apt-get install -y -q chromium
    fi
  else
    say "Chromium is missing, so the dashboard's browser test will be skipped. To run it:"
    say "  sudo apt-get install chromium   (Debian/Ubuntu), or set CHROMIUM_BIN=/path/to/chromium"
  fi
fi
say "ready"

# Sourced by the other scripts: points worker-build at the pinned local tools (its own
# downloads cannot reach their hosts here) and keeps wrangler and the SDK offline.
export PATH="$HOME/.cargo/bin:$PATH"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || true)}"
export ESBUILD_BIN="$root/node_modules/@esbuild/linux-x64/bin/esbuild"
export WASM_OPT_BIN="$root/node_modules/binaryen/bin/wasm-opt"
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_SEND_METRICS=false

# Sourced by the other scripts: points worker-build at the pinned local tools (its own
# downloads cannot reach their hosts here) and keeps wrangler and the SDK offline.
# Nothing here is tied to one platform: the esbuild binary is the one npm installed for
# this OS and CPU, and binaryen's wasm-opt from npm is JS and wasm (runs wherever node does).
export PATH="$HOME/.cargo/bin:$PATH"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WASM_BINDGEN_BIN="${WASM_BINDGEN_BIN:-$(command -v wasm-bindgen || true)}"
if [ -z "${ESBUILD_BIN:-}" ]; then
  # @esbuild/<platform>-<arch> is the optional dependency npm picked for this machine
  # (linux-x64, linux-arm64, darwin-arm64, …); esbuild's own bin/esbuild is the fallback.
  ESBUILD_BIN="$(cd "$root" && node -e '
    const pkg = `@esbuild/${process.platform}-${process.arch}`;
    const bin = process.platform === "win32" ? "esbuild.exe" : "bin/esbuild";
    let found;
    try { found = require.resolve(`${pkg}/${bin}`); } catch { found = require.resolve("esbuild/bin/esbuild"); }
    console.log(found);
  ' 2>/dev/null || echo "$root/node_modules/esbuild/bin/esbuild")"
  export ESBUILD_BIN
fi
export WASM_OPT_BIN="${WASM_OPT_BIN:-$root/node_modules/binaryen/bin/wasm-opt}"
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_SEND_METRICS=false

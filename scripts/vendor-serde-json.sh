#!/usr/bin/env bash
# Re-creates vendor/serde_json from cargo's registry copy of serde_json <version> and
# applies vendor/serde_json.patch (why: vendor/README.md). Usage:
#   bash scripts/vendor-serde-json.sh 1.0.154
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/vendor-serde-json.sh <serde_json version>}
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/serde_json-"$version" 2>/dev/null | head -1)
[ -n "$src" ] || { echo "serde_json $version is not in cargo's registry cache" >&2; exit 1; }
rm -rf vendor/serde_json
mkdir -p vendor/serde_json
cp -r "$src"/src "$src"/build.rs "$src"/Cargo.toml "$src"/LICENSE-MIT "$src"/LICENSE-APACHE "$src"/README.md vendor/serde_json/
# The copy has no tests: drop their targets and dev-dependencies from the manifest.
python3 - vendor/serde_json/Cargo.toml <<'PY'
import re, sys
path = sys.argv[1]
blocks = re.split(r'\n(?=\[)', open(path).read())
keep = [b for b in blocks if not (b.startswith('[[test]]') or b.startswith('[dev-dependencies'))]
open(path, 'w').write('\n'.join(keep))
PY
patch -d vendor/serde_json -p1 < vendor/serde_json.patch
echo "vendor/serde_json: serde_json $version, patched"

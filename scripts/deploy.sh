#!/usr/bin/env bash
# `npm run deploy` (production) and `npm run deploy:preview` (`--env preview`): sets up,
# refuses to deploy while wrangler.toml still has the placeholder KV namespace id of that
# environment, then runs `wrangler deploy`, whose [build] command makes the release build
# (wasm-opt included). Extra arguments go to wrangler (e.g. --dry-run --outdir DIR).
# Needs a Cloudflare login (`npx wrangler login`, or CLOUDFLARE_API_TOKEN). README: Deploy.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh

env_name=""
dry_run=false
prev=""
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=true ;;
    --env=*) env_name=${arg#--env=} ;;
  esac
  case "$prev" in --env|-e) env_name=$arg ;; esac
  prev=$arg
done

# No --env: the top level, that is production, said explicitly (wrangler warns otherwise).
env_given=false
for arg in "$@"; do case "$arg" in --env|-e|--env=*) env_given=true ;; esac; done
[ "$env_given" = true ] || set -- --env= "$@"

if [ "$dry_run" = false ]; then
  kv_id=$(node -e '
    const { unstable_readConfig } = require("wrangler");
    const config = unstable_readConfig({ config: "wrangler.toml", env: process.argv[1] || undefined });
    console.log((config.kv_namespaces.find((ns) => ns.binding === "CUSTOMERS") || {}).id || "");
  ' "$env_name")
  if [ -z "$kv_id" ] || [[ "$kv_id" =~ ^0+1?$ ]]; then
    echo "[deploy] wrangler.toml has no real KV namespace id for CUSTOMERS${env_name:+ in env.$env_name} (it is '$kv_id')." >&2
    echo "[deploy] Create one with \`npx wrangler kv namespace create CUSTOMERS${env_name:+ --env $env_name}\` and put its id there: README, Deploy." >&2
    exit 1
  fi
fi

exec node_modules/.bin/wrangler deploy "$@"

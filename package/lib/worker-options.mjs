// The Miniflare options that run the built worker as wrangler.toml declares it: the wasm
// and JS entry of <root>/build, KV, both Durable Objects on SQLite, and public/ behind the
// ASSETS binding. Shared by `edge-customers serve` and the repository's tests.
import path from 'node:path';

/**
 * wrangler.toml's `[assets]` as Miniflare takes them: <root>/public behind the ASSETS
 * binding, every request to the Worker first (`run_worker_first = true`), which serves
 * /dashboard/* from it only when the DASHBOARD var is "true".
 */
export function assetsOf(root) {
  return {
    directory: path.join(root, 'public'),
    binding: 'ASSETS',
    routerConfig: { has_user_worker: true, invoke_user_worker_ahead_of_assets: true },
    assetConfig: { html_handling: 'auto-trailing-slash', not_found_handling: 'none' },
  };
}

/**
 * Options for `new Miniflare()`: the worker of `<root>/build` on host:port (port 0: a
 * free one), its state under `persist` (a directory) or in memory, with `vars` as its
 * vars and, with `assets`, the dashboard's files. `build` names another build directory
 * (the bench's `build-bench`).
 */
export function workerOptionsAt(root, { host = '127.0.0.1', port = 0, vars = {}, persist, assets = false, build = 'build' } = {}) {
  const state = persist ? { kvPersist: path.join(persist, 'kv'), durableObjectsPersist: path.join(persist, 'do') } : {};
  return {
    host,
    port,
    ...state,
    workers: [
      {
        name: 'edge-customers',
        scriptPath: path.join(root, build, 'index.js'),
        modules: true,
        modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'], fallthrough: true }],
        compatibilityDate: '2026-04-01',
        kvNamespaces: ['CUSTOMERS'],
        durableObjects: {
          CUSTOMER_OBJECT: { className: 'CustomerObject', useSQLite: true },
          ACCOUNT_OBJECT: { className: 'AccountObject', useSQLite: true },
        },
        bindings: { SANDBOX_KEYS: 'true', READ_CONSISTENCY: 'strong', ...vars },
        ...(assets ? { assets: assetsOf(root) } : {}),
      },
    ],
  };
}

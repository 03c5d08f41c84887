// What the benchmark's scripts share: the seeded customer's parameters (every system
// holds the same customers), the floor worker's Miniflare options, and the command-line
// flags of the side tools (ab.mjs, profile.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Customer `i` as the form every system is seeded with. Keep in step with
 * customer_params() in localstripe_seed.py. */
export function customerForm(i) {
  return new URLSearchParams({
    name: `Customer ${i}`,
    email: `user${i}@example.com`,
    'metadata[ref]': `r${i}`,
    'metadata[tier]': `t${i % 10}`,
    'address[line1]': `${i} Main Street`,
    'address[city]': 'Springfield',
    'address[postal_code]': String(i % 100000).padStart(5, '0'),
    'address[country]': 'US',
  });
}

/** Miniflare options of the floor worker (floor-worker.mjs), plus `extra`. */
export function floorWorker(compatibilityDate, extra = {}) {
  return {
    name: 'floor',
    modules: true,
    scriptPath: path.join(here, 'floor-worker.mjs'),
    compatibilityDate,
    kvNamespaces: ['FLOOR_KV'],
    durableObjects: {
      FLOOR_CUSTOMER: { className: 'FloorCustomer', useSQLite: true },
      FLOOR_ACCOUNT: { className: 'FloorAccount', useSQLite: true },
    },
    ...extra,
  };
}

/** `--name value` from argv, else `fallback`; `positional()` is the first bare word. */
export function cliFlags(argv = process.argv.slice(2)) {
  const flag = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const positional = () => argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  return { flag, positional, has: (name) => argv.includes(name) };
}

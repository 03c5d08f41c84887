// `edge-customers serve`: runs the packaged worker in workerd through Miniflare on one
// port, with sandbox keys and the dashboard on, its state in a directory (or in memory),
// until Ctrl-C or SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { parseFlags, portFlag, savedKey, STATE_DIR, UsageError } from './cli.mjs';
import { workerOptionsAt } from './worker-options.mjs';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const HELP = `Usage: edge-customers serve [--port 8787] [--host 127.0.0.1] [--persist-to DIR | --in-memory]

Runs the Customers API (the release build of this package) in workerd, the runtime of
Cloudflare Workers, on http://HOST:PORT. Any well-formed sk_test_ key opens its own,
empty sandbox account; the dashboard is at /dashboard/.

  --port N            the port (default 8787; 0 picks a free one)
  --host ADDR         the address to listen on (default 127.0.0.1)
  --persist-to DIR    keep the data (KV and Durable Objects) in DIR (default ${STATE_DIR}/state)
  --in-memory         keep nothing: the data is gone when the server stops
  --var NAME=VALUE    set one of the worker's vars (README, Deploy), e.g. RATE_LIMITS=on;
                      may be repeated
  -h, --help          this help`;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'persist-to': { type: 'string' },
  'in-memory': { type: 'boolean' },
  var: { type: 'string', multiple: true },
};

/** `--var NAME=VALUE` flags as an object. */
function varsOf(list = []) {
  return Object.fromEntries(
    list.map((entry) => {
      const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(entry);
      if (!match) throw new UsageError(`serve: --var takes NAME=VALUE (e.g. RATE_LIMITS=on), not '${entry}'`);
      return [match[1], match[2]];
    }),
  );
}

export async function serve(args) {
  const parsed = parseFlags('serve', args, { flags: FLAGS, help: HELP });
  if (!parsed) return 0;
  const { values } = parsed;
  if (values['in-memory'] && values['persist-to']) throw new UsageError('serve: choose one of --persist-to and --in-memory');
  const port = portFlag(values.port ?? '8787', 'port');
  const host = values.host ?? '127.0.0.1';
  const persist = values['in-memory'] ? undefined : path.resolve(values['persist-to'] ?? path.join(STATE_DIR, 'state'));
  const vars = { DASHBOARD: 'true', RATE_LIMITS: 'off', ...varsOf(values.var) };

  const started = performance.now();
  if (persist) fs.mkdirSync(persist, { recursive: true });
  const mf = new Miniflare(workerOptionsAt(packageRoot, { host, port, persist, vars, assets: true }));
  const url = (await mf.ready).toString().replace(/\/$/, '');
  const key = savedKey();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Listening on ${url} (started in ${seconds} s; data ${persist ? `in ${path.relative(process.cwd(), persist) || '.'}` : 'in memory'})`);
  console.log(`  Try:        curl ${url}/v1/customers -u ${key}: -d name="Jenny Rosen"`);
  console.log(`  Dashboard:  ${url}/dashboard/  (paste the key ${key})`);
  console.log(`  SDKs:       any sk_test_ key is its own account; this one is saved in ${path.join(STATE_DIR, 'api-key')}`);
  console.log('Press Ctrl-C to stop.');

  // Miniflare's own handlers exit at once and leave workerd to die on its own: stop in
  // order instead (dispose waits for workerd to exit, then the process exits 0).
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await mf.dispose();
  console.log('Stopped.');
  return 0;
}

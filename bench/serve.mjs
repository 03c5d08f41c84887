// Runs in its own process (forked by run.mjs) so that the driver can time a cold start
// from process start and read workerd's memory. One Miniflare instance, persisted on
// disk like `wrangler dev` (KV and Durable Object state under BENCH_PERSIST), with
// four workers, each served by workerd on its own 127.0.0.1 port:
//   ours     our build, READ_CONSISTENCY=strong (tests/support/worker.mjs options)
//   edge     the same build with READ_CONSISTENCY=edge, bound to the *same* Durable
//            Object namespaces and KV namespace, so it reads the same data from KV
//   ceiling  ceiling-worker.mjs: a constant JSON customer
//   floor    floor-worker.mjs: the same storage work as ours in plain JS, nothing else
// Config: BENCH_SERVE='{"persist": dir, "ports": {ours, edge, ceiling, floor}, "vars": {…},
// "build": dir}' (vars: extra bindings of ours and edge, e.g. the soak's FAULTS; build: the
// build directory of ours, `build` unless the bench's own `build-bench`; both optional).
// Sends {ready: true, urls} to the parent; stops on 'stop' or when the parent goes.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { workerOptions } from '../tests/support/worker.mjs';
import { floorWorker } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { persist, ports, vars = {}, build } = JSON.parse(process.env.BENCH_SERVE);
const host = '127.0.0.1';

// The bench fills one sandbox account with 50k customers, past the sandbox cap.
const options = workerOptions({ persist, build, vars: { SANDBOX_MAX_CUSTOMERS: '0', ...vars } });
const ours = options.workers[0];
ours.unsafeDirectSockets = [{ host, port: ports.ours }];
const sharedObjects = Object.fromEntries(
  Object.entries(ours.durableObjects).map(([binding, spec]) => [binding, { ...spec, scriptName: ours.name }]),
);
const edge = {
  ...ours,
  name: `${ours.name}-edge`,
  bindings: { ...ours.bindings, READ_CONSISTENCY: 'edge' },
  durableObjects: sharedObjects,
  unsafeDirectSockets: [{ host, port: ports.edge }],
};
const ceiling = {
  name: 'ceiling',
  modules: true,
  scriptPath: path.join(here, 'ceiling-worker.mjs'),
  compatibilityDate: ours.compatibilityDate,
  unsafeDirectSockets: [{ host, port: ports.ceiling }],
};
const floor = floorWorker(ours.compatibilityDate, { unsafeDirectSockets: [{ host, port: ports.floor }] });
options.workers = [ours, edge, ceiling, floor];

const mf = new Miniflare(options);
let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  try {
    await mf.dispose();
  } finally {
    process.exit(code);
  }
}
process.on('message', (m) => m === 'stop' && stop(0));
process.on('disconnect', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
  await mf.ready;
  const urls = {};
  for (const [key, w] of Object.entries({ ours, edge, ceiling, floor })) {
    urls[key] = (await mf.unsafeGetDirectURL(w.name)).toString().replace(/\/$/, '');
  }
  process.send({ ready: true, urls });
} catch (error) {
  console.error(error);
  process.send?.({ ready: false, error: String(error?.stack || error) });
  await stop(1);
}

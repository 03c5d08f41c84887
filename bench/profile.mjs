#!/usr/bin/env node
// Where a request's CPU time goes inside workerd: starts our worker (and the floor
// worker) in Miniflare with the V8 inspector on, samples the isolate's CPU with the
// DevTools Profiler while a bounded loop of requests runs on 127.0.0.1, and prints the
// functions by self time and by total time, grouped into the request's stages.
//
//   node bench/profile.mjs [retrieve|list|list_email|create|update|create_keyed|update_keyed]
//                          [--build DIR] [--n N]
//
// A build with function names makes the wasm frames readable:
//   worker-build --profiling --out-dir prof-build && node bench/profile.mjs --build prof-build
// The profile is also written to bench/work/profile-<workload>.cpuprofile (Chrome
// DevTools opens it).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import WebSocket from 'ws';
import { workerOptions } from '../tests/support/worker.mjs';
import { cliFlags, customerForm, floorWorker } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { flag, positional } = cliFlags();
const workload = positional() || 'retrieve';
const buildDir = path.resolve(root, flag('--build', 'build'));
const N = Number(flag('--n', 3000));
const CONCURRENCY = Number(flag('--c', 1));
const target = flag('--target', 'ours');

const inspectorPort = 9300 + Math.floor(Math.random() * 500);
const options = workerOptions({ vars: { SANDBOX_MAX_CUSTOMERS: '0' } });
options.inspectorPort = inspectorPort;
const ours = options.workers[0];
ours.scriptPath = path.join(buildDir, 'index.js');
ours.unsafeInspectorProxy = true;
ours.unsafeDirectSockets = [{ host: '127.0.0.1', port: 0 }];
options.workers.push(
  floorWorker(ours.compatibilityDate, {
    unsafeInspectorProxy: true,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  }),
);
const mf = new Miniflare(options);
await mf.ready;
const base = (await mf.unsafeGetDirectURL(target === 'floor' ? 'floor' : ours.name)).toString().replace(/\/$/, '');
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const key = `sk_test_${randomBytes(12).toString('hex')}`;

function request(method, url, body, extraHeaders = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}), ...extraHeaders },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// Seed: 50 customers, through the API (ours) or the floor's bulk route.
let ids = [];
if (target === 'floor') {
  const seeded = await request('POST', `${base}/seed?from=0&to=50`);
  ids = JSON.parse(seeded.text).ids;
} else {
  for (let i = 0; i < 50; i++) {
    const created = await request('POST', `${base}/v1/customers`, customerForm(i).toString());
    if (created.status !== 200) throw new Error(`seed: ${created.status} ${created.text}`);
    ids.push(JSON.parse(created.text).id);
  }
}
let counter = 1000;
const next = {
  retrieve: () => request('GET', `${base}/v1/customers/${ids[counter++ % ids.length]}`),
  list: () => request('GET', `${base}/v1/customers?limit=10`),
  list_email: () => request('GET', `${base}/v1/customers?limit=10&email=user${counter++ % 50}@example.com`),
  create: () => request('POST', `${base}/v1/customers`, customerForm(counter++).toString()),
  update: () => request('POST', `${base}/v1/customers/${ids[counter++ % ids.length]}`, `metadata[tier]=t${counter}`),
  create_keyed: () => request('POST', `${base}/v1/customers`, customerForm(counter++).toString(), { 'Idempotency-Key': `profile-${key}-${counter}` }),
  update_keyed: () =>
    request('POST', `${base}/v1/customers/${ids[counter++ % ids.length]}`, `metadata[tier]=t${counter}`, { 'Idempotency-Key': `profile-${key}-${counter}` }),
}[workload];
if (!next) throw new Error(`unknown workload ${workload}`);
// Warm every object and the JIT before sampling.
for (let i = 0; i < 200; i++) await next();

const ws = new WebSocket(`ws://127.0.0.1:${inspectorPort}/${target === 'floor' ? 'floor' : ours.name}`);
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
let nextId = 1;
const pending = new Map();
ws.on('message', (data) => {
  const msg = JSON.parse(data);
  if (msg.id && pending.has(msg.id)) {
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
  }
});
const send = (method, params = {}) =>
  new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });

await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 25 });
await send('Profiler.start');
const started = performance.now();
let done = 0;
const deadline = started + 60_000;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (done < N && performance.now() < deadline) {
      done++;
      const r = await next();
      if (r.status !== 200) throw new Error(`${workload}: ${r.status} ${r.text}`);
    }
  }),
);
const wall = performance.now() - started;
const { result } = await send('Profiler.stop');
const profile = result.profile;
fs.mkdirSync(path.join(here, 'work'), { recursive: true });
fs.writeFileSync(path.join(here, 'work', `profile-${target}-${workload}.cpuprofile`), JSON.stringify(profile));

// Self and total time per function, from the sampled call tree.
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) || 0) + (profile.timeDeltas[i] || 0));
}
const nameOf = (n) => {
  const f = n.callFrame;
  const fn = f.functionName || '(anonymous)';
  const where = f.url ? path.basename(f.url.split('?')[0]) : '';
  return where && !fn.startsWith('(') ? `${fn} [${where}]` : fn;
};
const self = new Map();
const total = new Map();
let sampled = 0;
for (const [id, us] of selfUs) {
  sampled += us;
  const node = byId.get(id);
  self.set(nameOf(node), (self.get(nameOf(node)) || 0) + us);
  const seen = new Set();
  for (let cur = id; cur != null; cur = parent.get(cur)) {
    const name = nameOf(byId.get(cur));
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) || 0) + us);
  }
}
const idle = (self.get('(idle)') || 0) + (self.get('(program)') || 0);
const busy = sampled - (self.get('(idle)') || 0);
const perRequest = (us) => (us / done).toFixed(1).padStart(7);
const top = (map, k) => [...map].sort((a, b) => b[1] - a[1]).slice(0, k);
console.log(`${target} ${workload}: ${done} requests in ${(wall / 1000).toFixed(2)} s at c=${CONCURRENCY}; isolate busy ${(busy / 1000).toFixed(0)} ms = ${perRequest(busy)} µs/request (idle+program ${(idle / 1000).toFixed(0)} ms)`);
console.log('\nself µs/request  function');
for (const [name, us] of top(self, 45)) console.log(`${perRequest(us)}  ${name.slice(0, 150)}`);
console.log('\ntotal µs/request  function');
for (const [name, us] of top(total, 60)) console.log(`${perRequest(us)}  ${name.slice(0, 150)}`);
ws.close();
agent.destroy();
await mf.dispose();

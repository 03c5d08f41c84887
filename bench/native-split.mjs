#!/usr/bin/env node
// Where a request's CPU goes at the level of the whole workerd process, ours against the
// floor: `perf record` samples workerd while wrk (bench/wrk.lua, c=1 or --c N) runs one workload on
// one system, in the order ours, floor, floor, ours; the samples are sorted by where they
// fell (our wasm and JIT'd JS, V8's builtins and GC, the runtime's native code, the
// kernel) and divided by the requests answered. Unlike bench/profile.mjs (the isolate's
// V8 profiler, which charges native work to whatever JS frame is on the stack) it sees
// the runtime's own threads and native code. Not part of `npm run bench`: needs `perf`.
//
//   node bench/native-split.mjs [--workloads update,list] [--seconds 3] [--build build]
//                               [--symbols 12] [--c 1]
//
// Writes bench/native-split.json. All traffic goes to 127.0.0.1; every loop is bounded.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { workerOptions } from '../tests/support/worker.mjs';
import { cliFlags, customerForm, floorWorker, runWrk, workerdChild } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { flag } = cliFlags();
const workloads = flag('--workloads', 'retrieve,list,list_email,update,update_keyed,create,create_keyed').split(',');
const seconds = Number(flag('--seconds', 3));
const concurrency = Number(flag('--c', 1));
const HZ = 2000;
const SEED = 200;
const host = '127.0.0.1';

try {
  execFileSync('perf', ['--version'], { stdio: 'ignore' });
} catch {
  console.error('native-split: `perf` is not installed (Debian: linux-perf); nothing measured');
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(here, 'work', 'native-split-'));
const base = workerOptions({ vars: { SANDBOX_MAX_CUSTOMERS: '0' }, persist: path.join(work, 'state') });
const ours = { ...base.workers[0], scriptPath: path.resolve(root, flag('--build', 'build'), 'index.js'), unsafeDirectSockets: [{ host, port: 0 }] };
const floor = floorWorker(ours.compatibilityDate, { unsafeDirectSockets: [{ host, port: 0 }] });
const mf = new Miniflare({ ...base, workers: [ours, floor] });
await mf.ready;
const workerd = workerdChild();

const urlOf = async (name) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, '');
const systems = { ours: { url: await urlOf(ours.name), key: `sk_test_${randomBytes(12).toString('hex')}` }, floor: { url: await urlOf(floor.name), key: 'sk_test_floor' } };
for (const [name, s] of Object.entries(systems)) {
  let ids = [];
  if (name === 'floor') {
    ids = (await (await fetch(`${s.url}/seed?from=0&to=${SEED}`, { method: 'POST' })).json()).ids;
  } else {
    for (let i = 0; i < SEED; i++) {
      const r = await fetch(`${s.url}/v1/customers`, { method: 'POST', headers: { Authorization: `Bearer ${s.key}` }, body: customerForm(i) });
      if (r.status !== 200) throw new Error(`seeding ours: HTTP ${r.status}`);
      ids.push((await r.json()).id);
    }
  }
  s.idsFile = path.join(work, `${name}.ids`);
  fs.writeFileSync(s.idsFile, ids.join('\n') + '\n');
}

/** Where a sample fell, by the object file and symbol perf gives it. */
function category(dso, symbol) {
  if (dso.startsWith('[JIT]')) return 'jit';
  if (dso === '[kernel.kallsyms]') return 'kernel';
  if (dso === 'workerd') return /^(Builtins_|v8::|cppgc::)|v8::internal|^_ZN2v8/.test(symbol) ? 'v8' : 'runtime';
  return 'other';
}
const CATEGORIES = {
  jit: 'JIT code: our wasm (and JIT-compiled JS)',
  v8: "V8's builtins, GC and compilers",
  runtime: "workerd's native code: I/O, RPC, SQLite, KV, malloc",
  kernel: 'kernel',
  other: 'libc and the rest',
};

/** One wrk run of `workload` on `system` under perf: samples by category and symbol. */
async function sampled(system, workload) {
  const s = systems[system];
  const data = path.join(work, `${system}-${workload}.perf`);
  const perf = spawn('perf', ['record', '-F', String(HZ), '-p', String(workerd), '-o', data], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const raw = await runWrk({ url: s.url, workload, key: s.key, idsFile: s.idsFile, n: SEED, c: concurrency, seconds });
  perf.kill('SIGINT');
  await new Promise((r) => perf.on('exit', r));
  const report = execFileSync('perf', ['report', '-i', data, '--no-children', '--sort', 'dso,sym', '--stdio', '-n'], { maxBuffer: 1 << 28 }).toString();
  fs.rmSync(data, { force: true });
  const samples = { jit: 0, v8: 0, runtime: 0, kernel: 0, other: 0 };
  const bySymbol = new Map();
  for (const line of report.split('\n')) {
    const m = /^\s*[\d.]+%\s+(\d+)\s+(\[JIT\] tid \d+|\S+)\s+\[.\]\s+(.*)$/.exec(line);
    if (!m) continue;
    const n = Number(m[1]);
    const symbol = m[3].trim();
    samples[category(m[2], symbol)] += n;
    const key = `${m[2].startsWith('[JIT]') ? '[JIT]' : m[2]} ${symbol.slice(0, 90)}`;
    bySymbol.set(key, (bySymbol.get(key) || 0) + n);
  }
  return { requests: raw.requests - raw.errors.status, errors: raw.errors.status, samples, bySymbol };
}

const results = { generated_at: new Date().toISOString(), hz: HZ, seconds, concurrency, workloads: {} };
const us = (n, requests) => (n / HZ / requests) * 1e6;
for (const workload of workloads) {
  const total = { ours: null, floor: null };
  for (const system of ['ours', 'floor', 'floor', 'ours']) {
    const run = await sampled(system, workload);
    const t = (total[system] ??= { requests: 0, errors: 0, samples: { jit: 0, v8: 0, runtime: 0, kernel: 0, other: 0 }, bySymbol: new Map() });
    t.requests += run.requests;
    t.errors += run.errors;
    for (const k of Object.keys(t.samples)) t.samples[k] += run.samples[k];
    for (const [k, v] of run.bySymbol) t.bySymbol.set(k, (t.bySymbol.get(k) || 0) + v);
    await new Promise((r) => setTimeout(r, 6000)); // the writes' 5 s alarms fire here, not in the next run
  }
  const row = {};
  for (const system of ['ours', 'floor']) {
    const t = total[system];
    row[system] = { requests: t.requests, errors: t.errors, us_per_request: Object.fromEntries(Object.entries(t.samples).map(([k, v]) => [k, Number(us(v, t.requests).toFixed(1))])) };
    row[system].us_per_request.total = Number(Object.values(row[system].us_per_request).reduce((a, b) => a + b, 0).toFixed(1));
  }
  const symbols = new Set([...total.ours.bySymbol.keys(), ...total.floor.bySymbol.keys()]);
  row.largest_differences = [...symbols]
    .map((k) => ({ symbol: k, ours_us: us(total.ours.bySymbol.get(k) || 0, total.ours.requests), floor_us: us(total.floor.bySymbol.get(k) || 0, total.floor.requests) }))
    .sort((a, b) => Math.abs(b.ours_us - b.floor_us) - Math.abs(a.ours_us - a.floor_us))
    .slice(0, Number(flag('--symbols', 12)))
    .map((d) => ({ ...d, ours_us: Number(d.ours_us.toFixed(1)), floor_us: Number(d.floor_us.toFixed(1)) }));
  results.workloads[workload] = row;
  const o = row.ours.us_per_request;
  const f = row.floor.us_per_request;
  console.log(`\n${workload}: ${row.ours.requests} requests on ours, ${row.floor.requests} on the floor (c=${concurrency}); workerd CPU µs per request`);
  console.table(Object.keys(CATEGORIES).concat('total').map((k) => ({ where: CATEGORIES[k] || 'total', ours: o[k], floor: f[k], 'ours − floor': Number((o[k] - f[k]).toFixed(1)) })));
}
await mf.dispose();
fs.rmSync(work, { recursive: true, force: true });
fs.writeFileSync(path.join(here, 'native-split.json'), JSON.stringify(results, null, 2) + '\n');
console.log('\nwrote bench/native-split.json');

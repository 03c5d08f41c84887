#!/usr/bin/env node
// What one Durable Object RPC call costs in workerd, apart from any work in the object:
// a worker calls a method of one object N times in a loop, within one request, and
// workerd's CPU time over that request (every thread, from /proc) is divided by N. Each
// kind returns something else: a short string, a 10 KB string (a list page) from a plain,
// an async and a promise-returning method, the same page as parsed objects, and the page
// through the object's `fetch`. "fresh" takes a new stub for every call, as a Worker does
// per request; "reused" keeps one. The V8 profiler charges such a call's native work to
// the JS frame that makes it, so bench/profile.mjs cannot give this number.
//
//   node bench/rpc-cost.mjs [--n 3000] [--rounds 3]
//
// All traffic goes to 127.0.0.1; every loop is bounded.
import { Miniflare } from 'miniflare';
import { cliFlags, threadsCpuNs, workerdChild } from './support.mjs';

const { flag } = cliFlags();
const N = Number(flag('--n', 3000));
const ROUNDS = Number(flag('--rounds', 3));
const KINDS = ['small', 'textSync', 'textAsync', 'textPromise', 'objects', 'fetch'];

const script = `
import { DurableObject } from 'cloudflare:workers';
const customer = JSON.stringify({ id: 'cus_x', object: 'customer', name: 'Jenny Rosen', email: 'jenny@example.com',
  metadata: { a: '1', b: '2' }, address: { city: 'X', country: 'US', line1: '1 Main', line2: null, postal_code: '12345', state: null },
  balance: 0, created: 1700000000, currency: null, description: null, invoice_prefix: 'ABCDEF12', livemode: false,
  phone: null, preferred_locales: [], tax_exempt: 'none' });
const page = '{"data":[' + Array(10).fill(customer).join(',') + '],"has_more":true}';
const parsed = JSON.parse(page);
export class Target extends DurableObject {
  small() { return 'ok'; }
  textSync() { return page; }
  async textAsync() { return page; }
  textPromise() { return new Promise((resolve) => resolve(page)); }
  objects() { return parsed; }
  async fetch() { return new Response(page); }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const kind = url.searchParams.get('kind');
    const n = Number(url.searchParams.get('n'));
    const reused = url.searchParams.get('stub') === 'reused' ? env.TARGET.get(env.TARGET.idFromName('a')) : null;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const stub = reused ?? env.TARGET.get(env.TARGET.idFromName('a'));
      const got = kind === 'fetch' ? await (await stub.fetch('http://target/')).text() : await stub[kind]('/v1/customers', 'limit=10');
      size += typeof got === 'string' ? got.length : 1;
    }
    return new Response(String(size));
  },
};`;

const mf = new Miniflare({
  modules: true,
  script,
  compatibilityDate: '2025-04-01',
  durableObjects: { TARGET: { className: 'Target', useSQLite: true } },
});
const url = await mf.ready;
const workerd = workerdChild();
/** CPU µs of every thread of workerd so far. */
const cpuMicros = () => threadsCpuNs([workerd]) / 1000;

const rows = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of KINDS) {
    for (const stub of ['fresh', 'reused']) {
      const before = cpuMicros();
      const started = performance.now();
      const response = await fetch(`${url}?kind=${kind}&n=${N}&stub=${stub}`);
      if (response.status !== 200) throw new Error(`${kind}: HTTP ${response.status} ${await response.text()}`);
      await response.text();
      const cpu = (cpuMicros() - before) / N;
      const wall = ((performance.now() - started) * 1000) / N;
      // The first round warms the isolate up; the rows are the last round's.
      if (round === ROUNDS - 1) rows.push({ returns: kind, stub, 'workerd CPU µs per call': Number(cpu.toFixed(1)), 'wall µs per call': Number(wall.toFixed(1)) });
    }
  }
}
await mf.dispose();
console.log(`${N} calls a row, the last of ${ROUNDS} rounds`);
console.table(rows);

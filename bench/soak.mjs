#!/usr/bin/env node
// The soak (`npm run soak`, not part of `npm test`): SOAK_MINUTES (20) of mixed traffic
// over SOAK_ACCOUNTS (4) accounts of our worker in workerd through Miniflare, state
// persisted on disk (bench/serve.mjs in a child process, as the bench runs it), with
// injected faults (FAULTS) and a webhook endpoint per account at a receiver on 127.0.0.1
// that fails one delivery in five. Each minute it records workerd's RSS and the p99 of the
// minute; at the end it drains the deliveries and checks, printing pass/fail:
//   memory   workerd's RSS after the warm-up stays within 10% of its RSS at the warm-up's end
//   no 5xx   no request answered 5xx (the faults injected are answered 200 by design)
//   delivered every event of every account (GET /v1/events) reached the receiver with a
//            valid signature (stripe.webhooks.constructEvent), after a drain period
//   nothing lost  every acknowledged write is what retrieve and list show at the end,
//            and a replayed Idempotency-Key answers the same customer
// Writes bench/soak-results.json; exits 1 when a check fails. See bench/README.md.
// Knobs: SOAK_MINUTES (20), SOAK_RPS (40 requests/s in all), SOAK_CONCURRENCY (8 clients),
// SOAK_ACCOUNTS (4), SOAK_WARMUP_MINUTES (6, at most half the run), SOAK_DRAIN_SECONDS
// (180), SOAK_VERIFY_RPS (40), SOAK_FAULTS (the FAULTS var, below). 127.0.0.1 only; every
// loop is bounded.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const WORK = path.join(BENCH, 'work');
const HOST = '127.0.0.1';

const MINUTES = Number(process.env.SOAK_MINUTES || 20);
const RPS = Number(process.env.SOAK_RPS || 40);
const CLIENTS = Number(process.env.SOAK_CONCURRENCY || 8);
const ACCOUNTS = Number(process.env.SOAK_ACCOUNTS || 4);
/** Until workerd's RSS levels off: it climbs while objects are opened and kept and the
 *  heaps and caches grow, and stops once as many objects close as open. That took up to 6
 *  minutes in the runs of 2026-12-04 and 2026-12-06 (README, "Soak"). */
const WARMUP_MINUTES = Math.min(Number(process.env.SOAK_WARMUP_MINUTES || 6), Math.floor(MINUTES / 2));
const DRAIN_S = Number(process.env.SOAK_DRAIN_SECONDS || 180);
/** Retrieves a second while checking every customer at the end. Each retrieve wakes that
 *  customer's object, and workerd keeps an object for about a minute after its last
 *  request: unpaced, the check woke thousands at once, until workerd's SQLite answered
 *  SQLITE_NOMEM (one process holds every object here; on Cloudflare each is its own). */
const VERIFY_RPS = Number(process.env.SOAK_VERIFY_RPS || 40);
const MEMORY_TOLERANCE = 0.1;
const HOOK_FAIL_EVERY = 5; // the receiver answers 500 to every fifth delivery
/** Injected faults (src/objects/faults.rs; each object fails its first N attempts of the
 *  step): index and KV copies (retried by the `propagate` job), webhook sends (retried by
 *  the delivery schedule). All of them leave the API answering 200. `worker_trap` (a wasm
 *  trap on a request with X-Test-Trap, a 500 by design that can take requests in flight
 *  in the same isolate with it) is left out. */
const FAULTS = process.env.SOAK_FAULTS ?? 'index_upsert:1,kv_put:1,webhook_send:3';
const VARS = {
  FAULTS,
  // Retries in seconds, not the production hour-long schedule (retry_schedule.rs):
  // first after 0.5 s, doubling to at most 5 s, given up after 10 minutes.
  WEBHOOK_RETRY_SCHEDULE: '500,5000,600000',
  WEBHOOK_TIMEOUT_MS: '3000',
  // The sandbox caps would drop old events (with their deliveries) in a long soak.
  SANDBOX_MAX_EVENTS: '0',
};
/** The mix, in shares of all requests. */
const MIX = [
  ['retrieve', 24],
  ['list', 8],
  ['list_email', 6],
  ['search', 8],
  ['create', 12],
  ['create_keyed', 10],
  ['update', 14],
  ['update_keyed', 14],
  ['replay', 4], // a keyed write sent again with its key: the same answer
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (...a) => console.log(`[soak ${((Date.now() - t0) / 1000).toFixed(0).padStart(5)}s]`, ...a);

// ---------------------------------------------------------------- processes
async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Children of `pid`, from /proc/<pid>/task/<tid>/children, recursively. */
function processTree(pid) {
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    let tasks = [];
    try {
      tasks = fs.readdirSync(`/proc/${p}/task`);
    } catch {}
    for (const t of tasks) {
      let text = '';
      try {
        text = fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {}
      for (const c of text.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(c);
        queue.push(c);
      }
    }
  }
  return out;
}
const commOf = (pid) => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};
/** RSS of the workerd processes under `pid`, in KiB. */
function workerdRssKb(pid) {
  let kb = 0;
  for (const p of processTree(pid).filter((x) => commOf(x) === 'workerd')) {
    try {
      kb += Number(fs.readFileSync(`/proc/${p}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1] || 0);
    } catch {}
  }
  return kb;
}

async function startWorker(persist) {
  const ports = { ours: await freePort(), edge: await freePort(), ceiling: await freePort(), floor: await freePort() };
  fs.mkdirSync(path.join(WORK, 'logs'), { recursive: true });
  const out = fs.openSync(path.join(WORK, 'logs', 'soak-miniflare.log'), 'a');
  const child = fork(path.join(BENCH, 'serve.mjs'), {
    cwd: ROOT,
    env: { ...process.env, BENCH_SERVE: JSON.stringify({ persist, ports, vars: VARS }) },
    stdio: ['ignore', out, out, 'ipc'],
  });
  process.on('exit', () => {
    try {
      child.kill('SIGKILL');
    } catch {}
  });
  const { urls } = await new Promise((resolve, reject) => {
    child.once('message', (m) => (m.ready ? resolve(m) : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}); see bench/work/logs/soak-miniflare.log`)));
  });
  return { child, url: urls.ours };
}

// ---------------------------------------------------------------- webhook receiver
/** Receives every account's deliveries at /hook/<account>: every fifth answered 500; the
 *  rest verified with the account's endpoint secret and recorded by event id. */
async function startReceiver() {
  const verifier = new Stripe('sk_test_soak_verifier');
  const secrets = new Map();
  const delivered = new Map(); // account → Set of event ids
  const stats = { received: 0, failed_on_purpose: 0, bad_signature: 0, accepted: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      stats.received++;
      const account = req.url.split('/')[2];
      if (stats.received % HOOK_FAIL_EVERY === 0) {
        stats.failed_on_purpose++;
        res.writeHead(500).end('failing on purpose');
        return;
      }
      try {
        const event = verifier.webhooks.constructEvent(Buffer.concat(chunks).toString('utf8'), req.headers['stripe-signature'], secrets.get(account));
        delivered.get(account)?.add(event.id);
        stats.accepted++;
        res.writeHead(200).end('ok');
      } catch {
        stats.bad_signature++;
        res.writeHead(400).end('bad signature');
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise((r) => server.listen(0, HOST, r));
  return { base: `http://${HOST}:${server.address().port}/hook`, secrets, delivered, stats, close: () => new Promise((r) => server.close(r)) };
}

// ---------------------------------------------------------------- requests
/** One request; `status: 0` with `error` when no answer came. A request that fails at
 *  once with a closed socket is sent again (as bench/run.mjs does): workerd sometimes
 *  closes a kept-alive connection between two requests, and undici finds out only when it
 *  reuses it, so such a request never reached the worker. */
async function call(url, key, method, pathAndQuery, body, headers = {}) {
  const t = performance.now();
  for (let attempt = 0; ; attempt++) {
    const sent = performance.now();
    try {
      const r = await fetch(url + pathAndQuery, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}), ...headers },
        body,
        signal: AbortSignal.timeout(30000),
      });
      const text = await r.text();
      let json = null;
      try {
        json = JSON.parse(text);
      } catch {}
      return { status: r.status, json, text, replayed: r.headers.get('idempotent-replayed') === 'true', ms: performance.now() - t };
    } catch (e) {
      const code = String(e?.cause?.code || e?.name || e);
      if (code === 'UND_ERR_SOCKET' && performance.now() - sent < 100 && attempt < 2) continue;
      return { status: 0, error: `${code}: ${e?.cause?.message || e?.message || ''} after ${(performance.now() - sent).toFixed(0)} ms`, ms: performance.now() - t };
    }
  }
}

/** Per minute: latencies and status counts. */
class Minutes {
  constructor() {
    this.rows = [];
  }
  row(i) {
    while (this.rows.length <= i) this.rows.push({ minute: this.rows.length + 1, latencies: [], s2xx: 0, s4xx: 0, s5xx: 0, network: 0, by_kind: {} });
    return this.rows[i];
  }
  record(kind, r) {
    const row = this.row(Math.floor((Date.now() - this.start) / 60000));
    row.latencies.push(r.ms);
    if (r.status === 0) row.network++;
    else if (r.status >= 500) row.s5xx++;
    else if (r.status >= 400) row.s4xx++;
    else row.s2xx++;
    const k = (row.by_kind[kind] ??= { n: 0, errors: 0 });
    k.n++;
    if (r.status === 0 || r.status >= 400) k.errors++;
  }
}
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);

/** One client: its account, its own customers (only it updates them, one at a time, so the
 *  last acknowledged update is the value the customer must end with). */
function client(index, accounts, url, minutes, ledger, problems, deadline) {
  const account = accounts[index % accounts.length];
  const mine = [];
  const tag = `c${index}`;
  let n = 0;
  let lastKeyed = null;
  const total = MIX.reduce((a, [, w]) => a + w, 0);
  const pick = () => {
    let x = Math.random() * total;
    for (const [kind, w] of MIX) if ((x -= w) < 0) return kind;
    return MIX[0][0];
  };
  const periodMs = (1000 * CLIENTS) / RPS;
  const form = (extra) => new URLSearchParams(extra).toString();
  async function create(keyed) {
    const i = n++;
    const email = `${account.tag}-${tag}-${i}@soak.example.com`;
    const body = form({ name: `Soak ${tag} ${i}`, email, 'metadata[soak_client]': tag, 'metadata[soak_tier]': 'v0' });
    const key = keyed ? `soak-${randomBytes(8).toString('hex')}` : null;
    const r = await call(url, account.key, 'POST', '/v1/customers', body, key ? { 'Idempotency-Key': key } : {});
    if (r.status === 200 && r.json?.id) {
      const c = { id: r.json.id, email, tiers: ['v0'], v: 0 };
      mine.push(c);
      ledger.push({ account: account.index, ...c, ref: c });
      if (key) lastKeyed = { key, path: '/v1/customers', body, id: r.json.id };
    }
    return r;
  }
  async function update(keyed) {
    const c = mine[Math.floor(Math.random() * mine.length)];
    const value = `v${++c.v}`;
    const body = form({ 'metadata[soak_tier]': value });
    const key = keyed ? `soak-${randomBytes(8).toString('hex')}` : null;
    const r = await call(url, account.key, 'POST', `/v1/customers/${c.id}`, body, key ? { 'Idempotency-Key': key } : {});
    if (r.status === 200) c.tiers = [value];
    else if (r.status === 0 || r.status >= 500) c.tiers = [...c.tiers, value]; // unknown outcome: either
    if (r.status === 200 && key) lastKeyed = { key, path: `/v1/customers/${c.id}`, body, id: c.id };
    return r;
  }
  async function one(kind) {
    if ((kind.startsWith('update') || kind === 'retrieve') && !mine.length) kind = 'create';
    if (kind === 'replay' && !lastKeyed) kind = 'create_keyed';
    switch (kind) {
      case 'create':
      case 'create_keyed':
        return [kind, await create(kind === 'create_keyed')];
      case 'update':
      case 'update_keyed':
        return [kind, await update(kind === 'update_keyed')];
      case 'retrieve': {
        const c = mine[Math.floor(Math.random() * mine.length)];
        return [kind, await call(url, account.key, 'GET', `/v1/customers/${c.id}`)];
      }
      case 'list':
        return [kind, await call(url, account.key, 'GET', '/v1/customers?limit=10')];
      case 'list_email': {
        const c = mine[Math.floor(Math.random() * mine.length)];
        return [kind, await call(url, account.key, 'GET', `/v1/customers?limit=10&email=${encodeURIComponent(c?.email ?? 'nobody@soak.example.com')}`)];
      }
      case 'search': {
        const query = Math.random() < 0.5 ? `metadata['soak_client']:'${tag}'` : `name~'Soak ${tag} ${Math.floor(Math.random() * Math.max(1, n))}'`;
        return [kind, await call(url, account.key, 'GET', `/v1/customers/search?limit=10&query=${encodeURIComponent(query)}`)];
      }
      case 'replay': {
        const k = lastKeyed;
        lastKeyed = null;
        const r = await call(url, account.key, 'POST', k.path, k.body, { 'Idempotency-Key': k.key });
        if (r.status === 200 && (r.json?.id !== k.id || !r.replayed)) problems.push(`replay of key ${k.key} answered ${r.json?.id} (replayed: ${r.replayed}), not ${k.id}`);
        return [kind, r];
      }
    }
    throw new Error(`unknown kind ${kind}`);
  }
  return (async () => {
    let next = Date.now() + Math.random() * periodMs;
    while (Date.now() < deadline) {
      await sleep(Math.max(0, next - Date.now()));
      next += periodMs;
      if (Date.now() >= deadline) break;
      const [kind, r] = await one(pick());
      minutes.record(kind, r);
      if (r.status >= 500) problems.push(`${kind}: HTTP ${r.status} ${String(r.text).slice(0, 160)}`);
      if (r.status === 0) problems.push(`${kind}: no answer (${r.error}) at ${new Date().toISOString()}`);
      if (next < Date.now() - 5000) next = Date.now(); // fell behind: do not burst to catch up
    }
  })();
}

// ---------------------------------------------------------------- checks at the end
/** Every id of a paginated list (`GET path`), newest first; bounded in pages. */
async function everyId(url, key, pathBase, maxPages = 2000) {
  const ids = [];
  const docs = new Map();
  let after = null;
  for (let page = 0; page < maxPages; page++) {
    const r = await call(url, key, 'GET', `${pathBase}${pathBase.includes('?') ? '&' : '?'}limit=100${after ? `&starting_after=${after}` : ''}`);
    if (r.status !== 200) throw new Error(`GET ${pathBase}: HTTP ${r.status} ${String(r.text).slice(0, 200)}`);
    for (const x of r.json.data) {
      ids.push(x.id);
      docs.set(x.id, x);
    }
    if (!r.json.has_more || !r.json.data.length) break;
    after = r.json.data[r.json.data.length - 1].id;
  }
  return { ids, docs };
}

/** Waits until every event of every account reached the receiver, up to DRAIN_S. */
async function drain(url, accounts, receiver) {
  const until = Date.now() + DRAIN_S * 1000;
  let missing = [];
  let events = 0;
  for (;;) {
    missing = [];
    events = 0;
    for (const a of accounts) {
      const { ids } = await everyId(url, a.key, '/v1/events');
      events += ids.length;
      const got = receiver.delivered.get(String(a.index));
      for (const id of ids) if (!got.has(id)) missing.push(`${a.tag}:${id}`);
    }
    if (!missing.length || Date.now() > until) break;
    log(`drain: ${missing.length} of ${events} events not delivered yet`);
    await sleep(10000);
  }
  return { events, missing };
}

/** Every acknowledged customer, by retrieve (8 at a time, `VERIFY_RPS` a second) and in
 *  its account's list. */
async function verifyWrites(url, accounts, ledger) {
  const lost = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < ledger.length) {
        const i = next++;
        const c = ledger[i];
        const due = started + (i * 1000) / VERIFY_RPS;
        if (due > Date.now()) await sleep(due - Date.now());
        const r = await call(url, accounts[c.account].key, 'GET', `/v1/customers/${c.id}`);
        if (r.status !== 200) lost.push(`retrieve ${c.id}: HTTP ${r.status}`);
        else if (r.json.email !== c.email || !c.ref.tiers.includes(r.json.metadata?.soak_tier)) lost.push(`retrieve ${c.id}: email ${r.json.email}, soak_tier ${r.json.metadata?.soak_tier}, acknowledged ${c.ref.tiers.join(' or ')}`);
      }
    }),
  );
  for (const a of accounts) {
    const { docs } = await everyId(url, a.key, '/v1/customers');
    for (const c of ledger.filter((x) => x.account === a.index)) {
      const d = docs.get(c.id);
      if (!d) lost.push(`list of ${a.tag}: ${c.id} missing`);
      else if (!c.ref.tiers.includes(d.metadata?.soak_tier)) lost.push(`list of ${a.tag}: ${c.id} shows soak_tier ${d.metadata?.soak_tier}, acknowledged ${c.ref.tiers.join(' or ')}`);
    }
  }
  return lost;
}

// ---------------------------------------------------------------- main
async function main() {
  if (!fs.existsSync(path.join(ROOT, 'build', 'index.js'))) throw new Error('no build/: run `npm run build` (or `npm run soak`, which builds)');
  const persist = path.join(WORK, 'soak-state');
  fs.rmSync(persist, { recursive: true, force: true });
  log(`${MINUTES} min, ${RPS} req/s from ${CLIENTS} clients over ${ACCOUNTS} accounts; FAULTS=${FAULTS}; warm-up ${WARMUP_MINUTES} min; drain up to ${DRAIN_S} s`);
  const worker = await startWorker(persist);
  const receiver = await startReceiver();
  const accounts = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const a = { index: i, tag: `a${i}`, key: `sk_test_soak${i}_${randomBytes(8).toString('hex')}` };
    const r = await call(worker.url, a.key, 'POST', '/v1/webhook_endpoints', new URLSearchParams({ url: `${receiver.base}/${i}`, 'enabled_events[]': '*' }).toString());
    if (r.status !== 200 || !r.json?.secret) throw new Error(`webhook endpoint: HTTP ${r.status} ${r.text}`);
    receiver.secrets.set(String(i), r.json.secret);
    receiver.delivered.set(String(i), new Set());
    accounts.push(a);
  }

  const minutes = new Minutes();
  minutes.start = Date.now();
  const ledger = [];
  const problems = [];
  const deadline = minutes.start + MINUTES * 60000;
  const memory = [{ minute: 0, rss_kb: workerdRssKb(worker.child.pid) }];
  const sampler = setInterval(() => {
    const minute = memory.length;
    if (minute > MINUTES) return;
    memory.push({ minute, rss_kb: workerdRssKb(worker.child.pid) });
    const row = minutes.row(minute - 1);
    const sorted = [...row.latencies].sort((a, b) => a - b);
    log(`minute ${String(minute).padStart(2)}: ${row.latencies.length} requests, p50 ${pct(sorted, 50)?.toFixed(1)} ms, p99 ${pct(sorted, 99)?.toFixed(1)} ms, 5xx ${row.s5xx}, workerd RSS ${(memory.at(-1).rss_kb / 1024).toFixed(1)} MiB`);
  }, 60000);
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i, accounts, worker.url, minutes, ledger, problems, deadline)));
  clearInterval(sampler);
  if (memory.length <= MINUTES) memory.push({ minute: memory.length, rss_kb: workerdRssKb(worker.child.pid) });

  log(`traffic done: ${ledger.length} customers created; draining deliveries (up to ${DRAIN_S} s)`);
  const drained = await drain(worker.url, accounts, receiver);
  const lost = await verifyWrites(worker.url, accounts, ledger);
  const rssEnd = workerdRssKb(worker.child.pid);
  worker.child.send('stop');
  await Promise.race([new Promise((r) => worker.child.once('exit', r)), sleep(15000)]);
  try {
    worker.child.kill('SIGKILL');
  } catch {}
  await receiver.close();

  // --- the table and the checks.
  const rows = minutes.rows.slice(0, MINUTES).map((row, i) => {
    const sorted = [...row.latencies].sort((a, b) => a - b);
    return {
      minute: row.minute,
      requests: row.latencies.length,
      rps: Number((row.latencies.length / 60).toFixed(1)),
      p50_ms: Number((pct(sorted, 50) ?? 0).toFixed(2)),
      p99_ms: Number((pct(sorted, 99) ?? 0).toFixed(2)),
      max_ms: Number((sorted.at(-1) ?? 0).toFixed(1)),
      s2xx: row.s2xx,
      s4xx: row.s4xx,
      s5xx: row.s5xx,
      network_errors: row.network,
      workerd_rss_mib: memory[i + 1] ? Number((memory[i + 1].rss_kb / 1024).toFixed(1)) : null,
      by_kind: row.by_kind,
    };
  });
  const baseline = memory[WARMUP_MINUTES]?.rss_kb ?? memory[0].rss_kb;
  const after = memory.filter((m) => m.minute > WARMUP_MINUTES).map((m) => m.rss_kb);
  const peakAfter = after.length ? Math.max(...after) : baseline;
  const total5xx = rows.reduce((a, r) => a + r.s5xx, 0);
  const network = rows.reduce((a, r) => a + r.network_errors, 0);
  const checks = [
    {
      check: `memory flat: workerd RSS after minute ${WARMUP_MINUTES} within ${MEMORY_TOLERANCE * 100}% of its value at minute ${WARMUP_MINUTES}`,
      measured: `baseline ${(baseline / 1024).toFixed(1)} MiB, peak after it ${(peakAfter / 1024).toFixed(1)} MiB (${(((peakAfter - baseline) / baseline) * 100).toFixed(1)}%)${after.length ? '' : '; no minute after the warm-up (run longer)'}`,
      pass: after.length > 0 && peakAfter <= baseline * (1 + MEMORY_TOLERANCE),
    },
    { check: 'no 5xx (and no request without an answer)', measured: `${total5xx} answered 5xx, ${network} without an answer`, pass: total5xx === 0 && network === 0 },
    {
      check: `every event delivered (signature verified; drain up to ${DRAIN_S} s)`,
      measured: `${drained.events - drained.missing.length} of ${drained.events} events delivered; receiver: ${receiver.stats.received} requests, ${receiver.stats.failed_on_purpose} failed on purpose, ${receiver.stats.bad_signature} bad signatures`,
      pass: drained.missing.length === 0 && receiver.stats.bad_signature === 0 && drained.events > 0,
    },
    {
      check: 'nothing lost: every acknowledged write shown by retrieve and list; replays answer the same customer',
      measured: `${ledger.length} customers checked, ${lost.length} wrong; ${problems.filter((p) => p.startsWith('replay')).length} bad replays`,
      pass: lost.length === 0 && !problems.some((p) => p.startsWith('replay')),
    },
  ];
  const result = {
    date: new Date().toISOString(),
    config: { minutes: MINUTES, rps: RPS, clients: CLIENTS, accounts: ACCOUNTS, warmup_minutes: WARMUP_MINUTES, drain_seconds: DRAIN_S, faults: FAULTS, vars: VARS, mix: Object.fromEntries(MIX), hook_fail_every: HOOK_FAIL_EVERY },
    machine: { nproc: os.availableParallelism?.() ?? os.cpus().length, loadavg_at_end: os.loadavg().map((v) => Number(v.toFixed(2))) },
    minutes: rows,
    memory,
    rss_end_kb: rssEnd,
    webhooks: receiver.stats,
    events: drained.events,
    undelivered: drained.missing.slice(0, 50),
    lost: lost.slice(0, 50),
    problems: problems.slice(0, 50),
    checks,
    pass: checks.every((c) => c.pass),
  };
  fs.writeFileSync(path.join(BENCH, 'soak-results.json'), JSON.stringify(result, null, 2) + '\n');

  console.log('\n| minute | requests | req/s | p50 ms | p99 ms | max ms | 2xx | 4xx | 5xx | workerd RSS MiB |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.minute} | ${r.requests} | ${r.rps} | ${r.p50_ms} | ${r.p99_ms} | ${r.max_ms} | ${r.s2xx} | ${r.s4xx} | ${r.s5xx} | ${r.workerd_rss_mib ?? '–'} |`);
  console.log('\n| check | measured | result |\n| --- | --- | --- |');
  for (const c of checks) console.log(`| ${c.check} | ${c.measured} | ${c.pass ? 'pass' : '**FAIL**'} |`);
  for (const p of [...drained.missing.slice(0, 5), ...lost.slice(0, 5), ...problems.slice(0, 5)]) console.log(`  - ${p}`);
  console.log(`\nwrote bench/soak-results.json: ${result.pass ? 'PASS' : 'FAIL'}`);
  fs.rmSync(persist, { recursive: true, force: true });
  process.exit(result.pass ? 0 : 1);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

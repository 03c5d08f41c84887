#!/usr/bin/env node
// One account's write ceiling (issue 18): every write of an account passes through its one
// AccountObject, so this measures the most creates and updates per second one account
// sustains, and eight accounts together, on ours and on the floor (floor-worker.mjs).
// Concurrency rises (WRITE_CEILING_C, default 1,8,32,64,128; eight accounts: that many
// connections spread over the eight) for WRITE_CEILING_SECONDS each (2) and stops once
// throughput stops growing (under 5% more than the best so far). Stripe's documented
// per-account limits are printed beside it.
//
//   node bench/write-ceiling.mjs     (npm run bench:ceiling)   needs build/ (npm run build)
//   BENCH_WRITE_CEILING=1 npm run bench                         the same inside the bench
//
// Standalone it starts bench/serve.mjs (workerd through Miniflare, state persisted under
// bench/work/ceiling-state, wiped first), merges `write_ceiling` into bench/results.json
// and rewrites results.md (`node bench/run.mjs --render`). 127.0.0.1 only; every loop is
// bounded in count and in time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { customerForm, mergeResults, runWrk, startServe } from './support.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.WRITE_CEILING_SECONDS || 2);
const LEVELS = (process.env.WRITE_CEILING_C || '1,8,32,64,128').split(',').map(Number);
const GROWTH = 1.05; // a level must beat the best so far by this much to go on
const IDS_PER_ACCOUNT = 32; // customers each account gets before its update cells

/** Stripe's documented limits, for the table (docs.stripe.com/rate-limits). */
export const STRIPE_LIMITS = {
  source: 'https://docs.stripe.com/rate-limits',
  live: { read_per_s: 100, write_per_s: 100 },
  test: { read_per_s: 25, write_per_s: 25 },
  note: 'per account, live mode: 100 read and 100 write operations a second; test mode (sandbox): 25 and 25 (the page as archived at stripe.com/docs/rate-limits). The current page gives a global 100 requests/s (live) and 25 (sandbox), and 25 requests/s per individual endpoint unless stated otherwise.',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Keys of `n` fresh accounts: ours takes any sandbox key; the floor puts a request in
 *  the account its key names when the key contains `acct` (floor-worker.mjs). */
const accountKeys = (system, n) => Array.from({ length: n }, (_, i) => `sk_test_${system === 'floor' ? 'floor_acct' : 'ceil'}${i}_${randomBytes(6).toString('hex')}`);

/** Creates `count` customers in the account of `key`; answers their ids. */
async function seedAccount(url, key, count) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const r = await fetch(`${url}/v1/customers`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: customerForm(i).toString(),
      signal: AbortSignal.timeout(30000),
    });
    const j = await r.json().catch(() => ({}));
    if (r.status !== 200 || !j.id) throw new Error(`seeding ${url}: HTTP ${r.status} ${JSON.stringify(j).slice(0, 200)}`);
    ids.push(j.id);
  }
  return ids;
}

/** `c` connections spread over the accounts, all at once: summed 2xx throughput, worst p50/p99. */
async function level(url, workload, accounts, c) {
  const per = accounts.map((_, i) => Math.floor(c / accounts.length) + (i < c % accounts.length ? 1 : 0));
  // A wrk run that fails (seen twice at the floor's eight accounts at c=128: wrk exited 0
  // with no report) makes the level `failed`, which ends the climb, rather than the bench.
  const runs = await Promise.all(
    accounts.map((a, i) => (per[i] > 0 ? runWrk({ url, workload, key: a.key, idsFile: a.idsFile, c: per[i], seconds: SECONDS }).catch((e) => ({ failed: e.message })) : null)),
  );
  const failed = runs.find((r) => r?.failed);
  if (failed) return { c, rps: 0, p50_ms: null, p99_ms: null, errors: 0, failed: failed.failed.slice(0, 200) };
  let ok = 0;
  let errors = 0;
  let p50 = 0;
  let p99 = 0;
  for (const r of runs.filter(Boolean)) {
    const seconds = r.duration_us / 1e6;
    ok += Math.max(0, r.requests - r.errors.status) / seconds;
    errors += r.errors.status + r.errors.timeout + r.errors.connect + r.errors.read + r.errors.write;
    p50 = Math.max(p50, r.latency_us.p50 / 1000);
    p99 = Math.max(p99, r.latency_us.p99 / 1000);
  }
  return { c, rps: Number(ok.toFixed(1)), p50_ms: Number(p50.toFixed(2)), p99_ms: Number(p99.toFixed(2)), errors };
}

/** Rising concurrency until throughput stops growing: every level measured, and the best. */
async function climb(url, workload, accounts, log) {
  const levels = [];
  let best = null;
  for (const c of LEVELS) {
    if (c < accounts.length) continue;
    let l = await level(url, workload, accounts, c);
    if (l.failed) {
      // One retry: a wrk run that answered nothing (it has exited 0 with no output) must not
      // end the climb, or leave a system with no level at all.
      log?.(`write ceiling ${workload} ${accounts.length} account(s) c=${c}: ${l.failed}; once more`);
      await sleep(1000);
      l = await level(url, workload, accounts, c);
    }
    levels.push(l);
    log?.(`write ceiling ${workload.padEnd(6)} ${String(accounts.length).padStart(1)} account(s) c=${String(c).padEnd(3)} ${l.failed ? `failed: ${l.failed}` : `${l.rps.toFixed(0).padStart(6)} writes/s  p50 ${l.p50_ms} ms  p99 ${l.p99_ms} ms${l.errors ? `  errors=${l.errors}` : ''}`}`);
    if (l.failed) break;
    await sleep(500);
    const grew = !best || l.rps > best.rps * GROWTH;
    if (!best || l.rps > best.rps) best = l;
    if (!grew) break;
  }
  return { levels, best };
}

/** About how long `measureWriteCeiling` takes, for a budget: the runs of the last whole
 *  bench climbed 25 levels in all (a level stops a climb once it gains under 5%). */
export function writeCeilingEstimateSeconds(systems = 2) {
  const levelsPerSystem = 13;
  return systems * levelsPerSystem * (SECONDS + 0.7) + 10;
}

/** Measures ours and the floor (`urls.ours`, `urls.floor`): creates and updates, one
 *  account and eight. Answers what goes under `write_ceiling` in results.json. */
export async function measureWriteCeiling({ urls, log = console.log, systems = ['ours', 'floor'] }) {
  const work = path.join(BENCH, 'work');
  fs.mkdirSync(work, { recursive: true });
  const out = { seconds_per_level: SECONDS, levels: LEVELS, growth_needed: GROWTH, stripe_limits: STRIPE_LIMITS, runs: [] };
  for (const system of systems) {
    for (const n of [1, 8]) {
      const accounts = [];
      for (const key of accountKeys(system, n)) {
        const ids = await seedAccount(urls[system], key, IDS_PER_ACCOUNT);
        const idsFile = path.join(work, `ceiling-${key}.txt`);
        fs.writeFileSync(idsFile, ids.join('\n') + '\n');
        accounts.push({ key, idsFile });
      }
      for (const workload of ['create', 'update']) {
        const { levels, best } = await climb(urls[system], workload, accounts, log);
        out.runs.push({ system, accounts: n, workload, levels, best });
      }
      for (const a of accounts) fs.rmSync(a.idsFile, { force: true });
    }
  }
  return out;
}

/** A climb's levels, as results.md lists them: `c: writes/s` each. */
const levelsText = (run) => run.levels.map((l) => `${l.c}: ${l.failed ? 'wrk failed' : Math.round(l.rps)}${l.errors ? ` (${l.errors} err)` : ''}`).join(', ');

/** The results.md sections of bench/write-ceiling.mjs and of the per-stage split of a write
 *  (`results.write_stages`, rows of {stage, …} measured by hand and added to results.json). */
export function renderWriteExtras(results) {
  const lines = [];
  const stages = results.write_stages;
  if (stages?.rows?.length) {
    lines.push(`## Where a write's time goes${stages.workload ? `: ${stages.workload}` : ''}`, '');
    if (stages.note) lines.push(stages.note, '');
    const cols = Object.keys(stages.rows[0]);
    lines.push(`| ${cols.join(' | ')} |`, `| ${cols.map((_, i) => (i ? '---:' : '---')).join(' | ')} |`);
    for (const row of stages.rows) lines.push(`| ${cols.map((k) => row[k] ?? '–').join(' | ')} |`);
    lines.push('');
  }
  const wc = results.write_ceiling;
  if (!wc?.runs?.length) return lines;
  lines.push("## One account's write ceiling", '');
  lines.push(
    `Writes per second (2xx) as concurrency rises (${wc.levels.join(', ')}; eight accounts: that many connections spread over them), ${wc.seconds_per_level} s a level, stopping once a level gains less than ${Math.round((wc.growth_needed - 1) * 100)}% on the best so far (bench/write-ceiling.mjs${wc.date ? `, ${wc.date.slice(0, 16).replace('T', ' ')} UTC` : ''}). Every write of one account passes through its AccountObject. For comparison, Stripe's documented limits, ${wc.stripe_limits.note} (${wc.stripe_limits.source}).`,
    '',
  );
  lines.push("| system | accounts | workload | best writes/s | at c | p50 ms | p99 ms | every level (c: writes/s) | Stripe's write limit for these accounts, live / test mode | best ÷ live limit |");
  lines.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
  for (const r of wc.runs) {
    const b = r.best;
    if (!b) {
      lines.push(`| ${r.system} | ${r.accounts} | ${r.workload} | – | – | – | – | ${levelsText(r)} (no level measured) | – | – |`);
      continue;
    }
    const live = wc.stripe_limits.live.write_per_s * r.accounts;
    const test = wc.stripe_limits.test.write_per_s * r.accounts;
    lines.push(`| ${r.system} | ${r.accounts} | ${r.workload} | ${Math.round(b.rps)} | ${b.c} | ${b.p50_ms} | ${b.p99_ms} | ${levelsText(r)} | ${live} / ${test} | ${(b.rps / live).toFixed(2)}× |`);
  }
  lines.push('');
  return lines;
}

// ---------------------------------------------------------------- standalone
async function main() {
  const root = path.resolve(BENCH, '..');
  if (!fs.existsSync(path.join(root, 'build', 'index.js'))) throw new Error('no build/: run `npm run build` first');
  const persist = path.join(BENCH, 'work', 'ceiling-state');
  fs.rmSync(persist, { recursive: true, force: true });
  const net = await import('node:net');
  const freePort = () => new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
  const ports = { ours: await freePort(), edge: await freePort(), ceiling: await freePort(), floor: await freePort() };
  const serve = await startServe({ name: 'write-ceiling', persist, ports });
  const { urls } = serve;
  const t0 = Date.now();
  const measured = await measureWriteCeiling({ urls });
  measured.date = new Date().toISOString();
  measured.machine = { nproc: os.availableParallelism?.() ?? os.cpus().length, loadavg_at_end: os.loadavg().map((v) => Number(v.toFixed(2))), seconds: Math.round((Date.now() - t0) / 1000) };
  await serve.close();
  const merged = mergeResults('write_ceiling', measured, 'write-ceiling');
  console.log('\n' + renderWriteExtras({ write_ceiling: measured }).join('\n'));
  console.log(merged ? 'merged into bench/results.json and bench/results.md' : 'no bench/results.json to merge into: kept in bench/work/write-ceiling.json');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

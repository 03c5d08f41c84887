#!/usr/bin/env node
// A quick side-by-side of builds against the floor worker, for work on the read path:
// one Miniflare holds the floor (bench/floor-worker.mjs) and one worker per build
// directory given; each is seeded with the same small set of customers, then wrk
// (bench/wrk.lua) runs each workload on each system in turn, several rounds, and the
// median throughput and p50 are printed as ratios to the floor. Not `npm run bench`:
// no peers, small store, seconds instead of minutes.
//
//   node bench/ab.mjs [--builds build,prof-build] [--workloads retrieve,list,list_email]
//                     [--c 32] [--seconds 2] [--rounds 3] [--edge] [--floor-stages object,index]
//                     [--settle 7] [--each]
// --floor-stages adds the floor cut short after a stage (`object`: the customer's object
// commits and answers; `index`: and the account's index call, no KV copy), as workers
// `floor-<stage>`: where a write's time goes, stage by stage (README, Benchmarks).
// --settle S waits S seconds after each run and reports workerd's CPU and write syscalls
// meanwhile (per request of the run) as `after_cpu_us` and `after_writes`. --each prints
// every run of every system. The systems take turns in rotation (round r starts with
// the r-th), so that each runs in each place of the order equally often: the place
// matters (a run pays for the alarms the writes of the runs before it set off).
// Measured on tmpfs (TMPDIR=/dev/shm), the floor's runs vary least (README, Benchmarks).
// All traffic goes to 127.0.0.1; every loop is bounded in count and in time.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { workerOptions } from '../tests/support/worker.mjs';
import { cliFlags, customerForm, floorWorker, median, procStat, threadsCpuNs, workerdChild } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const { flag, has } = cliFlags();
const builds = flag('--builds', 'build').split(',');
const workloads = flag('--workloads', 'retrieve,list,list_email').split(',');
const concurrency = flag('--c', '1,32').split(',').map(Number);
const seconds = Number(flag('--seconds', 2));
const rounds = Number(flag('--rounds', 3));
/** Seconds to wait after each run, measuring workerd meanwhile: a write's work after its
 *  answer (its KV copy, its job's alarm 5 s later) then lands in its own system's
 *  `after_*` columns instead of in the next system's run. 0: no wait. */
const settleSeconds = Number(flag('--settle', 0));
const SEED = 200;
const host = '127.0.0.1';

const base = workerOptions({ vars: { SANDBOX_MAX_CUSTOMERS: '0' } });
const template = base.workers[0];
const workers = builds.map((dir, i) => ({
  ...template,
  name: `ours-${i}`,
  scriptPath: path.resolve(root, dir, 'index.js'),
  bindings: { ...template.bindings, ...(has('--edge') ? { READ_CONSISTENCY: 'edge' } : {}) },
  unsafeDirectSockets: [{ host, port: 0 }],
}));
workers.push(floorWorker(template.compatibilityDate, { unsafeDirectSockets: [{ host, port: 0 }] }));
for (const stage of flag('--floor-stages', '').split(',').filter(Boolean)) {
  workers.push(floorWorker(template.compatibilityDate, { name: `floor-${stage}`, bindings: { FLOOR_STAGES: stage }, unsafeDirectSockets: [{ host, port: 0 }] }));
}
const mf = new Miniflare({ ...base, workers });
await mf.ready;
const work = path.join(here, 'work', 'ab');
fs.mkdirSync(work, { recursive: true });

const key = `sk_test_${randomBytes(12).toString('hex')}`;
const systems = [];
for (const w of workers) {
  const url = (await mf.unsafeGetDirectURL(w.name)).toString().replace(/\/$/, '');
  systems.push({ name: w.name.startsWith('floor') ? w.name : builds[workers.indexOf(w)], url, worker: w.name });
}

for (const s of systems) {
  let ids = [];
  if (s.name.startsWith('floor')) {
    const r = await fetch(`${s.url}/seed?from=0&to=${SEED}`, { method: 'POST' });
    ids = (await r.json()).ids;
  } else {
    // Each build gets its own account (keys are per system), seeded 16 at a time.
    s.key = `sk_test_${randomBytes(12).toString('hex')}`;
    for (let i = 0; i < SEED; i += 16) {
      const batch = [];
      for (let j = i; j < Math.min(SEED, i + 16); j++) {
        batch.push(
          fetch(`${s.url}/v1/customers`, { method: 'POST', headers: { Authorization: `Bearer ${s.key}` }, body: customerForm(j) }).then(
            async (r) => {
              if (r.status !== 200) throw new Error(`${s.name} seed: ${r.status} ${await r.text()}`);
              return (await r.json()).id;
            },
          ),
        );
      }
      ids.push(...(await Promise.all(batch)));
    }
  }
  s.ids = path.join(work, `${s.worker}.ids`);
  fs.writeFileSync(s.ids, ids.join('\n') + '\n');
  s.key ??= key;
}

/** Miniflare's workerd: every worker of this script runs in it. */
const workerdPid = workerdChild();
if (!workerdPid) throw new Error('ab: no workerd process under this one');

/** What workerd has used so far: CPU seconds (every thread's schedstat), system CPU
 *  seconds, and write syscalls (`syscw` of /proc/<pid>/io): the last two are what the
 *  runtime spends outside the isolate, on SQLite's commits above all. */
function workerdUsage() {
  return {
    cpu: threadsCpuNs([workerdPid]) / 1e9,
    sys: Number(procStat(workerdPid)?.fields[12] ?? 0) / 100,
    writes: Number(/^syscw: (\d+)$/m.exec(fs.readFileSync(`/proc/${workerdPid}/io`, 'utf8'))?.[1] ?? 0),
  };
}

/** What workerd used between two `workerdUsage()`s, per request of a run of `requests`. */
function usedPerRequest(before, after, requests) {
  const per = Math.max(1, requests);
  return { cpuUs: ((after.cpu - before.cpu) * 1e6) / per, sysUs: ((after.sys - before.sys) * 1e6) / per, writes: (after.writes - before.writes) / per };
}

function wrk(s, workload, c) {
  const before = workerdUsage();
  return new Promise((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${c}`, `-d${seconds}s`, '--timeout', '30s', '-s', path.join(here, 'wrk.lua'), s.url],
      {
        env: { ...process.env, BENCH_WORKLOAD: workload, BENCH_KEY: s.key, BENCH_IDS: s.ids, BENCH_N: String(SEED), BENCH_TAG: randomBytes(4).toString('hex') },
        timeout: (seconds + 40) * 1000,
      },
      (err, stdout) => {
        if (err) return reject(err);
        const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
        const r = JSON.parse(line.slice('BENCH_RESULT '.length));
        const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
        const used = usedPerRequest(before, workerdUsage(), r.requests);
        resolve({ rps: (r.requests - r.errors.status) / (r.duration_us / 1e6), p50: r.latency_us.p50 / 1000, p99: r.latency_us.p99 / 1000, errors, ...used, requests: r.requests });
      },
    );
  }).then((run) => settle(run));
}

/** Waits `settleSeconds` after a run and adds what workerd did meanwhile, per request of
 *  the run: `afterCpuUs` and `afterWrites`. */
async function settle(run) {
  if (!settleSeconds) return { ...run, afterCpuUs: 0, afterWrites: 0 };
  const before = workerdUsage();
  await new Promise((r) => setTimeout(r, settleSeconds * 1000));
  const after = usedPerRequest(before, workerdUsage(), run.requests);
  return { ...run, afterCpuUs: after.cpuUs, afterWrites: after.writes };
}

const table = [];
/** Each run of each system, for --each (the rounds one by one, in their order). */
const eachRun = new Map();
for (const workload of workloads) {
  for (const c of concurrency) {
    const got = new Map(systems.map((s) => [s.name, []]));
    for (let r = 0; r < rounds; r++) {
      const order = systems.map((_, i) => systems[(i + r) % systems.length]);
      for (const s of order) got.get(s.name).push(await wrk(s, workload, c));
    }
    for (const [name, runs] of got) eachRun.set(`${workload} c=${c} ${name}`, runs);
    const floor = got.get('floor');
    const floorRps = median(floor.map((x) => x.rps));
    const floorP50 = median(floor.map((x) => x.p50));
    for (const s of systems) {
      const runs = got.get(s.name);
      const rps = median(runs.map((x) => x.rps));
      const p50 = median(runs.map((x) => x.p50));
      const p99 = median(runs.map((x) => x.p99));
      const errors = runs.reduce((n, x) => n + x.errors, 0);
      const cpu = median(runs.map((x) => x.cpuUs));
      const sys = median(runs.map((x) => x.sysUs));
      const writes = median(runs.map((x) => x.writes));
      const floorCpu = median(floor.map((x) => x.cpuUs));
      const row = { workload, c, system: s.name, rps: Math.round(rps), p50: p50.toFixed(3), p99: p99.toFixed(1), vs_floor: `${((rps / floorRps) * 100).toFixed(0)}%`, p50_minus_floor: (p50 - floorP50).toFixed(3), workerd_cpu_us: Math.round(cpu), cpu_vs_floor: `${((cpu / floorCpu) * 100).toFixed(0)}%`, sys_us: Math.round(sys), writes_per_request: writes.toFixed(1), errors };
      if (settleSeconds) {
        row.after_cpu_us = Math.round(median(runs.map((x) => x.afterCpuUs)));
        row.after_writes = median(runs.map((x) => x.afterWrites)).toFixed(1);
      }
      table.push(row);
    }
  }
}
console.table(table);
if (has('--each')) {
  for (const [name, runs] of eachRun) console.log(name, runs.map((x) => `${Math.round(x.rps)}/s ${Math.round(x.cpuUs)}µs`).join('  '));
}
fs.writeFileSync(path.join(work, 'ab.json'), JSON.stringify({ date: new Date().toISOString(), builds, table }, null, 2));
await mf.dispose();

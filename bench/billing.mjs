#!/usr/bin/env node
// Billing's cost, in two measurements (bench/README.md, "Billing"):
//
//  1. Advancing a test clock. A clock at 2024-01-15 with C customers, each with one
//     monthly subscription paid by pm_card_visa, is advanced by P monthly periods: P/2
//     advances of two months (the most one advance may go), each polled (GET the clock
//     every POLL_MS) until the clock is `ready` at its target. Timed: from the first
//     advance request until the clock is seen ready at the last target ("clock"); and the
//     same ticks sent directly, customer after customer, through `POST /bench/bill`
//     ("direct": no alarm to wait for, no polling). A fresh account, clock and customers
//     every repetition; the configurations take turns, so drift on the machine reaches
//     them all alike. The worker's CPU time is measured beside the wall time. C × P:
//     1 × 12, 2 × 12, 3 × 12, 3 × 2, 3 × 6, and 0 × 12 (clock only: what an advance costs
//     by itself: the request, the AccountObject's alarm, the polling).
//  2. A real-time renewal. Without a clock, a renewal is the CustomerObject's `billing`
//     alarm job sending its object `billing.tick` at the due time; the bench-only
//     `POST /bench/bill {customer, to}` (src/bench_bulk.rs: the bench's build, build-bench/,
//     with BENCH_BULK=true)
//     sends that same command with the `to` it is given. For each of N fresh customers
//     (a subscription created now, untimed), side by side: a plain customer update
//     (`POST /v1/customers/{id}` metadata, the reference), a tick with nothing due (to =
//     now), the `invoice.upcoming` notice's tick (to = current_period_end − 3 days) and
//     the renewal's tick (to = current_period_end + 3601 s: the renewal's draft, its
//     finalization an hour later and the charge), one request at a time with a pause
//     between them, in an order that alternates. Each renewal is checked afterwards (two
//     invoices, both paid).
//
//   node bench/billing.mjs [--reps 7] [--renewals 40] [--budget 120]   (npm run bench:billing)
//
// Standalone it starts bench/serve.mjs on build-bench/ with BENCH_BULK=true (state persisted under
// bench/work/billing-state, wiped first and deleted at the end), merges `billing` into
// bench/results.json and rewrites results.md (`node bench/run.mjs --render`), keeps its own
// copy in bench/work/billing.json and prints its tables. scripts/bench.sh runs it after
// run.mjs. 127.0.0.1 only; every loop is bounded in count and in time (--budget seconds
// for the whole measurement: repetitions stop early, and say so, when it is spent).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cliFlags, cpuSnapshot, descendants, foreignCores, mergeResults, startServe, threadsCpuNs } from './support.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const DAY = 86_400;
const HOUR = 3_600;
/** 2024-01-15 00:00:00 UTC: the clocks' start. */
const T0_MS = Date.UTC(2024, 0, 15);
const POLL_MS = 20;
const ADVANCE_TIMEOUT_MS = 60_000; // one advance that takes longer fails the run
const PAUSE_MS = 25; // between the timed requests of part 2
/** [customers, periods]: the clock configurations of part 1. */
const CLOCK_CONFIGS = [
  [0, 12],
  [1, 12],
  [3, 12],
  [2, 12],
  [3, 2],
  [3, 6],
];
/** The requests of part 2, in the order of an even customer (an odd one runs them reversed
 *  but for the notice, which must come before its renewal). */
const RENEWAL_KINDS = [
  ['update', 'customer update (POST /v1/customers/{id}, metadata): the reference'],
  ['tick_idle', 'billing.tick, nothing due (to = now)'],
  ['tick_notice', 'billing.tick: the invoice.upcoming notice (to = period end − 3 days)'],
  ['tick_renewal', 'billing.tick: the renewal (to = period end + 3601 s: draft, finalization, charge)'],
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const unix = (ms) => Math.floor(ms / 1000);
/** The start of month `k` after the clocks' start (15th of the month, UTC). */
const month = (k) => unix(Date.UTC(2024, k, 15));

// ---------------------------------------------------------------- HTTP
/** One request to our worker; `form` is sent form-encoded, `json` as JSON. Answers
 *  {status, json, ms}, `ms` being the request's wall time. */
async function call(url, key, method, route, { form, json } = {}) {
  const headers = { Authorization: `Bearer ${key}` };
  let body;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  } else if (json) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  for (let attempt = 0; ; attempt++) {
    const t = performance.now();
    try {
      const r = await fetch(url + route, { method, headers, body, signal: AbortSignal.timeout(30000) });
      const text = await r.text();
      const ms = performance.now() - t;
      let parsed;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: r.status, json: parsed, text, ms };
    } catch (error) {
      // workerd sometimes closes a kept-alive connection between two requests; undici finds
      // out only when it reuses it, and such a request never reached the server (run.mjs).
      if (error?.cause?.code !== 'UND_ERR_SOCKET' || performance.now() - t > 100 || attempt >= 2) throw error;
    }
  }
}

/** `call`, failing unless it answers 200. */
async function ok(url, key, method, route, options) {
  const r = await call(url, key, method, route, options);
  if (r.status !== 200) throw new Error(`${method} ${route}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
  return r;
}

const newKey = (label) => `sk_test_bill${label}${randomBytes(8).toString('hex')}`;

async function monthlyPrice(url, key) {
  const price = await ok(url, key, 'POST', '/v1/prices', {
    form: { currency: 'usd', unit_amount: '2000', 'recurring[interval]': 'month', 'product_data[name]': 'Gold' },
  });
  return price.json.id;
}

/** A customer paying by pm_card_visa (on `clock`, if any) with one monthly subscription. */
async function subscribedCustomer(url, key, price, clock) {
  const form = { payment_method: 'pm_card_visa', 'invoice_settings[default_payment_method]': 'pm_card_visa' };
  if (clock) form.test_clock = clock;
  const customer = (await ok(url, key, 'POST', '/v1/customers', { form })).json;
  const sub = (await ok(url, key, 'POST', '/v1/subscriptions', { form: { customer: customer.id, 'items[0][price]': price } })).json;
  if (sub.status !== 'active') throw new Error(`subscription ${sub.id} is ${sub.status}, not active`);
  return { id: customer.id, sub };
}

/** The customer's invoices: [status, …], newest first. */
async function invoiceStatuses(url, key, customer) {
  const list = (await ok(url, key, 'GET', `/v1/invoices?customer=${customer}&limit=100`)).json;
  return list.data.map((i) => i.status);
}

// ---------------------------------------------------------------- the machine
/** The worker's processes (serve.mjs and its workerd), whose CPU time is measured. */
let serverPids = [];
/** CPU time (ms, from each thread's schedstat: nanoseconds) of the worker's processes so
 *  far: unlike wall time, barely moved by other work on the machine. Null if unknown. */
function serverCpuMs() {
  return serverPids.length ? threadsCpuNs(serverPids) / 1e6 : null;
}
// ---------------------------------------------------------------- statistics
function quantile(sorted, q) {
  if (!sorted.length) return null;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}
/** p50, p10, p90, min, max, mean of `values` (ms), rounded. */
function summary(values) {
  const s = [...values].sort((a, b) => a - b);
  const r = (v) => (v == null ? null : Number(v.toFixed(2)));
  return {
    n: s.length,
    p50_ms: r(quantile(s, 0.5)),
    p10_ms: r(quantile(s, 0.1)),
    p90_ms: r(quantile(s, 0.9)),
    min_ms: r(s[0]),
    max_ms: r(s[s.length - 1]),
    mean_ms: r(s.reduce((a, v) => a + v, 0) / Math.max(1, s.length)),
  };
}

// ---------------------------------------------------------------- 1. clock advances
/** The two ways a run's advances are driven: by the clock (`advance`, then GET until
 *  ready), or directly: the same `billing.tick` to the same targets, customer after
 *  customer as the AccountObject's alarm sends them, through `POST /bench/bill` (answered
 *  when the tick is done: no alarm to wait for, no polling's granularity). */
const MODES = ['clock', 'direct'];

/** One repetition of a configuration: a fresh clock, its customers (in the account of
 *  `key`); answers the timed run. */
async function clockRun(url, key, price, customers, periods, mode) {
  const clock = (await ok(url, key, 'POST', '/v1/test_helpers/test_clocks', { form: { frozen_time: String(unix(T0_MS)) } })).json.id;
  const ids = [];
  for (let i = 0; i < customers; i++) ids.push((await subscribedCustomer(url, key, price, clock)).id);
  const advances = [];
  let polls = 0;
  const cpu0 = serverCpuMs();
  const t0 = performance.now();
  for (let k = 2; k <= periods; k += 2) {
    const target = month(k);
    const started = performance.now();
    if (mode === 'direct') {
      for (const id of ids) await ok(url, key, 'POST', '/bench/bill', { json: { customer: id, to: target } });
    } else {
      const answer = await ok(url, key, 'POST', `/v1/test_helpers/test_clocks/${clock}/advance`, { form: { frozen_time: String(target) } });
      if (answer.json.status !== 'advancing') throw new Error(`advance of ${clock}: status ${answer.json.status}`);
      for (;;) {
        if (performance.now() - started > ADVANCE_TIMEOUT_MS) throw new Error(`clock ${clock} not ready at ${target} within ${ADVANCE_TIMEOUT_MS} ms`);
        await sleep(POLL_MS);
        polls++;
        const c = (await ok(url, key, 'GET', `/v1/test_helpers/test_clocks/${clock}`)).json;
        if (c.status === 'ready' && c.frozen_time === target) break;
      }
    }
    advances.push(Number((performance.now() - started).toFixed(1)));
  }
  const ms = performance.now() - t0;
  const cpu = cpu0 == null ? null : Number((serverCpuMs() - cpu0).toFixed(1));
  // Every customer billed every period: the first invoice and P renewals, the last a draft
  // (it is finalized an hour after the renewal that made it, past the target).
  for (const id of ids) {
    const statuses = await invoiceStatuses(url, key, id);
    const paid = statuses.filter((s) => s === 'paid').length;
    if (statuses.length !== periods + 1 || paid !== periods || statuses[0] !== 'draft') {
      throw new Error(`customer ${id} after ${periods} periods (${mode}): invoices ${statuses.join(',')}`);
    }
  }
  return { ms: Number(ms.toFixed(1)), cpu_ms: cpu, advances_ms: advances, polls };
}

/** A fresh account (and its monthly price) for each run: one account for them all would
 *  reach the sandbox's cap of 10,000 events within a few repetitions, and from then on every
 *  write would also pay for trimming the oldest (a scan of the kept events each time,
 *  `events_log::enforce_cap`), which measured 2–3× the CPU of the same advance below the cap. */
async function freshAccount(url) {
  const key = newKey('clock');
  return { key, price: await monthlyPrice(url, key) };
}

async function measureClocks(url, { reps, deadline, log }) {
  // Warm-up, untimed: one small run of each mode, so that no timed one pays a first use.
  for (const mode of MODES) {
    const { key, price } = await freshAccount(url);
    await clockRun(url, key, price, 1, 2, mode);
  }
  // Every (configuration, mode) but the direct run of no customers (nothing to send).
  const tasks = CLOCK_CONFIGS.flatMap(([c, p]) => MODES.filter((m) => c > 0 || m === 'clock').map((m) => [c, p, m]));
  const runs = new Map(tasks.map((t) => [t.join(':'), []]));
  let stopped = null;
  for (let rep = 0; rep < reps && !stopped; rep++) {
    // The tasks take turns, starting at a different one each repetition.
    for (let j = 0; j < tasks.length; j++) {
      if (Date.now() > deadline) {
        stopped = `the budget was spent after ${rep} full repetition(s)`;
        break;
      }
      const [customers, periods, mode] = tasks[(rep * 5 + j) % tasks.length];
      const { key, price } = await freshAccount(url);
      const before = cpuSnapshot();
      const run = await clockRun(url, key, price, customers, periods, mode);
      run.foreign_cores = Number(foreignCores(before, cpuSnapshot()).toFixed(2));
      runs.get([customers, periods, mode].join(':')).push(run);
      log(`${mode.padEnd(6)} ${customers} customer(s) × ${String(periods).padStart(2)} periods (${periods / 2} advances): ${run.ms.toFixed(0).padStart(5)} ms, worker CPU ${String(run.cpu_ms?.toFixed(0)).padStart(4)} ms  [${run.advances_ms.map((v) => v.toFixed(0)).join(', ')}]${run.foreign_cores >= 0.25 ? `  (other work: ${run.foreign_cores} cores)` : ''}`);
    }
  }
  const rows = tasks.map(([customers, periods, mode]) => {
    const rs = runs.get([customers, periods, mode].join(':'));
    const s = summary(rs.map((r) => r.ms));
    const cpu = rs.every((r) => r.cpu_ms != null) ? summary(rs.map((r) => r.cpu_ms)) : null;
    return {
      mode,
      customers,
      periods,
      advances: periods / 2,
      customer_periods: customers * periods,
      ...s,
      per_advance_p50_ms: s.p50_ms == null ? null : Number((s.p50_ms / (periods / 2)).toFixed(1)),
      // The worker's CPU time over the same window (its polls' GETs included for the clock).
      cpu_p50_ms: cpu?.p50_ms ?? null,
      cpu_min_ms: cpu?.min_ms ?? null,
      cpu_max_ms: cpu?.max_ms ?? null,
      polls_p50: mode === 'clock' ? quantile(rs.map((r) => r.polls).sort((a, b) => a - b), 0.5) : undefined,
      // The p50 of the k-th advance over the runs: does an advance cost more as the
      // customers' books grow (every earlier invoice is still in the book)?
      advance_p50_ms: Array.from({ length: periods / 2 }, (_, k) => summary(rs.map((r) => r.advances_ms[k]).filter((v) => v != null)).p50_ms),
      max_foreign_cores: Math.max(0, ...rs.map((r) => r.foreign_cores)),
      mean_foreign_cores: Number((rs.reduce((a, r) => a + r.foreign_cores, 0) / Math.max(1, rs.length)).toFixed(2)),
      runs: rs.map(({ advances_ms, ...run }) => run), // each advance: advance_p50_ms
    };
  });
  // On a shared machine other work comes and goes: the fastest run of each (`min`) is the
  // one it disturbed least, so growth is given from the minima as well as the medians.
  const growth = Object.fromEntries(
    MODES.map((m) => {
      const own = rows.filter((r) => r.mode === m);
      return [m, { p50: clockGrowth(own, m === 'clock', 'p50_ms'), min: clockGrowth(own, m === 'clock', 'min_ms'), cpu: clockGrowth(own, m === 'clock', 'cpu_p50_ms') }];
    }),
  );
  return { poll_ms: POLL_MS, start: unix(T0_MS), reps_wanted: reps, stopped_early: stopped, rows, growth };
}

/** How `stat` (p50_ms or min_ms) grows: with customers at 12 periods, with periods at 3
 *  customers, and per customer-period; for the clock, also once an advance's own cost (the
 *  empty clock's) is taken off. */
function clockGrowth(rows, withEmpty, stat) {
  const at = (c, p) => rows.find((r) => r.customers === c && r.periods === p)?.[stat] ?? null;
  const empty = withEmpty ? at(0, 12) : 0;
  const perAdvance = empty == null ? null : empty / 6;
  // The time less what the advances cost by themselves (null when that leaves nothing:
  // the polling's granularity is as large as a small run).
  const net = (c, p) => {
    const v = at(c, p) == null || perAdvance == null ? null : at(c, p) - perAdvance * (p / 2);
    return v != null && v > 0 ? v : null;
  };
  const r2 = (v) => (v == null || !Number.isFinite(v) ? null : Number(v.toFixed(2)));
  const ratio = (a, b) => (a == null || b == null ? null : r2(a / b));
  const slope = (a, b, n) => (a == null || b == null ? null : r2((a - b) / n));
  const perCp = rows
    .filter((r) => r.customers > 0 && r[stat] != null)
    .map((r) => ({ customers: r.customers, periods: r.periods, ms_per_customer_period: r2(r[stat] / r.customer_periods), net_ms_per_customer_period: withEmpty ? r2(net(r.customers, r.periods) / r.customer_periods) : undefined }));
  return {
    empty_clock_ms_per_advance: withEmpty ? r2(perAdvance) : undefined,
    per_customer_period: perCp,
    customers_1_to_2: { expected_linear: 2, time_ratio: ratio(at(2, 12), at(1, 12)), net_ratio: withEmpty ? ratio(net(2, 12), net(1, 12)) : undefined, marginal_ms_per_customer_period: slope(at(2, 12), at(1, 12), 1 * 12) },
    customers_1_to_3: { expected_linear: 3, time_ratio: ratio(at(3, 12), at(1, 12)), net_ratio: withEmpty ? ratio(net(3, 12), net(1, 12)) : undefined, marginal_ms_per_customer_period: slope(at(3, 12), at(1, 12), 2 * 12) },
    periods_2_to_12: { expected_linear: 6, time_ratio: ratio(at(3, 12), at(3, 2)), net_ratio: withEmpty ? ratio(net(3, 12), net(3, 2)) : undefined, marginal_ms_per_customer_period: slope(at(3, 12), at(3, 2), 3 * 10) },
    periods_6_to_12: { expected_linear: 2, time_ratio: ratio(at(3, 12), at(3, 6)), net_ratio: withEmpty ? ratio(net(3, 12), net(3, 6)) : undefined, marginal_ms_per_customer_period: slope(at(3, 12), at(3, 6), 3 * 6) },
  };
}

// ---------------------------------------------------------------- 2. real-time renewals
async function measureRenewals(url, { count, deadline, log }) {
  const key = newKey('renew');
  const price = await monthlyPrice(url, key);
  const bill = (customer, to) => call(url, key, 'POST', '/bench/bill', { json: { customer, to } });
  // The path must be there (BENCH_BULK=true) and run the tick: one warm-up customer,
  // untimed, also counts the events of a renewal's tick (after its notice's).
  const warm = await subscribedCustomer(url, key, price);
  const probe = await bill(warm.id, warm.sub.current_period_end - 3 * DAY);
  if (probe.status !== 200) throw new Error(`POST /bench/bill: HTTP ${probe.status} ${probe.text.slice(0, 200)} (is BENCH_BULK on?)`);
  const eventsBefore = (await ok(url, key, 'GET', '/v1/events?limit=100')).json.data.length;
  await ok(url, key, 'POST', '/bench/bill', { json: { customer: warm.id, to: warm.sub.current_period_end + HOUR + 1 } });
  const renewalEvents = (await ok(url, key, 'GET', '/v1/events?limit=100')).json.data.length - eventsBefore;
  await ok(url, key, 'POST', `/v1/customers/${warm.id}`, { form: { 'metadata[warm]': '1' } });
  const samples = Object.fromEntries(RENEWAL_KINDS.map(([k]) => [k, []]));
  const cpuSamples = Object.fromEntries(RENEWAL_KINDS.map(([k]) => [k, []]));
  let stopped = null;
  const before = cpuSnapshot();
  for (let i = 0; i < count; i++) {
    if (Date.now() > deadline) {
      stopped = `the budget was spent after ${i} customer(s)`;
      break;
    }
    const { id, sub } = await subscribedCustomer(url, key, price);
    const end = sub.current_period_end;
    const run = {
      update: () => call(url, key, 'POST', `/v1/customers/${id}`, { form: { 'metadata[bench]': String(i) } }),
      tick_idle: () => bill(id, unix(Date.now())),
      tick_notice: () => bill(id, end - 3 * DAY),
      tick_renewal: () => bill(id, end + HOUR + 1),
    };
    const order = i % 2 === 0 ? ['update', 'tick_idle', 'tick_notice', 'tick_renewal'] : ['tick_idle', 'tick_notice', 'tick_renewal', 'update'];
    await sleep(PAUSE_MS);
    for (const kind of order) {
      // The worker's CPU time from the request to the end of the pause after it: its
      // work after the answer (the KV copy) included.
      const cpu0 = serverCpuMs();
      const r = await run[kind]();
      if (r.status !== 200) throw new Error(`${kind} of ${id}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      await sleep(PAUSE_MS);
      samples[kind].push(r.ms);
      if (cpu0 != null) cpuSamples[kind].push(serverCpuMs() - cpu0);
    }
    const statuses = await invoiceStatuses(url, key, id);
    if (statuses.length !== 2 || statuses.some((s) => s !== 'paid')) throw new Error(`customer ${id} after its renewal: invoices ${statuses.join(',')}`);
  }
  const foreign = Number(foreignCores(before, cpuSnapshot()).toFixed(2));
  const rows = RENEWAL_KINDS.map(([kind, label]) => {
    const cpu = cpuSamples[kind].length ? summary(cpuSamples[kind]) : null;
    return { kind, label, ...summary(samples[kind]), cpu_p50_ms: cpu?.p50_ms ?? null, cpu_p10_ms: cpu?.p10_ms ?? null, cpu_p90_ms: cpu?.p90_ms ?? null };
  });
  const p50 = (k) => rows.find((r) => r.kind === k).p50_ms;
  const cpuP50 = (k) => rows.find((r) => r.kind === k).cpu_p50_ms;
  const ratio = (a, b) => (a == null || !b ? null : Number((a / b).toFixed(2)));
  const out = {
    customers_wanted: count,
    stopped_early: stopped,
    pause_ms: PAUSE_MS,
    events_per_renewal: renewalEvents,
    foreign_cores: foreign,
    rows,
    renewal_over_update: ratio(p50('tick_renewal'), p50('update')),
    notice_over_update: ratio(p50('tick_notice'), p50('update')),
    idle_tick_over_update: ratio(p50('tick_idle'), p50('update')),
    renewal_minus_update_ms: Number((p50('tick_renewal') - p50('update')).toFixed(2)),
    cpu_renewal_over_update: ratio(cpuP50('tick_renewal'), cpuP50('update')),
  };
  log(`renewals: ${rows.map((r) => `${r.kind} p50 ${r.p50_ms} ms (CPU ${r.cpu_p50_ms} ms)`).join(', ')}; renewal ÷ update ${out.renewal_over_update}× (CPU ${out.cpu_renewal_over_update}×)`);
  return out;
}

// ---------------------------------------------------------------- both
/** Measures both on a worker with BENCH_BULK=true at `url`; answers what goes under
 *  `billing` in results.json. */
export async function measureBilling({ url, serverPid, reps = 7, renewals = 40, budgetS = 120, log = console.log }) {
  serverPids = serverPid ? [serverPid, ...descendants(serverPid)] : [];
  const t0 = Date.now();
  const deadline = t0 + budgetS * 1000;
  const load = os.loadavg().map((v) => Number(v.toFixed(2)));
  // The renewal part is the shorter: it gets the first third of the budget.
  const renewal = await measureRenewals(url, { count: renewals, deadline: t0 + (budgetS * 1000) / 3, log });
  const clocks = await measureClocks(url, { reps, deadline, log });
  return {
    date: new Date().toISOString(),
    machine: { nproc: os.availableParallelism?.() ?? os.cpus().length, loadavg_at_start: load, loadavg_at_end: os.loadavg().map((v) => Number(v.toFixed(2))), seconds: Math.round((Date.now() - t0) / 1000) },
    clocks,
    renewal,
  };
}

// ---------------------------------------------------------------- rendering
const ms = (v) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const times = (v) => (v == null ? '–' : `${v.toFixed(2)}×`);

/** The results.md section of `results.billing`. */
export function renderBilling(results) {
  const b = results.billing;
  if (!b) return [];
  const lines = ['## Billing', ''];
  const c = b.clocks;
  const when = `${b.date.slice(0, 16).replace('T', ' ')} UTC, load average ${b.machine.loadavg_at_start[0]} at start`;
  const row = (mode, customers, periods) => c.rows.find((r) => r.mode === mode && r.customers === customers && r.periods === periods);
  lines.push(
    `**Advancing a test clock** (bench/billing.mjs, ${when}): a clock with C customers, each with one monthly subscription paid by pm_card_visa, advanced P monthly periods in P/2 advances of two months, a fresh clock each run, the runs taking turns. *Clock*: wall time from the first advance request until the clock is seen \`ready\` at the last target (a GET every ${c.poll_ms} ms, so an advance is seen no sooner than that); the 0-customer row is what an advance costs by itself (the request, the AccountObject's alarm, the polling). *Direct*: the same \`billing.tick\` commands to the same targets, customer after customer as the alarm sends them, through the bench-only \`POST /bench/bill\`, each answered when done: the advances' work without the alarm and the polling. Worker CPU: the CPU time of serve.mjs and its workerd (every thread's schedstat) over the same window, which other work on the machine barely moves (for the clock it includes the polls).${c.stopped_early ? ` Stopped early: ${c.stopped_early}.` : ''}`,
    '',
    '| customers | periods | advances | runs (each mode) | clock p50 ms (min – max) | clock p50 per advance | direct p50 ms (min – max) | direct per customer-period, p50 / min | worker CPU p50 ms, clock / direct | direct CPU per customer-period | direct, each advance in turn, p50 ms | other work, mean cores (clock / direct) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  );
  for (const [customers, periods] of c.rows.filter((r) => r.mode === 'clock').map((r) => [r.customers, r.periods])) {
    const k = row('clock', customers, periods);
    const d = row('direct', customers, periods);
    const foreign = [k, d].filter(Boolean).map((r) => r.mean_foreign_cores);
    lines.push(
      `| ${customers} | ${periods} | ${periods / 2} | ${k.n} | ${ms(k.p50_ms)} (${ms(k.min_ms)} – ${ms(k.max_ms)}) | ${ms(k.per_advance_p50_ms)} | ${d ? `${ms(d.p50_ms)} (${ms(d.min_ms)} – ${ms(d.max_ms)})` : '–'} | ${d ? `${ms(d.p50_ms / d.customer_periods)} / ${ms(d.min_ms / d.customer_periods)}` : '–'} | ${ms(k.cpu_p50_ms)} / ${d ? ms(d.cpu_p50_ms) : '–'} | ${d?.cpu_p50_ms != null ? ms(d.cpu_p50_ms / d.customer_periods) : '–'} | ${d ? d.advance_p50_ms.map(ms).join(', ') : '–'} | ${foreign.join(' / ')} |`,
    );
  }
  const gk = c.growth.clock;
  const gd = c.growth.direct;
  lines.push(
    '',
    `Growth, as the ratio of two configurations' wall time (p50, and the minimum: the run other work disturbed least) and of the worker's CPU time (p50); the empty clock's advance takes ${ms(gk.p50.empty_clock_ms_per_advance)} ms (p50) by itself.`,
    '',
    '| growth | linear in customers × periods | clock p50 | clock min | direct p50 | direct min | direct CPU | direct: ms per added customer-period, p50 / min / CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [k, label] of [['customers_1_to_2', 'customers 1 → 2 (12 periods)'], ['customers_1_to_3', 'customers 1 → 3 (12 periods)'], ['periods_2_to_12', 'periods 2 → 12 (3 customers)'], ['periods_6_to_12', 'periods 6 → 12 (3 customers)']]) {
    lines.push(`| ${label} | ${gk.p50[k].expected_linear}× | ${times(gk.p50[k].time_ratio)} | ${times(gk.min[k].time_ratio)} | ${times(gd.p50[k].time_ratio)} | ${times(gd.min[k].time_ratio)} | ${times(gd.cpu?.[k].time_ratio)} | ${ms(gd.p50[k].marginal_ms_per_customer_period)} / ${ms(gd.min[k].marginal_ms_per_customer_period)} / ${ms(gd.cpu?.[k].marginal_ms_per_customer_period)} |`);
  }
  lines.push('');
  const rn = b.renewal;
  lines.push(
    `**A real-time renewal** (no clock: the work of the CustomerObject's \`billing\` alarm job, sent by the bench-only \`POST /bench/bill\`): for each of ${rn.rows[0].n} fresh customers with a monthly subscription created now, one request at a time with ${rn.pause_ms} ms between them, in alternating order. A tick is Worker → CustomerObject, the account's billing context (one AccountObject call), the work and one commit, then the account's index call with the events (a renewal's tick makes ${rn.events_per_renewal}); an update is Worker → CustomerObject, one commit, the index call. A tick with nothing due commits nothing. The worker's CPU time (serve.mjs and workerd, every thread's schedstat) runs from the request to the end of the pause after it, so it includes the work after the answer (the KV copy). Other work on the machine meanwhile: ${rn.foreign_cores} of ${b.machine.nproc} cores on average.${rn.stopped_early ? ` Stopped early: ${rn.stopped_early}.` : ''}`,
    '',
    '| request | n | p50 ms | p10 – p90 ms | mean ms | ÷ update p50 | worker CPU p50 ms | p10 – p90 | ÷ update CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const update = rn.rows.find((r) => r.kind === 'update');
  for (const r of rn.rows) {
    lines.push(`| ${r.label} | ${r.n} | ${ms(r.p50_ms)} | ${ms(r.p10_ms)} – ${ms(r.p90_ms)} | ${ms(r.mean_ms)} | ${times(r.p50_ms / update.p50_ms)} | ${ms(r.cpu_p50_ms)} | ${ms(r.cpu_p10_ms)} – ${ms(r.cpu_p90_ms)} | ${r.cpu_p50_ms != null ? times(r.cpu_p50_ms / update.cpu_p50_ms) : '–'} |`);
  }
  lines.push('');
  return lines;
}

// ---------------------------------------------------------------- standalone
async function main() {
  const { flag } = cliFlags();
  const reps = Number(flag('--reps', process.env.BENCH_BILLING_REPS || '7'));
  const renewals = Number(flag('--renewals', process.env.BENCH_BILLING_RENEWALS || '40'));
  const budgetS = Number(flag('--budget', process.env.BENCH_BILLING_SECONDS || '120'));
  const root = path.resolve(BENCH, '..');
  if (!fs.existsSync(path.join(root, 'build-bench', 'index.js'))) throw new Error('no build-bench/: run `bash scripts/build.sh --bench` first');
  const persist = path.join(BENCH, 'work', 'billing-state');
  fs.rmSync(persist, { recursive: true, force: true });
  const ports = { ours: 0, edge: 0, ceiling: 0, floor: 0 }; // 0: the system picks, serve.mjs reports
  const serve = await startServe({ name: 'billing', persist, ports, build: 'build-bench', vars: { BENCH_BULK: 'true' } });
  const { urls } = serve;
  const T = Date.now();
  const log = (...a) => console.log(`[billing ${((Date.now() - T) / 1000).toFixed(0).padStart(4)}s]`, ...a);
  let measured;
  try {
    measured = await measureBilling({ url: urls.ours, serverPid: serve.pid, reps, renewals, budgetS, log });
  } finally {
    await serve.close();
  }
  const merged = mergeResults('billing', measured, 'billing');
  console.log('\n' + renderBilling({ billing: measured }).join('\n'));
  console.log(merged ? 'merged into bench/results.json and bench/results.md' : 'no bench/results.json to merge into: kept in bench/work/billing.json');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

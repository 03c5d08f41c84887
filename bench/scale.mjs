// The scale benchmark: one account grown to 1,000,000 indexed customers through the
// bench-only bulk path (the bench's build, build-bench/, with `BENCH_BULK=true`, POST
// /bench/bulk: README, Benchmark), and at
// each size the cost of list, list by email and each search clause kind, measured with
// wrk at c=1 (and c=32 at the smallest and largest sizes), and a strong retrieve of one of
// the seeded customers' own objects. Writes bench/scale-results.json and bench/scale.svg
// (log-log: p50 at c=1 against the indexed size; the target is ≤ 1.5× the cost at 1,000).
//   node bench/scale.mjs [--sizes 1000,10000,100000,1000000] [--seconds 2]
//                        [--objects 100000] [--out scale]
//   node bench/scale.mjs --render [--out scale]   rewrites <out>.svg from <out>-results.json
// Its own Miniflare (ours from build-bench/ with BENCH_BULK on, and the ceiling worker for the tail
// latency comparison) runs in a child process (`--serve`), persisted on tmpfs
// (/dev/shm, removed at exit) or else under bench/work/scale/, on 127.0.0.1 only. Every
// loop is bounded in count and in time.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { customerForm, cliFlags, floorWorker, runWrk } from './support.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
// State on tmpfs where there is one: a new CustomerObject is a new SQLite file, and on this
// machine's disk its creation waits on fsync (100-300 objects a second, 100,000 would take
// 6-17 minutes); the reads measured here come from the page cache either way.
// The driver chooses; its `--serve` child inherits the choice through the environment.
const WORK = (process.env.SCALE_WORK ||= fs.existsSync('/dev/shm') ? `/dev/shm/edge-customers-scale-${process.pid}` : path.join(BENCH, 'work', 'scale'));
const HOST = '127.0.0.1';
const MARKER = 987654321; // the template customer is customerForm(MARKER)
const BATCH = 50000; // index rows per bulk command
const OBJECT_BATCH = 500; // customer objects per bulk command (a Worker request)
// workerd keeps an object open (its SQLite files, its memory) until it has been idle for
// about 10 s, and fails to open more databases (SQLITE_NOMEM) beyond about 3,000 open
// objects here: objects are created 250 a second (SCALE_OBJECT_RATE), 100,000 in 400 s.
const OBJECTS_PER_SECOND = Number(process.env.SCALE_OBJECT_RATE) || 250;
const PER_SECOND = 100; // seeded customers per second of `created`
const TARGET = 1.5; // cost at the largest size ÷ cost at the smallest
const { flag, has } = cliFlags();
// Where the results go: bench/<OUT>-results.json and bench/<OUT>.svg.
const OUT = flag('--out', 'scale');

/** The query kinds: a path with `{i}`, a random seeded customer with as many digits as
 *  the largest one, so that `name~'stomer {i}'` matches one customer as the others do. */
const KINDS = [
  ['list', 'list limit=10', '/v1/customers?limit=10'],
  ['list_email', 'list email=', '/v1/customers?limit=10&email=user{i}%40example.com'],
  ['email', "email:'USER{i}@…' (exact, any case)", q("email:'USER{i}@example.com'")],
  ['name', "name:'customer {i}' (exact)", q("name:'customer {i}'")],
  ['name_substring', "name~'stomer {i}'", q("name~'stomer {i}'")],
  ['phone', "phone:'+1555{i}' (no match)", q("phone:'+1555{i}'")],
  ['metadata', "metadata['ref']:'r{i}'", q("metadata['ref']:'r{i}'")],
  ['created', 'created>{t} (broad range)', q('created>1')],
  ['or', "email:'user{i}@…' OR metadata['ref']:'r{i}'", q("email:'user{i}@example.com' OR metadata['ref']:'r{i}'")],
  ['negation', "-name:'Customer {i}'", q("-name:'Customer {i}'")],
];
function q(query) {
  return `/v1/customers/search?limit=10&query=${encodeURIComponent(query).replaceAll('%7Bi%7D', '{i}')}`;
}

// ---------------------------------------------------------------- the child: Miniflare
async function serve() {
  const { Miniflare } = await import('miniflare');
  const { workerOptions } = await import('../tests/support/worker.mjs');
  const options = workerOptions({ persist: WORK, build: 'build-bench', vars: { SANDBOX_MAX_CUSTOMERS: '0', BENCH_BULK: 'true' } });
  const ours = options.workers[0];
  ours.unsafeDirectSockets = [{ host: HOST, port: 0 }];
  const ceiling = {
    name: 'ceiling',
    modules: true,
    scriptPath: path.join(BENCH, 'ceiling-worker.mjs'),
    compatibilityDate: ours.compatibilityDate,
    durableObjects: { CEILING_OBJECT: { className: 'CeilingObject', useSQLite: true } },
    unsafeDirectSockets: [{ host: HOST, port: 0 }],
  };
  const floor = floorWorker(ours.compatibilityDate, { unsafeDirectSockets: [{ host: HOST, port: 0 }] });
  options.workers = [ours, ceiling, floor];
  const mf = new Miniflare(options);
  const stop = async () => {
    await mf.dispose().catch(() => {});
    process.exit(0);
  };
  process.on('message', (m) => m === 'stop' && stop());
  process.on('disconnect', stop);
  await mf.ready;
  const url = async (name) => (await mf.unsafeGetDirectURL(name)).toString().replace(/\/$/, '');
  process.send({ ours: await url(ours.name), ceiling: await url('ceiling'), floor: await url('floor') });
}

// ---------------------------------------------------------------- the driver
async function main() {
  const sizes = (flag('--sizes', '1000,10000,100000,1000000')).split(',').map(Number);
  const seconds = Number(flag('--seconds', '2'));
  const maxObjects = Number(flag('--objects', '100000'));
  const tailSeconds = Number(flag('--tail-seconds', '5'));
  const deadline = Date.now() + Number(flag('--budget', '600')) * 1000;
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const t0 = performance.now();
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stopChild = () => child.connected && child.send('stop');
  process.on('exit', () => {
    child.kill('SIGKILL');
    if (WORK.startsWith('/dev/shm/')) fs.rmSync(WORK, { recursive: true, force: true });
  });
  const urls = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`the Miniflare child exited (${code})`)));
  });
  const key = `sk_test_scale${randomBytes(8).toString('hex')}`;
  const template = await post(urls.ours, '/v1/customers', key, customerForm(MARKER).toString(), 'application/x-www-form-urlencoded');
  const created = template.created - Math.ceil(sizes.at(-1) / PER_SECOND) - 10;
  const results = { meta: { date: new Date().toISOString(), seconds, sizes, target: TARGET, kinds: KINDS.map(([k, label]) => ({ key: k, label })) }, sizes: [] };
  let seeded = 0;
  for (const size of sizes) {
    if (Date.now() > deadline) break;
    const seedStart = performance.now();
    for (let from = seeded; from < size; from += BATCH) {
      const to = Math.min(size, from + BATCH);
      await post(urls.ours, '/bench/bulk', key, JSON.stringify({ op: 'index', template: template.id, marker: MARKER, from, to, created, per_second: PER_SECOND }), 'application/json');
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    log(`seeded ${seeded} → ${size} index rows in ${seedSeconds.toFixed(1)} s`);
    // What the account's alarm does after so many writes, run to its end before timing:
    // the trigram index merged into one segment (src/objects/account_object/search_upkeep.rs).
    const upkeepStart = performance.now();
    await post(urls.ours, '/bench/bulk', key, JSON.stringify({ op: 'upkeep' }), 'application/json');
    const upkeepSeconds = (performance.now() - upkeepStart) / 1000;
    log(`trigram index merged in ${upkeepSeconds.toFixed(1)} s`);
    const objectsTo = Math.min(size, maxObjects);
    const objectsFrom = Math.min(seeded, objectsTo);
    // The last size's retrieve cell woke objects: let the runtime close them first.
    if (objectsFrom > 0 && objectsFrom < objectsTo) await new Promise((r) => setTimeout(r, 12000));
    const objectsStart = performance.now();
    for (let from = objectsFrom; from < objectsTo; from += OBJECT_BATCH) {
      const due = objectsStart + ((from - objectsFrom) / OBJECTS_PER_SECOND) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      await post(urls.ours, '/bench/bulk', key, JSON.stringify({ op: 'objects', from, to: Math.min(objectsTo, from + OBJECT_BATCH) }), 'application/json');
    }
    const objectSeconds = (performance.now() - objectsStart) / 1000;
    if (objectsTo > objectsFrom) log(`customer objects ${objectsFrom} → ${objectsTo} in ${objectSeconds.toFixed(1)} s`);
    for (const i of [0, objectsTo - 1, Math.floor(Math.random() * objectsTo)]) await checkRetrieve(urls.ours, key, i);
    seeded = size;
    const row = { size: size + 1, objects: objectsTo + 1, seed_seconds: Number(seedSeconds.toFixed(2)), upkeep_seconds: Number(upkeepSeconds.toFixed(2)), object_seconds: Number(objectSeconds.toFixed(2)), cells: {} };
    // Customers with as many digits as the largest seeded: `stomer {i}` names one.
    const range = { from: Math.ceil(size / 10), to: size };
    for (const [kind, , pathTemplate] of KINDS) {
      await check(urls.ours, key, kind, pathTemplate, range.from);
      // The first size is the baseline: warm the isolate and the plan cache first.
      if (size === sizes[0]) await wrk(urls.ours, key, pathTemplate, range, 1, 1);
      row.cells[`${kind}@1`] = await wrk(urls.ours, key, pathTemplate, range, 1, seconds);
    }
    // c=32 at the smallest and the largest size only (the targets are p50 at c=1), after
    // every c=1 cell of the size: a c=1 cell right after a saturating one measured what
    // the saturation left behind (the largest size's did, and the smallest's had a
    // warm-up in between: the ratio of the two was skewed).
    if (size === sizes[0] || size === sizes.at(-1)) {
      for (const [kind, , pathTemplate] of KINDS) row.cells[`${kind}@32`] = await wrk(urls.ours, key, pathTemplate, range, 32, seconds);
    }
    // A strong retrieve of a seeded customer's own object, at c=1 (each request may wake
    // one of `objects` objects; c=32 would wake more than workerd keeps open here).
    const objectRange = { from: Math.floor(objectsTo / 10), to: objectsTo };
    row.cells['retrieve@1'] = await wrk(urls.ours, key, '/v1/customers/cus_B{i13}', objectRange, 1, seconds);
    row.cells['ceiling@32'] = await wrk(urls.ceiling, key, '/', range, 32, seconds);
    results.sizes.push(row);
    log(table(row));
    if (size === sizes[0] && tailSeconds > 0) results.tail = await tail(urls, key, range, size, tailSeconds);
  }
  results.meta.runtime_s = Number(((performance.now() - t0) / 1000).toFixed(1));
  results.targets = targets(results);
  fs.writeFileSync(path.join(BENCH, `${OUT}-results.json`), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(BENCH, `${OUT}.svg`), renderSvg(results));
  console.log(summary(results));
  stopChild();
  await new Promise((r) => setTimeout(r, 500));
  process.exit(0);
}

const log = (...a) => console.log(`[scale ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** POSTs `body`; a connection reset is retried (twice, each command is idempotent). */
async function post(url, route, key, body, type) {
  for (let attempt = 1; ; attempt++) {
    try {
      const r = await fetch(url + route, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': type, Connection: 'close' }, body, signal: AbortSignal.timeout(300000) });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`${route}: HTTP ${r.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text);
    } catch (error) {
      if (attempt >= 3 || !/fetch failed/.test(String(error))) throw error;
      log(`${route}: ${error.cause?.code || error}; again (attempt ${attempt + 1})`);
    }
  }
}

/** One request of a kind before it is timed: it must answer 200 with the expected rows. */
async function check(url, key, kind, pathTemplate, i) {
  const r = await fetch(url + pathTemplate.replaceAll('{i}', i), { headers: { Authorization: `Bearer ${key}` } });
  const body = await r.json();
  const n = body.data?.length;
  const expected = { list: 10, list_email: 1, email: 1, name: 1, name_substring: 1, phone: 0, metadata: 1, created: 10, or: 1, negation: 10 }[kind];
  if (r.status !== 200 || n !== expected) throw new Error(`${kind}: HTTP ${r.status}, ${n} rows (expected ${expected}): ${JSON.stringify(body).slice(0, 300)}`);
}

/** A seeded customer's object answers its retrieve with the seeded customer. */
async function checkRetrieve(url, key, i) {
  if (i < 0) return;
  const id = `cus_B${String(i).padStart(13, '0')}`;
  const r = await fetch(`${url}/v1/customers/${id}`, { headers: { Authorization: `Bearer ${key}` } });
  const body = await r.json();
  if (r.status !== 200 || body.id !== id || body.name !== `Customer ${i}` || body.metadata?.ref !== `r${i}`) throw new Error(`retrieve ${id}: HTTP ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
}

/** One wrk cell of the `path` workload: `{i}` drawn from `range`; its req/s (2xx),
 *  p50, p99 and maximum in ms, and its errors. */
async function wrk(url, key, pathTemplate, range, c, seconds) {
  const raw = await runWrk({ url, workload: 'path', key, n: range.to, from: range.from, c, seconds, prefix: pathTemplate });
  const failed = Object.values(raw.errors).reduce((a, b) => a + b, 0);
  const ms = (us) => Number((us / 1000).toFixed(3));
  return { rps: Number(((raw.requests - raw.errors.status) / (raw.duration_us / 1e6)).toFixed(1)), p50_ms: ms(raw.latency_us.p50), p99_ms: ms(raw.latency_us.p99), max_ms: ms(raw.latency_us.max), errors: failed };
}

/** List by email at c=32, `rounds` times in turn on ours, the floor worker (the same
 *  storage work in plain JS, seeded with the same customers), the ceiling worker, and the
 *  ceiling through one Durable Object (a constant asked of one object by RPC: the
 *  runtime's own path for every account-wide read): whether a p99 is ours or the
 *  runtime's. */
const TAIL_SYSTEMS = [
  ['ours', 'ours', null],
  ['floor', 'floor', null],
  ['ceiling', 'ceiling', '/'],
  ['ceiling_object', 'ceiling', '/object/'],
];
async function tail(urls, key, range, size, seconds, rounds = 3) {
  const seeded = await fetch(`${urls.floor}/seed?from=0&to=${size}`, { method: 'POST', signal: AbortSignal.timeout(300000) });
  if (seeded.status !== 200) throw new Error(`floor seed: HTTP ${seeded.status}`);
  // workerd closes the objects just seeded once they have been idle for about 10 s, all
  // at once, on the thread every worker shares: that pause belongs to no round.
  await new Promise((r) => setTimeout(r, 15000));
  const listByEmail = KINDS.find(([k]) => k === 'list_email')[2];
  const out = { seconds, rounds: [] };
  for (let r = 0; r < rounds; r++) {
    const round = {};
    for (const [system, worker, route] of TAIL_SYSTEMS) round[system] = await wrk(urls[worker], key, route ?? listByEmail, range, 32, seconds);
    out.rounds.push(round);
    const each = (field) => TAIL_SYSTEMS.map(([system]) => fmt(round[system][field])).join(' / ');
    log(`tail, list email= c=32 round ${r + 1} (ours / floor / ceiling / ceiling through one object): p99 ${each('p99_ms')} ms; p50 ${each('p50_ms')} ms; max ${each('max_ms')} ms`);
  }
  return out;
}

/** Each kind's p50 at c=1 at the largest size against the smallest. */
function targets(results) {
  const [first, last] = [results.sizes[0], results.sizes.at(-1)];
  if (!first || !last) return [];
  return KINDS.map(([kind, label]) => {
    const [a, b] = [first.cells[`${kind}@1`].p50_ms, last.cells[`${kind}@1`].p50_ms];
    return { kind, label, small: first.size, large: last.size, p50_small_ms: a, p50_large_ms: b, ratio: Number((b / a).toFixed(2)), pass: b / a <= TARGET };
  });
}

const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function table(row) {
  const lines = [`indexed ${row.size.toLocaleString('en-US')} (seeded in ${row.seed_seconds} s): kind  c=1 p50 ms / req/s   c=32 p50 / p99 ms / req/s`];
  for (const [kind] of KINDS) {
    const [a, b] = [row.cells[`${kind}@1`], row.cells[`${kind}@32`]];
    const at32 = b ? `${fmt(b.p50_ms).padStart(7)} / ${fmt(b.p99_ms).padStart(7)} / ${fmt(b.rps).padStart(6)}` : '      –';
    const errors = a.errors + (b?.errors ?? 0);
    lines.push(`  ${kind.padEnd(15)} ${fmt(a.p50_ms).padStart(7)} / ${fmt(a.rps).padStart(6)}   ${at32}${errors ? `  errors ${errors}` : ''}`);
  }
  const retrieve = row.cells['retrieve@1'];
  lines.push(`  retrieve of one of ${row.objects.toLocaleString('en-US')} objects, c=1: p50 ${fmt(retrieve.p50_ms)} ms / ${fmt(retrieve.rps)} req/s${retrieve.errors ? `  errors ${retrieve.errors}` : ''}`);
  const ceiling = row.cells['ceiling@32'];
  lines.push(`  ceiling worker c=32: p50 ${fmt(ceiling.p50_ms)} / p99 ${fmt(ceiling.p99_ms)} ms / ${fmt(ceiling.rps)} req/s`);
  return lines.join('\n');
}

function summary(results) {
  const lines = ['', '| query | p50 c=1 at ' + (results.targets[0]?.small ?? '–') + ' | at ' + (results.targets[0]?.large ?? '–') + ' | ratio | ≤ 1.5× |', '| --- | ---: | ---: | ---: | --- |'];
  for (const t of results.targets) lines.push(`| ${t.label} | ${fmt(t.p50_small_ms)} ms | ${fmt(t.p50_large_ms)} ms | ${t.ratio}× | ${t.pass ? 'pass' : '**FAIL**'} |`);
  const [first, last] = [results.sizes[0], results.sizes.at(-1)];
  if (first && last) lines.push('', `strong retrieve, c=1 p50: ${fmt(first.cells['retrieve@1'].p50_ms)} ms among ${first.objects.toLocaleString('en-US')} customer objects, ${fmt(last.cells['retrieve@1'].p50_ms)} ms among ${last.objects.toLocaleString('en-US')}`);
  lines.push('', `seeding (index rows, then customer objects): ${results.sizes.map((r) => `${r.size.toLocaleString('en-US')} (${r.seed_seconds} s, merged in ${r.upkeep_seconds ?? 0} s; objects to ${r.objects.toLocaleString('en-US')}: ${r.object_seconds} s)`).join(', ')}; whole run ${results.meta.runtime_s} s`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- the plot
/** Log-log lines of p50 at c=1 against the indexed size, one per kind, each labelled
 *  with its ratio largest ÷ smallest and pass/fail against the 1.5× target. */
function renderSvg(results) {
  const W = 760;
  const H = 460;
  const box = { l: 60, r: 250, t: 40, b: 50 };
  const pts = results.sizes.flatMap((r) => KINDS.map(([k]) => r.cells[`${k}@1`].p50_ms)).filter((v) => v > 0);
  const sizes = results.sizes.map((r) => r.size);
  const [x0, x1] = [Math.log10(Math.min(...sizes)), Math.log10(Math.max(...sizes)) || 1];
  const [y0, y1] = [Math.floor(Math.log10(Math.min(...pts))), Math.ceil(Math.log10(Math.max(...pts)))];
  const X = (v) => box.l + ((Math.log10(v) - x0) / (x1 - x0 || 1)) * (W - box.l - box.r);
  const Y = (v) => H - box.b - ((Math.log10(v) - y0) / (y1 - y0 || 1)) * (H - box.t - box.b);
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`, `<rect width="${W}" height="${H}" fill="white"/>`];
  out.push(`<text x="${box.l}" y="22" font-size="14">p50 latency at c=1 (ms) against customers in the index, log-log; target at the largest size ≤ ${TARGET}× the smallest</text>`);
  for (let e = y0; e <= y1; e++) {
    out.push(`<line x1="${box.l}" x2="${W - box.r}" y1="${Y(10 ** e)}" y2="${Y(10 ** e)}" stroke="#ddd"/><text x="${box.l - 6}" y="${Y(10 ** e) + 4}" text-anchor="end">${10 ** e}</text>`);
  }
  for (const s of sizes) out.push(`<line x1="${X(s)}" x2="${X(s)}" y1="${box.t}" y2="${H - box.b}" stroke="#eee"/><text x="${X(s)}" y="${H - box.b + 16}" text-anchor="middle">${s >= 1e6 ? `${Math.round(s / 1e5) / 10}M` : s >= 1e3 ? `${Math.round(s / 1e3)}k` : s}</text>`);
  out.push(`<text x="${(box.l + W - box.r) / 2}" y="${H - 12}" text-anchor="middle">customers in the account's index</text>`);
  KINDS.forEach(([kind], n) => {
    const line = results.sizes.map((r) => `${X(r.size).toFixed(1)},${Y(r.cells[`${kind}@1`].p50_ms).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${colors[n]}" stroke-width="2" points="${line}"/>`);
    const t = results.targets.find((x) => x.kind === kind);
    const y = box.t + 14 + n * 18;
    out.push(`<line x1="${W - box.r + 12}" x2="${W - box.r + 32}" y1="${y - 4}" y2="${y - 4}" stroke="${colors[n]}" stroke-width="3"/><text x="${W - box.r + 38}" y="${y}">${kind} ${t ? `${t.ratio}× ${t.pass ? 'pass' : 'FAIL'}` : ''}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

if (has('--serve')) await serve();
else if (has('--render')) fs.writeFileSync(path.join(BENCH, `${OUT}.svg`), renderSvg(JSON.parse(fs.readFileSync(path.join(BENCH, `${OUT}-results.json`), 'utf8'))));
else await main();

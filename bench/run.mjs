#!/usr/bin/env node
// The benchmark driver (`npm run bench` → scripts/bench.sh → here). It starts three
// systems side by side on 127.0.0.1, seeds them with the same customers, runs every
// workload against them interleaved with wrk (bench/wrk.lua), and writes
// bench/results.json, bench/results.md and bench/plot.svg. See bench/README.md.
//
//   ours         our build in workerd through Miniflare, state persisted on disk
//   localstripe  the PyPI package, in bench/.venv
//   ceiling      a worker that answers a constant customer, in the same Miniflare
//   floor        the same storage work as ours in plain JS (bench/floor-worker.mjs), in
//                the same Miniflare: the runtime plus Miniflare's storage simulation
//
// Knobs (environment): BENCH_DURATION seconds per cell (5), BENCH_SIZES (1000,10000,
// 50000), BENCH_CONCURRENCY (1,32), BENCH_BUDGET seconds for this script (default: what
// is left of 15 minutes since BENCH_STARTED_AT, the epoch second scripts/bench.sh began,
// else 600): seeding our worker stops early, and says so, when the cells still to run
// would not fit. BENCH_KEEP_STATE=1 keeps bench/work/state (the worker's persisted state)
// and localstripe's stores after the run; by default they are deleted at the end.
// All traffic goes to 127.0.0.1; every loop is bounded in count and in time.
import { spawn, fork, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import nodeHttp from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, '..');
const WORK = path.join(BENCH, 'work');
const LOGS = path.join(WORK, 'logs');
const PY = path.join(BENCH, '.venv', 'bin', 'python');
const HOST = '127.0.0.1';

let DURATION = Number(process.env.BENCH_DURATION || 3);
let SIZES = (process.env.BENCH_SIZES || '1000,10000,50000').split(',').map(Number);
let CONCURRENCY = (process.env.BENCH_CONCURRENCY || '1,32').split(',').map(Number);
const STARTED_AT = Number(process.env.BENCH_STARTED_AT || 0) * 1000 || Date.now();
const BUDGET_S = Number(process.env.BENCH_BUDGET || 0) || (process.env.BENCH_STARTED_AT ? 15 * 60 - 45 - (Date.now() - STARTED_AT) / 1000 : 600);
const SEED_CONCURRENCY = 32;
const SAMPLE_IDS = 1000; // ids used by retrieve and update
const SLOW_CELL_MAX_S = 12; // a cell of a slow system runs up to this long
const WRK_TIMEOUT_S = 60;
const BUSY_CORES = 0.25; // a cell during which other work used more than this is flagged

const T0 = Date.now();
const elapsed = () => (Date.now() - T0) / 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(`[bench ${elapsed().toFixed(0).padStart(4)}s]`, ...a);

// ---------------------------------------------------------------- processes
const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
function killAll() {
  // Every process under this one is the benchmark's own (workerd under serve.mjs too).
  let tree = [];
  try {
    tree = descendants(process.pid);
  } catch {}
  for (const pid of tree.reverse()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

const handedOut = new Set();
/** A free port of 127.0.0.1, never one handed out before in this run. */
async function freePort() {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, HOST, () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function logFile(name) {
  return fs.openSync(path.join(LOGS, name), 'a');
}

/** All processes as pid → {ppid, comm}. */
function processTable() {
  const table = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.set(Number(entry), { ppid, comm });
    } catch {}
  }
  return table;
}
function descendants(pid, table = processTable()) {
  const out = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift();
    for (const [child, info] of table) {
      if (info.ppid === p) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}
function statusKb(pid, field) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
/** utime, stime, cutime, cstime of a process, in clock ticks. */
function cpuTicks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { own: f[11] + f[12], reaped: f[13] + f[14] };
  } catch {
    return { own: 0, reaped: 0 };
  }
}
/** Busy CPU ticks of the whole machine, and of this run's own processes (this driver, its
 *  live descendants, and the children it has reaped). The difference is other work. */
function cpuSnapshot() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = f[0] + f[1] + f[2] + f[5] + f[6];
  const steal = f[7] || 0;
  let mine = 0;
  for (const pid of [process.pid, ...descendants(process.pid)]) mine += cpuTicks(pid).own;
  mine += cpuTicks(process.pid).reaped;
  return { busy, steal, mine, t: performance.now() };
}
const TICKS = 100; // USER_HZ
/** Cores taken from this benchmark between two snapshots: busy with other processes, or
 *  stolen by the hypervisor (a virtual machine's CPU that the host gave to someone else). */
function foreignCores(a, b) {
  const seconds = (b.t - a.t) / 1000;
  const others = Math.max(0, b.busy - a.busy - (b.mine - a.mine));
  return (others + (b.steal - a.steal)) / TICKS / seconds;
}

/** Peak RSS of the workerd processes under `pid` (and their children), and of `pid` itself. */
function workerdMemory(pid) {
  const table = processTable();
  const workerd = descendants(pid, table).filter((p) => table.get(p)?.comm === 'workerd');
  const tree = new Set(workerd);
  for (const w of workerd) for (const d of descendants(w, table)) tree.add(d);
  let hwm = 0;
  let rss = 0;
  for (const p of tree) {
    hwm += statusKb(p, 'VmHWM');
    rss += statusKb(p, 'VmRSS');
  }
  return { pids: [...tree], vmhwm_kb: hwm, vmrss_kb: rss, host_node_vmhwm_kb: statusKb(pid, 'VmHWM') };
}

// ---------------------------------------------------------------- HTTP helpers
async function http(url, { method = 'GET', key, body, timeoutMs = 30000 } = {}) {
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  let t = performance.now();
  let response;
  for (let attempt = 0; ; attempt++) {
    t = performance.now();
    try {
      response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
      break;
    } catch (error) {
      // workerd sometimes closes a kept-alive connection between two requests; undici
      // finds out only when it reuses it. Such a request never reached the server.
      if (error?.cause?.code !== 'UND_ERR_SOCKET' || performance.now() - t > 100 || attempt >= 2) throw error;
    }
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, text, json, ms: performance.now() - t };
}

/** A POST on a connection of its own (workerd sometimes resets a kept-alive connection
 *  after a long request); returns {status, json}. */
function postFresh(url, timeoutMs = 300000) {
  return new Promise((resolve, reject) => {
    const req = nodeHttp.request(url, { method: 'POST', agent: false, headers: { 'content-length': 0 }, timeout: timeoutMs }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `url` until it answers 200; returns ms since `t0` (performance.now() clock). */
async function firstSuccess(url, key, t0, limitMs = 120000) {
  while (performance.now() - t0 < limitMs) {
    try {
      const r = await http(url, { key, timeoutMs: 5000 });
      if (r.status === 200) return performance.now() - t0;
    } catch {}
    await sleep(5);
  }
  throw new Error(`no 200 from ${url} within ${limitMs} ms`);
}

const newKey = (label) => `sk_test_bench${label}${randomBytes(8).toString('hex')}`;

// Keep in step with customer_params() in localstripe_seed.py.
function seedParams(i) {
  return new URLSearchParams({
    name: `Customer ${i}`,
    email: `user${i}@example.com`,
    'metadata[ref]': `r${i}`,
    'metadata[tier]': `t${i % 10}`,
    'address[line1]': `${i} Main Street`,
    'address[city]': 'Springfield',
    'address[postal_code]': String(i % 100000).padStart(5, '0'),
    'address[country]': 'US',
  }).toString();
}

// ---------------------------------------------------------------- our worker (Miniflare)
async function startMiniflare(persist) {
  const ports = { ours: await freePort(), edge: await freePort(), ceiling: await freePort(), floor: await freePort() };
  const urls = Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, `http://${HOST}:${p}`]));
  const out = logFile('miniflare.log');
  const t0 = performance.now();
  const child = track(
    fork(path.join(BENCH, 'serve.mjs'), {
      cwd: ROOT,
      env: { ...process.env, BENCH_SERVE: JSON.stringify({ persist, ports }) },
      stdio: ['ignore', out, out, 'ipc'],
    }),
  );
  const ready = new Promise((resolve, reject) => {
    child.once('message', (m) => (m.ready ? resolve(performance.now() - t0) : reject(new Error(m.error))));
    child.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}); see bench/work/logs/miniflare.log`)));
  });
  ready.catch(() => {});
  return { child, urls, t0, ready };
}
async function stopMiniflare(mf) {
  if (mf.child.exitCode !== null) return;
  const exited = new Promise((r) => mf.child.once('exit', r));
  mf.child.send('stop');
  await Promise.race([exited, sleep(15000)]);
  if (mf.child.exitCode === null) mf.child.kill('SIGKILL');
}

// ---------------------------------------------------------------- localstripe
function localstripeVersion() {
  try {
    const lib = path.join(BENCH, '.venv', 'lib');
    for (const py of fs.readdirSync(lib)) {
      const dist = fs.readdirSync(path.join(lib, py, 'site-packages')).find((d) => /^localstripe-.*\.dist-info$/.test(d));
      if (dist) return dist.slice('localstripe-'.length, -'.dist-info'.length);
    }
  } catch {}
  return 'unknown';
}

class LocalstripeSeeder {
  // One long-lived python process grows the store; see localstripe_seed.py.
  constructor(dir) {
    this.dir = dir;
    const err = logFile('localstripe-seed.log');
    this.child = track(spawn(PY, [path.join(BENCH, 'localstripe_seed.py'), dir], { stdio: ['pipe', 'pipe', err] }));
    this.waiters = [];
    let buf = '';
    this.child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = line.match(/^done (\d+)/);
        if (m) this.waiters.shift()?.resolve(Number(m[1]));
      }
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`localstripe_seed.py exited (${code})`));
    });
  }
  build(size) {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.child.stdin.write(`${size}\n`);
    });
  }
  close() {
    this.child.stdin.end();
  }
}

class Localstripe {
  constructor(dir) {
    this.dir = dir;
    this.storeFile = path.join(dir, 'live.pickle');
    this.peakKb = 0;
    this.child = null;
    this.snapshot = null;
  }
  async start(snapshotSize) {
    await this.stop();
    this.snapshot = snapshotSize;
    fs.copyFileSync(path.join(this.dir, `store-${snapshotSize}.pickle`), this.storeFile);
    this.port = await freePort();
    this.url = `http://${HOST}:${this.port}`;
    const out = logFile('localstripe.log');
    const t0 = performance.now();
    this.child = track(
      spawn(PY, [path.join(BENCH, 'localstripe_serve.py'), String(this.port)], {
        env: { ...process.env, LOCALSTRIPE_STORE: this.storeFile },
        stdio: ['ignore', out, out],
      }),
    );
    const coldMs = await firstSuccess(`${this.url}/v1/customers?limit=1`, 'sk_test_localstripe', t0);
    this.stored = snapshotSize;
    return coldMs;
  }
  sampleMemory() {
    if (this.child?.exitCode === null) this.peakKb = Math.max(this.peakKb, statusKb(this.child.pid, 'VmHWM'));
  }
  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    this.sampleMemory();
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGKILL');
    await exited;
  }
}

// ---------------------------------------------------------------- seeding our worker
async function seedOurs(url, key, from, to, deadline, ids) {
  let next = from;
  let ok = 0;
  let failed = 0;
  const t = performance.now();
  async function worker() {
    while (next < to && Date.now() < deadline) {
      const i = next++;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const r = await http(`${url}/v1/customers`, { method: 'POST', key, body: seedParams(i), timeoutMs: 60000 });
          if (r.status === 200) {
            ok++;
            if (i < SAMPLE_IDS) ids[i] = r.json.id;
            break;
          }
          if (attempt === 2) failed++;
        } catch {
          if (attempt === 2) failed++;
        }
      }
    }
  }
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  return { reached: next, ok, failed, seconds: (performance.now() - t) / 1000 };
}

// ---------------------------------------------------------------- wrk
function runWrk({ url, workload, key, idsFile, n, c, seconds, prefix }) {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      BENCH_WORKLOAD: workload,
      BENCH_KEY: key || 'sk_test_ceiling',
      BENCH_IDS: idsFile || '',
      BENCH_N: String(n || 1),
      BENCH_TAG: randomBytes(4).toString('hex'),
      BENCH_PATH: prefix || '/v1/customers/',
    };
    const args = ['-t1', `-c${c}`, `-d${seconds}s`, '--timeout', `${WRK_TIMEOUT_S}s`, '-s', path.join(BENCH, 'wrk.lua'), url];
    const child = track(spawn('wrk', args, { env }));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) return reject(new Error(`wrk failed (${code}): ${err || out}`));
      resolve(JSON.parse(line.slice('BENCH_RESULT '.length)));
    });
  });
}

// ---------------------------------------------------------------- workloads
const WORKLOADS = {
  create: 'create (name, email, metadata, address)',
  retrieve: 'retrieve by id',
  update: 'update one metadata key',
  list: 'list limit=10',
  list_email: 'list limit=10&email=',
  search: "search metadata['ref']",
};

/** One request of `workload` against `sys` with Node fetch: checks that the answer is the real work. */
async function preflight(sys, workload, state) {
  const { url, key } = sys;
  const i = Math.floor((state.n - 1) / 2);
  const id = state.ids[Math.floor(state.ids.length / 2)];
  const prefix = sys.prefix || '/v1/customers/';
  let r;
  let problem = null;
  switch (workload) {
    case 'create':
      r = await http(`${url}/v1/customers`, {
        method: 'POST',
        key,
        body: 'name=Preflight&email=preflight%40example.com&metadata%5Bref%5D=p&address%5Bline1%5D=1+Main+Street',
      });
      if (sys.checks && !(r.json?.id?.startsWith('cus_') && r.json.email === 'preflight@example.com' && r.json.metadata?.ref === 'p' && r.json.address?.line1 === '1 Main Street')) problem = 'created customer does not echo its parameters';
      if (r.status === 200 && sys.checks) state.stored++;
      break;
    case 'retrieve':
      r = await http(`${url}${prefix}${id}`, { key });
      if (sys.checks && r.json?.id !== id) problem = 'retrieved another id';
      break;
    case 'update':
      r = await http(`${url}/v1/customers/${id}`, { method: 'POST', key, body: 'metadata%5Btier%5D=preflight' });
      if (sys.checks && r.json?.metadata?.tier !== 'preflight') problem = 'metadata not updated';
      break;
    case 'list':
      r = await http(`${url}/v1/customers?limit=10`, { key });
      if (sys.checks && r.json?.data?.length !== Math.min(10, state.stored)) problem = `list returned ${r.json?.data?.length} items`;
      break;
    case 'list_email':
      r = await http(`${url}/v1/customers?limit=10&email=user${i}%40example.com`, { key });
      if (sys.checks && !(r.json?.data?.length === 1 && r.json.data[0].email === `user${i}@example.com`)) problem = `email filter returned ${r.json?.data?.length} items`;
      break;
    case 'search':
      r = await http(`${url}/v1/customers/search?query=${encodeURIComponent(`metadata['ref']:'r${i}'`)}`, { key });
      if (sys.checks && !(r.json?.data?.length >= 1 && r.json.data[0].metadata?.ref === `r${i}`)) problem = 'search did not find the customer';
      break;
  }
  if (r.status !== 200) problem = `HTTP ${r.status}: ${r.text.slice(0, 160).replace(/\s+/g, ' ')}`;
  return { ms: r.ms, problem };
}

/** GETs every sampled id of `sys` once, 16 at a time. */
async function warmUp(sys) {
  const ids = fs.readFileSync(sys.idsFile, 'utf8').split('\n').filter(Boolean);
  const prefix = sys.prefix || '/v1/customers/';
  let next = 0;
  const deadline = Date.now() + 30000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < ids.length && Date.now() < deadline) {
        const id = ids[next++];
        try {
          await http(`${sys.url}${prefix}${id}`, { key: sys.key, timeoutMs: 10000 });
        } catch {}
      }
    }),
  );
}

/** After a cell: wait until `sys` answers again (its backlog drained). */
async function quiesce(sys, state) {
  const t = performance.now();
  try {
    await http(`${sys.url}${sys.probe}`, { key: sys.key, timeoutMs: sys.name === 'localstripe' ? 5000 : 120000 });
  } catch {
    if (sys.name === 'localstripe') {
      // Its writes pile up behind each other (each one pickles the whole store); rather
      // than wait minutes for a backlog nobody reads, restart it from this size's snapshot.
      log(`localstripe still busy ${((performance.now() - t) / 1000).toFixed(1)} s after the cell: restarting it from its snapshot`);
      await sys.ls.start(sys.ls.snapshot);
      sys.url = sys.ls.url;
      state.stored = sys.ls.stored;
      return;
    }
    throw new Error(`${sys.name} did not answer after a cell`);
  }
  await sleep(100);
}

function cellFrom(raw, extra) {
  const seconds = raw.duration_us / 1e6;
  const e = raw.errors;
  const failed = e.status + e.timeout + e.connect + e.read + e.write;
  const ok = Math.max(0, raw.requests - e.status);
  const ms = (us) => (ok > 0 ? us / 1000 : null);
  return {
    ...extra,
    seconds: Number(seconds.toFixed(2)),
    requests: raw.requests,
    ok,
    errors: e,
    rps: Number((ok / seconds).toFixed(1)),
    p50_ms: ms(raw.latency_us.p50),
    p90_ms: ms(raw.latency_us.p90),
    p99_ms: ms(raw.latency_us.p99),
    max_ms: ms(raw.latency_us.max),
    mean_ms: ms(raw.latency_us.mean),
    error_count: failed,
  };
}

// ---------------------------------------------------------------- report helpers
const fmtRps = (v) => (v == null ? '–' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const fmtMs = (v) => (v == null ? '–' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const fmtSize = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : n.toLocaleString('en-US'));
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
const mb = (kbytes) => `${(kbytes / 1024).toFixed(1)} MiB`;

function machineInfo() {
  const cpus = os.cpus();
  let wrkVersion = '';
  try {
    wrkVersion = execFileSync('wrk', ['-v'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    wrkVersion = String(e.stdout || '');
  }
  const pkg = (name) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpu_model: cpus[0]?.model?.trim() || 'unknown',
    memory_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    kernel: os.release(),
    loadavg_at_start: os.loadavg().map((v) => Number(v.toFixed(2))),
    node: process.version,
    miniflare: pkg('miniflare'),
    workerd: pkg('workerd'),
    localstripe: localstripeVersion(),
    wrk: wrkVersion.split('\n')[0].trim(),
  };
}

function wasmSize() {
  const dir = path.join(ROOT, 'build');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  let raw = 0;
  let gz = 0;
  let bundleGz = 0;
  for (const f of fs.readdirSync(dir)) {
    const p = path.join(dir, f);
    if (!fs.statSync(p).isFile() || !/\.(wasm|js|mjs)$/.test(f)) continue;
    const bytes = fs.readFileSync(p);
    const z = zlib.gzipSync(bytes, { level: 9 }).length;
    bundleGz += z;
    if (f.endsWith('.wasm')) {
      raw += bytes.length;
      gz += z;
    }
  }
  return { files, raw_bytes: raw, gzip_bytes: gz, bundle_gzip_bytes: bundleGz, free_plan_limit_bytes: 3 * 1024 * 1024 };
}

// ---------------------------------------------------------------- main
async function main() {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(LOGS, { recursive: true });
  const persist = path.join(WORK, 'state');
  const lsDir = path.join(WORK, 'localstripe');
  fs.mkdirSync(lsDir, { recursive: true });

  const results = {
    meta: { ...machineInfo(), config: { duration_s: DURATION, sizes: SIZES, concurrency: CONCURRENCY, budget_s: BUDGET_S, seed_concurrency: SEED_CONCURRENCY, wrk_threads: 1 } },
    wasm: wasmSize(),
    cold_start: {},
    memory: {},
    seeding: [],
    search: {},
    cells: [],
    targets: [],
    notes: [],
  };
  log(`machine: ${results.meta.nproc} cores, ${results.meta.cpu_model}, ${results.meta.memory_gib} GiB; load ${results.meta.loadavg_at_start.join(' ')}`);
  log(`wasm: ${kb(results.wasm.raw_bytes)} raw, ${kb(results.wasm.gzip_bytes)} gzipped`);

  // localstripe's stores are built by its own classes while our worker is seeded.
  const lsSeeder = new LocalstripeSeeder(lsDir);
  const ls = new Localstripe(lsDir);

  // --- cold start: our worker from process start to its first 200.
  const mf = await startMiniflare(persist);
  const oursKey = newKey('ours');
  const keysFile = path.join(WORK, 'keys.json'); // to poke at the state kept by BENCH_KEEP_STATE=1
  const [oursCold, ceilingCold] = await Promise.all([
    firstSuccess(`${mf.urls.ours}/v1/customers?limit=1`, oursKey, mf.t0),
    firstSuccess(`${mf.urls.ceiling}/`, null, mf.t0),
  ]);
  results.cold_start.miniflare_ready_ms = Math.round(await mf.ready);
  results.cold_start.ours_empty_state_ms = Math.round(oursCold);
  results.cold_start.ceiling_ms = Math.round(ceilingCold);
  log(`cold start: ours ${Math.round(oursCold)} ms (ceiling worker ${Math.round(ceilingCold)} ms)`);

  // The storage floor gets the first size's customers (its cells run at that size only),
  // created inside the worker in chunks: the same storage work, without HTTP.
  const floorIdsFile = path.join(WORK, 'floor-ids.txt');
  const floorState = { stored: 0, n: 0, ids: [] };
  {
    const t = performance.now();
    for (let from = 0; from < SIZES[0]; from += 250) {
      const to = Math.min(SIZES[0], from + 250);
      const r = await postFresh(`${mf.urls.floor}/seed?from=${from}&to=${to}`);
      if (r.status !== 200) throw new Error(`floor worker seed: ${r.text}`);
      floorState.ids.push(...r.json.ids);
      floorState.stored += r.json.ids.length;
    }
    floorState.n = SIZES[0];
    floorState.ids = floorState.ids.slice(0, SAMPLE_IDS);
    fs.writeFileSync(floorIdsFile, floorState.ids.join('\n') + '\n');
    const seconds = (performance.now() - t) / 1000;
    results.seeding.push({ system: 'floor', from: 0, to: SIZES[0], ok: floorState.stored, seconds: Number(seconds.toFixed(1)), per_second: Number((floorState.stored / seconds).toFixed(1)), method: 'inside the floor worker, 16 at a time, no HTTP' });
    log(`floor worker: ${floorState.stored} customers in ${seconds.toFixed(1)} s (${(floorState.stored / seconds).toFixed(0)}/s, no HTTP)`);
  }

  const oursIds = [];
  const oursIdsFile = path.join(WORK, 'ours-ids.txt');
  const oursState = { stored: 0, n: 0, ids: oursIds };
  const lsState = { stored: 0, n: 0, ids: [] };
  const lsIdsFile = path.join(lsDir, 'ids.txt');

  const systems = {
    ours: { name: 'ours', url: mf.urls.ours, key: oursKey, idsFile: oursIdsFile, state: oursState, probe: '/v1/customers?limit=1', checks: true, warm: true },
    ours_edge: { name: 'ours_edge', url: mf.urls.edge, key: oursKey, idsFile: oursIdsFile, state: oursState, probe: '/v1/customers?limit=1', checks: true, warm: true },
    localstripe: { name: 'localstripe', url: null, key: newKey('ls'), idsFile: lsIdsFile, state: lsState, probe: '/v1/customers?limit=1', checks: true, ls },
    ceiling: { name: 'ceiling', url: mf.urls.ceiling, key: null, idsFile: oursIdsFile, state: oursState, probe: '/' },
    floor: { name: 'floor', url: mf.urls.floor, idsFile: floorIdsFile, state: floorState, probe: '/v1/customers?limit=1', checks: true, warm: true },
    floor_kv: { name: 'floor_kv', url: mf.urls.floor, idsFile: floorIdsFile, prefix: '/kv/', state: floorState, probe: '/v1/customers?limit=1', checks: true, warm: true },
  };

  // A second account of ours with two webhook endpoints subscribed to every event, both
  // at a receiver in this process that answers 204: the cost of a write that is delivered.
  const hooks = await startHookReceiver();
  const hookedKey = newKey('hooked');
  for (const n of [1, 2]) {
    const r = await http(`${mf.urls.ours}/v1/webhook_endpoints`, { method: 'POST', key: hookedKey, body: `url=${encodeURIComponent(`${hooks.url}/${n}`)}&enabled_events[]=*` });
    if (r.status !== 200) throw new Error(`webhook endpoint for the bench: HTTP ${r.status} ${r.text}`);
  }
  systems.ours_hooked = { name: 'ours_hooked', url: mf.urls.ours, key: hookedKey, idsFile: oursIdsFile, state: { stored: 0, n: 0, ids: [] }, probe: '/v1/customers?limit=1', checks: true };

  fs.writeFileSync(keysFile, JSON.stringify({ ours: oursKey, localstripe: systems.localstripe.key }, null, 2) + '\n');

  // Cells still to run after phase k, for the seeding deadline.
  const plan = (k) => {
    const base = k === 0;
    const last = k === SIZES.length - 1;
    const ws = base ? ['list', 'list_email', 'search', 'retrieve', 'update', 'create'] : ['list', 'list_email', 'search', ...(last ? ['retrieve'] : []), 'create'];
    const groups = [];
    for (const w of ws) {
      for (const c of CONCURRENCY) {
        const names = ['ours', 'localstripe'];
        if (base && w !== 'search') names.push('ceiling', 'floor');
        if (base && w === 'retrieve') names.push('ours_edge', 'floor_kv');
        if (base && w === 'create') names.push('ours_hooked');
        groups.push({ workload: w, c, names });
      }
    }
    return groups;
  };
  const estimateSeconds = (fromPhase) => {
    let s = 15;
    for (let k = fromPhase; k < SIZES.length; k++) {
      for (const g of plan(k)) s += g.names.length * (DURATION + (g.workload === 'retrieve' || g.workload === 'update' ? 2 : 1));
      s += 2 * SLOW_CELL_MAX_S + 20; // localstripe's slow writes at large sizes, its restarts
    }
    return s;
  };

  let searchStatus = null;
  let groupIndex = 0;
  for (let k = 0; k < SIZES.length; k++) {
    const target = SIZES[k];
    const label = fmtSize(target);
    // --- seed our worker up to the target, within what the budget leaves.
    const deadline = T0 + (BUDGET_S - estimateSeconds(k)) * 1000;
    const from = oursState.n;
    if (from < target) {
      log(`seeding ours ${from} → ${target} customers (${SEED_CONCURRENCY} in flight; deadline in ${Math.max(0, (deadline - Date.now()) / 1000).toFixed(0)} s)`);
      const cpu0 = cpuSnapshot();
      const s = await seedOurs(mf.urls.ours, oursKey, from, target, Math.max(deadline, Date.now() + 20000), oursIds);
      s.foreign = foreignCores(cpu0, cpuSnapshot());
      oursState.n = s.reached;
      oursState.stored += s.ok;
      results.seeding.push({ system: 'ours', from, to: s.reached, target, ok: s.ok, failed: s.failed, seconds: Number(s.seconds.toFixed(1)), per_second: Number((s.ok / s.seconds).toFixed(1)), foreign_cores: Number(s.foreign.toFixed(2)) });
      log(`  reached ${s.reached} (${s.ok} ok, ${s.failed} failed) in ${s.seconds.toFixed(1)} s: ${(s.ok / s.seconds).toFixed(0)}/s; other work: ${s.foreign.toFixed(2)} cores`);
      if (s.reached < target) results.notes.push(`Our worker was seeded to ${s.reached.toLocaleString('en-US')} customers, not ${target.toLocaleString('en-US')}: the time budget ran out (BENCH_BUDGET=${BUDGET_S}). localstripe got the same number.`);
    }
    fs.writeFileSync(oursIdsFile, oursIds.filter(Boolean).join('\n') + '\n');
    // --- localstripe: the same customers, built by its own classes, then served.
    const t = performance.now();
    await lsSeeder.build(oursState.n);
    const lsBuild = (performance.now() - t) / 1000;
    const lsCold = await ls.start(oursState.n);
    systems.localstripe.url = ls.url;
    lsState.n = oursState.n;
    lsState.stored = ls.stored;
    lsState.ids = fs.readFileSync(lsIdsFile, 'utf8').split('\n').filter(Boolean);
    results.seeding.push({ system: 'localstripe', to: oursState.n, target, build_seconds_after_ours: Number(lsBuild.toFixed(1)), method: 'localstripe.resources.Customer, pickled once' });
    results.cold_start[`localstripe_${label}_ms`] = Math.round(lsCold);
    log(`localstripe: store of ${oursState.n} customers, started in ${Math.round(lsCold)} ms`);
    if (k === SIZES.length - 1) lsSeeder.close();

    // --- search: probe ours once.
    if (searchStatus === null) {
      const i = 0;
      const r = await http(`${mf.urls.ours}/v1/customers/search?query=${encodeURIComponent(`metadata['ref']:'r${i}'`)}`, { key: oursKey });
      searchStatus = r.status;
      results.search.ours = r.status === 200 ? 'implemented' : `not implemented (GET /v1/customers/search answers HTTP ${r.status})`;
      results.search.localstripe = 'missing (localstripe has no /v1/customers/search)';
      log(`search probe on ours: HTTP ${r.status}`);
    }

    // --- the cells, interleaved: for each workload and concurrency, every system in turn.
    for (const group of plan(k)) {
      const names = group.names.slice();
      const rot = groupIndex++ % names.length;
      const order = names.slice(rot).concat(names.slice(0, rot));
      for (const name of order) {
        const sys = systems[name];
        const base = { workload: group.workload, size: target, size_label: label, c: group.c, system: name };
        if (group.workload === 'search' && name !== 'ours') {
          if (name === 'localstripe') results.cells.push({ ...base, status: 'missing', note: 'localstripe has no search' });
          continue;
        }
        if (group.workload === 'search' && searchStatus !== 200) {
          results.cells.push({ ...base, status: 'not implemented', note: results.search.ours });
          continue;
        }
        const stored = sys.state.stored;
        let pre;
        try {
          pre = await preflight(sys, group.workload, sys.state);
        } catch (e) {
          pre = { ms: null, problem: String(e.message || e) };
        }
        if (pre.problem && pre.problem.startsWith('HTTP')) {
          results.cells.push({ ...base, stored, status: 'error', note: pre.problem });
          log(`${label} ${group.workload} c=${group.c} ${name}: skipped, ${pre.problem}`);
          continue;
        }
        // A system slower than DURATION/10 per request gets a longer cell, up to SLOW_CELL_MAX_S.
        // The ceiling answers thousands a second: 2 s give it as many samples as the rest.
        const seconds = name === 'ceiling' ? Math.min(2, DURATION) : Math.round(Math.min(SLOW_CELL_MAX_S, Math.max(DURATION, (pre.ms / 1000) * 12)));
        // Objects idle for a few seconds are evicted; between two cells of one system the
        // others run for half a minute. Touch every id first, so retrieve and update measure
        // warm objects, as a busy account has them.
        if ((group.workload === 'retrieve' || group.workload === 'update') && sys.warm) await warmUp(sys);
        const before = cpuSnapshot();
        const raw = await runWrk({
          url: sys.url,
          workload: group.workload,
          key: sys.key,
          idsFile: sys.idsFile,
          n: sys.state.n,
          c: group.c,
          seconds,
          prefix: sys.prefix,
        });
        const foreign = foreignCores(before, cpuSnapshot());
        const cell = cellFrom(raw, { ...base, stored, status: pre.problem ? 'suspect' : 'ok', ...(pre.problem ? { note: pre.problem } : {}), foreign_cores: Number(foreign.toFixed(2)), load1: Number(os.loadavg()[0].toFixed(2)) });
        results.cells.push(cell);
        if (group.workload === 'create' && sys.checks) sys.state.stored += cell.ok;
        log(
          `${label.padStart(4)} ${group.workload.padEnd(10)} c=${String(group.c).padEnd(2)} ${name.padEnd(11)} ${fmtRps(cell.rps).padStart(7)} req/s  p50 ${fmtMs(cell.p50_ms).padStart(6)} ms  p99 ${fmtMs(cell.p99_ms).padStart(6)} ms  n=${cell.ok}${foreign >= BUSY_CORES ? `  (other work: ${foreign.toFixed(2)} cores)` : ''}${cell.error_count ? `  errors=${cell.error_count}` : ''}${pre.problem ? `  SUSPECT: ${pre.problem}` : ''}`,
        );
        await quiesce(sys, sys.state);
        if (name === 'localstripe') ls.sampleMemory();
      }
    }
  }

  results.webhooks = { deliveries_received: hooks.count(), endpoints: 2 };
  await hooks.close();

  // --- memory: peak RSS over the whole run.
  results.memory.workerd = workerdMemory(mf.child.pid);
  ls.sampleMemory();
  results.memory.localstripe_vmhwm_kb = ls.peakKb;
  await ls.stop();
  await stopMiniflare(mf);

  // --- cold start again, now with the seeded state on disk (as a restarted `wrangler dev`).
  const firstId = oursIds.find(Boolean);
  const mf2 = await startMiniflare(persist);
  results.cold_start.ours_with_state_ms = Math.round(await firstSuccess(`${mf2.urls.ours}/v1/customers/${firstId}`, oursKey, mf2.t0));
  results.cold_start.ours_with_state_customers = oursState.stored;
  await stopMiniflare(mf2);
  log(`cold start with ${oursState.stored} customers on disk: ${results.cold_start.ours_with_state_ms} ms`);

  results.meta.runtime_s = Number(elapsed().toFixed(1));
  if (process.env.BENCH_STARTED_AT) results.meta.total_with_setup_s = Math.round((Date.now() - STARTED_AT) / 1000);
  const measured = results.cells.filter((c) => c.foreign_cores !== undefined);
  results.meta.other_work = {
    mean_cores_during_cells: Number((measured.reduce((a, c) => a + c.foreign_cores, 0) / Math.max(1, measured.length)).toFixed(2)),
    cells_flagged: measured.filter((c) => c.foreign_cores >= BUSY_CORES).length,
    cells: measured.length,
  };
  results.meta.loadavg_at_end = os.loadavg().map((v) => Number(v.toFixed(2)));
  results.targets = evaluateTargets(results);
  fs.writeFileSync(path.join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const md = renderMarkdown(results);
  fs.writeFileSync(path.join(BENCH, 'results.md'), md);
  fs.writeFileSync(path.join(BENCH, 'plot.svg'), renderSvg(results));
  console.log('\n' + md);
  if (process.env.BENCH_KEEP_STATE !== '1') {
    // Tens of thousands of SQLite files (about 0.6 ms each to delete): gone now if that still
    // fits in the 15 minutes, else the next run's start deletes them within its own budget.
    const leftS = 15 * 60 - 10 - (Date.now() - STARTED_AT) / 1000;
    const needS = 2 + oursState.stored * 0.0007;
    if (!process.env.BENCH_STARTED_AT || needS < leftS) {
      fs.rmSync(persist, { recursive: true, force: true });
      fs.rmSync(lsDir, { recursive: true, force: true });
    } else log(`left bench/work/state for the next run to delete (about ${Math.round(needS)} s of deleting did not fit in the 15 minutes)`);
  }
  log(`wrote bench/results.json, bench/results.md, bench/plot.svg in ${elapsed().toFixed(0)} s`);
}

/** A webhook receiver on 127.0.0.1 that answers every POST with 204 and counts them. */
async function startHookReceiver() {
  let count = 0;
  const server = nodeHttp.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, HOST, resolve));
  return {
    url: `http://${HOST}:${server.address().port}`,
    count: () => count,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// ---------------------------------------------------------------- targets
function findCell(results, system, workload, c, size) {
  return results.cells.find((x) => x.system === system && x.workload === workload && x.c === c && (size === undefined || x.size === size) && x.rps !== undefined);
}
function evaluateTargets(results) {
  const targets = [];
  const ratio = (a, b) => (a && b && b.rps > 0 ? a.rps / b.rps : null);
  const push = (name, measured, pass, detail) => targets.push({ target: name, measured, pass, ...(detail ? { detail } : {}) });
  const busy = (...cells) => (cells.some((c) => c?.foreign_cores >= BUSY_CORES) ? ' †' : '');
  const sizeNear = (want) => SIZES.includes(want) ? want : undefined;
  const cMax = Math.max(...CONCURRENCY);

  {
    const o = findCell(results, 'ours', 'retrieve', cMax);
    const l = findCell(results, 'localstripe', 'retrieve', cMax);
    const ce = findCell(results, 'ceiling', 'retrieve', cMax);
    const r1 = ratio(o, l);
    const r2 = ratio(o, ce);
    push(`retrieve at c=${cMax}, ${fmtSize(SIZES[0])} customers: ≥ 2× localstripe`, r1 == null ? 'not measured' : `${r1.toFixed(2)}× (${fmtRps(o.rps)} vs ${fmtRps(l.rps)} req/s)${busy(o, l)}`, r1 != null && r1 >= 2);
    const fl = findCell(results, 'floor', 'retrieve', cMax, SIZES[0]);
    const floorNote = fl && ce ? `; the storage floor alone: ${((fl.rps / ce.rps) * 100).toFixed(0)}%` : '';
    push(`retrieve at c=${cMax}, ${fmtSize(SIZES[0])} customers: ≥ 60% of the ceiling worker`, r2 == null ? 'not measured' : `${(r2 * 100).toFixed(0)}% (${fmtRps(o.rps)} vs ${fmtRps(ce.rps)} req/s${floorNote})${busy(o, ce)}`, r2 != null && r2 >= 0.6);
    const oe = findCell(results, 'ours_edge', 'retrieve', cMax, SIZES[0]);
    if (oe && l && ce) push(`(for information) the same with READ_CONSISTENCY=edge`, `${(oe.rps / l.rps).toFixed(2)}× localstripe, ${((oe.rps / ce.rps) * 100).toFixed(0)}% of the ceiling (${fmtRps(oe.rps)} req/s)${busy(oe)}`, null);
  }
  for (const [want, workload, needRatio, p99] of [
    [10000, 'create', 5, null],
    [50000, 'list_email', 20, 20],
  ]) {
    const size = sizeNear(want);
    for (const c of CONCURRENCY) {
      const o = size && findCell(results, 'ours', workload, c, size);
      const l = size && findCell(results, 'localstripe', workload, c, size);
      const r = ratio(o, l);
      const reached = o ? o.stored : null;
      // Measured at a smaller store than the target's when seeding ran out of time: the
      // result says so, and counts as a pass only at the size reached.
      const short = o && reached < want * 0.98;
      const sizeNote = short ? ` at ${reached.toLocaleString('en-US')} customers (the size reached)` : '';
      const verdict = (ok) => (ok == null ? null : ok && short ? 'partial' : ok);
      push(`${workload === 'create' ? 'create' : 'list with email filter'} at ${fmtSize(want)} customers, c=${c}: ≥ ${needRatio}× localstripe`, r == null ? 'not measured' : `${r.toFixed(1)}× (${fmtRps(o.rps)} vs ${fmtRps(l.rps)} req/s)${sizeNote}${busy(o, l)}`, r == null ? false : verdict(r >= needRatio));
      if (p99) {
        const ce = findCell(results, 'ceiling', 'list_email', c, SIZES[0]);
        const ceNote = ce?.p99_ms != null ? `; the constant ceiling worker's own p99 at c=${c}: ${fmtMs(ce.p99_ms)} ms` : '';
        push(`list with email filter at ${fmtSize(want)} customers, c=${c}: p99 < ${p99} ms`, o?.p99_ms == null ? 'not measured' : `${fmtMs(o.p99_ms)} ms (p50 ${fmtMs(o.p50_ms)} ms${ceNote})${sizeNote}${busy(o)}`, o?.p99_ms == null ? false : verdict(o.p99_ms < p99));
      }
    }
  }
  for (const c of CONCURRENCY) {
    const plain = findCell(results, 'ours', 'create', c, SIZES[0]);
    const hooked = findCell(results, 'ours_hooked', 'create', c, SIZES[0]);
    if (plain && hooked) {
      push(`(for information) create with two subscribed webhook endpoints, c=${c}, against a create with none`, `${((hooked.rps / plain.rps) * 100).toFixed(0)}% of the throughput (${fmtRps(hooked.rps)} vs ${fmtRps(plain.rps)} req/s), p50 ${fmtMs(hooked.p50_ms)} vs ${fmtMs(plain.p50_ms)} ms${busy(plain, hooked)}`, null);
    }
  }
  const gz = results.wasm.gzip_bytes;
  push('gzipped wasm ≤ 300 KB (300,000 bytes)', `${kb(gz)}`, gz <= 300000);
  return targets;
}

// ---------------------------------------------------------------- markdown
function renderMarkdown(results) {
  const m = results.meta;
  const lines = [];
  lines.push('# Benchmark results', '');
  lines.push(
    `${m.date.slice(0, 16).replace('T', ' ')} UTC · ${m.nproc} cores (${m.cpu_model}) · ${m.memory_gib} GiB · load average ${m.loadavg_at_start[0]} at start · node ${m.node}, miniflare ${m.miniflare}, workerd ${m.workerd}, localstripe ${m.localstripe}, ${m.wrk.split(' [')[0]} · ${m.config.duration_s} s per cell, 1 wrk thread · whole run ${Math.round(m.runtime_s)} s${m.total_with_setup_s ? ` (${m.total_with_setup_s} s with setup and build)` : ''} · other work on the machine: ${m.other_work.mean_cores_during_cells} cores on average during the cells, ${m.other_work.cells_flagged} of ${m.other_work.cells} cells flagged †.`,
    '',
  );
  lines.push('Produced by `npm run bench` (bench/run.mjs); see bench/README.md for what each number means.', '');

  lines.push('## Targets', '', '| target | measured | result |', '| --- | --- | --- |');
  for (const t of results.targets) lines.push(`| ${t.target} | ${t.measured} | ${t.pass === null ? '' : t.pass === 'partial' ? 'pass at the size reached' : t.pass ? 'pass' : '**FAIL**'} |`);
  lines.push('');

  lines.push('## Throughput and latency', '');
  lines.push(`Requests per second that answered 2xx, and latency percentiles in ms, measured by wrk; all systems take turns within each row. "stored" is the number of customers in the account when the cell started (ours / localstripe). † marks a cell during which other processes on the machine, or the hypervisor (CPU steal), took more than ${BUSY_CORES} of a core.`, '');
  lines.push('| workload | stored | c | ours req/s | p50 | p99 | localstripe req/s | p50 | p99 | ceiling req/s | p50 | p99 | ours ÷ localstripe |');
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const order = ['create', 'retrieve', 'update', 'list', 'list_email', 'search'];
  const keys = [];
  for (const w of order) {
    for (const size of SIZES) {
      for (const c of CONCURRENCY) {
        if (results.cells.some((x) => x.workload === w && x.size === size && x.c === c)) keys.push({ w, size, c });
      }
    }
  }
  const col = (cell) => {
    if (!cell) return ['', '', ''];
    if (cell.rps === undefined) return [cell.status, '', ''];
    const flag = (cell.error_count ? ` (${cell.error_count} err)` : cell.status === 'suspect' ? ' (suspect)' : '') + (cell.foreign_cores >= BUSY_CORES ? ' †' : '');
    return [`${fmtRps(cell.rps)}${flag}${cell.seconds > DURATION + 1 ? ` (n=${cell.ok})` : ''}`, fmtMs(cell.p50_ms), fmtMs(cell.p99_ms)];
  };
  for (const { w, size, c } of keys) {
    const get = (s) => results.cells.find((x) => x.workload === w && x.size === size && x.c === c && x.system === s);
    const o = get('ours');
    const l = get('localstripe');
    const ce = get('ceiling');
    const stored = [o?.stored, l?.stored].map((v) => (v == null ? '–' : v.toLocaleString('en-US'))).join(' / ');
    const r = o?.rps !== undefined && l?.rps ? `${(o.rps / l.rps).toFixed(1)}×` : '';
    lines.push(`| ${WORKLOADS[w]} | ${stored} | ${c} | ${col(o).join(' | ')} | ${col(l).join(' | ')} | ${col(ce).join(' | ')} | ${r} |`);
  }
  lines.push('');

  lines.push('## Where the time goes: runtime, storage simulation, our code', '');
  lines.push(
    'Each workload at the first store size, on three workers in the same workerd. **ceiling**: answers a constant customer (the runtime and HTTP alone). **floor**: bench/floor-worker.mjs, plain JS doing the same storage work as ours (same Durable Objects, same SQL, same hops, the same KV copy, JSON in and out) and nothing else: the runtime plus Miniflare\'s storage simulation. **ours**: our build. At c=1 the p50 difference ours − floor is what our code (routing, parsing, validation, wasm, Stripe rendering) adds to a request; at c=' +
      Math.max(...CONCURRENCY) +
      ' the ratio ours ÷ floor is how much of the storage-bound throughput we keep.',
    '',
  );
  const cLo = Math.min(...CONCURRENCY);
  const cHi = Math.max(...CONCURRENCY);
  lines.push(`| workload | c=${cLo} p50 ms: ceiling | floor | ours | ours − floor | c=${cHi} req/s: ceiling | floor | ours | ours ÷ floor |`);
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const at = (s, w, c) => results.cells.find((x) => x.workload === w && x.system === s && x.c === c && x.size === SIZES[0] && x.rps !== undefined);
  const splitRows = [
    ['create', 'ceiling', 'floor', 'ours', WORKLOADS.create],
    ['retrieve', 'ceiling', 'floor', 'ours', 'retrieve, strong (Durable Object)'],
    ['retrieve', 'ceiling', 'floor_kv', 'ours_edge', 'retrieve, READ_CONSISTENCY=edge (KV)'],
    ['update', 'ceiling', 'floor', 'ours', WORKLOADS.update],
    ['list', 'ceiling', 'floor', 'ours', WORKLOADS.list],
    ['list_email', 'ceiling', 'floor', 'ours', WORKLOADS.list_email],
  ];
  for (const [w, sc, sf, so, label] of splitRows) {
    const [c0, f0, o0] = [sc, sf, so].map((s) => at(s, w, cLo));
    const [c1, f1, o1] = [sc, sf, so].map((s) => at(s, w, cHi));
    const diff = o0 && f0 ? fmtMs(o0.p50_ms - f0.p50_ms) : '–';
    const ratioF = o1 && f1 && f1.rps > 0 ? `${((o1.rps / f1.rps) * 100).toFixed(0)}%` : '–';
    lines.push(`| ${label} | ${fmtMs(c0?.p50_ms)} | ${fmtMs(f0?.p50_ms)} | ${fmtMs(o0?.p50_ms)} | ${diff} | ${fmtRps(c1?.rps)} | ${fmtRps(f1?.rps)} | ${fmtRps(o1?.rps)} | ${ratioF} |`);
  }
  lines.push('');

  lines.push('## Size, memory, start', '');
  const w = results.wasm;
  lines.push('| what | value |', '| --- | --- |');
  lines.push(`| release wasm (${w.files.join(', ')}) | ${kb(w.raw_bytes)} raw, ${kb(w.gzip_bytes)} gzipped (gzip -9) |`);
  lines.push(`| whole bundle (wasm + JS) gzipped, against Cloudflare's 3 MB free-plan limit | ${kb(w.bundle_gzip_bytes)} (${((w.bundle_gzip_bytes / w.free_plan_limit_bytes) * 100).toFixed(1)}% of 3 MiB) |`);
  lines.push(`| peak RSS of workerd (VmHWM, all four workers of the bench in one workerd) | ${mb(results.memory.workerd.vmhwm_kb)} |`);
  lines.push(`| peak RSS of Miniflare's host node process (not on the request path) | ${mb(results.memory.workerd.host_node_vmhwm_kb)} |`);
  lines.push(`| peak RSS of localstripe (VmHWM, largest store) | ${mb(results.memory.localstripe_vmhwm_kb)} |`);
  const cs = results.cold_start;
  lines.push(`| cold start of our worker: process start → first 200, empty state | ${cs.ours_empty_state_ms} ms (ceiling worker: ${cs.ceiling_ms} ms; Miniflare ready: ${cs.miniflare_ready_ms} ms) |`);
  lines.push(`| cold start of our worker with ${(cs.ours_with_state_customers || 0).toLocaleString('en-US')} customers on disk (GET one) | ${cs.ours_with_state_ms} ms |`);
  for (const [k, v] of Object.entries(cs)) {
    const mm = k.match(/^localstripe_(.+)_ms$/);
    if (mm) lines.push(`| cold start of localstripe, ${mm[1]} store (loads its pickle) | ${v} ms |`);
  }
  lines.push('');

  lines.push('## Seeding', '');
  for (const s of results.seeding) {
    if (s.system === 'ours') lines.push(`- ours: ${s.from.toLocaleString('en-US')} → ${s.to.toLocaleString('en-US')} customers through POST /v1/customers, ${SEED_CONCURRENCY} in flight: ${s.seconds} s, ${s.per_second}/s${s.failed ? `, ${s.failed} failed` : ''} (other work on the machine meanwhile: ${s.foreign_cores} cores).`);
    else if (s.system === 'floor') lines.push(`- floor worker: ${s.to.toLocaleString('en-US')} customers created inside the worker (the same storage work, no HTTP), 16 at a time: ${s.seconds} s, ${s.per_second}/s.`);
    else lines.push(`- localstripe: ${s.to.toLocaleString('en-US')} customers built with localstripe's own Customer class and pickled once (${s.build_seconds_after_ours} s after ours finished); over HTTP every create would re-pickle the whole store.`);
  }
  lines.push('');
  lines.push('## Search', '', `- ours: ${results.search.ours}`, `- localstripe: ${results.search.localstripe}`, '');
  if (results.notes.length) {
    lines.push('## Notes', '');
    for (const n of results.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- plot
function renderSvg(results) {
  const W = 980;
  const H = 470;
  const colors = { ours: '#f6821f', localstripe: '#635bff', ceiling: '#9aa0a6', floor: '#3c9a5f' };
  const names = { ours: 'ours (Rust/wasm worker)', localstripe: 'localstripe', floor: 'floor (same storage work, plain JS)', ceiling: 'ceiling (constant worker)' };
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  const cMax = Math.max(...CONCURRENCY);
  const allRps = results.cells.filter((c) => c.rps > 0).map((c) => c.rps);
  const maxRps = Math.max(10, ...allRps);
  const minRps = Math.max(0.1, Math.min(...allRps, 1));
  const lo = Math.floor(Math.log10(minRps));
  const hi = Math.ceil(Math.log10(maxRps));

  // Left: throughput at c=max, per workload, at the smallest size.
  const L = { x: 60, y: 50, w: 470, h: 300 };
  out.push(`<text x="${L.x}" y="24" font-size="14" font-weight="bold">Throughput at c=${cMax}, ${fmtSize(SIZES[0])} customers stored (req/s, log scale)</text>`);
  const ws = ['create', 'retrieve', 'update', 'list', 'list_email'];
  const sysList = ['ours', 'localstripe', 'floor', 'ceiling'];
  const yOf = (v) => L.y + L.h - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * L.h;
  for (let e = lo; e <= hi; e++) {
    const y = yOf(10 ** e);
    out.push(`<line x1="${L.x}" x2="${L.x + L.w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${L.x - 6}" y="${y + 4}" text-anchor="end">${(10 ** e).toLocaleString('en-US')}</text>`);
  }
  const gw = L.w / ws.length;
  ws.forEach((wname, i) => {
    const bw = (gw - 16) / sysList.length;
    sysList.forEach((s, j) => {
      const cell = results.cells.find((x) => x.workload === wname && x.system === s && x.c === cMax && x.size === SIZES[0]);
      if (!cell || !(cell.rps > 0)) return;
      const x = L.x + i * gw + 8 + j * bw;
      const y = yOf(cell.rps);
      out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(L.y + L.h - y).toFixed(1)}" fill="${colors[s]}"><title>${esc(`${names[s]}: ${fmtRps(cell.rps)} req/s`)}</title></rect>`);
    });
    out.push(`<text x="${(L.x + i * gw + gw / 2).toFixed(1)}" y="${L.y + L.h + 16}" text-anchor="middle">${esc(wname === 'list_email' ? 'list email=' : wname)}</text>`);
  });
  out.push(`<line x1="${L.x}" x2="${L.x}" y1="${L.y}" y2="${L.y + L.h}" stroke="#333"/><line x1="${L.x}" x2="${L.x + L.w}" y1="${L.y + L.h}" y2="${L.y + L.h}" stroke="#333"/>`);

  // Right: create throughput as the store grows.
  const R = { x: 630, y: 50, w: 290, h: 300 };
  out.push(`<text x="${R.x - 40}" y="24" font-size="14" font-weight="bold">Create as the store grows (req/s, log scale)</text>`);
  for (let e = lo; e <= hi; e++) {
    const y = R.y + R.h - ((e - lo) / (hi - lo)) * R.h;
    out.push(`<line x1="${R.x}" x2="${R.x + R.w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${R.x - 6}" y="${y + 4}" text-anchor="end">${(10 ** e).toLocaleString('en-US')}</text>`);
  }
  const xOf = (k) => R.x + (SIZES.length === 1 ? R.w / 2 : (k / (SIZES.length - 1)) * R.w);
  SIZES.forEach((s, k) => {
    const reached = results.cells.find((x) => x.workload === 'create' && x.system === 'ours' && x.size === s)?.stored;
    out.push(`<text x="${xOf(k)}" y="${R.y + R.h + 16}" text-anchor="middle">${esc(fmtSize(s))}</text>`);
    if (reached && reached < s * 0.98) out.push(`<text x="${xOf(k)}" y="${R.y + R.h + 29}" text-anchor="middle" font-size="10" fill="#666">(reached ${esc(reached.toLocaleString('en-US'))})</text>`);
  });
  out.push(`<text x="${R.x + R.w / 2}" y="${R.y + R.h + 44}" text-anchor="middle">customers stored</text>`);
  const yR = (v) => R.y + R.h - ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * R.h;
  for (const s of ['ours', 'localstripe']) {
    for (const c of CONCURRENCY) {
      const pts = SIZES.map((size, k) => [k, results.cells.find((x) => x.workload === 'create' && x.system === s && x.c === c && x.size === size)]).filter(([, cell]) => cell && cell.rps > 0);
      if (!pts.length) continue;
      const d = pts.map(([k, cell], i) => `${i ? 'L' : 'M'}${xOf(k).toFixed(1)},${yR(cell.rps).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${colors[s]}" stroke-width="2" ${c === cMax ? '' : 'stroke-dasharray="5,4"'}/>`);
      for (const [k, cell] of pts) out.push(`<circle cx="${xOf(k).toFixed(1)}" cy="${yR(cell.rps).toFixed(1)}" r="3.5" fill="${colors[s]}"><title>${esc(`${names[s]} c=${c}: ${fmtRps(cell.rps)} req/s at ${cell.stored}`)}</title></circle>`);
    }
  }
  out.push(`<line x1="${R.x}" x2="${R.x}" y1="${R.y}" y2="${R.y + R.h}" stroke="#333"/><line x1="${R.x}" x2="${R.x + R.w}" y1="${R.y + R.h}" y2="${R.y + R.h}" stroke="#333"/>`);

  // Legend: systems on one row; line styles and the date on the next.
  let lx = 60;
  const ly = H - 46;
  for (const s of sysList) {
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${colors[s]}"/><text x="${lx + 17}" y="${ly}">${esc(names[s])}</text>`);
    lx += 36 + names[s].length * 6.6;
  }
  const ly2 = H - 18;
  out.push(`<text x="60" y="${ly2}" fill="#333">right:</text>`);
  out.push(`<line x1="100" x2="124" y1="${ly2 - 4}" y2="${ly2 - 4}" stroke="#333" stroke-width="2"/><text x="130" y="${ly2}">c=${cMax}</text>`);
  out.push(`<line x1="180" x2="204" y1="${ly2 - 4}" y2="${ly2 - 4}" stroke="#333" stroke-width="2" stroke-dasharray="5,4"/><text x="210" y="${ly2}">c=${Math.min(...CONCURRENCY)}</text>`);
  out.push(`<text x="${W - 10}" y="${ly2}" text-anchor="end" fill="#666">${esc(`${results.meta.date.slice(0, 10)} · ${results.meta.nproc} cores · bench/results.md`)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** `node bench/run.mjs --render`: rewrites results.md and plot.svg from results.json. */
function renderOnly() {
  const results = JSON.parse(fs.readFileSync(path.join(BENCH, 'results.json'), 'utf8'));
  ({ duration_s: DURATION, sizes: SIZES, concurrency: CONCURRENCY } = results.meta.config);
  results.targets = evaluateTargets(results);
  fs.writeFileSync(path.join(BENCH, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(path.join(BENCH, 'results.md'), renderMarkdown(results));
  fs.writeFileSync(path.join(BENCH, 'plot.svg'), renderSvg(results));
}

if (process.argv.includes('--render')) renderOnly();
else main().catch((error) => {
  console.error(error);
  killAll();
  process.exit(1);
});

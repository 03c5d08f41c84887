// What the benchmark's scripts share: the seeded customer's parameters (every system
// holds the same customers), the floor worker's Miniflare options, one wrk run, the
// command-line flags of the side tools (ab.mjs, profile.mjs), a step's own serve.mjs in a
// child process, the pid of the workerd this process started and the CPU time of a
// process's threads, and how a step run on its own merges its results into
// bench/results.json and .md.
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Starts bench/serve.mjs in a child process (its log appended to
 * bench/work/logs/<name>-miniflare.log) with `{persist, ports, build, vars}` as its
 * BENCH_SERVE, and waits for its URLs. `close()` asks it to stop, waits up to 15 s, kills
 * it, and deletes `persist`; it is also killed if this process exits first.
 */
export async function startServe({ name, persist, ports, build, vars }) {
  const root = path.resolve(here, '..');
  const logs = path.join(here, 'work', 'logs');
  fs.mkdirSync(logs, { recursive: true });
  const logFd = fs.openSync(path.join(logs, `${name}-miniflare.log`), 'a');
  const env = { ...process.env, BENCH_SERVE: JSON.stringify({ persist, ports, build, vars }) };
  const serve = fork(path.join(here, 'serve.mjs'), { cwd: root, env, stdio: ['ignore', logFd, logFd, 'ipc'] });
  const kill = () => {
    try {
      serve.kill('SIGKILL');
    } catch {}
  };
  process.on('exit', kill);
  const { urls } = await new Promise((resolve, reject) => {
    serve.once('message', (m) => (m.ready ? resolve(m) : reject(new Error(m.error))));
    serve.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}); see bench/work/logs/${name}-miniflare.log`)));
  });
  const close = async () => {
    serve.send('stop');
    await Promise.race([new Promise((r) => serve.once('exit', r)), new Promise((r) => setTimeout(r, 15000))]);
    kill();
    fs.rmSync(persist, { recursive: true, force: true });
  };
  return { urls, pid: serve.pid, close };
}

/** Customer `i` as the form every system is seeded with. Keep in step with
 * customer_params() in localstripe_seed.py. */
export function customerForm(i) {
  return new URLSearchParams({
    name: `Customer ${i}`,
    email: `user${i}@example.com`,
    'metadata[ref]': `r${i}`,
    'metadata[tier]': `t${i % 10}`,
    'address[line1]': `${i} Main Street`,
    'address[city]': 'Springfield',
    'address[postal_code]': String(i % 100000).padStart(5, '0'),
    'address[country]': 'US',
  });
}

/** Miniflare options of the floor worker (floor-worker.mjs), plus `extra`. */
export function floorWorker(compatibilityDate, extra = {}) {
  return {
    name: 'floor',
    modules: true,
    scriptPath: path.join(here, 'floor-worker.mjs'),
    compatibilityDate,
    kvNamespaces: ['FLOOR_KV'],
    durableObjects: {
      FLOOR_CUSTOMER: { className: 'FloorCustomer', useSQLite: true },
      FLOOR_ACCOUNT: { className: 'FloorAccount', useSQLite: true },
    },
    ...extra,
  };
}

/** A process's `/proc/<pid>/stat`: its command name, and the fields after it (`fields[0]`
 *  is the state, then ppid at 1, utime, stime, cutime, cstime at 11–14, in clock ticks);
 *  null once the process is gone. The name is read up to the last `)`: it may hold one. */
export function procStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return { comm: stat.slice(stat.indexOf('(') + 1, close), fields: stat.slice(close + 2).split(' ') };
  } catch {
    return null;
  }
}

/** The pid of the workerd process this process started (Miniflare's child), if any. */
export function workerdChild() {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .find((p) => {
      const stat = procStat(p);
      return stat?.comm === 'workerd' && Number(stat.fields[1]) === process.pid;
    });
}

/** All processes as pid → { ppid, comm, own, reaped }: `own` is the process's utime +
 *  stime, `reaped` that of the children it has reaped, in clock ticks. */
export function processTable() {
  const table = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (!stat) continue;
    const f = stat.fields.map(Number);
    table.set(Number(entry), { ppid: f[1], comm: stat.comm, own: f[11] + f[12], reaped: f[13] + f[14] });
  }
  return table;
}

/** The live descendants of `pid`, nearest first. */
export function descendants(pid, table = processTable()) {
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

/** Clock ticks per second in /proc (USER_HZ). */
const TICKS = 100;

/** Busy CPU ticks of the whole machine, and of this benchmark's own processes (this
 *  driver, its live descendants, and the children it has reaped). The difference is other
 *  work. */
export function cpuSnapshot() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = f[0] + f[1] + f[2] + f[5] + f[6];
  const steal = f[7] || 0;
  // One read of /proc for the tree and its ticks alike.
  const table = processTable();
  let mine = table.get(process.pid)?.reaped ?? 0;
  for (const pid of [process.pid, ...descendants(process.pid, table)]) mine += table.get(pid)?.own ?? 0;
  return { busy, steal, mine, t: performance.now() };
}

/** Cores taken from this benchmark between two `cpuSnapshot()`s: busy with other
 *  processes, or stolen by the hypervisor (a virtual machine's CPU that the host gave to
 *  someone else). */
export function foreignCores(a, b) {
  const seconds = (b.t - a.t) / 1000;
  const others = Math.max(0, b.busy - a.busy - (b.mine - a.mine));
  return (others + (b.steal - a.steal)) / TICKS / seconds;
}

/** CPU time in nanoseconds of every thread of the processes `pids` so far (each thread's
 *  schedstat): unlike wall time, barely moved by other work on the machine. A process
 *  that has exited counts nothing. */
export function threadsCpuNs(pids) {
  let ns = 0;
  for (const pid of pids) {
    try {
      for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
        ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      }
    } catch {}
  }
  return ns;
}

/** Waits until `active()` (did anything happen since its last call?) has said no for
 *  `quietMs` on end, asking every `stepMs`, for at most `maxMs`. Answers the seconds from
 *  the call to the start of that quiet window (`maxMs` when it never came). */
export async function awaitQuiet(active, { quietMs, maxMs, stepMs }) {
  const start = performance.now();
  let busyUntil = start;
  for (;;) {
    await new Promise((r) => setTimeout(r, stepMs));
    const at = performance.now();
    if (active()) busyUntil = at;
    if (at - busyUntil >= quietMs) return (busyUntil - start) / 1000;
    if (at - start >= maxMs) return maxMs / 1000;
  }
}

/** What [`awaitIdle`] takes for idle by default (bench/run.mjs prints it with its tables). */
export const IDLE_WINDOW = { quietMs: 200, maxMs: 3000, idleShare: 0.25, stepMs: 50 };

/** [`awaitQuiet`] for the processes `pids`: quiet while they use less than `idleShare` of
 *  a core. How long the work a load left behind kept them busy. A write's KV copy runs
 *  after its answer, and under load Miniflare's KV store carries out the puts only once
 *  the load stops, at a whole core (bench/README.md, "Reading the numbers"); the alarms
 *  that writes set off 5 s later, spread as the writes were, take a tenth of one or
 *  less, and do not count. */
export function awaitIdle(pids, window = IDLE_WINDOW) {
  let before = { at: performance.now(), ns: threadsCpuNs(pids) };
  return awaitQuiet(() => {
    const now = { at: performance.now(), ns: threadsCpuNs(pids) };
    const busy = (now.ns - before.ns) / 1e6 > window.idleShare * (now.at - before.at);
    before = now;
    return busy;
  }, window);
}

/** The median of `xs` (the upper one of an even count). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `--name value` from argv, else `fallback`; `positional()` is the first bare word. */
export function cliFlags(argv = process.argv.slice(2)) {
  const flag = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const positional = () => argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  return { flag, positional, has: (name) => argv.includes(name) };
}

/** One wrk process with bench/wrk.lua (its knobs as env vars); resolves with the
 *  BENCH_RESULT JSON it prints. Killed if it outlives its duration by 30 s; `onSpawn`
 *  sees the child (run.mjs tracks its children to stop them on exit). */
export function runWrk({ url, workload, key, idsFile, n, from = 0, c, seconds, prefix, timeoutS = 30, onSpawn = (child) => child }) {
  return new Promise((resolve, reject) => {
    const env = {
      ...process.env,
      BENCH_WORKLOAD: workload,
      BENCH_KEY: key || 'sk_test_ceiling',
      BENCH_IDS: idsFile || '',
      BENCH_N: String(n || 1),
      BENCH_FROM: String(from),
      BENCH_TAG: randomBytes(4).toString('hex'),
      BENCH_PATH: prefix || '/v1/customers/',
    };
    const args = ['-t1', `-c${c}`, `-d${seconds}s`, '--timeout', `${timeoutS}s`, '-s', path.join(here, 'wrk.lua'), url];
    const child = onSpawn(spawn('wrk', args, { env }));
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

/**
 * Keeps a standalone step's results: in bench/work/<name>.json, and as `section` of
 * bench/results.json (then bench/results.md is rendered again) when a full run left one.
 * Answers whether they were merged.
 */
export function mergeResults(section, measured, name) {
  fs.writeFileSync(path.join(here, 'work', `${name}.json`), JSON.stringify(measured, null, 2) + '\n');
  const file = path.join(here, 'results.json');
  if (!fs.existsSync(file)) return false;
  const results = JSON.parse(fs.readFileSync(file, 'utf8'));
  results[section] = measured;
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  execFileSync(process.execPath, [path.join(here, 'run.mjs'), '--render'], { stdio: 'inherit' });
  return true;
}

// Cold start, side by side: our worker and the ceiling worker (a constant answer) in one
// Miniflare started by bench/serve.mjs, each timed from the process start to its first 200,
// five fresh starts (empty state each). `node bench/cold-start.mjs`; prints each run and
// the medians. run.mjs measures the same once per bench run.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createServer } from 'node:net';
import { median } from './support.mjs';
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const freePort = () => new Promise((r) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function first(url, key, t0) {
  for (;;) {
    try { const r = await fetch(url, { headers: key ? { Authorization: `Bearer ${key}` } : {} }); if (r.status === 200) return performance.now() - t0; } catch {}
    await sleep(5);
  }
}
const rows = [];
for (let i = 0; i < 5; i++) {
  const persist = fs.mkdtempSync(path.join(ROOT, 'bench', 'work', 'cold-'));
  const ports = { ours: await freePort(), edge: await freePort(), ceiling: await freePort(), floor: await freePort() };
  const t0 = performance.now();
  const child = fork(path.join(ROOT, 'bench', 'serve.mjs'), { cwd: ROOT, env: { ...process.env, BENCH_SERVE: JSON.stringify({ persist, ports }) }, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const [ours, ceiling] = await Promise.all([
    first(`http://127.0.0.1:${ports.ours}/v1/customers?limit=1`, 'sk_test_cold' + i, t0),
    first(`http://127.0.0.1:${ports.ceiling}/`, null, t0),
  ]);
  rows.push({ ours: Math.round(ours), ceiling: Math.round(ceiling), ratio: (ours / ceiling).toFixed(3) });
  child.send('stop');
  await sleep(1500);
  child.kill('SIGKILL');
  fs.rmSync(persist, { recursive: true, force: true });
}
console.log(JSON.stringify(rows));
const med = (k) => median(rows.map((r) => r[k]));
console.log('median ours', med('ours'), 'ceiling', med('ceiling'), 'ratio', (med('ours') / med('ceiling')).toFixed(3));

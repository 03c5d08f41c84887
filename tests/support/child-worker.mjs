// Test support for the crash tests: starts the built worker through Miniflare (as
// startWorker does) in this process, with its state persisted under the directory given
// as the first argument, and prints `READY <url> <peek-url>` once it serves: the second
// is a small HTTP server of this process that answers `GET /kv/<id>` with the KV copy the
// worker wrote of customer <id> (404 when none), so a test can watch the copies it cannot reach through the
// API. Vars come as JSON in the second argument. The test kills this process group with SIGKILL (node and the
// workerd it spawned) to crash the server mid-stream, then starts it again on the same
// directory.
import http from 'node:http';
import { Miniflare } from 'miniflare';
import { workerOptions } from './worker.mjs';

const [persist, vars = '{}'] = process.argv.slice(2);
const mf = new Miniflare(workerOptions({ persist, vars: JSON.parse(vars) }));
const url = (await mf.ready).toString().replace(/\/$/, '');
const kv = await mf.getKVNamespace('CUSTOMERS');
const peek = http.createServer(async (req, res) => {
  const suffix = `/customers/${decodeURIComponent(req.url.slice('/kv/'.length))}`;
  const name = (await kv.list()).keys.map((k) => k.name).find((n) => n.endsWith(suffix));
  const value = name ? await kv.get(name) : null;
  res.writeHead(value === null ? 404 : 200, { 'content-type': 'application/json' });
  res.end(value ?? '');
});
await new Promise((resolve) => peek.listen(0, '127.0.0.1', resolve));
process.stdout.write(`READY ${url} http://127.0.0.1:${peek.address().port}\n`);
setInterval(() => {}, 1 << 30);

// Test support for the crash tests: starts the built worker through Miniflare (as
// startWorker does) in this process, with its state persisted under the directory given
// as the first argument, and prints `READY <url>` once it serves. Vars come as JSON in
// the second argument. The test kills this process group with SIGKILL (node and the
// workerd it spawned) to crash the server mid-stream, then starts it again on the same
// directory.
import { Miniflare } from 'miniflare';
import { workerOptions } from './worker.mjs';

const [persist, vars = '{}'] = process.argv.slice(2);
const mf = new Miniflare(workerOptions({ persist, vars: JSON.parse(vars) }));
const url = (await mf.ready).toString().replace(/\/$/, '');
process.stdout.write(`READY ${url}\n`);
setInterval(() => {}, 1 << 30);

// Runs the stripe-python suite (tests/python/test_*.py, Python's unittest) against the
// built worker: starts build/ in workerd through Miniflare on 127.0.0.1 exactly as the
// node tests do (tests/support/worker.mjs, sandbox keys on), passes its URL to Python in
// EDGE_API_BASE, and exits with the suite's exit code. Needs `npm run build` (or the
// build step of `npm test`) and the .venv that scripts/setup.sh creates.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker } from '../support/worker.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const python = process.platform === 'win32'
  ? path.join(root, '.venv', 'Scripts', 'python.exe')
  : path.join(root, '.venv', 'bin', 'python');
if (!fs.existsSync(python)) {
  console.error(`${python} is missing: run \`npm run setup\` first`);
  process.exit(1);
}

const worker = await startWorker();
let code;
try {
  const child = spawn(python, ['-m', 'unittest', 'discover', '-s', here, '-p', 'test_*.py', '-v'], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      EDGE_API_BASE: worker.url,
      // The worker and the webhook receiver are on 127.0.0.1: never through a proxy.
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      PYTHONDONTWRITEBYTECODE: '1',
      PYTHONUNBUFFERED: '1',
    },
  });
  code = await new Promise((resolve) => {
    child.on('error', (err) => { console.error(err); resolve(1); });
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
} finally {
  await worker.close();
}
process.exit(code);

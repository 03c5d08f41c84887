// End to end with the Rust SDK: clients/async-stripe is a small binary that drives the
// server through async-stripe 0.41 (types generated from Stripe's OpenAPI, deserialised
// strictly), over real HTTP on 127.0.0.1, and prints `ok <check>` per check passed.
// scripts/build-rust-client.sh builds it (scripts/test.sh runs that before this suite);
// this file runs it too, a no-op when the binary is up to date, so it also works alone.
// Every check must be reported in order, so a check skipped or lost fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorker, newKey } from './support/worker.mjs';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.join(root, 'clients', 'async-stripe', 'target', 'debug', 'async-stripe-check');

/** Every check the binary runs, in its order (clients/async-stripe/src/checks.rs). */
const CHECKS = [
  'customers.create',
  'customers.retrieve',
  'customers.update',
  'customers.list_by_email',
  'errors.resource_missing',
  'errors.bad_parameter',
  'payment_methods.attach',
  'customers.default_payment_method',
  'webhooks.construct_event',
  'customers.delete',
  'events.list',
];

let worker;
before(async () => {
  await run('bash', [path.join(root, 'scripts', 'build-rust-client.sh')], { cwd: root });
  worker = await startWorker();
}, { timeout: 15 * 60_000 });
after(() => worker?.close());

/** Runs the binary against the worker with a fresh account; its exit code and lines. */
async function checksAgainst(url, key) {
  try {
    const { stdout } = await run(binary, [url, key], { timeout: 60_000 });
    return { code: 0, lines: stdout.trim().split('\n') };
  } catch (err) {
    return { code: err.code, lines: `${err.stdout ?? ''}`.trim().split('\n'), stderr: err.stderr };
  }
}

test('async-stripe drives customers, errors, payment methods, a signed webhook and events', async () => {
  const { code, lines, stderr } = await checksAgainst(worker.url, newKey());
  assert.deepEqual(lines, CHECKS.map((check) => `ok ${check}`), `stderr: ${stderr ?? ''}`);
  assert.equal(code, 0);
});

test('a check that fails is reported by name and fails the run', async () => {
  // A key the server refuses: the first check fails with the SDK's typed error.
  const { code, lines } = await checksAgainst(worker.url, 'sk_live_not_a_sandbox_key');
  assert.equal(code, 1);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^FAIL customers\.create: the SDK failed: Stripe\(RequestError \{ http_status: 401/);
});

// End to end, as an app team would use it: the npm package (scripts/pack.mjs, from the
// release build in build/) installed into an empty project with no Rust toolchain on
// PATH, `npx edge-customers serve` started there, and the API driven with stripe-node,
// `listen` (to a receiver that verifies with constructEvent), `trigger`, `fixtures`,
// stripe-python, async-stripe, and `deploy --dry-run`. Also: the trigger table covers every event type
// the server's source emits, and each trigger causes its event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Stripe from 'stripe';
import { newKey, stripeClient } from './support/worker.mjs';
import { freePort, startReceiver } from './support/receiver.mjs';
import { TRIGGERS } from '../package/lib/triggers.mjs';
import { runSteps, stepsOf } from '../package/lib/fixtures.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// PATH without any directory that holds cargo, rustc or rustup: a machine without Rust.
const RUST_TOOLS = ['cargo', 'rustc', 'rustup', 'worker-build', 'wasm-bindgen'];
const PATH_WITHOUT_RUST = process.env.PATH.split(path.delimiter)
  .filter((dir) => dir && !RUST_TOOLS.some((tool) => fs.existsSync(path.join(dir, tool))))
  .join(path.delimiter);
const env = { ...process.env, PATH: PATH_WITHOUT_RUST, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', NO_COLOR: '1' };
delete env.NODE_TEST_CONTEXT;
delete env.STRIPE_API_KEY;

let work; // the temporary directory: the tarball, the app project, deploy output
let app; // the app project the package is installed into
let server; // the running `serve`
let base; // its URL
const key = newKey();

/** The command that runs `edge-customers ARGS`: npx, or the bin npx would run. */
const commandLine = (args, npx) =>
  npx ? ['npx', ['--no-install', 'edge-customers', ...args]] : [path.join(app, 'node_modules', '.bin', 'edge-customers'), args];

/**
 * `edge-customers ARGS` in the app project, through npx with `{ npx: true }`, else the
 * installed bin itself (what npx runs, half a second sooner); answers { code, stdout, stderr }.
 */
async function cli(args, { timeout = 20000, npx = false } = {}) {
  const [command, commandArgs] = commandLine(args, npx);
  try {
    const { stdout, stderr } = await run(command, commandArgs, { cwd: app, env, timeout });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * Starts `edge-customers ARGS` in the app project and keeps it running: through npx
 * (`{ npx: true }`, in a process group of its own, since npm passes no signal on), or
 * the installed bin itself, so that its own exit code can be checked. stdout is collected.
 */
function start(args, { npx = false } = {}) {
  const [command, commandArgs] = commandLine(args, npx);
  const child = spawn(command, commandArgs, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: npx });
  const out = { text: '', err: '' };
  child.stdout.on('data', (c) => (out.text += c));
  child.stderr.on('data', (c) => (out.err += c));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  /** Stops it with SIGTERM (the whole group under npx); resolves with its exit code. */
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(npx ? -child.pid : child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    return exited;
  };
  /** Resolves with the match of `pattern` in stdout; rejects after `ms` or when it exits. */
  const waitFor = (pattern, ms = 15000, { afterExit = false } = {}) =>
    new Promise((resolve, reject) => {
      const until = performance.now() + ms;
      const timer = setInterval(() => {
        const match = pattern.exec(out.text);
        if (match) finish(resolve, match);
        else if ((!afterExit && child.exitCode !== null) || performance.now() > until) {
          finish(reject, new Error(`no ${pattern} in ${args[0]}'s output:\n${out.text}\n${out.err}`));
        }
      }, 50);
      const finish = (settle, value) => {
        clearInterval(timer);
        settle(value);
      };
    });
  return { child, out, exited, waitFor, stop };
}

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-customers-package-test-'));
  const packStarted = performance.now();
  const { stdout } = await run(process.execPath, [path.join(root, 'scripts', 'pack.mjs'), '--no-build', '--out', work], { cwd: root });
  const tarball = stdout.trim();
  console.log(`# packed ${path.basename(tarball)}: ${(fs.statSync(tarball).size / 1024).toFixed(1)} KB in ${seconds(packStarted)}`);

  app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'my-app', private: true }));
  const installStarted = performance.now();
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env, timeout: 180000 });
  console.log(`# npm install of the tarball: ${seconds(installStarted)}`);

  const serveStarted = performance.now();
  server = start(['serve', '--port', String(await freePort()), '--in-memory'], { npx: true });
  base = (await server.waitFor(/Listening on (http:\/\/\S+)/, 30000))[1];
  console.log(`# serve: answering ${base} after ${seconds(serveStarted)} (npx included)`);
});

after(async () => {
  if (server) {
    await server.stop();
    // npm exits at once; the server itself says when workerd is down.
    await server.waitFor(/^Stopped\.$/m, 5000, { afterExit: true }).catch(() => {});
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('the machine the package runs on has no Rust toolchain on PATH', async () => {
  for (const tool of RUST_TOOLS) {
    await assert.rejects(run('sh', ['-c', `command -v ${tool}`], { env }), `${tool} is not on PATH`);
  }
});

test('the installed package holds the release build, the dashboard and the CLI, and nothing to compile', () => {
  const installed = path.join(app, 'node_modules', 'edge-customers');
  const files = fs.readdirSync(installed, { recursive: true });
  for (const file of ['build/index.js', 'build/index_bg.wasm', 'public/dashboard/index.html', 'wrangler.toml', 'bin/edge-customers.mjs']) {
    assert.ok(files.includes(file), `${file} is in the package`);
  }
  assert.deepEqual(files.filter((f) => /\.rs$|Cargo\.|^src\/|^core\//.test(f)), [], 'no Rust sources');
  const toml = fs.readFileSync(path.join(installed, 'wrangler.toml'), 'utf8');
  assert.doesNotMatch(toml, /^\[build\]/m, 'the packaged wrangler.toml has no build step');
  assert.match(toml, /^main = "build\/index\.js"$/m);
  assert.ok(fs.existsSync(path.join(app, 'node_modules', '.bin', 'edge-customers')), 'the bin is linked');
});

test('serve prints how to try it, and stripe-node creates and lists customers; the dashboard is on', async () => {
  assert.match(server.out.text, /Try: +curl http:\/\/127\.0\.0\.1:\d+\/v1\/customers -u sk_test_\w+:/);
  assert.match(server.out.text, /Dashboard: +http:\/\/127\.0\.0\.1:\d+\/dashboard\//);
  const stripe = stripeClient(base, key);
  const email = `ada-${Date.now()}@example.com`;
  const ada = await stripe.customers.create({ name: 'Ada Lovelace', email, metadata: { plan: 'pro' } });
  await stripe.customers.create({ name: 'Grace Hopper' });
  const listed = await stripe.customers.list({ email });
  assert.deepEqual(listed.data.map((c) => c.id), [ada.id]);
  assert.equal((await stripe.customers.list()).data.length, 2);
  const dashboard = await fetch(`${base}/dashboard/`);
  assert.equal(dashboard.status, 200);
  assert.match(await dashboard.text(), /<html/i);
});

test('listen forwards trigger\'s event signed with its secret, constructEvent verifies it, and stopping deletes the endpoint', async () => {
  const hookKey = newKey();
  const stripe = stripeClient(base, hookKey);
  const appReceiver = await startReceiver();
  const listener = start(['listen', '--forward-to', appReceiver.url, '--events', 'customer.created,customer.updated', '--api-key', hookKey, '--api-base', base]);
  try {
    const [, secret] = await listener.waitFor(/Ready! Your webhook signing secret is (whsec_\w+)/);
    const [endpoint] = (await stripe.webhookEndpoints.list()).data;
    assert.deepEqual(endpoint.enabled_events, ['customer.created', 'customer.updated']);

    const triggered = await cli(['trigger', 'customer.created', '--api-key', hookKey, '--api-base', base], { npx: true });
    assert.equal(triggered.code, 0, triggered.stderr);
    const [, customerId] = /Running fixture for: customer → customer (cus_\w+)/.exec(triggered.stdout) ?? [];
    assert.ok(customerId, triggered.stdout);
    assert.match(triggered.stdout, /Trigger succeeded!/);

    const [delivery] = await appReceiver.waitFor((d) => d.length >= 1);
    const event = Stripe.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'], secret);
    assert.equal(event.type, 'customer.created');
    assert.equal(event.data.object.id, customerId);
    assert.throws(() => Stripe.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'], 'whsec_other'));
    await listener.waitFor(new RegExp(`--> customer\\.created \\[${event.id}\\]`));
    await listener.waitFor(new RegExp(`<-- +\\[200\\] POST ${appReceiver.url.replace(/[.]/g, '\\.')} \\[${event.id}\\]`));

    assert.equal(await listener.stop(), 0);
    assert.match(listener.out.text, new RegExp(`Deleted the webhook endpoint ${endpoint.id}`));
    assert.deepEqual((await stripe.webhookEndpoints.list()).data, [], 'the endpoint is gone');
  } finally {
    await listener.stop();
    await appReceiver.close();
  }
});

test('fixtures runs a Stripe CLI fixtures file with references; a failing step stops with its name and Stripe\'s error', async () => {
  const fixturesKey = newKey();
  const file = path.join(work, 'seed.json');
  fs.writeFileSync(file, JSON.stringify({
    _meta: { template_version: 0 },
    fixtures: [
      { name: 'cus_ada', path: '/v1/customers', method: 'post', params: { name: 'Ada', email: 'ada@example.com', metadata: { plan: 'pro' }, address: { city: 'London', country: 'GB' } } },
      { name: 'pm', path: '/v1/payment_methods/pm_card_visa/attach', method: 'post', params: { customer: '${cus_ada:id}' } },
      { name: 'default', path: '/v1/customers/${cus_ada:id}', method: 'post', params: { invoice_settings: { default_payment_method: '${pm:id}' } } },
      { name: 'again', path: '/v1/customers', method: 'get', params: { email: '${cus_ada:email}' } },
      { name: 'twin', path: '/v1/customers', method: 'post', params: { name: 'Twin of ${again:data.0.name}', metadata: { city: '${cus_ada:address.city}' } } },
    ],
  }));
  const ok = await cli(['fixtures', file, '--api-key', fixturesKey, '--api-base', base]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /Running fixture for: default → customer cus_\w+/);
  const stripe = stripeClient(base, fixturesKey);
  const [twin, ada] = (await stripe.customers.list()).data;
  assert.equal(ada.metadata.plan, 'pro');
  assert.match(ada.invoice_settings.default_payment_method, /^pm_/);
  assert.equal((await stripe.paymentMethods.retrieve(ada.invoice_settings.default_payment_method)).customer, ada.id);
  assert.equal(twin.name, 'Twin of Ada');
  assert.equal(twin.metadata.city, 'London');

  const bad = path.join(work, 'bad.json');
  fs.writeFileSync(bad, JSON.stringify({
    _meta: { template_version: 0 },
    fixtures: [
      { name: 'cus', path: '/v1/customers', method: 'post', params: { name: 'Bo' } },
      { name: 'broken', path: '/v1/customers/${cus:id}', method: 'post', params: { no_such_param: 'x' } },
      { name: 'never', path: '/v1/customers', method: 'post', params: { name: 'never made' } },
    ],
  }));
  const failed = await cli(['fixtures', bad, '--api-key', fixturesKey, '--api-base', base]);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /fixture "broken" failed: 400 invalid_request_error \(parameter_unknown, param no_such_param\): Received unknown parameter: no_such_param/);
  assert.equal((await stripe.customers.list({ limit: 10 })).data.filter((c) => c.name === 'never made').length, 0, 'no step after the failing one ran');
});

test('--help on every command, and bad flags or an unknown event say what is wrong with a non-zero exit', async () => {
  for (const command of ['serve', 'listen', 'trigger', 'fixtures', 'deploy']) {
    const help = await cli([command, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, new RegExp(`^Usage: edge-customers ${command}`));
  }
  const badFlag = await cli(['serve', '--prot', '9']);
  assert.equal(badFlag.code, 2);
  assert.match(badFlag.stderr, /serve: Unknown option '--prot'/);
  const noTarget = await cli(['listen']);
  assert.equal(noTarget.code, 2);
  assert.match(noTarget.stderr, /--forward-to URL is required/);
  const badKvId = await cli(['deploy', '--kv-id', 'not-an-id']);
  assert.equal(badKvId.code, 2);
  assert.match(badKvId.stderr, /--kv-id must be a KV namespace id \(32 hex digits\), not 'not-an-id'/);
  const unknown = await cli(['trigger', 'charge.succeeded', '--api-base', base]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no trigger for 'charge\.succeeded'.*\n(  \S+\n)*  customer\.created\n/);
});

test('deploy --dry-run bundles the packaged build with no build step; a real deploy refuses the placeholder KV id', async () => {
  const outdir = path.join(work, 'dry-run');
  const dry = await cli(['deploy', '--dry-run', '--', '--outdir', outdir], { timeout: 60000, npx: true });
  assert.equal(dry.code, 0, dry.stderr);
  assert.doesNotMatch(dry.stdout + dry.stderr, /Running custom build/, 'no build step');
  assert.ok(fs.readdirSync(outdir).some((f) => f.endsWith('.wasm')), 'the wasm is bundled');
  const [production, preview] = await Promise.all([cli(['deploy']), cli(['deploy', '--env', 'preview'])]);
  for (const refused of [production, preview]) assert.equal(refused.code, 1, refused.stderr);
  assert.match(production.stderr, /no real KV namespace id for CUSTOMERS \(it is '0{32}'\)/);
  assert.match(preview.stderr, /no real KV namespace id for CUSTOMERS in env\.preview \(it is '0{31}1'\)/);
});

test('serve --persist-to keeps the data across a stop (SIGTERM, exit 0) and a start', async () => {
  const dir = path.join(work, 'state');
  const persistKey = newKey();
  const first = start(['serve', '--port', String(await freePort()), '--persist-to', dir]);
  const firstUrl = (await first.waitFor(/Listening on (http:\/\/\S+)/))[1];
  const made = await stripeClient(firstUrl, persistKey).customers.create({ name: 'kept' });
  assert.equal(await first.stop(), 0);
  assert.match(first.out.text, /^Stopped\.$/m);
  const second = start(['serve', '--port', String(await freePort()), '--persist-to', dir]);
  try {
    const secondUrl = (await second.waitFor(/Listening on (http:\/\/\S+)/))[1];
    assert.equal((await stripeClient(secondUrl, persistKey).customers.retrieve(made.id)).name, 'kept');
  } finally {
    await second.stop();
  }
});

test('stripe-python works against the served package', { skip: !fs.existsSync(path.join(root, '.venv', 'bin', 'python')) && 'no .venv' }, async () => {
  const script = `
import stripe, sys
stripe.api_key = sys.argv[2]
stripe.api_base = sys.argv[1]
c = stripe.Customer.create(name="Py", email="py@example.com", metadata={"lang": "python"})
found = stripe.Customer.list(email="py@example.com")
assert [x.id for x in found.data] == [c.id], found
print(c.id, c.metadata["lang"])
`;
  const { stdout } = await run(path.join(root, '.venv', 'bin', 'python'), ['-c', script, base, newKey()], { env });
  assert.match(stdout, /^cus_\w+ python$/m);
});

test('async-stripe works against the served package', async () => {
  // The client check of tests/rust-sdk.test.mjs (built by scripts/build-rust-client.sh,
  // which scripts/test.sh runs before this suite): a native binary, no toolchain needed
  // to run it, pointed at the served package with a fresh account.
  const binary = path.join(root, 'clients', 'async-stripe', 'target', 'debug', 'async-stripe-check');
  if (!fs.existsSync(binary)) await run('bash', [path.join(root, 'scripts', 'build-rust-client.sh')], { cwd: root });
  const { stdout } = await run(binary, [base, newKey()], { env, timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  assert.ok(lines.length >= 10 && lines.every((l) => l.startsWith('ok ')), stdout);
  assert.ok(lines.includes('ok webhooks.construct_event'), 'a webhook from the served package verified by Webhook::construct_event');
});

/** The event types the server's Rust source emits: the catalogue's names that appear as
 * string literals in non-test code (core/src, src), apart from the catalogue itself. */
function emittedEventTypes() {
  const rust = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.rs')).map((f) => path.join(dir, f));
  const code = (file) => fs.readFileSync(file, 'utf8').split(/^\s*#\[cfg\(test\)\]/m)[0].replace(/^\s*\/\/.*$/gm, '');
  const catalogueFile = path.join(root, 'core', 'src', 'resources', 'events', 'types.rs');
  const catalogue = new Set([...code(catalogueFile).matchAll(/"([a-z_.]+\.[a-z_]+)"/g)].map((m) => m[1]));
  const files = [...rust(path.join(root, 'core', 'src')), ...rust(path.join(root, 'src'))].filter((f) => f !== catalogueFile);
  const found = new Set();
  for (const file of files) {
    for (const [, literal] of code(file).matchAll(/"([a-z_.]+)"/g)) if (catalogue.has(literal)) found.add(literal);
  }
  return [...found].sort();
}

test('the trigger table covers exactly the event types the server emits, and each trigger causes its event', async () => {
  const emitted = emittedEventTypes();
  assert.ok(emitted.includes('customer.created') && emitted.includes('test_helpers.test_clock.ready'), `derived: ${emitted}`);
  assert.deepEqual(Object.keys(TRIGGERS).sort(), emitted, 'a trigger for every emitted type, and none for a type never emitted');
  const client = { base, key: newKey() };
  const missed = [];
  for (const [type, steps] of Object.entries(TRIGGERS)) {
    const before = await fetch(`${base}/v1/events?type=${type}&limit=100`, { headers: { Authorization: `Bearer ${client.key}` } }).then((r) => r.json());
    await runSteps(client, stepsOf({ fixtures: steps }));
    const afterwards = await fetch(`${base}/v1/events?type=${type}&limit=100`, { headers: { Authorization: `Bearer ${client.key}` } }).then((r) => r.json());
    if (afterwards.data.length <= before.data.length) missed.push(type);
  }
  assert.deepEqual(missed, [], 'triggers that caused no event of their type');
});

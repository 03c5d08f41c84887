// Production and preview are isolated from each other: wrangler.toml gives the preview
// its own Worker name (so its own Durable Object namespaces), its own KV namespace and
// sandbox keys, while production accepts only the keys of its API_KEYS secret. The
// config is read with wrangler's own reader; the key policy is checked on the built
// worker in production mode (SANDBOX_KEYS=false).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createRequire } from 'node:module';
import { startWorker, newKey, request, stripeClient } from './support/worker.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
process.env.WRANGLER_SEND_METRICS ??= 'false';
const { unstable_readConfig: readConfig } = require('wrangler');

function config(env) {
  return readConfig({ config: path.join(root, 'wrangler.toml'), env });
}

test('wrangler.toml: production and preview have their own Worker, KV namespace and Durable Objects', () => {
  const production = config(undefined);
  const preview = config('preview');
  assert.notEqual(preview.name, production.name, 'a Durable Object namespace belongs to its Worker: the names must differ');
  const kv = (c) => c.kv_namespaces.find((ns) => ns.binding === 'CUSTOMERS');
  assert.ok(kv(production) && kv(preview), 'both bind CUSTOMERS');
  assert.notEqual(kv(preview).id, kv(production).id, 'separate KV namespaces');
  for (const c of [production, preview]) {
    const bindings = Object.fromEntries(c.durable_objects.bindings.map((b) => [b.name, b]));
    assert.deepEqual(Object.keys(bindings).sort(), ['ACCOUNT_OBJECT', 'CUSTOMER_OBJECT']);
    for (const b of Object.values(bindings)) {
      assert.equal(b.script_name, undefined, `${c.name}: ${b.name} binds its own Worker's class, never another Worker's`);
    }
  }
});

test('wrangler.toml: sandbox keys are on only in preview, and every var is set in both', () => {
  const production = config(undefined);
  const preview = config('preview');
  assert.equal(production.vars.SANDBOX_KEYS, 'false');
  assert.equal(preview.vars.SANDBOX_KEYS, 'true');
  for (const name of ['READ_CONSISTENCY', 'EDGE_CACHE_TTL_MS']) {
    assert.ok(name in production.vars && name in preview.vars, `${name} (vars are not inherited by environments)`);
  }
});

let production;
let sandbox;
const configuredKey = `sk_test_${'c'.repeat(24)}`;
before(async () => {
  [production, sandbox] = await Promise.all([
    startWorker({ vars: { SANDBOX_KEYS: 'false', API_KEYS: `acme=${configuredKey}` } }),
    startWorker(),
  ]);
});
after(() => Promise.all([production?.close(), sandbox?.close()]));

test('a production-mode worker refuses a sandbox key that a sandbox worker accepts', async () => {
  const key = newKey();
  const accepted = await request(sandbox.url, key, 'GET', '/v1/customers');
  assert.equal(accepted.status, 200, accepted.text);

  for (const [method, body] of [['GET', undefined], ['POST', 'name=Sneaky']]) {
    const refused = await request(production.url, key, method, '/v1/customers', body);
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.json.error.type, 'invalid_request_error');
    assert.equal(refused.json.error.message, `Invalid API Key provided: sk_test_${'*'.repeat(key.length - 12)}${key.slice(-4)}`);
  }
  await assert.rejects(stripeClient(production.url, key).customers.create({ name: 'Sneaky' }), (err) => {
    assert.equal(err.type, 'StripeAuthenticationError');
    assert.equal(err.statusCode, 401);
    return true;
  });
});

test('a production-mode worker accepts the keys of its API_KEYS secret', async () => {
  const stripe = stripeClient(production.url, configuredKey);
  const created = await stripe.customers.create({ name: 'Configured' });
  assert.equal(created.livemode, false);
  const listed = await stripe.customers.list({ limit: 100 });
  assert.deepEqual(listed.data.map((c) => c.name), ['Configured']);
});

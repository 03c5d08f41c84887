// End to end: the limits that protect a deployment — per-account rate limits (a 429
// that the SDKs retry), the sandbox caps on customers, webhook endpoints and events
// kept, and the host allow-list for webhook endpoint URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let limited;
let capped;
before(async () => {
  [limited, capped] = await Promise.all([
    startWorker({ vars: { RATE_LIMITS: 'on', RATE_LIMIT_TEST_PER_SECOND: '10' } }),
    startWorker({
      vars: {
        SANDBOX_MAX_CUSTOMERS: '3',
        SANDBOX_MAX_EVENTS: '5',
        WEBHOOK_HOST_ALLOWLIST: 'hooks.example.com,*.allowed.test',
      },
    }),
  ]);
});
after(async () => {
  await Promise.all([limited.close(), capped.close()]);
});

test('a burst over the rate limit gets 429 rate_limit errors that the SDK is told to retry', async () => {
  const key = newKey();
  const answers = await Promise.all(
    Array.from({ length: 30 }, () => request(limited.url, key, 'GET', '/v1/customers')),
  );
  const ok = answers.filter((a) => a.status === 200).length;
  const limitedAnswers = answers.filter((a) => a.status === 429);
  assert.ok(ok >= 10 && ok <= 12, `about one second's worth admitted: ${ok}`);
  assert.equal(ok + limitedAnswers.length, 30);
  for (const a of limitedAnswers) {
    assert.equal(a.json.error.type, 'invalid_request_error');
    assert.equal(a.json.error.code, 'rate_limit');
    assert.equal(a.headers.get('stripe-should-retry'), 'true');
  }
  // Another account has its own bucket.
  assert.equal((await request(limited.url, newKey(), 'GET', '/v1/customers')).status, 200);
});

test('the SDK with maxNetworkRetries 2 gets through a burst over the limit', async () => {
  const { hostname, port } = new URL(limited.url);
  const stripe = new Stripe(newKey(), { host: hostname, port, protocol: 'http', telemetry: false, maxNetworkRetries: 2 });
  const created = await Promise.all(Array.from({ length: 15 }, (_, i) => stripe.customers.create({ name: `r${i}` })));
  assert.equal(new Set(created.map((c) => c.id)).size, 15);
  const listed = await stripe.customers.list({ limit: 100 });
  assert.equal(listed.data.length, 15, 'each create happened exactly once');
});

test('a sandbox account holds at most SANDBOX_MAX_CUSTOMERS live customers', async () => {
  const key = newKey();
  const stripe = stripeClient(capped.url, key);
  const made = [];
  for (let i = 0; i < 3; i++) made.push(await stripe.customers.create({ name: `c${i}` }));
  for (const headers of [{}, { 'Idempotency-Key': 'over-the-cap' }]) {
    const refused = await request(capped.url, key, 'POST', '/v1/customers', 'name=Fourth', headers);
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.json.error.type, 'invalid_request_error');
    assert.match(refused.json.error.message, /already has 3 customers/);
  }
  await stripe.customers.del(made[0].id);
  const fourth = await request(capped.url, key, 'POST', '/v1/customers', 'name=Fourth', { 'Idempotency-Key': 'over-the-cap' });
  assert.equal(fourth.status, 200, `the refused key was released: ${fourth.text}`);
  assert.equal((await stripe.customers.list()).data.length, 3);
});

test('an account keeps at most SANDBOX_MAX_EVENTS events in sandbox mode', async () => {
  const stripe = stripeClient(capped.url);
  const { id } = await stripe.customers.create({ name: 'e0' });
  for (let i = 1; i <= 11; i++) await stripe.customers.update(id, { name: `e${i}` });
  const events = await stripe.events.list({ limit: 100 });
  assert.equal(events.data.length, 5, 'the five newest of twelve');
  assert.deepEqual(events.data.map((e) => e.data.object.name), ['e11', 'e10', 'e9', 'e8', 'e7']);
});

test('an account has at most 16 webhook endpoints', async () => {
  const stripe = stripeClient(capped.url);
  for (let i = 0; i < 16; i++) {
    await stripe.webhookEndpoints.create({ url: `https://hooks.example.com/${i}`, enabled_events: ['*'] });
  }
  await assert.rejects(stripe.webhookEndpoints.create({ url: 'https://hooks.example.com/17', enabled_events: ['*'] }), (err) => {
    assert.equal(err.statusCode, 400);
    assert.match(err.message, /16 webhook endpoints/);
    return true;
  });
});

test('webhook endpoint URLs must name a host of WEBHOOK_HOST_ALLOWLIST when it is set', async () => {
  const stripe = stripeClient(capped.url);
  const ok = await stripe.webhookEndpoints.create({ url: 'https://a.allowed.test/h', enabled_events: ['*'] });
  for (const url of ['https://evil.example.net/h', 'https://allowed.test/h', 'http://127.0.0.1:9/h']) {
    await assert.rejects(stripe.webhookEndpoints.create({ url, enabled_events: ['*'] }), (err) => {
      assert.equal(err.statusCode, 400);
      assert.equal(err.param, 'url');
      assert.match(err.message, /may only send to these hosts/);
      return true;
    });
    await assert.rejects(stripe.webhookEndpoints.update(ok.id, { url }), (err) => err.statusCode === 400 && err.param === 'url');
  }
  assert.equal((await stripe.webhookEndpoints.retrieve(ok.id)).url, 'https://a.allowed.test/h');
});

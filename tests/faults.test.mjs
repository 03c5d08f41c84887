// End to end: faults inside the system, injected through the test-only FAULTS var
// (honoured only with SANDBOX_KEYS=true; see src/objects/faults.rs). Each worker makes
// one step fail for each object's first attempts; the writes still answer 200 (their
// change is committed, with its events and the `propagate` job, in one block), and once
// the fault has passed the index (list, search, /v1/events), the KV copy and webhook
// deliveries converge with no manual step.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';
import { eventually, startReceiver, sleep } from './support/receiver.mjs';

/** Faults injected by this file, counted for the README's Reliability section. */
export const injected = { index_upsert: 0, kv_put: 0, webhook_send: 0 };

let index;
let kv;
let hooks;
before(async () => {
  [index, kv, hooks] = await Promise.all([
    startWorker({ vars: { FAULTS: 'index_upsert:2' } }),
    startWorker({ vars: { FAULTS: 'kv_put:2', READ_CONSISTENCY: 'edge', EDGE_CACHE_TTL_MS: '0' } }),
    startWorker({ vars: { FAULTS: 'webhook_send:3', WEBHOOK_RETRY_SCHEDULE: '200,800,60000', WEBHOOK_TIMEOUT_MS: '3000' } }),
  ]);
});
after(async () => {
  await Promise.all([index.close(), kv.close(), hooks.close()]);
  console.log(`# faults injected: ${JSON.stringify(injected)}`);
});

test('a failing index copy leaves list, search and events behind, then they catch up', async () => {
  const stripe = stripeClient(index.url);
  const created = [];
  for (let i = 0; i < 3; i++) {
    created.push(await stripe.customers.create({ name: `Faulty ${i}`, email: `f${i}@example.com`, metadata: { batch: 'faults' } }));
  }
  await stripe.customers.update(created[0].id, { name: 'Faulty zero' });
  injected.index_upsert += 2 * 3;
  // Committed: retrieve (the authority) sees every write at once.
  assert.equal((await stripe.customers.retrieve(created[0].id)).name, 'Faulty zero');
  const listedNow = await stripe.customers.list();
  assert.ok(listedNow.data.length < 3, `the fault held the index back (${listedNow.data.length} listed)`);
  await eventually(async () => (await stripe.customers.list()).data.length === 3, 30_000, 'list');
  const listed = await stripe.customers.list();
  assert.deepEqual(new Set(listed.data.map((c) => c.id)), new Set(created.map((c) => c.id)));
  assert.equal(listed.data.find((c) => c.id === created[0].id).name, 'Faulty zero', 'the newest version');
  const found = await stripe.customers.search({ query: "metadata['batch']:'faults'" });
  assert.equal(found.data.length, 3);
  await eventually(async () => (await stripe.events.list({ limit: 100 })).data.length === 4, 10_000, 'events');
  const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type).sort();
  assert.deepEqual(types, ['customer.created', 'customer.created', 'customer.created', 'customer.updated']);
});

test('a failing KV put leaves the edge copy behind, then it catches up to the newest version', async () => {
  const stripe = stripeClient(kv.url);
  const c = await stripe.customers.create({ name: 'Kv' });
  await stripe.customers.update(c.id, { name: 'Kv 2' });
  injected.kv_put += 2;
  const namespace = await kv.mf.getKVNamespace('CUSTOMERS');
  const keyOf = async () => (await namespace.list()).keys.map((k) => k.name).find((n) => n.endsWith(`/customers/${c.id}`));
  assert.equal(await keyOf(), undefined, 'no KV copy while the fault holds');
  // Edge reads fall back to the object meanwhile.
  assert.equal((await stripe.customers.retrieve(c.id)).name, 'Kv 2');
  await eventually(async () => (await keyOf()) !== undefined, 30_000, 'KV copy');
  const stored = JSON.parse(await namespace.get(await keyOf()));
  assert.equal(stored.version, 2);
  assert.equal(stored.record.customer.name, 'Kv 2');
});

test('failing webhook sends are retried until the event is delivered, once', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const stripe = stripeClient(hooks.url);
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['customer.created'] });
  const c = await stripe.customers.create({ name: 'Hooked' });
  injected.webhook_send += 3;
  await receiver.waitFor((d) => d.length >= 1, 30_000);
  await sleep(1500);
  assert.equal(receiver.deliveries.length, 1, 'delivered once, after the failures');
  const event = new Stripe('sk_test_x').webhooks.constructEvent(receiver.deliveries[0].body, receiver.deliveries[0].headers['stripe-signature'], endpoint.secret);
  assert.equal(event.data.object.id, c.id);
  await eventually(async () => (await stripe.events.list()).data[0].pending_webhooks === 0, 5_000, 'pending_webhooks');
});

test('a wasm trap fails its own request only: the next requests and the objects still work', async () => {
  // FAULTS=worker_trap: a request with X-Test-Trap traps the wasm, as a panic would
  // (panic = "abort"). scripts/fast-shim.mjs's entry marks the instance for a reset,
  // resets it before the next call, and rebuilds the objects' wasm halves built before.
  const trapping = await startWorker({ vars: { FAULTS: 'worker_trap' } });
  try {
    const key = newKey();
    const stripe = stripeClient(trapping.url, key);
    const before = await stripe.customers.create({ name: 'Before the trap', metadata: { n: '1' } });
    const trapped = await request(trapping.url, key, 'GET', `/v1/customers/${before.id}`, undefined, { 'X-Test-Trap': '1' }, { skipSchema: true });
    assert.equal(trapped.status, 500, 'the trapped request fails');
    // The Worker's wasm and the customer's object (built before the reset) both answer.
    const again = await stripe.customers.retrieve(before.id);
    assert.equal(again.name, 'Before the trap');
    const updated = await stripe.customers.update(before.id, { metadata: { n: '2' } });
    assert.equal(updated.metadata.n, '2');
    const after = await stripe.customers.create({ name: 'After the trap' });
    const listed = await stripe.customers.list();
    assert.deepEqual(listed.data.map((c) => c.id).sort(), [before.id, after.id].sort());
  } finally {
    await trapping.close();
  }
});

test('FAULTS is ignored outside sandbox mode', async () => {
  const key = newKey();
  const prod = await startWorker({ vars: { SANDBOX_KEYS: 'false', API_KEYS: `acme=${key}`, FAULTS: 'index_upsert,kv_put' } });
  try {
    const stripe = stripeClient(prod.url, key);
    const c = await stripe.customers.create({ name: 'Prod' });
    assert.deepEqual((await stripe.customers.list()).data.map((x) => x.id), [c.id], 'indexed at once');
  } finally {
    await prod.close();
  }
});

// End to end: webhook endpoints and signed, at-least-once delivery to a real receiver on
// 127.0.0.1, verified with the official SDK's `webhooks.constructEvent`. The retry
// schedule is compressed to milliseconds through the WEBHOOK_RETRY_SCHEDULE var.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';
import { startReceiver, freePort, sleep } from './support/receiver.mjs';

const FAST_RETRIES = { WEBHOOK_RETRY_SCHEDULE: '200,800,60000', WEBHOOK_TIMEOUT_MS: '3000' };
const verifier = new Stripe('sk_test_verifier');

let worker;
before(async () => {
  worker = await startWorker({ vars: FAST_RETRIES });
});
after(() => worker.close());

/** Verifies one delivery as a user's server would, and returns the event. */
function verified(delivery, secret) {
  return verifier.webhooks.constructEvent(delivery.body, delivery.headers['stripe-signature'], secret);
}

async function endpointFor(stripe, receiver, enabled_events = ['*']) {
  return stripe.webhookEndpoints.create({ url: receiver.url, enabled_events });
}

test('created, updated and deleted events arrive signed, and previous_attributes is exact', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const stripe = stripeClient(worker.url);
  const endpoint = await endpointFor(stripe, receiver);
  assert.match(endpoint.secret, /^whsec_[0-9A-Za-z]{32}$/);

  const customer = await stripe.customers.create({
    name: 'Ada', metadata: { plan: 'free', keep: 'yes' }, address: { line1: '1 Old St', city: 'Paris' },
  });
  await stripe.customers.update(customer.id, {
    name: 'Ada Lovelace', metadata: { plan: 'pro', added: 'x', keep: '' }, address: { line1: '2 New St' },
  });
  await stripe.customers.del(customer.id);
  await receiver.waitFor((d) => d.length >= 3);

  const events = receiver.deliveries.map((d) => verified(d, endpoint.secret));
  assert.deepEqual(events.map((e) => e.type), ['customer.created', 'customer.updated', 'customer.deleted']);
  for (const e of events) {
    assert.match(e.id, /^evt_/);
    assert.equal(e.object, 'event');
    assert.equal(e.api_version, '2023-08-16');
    assert.equal(e.livemode, false);
    assert.equal(e.data.object.id, customer.id);
    assert.match(e.request.id, /^req_/);
  }
  const updated = events[1];
  assert.deepEqual(updated.data.previous_attributes, {
    address: { line1: '1 Old St' },
    metadata: { added: null, keep: 'yes', plan: 'free' },
    name: 'Ada',
  });
  assert.equal(updated.data.object.name, 'Ada Lovelace');
  assert.equal(updated.data.object.address.line1, '2 New St');
  assert.equal(events[0].data.previous_attributes, undefined);

  const headers = receiver.deliveries[0].headers;
  assert.equal(headers['user-agent'], 'Stripe/1.0 (+https://stripe.com/docs/webhooks)');
  assert.match(headers['content-type'], /^application\/json/);
  assert.throws(() => verified(receiver.deliveries[0], 'whsec_wrong'), /No signatures found matching/);
});

test('an update that changes nothing emits no event', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const stripe = stripeClient(worker.url);
  await endpointFor(stripe, receiver);
  const customer = await stripe.customers.create({ name: 'Same' });
  await stripe.customers.update(customer.id, { name: 'Same' });
  await stripe.customers.update(customer.id, { name: 'Changed' });
  await receiver.waitFor((d) => d.length >= 2);
  await sleep(300);
  assert.deepEqual(receiver.events().map((e) => e.type), ['customer.created', 'customer.updated']);
  const list = await stripe.events.list({ type: 'customer.updated' });
  assert.equal(list.data.length, 1);
});

test('an endpoint that answers 500 twice then 200 gets the same event three times, then never again', async (t) => {
  const receiver = await startReceiver({ respond: (_, i) => (i < 2 ? 500 : 200) });
  t.after(() => receiver.close());
  const stripe = stripeClient(worker.url);
  const endpoint = await endpointFor(stripe, receiver, ['customer.created']);
  const customer = await stripe.customers.create({ email: 'retry@example.com' });
  await receiver.waitFor((d) => d.length >= 3);
  await sleep(1500);
  assert.equal(receiver.deliveries.length, 3, 'no delivery after the first 2xx');
  const ids = receiver.deliveries.map((d) => verified(d, endpoint.secret).id);
  assert.equal(new Set(ids).size, 1, 'the same event each time');
  const event = await stripe.events.retrieve(ids[0]);
  assert.equal(event.data.object.id, customer.id);
  assert.equal(event.pending_webhooks, 0);
  const owed = await stripe.events.list({ delivery_success: false });
  assert.equal(owed.data.length, 0);
});

test('an endpoint that is down while 20 customers change receives every event once up, each customer in order', async (t) => {
  const port = await freePort();
  const stripe = stripeClient(worker.url);
  const endpoint = await stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/hook`, enabled_events: ['*'] });
  const ids = [];
  for (let i = 0; i < 20; i += 1) {
    const c = await stripe.customers.create({ name: `c${i}` });
    await stripe.customers.update(c.id, { metadata: { n: String(i) } });
    ids.push(c.id);
  }
  const owed = await stripe.events.list({ delivery_success: false, limit: 100 });
  assert.equal(owed.data.length, 40, 'every event is still owed while the endpoint is down');
  assert.ok(owed.data.every((e) => e.pending_webhooks === 1));

  const receiver = await startReceiver({ port });
  t.after(() => receiver.close());
  const distinct = () => new Set(receiver.deliveries.map((d) => JSON.parse(d.body).id)).size;
  await receiver.waitFor(() => distinct() >= 40, 30000);
  const events = receiver.deliveries.map((d) => verified(d, endpoint.secret));
  for (const id of ids) {
    const mine = events.filter((e) => e.data.object.id === id).map((e) => e.type);
    const firsts = mine.filter((type, i) => mine.indexOf(type) === i);
    assert.deepEqual(firsts, ['customer.created', 'customer.updated'], `order for ${id}`);
  }
  // The count falls once each 2xx is recorded, just after the receiver answered.
  let still;
  for (let i = 0; i < 50; i += 1) {
    still = await stripe.events.list({ delivery_success: false });
    if (still.data.length === 0) break;
    await sleep(100);
  }
  assert.equal(still.data.length, 0);
});

test('enabled_events filters, and a disabled endpoint receives nothing', async (t) => {
  const only = await startReceiver();
  const disabled = await startReceiver();
  t.after(() => Promise.all([only.close(), disabled.close()]));
  const stripe = stripeClient(worker.url);
  await endpointFor(stripe, only, ['customer.deleted']);
  const off = await endpointFor(stripe, disabled, ['*']);
  const updatedEndpoint = await stripe.webhookEndpoints.update(off.id, { disabled: true });
  assert.equal(updatedEndpoint.status, 'disabled');
  assert.equal(updatedEndpoint.secret, undefined, 'the secret is shown only on create');
  const c = await stripe.customers.create({ name: 'x' });
  await stripe.customers.update(c.id, { name: 'y' });
  await stripe.customers.del(c.id);
  await only.waitFor((d) => d.length >= 1);
  await sleep(800);
  assert.deepEqual(only.events().map((e) => e.type), ['customer.deleted']);
  assert.equal(disabled.deliveries.length, 0);
});

test('a deleted endpoint stops receiving, retries included', async (t) => {
  const receiver = await startReceiver({ respond: () => 500 });
  t.after(() => receiver.close());
  const stripe = stripeClient(worker.url);
  const endpoint = await endpointFor(stripe, receiver);
  await stripe.customers.create({ name: 'x' });
  await receiver.waitFor((d) => d.length >= 1);
  const deleted = await stripe.webhookEndpoints.del(endpoint.id);
  assert.deepEqual(deleted, { ...deleted, id: endpoint.id, object: 'webhook_endpoint', deleted: true });
  const seen = receiver.deliveries.length;
  await sleep(1500);
  assert.ok(receiver.deliveries.length <= seen + 1, 'at most one attempt already in flight');
  const owed = await stripe.events.list({ delivery_success: false });
  assert.equal(owed.data.length, 0, 'a deleted endpoint is owed nothing');
});

test('the static endpoint from vars receives every event of every account', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const secret = 'whsec_static_test_secret';
  const preview = await startWorker({ vars: { ...FAST_RETRIES, WEBHOOK_STATIC_URL: receiver.url, WEBHOOK_STATIC_SECRET: secret } });
  t.after(() => preview.close());
  const a = await stripeClient(preview.url).customers.create({ name: 'account a' });
  const b = await stripeClient(preview.url).customers.create({ name: 'account b' });
  await receiver.waitFor((d) => d.length >= 2);
  const events = receiver.deliveries.map((d) => verified(d, secret));
  assert.deepEqual(new Set(events.map((e) => e.data.object.id)), new Set([a.id, b.id]));
});

test('events still owed when the runtime stops are delivered after it restarts', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edge-customers-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const first = await startWorker({ vars: FAST_RETRIES, persist: dir });
  const key = newKey();
  const stripe = stripeClient(first.url, key);
  const endpoint = await stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/hook`, enabled_events: ['*'] });
  const customer = await stripe.customers.create({ name: 'survivor' });
  await first.close();

  const receiver = await startReceiver({ port });
  t.after(() => receiver.close());
  const second = await startWorker({ vars: FAST_RETRIES, persist: dir });
  t.after(() => second.close());
  // Any request wakes nothing up by itself: the alarm persisted with the delivery does.
  await receiver.waitFor((d) => d.length >= 1, 20000);
  const event = verified(receiver.deliveries[0], endpoint.secret);
  assert.equal(event.type, 'customer.created');
  assert.equal(event.data.object.id, customer.id);
});

test('webhook endpoint parameters are validated with Stripe-shaped errors', async () => {
  const key = newKey();
  const post = (body) => request(worker.url, key, 'POST', '/v1/webhook_endpoints', body);
  let res = await post('enabled_events[]=*');
  assert.equal(res.status, 400);
  assert.equal(res.json.error.message, 'Missing required param: url.');
  assert.equal(res.json.error.param, 'url');
  res = await post('url=https://example.com/hook');
  assert.equal(res.status, 400);
  assert.equal(res.json.error.param, 'enabled_events');
  res = await post('url=ftp://example.com/hook&enabled_events[]=*');
  assert.equal(res.status, 400);
  assert.equal(res.json.error.param, 'url');
  res = await post('url=https://example.com/hook&enabled_events[]=customer.created&enabled_events[]=customer.exploded');
  assert.equal(res.status, 400);
  assert.equal(res.json.error.param, 'enabled_events[1]');
  assert.match(res.json.error.message, /^Invalid enabled_events\[1\]: must be one of account\.application\.authorized, /);
  res = await post('url=https://example.com/hook&enabled_events=customer.created');
  assert.equal(res.json.error.message, 'Invalid array');
  const list = await request(worker.url, key, 'GET', '/v1/webhook_endpoints');
  assert.deepEqual(list.json.data, [], 'nothing was created by the rejected calls');
});

test('webhook endpoints can be listed, retrieved and updated, and never leak across accounts', async () => {
  const stripe = stripeClient(worker.url);
  const a = await stripe.webhookEndpoints.create({ url: 'https://example.com/a', enabled_events: ['customer.created'], description: 'first', metadata: { team: 'x' } });
  const b = await stripe.webhookEndpoints.create({ url: 'https://example.com/b', enabled_events: ['*'] });
  const list = await stripe.webhookEndpoints.list({ limit: 1 });
  assert.deepEqual(list.data.map((e) => e.id), [b.id]);
  assert.equal(list.has_more, true);
  const next = await stripe.webhookEndpoints.list({ starting_after: b.id });
  assert.deepEqual(next.data.map((e) => e.id), [a.id]);
  const got = await stripe.webhookEndpoints.retrieve(a.id);
  assert.equal(got.secret, undefined);
  assert.equal(got.description, 'first');
  assert.deepEqual(got.metadata, { team: 'x' });
  const changed = await stripe.webhookEndpoints.update(a.id, { url: 'https://example.com/a2', enabled_events: ['customer.updated'] });
  assert.equal(changed.url, 'https://example.com/a2');
  assert.deepEqual(changed.enabled_events, ['customer.updated']);
  const other = stripeClient(worker.url);
  await assert.rejects(other.webhookEndpoints.retrieve(a.id), (e) => e.statusCode === 404 && e.code === 'resource_missing');
  await assert.rejects(other.webhookEndpoints.del(a.id), (e) => e.statusCode === 404);
  assert.equal((await stripe.webhookEndpoints.retrieve(a.id)).url, 'https://example.com/a2');
});

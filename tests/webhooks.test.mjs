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

// Our extensions for the dashboard: an endpoint's delivery attempts, and resend.

/** The endpoint's attempts once `predicate(list)` holds (each is recorded just after the receiver answers). */
async function attemptsOnce(key, endpointId, predicate, query = '') {
  let res;
  for (let i = 0; i < 100; i += 1) {
    res = await request(worker.url, key, 'GET', `/v1/webhook_endpoints/${endpointId}/delivery_attempts${query}`);
    assert.equal(res.status, 200, res.text);
    if (predicate(res.json)) return res.json;
    await sleep(100);
  }
  assert.fail(`attempts never matched: ${res.text}`);
}

test('an endpoint lists its delivery attempts newest first, with status, duration and the start of the answer', async (t) => {
  const receiver = await startReceiver({ respond: (_, i) => (i === 0 ? 500 : 200) });
  t.after(() => receiver.close());
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const endpoint = await endpointFor(stripe, receiver, ['customer.created']);
  const before = Math.floor(Date.now() / 1000);
  await stripe.customers.create({ name: 'attempted' });
  await receiver.waitFor((d) => d.length >= 2);
  const list = await attemptsOnce(key, endpoint.id, (l) => l.data.length >= 2);
  assert.equal(list.object, 'list');
  assert.equal(list.url, `/v1/webhook_endpoints/${endpoint.id}/delivery_attempts`);
  assert.equal(list.has_more, false);
  const [second, first] = list.data;
  const event = verified(receiver.deliveries[0], endpoint.secret);
  for (const a of list.data) {
    assert.equal(a.object, 'webhook_delivery_attempt');
    assert.match(a.id, /^wda_\d+$/);
    assert.equal(a.endpoint, endpoint.id);
    assert.equal(a.event, event.id);
    assert.ok(a.created >= before - 1 && a.created <= Math.floor(Date.now() / 1000), `created ${a.created}`);
    assert.ok(Number.isInteger(a.duration_ms) && a.duration_ms >= 0);
  }
  assert.deepEqual([first.status, first.response_excerpt], [500, 'failing on purpose']);
  assert.deepEqual([second.status, second.response_excerpt], [200, 'ok']);

  const page = await request(worker.url, key, 'GET', `/v1/webhook_endpoints/${endpoint.id}/delivery_attempts?limit=1`);
  assert.deepEqual(page.json.data.map((a) => a.id), [second.id]);
  assert.equal(page.json.has_more, true);
  const older = await request(worker.url, key, 'GET', `/v1/webhook_endpoints/${endpoint.id}/delivery_attempts?starting_after=${second.id}`);
  assert.deepEqual(older.json.data.map((a) => a.id), [first.id]);
  assert.equal(older.json.has_more, false);
  const newer = await request(worker.url, key, 'GET', `/v1/webhook_endpoints/${endpoint.id}/delivery_attempts?ending_before=${first.id}`);
  assert.deepEqual(newer.json.data.map((a) => a.id), [second.id]);
});

test('a network failure is an attempt with a null status and the reason as its excerpt', async () => {
  const port = await freePort();
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const endpoint = await stripe.webhookEndpoints.create({ url: `http://127.0.0.1:${port}/hook`, enabled_events: ['*'] });
  await stripe.customers.create({ name: 'unreachable' });
  const list = await attemptsOnce(key, endpoint.id, (l) => l.data.length >= 1);
  assert.equal(list.data[0].status, null);
  assert.ok(list.data[0].response_excerpt.length > 0, 'says why');
});

test('resend delivers an already delivered event again, as a new attempt, and it is owed until answered', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const endpoint = await endpointFor(stripe, receiver);
  const customer = await stripe.customers.create({ name: 'resent' });
  await receiver.waitFor((d) => d.length >= 1);
  await attemptsOnce(key, endpoint.id, (l) => l.data.length === 1);
  const [event] = (await stripe.events.list({ type: 'customer.created' })).data;
  assert.equal(event.data.object.id, customer.id);

  const res = await request(worker.url, key, 'POST', `/v1/webhook_endpoints/${endpoint.id}/resend`, `event=${event.id}`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json, { object: 'webhook_delivery', event: event.id, endpoint: endpoint.id, status: 'pending' });
  await receiver.waitFor((d) => d.length >= 2);
  const again = verified(receiver.deliveries[1], endpoint.secret);
  assert.equal(again.id, event.id);
  assert.equal(again.type, 'customer.created');
  const list = await attemptsOnce(key, endpoint.id, (l) => l.data.length === 2);
  assert.deepEqual(list.data.map((a) => [a.event, a.status]), [[event.id, 200], [event.id, 200]]);
  let owed;
  for (let i = 0; i < 50; i += 1) {
    owed = await stripe.events.retrieve(event.id);
    if (owed.pending_webhooks === 0) break;
    await sleep(100);
  }
  assert.equal(owed.pending_webhooks, 0, 'no longer owed once answered');
  // Twice more in a row: each is one more delivery.
  await request(worker.url, key, 'POST', `/v1/webhook_endpoints/${endpoint.id}/resend`, `event=${event.id}`);
  await receiver.waitFor((d) => d.length >= 3);
});

test('attempts and resend never cross accounts, and their parameters are checked', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const keyA = newKey();
  const keyB = newKey();
  const a = stripeClient(worker.url, keyA);
  const b = stripeClient(worker.url, keyB);
  const endpointA = await endpointFor(a, receiver, ['customer.created']);
  const endpointB = await endpointFor(b, receiver, ['customer.created']);
  await a.customers.create({ name: 'a' });
  const [eventA] = (await a.events.list()).data;
  await receiver.waitFor((d) => d.length >= 1);

  let res = await request(worker.url, keyB, 'GET', `/v1/webhook_endpoints/${endpointA.id}/delivery_attempts`);
  assert.equal(res.status, 404);
  assert.equal(res.json.error.message, `No such webhook endpoint: '${endpointA.id}'`);
  res = await request(worker.url, keyB, 'POST', `/v1/webhook_endpoints/${endpointA.id}/resend`, `event=${eventA.id}`);
  assert.equal(res.status, 404);
  assert.equal(res.json.error.code, 'resource_missing');
  res = await request(worker.url, keyB, 'POST', `/v1/webhook_endpoints/${endpointB.id}/resend`, `event=${eventA.id}`);
  assert.equal(res.status, 404, 'another account\'s event');
  assert.equal(res.json.error.message, `No such event: '${eventA.id}'`);
  assert.equal(res.json.error.param, 'event');
  const listB = await request(worker.url, keyB, 'GET', `/v1/webhook_endpoints/${endpointB.id}/delivery_attempts`);
  assert.deepEqual(listB.json.data, [], 'B sees none of A\'s attempts');

  const post = (body) => request(worker.url, keyA, 'POST', `/v1/webhook_endpoints/${endpointA.id}/resend`, body);
  res = await post('');
  assert.equal(res.status, 400);
  assert.equal(res.json.error.message, 'Missing required param: event.');
  res = await post('event=cus_123');
  assert.equal(res.status, 404);
  res = await post(`event=${eventA.id}&extra=1`);
  assert.equal(res.status, 400);
  assert.equal(res.json.error.param, 'extra');
  res = await request(worker.url, keyA, 'GET', `/v1/webhook_endpoints/${endpointA.id}/delivery_attempts?starting_after=wda_999999`);
  assert.equal(res.status, 400);
  assert.equal(res.json.error.param, 'starting_after');
  res = await request(worker.url, keyA, 'GET', `/v1/webhook_endpoints/${endpointA.id}/delivery_attempts?limit=101`);
  assert.equal(res.status, 400);
  res = await request(worker.url, keyA, 'GET', '/v1/webhook_endpoints/we_nope/delivery_attempts');
  assert.equal(res.status, 404);

  const c = await a.customers.create({ name: 'c' });
  await a.customers.update(c.id, { name: 'c2' });
  const [updated] = (await a.events.list({ type: 'customer.updated' })).data;
  res = await post(`event=${updated.id}`);
  assert.equal(res.status, 400, 'the endpoint does not listen to customer.updated');
  assert.equal(res.json.error.param, 'event');
  await a.webhookEndpoints.update(endpointA.id, { disabled: true });
  res = await post(`event=${eventA.id}`);
  assert.equal(res.status, 400, 'a disabled endpoint');
  assert.match(res.json.error.message, /disabled/);
});

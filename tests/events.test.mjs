// End to end: GET /v1/events and /v1/events/{id} — the event log of an account, newest
// first, with Stripe's filters, written in the same commit as each change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

test('every change is an event, listed newest first with the request that caused it', async () => {
  const stripe = stripeClient(worker.url);
  const c = await stripe.customers.create({ name: 'A' }, { idempotencyKey: 'create-a' });
  await stripe.customers.update(c.id, { name: 'B' });
  await stripe.customers.del(c.id);
  const events = await stripe.events.list();
  assert.deepEqual(events.data.map((e) => e.type), ['customer.deleted', 'customer.updated', 'customer.created']);
  assert.equal(events.url, '/v1/events');
  const created = events.data[2];
  assert.equal(created.request.idempotency_key, 'create-a');
  assert.match(created.request.id, /^req_/);
  assert.equal(created.pending_webhooks, 0);
  assert.equal(created.data.object.name, 'A');
  assert.deepEqual(events.data[1].data.previous_attributes, { name: 'A' });
  const again = await stripe.events.retrieve(created.id);
  assert.deepEqual({ ...again, lastResponse: undefined }, { ...created, lastResponse: undefined });
});

test('type takes wildcards, types takes names, and both at once is a 400', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const c = await stripe.customers.create({ name: 'A' });
  await stripe.customers.update(c.id, { name: 'B' });
  const wildcard = await stripe.events.list({ type: 'customer.*' });
  assert.equal(wildcard.data.length, 2);
  const exact = await stripe.events.list({ types: ['customer.updated'] });
  assert.deepEqual(exact.data.map((e) => e.type), ['customer.updated']);
  const none = await stripe.events.list({ type: 'payment_method.*' });
  assert.equal(none.data.length, 0);
  const both = await request(worker.url, key, 'GET', '/v1/events?type=customer.*&types[]=customer.created');
  assert.equal(both.status, 400);
  assert.equal(both.json.error.type, 'invalid_request_error');
  assert.equal(both.json.error.param, 'types');
});

test('events page with cursors and filter on created', async () => {
  const stripe = stripeClient(worker.url);
  for (let i = 0; i < 3; i += 1) await stripe.customers.create({ name: `n${i}` });
  const first = await stripe.events.list({ limit: 2 });
  assert.equal(first.has_more, true);
  const rest = await stripe.events.list({ limit: 2, starting_after: first.data[1].id });
  assert.equal(rest.data.length, 1);
  assert.equal(rest.has_more, false);
  const back = await stripe.events.list({ ending_before: rest.data[0].id });
  assert.deepEqual(back.data.map((e) => e.id), first.data.map((e) => e.id));
  const future = await stripe.events.list({ created: { gt: Math.floor(Date.now() / 1000) + 3600 } });
  assert.equal(future.data.length, 0);
  const all = [];
  for await (const e of stripe.events.list({ limit: 1 })) all.push(e.id);
  assert.equal(all.length, 3);
});

test('an event of another account, or none at all, is a 404', async () => {
  const owner = stripeClient(worker.url);
  await owner.customers.create({ name: 'private' });
  const [event] = (await owner.events.list()).data;
  const stranger = stripeClient(worker.url);
  await assert.rejects(stranger.events.retrieve(event.id), (e) => e.statusCode === 404 && e.code === 'resource_missing');
  assert.equal((await stranger.events.list()).data.length, 0);
  const res = await request(worker.url, newKey(), 'GET', '/v1/events/evt_doesnotexist1');
  assert.equal(res.status, 404);
  assert.equal(res.json.error.message, "No such event: 'evt_doesnotexist1'");
});

test('tax id changes and an undelete are events too', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const c = await stripe.customers.create({ name: 'T' });
  const taxId = await stripe.customers.createTaxId(c.id, { type: 'us_ein', value: '12-3456789' });
  await stripe.customers.deleteTaxId(c.id, taxId.id);
  await stripe.customers.del(c.id);
  const restored = await request(worker.url, key, 'POST', `/v1/customers/${c.id}/undelete`, '');
  assert.equal(restored.status, 200, restored.text);
  const events = (await stripe.events.list()).data;
  assert.deepEqual(events.map((e) => e.type), [
    'customer.updated', 'customer.deleted', 'customer.tax_id.deleted', 'customer.tax_id.created', 'customer.created',
  ]);
  assert.equal(events[3].data.object.id, taxId.id);
  assert.equal(events[3].data.object.object, 'tax_id');
  const undelete = events[0];
  assert.equal(undelete.data.object.id, c.id);
  assert.equal(undelete.data.previous_attributes.deleted, true);
  assert.equal(typeof undelete.data.previous_attributes.deleted_at, 'number');
});

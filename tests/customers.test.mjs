// End to end: create, retrieve, update and delete through the official stripe SDK,
// with the object shape checked against seed 000 field by field and in order.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

// Seed 000's Customer object, in the order Stripe prints it.
const SEED_KEYS = [
  'id', 'object', 'address', 'balance', 'created', 'currency', 'default_source', 'delinquent',
  'description', 'discount', 'email', 'invoice_prefix', 'invoice_settings', 'livemode', 'metadata',
  'name', 'next_invoice_sequence', 'phone', 'preferred_locales', 'shipping', 'tax_exempt', 'test_clock',
];

test('a created customer has exactly the seed fields, in order, with Stripe defaults', async () => {
  const stripe = stripeClient(worker.url);
  const before = Math.floor(Date.now() / 1000);
  const customer = await stripe.customers.create({ name: 'Jenny Rosen', email: 'jennyrosen@example.com' });
  assert.deepEqual(Object.keys(customer).filter((k) => k !== 'lastResponse'), SEED_KEYS);
  assert.match(customer.id, /^cus_[0-9A-Za-z]{14,}$/);
  assert.equal(customer.object, 'customer');
  assert.equal(customer.name, 'Jenny Rosen');
  assert.equal(customer.email, 'jennyrosen@example.com');
  assert.equal(customer.address, null);
  assert.equal(customer.balance, 0);
  assert.ok(customer.created >= before - 1 && customer.created <= before + 60, 'created is unix seconds');
  assert.equal(customer.currency, null);
  assert.equal(customer.default_source, null);
  assert.equal(customer.delinquent, false);
  assert.equal(customer.description, null);
  assert.equal(customer.discount, null);
  assert.match(customer.invoice_prefix, /^[0-9A-F]{8}$/);
  assert.deepEqual(customer.invoice_settings, {
    custom_fields: null, default_payment_method: null, footer: null, rendering_options: null,
  });
  assert.equal(customer.livemode, false);
  assert.deepEqual(customer.metadata, {});
  assert.equal(customer.next_invoice_sequence, 1);
  assert.equal(customer.phone, null);
  assert.deepEqual(customer.preferred_locales, []);
  assert.equal(customer.shipping, null);
  assert.equal(customer.tax_exempt, 'none');
  assert.equal(customer.test_clock, null);
});

test('retrieve returns what create stored', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({ name: 'Ada', phone: '+14155551212', metadata: { a: '1' } });
  const fetched = await stripe.customers.retrieve(created.id);
  const strip = ({ lastResponse, ...rest }) => rest;
  assert.deepEqual(strip(fetched), strip(created));
});

test('text of every width comes back byte for byte through create, update, retrieve, list and search', async () => {
  // Long enough to cross into the wasm by encodeInto (scripts/fast-shim.mjs: over 64
  // characters), short ones by the glue's own loop; ASCII first, then two-, three- and
  // four-byte UTF-8, and a lone ASCII tail.
  const stripe = stripeClient(worker.url, newKey());
  const name = `Zoë Ångström-${'a'.repeat(70)} 東京 ${'ß'.repeat(40)} 😀🎉 end`;
  const description = `${'é'.repeat(65)}${'x'.repeat(3)}`;
  const created = await stripe.customers.create({ name, description, email: 'unicode@example.com', metadata: { note: `${'ü'.repeat(66)}😀` } });
  assert.equal(created.name, name);
  assert.equal(created.description, description);
  const updated = await stripe.customers.update(created.id, { metadata: { more: `${'日'.repeat(100)}` } });
  assert.equal(updated.metadata.note, `${'ü'.repeat(66)}😀`);
  assert.equal(updated.metadata.more, '日'.repeat(100));
  const fetched = await stripe.customers.retrieve(created.id);
  assert.equal(fetched.name, name);
  assert.equal(fetched.metadata.more, '日'.repeat(100));
  const listed = await stripe.customers.list({ email: 'unicode@example.com' });
  assert.deepEqual(listed.data.map((c) => [c.name, c.description]), [[name, description]]);
  const found = await stripe.customers.search({ query: `name~"東京 ßß"` });
  assert.deepEqual(found.data.map((c) => c.id), [created.id]);
});

test('the seed update example sets metadata[order_id]=6735 and leaves the rest unchanged', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create({ name: 'Jenny Rosen', email: 'jennyrosen@example.com' });
  // Exactly the seed's curl: -d "metadata[order_id]"=6735
  const res = await request(worker.url, key, 'POST', `/v1/customers/${created.id}`, 'metadata[order_id]=6735');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json.metadata, { order_id: '6735' });
  assert.equal(res.json.name, 'Jenny Rosen');
  assert.equal(res.json.email, 'jennyrosen@example.com');
  assert.equal(res.json.invoice_prefix, created.invoice_prefix);
});

test('update merges metadata, unsets one key with an empty value and all keys with metadata=', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ metadata: { a: '1', b: '2' } });
  let c = await stripe.customers.update(id, { metadata: { c: '3', a: '' } });
  assert.deepEqual(c.metadata, { b: '2', c: '3' });
  const res = await request(worker.url, key, 'POST', `/v1/customers/${id}`, 'metadata=');
  assert.deepEqual(res.json.metadata, {});
  c = await stripe.customers.retrieve(id);
  assert.deepEqual(c.metadata, {});
});

test('parameters not passed to update stay as they were', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({
    name: 'N', email: 'n@example.com', description: 'd', phone: '1', balance: -300,
    address: { line1: '1 Main', city: 'SF', country: 'US' }, preferred_locales: ['en', 'fr'],
    invoice_prefix: 'ABC123', next_invoice_sequence: 5, tax_exempt: 'exempt',
    invoice_settings: { footer: 'Thanks' },
  });
  const updated = await stripe.customers.update(created.id, { description: 'changed' });
  for (const field of ['name', 'email', 'phone', 'balance', 'address', 'preferred_locales',
    'invoice_prefix', 'next_invoice_sequence', 'tax_exempt', 'invoice_settings']) {
    assert.deepEqual(updated[field], created[field], field);
  }
  assert.equal(updated.description, 'changed');
});

test('PATCH is an alias of POST for update', async () => {
  const key = newKey();
  const { id } = await stripeClient(worker.url, key).customers.create({ name: 'before' });
  const res = await request(worker.url, key, 'PATCH', `/v1/customers/${id}`, 'name=after');
  assert.equal(res.status, 200);
  assert.equal(res.json.name, 'after');
});

test('delete returns the stub, a later GET returns the same stub, and update is a 404', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ name: 'Gone' });
  const deleted = await stripe.customers.del(id);
  assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: deleted.deleted }, { id, object: 'customer', deleted: true });
  const res = await request(worker.url, key, 'GET', `/v1/customers/${id}`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { id, object: 'customer', deleted: true });
  await assert.rejects(stripe.customers.update(id, { name: 'x' }), (err) => {
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    assert.equal(err.message, `No such customer: '${id}'`);
    return true;
  });
  const again = await request(worker.url, key, 'DELETE', `/v1/customers/${id}`);
  assert.equal(again.status, 404);
});

test('include_deleted=true shows the whole deleted record flagged deleted', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ name: 'Kept', email: 'kept@example.com' });
  await stripe.customers.del(id);
  const res = await request(worker.url, key, 'GET', `/v1/customers/${id}?include_deleted=true`);
  assert.equal(res.status, 200);
  assert.equal(res.json.deleted, true);
  assert.equal(res.json.name, 'Kept');
  assert.equal(res.json.email, 'kept@example.com');
});

test('an unknown customer is a 404 resource_missing through the SDK', async () => {
  const stripe = stripeClient(worker.url);
  await assert.rejects(stripe.customers.retrieve('cus_doesnotexist00'), (err) => {
    assert.equal(err.type, 'StripeInvalidRequestError');
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    assert.equal(err.param, 'id');
    assert.equal(err.message, "No such customer: 'cus_doesnotexist00'");
    return true;
  });
});

test('the SDK retries a create with the same idempotency key and gets the same customer', async () => {
  const stripe = stripeClient(worker.url);
  const first = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'create-once' });
  const second = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'create-once' });
  assert.equal(second.id, first.id);
  assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
  await assert.rejects(
    stripe.customers.create({ name: 'Other' }, { idempotencyKey: 'create-once' }),
    (err) => err.type === 'StripeIdempotencyError' && err.statusCode === 400,
  );
});

test('an update naming a missing coupon of a missing customer is the customer 404 first', async () => {
  const key = newKey();
  const res = await request(worker.url, key, 'POST', '/v1/customers/cus_missing0000000', 'coupon=SPRING');
  assert.equal(res.status, 404);
  assert.equal(res.json.error.param, 'id');
  const { id } = await stripeClient(worker.url, key).customers.create({ name: 'x' });
  const live = await request(worker.url, key, 'POST', `/v1/customers/${id}`, 'coupon=SPRING');
  assert.equal(live.status, 400);
  assert.equal(live.json.error.param, 'coupon');
});

// End to end: products and prices through the official SDK: create, retrieve, update,
// list with each filter, product delete (refused while it has prices), lookup keys and
// their transfer, expand, Stripe's validation errors, and the events (one delivered).
// Every response body is checked against Stripe's schema by the support's HTTP client;
// prices are not re-checked here, as the SDK turns `unit_amount_decimal` into a Decimal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startWorker, stripeClient, newKey, request, rejection } from './support/worker.mjs';
import { startReceiver } from './support/receiver.mjs';
import { assertSchema } from './support/object-schema.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const ids = (list) => list.data.map((o) => o.id);
const bare = ({ lastResponse, ...o }) => o;

test('products are created, retrieved, updated, listed with each filter and deleted', async () => {
  const stripe = stripeClient(worker.url);
  const gold = await stripe.products.create({
    name: 'Gold', description: 'The gold plan', images: ['https://example.com/g.png'], url: 'https://example.com/gold',
    unit_label: 'seat', statement_descriptor: 'GOLD PLAN', shippable: true, tax_code: 'txcd_10000000',
    package_dimensions: { height: 1.5, length: 2, weight: 3, width: 4 }, features: [{ name: 'Fast' }], metadata: { tier: 'gold' },
  });
  assertSchema(gold, 'product');
  assert.match(gold.id, /^prod_/);
  assert.equal(gold.object, 'product');
  assert.equal(gold.active, true);
  assert.equal(gold.default_price, null);
  assert.equal(gold.created, gold.updated);
  assert.deepEqual(gold.features, [{ name: 'Fast' }]);
  assert.deepEqual(gold.package_dimensions, { height: 1.5, length: 2, weight: 3, width: 4 });
  assert.equal(gold.livemode, false);
  assert.deepEqual(bare(await stripe.products.retrieve(gold.id)), bare(gold));
  const custom = await stripe.products.create({ id: 'basic', name: 'Basic', active: false });
  assert.equal(custom.id, 'basic');
  const dup = await rejection(stripe.products.create({ id: 'basic', name: 'Again' }));
  assert.equal(dup.code, 'resource_already_exists');

  const updated = await stripe.products.update(gold.id, { name: 'Gold+', description: '', metadata: { tier: '', added: 'x' }, images: '' });
  assert.equal(updated.name, 'Gold+');
  assert.equal(updated.description, null);
  assert.deepEqual(updated.metadata, { added: 'x' });
  assert.deepEqual(updated.images, []);
  assertSchema(updated, 'product');

  assert.deepEqual(ids(await stripe.products.list()), ['basic', gold.id]);
  assert.deepEqual(ids(await stripe.products.list({ active: false })), ['basic']);
  assert.deepEqual(ids(await stripe.products.list({ active: true })), [gold.id]);
  assert.deepEqual(ids(await stripe.products.list({ ids: ['basic', 'nope'] })), ['basic']);
  assert.deepEqual(ids(await stripe.products.list({ shippable: true })), [gold.id]);
  assert.deepEqual(ids(await stripe.products.list({ url: 'https://example.com/gold' })), [gold.id]);
  assert.deepEqual(ids(await stripe.products.list({ created: { lt: gold.created } })), []);
  assert.deepEqual(ids(await stripe.products.list({ created: { gte: gold.created } })).length, 2);
  const page = await stripe.products.list({ limit: 1 });
  assert.equal(page.has_more, true);
  assert.equal(page.url, '/v1/products');
  assert.deepEqual(ids(await stripe.products.list({ starting_after: page.data[0].id })), [gold.id]);
  assert.deepEqual(ids(await stripe.products.list({ ending_before: gold.id })), ['basic']);

  const deleted = await stripe.products.del('basic');
  assertSchema(deleted, 'deleted_product');
  assert.deepEqual(bare(deleted), { id: 'basic', object: 'product', deleted: true });
  const gone = await rejection(stripe.products.retrieve('basic'));
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.message, "No such product: 'basic'");
  const missingName = await rejection(stripe.products.create({ description: 'no name' }));
  assert.equal(missingName.param, 'name');
  assert.equal(missingName.message, 'Missing required param: name.');
});

test('prices: one-time and recurring, product_data, retrieve, list with each filter, expand', async () => {
  const stripe = stripeClient(worker.url);
  const product = await stripe.products.create({ name: 'Plan' });
  const once = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2000, nickname: 'setup' });
  assert.match(once.id, /^price_/);
  assert.equal(once.type, 'one_time');
  assert.equal(once.recurring, null);
  assert.equal(String(once.unit_amount_decimal), '2000');
  assert.equal(once.billing_scheme, 'per_unit');
  assert.equal(once.tax_behavior, 'unspecified');
  assert.equal(once.product, product.id);
  const monthly = await stripe.prices.create({
    product: product.id, currency: 'EUR', unit_amount_decimal: '999.5', recurring: { interval: 'month', interval_count: 3 }, lookup_key: 'plan_quarterly',
  });
  assert.equal(monthly.currency, 'eur');
  assert.equal(monthly.type, 'recurring');
  assert.equal(monthly.unit_amount, null);
  assert.equal(String(monthly.unit_amount_decimal), '999.5');
  assert.deepEqual(monthly.recurring, { aggregate_usage: null, interval: 'month', interval_count: 3, usage_type: 'licensed' });
  const metered = await stripe.prices.create({
    product_data: { name: 'Calls', metadata: { k: 'v' } }, currency: 'usd', unit_amount: 1, recurring: { interval: 'day', usage_type: 'metered' },
  });
  assert.equal(metered.recurring.aggregate_usage, 'sum');
  const inline = await stripe.products.retrieve(metered.product);
  assert.equal(inline.name, 'Calls');
  assert.deepEqual(inline.metadata, { k: 'v' });

  const expanded = await stripe.prices.retrieve(once.id, { expand: ['product'] });
  assert.equal(expanded.product.id, product.id);
  assert.equal(expanded.product.name, 'Plan');
  const listed = await stripe.prices.list({ expand: ['data.product'] });
  assert.deepEqual(listed.data.map((p) => p.product.object), ['product', 'product', 'product']);
  const notExpandable = await rejection(stripe.prices.retrieve(once.id, { expand: ['currency'] }));
  assert.equal(notExpandable.param, 'expand');
  assert.equal(notExpandable.message, 'This property cannot be expanded (currency).');

  assert.deepEqual(ids(await stripe.prices.list()), [metered.id, monthly.id, once.id]);
  assert.deepEqual(ids(await stripe.prices.list({ product: product.id })), [monthly.id, once.id]);
  assert.deepEqual(ids(await stripe.prices.list({ type: 'one_time' })), [once.id]);
  assert.deepEqual(ids(await stripe.prices.list({ type: 'recurring' })), [metered.id, monthly.id]);
  assert.deepEqual(ids(await stripe.prices.list({ currency: 'eur' })), [monthly.id]);
  assert.deepEqual(ids(await stripe.prices.list({ lookup_keys: ['plan_quarterly', 'other'] })), [monthly.id]);
  assert.deepEqual(ids(await stripe.prices.list({ recurring: { interval: 'day' } })), [metered.id]);
  assert.deepEqual(ids(await stripe.prices.list({ recurring: { usage_type: 'licensed' } })), [monthly.id]);
  assert.deepEqual(ids(await stripe.prices.list({ created: { gt: once.created + 1000 } })), []);
  await stripe.prices.update(once.id, { active: false });
  assert.deepEqual(ids(await stripe.prices.list({ active: false })), [once.id]);
  assert.deepEqual(ids(await stripe.prices.list({ active: true, limit: 1 })), [metered.id]);
});

test('a product with default_price_data gets its default price; archiving it is refused', async () => {
  const stripe = stripeClient(worker.url);
  const product = await stripe.products.create({
    name: 'Bundled', default_price_data: { currency: 'usd', unit_amount: 500, recurring: { interval: 'year' } },
    expand: ['default_price'],
  });
  assert.equal(product.default_price.object, 'price');
  assert.equal(product.default_price.unit_amount, 500);
  assert.equal(product.default_price.product, product.id);
  const price = product.default_price.id;
  const archive = await rejection(stripe.prices.update(price, { active: false }));
  assert.equal(archive.statusCode, 400);
  assert.equal(archive.message, 'This price cannot be archived because it is the default price of its product.');
  const other = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 700 });
  const moved = await stripe.products.update(product.id, { default_price: other.id });
  assert.equal(moved.default_price, other.id);
  assert.ok(moved.updated >= moved.created);
  assert.equal((await stripe.prices.update(price, { active: false })).active, false);
  const inactive = await rejection(stripe.products.update(product.id, { default_price: price }));
  assert.equal(inactive.param, 'default_price');
  const missing = await rejection(stripe.products.update(product.id, { default_price: 'price_nope' }));
  assert.equal(missing.message, "No such price: 'price_nope'");
  const refused = await rejection(stripe.products.del(product.id));
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.message, 'This product cannot be deleted because it has one or more user-created prices.');
  assert.equal((await stripe.products.retrieve(product.id)).id, product.id);
  const [created, priceCreated] = (await stripe.events.list({ limit: 100 })).data.reverse();
  assert.deepEqual([created.type, priceCreated.type], ['product.created', 'price.created']);
  assert.equal(created.data.object.default_price, price, 'the product is created with its default price');
  assert.equal(priceCreated.data.object.product, product.id);
});

test('a create retried with its Idempotency-Key replays: one product, one price, one event each', async () => {
  const stripe = stripeClient(worker.url);
  const first = await stripe.products.create({ name: 'Once' }, { idempotencyKey: 'product-once' });
  const again = await stripe.products.create({ name: 'Once' }, { idempotencyKey: 'product-once' });
  assert.equal(again.id, first.id);
  const price = await stripe.prices.create({ product: first.id, currency: 'usd', unit_amount: 10 }, { idempotencyKey: 'price-once' });
  const priceAgain = await stripe.prices.create({ product: first.id, currency: 'usd', unit_amount: 10 }, { idempotencyKey: 'price-once' });
  assert.equal(priceAgain.id, price.id);
  assert.deepEqual(ids(await stripe.products.list()), [first.id]);
  assert.deepEqual(ids(await stripe.prices.list()), [price.id]);
  const types = (await stripe.events.list()).data.map((e) => e.type);
  assert.deepEqual(types, ['price.created', 'product.created']);
});

test('lookup keys are unique in the account and move with transfer_lookup_key', async () => {
  const stripe = stripeClient(worker.url);
  const product = await stripe.products.create({ name: 'Keys' });
  const first = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100, lookup_key: 'standard' });
  const taken = await rejection(stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 200, lookup_key: 'standard' }));
  assert.equal(taken.statusCode, 400);
  assert.equal(taken.param, 'lookup_key');
  assert.equal(taken.message, `A price (\`${first.id}\`) already uses that lookup key.`);
  const second = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 200, lookup_key: 'standard', transfer_lookup_key: true });
  assert.equal(second.lookup_key, 'standard');
  assert.equal((await stripe.prices.retrieve(first.id)).lookup_key, null);
  const third = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 300 });
  const updateTaken = await rejection(stripe.prices.update(third.id, { lookup_key: 'standard' }));
  assert.equal(updateTaken.param, 'lookup_key');
  const back = await stripe.prices.update(first.id, { lookup_key: 'standard', transfer_lookup_key: true, nickname: 'back', metadata: { a: '1' } });
  assert.equal(back.lookup_key, 'standard');
  assert.equal(back.nickname, 'back');
  assert.deepEqual(back.metadata, { a: '1' });
  assert.deepEqual(ids(await stripe.prices.list({ lookup_keys: ['standard'] })), [first.id]);
});

test("prices refuse what Stripe refuses, with Stripe's messages and param", async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const product = await stripe.products.create({ name: 'Errors' });
  const base = { product: product.id, currency: 'usd', unit_amount: 100 };
  const cases = [
    [{ ...base, currency: 'xyz' }, 'currency', /^Invalid currency: xyz\. Stripe currently supports these currencies: usd, aed, /],
    [{ product: product.id, unit_amount: 1 }, 'currency', /^Missing required param: currency\.$/],
    [{ currency: 'usd', unit_amount: 1 }, 'product', /^Missing required param: product\.$/],
    [{ ...base, recurring: { interval: 'fortnight' } }, 'recurring[interval]', /^Invalid interval: must be one of day, month, week, or year$/],
    [{ ...base, recurring: { interval: 'month', interval_count: 0 } }, 'recurring[interval_count]', /^Invalid positive integer$/],
    [{ ...base, recurring: { interval: 'month', interval_count: 13 } }, 'recurring[interval_count]', /at most one year/],
    [{ ...base, unit_amount: -5 }, 'unit_amount', /greater than or equal to 0/],
    [{ ...base, unit_amount_decimal: '1.5' }, 'unit_amount', /only specify one of these parameters: unit_amount, unit_amount_decimal/],
    [{ ...base, product: 'prod_missing' }, 'product', /^No such product: 'prod_missing'$/],
  ];
  for (const [params, param, message] of cases) {
    const err = await rejection(stripe.prices.create(params));
    assert.equal(err.statusCode, 400, JSON.stringify(params));
    assert.equal(err.type, 'StripeInvalidRequestError');
    assert.equal(err.param, param, JSON.stringify(params));
    assert.match(err.message, message);
  }
  const price = await stripe.prices.create(base);
  const amount = await rejection(stripe.prices.update(price.id, { unit_amount: 5 }));
  assert.equal(amount.code, 'parameter_unknown');
  assert.equal(amount.param, 'unit_amount');
  assert.equal(amount.message, 'Received unknown parameter: unit_amount');
  const taxed = await stripe.prices.update(price.id, { tax_behavior: 'exclusive' });
  assert.equal(taxed.tax_behavior, 'exclusive');
  const again = await rejection(stripe.prices.update(price.id, { tax_behavior: 'inclusive' }));
  assert.equal(again.param, 'tax_behavior');
  const missing = await rejection(stripe.prices.retrieve('price_missing'));
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.message, "No such price: 'price_missing'");
  const noDelete = await request(worker.url, key, 'DELETE', `/v1/prices/${price.id}`);
  assert.equal(noDelete.status, 404);
  assert.equal(((await stripe.prices.retrieve(price.id)).unit_amount), 100, 'nothing refused changed the price');
});

test('each change records its event, previous_attributes included, and one is delivered signed', async (t) => {
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const stripe = stripeClient(worker.url);
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['product.created', 'product.updated', 'product.deleted', 'price.created'] });
  const product = await stripe.products.create({ name: 'Evented' });
  const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 100 });
  await stripe.products.update(product.id, { name: 'Evented 2' });
  await stripe.products.update(product.id, { name: 'Evented 2' });
  await stripe.prices.update(price.id, { nickname: 'nick', metadata: { a: '1' } });
  const inline = await stripe.prices.create({ product_data: { name: 'Inline' }, currency: 'usd', unit_amount: 1 });
  const spare = await stripe.products.create({ name: 'Spare' });
  await stripe.products.del(spare.id);

  const events = (await stripe.events.list({ limit: 100 })).data.reverse();
  assert.deepEqual(events.map((e) => e.type), [
    'product.created', 'price.created', 'product.updated', 'price.updated',
    'product.created', 'price.created', 'product.created', 'product.deleted',
  ]);
  for (const e of events) assertSchema(e, 'event');
  const [, , productUpdated, priceUpdated, inlineProduct, inlinePrice] = events;
  assert.equal(productUpdated.data.object.name, 'Evented 2');
  assert.equal(productUpdated.data.previous_attributes.name, 'Evented');
  assert.deepEqual(priceUpdated.data.previous_attributes, { metadata: { a: null }, nickname: null });
  assert.equal(inlineProduct.data.object.id, inline.product);
  assert.equal(inlinePrice.data.object.id, inline.id);
  assert.equal(events[7].data.object.id, spare.id);
  assert.match(events[0].request.id, /^req_/);

  await receiver.waitFor((d) => d.length >= 7);
  const verifier = new Stripe('sk_test_verifier');
  const delivered = receiver.deliveries.map((d) => verifier.webhooks.constructEvent(d.body, d.headers['stripe-signature'], endpoint.secret));
  // price.updated is not enabled on the endpoint.
  assert.deepEqual(delivered.map((e) => e.type).sort(), [
    'price.created', 'price.created', 'product.created', 'product.created', 'product.created', 'product.deleted', 'product.updated',
  ]);
  assert.equal(delivered.find((e) => e.type === 'price.created' && e.data.object.id === price.id).data.object.unit_amount, 100);
});

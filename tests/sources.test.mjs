// End to end: card sources (Stripe's older Sources API) made from test tokens:
// `source` on create and update, `default_source`, and /v1/customers/{id}/sources.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request, rejection } from './support/worker.mjs';
import { assertSchema } from './support/object-schema.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

test("source: 'tok_visa' on create makes a card, the default source, shown when sources is expanded", async () => {
  const stripe = stripeClient(worker.url);
  const customer = await stripe.customers.create({ source: 'tok_visa', expand: ['sources'] });
  assertSchema(customer, 'customer');
  assert.match(customer.default_source, /^card_/);
  const [card] = customer.sources.data;
  assertSchema(card, 'card');
  assert.equal(card.id, customer.default_source);
  assert.equal(card.object, 'card');
  assert.equal(card.brand, 'Visa');
  assert.equal(card.last4, '4242');
  assert.equal(card.funding, 'credit');
  assert.equal(card.customer, customer.id);
  const plain = await stripe.customers.retrieve(customer.id);
  assert.equal(plain.sources, undefined, 'sources only when expanded');
  assert.equal(plain.default_source, card.id);
  const expanded = await stripe.customers.retrieve(customer.id, { expand: ['default_source'] });
  assert.equal(expanded.default_source.id, card.id);
  assert.equal(expanded.default_source.object, 'card');
});

test('source on update adds the card and makes it the default; default_source takes only this customer\'s sources', async () => {
  const stripe = stripeClient(worker.url);
  const customer = await stripe.customers.create({ source: 'tok_visa' });
  const first = customer.default_source;
  const updated = await stripe.customers.update(customer.id, { source: 'tok_amex', expand: ['sources'] });
  assert.notEqual(updated.default_source, first);
  assert.equal(updated.sources.data.length, 2);
  const amex = updated.sources.data.find((s) => s.id === updated.default_source);
  assert.equal(amex.brand, 'American Express');
  assert.equal(amex.last4, '8431');
  const back = await stripe.customers.update(customer.id, { default_source: first });
  assert.equal(back.default_source, first);
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const notASource = await rejection(stripe.customers.update(customer.id, { default_source: pm.id }));
  assert.equal(notASource.param, 'default_source');
  assert.equal(notASource.message, `No such source: '${pm.id}'`);
  const other = await stripe.customers.create({ source: 'tok_mastercard' });
  const notTheirs = await rejection(stripe.customers.update(customer.id, { default_source: other.default_source }));
  assert.equal(notTheirs.code, 'resource_missing');
  const declined = await rejection(stripe.customers.create({ source: 'tok_chargeDeclined' }));
  assert.equal(declined.type, 'StripeCardError');
});

test('/sources: create, list with an object filter, retrieve, update metadata, delete', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({ name: 'A' });
  const visa = await stripe.customers.createSource(customer.id, { source: 'tok_visa', metadata: { a: '1' } });
  assertSchema(visa, 'card');
  assert.deepEqual(visa.metadata, { a: '1' });
  assert.equal((await stripe.customers.retrieve(customer.id)).default_source, visa.id, 'the first source becomes the default');
  const mc = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' });
  assert.equal((await stripe.customers.retrieve(customer.id)).default_source, visa.id, 'a later one does not');
  const list = await stripe.customers.listSources(customer.id, { object: 'card' });
  assert.deepEqual(list.data.map((s) => s.id), [mc.id, visa.id]);
  assert.equal(list.url, `/v1/customers/${customer.id}/sources`);
  const page = await stripe.customers.listSources(customer.id, { limit: 1 });
  assert.equal(page.has_more, true);
  assert.equal((await stripe.customers.listSources(customer.id, { object: 'bank_account' })).data.length, 0);
  const one = await stripe.customers.retrieveSource(customer.id, mc.id);
  assert.equal(one.brand, 'MasterCard');
  const updated = await stripe.customers.updateSource(customer.id, mc.id, { metadata: { b: '2' }, name: 'Jo' });
  assert.deepEqual(updated.metadata, { b: '2' });
  assert.equal(updated.name, 'Jo');
  const deleted = await stripe.customers.deleteSource(customer.id, visa.id);
  assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: deleted.deleted }, { id: visa.id, object: 'card', deleted: true });
  assertSchema(deleted, 'deleted_card');
  assert.equal((await stripe.customers.retrieve(customer.id)).default_source, mc.id, 'the default moves to the remaining card');
  const gone = await request(worker.url, key, 'GET', `/v1/customers/${customer.id}/sources/${visa.id}`);
  assert.equal(gone.status, 404);
  const badToken = await rejection(stripe.customers.createSource(customer.id, { source: 'tok_nope' }));
  assert.equal(badToken.message, "No such token: 'tok_nope'");
});

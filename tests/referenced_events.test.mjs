// End to end: the events the referenced objects cause — coupons, promotion codes, test
// clocks, payment methods (attached/detached, with seed 004's customer.payment_method_*),
// card sources and discounts — in the account's event log beside the customer events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './support/receiver.mjs';
import { startWorker, stripeClient } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const types = async (stripe, type) => (await stripe.events.list({ type, limit: 100 })).data.map((e) => e.type).reverse();

test('coupons, promotion codes and test clocks record their events', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'EV', percent_off: 10 });
  await stripe.coupons.update('EV', { name: 'Ten' });
  const promo = await stripe.promotionCodes.create({ coupon: 'EV', code: 'EVENTS' });
  await stripe.promotionCodes.update(promo.id, { active: false });
  await stripe.coupons.del('EV');
  assert.deepEqual(await types(stripe, 'coupon.*'), ['coupon.created', 'coupon.updated', 'coupon.deleted']);
  assert.deepEqual(await types(stripe, 'promotion_code.*'), ['promotion_code.created', 'promotion_code.updated']);
  const [updated] = (await stripe.events.list({ type: 'coupon.updated' })).data;
  assert.deepEqual(updated.data.previous_attributes, { name: null });
  assert.equal(updated.data.object.name, 'Ten');
  assert.match(updated.request.id, /^req_/);
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: 1_700_000_000 });
  await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: 1_700_086_400 });
  await eventually(async () => (await stripe.testHelpers.testClocks.retrieve(clock.id)).status === 'ready', 10_000, 'clock ready');
  await stripe.testHelpers.testClocks.del(clock.id);
  assert.deepEqual(await types(stripe, 'test_helpers.*'), [
    'test_helpers.test_clock.created', 'test_helpers.test_clock.advancing', 'test_helpers.test_clock.ready',
    'test_helpers.test_clock.deleted',
  ]);
});

test('payment methods record attached and detached, under both names', async () => {
  const stripe = stripeClient(worker.url);
  const customer = await stripe.customers.create({ payment_method: 'pm_card_visa' });
  const pm = await stripe.paymentMethods.attach('pm_card_amex', { customer: customer.id });
  await stripe.paymentMethods.detach(pm.id);
  assert.deepEqual(await types(stripe, 'payment_method.*'), [
    'payment_method.attached', 'payment_method.attached', 'payment_method.detached',
  ]);
  assert.deepEqual(await types(stripe, 'customer.payment_method_*'), [
    'customer.payment_method_attached', 'customer.payment_method_attached', 'customer.payment_method_detached',
  ]);
  const [detached] = (await stripe.events.list({ type: 'payment_method.detached' })).data;
  assert.equal(detached.data.object.id, pm.id);
  assert.equal(detached.data.object.customer, null);
});

test('card sources and discounts record customer.source.* and customer.discount.*', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'DISC', percent_off: 10 });
  const customer = await stripe.customers.create({ source: 'tok_visa', coupon: 'DISC' });
  const card = await stripe.customers.createSource(customer.id, { source: 'tok_mastercard' });
  await stripe.customers.deleteSource(customer.id, card.id);
  await stripe.customers.deleteDiscount(customer.id);
  assert.deepEqual(await types(stripe, 'customer.source.*'), [
    'customer.source.created', 'customer.source.created', 'customer.source.deleted',
  ]);
  assert.deepEqual(await types(stripe, 'customer.discount.*'), ['customer.discount.created', 'customer.discount.deleted']);
  const [created] = (await stripe.events.list({ type: 'customer.discount.created' })).data;
  assert.equal(created.data.object.coupon.id, 'DISC');
});

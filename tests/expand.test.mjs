// End to end: `expand[]` on the objects the account's object keeps (payment methods,
// promotion codes), on events, and on invoice lines and subscription items: each field
// Stripe's 2023-08-16 schema marks expandable is taken, an id becomes its object, one that
// is already an object (or empty) is shown as it is, and any other path is Stripe's 400
// that changes nothing. Every response is checked against the schema (support/worker.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request, rejection } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const NOT_EXPANDABLE = /This property cannot be expanded \((.+)\)\./;

test("a payment method's customer expands, alone and in its lists, and another path is a 400", async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({ name: 'Jenny Rosen', payment_method: 'pm_card_visa' });
  const [pm] = (await stripe.paymentMethods.list({ customer: customer.id, type: 'card' })).data;
  assert.equal(pm.customer, customer.id, 'unexpanded it is the id');

  const expanded = await stripe.paymentMethods.retrieve(pm.id, { expand: ['customer'] });
  assert.equal(expanded.customer.id, customer.id);
  assert.equal(expanded.customer.object, 'customer');
  assert.equal(expanded.customer.name, 'Jenny Rosen');
  // Objects already (`card`, `billing_details`): taken, and shown as they are.
  const same = await stripe.paymentMethods.retrieve(pm.id, { expand: ['card', 'billing_details'] });
  assert.deepEqual(same, pm);

  const listed = await stripe.paymentMethods.list({ customer: customer.id, type: 'card', expand: ['data.customer'] });
  assert.deepEqual(listed.data.map((p) => p.customer.id), [customer.id]);
  const ofCustomer = await stripe.customers.listPaymentMethods(customer.id, { expand: ['data.customer'] });
  assert.equal(ofCustomer.data[0].customer.name, 'Jenny Rosen');
  const one = await stripe.customers.retrievePaymentMethod(customer.id, pm.id, { expand: ['customer'] });
  assert.equal(one.customer.id, customer.id);

  const updated = await stripe.paymentMethods.update(pm.id, { metadata: { k: 'v' }, expand: ['customer'] });
  assert.equal(updated.customer.id, customer.id);
  assert.deepEqual(updated.metadata, { k: 'v' });
  // The stored payment method keeps its customer as an id, with no trace of the expand.
  const stored = await stripe.paymentMethods.retrieve(pm.id);
  assert.equal(stored.customer, customer.id);
  assert.equal(stored.expand, undefined);

  const attachedPm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_mastercard' }, expand: ['customer'] });
  assert.equal(attachedPm.customer, null, 'a null customer stays null');
  assert.equal((await stripe.paymentMethods.retrieve(attachedPm.id)).expand, undefined, 'a created document holds no expand');
  const attached = await stripe.paymentMethods.attach(attachedPm.id, { customer: customer.id, expand: ['customer'] });
  assert.equal(attached.customer.id, customer.id);

  for (const path of ['metadata', 'customer.planet', 'planet']) {
    const err = await rejection(stripe.paymentMethods.retrieve(pm.id, { expand: [path] }));
    assert.equal(err.statusCode, 400, path);
    assert.equal(err.raw.param, 'expand', path);
    assert.match(err.message, NOT_EXPANDABLE, path);
  }
  const bareInList = await rejection(stripe.paymentMethods.list({ customer: customer.id, type: 'card', expand: ['customer'] }));
  assert.equal(bareInList.statusCode, 400, 'a list takes data.customer, not customer');
  // A refused expand changed nothing.
  assert.deepEqual(await stripe.paymentMethods.retrieve(pm.id), stored);
});

test("a promotion code's customer expands; its coupon and restrictions are shown as they are", async () => {
  const stripe = stripeClient(worker.url, newKey());
  const customer = await stripe.customers.create({ email: 'promo@example.com' });
  const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'forever' });
  const promo = await stripe.promotionCodes.create({ coupon: coupon.id, customer: customer.id, code: 'JENNY10' });
  assert.equal(promo.customer, customer.id);

  const expanded = await stripe.promotionCodes.retrieve(promo.id, { expand: ['customer', 'coupon', 'restrictions'] });
  assert.equal(expanded.customer.id, customer.id);
  assert.equal(expanded.customer.email, 'promo@example.com');
  assert.deepEqual(expanded.coupon, promo.coupon);
  assert.deepEqual(expanded.restrictions, promo.restrictions);

  const listed = await stripe.promotionCodes.list({ expand: ['data.customer'] });
  assert.deepEqual(listed.data.map((p) => p.customer.id), [customer.id]);
  const created = await stripe.promotionCodes.create({ coupon: coupon.id, code: 'ANYONE', expand: ['customer'] });
  assert.equal(created.customer, null);
  const updated = await stripe.promotionCodes.update(promo.id, { metadata: { a: '1' }, expand: ['customer'] });
  assert.equal(updated.customer.id, customer.id);
  assert.equal((await stripe.promotionCodes.retrieve(promo.id)).customer, customer.id, 'stored as the id');

  const err = await rejection(stripe.promotionCodes.retrieve(promo.id, { expand: ['code'] }));
  assert.equal(err.statusCode, 400);
  assert.match(err.message, NOT_EXPANDABLE);
});

test('events take expand[] for data and request, and refuse any other path', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  await stripe.customers.create({ name: 'evented' });
  const [event] = (await stripe.events.list({ limit: 1 })).data;
  const expanded = await stripe.events.retrieve(event.id, { expand: ['data', 'request'] });
  assert.deepEqual(expanded, event);
  const listed = await stripe.events.list({ limit: 1, expand: ['data.request'] });
  assert.deepEqual(listed.data, [event]);
  const err = await rejection(stripe.events.retrieve(event.id, { expand: ['type'] }));
  assert.equal(err.statusCode, 400);
  assert.match(err.message, NOT_EXPANDABLE);
  // The wire form, as any client sends it.
  const raw = await request(worker.url, key, 'GET', `/v1/events/${event.id}?expand[]=request`);
  assert.equal(raw.status, 200);
});

test("an invoice line's and a subscription item's expandable fields are taken", async () => {
  const stripe = stripeClient(worker.url, newKey());
  const customer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: 900, recurring: { interval: 'month' }, product_data: { name: 'Basic' } });
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  const invoice = await stripe.invoices.retrieve(sub.latest_invoice, {
    expand: ['lines.data.discounts', 'lines.data.invoice_item', 'lines.data.tax_rates', 'lines.data.subscription', 'discounts'],
  });
  const [line] = invoice.lines.data;
  assert.deepEqual(line.discounts, []);
  assert.equal(line.invoice_item ?? null, null);
  assert.deepEqual(line.tax_rates, []);
  assert.equal(line.subscription.id, sub.id, 'the line subscription is the object');
  assert.equal(line.subscription.object, 'subscription');
  const withItems = await stripe.subscriptions.retrieve(sub.id, { expand: ['items.data.tax_rates', 'items.data.price', 'discount'] });
  assert.deepEqual(withItems.items.data[0].tax_rates, []);
  assert.equal(withItems.items.data[0].price.id, price.id);
  const err = await rejection(stripe.invoices.retrieve(sub.latest_invoice, { expand: ['lines.data.amount'] }));
  assert.equal(err.statusCode, 400);
  assert.match(err.message, NOT_EXPANDABLE);
});

test("a customer's test clock, its discount's promotion code and customer expand, alone and in lists", async () => {
  const stripe = stripeClient(worker.url, newKey());
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: 1_700_000_000, name: 'c' });
  const coupon = await stripe.coupons.create({ percent_off: 15, duration: 'forever' });
  const promo = await stripe.promotionCodes.create({ coupon: coupon.id, code: 'CLOCK15' });
  const customer = await stripe.customers.create({ name: 'Clocked', test_clock: clock.id, promotion_code: promo.id });
  assert.equal(customer.test_clock, clock.id);
  assert.equal(customer.discount.promotion_code, promo.id);

  const paths = ['test_clock', 'discount.promotion_code', 'discount.customer', 'discount.coupon', 'address', 'invoice_settings', 'shipping', 'discount'];
  const expanded = await stripe.customers.retrieve(customer.id, { expand: paths });
  assert.equal(expanded.test_clock.id, clock.id);
  assert.equal(expanded.test_clock.object, 'test_helpers.test_clock');
  assert.equal(expanded.discount.promotion_code.id, promo.id);
  assert.equal(expanded.discount.promotion_code.code, 'CLOCK15');
  assert.equal(expanded.discount.customer.id, customer.id);
  assert.equal(expanded.discount.customer.name, 'Clocked');
  assert.deepEqual(expanded.discount.coupon, customer.discount.coupon);
  assert.deepEqual(Object.keys(expanded).slice(0, 2), ['id', 'object'], "Stripe's key order stays");

  const updated = await stripe.customers.update(customer.id, { description: 'd', expand: ['test_clock'] });
  assert.equal(updated.test_clock.id, clock.id);
  const listed = await stripe.customers.list({ test_clock: clock.id, expand: ['data.test_clock', 'data.discount.promotion_code'] });
  assert.equal(listed.data[0].test_clock.name, 'c');
  assert.equal(listed.data[0].discount.promotion_code.id, promo.id);
  const found = await stripe.customers.search({ query: "name:'Clocked'", expand: ['data.discount.customer'] });
  assert.deepEqual(found.data.map((c) => c.discount.customer.id), [customer.id]);

  // Unexpanded, the ids stay; a path into a field that holds no object is refused.
  const plain = await stripe.customers.retrieve(customer.id);
  assert.equal(plain.test_clock, clock.id);
  assert.equal(plain.discount.promotion_code, promo.id);
  for (const path of ['discount.planet', 'address.city']) {
    const err = await rejection(stripe.customers.retrieve(customer.id, { expand: [path] }));
    assert.equal(err.statusCode, 400, path);
    assert.match(err.message, NOT_EXPANDABLE, path);
  }
});

test("a card's customer and a discount's customer and promotion code expand; coupons, prices, products and clocks check their paths", async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({ name: 'Carded' });
  const card = await stripe.customers.createSource(customer.id, { source: 'tok_visa', expand: ['customer'] });
  assert.equal(card.customer.id, customer.id, 'the created card answers its customer expanded');
  assert.equal(card.customer.object, 'customer');
  const kept = await stripe.customers.retrieveSource(customer.id, card.id);
  assert.equal(kept.customer, customer.id, 'the stored card keeps the id');
  const one = await stripe.customers.retrieveSource(customer.id, card.id, { expand: ['customer', 'account'] });
  assert.equal(one.customer.name, 'Carded');
  const listed = await stripe.customers.listSources(customer.id, { expand: ['data.customer'] });
  assert.deepEqual(listed.data.map((c) => c.customer.id), [customer.id]);
  const badCard = await rejection(stripe.customers.retrieveSource(customer.id, card.id, { expand: ['brand'] }));
  assert.equal(badCard.statusCode, 400);
  assert.match(badCard.message, NOT_EXPANDABLE);

  const coupon = await stripe.coupons.create({ amount_off: 500, currency: 'usd', duration: 'once', expand: ['applies_to'] });
  const promo = await stripe.promotionCodes.create({ coupon: coupon.id, code: 'FIVE' });
  await stripe.customers.update(customer.id, { promotion_code: promo.id });
  const discount = await request(worker.url, key, 'GET', `/v1/customers/${customer.id}/discount?expand[]=customer&expand[]=promotion_code&expand[]=coupon`);
  assert.equal(discount.status, 200);
  assert.equal(discount.json.customer.id, customer.id);
  assert.equal(discount.json.promotion_code.code, 'FIVE');
  assert.equal(discount.json.coupon.id, coupon.id);
  const plainDiscount = await request(worker.url, key, 'GET', `/v1/customers/${customer.id}/discount`);
  assert.equal(plainDiscount.json.customer, customer.id);
  assert.equal(plainDiscount.json.promotion_code, promo.id);
  const badDiscount = await request(worker.url, key, 'GET', `/v1/customers/${customer.id}/discount?expand[]=start`);
  assert.equal(badDiscount.status, 400);

  for (const [what, call] of [
    ['coupon', () => stripe.coupons.retrieve(coupon.id, { expand: ['name'] })],
    ['coupon list', () => stripe.coupons.list({ expand: ['applies_to'] })],
    ['test clock', () => stripe.testHelpers.testClocks.list({ expand: ['data.name'] })],
    ['price', () => stripe.prices.list({ expand: ['data.unit_amount'] })],
  ]) {
    const err = await rejection(call());
    assert.equal(err.statusCode, 400, what);
    assert.match(err.message, NOT_EXPANDABLE, what);
  }
  assert.equal((await stripe.coupons.retrieve(coupon.id, { expand: ['applies_to', 'currency_options'] })).id, coupon.id);
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: 300, recurring: { interval: 'month' }, product_data: { name: 'Q' } });
  const priceShown = await stripe.prices.retrieve(price.id, { expand: ['product', 'recurring', 'currency_options'] });
  assert.equal(priceShown.product.object, 'product');
  assert.deepEqual(priceShown.recurring, price.recurring);
  const product = await stripe.products.retrieve(price.product, { expand: ['features', 'package_dimensions', 'tax_code'] });
  assert.equal(product.id, price.product);
});

test('a webhook endpoint has nothing to expand: any path is a 400, none is fine', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const endpoint = await stripe.webhookEndpoints.create({ url: 'https://example.com/hook', enabled_events: ['customer.created'] });
  const err = await rejection(stripe.webhookEndpoints.retrieve(endpoint.id, { expand: ['url'] }));
  assert.equal(err.statusCode, 400);
  assert.match(err.message, NOT_EXPANDABLE);
  assert.equal((await stripe.webhookEndpoints.retrieve(endpoint.id)).id, endpoint.id);
});

// End to end: subscriptions and invoices through the official SDK, with test clocks
// driving renewals, retries and trials. Each flow checks what a Stripe user sees (statuses,
// invoice numbers and amounts, `delinquent`, the upcoming invoice) and the events it
// caused, delivered to a real receiver and verified with `webhooks.constructEvent`.
// Every response body is checked against Stripe's schema (subscription, subscription_item,
// invoice, line_item, …) by the support's HTTP client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { startWorker, stripeClient, newKey, request, rejection } from './support/worker.mjs';
import { startReceiver, eventually } from './support/receiver.mjs';

const DAY = 86_400;
/** 2024-01-15 00:00:00 UTC: a clock's start, so periods are known in advance. */
const T0 = 1_705_276_800;

let worker;
const receivers = [];
before(async () => {
  worker = await startWorker();
});
after(async () => {
  for (const r of receivers) await r.close();
  await worker.close();
});

const verifier = new Stripe('sk_test_verifier');

/** A key, its client, an endpoint for every event and the receiver behind it. */
async function account() {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const receiver = await startReceiver();
  receivers.push(receiver);
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  const verified = () => receiver.deliveries.map((d) => verifier.webhooks.constructEvent(d.body, d.headers['stripe-signature'], endpoint.secret));
  return { key, stripe, receiver, verified };
}

/** A monthly price of `amount` cents. */
async function monthly(stripe, amount = 2000) {
  return stripe.prices.create({ currency: 'usd', unit_amount: amount, recurring: { interval: 'month' }, product_data: { name: 'Gold' } });
}

/** A customer whose default payment method is the magic `pm`. */
async function payingCustomer(stripe, pm = 'pm_card_visa', extra = {}) {
  const customer = await stripe.customers.create({ payment_method: pm, invoice_settings: { default_payment_method: pm }, ...extra });
  return stripe.customers.retrieve(customer.id);
}

/** An account with a clock at T0, a monthly price and one paying customer on the clock. */
async function onClock(amount = 2000) {
  const a = await account();
  const clock = await a.stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const price = await monthly(a.stripe, amount);
  const customer = await payingCustomer(a.stripe, 'pm_card_visa', { test_clock: clock.id });
  return { ...a, clock, price, customer };
}

/** Advances a clock and waits until it is ready again. */
async function advance(stripe, clock, frozenTime) {
  const advancing = await stripe.testHelpers.testClocks.advance(clock, { frozen_time: frozenTime });
  assert.equal(advancing.status, 'advancing');
  let ready;
  await eventually(async () => {
    ready = await stripe.testHelpers.testClocks.retrieve(clock);
    return ready.status === 'ready';
  }, 20_000, `clock ${clock} ready`);
  assert.equal(ready.frozen_time, frozenTime);
  return ready;
}

const types = (events, prefix = '') => events.map((e) => e.type).filter((t) => t.startsWith(prefix));

test('a subscription paid with pm_card_visa is active, its first invoice paid and numbered from the prefix', async () => {
  const a = await account();
  const { stripe } = a;
  const price = await monthly(stripe, 1500);
  const customer = await payingCustomer(stripe);
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }], expand: ['latest_invoice'] });
  assert.equal(sub.status, 'active');
  assert.match(sub.id, /^sub_/);
  assert.equal(sub.items.data[0].quantity, 2);
  assert.equal(sub.items.data[0].price.id, price.id);
  assert.equal(sub.current_period_end - sub.current_period_start >= 28 * DAY, true);
  const invoice = sub.latest_invoice;
  const expanded = await stripe.customers.retrieve(customer.id, { expand: ['subscriptions'] });
  assert.deepEqual(expanded.subscriptions.data.map((s) => s.id), [sub.id]);
  assert.equal(invoice.status, 'paid');
  assert.equal(invoice.number, `${customer.invoice_prefix}-0001`);
  assert.equal(invoice.amount_paid, 3000);
  assert.equal(invoice.billing_reason, 'subscription_create');
  assert.equal(invoice.lines.data[0].amount, 3000);

  const after = await stripe.customers.retrieve(customer.id);
  assert.equal(after.next_invoice_sequence, 2);
  assert.equal(after.delinquent, false);
  assert.deepEqual((await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id), [sub.id]);
  assert.deepEqual((await stripe.invoices.list({ customer: customer.id })).data.map((i) => i.id), [invoice.id]);
  const got = await stripe.invoices.retrieve(invoice.id, { expand: ['subscription', 'customer'] });
  assert.equal(got.subscription.id, sub.id);
  assert.equal(got.customer.id, customer.id);

  await a.receiver.waitFor(() => types(a.verified()).includes('customer.subscription.updated'));
  const events = a.verified().filter((e) => e.type.startsWith('invoice.') || e.type.startsWith('customer.subscription.'));
  assert.deepEqual(types(events), [
    'customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.updated',
    'invoice.paid', 'invoice.payment_succeeded', 'customer.subscription.updated',
  ]);
  assert.equal(events[0].data.object.status, 'incomplete');
  assert.equal(events[1].data.object.number, invoice.number, 'invoice.created shows it open and numbered');
  assert.deepEqual(events.at(-1).data.previous_attributes, { status: 'incomplete' });
  assert.match(events[0].request.id, /^req_/);

  // A first-time promotion code is refused to a customer who has paid an invoice.
  const coupon = await stripe.coupons.create({ percent_off: 10, duration: 'once' });
  const first = await stripe.promotionCodes.create({ coupon: coupon.id, restrictions: { first_time_transaction: true } });
  const refused = await rejection(stripe.customers.update(customer.id, { promotion_code: first.id }));
  assert.equal(refused.statusCode, 400);
  assert.match(refused.message, /prior transactions/);
  const fresh = await stripe.customers.create({ promotion_code: first.id });
  assert.equal(fresh.discount.promotion_code, first.id);
});

test('a failing card leaves the subscription incomplete with an open invoice; error_if_incomplete creates nothing', async () => {
  const a = await account();
  const { stripe } = a;
  const price = await monthly(stripe);
  const customer = await payingCustomer(stripe, 'pm_card_chargeCustomerFail');
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice'] });
  assert.equal(sub.status, 'incomplete');
  assert.equal(sub.latest_invoice.status, 'open');
  assert.equal(sub.latest_invoice.attempt_count, 1);
  assert.equal(sub.latest_invoice.amount_remaining, 2000);

  const refused = await rejection(stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], payment_behavior: 'error_if_incomplete' }));
  assert.equal(refused.statusCode, 402);
  assert.equal(refused.type, 'StripeCardError');
  assert.equal(refused.code, 'card_declined');
  assert.equal(refused.raw.decline_code, 'generic_decline');
  assert.equal((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data.length, 1);

  await a.receiver.waitFor(() => types(a.verified()).includes('invoice.updated'));
  assert.deepEqual(types(a.verified(), 'invoice.'), ['invoice.created', 'invoice.finalized', 'invoice.payment_failed', 'invoice.updated']);

  const nothing = await stripe.customers.create({ name: 'no card' });
  const err = await rejection(stripe.subscriptions.create({ customer: nothing.id, items: [{ price: price.id }] }));
  assert.equal(err.statusCode, 400);
  assert.match(err.message, /^This customer has no attached payment source or default payment method/);
  const pending = await stripe.subscriptions.create({ customer: nothing.id, items: [{ price: price.id }], payment_behavior: 'default_incomplete' });
  assert.equal(pending.status, 'incomplete');
});

test('a credit balance and a coupon apply, and the upcoming invoice matches the next renewal', async () => {
  const a = await account();
  const { stripe } = a;
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const coupon = await stripe.coupons.create({ percent_off: 25, duration: 'forever' });
  const price = await monthly(stripe, 4000);
  const customer = await payingCustomer(stripe, 'pm_card_visa', { balance: -1500, coupon: coupon.id, test_clock: clock.id });
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], expand: ['latest_invoice'] });
  assert.equal(sub.start_date, T0);
  const first = sub.latest_invoice;
  assert.equal(first.subtotal, 4000);
  assert.equal(first.total, 3000);
  assert.deepEqual(first.total_discount_amounts.map((d) => d.amount), [1000]);
  assert.equal(first.starting_balance, -1500);
  assert.equal(first.ending_balance, 0);
  assert.equal(first.amount_due, 1500);
  assert.equal((await stripe.customers.retrieve(customer.id)).balance, 0);

  await stripe.customers.update(customer.id, { balance: -500 });
  // stripe-node 23 has no call for it (later API versions replaced it): raw HTTP.
  const upcoming = (await request(worker.url, a.key, 'GET', `/v1/invoices/upcoming?customer=${customer.id}`)).json;
  assert.equal(upcoming.object, 'invoice');
  assert.equal(upcoming.id, undefined);
  assert.equal(upcoming.amount_due, 2500);
  const alias = await request(worker.url, a.key, 'GET', `/v1/customers/${customer.id}/upcoming-invoice`);
  assert.equal(alias.json.amount_due, 2500);

  await advance(stripe, clock.id, sub.current_period_end + 2 * 3600);
  const invoices = await stripe.invoices.list({ customer: customer.id });
  const renewal = invoices.data[0];
  assert.equal(renewal.billing_reason, 'subscription_cycle');
  assert.equal(renewal.status, 'paid');
  assert.equal(renewal.amount_due, upcoming.amount_due);
  assert.equal(renewal.total, upcoming.total);
  assert.deepEqual(renewal.lines.data[0].period, upcoming.lines.data[0].period);
  assert.equal(renewal.number, `${customer.invoice_prefix}-0002`);
  assert.equal((await stripe.customers.retrieve(customer.id)).balance, 0);
});

test('on a test clock a failed renewal makes the subscription past_due and the customer delinquent until paid with another card', async () => {
  const a = await onClock();
  const { stripe, clock, price, customer } = a;
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  assert.equal(sub.status, 'active');
  const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail', { customer: customer.id });
  await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: failing.id } });

  // At the period's end the renewal is a draft; an hour later it is charged, and fails.
  await advance(stripe, clock.id, sub.current_period_end);
  let renewal = (await stripe.invoices.list({ customer: customer.id, status: 'draft' })).data[0];
  assert.equal(renewal.status, 'draft');
  await advance(stripe, clock.id, sub.current_period_end + 3600);
  renewal = await stripe.invoices.retrieve(renewal.id);
  assert.equal(renewal.status, 'open');
  assert.equal(renewal.attempt_count, 1);
  assert.equal(renewal.next_payment_attempt, sub.current_period_end + 3600 + DAY);
  assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'past_due');
  assert.equal((await stripe.customers.retrieve(customer.id)).delinquent, true);

  const visa = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const paid = await stripe.invoices.pay(renewal.id, { payment_method: visa.id });
  assert.equal(paid.status, 'paid');
  assert.equal((await stripe.subscriptions.retrieve(sub.id)).status, 'active');
  assert.equal((await stripe.customers.retrieve(customer.id)).delinquent, false);

  await a.receiver.waitFor(() => types(a.verified()).includes('invoice.payment_succeeded') && types(a.verified()).filter((t) => t === 'invoice.paid').length >= 2);
  const events = a.verified();
  const renewalEvents = events.filter((e) => e.data.object.id === renewal.id || (e.type.startsWith('customer.subscription.') && e.created >= sub.current_period_end));
  const order = types(renewalEvents);
  assert.deepEqual(order.slice(0, 2), ['customer.subscription.updated', 'invoice.created']);
  assert.deepEqual(order.slice(2, 6), ['invoice.finalized', 'invoice.payment_failed', 'invoice.updated', 'customer.subscription.updated']);
  const created = renewalEvents.find((e) => e.type === 'invoice.created');
  assert.equal(created.created, sub.current_period_end, 'events are dated in clock time');
  assert.equal(created.request.id, null);
  const delinquent = events.find((e) => e.type === 'customer.updated' && e.data.previous_attributes.delinquent === false);
  assert.equal(delinquent.data.object.delinquent, true);
});

test('a trial warns three days before it ends and ends into a paid invoice', async () => {
  const a = await onClock();
  const { stripe, clock, price, customer } = a;
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], trial_period_days: 7, expand: ['latest_invoice'] });
  assert.equal(sub.status, 'trialing');
  assert.equal(sub.trial_end, T0 + 7 * DAY);
  assert.equal(sub.latest_invoice.amount_due, 0);
  assert.equal(sub.latest_invoice.status, 'paid');
  await advance(stripe, clock.id, T0 + 5 * DAY);
  await a.receiver.waitFor(() => types(a.verified()).includes('customer.subscription.trial_will_end'));
  const warning = a.verified().find((e) => e.type === 'customer.subscription.trial_will_end');
  assert.equal(warning.created, T0 + 4 * DAY);
  await advance(stripe, clock.id, T0 + 7 * DAY + 2 * 3600);
  const active = await stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] });
  assert.equal(active.status, 'active');
  assert.equal(active.latest_invoice.status, 'paid');
  assert.equal(active.latest_invoice.amount_paid, 2000);
  assert.equal(active.current_period_start, T0 + 7 * DAY);
});

test('cancel now, or at the period end, and updates of a canceled subscription are refused', async () => {
  const a = await onClock();
  const { stripe, clock, price, customer } = a;
  const now = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  const canceled = await stripe.subscriptions.cancel(now.id);
  assert.equal(canceled.status, 'canceled');
  assert.equal(canceled.canceled_at, T0);
  assert.equal(canceled.ended_at, T0);
  const again = await rejection(stripe.subscriptions.cancel(now.id));
  assert.equal(again.statusCode, 404);
  assert.equal(again.message, `No such subscription: '${now.id}'`);
  const update = await rejection(stripe.subscriptions.update(now.id, { metadata: { a: '1' } }));
  assert.equal(update.message, 'A canceled subscription can only update its cancellation_details.');

  const later = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  const marked = await stripe.subscriptions.update(later.id, { cancel_at_period_end: true });
  assert.equal(marked.cancel_at, later.current_period_end);
  await advance(stripe, clock.id, later.current_period_end + 3600);
  const ended = await stripe.subscriptions.retrieve(later.id);
  assert.equal(ended.status, 'canceled');
  assert.equal(ended.ended_at, later.current_period_end);
  assert.equal((await stripe.invoices.list({ subscription: later.id })).data.length, 1, 'no renewal invoice');
  assert.deepEqual((await stripe.subscriptions.list({ customer: customer.id })).data, []);
  assert.equal((await stripe.subscriptions.list({ customer: customer.id, status: 'canceled' })).data.length, 2);
  await a.receiver.waitFor(() => types(a.verified()).filter((t) => t === 'customer.subscription.deleted').length === 2);

  // Deleting a customer cancels its subscriptions.
  const third = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  await stripe.customers.del(customer.id);
  const gone = await stripe.subscriptions.retrieve(third.id);
  assert.equal(gone.status, 'canceled');
});

test('a test clock advance is bounded by its subscriptions, and clock objects stay out of unscoped lists', async () => {
  const a = await onClock();
  const { stripe, clock, price, customer } = a;
  const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  // Two months from 15 January is 15 March: 60 days.
  const far = await rejection(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: T0 + 60 * DAY + 1 }));
  assert.equal(far.statusCode, 400);
  assert.equal(far.param, 'frozen_time');
  assert.deepEqual((await stripe.subscriptions.list()).data, []);
  assert.deepEqual((await stripe.subscriptions.list({ test_clock: clock.id })).data.map((s) => s.id), [sub.id]);
  // A clock holds at most three customers.
  await payingCustomer(stripe, 'pm_card_visa', { test_clock: clock.id });
  await payingCustomer(stripe, 'pm_card_visa', { test_clock: clock.id });
  const fourth = await rejection(stripe.customers.create({ test_clock: clock.id }));
  assert.equal(fourth.param, 'test_clock');
  const ready = await advance(stripe, clock.id, T0 + 60 * DAY);
  assert.equal(ready.status, 'ready');
  // Two renewals: the first charged, the second a draft until an hour after it is made.
  const invoices = (await stripe.invoices.list({ customer: customer.id })).data;
  assert.deepEqual(invoices.map((i) => [i.status, i.number]), [
    ['draft', null], ['paid', `${customer.invoice_prefix}-0002`], ['paid', `${customer.invoice_prefix}-0001`],
  ]);
  const clockEvents = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type).filter((t) => t.startsWith('test_helpers.'));
  assert.deepEqual(clockEvents, ['test_helpers.test_clock.ready', 'test_helpers.test_clock.advancing', 'test_helpers.test_clock.created']);
});

test('subscriptions and invoices of one account are invisible to another', async () => {
  const a = await account();
  const price = await monthly(a.stripe);
  const customer = await payingCustomer(a.stripe);
  const sub = await a.stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
  const other = stripeClient(worker.url);
  for (const call of [
    () => other.subscriptions.retrieve(sub.id),
    () => other.subscriptions.update(sub.id, { metadata: { x: '1' } }),
    () => other.subscriptions.cancel(sub.id),
    () => other.invoices.retrieve(sub.latest_invoice),
    () => other.invoices.pay(sub.latest_invoice),
  ]) {
    assert.equal((await rejection(call())).statusCode, 404);
  }
  assert.deepEqual((await other.subscriptions.list({ status: 'all' })).data, []);
  assert.deepEqual((await other.invoices.list()).data, []);
  const foreign = await rejection(other.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] }));
  assert.equal(foreign.statusCode, 400);
  assert.equal(foreign.param, 'customer');
});

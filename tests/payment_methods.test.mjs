// End to end: payment methods from test tokens, test numbers and magic ids; attach and
// detach; the customer's payment_methods list; `payment_method` and
// `invoice_settings[default_payment_method]` on customers. No card number is ever kept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startWorker, stripeClient, newKey, request, rejection } from './support/worker.mjs';
import { assertSchema } from './support/object-schema.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

test('a payment method is created from a test token or a test number, and retrieved', async () => {
  const stripe = stripeClient(worker.url);
  const fromToken = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_mastercard' } });
  assertSchema(fromToken, 'payment_method');
  assert.match(fromToken.id, /^pm_/);
  assert.equal(fromToken.card.brand, 'mastercard');
  assert.equal(fromToken.card.last4, '4444');
  assert.equal(fromToken.customer, null);
  const fromNumber = await stripe.paymentMethods.create({
    type: 'card',
    card: { number: '4000056655665556', exp_month: 12, exp_year: 2034, cvc: '123' },
    billing_details: { name: 'Jenny Rosen', address: { country: 'US' } },
    metadata: { order: '1' },
  });
  assertSchema(fromNumber, 'payment_method');
  assert.equal(fromNumber.card.brand, 'visa');
  assert.equal(fromNumber.card.funding, 'debit');
  assert.equal(fromNumber.card.last4, '5556');
  assert.equal(fromNumber.card.exp_month, 12);
  assert.equal(fromNumber.card.exp_year, 2034);
  assert.equal(fromNumber.billing_details.name, 'Jenny Rosen');
  assert.equal(fromNumber.billing_details.address.country, 'US');
  const fetched = await stripe.paymentMethods.retrieve(fromNumber.id);
  assert.deepEqual((({ lastResponse, ...p }) => p)(fetched), (({ lastResponse, ...p }) => p)(fromNumber));
  const updated = await stripe.paymentMethods.update(fromNumber.id, { billing_details: { email: 'j@example.com' }, metadata: { order: '2' } });
  assert.equal(updated.billing_details.email, 'j@example.com');
  assert.equal(updated.billing_details.name, 'Jenny Rosen');
  assert.deepEqual(updated.metadata, { order: '2' });
  const missing = await rejection(stripe.paymentMethods.retrieve('pm_nope'));
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.message, "No such PaymentMethod: 'pm_nope'");
});

test('raw numbers other than the test numbers are refused, and no card number is echoed', async () => {
  const key = newKey();
  const live = await request(worker.url, key, 'POST', '/v1/payment_methods',
    'type=card&card[number]=4111111111111111&card[exp_month]=1&card[exp_year]=2040&card[cvc]=987');
  assert.equal(live.status, 402);
  assert.equal(live.json.error.type, 'card_error');
  assert.equal(live.json.error.code, 'card_declined');
  assert.ok(!live.text.includes('4111111111111111') && !live.text.includes('987'));
  const luhn = await request(worker.url, key, 'POST', '/v1/payment_methods',
    'type=card&card[number]=4242424242424241&card[exp_month]=1&card[exp_year]=2040');
  assert.equal(luhn.json.error.code, 'incorrect_number');
  const ok = await request(worker.url, key, 'POST', '/v1/payment_methods',
    'type=card&card[number]=4242424242424242&card[exp_month]=1&card[exp_year]=2040&card[cvc]=314');
  assert.equal(ok.status, 200);
  assert.ok(!ok.text.includes('4242424242424242') && !ok.text.includes('314'));
});

test('no stored document holds a card number or a CVC', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pm-store-'));
  const persisted = await startWorker({ persist: dir });
  try {
    const stripe = stripeClient(persisted.url);
    const pm = await stripe.paymentMethods.create({
      type: 'card', card: { number: '5555555555554444', exp_month: 3, exp_year: 2039, cvc: '731' },
    });
    const customer = await stripe.customers.create({ payment_method: pm.id, source: 'tok_visa' });
    await stripe.customers.createSource(customer.id, { source: 'tok_amex' });
  } finally {
    await persisted.close();
  }
  const files = [];
  const walk = (d) => readdirSync(d).forEach((f) => {
    const p = path.join(d, f);
    if (statSync(p).isDirectory()) walk(p); else files.push(p);
  });
  walk(dir);
  assert.ok(files.length > 0, 'the worker stored something');
  for (const f of files) {
    const bytes = readFileSync(f).toString('latin1');
    for (const secret of ['5555555555554444', '4242424242424242', '371449635398431']) {
      assert.ok(!bytes.includes(secret), `${f} holds a card number`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test('attaching a magic id makes a new payment method with the card details; detach frees it', async () => {
  const stripe = stripeClient(worker.url);
  const customer = await stripe.customers.create({ name: 'A' });
  const expected = {
    pm_card_visa: ['visa', '4242', 'credit'],
    pm_card_visa_debit: ['visa', '5556', 'debit'],
    pm_card_mastercard: ['mastercard', '4444', 'credit'],
    pm_card_amex: ['amex', '8431', 'credit'],
    pm_card_discover: ['discover', '1117', 'credit'],
    pm_card_jcb: ['jcb', '0505', 'credit'],
    pm_card_unionpay: ['unionpay', '0005', 'credit'],
  };
  const now = new Date();
  for (const [magic, [brand, last4, funding]] of Object.entries(expected)) {
    const pm = await stripe.paymentMethods.attach(magic, { customer: customer.id });
    assertSchema(pm, 'payment_method');
    assert.match(pm.id, /^pm_/);
    assert.notEqual(pm.id, magic);
    assert.equal(pm.customer, customer.id);
    assert.deepEqual([pm.card.brand, pm.card.last4, pm.card.funding], [brand, last4, funding], magic);
    assert.equal(pm.card.exp_month, now.getUTCMonth() + 1);
    assert.equal(pm.card.exp_year, now.getUTCFullYear() + 1);
  }
  const gb = await stripe.paymentMethods.attach('pm_card_gb', { customer: customer.id });
  assert.equal(gb.card.country, 'GB');
  const listed = await stripe.customers.listPaymentMethods(customer.id, { limit: 100 });
  assert.equal(listed.data.length, Object.keys(expected).length + 1);
  assert.equal(listed.url, `/v1/customers/${customer.id}/payment_methods`);
  const detached = await stripe.paymentMethods.detach(gb.id);
  assert.equal(detached.customer, null);
  assert.equal((await stripe.customers.listPaymentMethods(customer.id, { limit: 100 })).data.length, Object.keys(expected).length);
  const again = await rejection(stripe.paymentMethods.detach(gb.id));
  assert.equal(again.statusCode, 400);
});

test('a declining card is refused on attach with a card_error', async () => {
  const stripe = stripeClient(worker.url);
  const customer = await stripe.customers.create({ name: 'A' });
  const declined = await rejection(stripe.paymentMethods.attach('pm_card_chargeDeclined', { customer: customer.id }));
  assert.equal(declined.type, 'StripeCardError');
  assert.equal(declined.statusCode, 402);
  assert.equal(declined.code, 'card_declined');
  assert.equal(declined.message, 'Your card was declined.');
  const onCreate = await rejection(stripe.customers.create({ payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }));
  assert.equal(onCreate.type, 'StripeCardError');
  const missing = await rejection(stripe.paymentMethods.attach('pm_card_visa', { customer: 'cus_nope' }));
  assert.equal(missing.param, 'customer');
});

test('the customer list filters by type and pages with cursors; retrieve checks the owner', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({ name: 'A' });
  const other = await stripe.customers.create({ name: 'B' });
  const ids = [];
  for (const magic of ['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex']) {
    ids.push((await stripe.paymentMethods.attach(magic, { customer: customer.id })).id);
  }
  const page = await stripe.customers.listPaymentMethods(customer.id, { type: 'card', limit: 2 });
  assert.equal(page.data.length, 2);
  assert.equal(page.has_more, true);
  const next = await stripe.customers.listPaymentMethods(customer.id, { type: 'card', limit: 2, starting_after: page.data[1].id });
  assert.equal(next.data.length, 1);
  assert.equal(next.has_more, false);
  assert.deepEqual([...page.data, ...next.data].map((p) => p.id).sort(), [...ids].sort());
  assert.equal((await stripe.customers.listPaymentMethods(customer.id, { type: 'sepa_debit' })).data.length, 0);
  const one = await stripe.customers.retrievePaymentMethod(customer.id, ids[0]);
  assert.equal(one.id, ids[0]);
  const notTheirs = await rejection(stripe.customers.retrievePaymentMethod(other.id, ids[0]));
  assert.equal(notTheirs.statusCode, 404);
  // Seed 004's spelling: POST and GET /v1/customers/{id}/payment-methods.
  const attached = await request(worker.url, key, 'POST', `/v1/customers/${other.id}/payment-methods`, 'payment_method=pm_card_discover');
  assert.equal(attached.status, 200);
  assert.equal(attached.json.customer, other.id);
  const seedList = await request(worker.url, key, 'GET', `/v1/customers/${other.id}/payment-methods`);
  assert.deepEqual(seedList.json.data.map((p) => p.id), [attached.json.id]);
  const noCustomer = await request(worker.url, key, 'POST', '/v1/customers/cus_nope/payment-methods', 'payment_method=pm_card_visa');
  assert.equal(noCustomer.status, 404);
  const noMethod = await request(worker.url, key, 'POST', `/v1/customers/${other.id}/payment-methods`, 'payment_method=pm_nope');
  assert.equal(noMethod.status, 400);
  assert.equal(noMethod.json.error.param, 'payment_method');
});

test('payment_method on create attaches it; the same magic id may be the default in that call', async () => {
  const stripe = stripeClient(worker.url);
  const customer = await stripe.customers.create({
    payment_method: 'pm_card_visa',
    invoice_settings: { default_payment_method: 'pm_card_visa' },
  });
  assertSchema(customer, 'customer');
  const pm = customer.invoice_settings.default_payment_method;
  assert.match(pm, /^pm_/);
  assert.notEqual(pm, 'pm_card_visa');
  const listed = await stripe.customers.listPaymentMethods(customer.id);
  assert.deepEqual(listed.data.map((p) => p.id), [pm]);
  const plain = await stripe.customers.create({ payment_method: 'pm_card_mastercard' });
  assert.equal(plain.invoice_settings.default_payment_method, null, 'attaching does not set the default');
  const created = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
  const withCreated = await stripe.customers.create({ payment_method: created.id });
  assert.equal((await stripe.paymentMethods.retrieve(created.id)).customer, withCreated.id);
  const taken = await rejection(stripe.customers.create({ payment_method: created.id }));
  assert.equal(taken.statusCode, 400);
});

test('invoice_settings[default_payment_method] takes only a payment method of that customer; detaching it clears it', async () => {
  const stripe = stripeClient(worker.url);
  const customer = await stripe.customers.create({ name: 'A' });
  const other = await stripe.customers.create({ name: 'B' });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const theirs = await stripe.paymentMethods.attach('pm_card_visa', { customer: other.id });
  const updated = await stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: pm.id } });
  assert.equal(updated.invoice_settings.default_payment_method, pm.id);
  const notTheirs = await rejection(stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: theirs.id } }));
  assert.equal(notTheirs.param, 'invoice_settings[default_payment_method]');
  assert.equal(notTheirs.message, `The customer does not have a payment method with the ID ${theirs.id}. The payment method must be attached to the customer.`);
  const missing = await rejection(stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: 'pm_nope' } }));
  assert.equal(missing.code, 'resource_missing');
  await stripe.paymentMethods.detach(pm.id);
  assert.equal((await stripe.customers.retrieve(customer.id)).invoice_settings.default_payment_method, null);
});

const USED_AGAIN = 'This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.';

/** Asserts Stripe's refusal of a detached payment method: 400, no code, no param. */
function assertUsedAgain(err, what) {
  assert.equal(err.type, 'StripeInvalidRequestError', what);
  assert.equal(err.statusCode, 400, what);
  assert.equal(err.message, USED_AGAIN, what);
  assert.equal(err.code, undefined, what);
  assert.equal(err.param, undefined, what);
}

test('a detached payment method can never be attached again: attach, payment_method on create, seed 004', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({ name: 'A' });
  const other = await stripe.customers.create({ name: 'B' });
  const created = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
  const fromMagic = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
  for (const pm of [created, fromMagic]) {
    if (pm === created) await stripe.paymentMethods.attach(pm.id, { customer: customer.id });
    const detached = await stripe.paymentMethods.detach(pm.id);
    assert.equal(detached.customer, null);
    // Shown as Stripe shows it: nothing marks it but `customer: null`.
    const shown = await stripe.paymentMethods.retrieve(pm.id);
    assertSchema(shown, 'payment_method');
    assert.equal(shown.customer, null);
    assertUsedAgain(await rejection(stripe.paymentMethods.attach(pm.id, { customer: customer.id })), 'the same customer');
    assertUsedAgain(await rejection(stripe.paymentMethods.attach(pm.id, { customer: other.id })), 'another customer');
    assertUsedAgain(await rejection(stripe.customers.create({ payment_method: pm.id })), 'payment_method on create');
    const seed = await request(worker.url, key, 'POST', `/v1/customers/${other.id}/payment-methods`, `payment_method=${pm.id}`);
    assert.equal(seed.status, 400);
    assert.deepEqual(seed.json.error, { type: 'invalid_request_error', message: USED_AGAIN });
  }
  // An update of the detached payment method does not make it attachable.
  await stripe.paymentMethods.update(created.id, { metadata: { note: 'kept' } });
  assertUsedAgain(await rejection(stripe.paymentMethods.attach(created.id, { customer: other.id })), 'after an update');
  // As the default: Stripe answers that the customer has no such payment method.
  const notDefault = await rejection(stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: created.id } }));
  assert.equal(notDefault.statusCode, 400);
  assert.equal(notDefault.param, 'invoice_settings[default_payment_method]');
  assert.equal(notDefault.message, `The customer does not have a payment method with the ID ${created.id}. The payment method must be attached to the customer.`);
  const onCreate = await rejection(stripe.customers.create({ payment_method: created.id, invoice_settings: { default_payment_method: created.id } }));
  assertUsedAgain(onCreate, 'payment_method and the default on create');
  // Nothing was attached by the refusals.
  assert.deepEqual((await stripe.customers.listPaymentMethods(customer.id)).data, []);
  assert.deepEqual((await stripe.customers.listPaymentMethods(other.id)).data, []);
  assert.equal((await stripe.customers.list({ limit: 100 })).data.length, 2, 'no customer was created by a refused create');
});

test('a payment method given back by a failed customer create is free, not detached', async () => {
  const stripe = stripeClient(worker.url);
  const pm = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
  // The claim attaches it, then the write fails (no address to validate) and gives it back.
  const failed = await rejection(stripe.customers.create({ payment_method: pm.id, tax: { validate_location: 'immediately' } }));
  assert.equal(failed.statusCode, 400);
  assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, null);
  const customer = await stripe.customers.create({ payment_method: pm.id });
  assert.equal((await stripe.paymentMethods.retrieve(pm.id)).customer, customer.id);
});

test('GET /v1/payment_methods filters by customer and type; the customer route filters by type', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({ name: 'A' });
  const other = await stripe.customers.create({ name: 'B' });
  const ids = [];
  for (const magic of ['pm_card_visa', 'pm_card_amex', 'pm_card_jcb']) {
    ids.push((await stripe.paymentMethods.attach(magic, { customer: customer.id })).id);
  }
  const theirs = await stripe.paymentMethods.attach('pm_card_mastercard', { customer: other.id });
  const free = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_visa' } });
  const listed = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
  assert.equal(listed.object, 'list');
  assert.equal(listed.url, '/v1/payment_methods');
  assert.deepEqual(listed.data.map((p) => p.id).sort(), [...ids].sort());
  for (const pm of listed.data) assertSchema(pm, 'payment_method');
  assert.deepEqual((await stripe.paymentMethods.list({ customer: other.id, type: 'card' })).data.map((p) => p.id), [theirs.id]);
  assert.deepEqual((await stripe.paymentMethods.list({ customer: customer.id, type: 'sepa_debit' })).data, []);
  // Pages with cursors, and auto-pagination walks them all.
  const page = await stripe.paymentMethods.list({ customer: customer.id, type: 'card', limit: 2 });
  assert.equal(page.has_more, true);
  const rest = await stripe.paymentMethods.list({ customer: customer.id, type: 'card', limit: 2, starting_after: page.data[1].id });
  assert.equal(rest.has_more, false);
  assert.deepEqual([...page.data, ...rest.data].map((p) => p.id), listed.data.map((p) => p.id));
  const walked = [];
  for await (const pm of stripe.paymentMethods.list({ customer: customer.id, limit: 1 })) walked.push(pm.id);
  assert.deepEqual(walked, listed.data.map((p) => p.id));
  // A detached one leaves its customer's list.
  await stripe.paymentMethods.detach(ids[0]);
  assert.deepEqual((await stripe.paymentMethods.list({ customer: customer.id, type: 'card' })).data.map((p) => p.id).sort(), ids.slice(1).sort());
  // Without `customer` the route lists Treasury's payment methods only: none here.
  const unfiltered = await stripe.paymentMethods.list({ type: 'card' });
  assert.deepEqual(unfiltered.data, []);
  assert.ok(!unfiltered.data.some((p) => p.id === free.id));
  const missing = await rejection(stripe.paymentMethods.list({ customer: 'cus_nope', type: 'card' }));
  assert.equal(missing.statusCode, 400);
  assert.equal(missing.code, 'resource_missing');
  assert.equal(missing.param, 'customer');
  assert.equal(missing.message, "No such customer: 'cus_nope'");
  const unknown = await request(worker.url, key, 'GET', `/v1/payment_methods?customer=${customer.id}&colour=red`);
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.error.param, 'colour');
  // The customer's own route, with stripe-node's listPaymentMethods and `type`.
  const own = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
  assert.equal(own.url, `/v1/customers/${customer.id}/payment_methods`);
  assert.deepEqual(own.data.map((p) => p.id).sort(), ids.slice(1).sort());
  assert.deepEqual((await stripe.customers.listPaymentMethods(customer.id, { type: 'us_bank_account' })).data, []);
  const gone = await rejection(stripe.customers.listPaymentMethods('cus_nope', { type: 'card' }));
  assert.equal(gone.statusCode, 404);
});

test('expand[]=invoice_settings.default_payment_method shows the payment method on create, retrieve, update, list and search', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const path = 'invoice_settings.default_payment_method';
  const created = await stripe.customers.create({
    email: 'expand@example.com',
    payment_method: 'pm_card_visa',
    invoice_settings: { default_payment_method: 'pm_card_visa' },
    expand: [path],
  });
  assertSchema(created, 'customer');
  const pm = created.invoice_settings.default_payment_method;
  assert.equal(pm.object, 'payment_method');
  assert.match(pm.id, /^pm_/);
  assert.equal(pm.customer, created.id);
  assert.equal(pm.card.last4, '4242');
  assertSchema(pm, 'payment_method');
  const same = (what, customer) => {
    assertSchema(customer, 'customer');
    assert.deepEqual(customer.invoice_settings.default_payment_method, pm, what);
    assert.deepEqual(Object.keys(customer).slice(0, 2), ['id', 'object'], `${what}: the customer's keys keep their order`);
  };
  same('retrieve', await stripe.customers.retrieve(created.id, { expand: [path] }));
  same('update', await stripe.customers.update(created.id, { name: 'Expanded', expand: [path] }));
  const listed = await stripe.customers.list({ expand: [`data.${path}`] });
  same('list', listed.data.find((c) => c.id === created.id));
  const found = await stripe.customers.search({ query: "email:'expand@example.com'", expand: [`data.${path}`] });
  same('search', found.data[0]);
  const raw = await request(worker.url, key, 'GET', `/v1/customers/${created.id}?expand[]=${path}`);
  assert.equal(raw.status, 200, raw.text);
  assert.equal(raw.json.invoice_settings.default_payment_method.id, pm.id);
  // Unexpanded it stays the id; a customer with no default shows null either way.
  assert.equal((await stripe.customers.retrieve(created.id)).invoice_settings.default_payment_method, pm.id);
  const plain = await stripe.customers.create({ name: 'None', expand: [path] });
  assert.equal(plain.invoice_settings.default_payment_method, null);
  assert.equal((await stripe.customers.retrieve(plain.id, { expand: [path] })).invoice_settings.default_payment_method, null);
  // Other paths below invoice_settings stay refused.
  const refused = await rejection(stripe.customers.retrieve(created.id, { expand: ['invoice_settings.footer'] }));
  assert.equal(refused.statusCode, 400);
  assert.equal(refused.param, 'expand');
  const notInList = await rejection(stripe.customers.list({ expand: [path] }));
  assert.equal(notInList.param, 'expand');
  // Detached, the default is cleared, and the expansion shows null.
  await stripe.paymentMethods.detach(pm.id);
  assert.equal((await stripe.customers.retrieve(created.id, { expand: [path] })).invoice_settings.default_payment_method, null);
});

// End to end: coupons, promotion codes and the discounts they give customers
// (`coupon` / `promotion_code` on create and update, /discount, seed 004's /discounts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request, rejection } from './support/worker.mjs';
import { assertSchema } from './support/object-schema.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

test('coupons are created, retrieved, updated, listed and deleted', async () => {
  const stripe = stripeClient(worker.url);
  const percent = await stripe.coupons.create({ percent_off: 25.5, duration: 'repeating', duration_in_months: 3, name: '25.5% off' });
  assertSchema(percent, 'coupon');
  assert.equal(percent.object, 'coupon');
  assert.equal(percent.percent_off, 25.5);
  assert.equal(percent.duration_in_months, 3);
  assert.equal(percent.times_redeemed, 0);
  assert.equal(percent.valid, true);
  assert.match(percent.id, /^[0-9A-Za-z]{8}$/);
  const amount = await stripe.coupons.create({ id: 'FIVE', amount_off: 500, currency: 'usd', max_redemptions: 2, metadata: { a: '1' } });
  assert.equal(amount.id, 'FIVE');
  assert.equal(amount.duration, 'once');
  assert.equal(amount.currency, 'usd');
  assert.deepEqual(await stripe.coupons.retrieve('FIVE').then(({ lastResponse, ...c }) => c), (({ lastResponse, ...c }) => c)(amount));
  const updated = await stripe.coupons.update('FIVE', { name: 'Five off', metadata: { b: '2' } });
  assert.equal(updated.name, 'Five off');
  assert.deepEqual(updated.metadata, { a: '1', b: '2' });
  const list = await stripe.coupons.list({ limit: 1 });
  assert.equal(list.data.length, 1);
  assert.equal(list.has_more, true);
  assert.equal(list.url, '/v1/coupons');
  const all = await stripe.coupons.list();
  assert.deepEqual(all.data.map((c) => c.id).sort(), ['FIVE', percent.id].sort());
  for (const c of all.data) assertSchema(c, 'coupon');
  const deleted = await stripe.coupons.del('FIVE');
  assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: deleted.deleted }, { id: 'FIVE', object: 'coupon', deleted: true });
  assertSchema(deleted, 'deleted_coupon');
  const gone = await rejection(stripe.coupons.retrieve('FIVE'));
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.message, "No such coupon: 'FIVE'");
});

test('a coupon needs exactly one of percent_off and amount_off, and amount_off a currency', async () => {
  const stripe = stripeClient(worker.url);
  const both = await rejection(stripe.coupons.create({ percent_off: 10, amount_off: 5, currency: 'usd' }));
  assert.equal(both.statusCode, 400);
  const noCurrency = await rejection(stripe.coupons.create({ amount_off: 5 }));
  assert.equal(noCurrency.param, 'currency');
  const noMonths = await rejection(stripe.coupons.create({ percent_off: 5, duration: 'repeating' }));
  assert.equal(noMonths.param, 'duration_in_months');
  await stripe.coupons.create({ id: 'DUP', percent_off: 5 });
  const dup = await rejection(stripe.coupons.create({ id: 'DUP', percent_off: 5 }));
  assert.equal(dup.code, 'resource_already_exists');
});

test('coupon on create sets a discount with the full coupon and counts the redemption', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'SPRING', percent_off: 20, duration: 'repeating', duration_in_months: 3 });
  const customer = await stripe.customers.create({ coupon: 'SPRING' });
  const d = customer.discount;
  assertSchema(d, 'discount');
  assert.match(d.id, /^di_/);
  assert.equal(d.object, 'discount');
  assert.equal(d.coupon.id, 'SPRING');
  assert.equal(d.coupon.times_redeemed, 1);
  assert.equal(d.customer, customer.id);
  assert.equal(d.promotion_code, null);
  assert.ok(d.end > d.start + 80 * 86400 && d.end < d.start + 95 * 86400, 'end is start + 3 months');
  assertSchema(customer, 'customer');
  assert.equal((await stripe.coupons.retrieve('SPRING')).times_redeemed, 1);
  const fetched = await stripe.customers.retrieve(customer.id);
  assert.deepEqual(fetched.discount, d);
});

test('coupon on update replaces the discount; a missing or spent coupon is refused', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'ONCE', percent_off: 10, duration: 'once', max_redemptions: 1 });
  const customer = await stripe.customers.create({ name: 'A' });
  const updated = await stripe.customers.update(customer.id, { coupon: 'ONCE' });
  assert.equal(updated.discount.coupon.id, 'ONCE');
  assert.equal(updated.discount.end, null);
  const spent = await rejection(stripe.customers.create({ coupon: 'ONCE' }));
  assert.equal(spent.statusCode, 400);
  assert.equal(spent.param, 'coupon');
  assert.equal(spent.message, 'Coupon expired: ONCE');
  const missing = await rejection(stripe.customers.update(customer.id, { coupon: 'NOPE' }));
  assert.equal(missing.code, 'resource_missing');
  assert.equal(missing.message, "No such coupon: 'NOPE'");
  await stripe.coupons.create({ id: 'GONE', percent_off: 10 });
  await stripe.coupons.del('GONE');
  const deleted = await rejection(stripe.customers.create({ coupon: 'GONE' }));
  assert.equal(deleted.param, 'coupon');
  assert.equal((await stripe.coupons.retrieve('ONCE')).times_redeemed, 1, 'refused redemptions are not counted');
});

test('a failed customer write gives the redemption back', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'BACK', percent_off: 10, max_redemptions: 1 });
  // The claim succeeds, then the customer write fails on a tax location check.
  const failed = await rejection(stripe.customers.create({ coupon: 'BACK', tax: { validate_location: 'immediately' } }));
  assert.equal(failed.code, 'customer_tax_location_invalid');
  assert.equal((await stripe.coupons.retrieve('BACK')).times_redeemed, 0);
  const ok = await stripe.customers.create({ coupon: 'BACK' });
  assert.equal(ok.discount.coupon.id, 'BACK');
});

test('GET and DELETE /discount, and seed 004 POST /discounts', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  await stripe.coupons.create({ id: 'TEN', percent_off: 10 });
  const customer = await stripe.customers.create({ name: 'B' });
  const none = await request(worker.url, key, 'GET', `/v1/customers/${customer.id}/discount`);
  assert.equal(none.status, 404);
  const noneDelete = await rejection(stripe.customers.deleteDiscount(customer.id));
  assert.equal(noneDelete.statusCode, 404);
  const applied = await request(worker.url, key, 'POST', `/v1/customers/${customer.id}/discounts`, 'coupon=TEN');
  assert.equal(applied.status, 200);
  assert.equal(applied.json.coupon.id, 'TEN');
  const got = await request(worker.url, key, 'GET', `/v1/customers/${customer.id}/discount`);
  assert.deepEqual(got.json, applied.json);
  const deleted = await stripe.customers.deleteDiscount(customer.id);
  assertSchema(deleted, 'deleted_discount');
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.id, applied.json.id);
  assert.equal((await stripe.customers.retrieve(customer.id)).discount, null);
});

test('promotion codes are created, retrieved, updated and listed with filters', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'PROMO', percent_off: 15 });
  const customer = await stripe.customers.create({ name: 'C' });
  const promo = await stripe.promotionCodes.create({ coupon: 'PROMO', code: 'WELCOME', max_redemptions: 5, metadata: { k: 'v' } });
  assertSchema(promo, 'promotion_code');
  assert.match(promo.id, /^promo_/);
  assert.equal(promo.code, 'WELCOME');
  assert.equal(promo.coupon.id, 'PROMO');
  assert.equal(promo.active, true);
  const mine = await stripe.promotionCodes.create({ coupon: 'PROMO', customer: customer.id });
  assert.match(mine.code, /^[0-9A-Z]{8}$/);
  assert.equal((await stripe.promotionCodes.retrieve(promo.id)).code, 'WELCOME');
  const dup = await rejection(stripe.promotionCodes.create({ coupon: 'PROMO', code: 'welcome' }));
  assert.equal(dup.param, 'code');
  const missing = await rejection(stripe.promotionCodes.create({ coupon: 'NOPE' }));
  assert.equal(missing.message, "No such coupon: 'NOPE'");
  const off = await stripe.promotionCodes.update(promo.id, { active: false, metadata: { k: '' } });
  assert.equal(off.active, false);
  assert.deepEqual(off.metadata, {});
  assert.deepEqual((await stripe.promotionCodes.list({ active: true })).data.map((p) => p.id), [mine.id]);
  assert.deepEqual((await stripe.promotionCodes.list({ code: 'WELCOME' })).data.map((p) => p.id), [promo.id]);
  assert.deepEqual((await stripe.promotionCodes.list({ customer: customer.id })).data.map((p) => p.id), [mine.id]);
  assert.equal((await stripe.promotionCodes.list({ coupon: 'PROMO' })).data.length, 2);
  const gone = await rejection(stripe.promotionCodes.retrieve('promo_nope'));
  assert.equal(gone.statusCode, 404);
});

test('promotion_code sets the discount and its restrictions are enforced', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'P', percent_off: 15 });
  const promo = await stripe.promotionCodes.create({ coupon: 'P', code: 'ONE', max_redemptions: 1 });
  const customer = await stripe.customers.create({ promotion_code: promo.id });
  assert.equal(customer.discount.promotion_code, promo.id);
  assert.equal(customer.discount.coupon.id, 'P');
  const after = await stripe.promotionCodes.retrieve(promo.id);
  assert.equal(after.times_redeemed, 1);
  assert.equal(after.coupon.times_redeemed, 1);
  const spent = await rejection(stripe.customers.create({ promotion_code: promo.id }));
  assert.equal(spent.param, 'promotion_code');
  const inactive = await stripe.promotionCodes.create({ coupon: 'P', code: 'OFF', active: false });
  const refused = await rejection(stripe.customers.update(customer.id, { promotion_code: inactive.id }));
  assert.equal(refused.param, 'promotion_code');
  assert.equal(refused.message, 'This promotion code is inactive.');
  const other = await stripe.customers.create({ name: 'other' });
  const restricted = await stripe.promotionCodes.create({ coupon: 'P', code: 'MINE', customer: other.id });
  const wrong = await rejection(stripe.customers.update(customer.id, { promotion_code: restricted.id }));
  assert.equal(wrong.param, 'promotion_code');
  const both = await rejection(stripe.customers.create({ coupon: 'P', promotion_code: restricted.id }));
  assert.equal(both.statusCode, 400);
});

test('a coupon deleted while customers are created with it never leaves a discount to a coupon that was gone', async () => {
  const stripe = stripeClient(worker.url);
  await stripe.coupons.create({ id: 'RACE', percent_off: 5 });
  const creates = Array.from({ length: 6 }, () => stripe.customers.create({ coupon: 'RACE' }).then((c) => c, (e) => e));
  const deletion = stripe.coupons.del('RACE');
  const results = await Promise.all(creates);
  await deletion;
  for (const r of results) {
    if (r instanceof Error) assert.equal(r.statusCode, 400);
    else assert.equal(r.discount.coupon.id, 'RACE');
  }
});

test('concurrent retries of one keyed create redeem the coupon once', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  await stripe.coupons.create({ id: 'ONCEKEY', percent_off: 10 });
  const send = () => request(worker.url, key, 'POST', '/v1/customers', 'coupon=ONCEKEY', { 'Idempotency-Key': 'same-key' });
  const answers = await Promise.all([send(), send(), send(), send()]);
  for (const a of answers) assert.equal(a.status, 200);
  assert.equal(new Set(answers.map((a) => a.json.id)).size, 1);
  assert.equal((await stripe.coupons.retrieve('ONCEKEY')).times_redeemed, 1);
});

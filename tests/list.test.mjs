// End to end: GET /v1/customers — order, limit, both cursors, the email and created
// filters, deleted customers left out, and the SDK's auto-pagination.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

/** Creates `n` customers one after another; returns them oldest first. */
async function createMany(stripe, n, params = (i) => ({ name: `c${i}` })) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await stripe.customers.create(params(i)));
  return out;
}

test('list returns customers newest first with the list envelope', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await createMany(stripe, 3);
  const res = await request(worker.url, key, 'GET', '/v1/customers');
  assert.equal(res.status, 200);
  assert.deepEqual(Object.keys(res.json), ['object', 'url', 'has_more', 'data'], 'the order of seed 001');
  assert.equal(res.json.object, 'list');
  assert.equal(res.json.url, '/v1/customers');
  assert.equal(res.json.has_more, false);
  assert.deepEqual(res.json.data.map((c) => c.id), created.map((c) => c.id).reverse());
});

test('limit defaults to 10 and pages with has_more', async () => {
  const stripe = stripeClient(worker.url);
  await createMany(stripe, 12);
  const page = await stripe.customers.list();
  assert.equal(page.data.length, 10);
  assert.equal(page.has_more, true);
  const small = await stripe.customers.list({ limit: 3 });
  assert.equal(small.data.length, 3);
});

test('limit outside 1..100 is a 400 naming limit', async () => {
  const key = newKey();
  for (const limit of ['0', '101', '-5', 'ten']) {
    const res = await request(worker.url, key, 'GET', `/v1/customers?limit=${limit}`);
    assert.equal(res.status, 400, `limit=${limit}`);
    assert.equal(res.json.error.param, 'limit', `limit=${limit}`);
    assert.equal(res.json.error.type, 'invalid_request_error');
  }
  assert.equal((await request(worker.url, key, 'GET', '/v1/customers?limit=100')).status, 200);
});

test('starting_after and ending_before walk the list both ways', async () => {
  const stripe = stripeClient(worker.url);
  const ids = (await createMany(stripe, 7)).map((c) => c.id).reverse(); // newest first
  const first = await stripe.customers.list({ limit: 3 });
  assert.deepEqual(first.data.map((c) => c.id), ids.slice(0, 3));
  const second = await stripe.customers.list({ limit: 3, starting_after: ids[2] });
  assert.deepEqual(second.data.map((c) => c.id), ids.slice(3, 6));
  assert.equal(second.has_more, true);
  const last = await stripe.customers.list({ limit: 3, starting_after: ids[5] });
  assert.deepEqual(last.data.map((c) => c.id), ids.slice(6));
  assert.equal(last.has_more, false);
  const back = await stripe.customers.list({ limit: 3, ending_before: ids[5] });
  assert.deepEqual(back.data.map((c) => c.id), ids.slice(2, 5));
  assert.equal(back.has_more, true);
  const top = await stripe.customers.list({ limit: 3, ending_before: ids[1] });
  assert.deepEqual(top.data.map((c) => c.id), ids.slice(0, 1));
  assert.equal(top.has_more, false);
});

test('a cursor naming no customer of this account is a 400 resource_missing', async () => {
  const other = await stripeClient(worker.url).customers.create({ name: 'elsewhere' });
  const res = await request(worker.url, newKey(), 'GET', `/v1/customers?starting_after=${other.id}`);
  assert.equal(res.status, 400);
  assert.equal(res.json.error.code, 'resource_missing');
  assert.equal(res.json.error.param, 'starting_after');
});

test('the email filter is exact and case-sensitive', async () => {
  const stripe = stripeClient(worker.url);
  const [a] = await createMany(stripe, 1, () => ({ email: 'Jane@example.com' }));
  await createMany(stripe, 2, (i) => ({ email: `other${i}@example.com` }));
  const exact = await stripe.customers.list({ email: 'Jane@example.com' });
  assert.deepEqual(exact.data.map((c) => c.id), [a.id]);
  const lower = await stripe.customers.list({ email: 'jane@example.com' });
  assert.deepEqual(lower.data, []);
});

test('the created filter takes an integer or gt/gte/lt/lte', async () => {
  const stripe = stripeClient(worker.url);
  const [c] = await createMany(stripe, 1);
  const t = c.created;
  const ids = async (created) => (await stripe.customers.list({ created })).data.map((x) => x.id);
  assert.deepEqual(await ids(t), [c.id]);
  assert.deepEqual(await ids({ gte: t }), [c.id]);
  assert.deepEqual(await ids({ lte: t }), [c.id]);
  assert.deepEqual(await ids({ gt: t }), []);
  assert.deepEqual(await ids({ lt: t }), []);
  assert.deepEqual(await ids({ gt: t - 1, lt: t + 1 }), [c.id]);
});

test('deleted customers are left out of the list', async () => {
  const stripe = stripeClient(worker.url);
  const [a, b] = await createMany(stripe, 2);
  await stripe.customers.del(a.id);
  const page = await stripe.customers.list();
  assert.deepEqual(page.data.map((c) => c.id), [b.id]);
});

test('the SDK auto-paginates over every customer exactly once', async () => {
  const stripe = stripeClient(worker.url);
  const ids = (await createMany(stripe, 25)).map((c) => c.id).reverse();
  const seen = [];
  for await (const customer of stripe.customers.list({ limit: 4 })) seen.push(customer.id);
  assert.deepEqual(seen, ids);
});

test('list supports expand with data. paths', async () => {
  const key = newKey();
  await stripeClient(worker.url, key).customers.create({ name: 'x' });
  const res = await request(worker.url, key, 'GET', '/v1/customers?expand[]=data.tax');
  assert.equal(res.status, 200);
  assert.equal(res.json.data[0].tax.automatic_tax, 'unrecognized_location');
  const bad = await request(worker.url, key, 'GET', '/v1/customers?expand[]=tax');
  assert.equal(bad.status, 400);
});

test('the test_clock filter lists only customers on that clock', async () => {
  const stripe = stripeClient(worker.url);
  await createMany(stripe, 2);
  const onClock = await stripe.customers.list({ test_clock: 'clock_nonexistent' });
  assert.deepEqual(onClock.data, []);
  assert.equal((await stripe.customers.list()).data.length, 2, 'customers without a clock are listed without the filter');
});

test('an error from the account index is indented like every other response', async () => {
  const res = await request(worker.url, newKey(), 'GET', '/v1/customers?starting_after=cus_nobody00000000');
  assert.equal(res.status, 400);
  assert.equal(res.text, JSON.stringify(res.json, null, 2));
});

// End to end: seed 004's customer lifecycle on top of Stripe's delete: the deleted
// stub, include_deleted, undelete within the retention window, the purge after it
// (run with a 2-second window), writes to a deleted customer, the customer's
// subscriptions and invoices lists, the upcoming invoice, and account isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
let shortLived; // DELETED_RETENTION_SECONDS = 2
before(async () => {
  [worker, shortLived] = await Promise.all([
    startWorker(),
    startWorker({ vars: { DELETED_RETENTION_SECONDS: '2' } }),
  ]);
});
after(async () => {
  await Promise.all([worker.close(), shortLived.close()]);
});

const strip = ({ lastResponse, ...rest }) => rest;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const FULL = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  phone: '+14155551212',
  address: { line1: '100 Market St', city: 'San Francisco', state: 'CA', country: 'US', postal_code: '94105' },
  shipping: { name: 'Ada', address: { line1: '1 Dock', country: 'US' } },
  metadata: { your_user_id: 'u_28471' },
  tax_id_data: [{ type: 'us_ein', value: '12-3456789' }],
};

test('the SDK retrieves a deleted customer as the deleted stub', async () => {
  const stripe = stripeClient(worker.url);
  const { id } = await stripe.customers.create({ name: 'Gone' });
  const deleted = await stripe.customers.del(id);
  assert.deepEqual(strip(deleted), { id, object: 'customer', deleted: true });
  const fetched = await stripe.customers.retrieve(id);
  assert.deepEqual(strip(fetched), { id, object: 'customer', deleted: true });
});

test('include_deleted=true returns the whole record with deleted and deleted_at', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create(FULL);
  const before = Math.floor(Date.now() / 1000);
  await stripe.customers.del(created.id);
  const afterDelete = Math.floor(Date.now() / 1000);
  const res = await request(worker.url, key, 'GET', `/v1/customers/${created.id}?include_deleted=true`);
  assert.equal(res.status, 200);
  const { deleted, deleted_at: deletedAt, ...rest } = res.json;
  assert.equal(deleted, true);
  assert.ok(deletedAt >= before - 1 && deletedAt <= afterDelete + 1, 'deleted_at is unix seconds');
  assert.deepEqual(rest, strip(created), 'every other field is the record as it was');
  const keys = Object.keys(res.json);
  assert.deepEqual(keys.slice(keys.indexOf('default_source') + 1, keys.indexOf('delinquent')), ['deleted', 'deleted_at']);
  const other = await stripe.customers.create({});
  const live = await request(worker.url, key, 'GET', `/v1/customers/${other.id}?include_deleted=true`);
  assert.equal(live.json.deleted, undefined, 'a live customer has neither field');
  assert.equal(live.json.deleted_at, undefined);
});

test('undelete restores the customer within the window, and list and search see it again', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create(FULL);
  await stripe.customers.del(created.id);
  assert.deepEqual((await stripe.customers.list()).data, []);
  const res = await request(worker.url, key, 'POST', `/v1/customers/${created.id}/undelete`);
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, strip(created), 'the restored customer is the customer as it was');
  assert.deepEqual(strip(await stripe.customers.retrieve(created.id)), strip(created));
  assert.deepEqual((await stripe.customers.list()).data.map((c) => c.id), [created.id]);
  const found = await stripe.customers.search({ query: "email:'ada@example.com'" });
  assert.deepEqual(found.data.map((c) => c.id), [created.id]);
  assert.equal((await stripe.customers.listTaxIds(created.id)).data.length, 1, 'its tax ids are back');
  const updated = await stripe.customers.update(created.id, { name: 'Ada again' });
  assert.equal(updated.name, 'Ada again');
});

test('undelete of a live customer, a missing one, or with unknown parameters is refused', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({});
  const live = await request(worker.url, key, 'POST', `/v1/customers/${id}/undelete`);
  assert.equal(live.status, 400);
  assert.deepEqual(live.json.error, {
    code: 'customer_not_deleted',
    doc_url: 'https://stripe.com/docs/error-codes/customer-not-deleted',
    message: `Customer ${id} is not deleted.`,
    type: 'invalid_request_error',
  });
  const missing = await request(worker.url, key, 'POST', '/v1/customers/cus_nobody000000/undelete');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.message, "No such customer: 'cus_nobody000000'");
  await stripe.customers.del(id);
  const unknown = await request(worker.url, key, 'POST', `/v1/customers/${id}/undelete`, 'colour=red');
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.error.param, 'colour');
  const stillDeleted = await request(worker.url, key, 'GET', `/v1/customers/${id}`);
  assert.deepEqual(stillDeleted.json, { id, object: 'customer', deleted: true });
  const get = await request(worker.url, key, 'GET', `/v1/customers/${id}/undelete`);
  assert.equal(get.status, 404, 'undelete is a POST');
});

test('a keyed undelete replays its first answer', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ name: 'Twice' });
  await stripe.customers.del(id);
  const headers = { 'Idempotency-Key': 'undelete-once' };
  const first = await request(worker.url, key, 'POST', `/v1/customers/${id}/undelete`, '', headers);
  const again = await request(worker.url, key, 'POST', `/v1/customers/${id}/undelete`, '', headers);
  assert.equal(first.status, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.text, first.text);
});

test('deleted customers stay out of list and search, include_deleted or not', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const kept = await stripe.customers.create({ name: 'Kept', email: 'same@example.com' });
  const gone = await stripe.customers.create({ name: 'Gone', email: 'same@example.com' });
  await stripe.customers.del(gone.id);
  for (const query of ['', '?include_deleted=true', '?email=same%40example.com&include_deleted=true']) {
    const res = await request(worker.url, key, 'GET', `/v1/customers${query}`);
    assert.equal(res.status, 200, query);
    assert.deepEqual(res.json.data.map((c) => c.id), [kept.id], query);
  }
  const search = await request(worker.url, key, 'GET', `/v1/customers/search?query=${encodeURIComponent("email:'same@example.com'")}&include_deleted=true`);
  assert.equal(search.status, 200);
  assert.deepEqual(search.json.data.map((c) => c.id), [kept.id]);
  // Emails are not unique (Stripe's rule), so a deleted customer's email is free at once.
  const reuse = await stripe.customers.create({ email: 'same@example.com' });
  assert.equal(reuse.email, 'same@example.com');
});

test('every write to a deleted customer is a 404 and changes nothing', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create(FULL);
  const [txi] = (await stripe.customers.listTaxIds(id)).data;
  await stripe.customers.del(id);
  const whole = () => request(worker.url, key, 'GET', `/v1/customers/${id}?include_deleted=true&expand[]=tax_ids`);
  const before = await whole();
  const writes = [
    ['POST', `/v1/customers/${id}`, 'name=changed', 'id'],
    ['PATCH', `/v1/customers/${id}`, 'metadata[k]=v', 'id'],
    ['DELETE', `/v1/customers/${id}`, undefined, 'id'],
    ['POST', `/v1/customers/${id}/tax_ids`, 'type=us_ein&value=12-3456789', 'customer'],
    ['POST', `/v1/customers/${id}/tax-ids`, 'type=us_ein&value=12-3456789', 'customer'],
    ['DELETE', `/v1/customers/${id}/tax_ids/${txi.id}`, undefined, 'customer'],
    ['DELETE', `/v1/customers/${id}/tax-ids/${txi.id}`, undefined, 'customer'],
  ];
  for (const [method, path, body, param] of writes) {
    const res = await request(worker.url, key, method, path, body);
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.json.error.type, 'invalid_request_error');
    assert.equal(res.json.error.code, 'resource_missing');
    assert.equal(res.json.error.message, `No such customer: '${id}'`);
    assert.equal(res.json.error.param, param, `${method} ${path}`);
  }
  await assert.rejects(stripe.customers.update(id, { name: 'x' }), { statusCode: 404 });
  const after = await whole();
  assert.equal(after.text, before.text, 'the stored customer is byte-identical');
});

test("a customer's subscriptions and invoices are empty Stripe lists with limit and cursors checked", async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({});
  for (const [path, kind] of [['subscriptions', 'subscription'], ['invoices', 'invoice']]) {
    const res = await request(worker.url, key, 'GET', `/v1/customers/${id}/${path}?limit=5`);
    assert.equal(res.status, 200, path);
    assert.deepEqual(res.json, { object: 'list', url: `/v1/customers/${id}/${path}`, has_more: false, data: [] });
    const badLimit = await request(worker.url, key, 'GET', `/v1/customers/${id}/${path}?limit=0`);
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.json.error.param, 'limit');
    const both = await request(worker.url, key, 'GET', `/v1/customers/${id}/${path}?starting_after=a&ending_before=b`);
    assert.equal(both.status, 400);
    const cursor = await request(worker.url, key, 'GET', `/v1/customers/${id}/${path}?starting_after=x_1`);
    assert.equal(cursor.status, 400);
    assert.equal(cursor.json.error.code, 'resource_missing');
    assert.equal(cursor.json.error.message, `No such ${kind}: 'x_1'`);
    assert.equal(cursor.json.error.param, 'starting_after');
    const unknown = await request(worker.url, key, 'GET', `/v1/customers/${id}/${path}?colour=red`);
    assert.equal(unknown.json.error.code, 'parameter_unknown');
    const missing = await request(worker.url, key, 'GET', `/v1/customers/cus_nobody000000/${path}`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error.param, 'customer');
  }
  await stripe.customers.del(id);
  for (const path of ['subscriptions', 'invoices']) {
    const res = await request(worker.url, key, 'GET', `/v1/customers/${id}/${path}`);
    assert.equal(res.status, 404, `${path} of a deleted customer`);
    assert.equal(res.json.error.message, `No such customer: '${id}'`);
  }
});

test('the upcoming invoice is invoice_upcoming_none on both paths while nothing is billed', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({});
  assert.equal(customer.delinquent, false, 'nothing is past due');
  const expected = {
    code: 'invoice_upcoming_none',
    doc_url: 'https://stripe.com/docs/error-codes/invoice-upcoming-none',
    message: `No upcoming invoices for customer: ${customer.id}`,
    type: 'invalid_request_error',
  };
  for (const path of [`/v1/invoices/upcoming?customer=${customer.id}`, `/v1/customers/${customer.id}/upcoming-invoice`]) {
    const res = await request(worker.url, key, 'GET', path);
    assert.equal(res.status, 404, path);
    assert.deepEqual(res.json.error, expected, path);
  }
  const noCustomer = await request(worker.url, key, 'GET', '/v1/invoices/upcoming');
  assert.equal(noCustomer.status, 400);
  assert.equal(noCustomer.json.error.param, 'customer');
  const missing = await request(worker.url, key, 'GET', '/v1/invoices/upcoming?customer=cus_nobody000000');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'resource_missing');
  assert.equal(missing.json.error.param, 'customer');
  await stripe.customers.del(customer.id);
  const deleted = await request(worker.url, key, 'GET', `/v1/customers/${customer.id}/upcoming-invoice`);
  assert.equal(deleted.status, 404);
  assert.equal(deleted.json.error.message, `No such customer: '${customer.id}'`);
});

test("another account's customer is a 404 on every lifecycle and sub-resource route", async () => {
  const owner = newKey();
  const stripe = stripeClient(worker.url, owner);
  const live = await stripe.customers.create({ name: 'Mine' });
  const deleted = await stripe.customers.create({ name: 'Mine, deleted' });
  await stripe.customers.del(deleted.id);
  const other = newKey();
  for (const id of [live.id, deleted.id]) {
    const calls = [
      ['GET', `/v1/customers/${id}?include_deleted=true`],
      ['POST', `/v1/customers/${id}/undelete`],
      ['GET', `/v1/customers/${id}/subscriptions`],
      ['GET', `/v1/customers/${id}/invoices`],
      ['GET', `/v1/customers/${id}/upcoming-invoice`],
      ['GET', `/v1/invoices/upcoming?customer=${id}`],
    ];
    for (const [method, path] of calls) {
      const res = await request(worker.url, other, method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.json.error.message, `No such customer: '${id}'`);
    }
  }
  const mine = await request(worker.url, owner, 'GET', `/v1/customers/${deleted.id}?include_deleted=true`);
  assert.equal(mine.json.name, 'Mine, deleted', 'the owner still sees it');
});

/** The names of the KV keys that hold a copy of customer `id`. */
async function kvKeysOf(w, id) {
  const { keys } = await (await w.mf.getKVNamespace('CUSTOMERS')).list();
  return keys.map((k) => k.name).filter((name) => name.endsWith(`/customers/${id}`));
}

test('after the retention window the alarm purges the personal data from the object, KV and the index', async () => {
  const key = newKey();
  const stripe = stripeClient(shortLived.url, key);
  const idempotencyKey = `create-${key}`;
  const created = await stripe.customers.create(FULL, { idempotencyKey });
  const kvKeys = await kvKeysOf(shortLived, created.id);
  assert.equal(kvKeys.length, 1, 'the live customer has a KV copy');
  const kv = await shortLived.mf.getKVNamespace('CUSTOMERS');
  await stripe.customers.del(created.id);
  const deletedCopy = await kv.get(kvKeys[0]);
  assert.match(deletedCopy, /ada@example\.com/, 'the deleted customer is still copied, in full, until the purge');

  // Poll (bounded) until the purge shows on the object.
  let whole;
  const deadline = Date.now() + 15_000;
  for (;;) {
    whole = await request(shortLived.url, key, 'GET', `/v1/customers/${created.id}?include_deleted=true&expand[]=tax_ids`);
    if (whole.json.email === null || Date.now() > deadline) break;
    await sleep(250);
  }
  assert.equal(whole.status, 200);
  assert.equal(whole.json.id, created.id);
  assert.equal(whole.json.created, created.created);
  assert.equal(whole.json.deleted, true);
  assert.equal(typeof whole.json.deleted_at, 'number');
  for (const field of ['email', 'name', 'phone', 'address', 'shipping', 'description']) {
    assert.equal(whole.json[field], null, `${field} is purged`);
  }
  assert.deepEqual(whole.json.metadata, {});
  assert.deepEqual(whole.json.tax_ids.data, []);
  assert.doesNotMatch(whole.text, /ada@example\.com|Lovelace|u_28471|12-3456789|Market/);

  const stub = await stripe.customers.retrieve(created.id);
  assert.deepEqual(strip(stub), { id: created.id, object: 'customer', deleted: true }, 'a plain GET is still the stub');

  // The KV copy and the index row go after the commit; poll briefly for them too.
  let kvLeft;
  let cursor;
  for (const until = Date.now() + 5_000; ; await sleep(200)) {
    kvLeft = await kvKeysOf(shortLived, created.id);
    cursor = await request(shortLived.url, key, 'GET', `/v1/customers?starting_after=${created.id}`);
    if ((kvLeft.length === 0 && cursor.status === 400) || Date.now() > until) break;
  }
  assert.deepEqual(kvLeft, [], 'the KV copy is gone');
  assert.equal(cursor.status, 400, 'the index row is gone: the id is no longer a list cursor');
  assert.equal(cursor.json.error.message, `No such customer: '${created.id}'`);
  assert.deepEqual((await stripe.customers.list()).data, []);
  const search = await stripe.customers.search({ query: "email:'ada@example.com'" });
  assert.deepEqual(search.data, []);

  const undelete = await request(shortLived.url, key, 'POST', `/v1/customers/${created.id}/undelete`);
  assert.equal(undelete.status, 400);
  assert.equal(undelete.json.error.code, 'undelete_window_expired');
  assert.equal(
    undelete.json.error.message,
    `Customer ${created.id} was deleted more than 2 seconds ago and can no longer be restored.`,
  );

  // The idempotency record that named the customer is gone too: the key replays nothing.
  const replay = await request(shortLived.url, key, 'POST', '/v1/customers', 'email=ada%40example.com', { 'Idempotency-Key': idempotencyKey });
  assert.equal(replay.status, 400);
  assert.equal(replay.headers.get('idempotent-replayed'), null);
  assert.doesNotMatch(replay.text, /ada@example\.com/);
});

test('with a 2-second window, undelete inside it restores and after it is refused', async () => {
  const key = newKey();
  const stripe = stripeClient(shortLived.url, key);
  const first = await stripe.customers.create({ name: 'Quick' });
  await stripe.customers.del(first.id);
  const quick = await request(shortLived.url, key, 'POST', `/v1/customers/${first.id}/undelete`);
  assert.equal(quick.status, 200);
  assert.equal(quick.json.name, 'Quick');
  await sleep(3_000);
  assert.equal((await stripe.customers.retrieve(first.id)).name, 'Quick', 'the cancelled purge never ran');
  await stripe.customers.del(first.id);
  await sleep(2_200);
  const late = await request(shortLived.url, key, 'POST', `/v1/customers/${first.id}/undelete`);
  assert.equal(late.status, 400);
  assert.equal(late.json.error.code, 'undelete_window_expired');
});

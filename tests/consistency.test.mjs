// End to end: the consistency model — no lost update under concurrency, read-after-
// write for retrieve and list, idempotent creates under concurrency, and both
// READ_CONSISTENCY modes (strong: the Durable Object; edge: the isolate's memo, then
// KV, then the object). `kvOnly` is edge mode with the memo off, to reach KV itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let strong;
let edge;
let kvOnly;
before(async () => {
  [strong, edge, kvOnly] = await Promise.all([
    startWorker({ vars: { READ_CONSISTENCY: 'strong' } }),
    startWorker({ vars: { READ_CONSISTENCY: 'edge' } }),
    startWorker({ vars: { READ_CONSISTENCY: 'edge', EDGE_CACHE_TTL_MS: '0' } }),
  ]);
});
after(async () => {
  await Promise.all([strong.close(), edge.close(), kvOnly.close()]);
});

/** The KV key of a customer's copy, found by listing the namespace. */
async function kvKeyOf(worker, id) {
  const { keys } = await (await worker.mf.getKVNamespace('CUSTOMERS')).list();
  return keys.map((k) => k.name).find((name) => name.endsWith(`/customers/${id}`));
}

test('30 concurrent updates to different metadata keys of one customer all survive', async () => {
  const stripe = stripeClient(strong.url);
  const { id } = await stripe.customers.create({ name: 'Busy' });
  await Promise.all(
    Array.from({ length: 30 }, (_, i) => stripe.customers.update(id, { metadata: { [`k${i}`]: `v${i}` } })),
  );
  const c = await stripe.customers.retrieve(id);
  assert.equal(Object.keys(c.metadata).length, 30);
  for (let i = 0; i < 30; i++) assert.equal(c.metadata[`k${i}`], `v${i}`);
  const listed = await stripe.customers.list({ limit: 1 });
  assert.equal(Object.keys(listed.data[0].metadata).length, 30, 'the index holds the newest version');
});

test('retrieve and list read their own writes at once', async () => {
  const stripe = stripeClient(strong.url);
  for (let round = 0; round < 5; round++) {
    const created = await stripe.customers.create({ email: `raw${round}@example.com` });
    const listed = await stripe.customers.list({ email: `raw${round}@example.com` });
    assert.deepEqual(listed.data.map((c) => c.id), [created.id], `round ${round}: list after create`);
    await stripe.customers.update(created.id, { name: `n${round}` });
    assert.equal((await stripe.customers.retrieve(created.id)).name, `n${round}`, `round ${round}: retrieve after update`);
    assert.equal((await stripe.customers.list({ limit: 1 })).data[0].name, `n${round}`, `round ${round}: list after update`);
  }
});

test('concurrent creates with one idempotency key create exactly one customer', async () => {
  const key = newKey();
  const headers = { 'Idempotency-Key': 'same-key-under-load' };
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => request(strong.url, key, 'POST', '/v1/customers', 'name=Once', headers)),
  );
  for (const a of answers) assert.equal(a.status, 200, a.text);
  assert.equal(new Set(answers.map((a) => a.json.id)).size, 1);
  const list = await request(strong.url, key, 'GET', '/v1/customers');
  assert.equal(list.json.data.length, 1);
  assert.equal(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true').length, 9);
});

test('a reused key with other parameters is an idempotency_error and changes nothing', async () => {
  const key = newKey();
  const headers = { 'Idempotency-Key': 'k-update' };
  const { json: c } = await request(strong.url, key, 'POST', '/v1/customers', 'name=A');
  const first = await request(strong.url, key, 'POST', `/v1/customers/${c.id}`, 'name=B', headers);
  assert.equal(first.json.name, 'B');
  const replay = await request(strong.url, key, 'POST', `/v1/customers/${c.id}`, 'name=B', headers);
  assert.equal(replay.text, first.text);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  const other = await request(strong.url, key, 'POST', `/v1/customers/${c.id}`, 'name=C', headers);
  assert.equal(other.status, 400);
  assert.equal(other.json.error.type, 'idempotency_error');
  assert.equal((await request(strong.url, key, 'GET', `/v1/customers/${c.id}`)).json.name, 'B');
});

test('edge reads serve the KV copy, which follows every update and the delete', async () => {
  const key = newKey();
  const stripe = stripeClient(kvOnly.url, key);
  const { id } = await stripe.customers.create({ name: 'Edge' });
  assert.equal((await stripe.customers.retrieve(id)).name, 'Edge');
  await stripe.customers.update(id, { name: 'Edge 2' });
  assert.equal((await stripe.customers.retrieve(id)).name, 'Edge 2');
  const kv = await kvOnly.mf.getKVNamespace('CUSTOMERS');
  const copy = JSON.parse(await kv.get(await kvKeyOf(kvOnly, id)));
  assert.equal(copy.record.customer.name, 'Edge 2', 'KV holds the newest version');
  // Served from KV, not the object: a planted copy shows through.
  copy.record.customer.name = 'From KV';
  await kv.put(await kvKeyOf(kvOnly, id), JSON.stringify(copy));
  assert.equal((await stripe.customers.retrieve(id)).name, 'From KV');
  await stripe.customers.del(id);
  const gone = await request(kvOnly.url, key, 'GET', `/v1/customers/${id}`);
  assert.deepEqual(gone.json, { id, object: 'customer', deleted: true });
});

test('after 30 concurrent updates of one customer KV holds the newest, and the next update reaches it at once', async () => {
  // One KV copy runs per customer at a time and catches up on the commits that land
  // meanwhile; the writes that find it running leave their version to it.
  const key = newKey();
  const stripe = stripeClient(kvOnly.url, key);
  const { id } = await stripe.customers.create({ name: 'Hot' });
  await Promise.all(Array.from({ length: 30 }, (_, i) => stripe.customers.update(id, { metadata: { [`k${i}`]: `v${i}` } })));
  const kv = await kvOnly.mf.getKVNamespace('CUSTOMERS');
  const kvKey = await kvKeyOf(kvOnly, id);
  let copy;
  for (let i = 0; i < 40; i++) {
    copy = JSON.parse(await kv.get(kvKey));
    if (copy.version === 31) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(copy.version, 31, 'the create and 30 updates');
  assert.equal(Object.keys(copy.record.customer.metadata).length, 30);
  await stripe.customers.update(id, { name: 'Hot 2' });
  assert.equal((await stripe.customers.retrieve(id)).name, 'Hot 2', 'served from KV right after the answer');
});

test('an edge read falls back to the Durable Object when KV has no copy', async () => {
  const key = newKey();
  const { id } = await stripeClient(kvOnly.url, key).customers.create({ name: 'Fallback' });
  const kv = await kvOnly.mf.getKVNamespace('CUSTOMERS');
  await kv.delete(await kvKeyOf(kvOnly, id));
  const res = await request(kvOnly.url, key, 'GET', `/v1/customers/${id}`);
  assert.equal(res.status, 200);
  assert.equal(res.json.name, 'Fallback');
});

test('with the memo on, an edge read sees this isolate\'s own writes even before KV does', async () => {
  const key = newKey();
  const stripe = stripeClient(edge.url, key);
  const { id } = await stripe.customers.create({ name: 'Memo' });
  const kv = await edge.mf.getKVNamespace('CUSTOMERS');
  const kvKey = await kvKeyOf(edge, id);
  const stale = JSON.parse(await kv.get(kvKey));
  await stripe.customers.update(id, { name: 'Memo 2' });
  await kv.put(kvKey, JSON.stringify(stale)); // KV lags behind, as it may across locations
  assert.equal((await stripe.customers.retrieve(id)).name, 'Memo 2');
  await stripe.customers.del(id);
  const gone = await request(edge.url, key, 'GET', `/v1/customers/${id}`);
  assert.deepEqual(gone.json, { id, object: 'customer', deleted: true });
});

test('edge mode is isolated per account like strong mode', async () => {
  const { id } = await stripeClient(edge.url).customers.create({ name: 'Mine' });
  const res = await request(edge.url, newKey(), 'GET', `/v1/customers/${id}`);
  assert.equal(res.status, 404);
});

test('strong reads never touch KV: a stale KV copy is not served', async () => {
  const key = newKey();
  const { id } = await stripeClient(strong.url, key).customers.create({ name: 'Truth' });
  const kv = await strong.mf.getKVNamespace('CUSTOMERS');
  const { keys } = await kv.list();
  const entry = keys.find((k) => k.name.endsWith(`/customers/${id}`));
  assert.ok(entry, 'the object copied the customer to KV');
  const stale = JSON.parse(await kv.get(entry.name));
  stale.record.customer.name = 'Stale';
  await kv.put(entry.name, JSON.stringify(stale));
  const res = await request(strong.url, key, 'GET', `/v1/customers/${id}`);
  assert.equal(res.json.name, 'Truth');
});

// End to end: idempotency keys as Stripe scopes them — per account, across customers,
// endpoints and methods; at most 255 characters; DELETE takes one too; a retry while
// the first request runs waits and replays; concurrent creates with one key make one
// customer; replays are marked `Idempotent-Replayed: true`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const post = (key, path, body, idem) =>
  request(worker.url, key, 'POST', path, body, idem ? { 'Idempotency-Key': idem } : {});

function assertIdempotencyError(answer, status = 400) {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.json.error.type, 'idempotency_error', answer.text);
}

test('a key reused on another customer of the same account is an idempotency_error', async () => {
  const key = newKey();
  const a = (await post(key, '/v1/customers', 'name=A')).json.id;
  const b = (await post(key, '/v1/customers', 'name=B')).json.id;
  const first = await post(key, `/v1/customers/${a}`, 'name=A2', 'reused-across-customers');
  assert.equal(first.status, 200, first.text);
  assertIdempotencyError(await post(key, `/v1/customers/${b}`, 'name=A2', 'reused-across-customers'));
  const retrieved = await request(worker.url, key, 'GET', `/v1/customers/${b}`);
  assert.equal(retrieved.json.name, 'B', 'the second customer is unchanged');
});

test('a key reused on another endpoint or with another method is an idempotency_error', async () => {
  const key = newKey();
  const created = await post(key, '/v1/customers', 'name=C', 'used-by-a-create');
  assert.equal(created.status, 200, created.text);
  assertIdempotencyError(await post(key, `/v1/customers/${created.json.id}`, 'name=C', 'used-by-a-create'));
  assertIdempotencyError(await post(key, '/v1/webhook_endpoints', 'url=https://example.com/h&enabled_events[]=*', 'used-by-a-create'));
  const del = await request(worker.url, key, 'DELETE', `/v1/customers/${created.json.id}`, undefined, { 'Idempotency-Key': 'used-by-a-create' });
  assertIdempotencyError(del);
  assert.equal((await request(worker.url, key, 'GET', `/v1/customers/${created.json.id}`)).json.deleted, undefined, 'not deleted');
});

test('the same key in another account is another key', async () => {
  const [k1, k2] = [newKey(), newKey()];
  const a = await post(k1, '/v1/customers', 'name=One', 'shared-key-text');
  const b = await post(k2, '/v1/customers', 'name=Two', 'shared-key-text');
  assert.equal(a.status, 200, a.text);
  assert.equal(b.status, 200, b.text);
  assert.notEqual(a.json.id, b.json.id);
  assert.equal(b.headers.get('idempotent-replayed'), null);
});

test('a replay of a finished request answers the same body, marked replayed, and writes nothing', async () => {
  const key = newKey();
  const first = await post(key, '/v1/customers', 'name=Replay&metadata[n]=1', 'replay-me');
  const again = await post(key, '/v1/customers', 'name=Replay&metadata[n]=1', 'replay-me');
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.json, first.json);
  const listed = await request(worker.url, key, 'GET', '/v1/customers');
  assert.equal(listed.json.data.length, 1);
  // An update replays too: the second one does not bump anything or emit an event.
  const u1 = await post(key, `/v1/customers/${first.json.id}`, 'metadata[n]=2', 'update-once');
  const u2 = await post(key, `/v1/customers/${first.json.id}`, 'metadata[n]=2', 'update-once');
  assert.deepEqual(u2.json, u1.json);
  assert.equal(u2.headers.get('idempotent-replayed'), 'true');
  const events = await request(worker.url, key, 'GET', '/v1/events?type=customer.updated');
  assert.equal(events.json.data.length, 1, 'one customer.updated event');
});

test('keys of up to 255 characters are accepted and longer ones are a 400', async () => {
  const key = newKey();
  const ok = await post(key, '/v1/customers', 'name=Long', 'k'.repeat(255));
  assert.equal(ok.status, 200, ok.text);
  const tooLong = await post(key, '/v1/customers', 'name=Longer', 'k'.repeat(256));
  assert.equal(tooLong.status, 400, tooLong.text);
  assert.equal(tooLong.json.error.type, 'invalid_request_error');
  assert.match(tooLong.json.error.message, /255/);
  assert.equal((await request(worker.url, key, 'GET', '/v1/customers')).json.data.length, 1);
});

test('DELETE accepts an idempotency key and replays its answer', async () => {
  const key = newKey();
  const { id } = (await post(key, '/v1/customers', 'name=Gone')).json;
  const headers = { 'Idempotency-Key': 'delete-once' };
  const first = await request(worker.url, key, 'DELETE', `/v1/customers/${id}`, undefined, headers);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.deleted, true);
  const again = await request(worker.url, key, 'DELETE', `/v1/customers/${id}`, undefined, headers);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.json, first.json);
  // Without the key, a second delete of a deleted customer is Stripe's 404.
  assert.equal((await request(worker.url, key, 'DELETE', `/v1/customers/${id}`)).status, 404);
});

test('8 concurrent creates with one key make exactly one customer and all answer it', async () => {
  const key = newKey();
  const answers = await Promise.all(
    Array.from({ length: 8 }, () => post(key, '/v1/customers', 'name=Eight', 'eight-at-once')),
  );
  for (const a of answers) assert.ok(a.status === 200 || a.status === 409, a.text);
  const ok = answers.filter((a) => a.status === 200);
  assert.ok(ok.length >= 1);
  assert.equal(new Set(ok.map((a) => a.json.id)).size, 1);
  for (const a of answers.filter((a) => a.status === 409)) {
    assert.equal(a.json.error.type, 'idempotency_error');
    assert.equal(a.headers.get('stripe-should-retry'), 'true');
  }
  const listed = await request(worker.url, key, 'GET', '/v1/customers');
  assert.deepEqual(listed.json.data.map((c) => c.id), [ok[0].json.id]);
  const created = await request(worker.url, key, 'GET', '/v1/events?type=customer.created');
  assert.equal(created.json.data.length, 1, 'one customer.created event');
});

test('the SDK retrying with its own key after a lost response creates one customer', async () => {
  const stripe = stripeClient(worker.url);
  const idempotencyKey = `sdk-${Date.now()}`;
  const [a, b] = await Promise.all([
    stripe.customers.create({ name: 'Sdk' }, { idempotencyKey }),
    stripe.customers.create({ name: 'Sdk' }, { idempotencyKey }),
  ]);
  assert.equal(a.id, b.id);
  assert.equal((await stripe.customers.list()).data.length, 1);
});

test('the alarm prunes keys once their retention has passed, and the key is then new', async (t) => {
  // A sandbox worker that keeps keys 2 seconds instead of 24 hours.
  const short = await startWorker({ vars: { IDEMPOTENCY_KEY_RETENTION_SECONDS: '2' } });
  t.after(() => short.close());
  const key = newKey();
  const create = (url) =>
    request(short.url, key, 'POST', '/v1/webhook_endpoints', `url=${encodeURIComponent(url)}&enabled_events[]=*`, { 'Idempotency-Key': 'pruned-key' });
  const first = await create('https://example.com/a');
  assert.equal(first.status, 200, first.text);
  assertIdempotencyError(await create('https://example.com/b'));
  let again;
  for (let i = 0; i < 40; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    again = await create('https://example.com/b');
    if (again.status !== 400) break;
  }
  assert.equal(again.status, 200, 'after the prune the key is a new key');
  assert.equal(again.json.url, 'https://example.com/b');
  const list = await request(short.url, key, 'GET', '/v1/webhook_endpoints');
  assert.equal(list.json.data.length, 2);
});

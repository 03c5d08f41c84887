// End to end, raw HTTP: the wire details an SDK hides — auth schemes and their 401s,
// the error envelope, encodings (form, JSON, query), headers, body limits, routing,
// and isolation between accounts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const ERROR_KEYS = ['code', 'doc_url', 'message', 'param', 'type'];

// Stripe's error schema: `type` always, the others only when they have a value (never null).
function assertStripeError(res, status, fields = {}) {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.json), ['error']);
  const keys = Object.keys(res.json.error);
  assert.ok(keys.includes('type') && keys.includes('message'), res.text);
  for (const key of keys) {
    assert.ok(ERROR_KEYS.includes(key), `unexpected key ${key}`);
    assert.notEqual(res.json.error[key], null, `${key} is null`);
  }
  for (const [k, v] of Object.entries(fields)) assert.equal(res.json.error[k], v, k);
}

test('a request without a key gets Stripe\'s 401', async () => {
  const res = await request(worker.url, null, 'GET', '/v1/customers');
  assertStripeError(res, 401, { type: 'invalid_request_error' });
  assert.match(res.json.error.message, /^You did not provide an API key\. You need to provide your API key in the Authorization header, using Bearer auth/);
});

test('an ill-formed key gets a 401 that shows only its first eight and last four characters', async () => {
  const res = await request(worker.url, 'sk_test_bad-key-1234', 'GET', '/v1/customers');
  assertStripeError(res, 401, { message: 'Invalid API Key provided: sk_test_********1234' });
});

test('a live key that is not configured is refused in sandbox mode', async () => {
  const res = await request(worker.url, 'sk_live_abcdefabcdef', 'GET', '/v1/customers');
  assert.equal(res.status, 401);
});

test('an Authorization header of another scheme gets the 401 naming it', async () => {
  const res = await request(worker.url, null, 'GET', '/v1/customers', undefined, { Authorization: 'null' });
  assertStripeError(res, 401);
  assert.match(res.json.error.message, /you did set your Authorization header to "null"/);
});

test('Basic auth with the key as user name opens the same account as Bearer', async () => {
  const key = newKey();
  const created = await request(worker.url, key, 'POST', '/v1/customers', 'name=Basic');
  const basic = `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const res = await request(worker.url, null, 'GET', `/v1/customers/${created.json.id}`, undefined, { Authorization: basic });
  assert.equal(res.status, 200);
  assert.equal(res.json.name, 'Basic');
});

test('one account can neither read nor change nor list another account\'s customer', async () => {
  const owner = newKey();
  const intruder = newKey();
  const { json: c } = await request(worker.url, owner, 'POST', '/v1/customers', 'name=Private&email=p%40example.com');
  const read = await request(worker.url, intruder, 'GET', `/v1/customers/${c.id}`);
  assertStripeError(read, 404, { code: 'resource_missing', message: `No such customer: '${c.id}'` });
  const write = await request(worker.url, intruder, 'POST', `/v1/customers/${c.id}`, 'name=Hacked');
  assert.equal(write.status, 404);
  const del = await request(worker.url, intruder, 'DELETE', `/v1/customers/${c.id}`);
  assert.equal(del.status, 404);
  const list = await request(worker.url, intruder, 'GET', '/v1/customers?email=p%40example.com');
  assert.deepEqual(list.json.data, []);
  const still = await request(worker.url, owner, 'GET', `/v1/customers/${c.id}`);
  assert.equal(still.json.name, 'Private');
});

test('every response carries a Request-Id and is JSON indented with two spaces', async () => {
  const key = newKey();
  for (const res of [
    await request(worker.url, key, 'POST', '/v1/customers', 'name=Pretty'),
    await request(worker.url, key, 'GET', '/v1/customers/cus_nope'),
    await request(worker.url, null, 'GET', '/v1/customers'),
    await request(worker.url, key, 'GET', '/v1/nothing'),
  ]) {
    assert.match(res.headers.get('request-id'), /^req_[0-9A-Za-z]{14,}$/);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal(res.text, JSON.stringify(res.json, null, 2));
  }
});

test('request ids differ from one request to the next', async () => {
  const a = await request(worker.url, null, 'GET', '/v1/customers');
  const b = await request(worker.url, null, 'GET', '/v1/customers');
  assert.notEqual(a.headers.get('request-id'), b.headers.get('request-id'));
});

test('an unknown route is a 404 in the error shape', async () => {
  const key = newKey();
  const res = await request(worker.url, key, 'GET', '/v1/charges');
  assertStripeError(res, 404, { type: 'invalid_request_error' });
  assert.match(res.json.error.message, /^Unrecognized request URL \(GET: \/v1\/charges\)\./);
  const put = await request(worker.url, key, 'PUT', '/v1/customers', 'name=x');
  assert.equal(put.status, 404);
  const slash = await request(worker.url, key, 'GET', '/v1/customers/');
  assert.match(slash.json.error.message, /remove the trailing slash/);
});

test('an unknown parameter is parameter_unknown, in bracket form when nested', async () => {
  const key = newKey();
  const top = await request(worker.url, key, 'POST', '/v1/customers', 'name=x&nickname=y');
  assertStripeError(top, 400, { code: 'parameter_unknown', param: 'nickname', message: 'Received unknown parameter: nickname' });
  const nested = await request(worker.url, key, 'POST', '/v1/customers', 'address[planet]=mars');
  assertStripeError(nested, 400, { code: 'parameter_unknown', param: 'address[planet]' });
  assert.equal(nested.json.error.doc_url, 'https://stripe.com/docs/error-codes/parameter-unknown');
  const list = await request(worker.url, key, 'GET', '/v1/customers?colour=red');
  assertStripeError(list, 400, { param: 'colour' });
  const none = await request(worker.url, key, 'GET', '/v1/customers');
  assert.deepEqual(none.json.data, [], 'no customer was created by the rejected requests');
});

test('an invalid value is a 400 whose param names it in bracket form', async () => {
  const res = await request(worker.url, newKey(), 'POST', '/v1/customers', 'shipping[address][line1]=1+Main');
  assertStripeError(res, 400, { code: 'parameter_missing', param: 'shipping[name]' });
});

test('malformed bodies are 400s and never 500s', async () => {
  const key = newKey();
  const cases = [
    ['name=%zz', 'application/x-www-form-urlencoded', 'bad percent-encoding'],
    ['name=%ff', 'application/x-www-form-urlencoded', 'not UTF-8'],
    ['a[b=1', 'application/x-www-form-urlencoded', 'unbalanced bracket'],
    ['a[b][c][d][e][f][g]=1', 'application/x-www-form-urlencoded', 'too deep'],
    ['metadata[]=x&metadata[0]=y', 'application/x-www-form-urlencoded', 'list and index mixed'],
    ['name=1&name[x]=2', 'application/x-www-form-urlencoded', 'scalar and map mixed'],
    ['{"name":', 'application/json', 'truncated JSON'],
    ['[1,2]', 'application/json', 'JSON that is not an object'],
  ];
  for (const [body, type, why] of cases) {
    const res = await request(worker.url, key, 'POST', '/v1/customers', body, { 'Content-Type': type });
    assert.equal(res.status, 400, why);
    assert.equal(res.json.error.type, 'invalid_request_error', why);
  }
  const list = await request(worker.url, key, 'GET', '/v1/customers');
  assert.deepEqual(list.json.data, []);
});

test('an oversized body is a 413 in the error shape, and the connection stays usable', async () => {
  const key = newKey();
  const body = `description=${'x'.repeat(200 * 1024)}`;
  for (let round = 0; round < 3; round++) {
    const res = await request(worker.url, key, 'POST', '/v1/customers', body);
    assertStripeError(res, 413, { type: 'invalid_request_error' });
    const next = await request(worker.url, key, 'GET', '/v1/customers');
    assert.equal(next.status, 200, `round ${round}: the request after a 413`);
  }
});

test('JSON bodies are accepted like form bodies, null unsetting a field', async () => {
  const key = newKey();
  const json = { 'Content-Type': 'application/json' };
  const created = await request(worker.url, key, 'POST', '/v1/customers', JSON.stringify({
    name: 'Jason', balance: -42, metadata: { k: 'v' }, preferred_locales: ['en'],
    address: { line1: '1 Main', country: 'US' },
  }), json);
  assert.equal(created.status, 200, created.text);
  assert.equal(created.json.balance, -42);
  assert.deepEqual(created.json.metadata, { k: 'v' });
  assert.deepEqual(created.json.preferred_locales, ['en']);
  assert.equal(created.json.address.country, 'US');
  const updated = await request(worker.url, key, 'POST', `/v1/customers/${created.json.id}`, JSON.stringify({ name: null }), json);
  assert.equal(updated.json.name, null);
});

test('query-string parameters are merged with the body on POST', async () => {
  const key = newKey();
  const res = await request(worker.url, key, 'POST', '/v1/customers?email=q%40example.com', 'name=Body');
  assert.equal(res.status, 200);
  assert.equal(res.json.email, 'q@example.com');
  assert.equal(res.json.name, 'Body');
});

test('GET query strings use bracket notation too', async () => {
  const key = newKey();
  const { json: c } = await request(worker.url, key, 'POST', '/v1/customers', 'name=Q');
  const res = await request(worker.url, key, 'GET', `/v1/customers?created%5Bgte%5D=${c.created}&expand%5B%5D=data.tax`);
  assert.equal(res.status, 200);
  assert.equal(res.json.data[0].id, c.id);
  assert.ok(res.json.data[0].tax);
});

test('a malformed customer id is a 404 for that id, not a 500', async () => {
  const key = newKey();
  for (const id of ['nope', 'cus_%0A', 'cus_a-b', `cus_${'a'.repeat(100)}`]) {
    const res = await request(worker.url, key, 'GET', `/v1/customers/${id}`);
    assert.equal(res.status, 404, id);
    assert.equal(res.json.error.code, 'resource_missing', id);
  }
});

test('the Stripe-Version header is echoed back, on a read an object answered and on its error', async () => {
  const version = { 'Stripe-Version': '2026-10-28.endive' };
  const res = await request(worker.url, newKey(), 'GET', '/v1/customers', undefined, version);
  assert.equal(res.headers.get('stripe-version'), '2026-10-28.endive');
  // A retrieve's error is rendered after the object answered (src/edge/mod.rs, edgeForwardError).
  const missing = await request(worker.url, newKey(), 'GET', '/v1/customers/cus_nope', undefined, version);
  assertStripeError(missing, 404, { code: 'resource_missing', message: "No such customer: 'cus_nope'" });
  assert.equal(missing.headers.get('stripe-version'), '2026-10-28.endive');
});

test('the SDK sees livemode false for test keys', async () => {
  const c = await stripeClient(worker.url).customers.create({ name: 'mode' });
  assert.equal(c.livemode, false);
});

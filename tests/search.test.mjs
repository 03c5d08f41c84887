// End to end: GET /v1/customers/search — Stripe's query language over email, name,
// phone, created and metadata, its pages, and malformed queries — through the SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

/** An account with three customers; returns the SDK client and the customers. */
async function seeded() {
  const stripe = stripeClient(worker.url);
  const jane = await stripe.customers.create({ name: 'Jane Doe', email: 'jane@example.com', phone: '+15550001', metadata: { foo: 'bar', tier: 'gold' } });
  const john = await stripe.customers.create({ name: 'John Roe', email: 'john@example.org', metadata: { foo: 'baz' } });
  const ann = await stripe.customers.create({ name: 'Ann Poe', metadata: { tier: 'gold' } });
  return { stripe, jane, john, ann };
}

const ids = (result) => result.data.map((c) => c.id);

test('the seed example finds the customer by name and metadata', async () => {
  const { stripe, jane } = await seeded();
  const result = await stripe.customers.search({ query: "name:'Jane Doe' AND metadata['foo']:'bar'" });
  assert.equal(result.object, 'search_result');
  assert.equal(result.url, '/v1/customers/search');
  assert.equal(result.has_more, false);
  assert.equal(result.next_page, null);
  assert.deepEqual(ids(result), [jane.id]);
});

test('each operator finds what it should', async () => {
  const { stripe, jane, john, ann } = await seeded();
  const cases = [
    ["email:'JANE@example.com'", [jane.id], 'exact string match ignores case'],
    ["email~'example'", [john.id, jane.id], 'substring'],
    ["phone:'+15550001'", [jane.id], 'phone exact'],
    ["metadata['tier']:'gold'", [ann.id, jane.id], 'metadata exact'],
    ["metadata['tier']:'GOLD'", [], 'metadata is case-sensitive'],
    ["-metadata['tier']:'gold'", [john.id], 'negation'],
    ['email:null', [ann.id], 'null matches an absent field'],
    ["-email:null", [john.id, jane.id], 'negated null'],
    ["metadata['foo']:null", [ann.id], 'absent metadata key'],
    ["name:'Jane Doe' OR name:'Ann Poe'", [ann.id, jane.id], 'OR'],
    ["metadata['foo']:'bar' metadata['tier']:'gold'", [jane.id], 'a space means AND'],
    [`created>=${jane.created}`, [ann.id, john.id, jane.id], 'created comparison'],
    [`created<${jane.created}`, [], 'created before the first'],
  ];
  for (const [query, expected, why] of cases) {
    assert.deepEqual(ids(await stripe.customers.search({ query })), expected, `${why}: ${query}`);
  }
});

test('search leaves out deleted customers and other accounts', async () => {
  const { stripe, jane } = await seeded();
  await stripe.customers.del(jane.id);
  assert.deepEqual(ids(await stripe.customers.search({ query: "metadata['foo']:'bar'" })), []);
  const stranger = stripeClient(worker.url);
  assert.deepEqual(ids(await stranger.customers.search({ query: "metadata['tier']:'gold'" })), []);
});

test('search sees an update at once', async () => {
  const { stripe, john } = await seeded();
  await stripe.customers.update(john.id, { metadata: { foo: 'qux' } });
  assert.deepEqual(ids(await stripe.customers.search({ query: "metadata['foo']:'qux'" })), [john.id]);
  assert.deepEqual(ids(await stripe.customers.search({ query: "metadata['foo']:'baz'" })), []);
});

test('pages follow next_page and the SDK auto-paginates a search', async () => {
  const stripe = stripeClient(worker.url);
  const created = [];
  for (let i = 0; i < 7; i++) created.push((await stripe.customers.create({ metadata: { batch: 'b1' } })).id);
  const first = await stripe.customers.search({ query: "metadata['batch']:'b1'", limit: 3 });
  assert.equal(first.has_more, true);
  assert.match(first.next_page, /^page_/);
  const second = await stripe.customers.search({ query: "metadata['batch']:'b1'", limit: 3, page: first.next_page });
  assert.deepEqual(ids(second), created.slice().reverse().slice(3, 6));
  const all = [];
  for await (const c of stripe.customers.search({ query: "metadata['batch']:'b1'", limit: 2 })) all.push(c.id);
  assert.deepEqual(all, created.slice().reverse());
});

test('a malformed query is a 400 naming query', async () => {
  const key = newKey();
  for (const query of ['', 'name', "name:'unterminated", "colour:'red'", "name~'ab'", "name:'a' AND email:'b' OR phone:'c'", 'name:bare']) {
    const res = await request(worker.url, key, 'GET', `/v1/customers/search?query=${encodeURIComponent(query)}`);
    assert.equal(res.status, 400, query);
    assert.equal(res.json.error.param, 'query', query);
  }
  const missing = await request(worker.url, key, 'GET', '/v1/customers/search');
  assert.equal(missing.status, 400);
  assert.equal(missing.json.error.code, 'parameter_missing');
  const badPage = await request(worker.url, key, 'GET', `/v1/customers/search?query=${encodeURIComponent("name:'x'")}&page=nonsense`);
  assert.equal(badPage.json.error.param, 'page');
});

test('search takes limit and expand like list', async () => {
  const { stripe } = await seeded();
  const result = await stripe.customers.search({ query: "metadata['tier']:'gold'", limit: 1, expand: ['data.tax'] });
  assert.equal(result.data.length, 1);
  assert.equal(result.has_more, true);
  assert.equal(result.data[0].tax.automatic_tax, 'unrecognized_location');
  const res = await request(worker.url, newKey(), 'GET', `/v1/customers/search?query=${encodeURIComponent("name:'x'")}&limit=101`);
  assert.equal(res.json.error.param, 'limit');
});

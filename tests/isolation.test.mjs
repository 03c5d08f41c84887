// End to end: path tricks and other accounts' ids never reveal or change data. Account
// A holds one of each object (customer, tax id, payment method, source, coupon,
// promotion code, test clock, product, price, webhook endpoint, event); account B
// tries every route on A's ids, and both try `..`, encoded slashes, NUL bytes and the
// like in paths. Every answer is a 4xx that names nothing of A's, and A's data is
// byte for byte what it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, newKey } from './support/worker.mjs';
import { fillAccount, snapshot, rawRequest } from './support/accounts.mjs';

let worker;
let a;
let b;
let idsA;
let idsB;
before(async () => {
  worker = await startWorker();
  [a, b] = [newKey(), newKey()];
  [idsA, idsB] = await Promise.all([fillAccount(worker.url, a), fillAccount(worker.url, b)]);
});
after(() => worker.close());

/** Every route, on the ids given. */
function routes(ids) {
  return [
    ['GET', `/v1/customers/${ids.customer}`],
    ['POST', `/v1/customers/${ids.customer}`, 'name=Stolen'],
    ['DELETE', `/v1/customers/${ids.customer}`],
    ['POST', `/v1/customers/${ids.gone}/undelete`],
    ['GET', `/v1/customers/${ids.gone}?include_deleted=true`],
    ['GET', `/v1/customers/${ids.customer}/tax_ids`],
    ['POST', `/v1/customers/${ids.customer}/tax_ids`, 'type=eu_vat&value=DE999999999'],
    ['GET', `/v1/customers/${ids.customer}/tax_ids/${ids.taxId}`],
    ['DELETE', `/v1/customers/${ids.customer}/tax_ids/${ids.taxId}`],
    ['GET', `/v1/customers/${ids.customer}/subscriptions`],
    ['GET', `/v1/customers/${ids.customer}/invoices`],
    ['GET', `/v1/customers/${ids.customer}/upcoming-invoice`],
    ['GET', `/v1/invoices/upcoming?customer=${ids.customer}`],
    ['GET', `/v1/customers?starting_after=${ids.customer}`],
    ['GET', `/v1/events/${ids.event}`],
    ['GET', `/v1/events?starting_after=${ids.event}`],
    ['GET', `/v1/webhook_endpoints/${ids.endpoint}`],
    ['POST', `/v1/webhook_endpoints/${ids.endpoint}`, 'disabled=true'],
    ['DELETE', `/v1/webhook_endpoints/${ids.endpoint}`],
    ['GET', `/v1/webhook_endpoints?starting_after=${ids.endpoint}`],
    ['GET', `/v1/webhook_endpoints/${ids.endpoint}/delivery_attempts`],
    ['POST', `/v1/webhook_endpoints/${ids.endpoint}/resend`, `event=${ids.event}`],
    ['GET', `/v1/payment_methods/${ids.pm}`],
    ['POST', `/v1/payment_methods/${ids.pm}`, 'metadata[x]=1'],
    ['POST', `/v1/payment_methods/${ids.pm}/detach`],
    ['GET', `/v1/customers/${ids.customer}/payment_methods/${ids.pm}`],
    ['GET', `/v1/customers/${ids.customer}/sources/${ids.source}`],
    ['DELETE', `/v1/customers/${ids.customer}/sources/${ids.source}`],
    ['GET', `/v1/coupons/${ids.coupon}`],
    ['POST', `/v1/coupons/${ids.coupon}`, 'name=Stolen'],
    ['DELETE', `/v1/coupons/${ids.coupon}`],
    ['GET', `/v1/promotion_codes/${ids.promo}`],
    ['POST', `/v1/promotion_codes/${ids.promo}`, 'active=false'],
    ['GET', `/v1/test_helpers/test_clocks/${ids.clock}`],
    ['DELETE', `/v1/test_helpers/test_clocks/${ids.clock}`],
    ['POST', `/v1/test_helpers/test_clocks/${ids.clock}/advance`, `frozen_time=${Math.floor(Date.now() / 1000) + 3600}`],
    ['GET', `/v1/products/${ids.product}`],
    ['POST', `/v1/products/${ids.product}`, 'name=Stolen'],
    ['DELETE', `/v1/products/${ids.product}`],
    ['GET', `/v1/products?starting_after=${ids.product}`],
    ['GET', `/v1/prices/${ids.price}`],
    ['POST', `/v1/prices/${ids.price}`, 'active=false'],
    ['GET', `/v1/prices?starting_after=${ids.price}`],
    ['POST', '/v1/prices', `product=${ids.product}&currency=usd&unit_amount=100`],
    ['POST', '/v1/prices', `product=${ids.product}&currency=usd&unit_amount=100&lookup_key=gold_monthly&transfer_lookup_key=true`],
    ['GET', `/v1/subscriptions/${ids.sub}`],
    ['POST', `/v1/subscriptions/${ids.sub}`, 'metadata[x]=1'],
    ['DELETE', `/v1/subscriptions/${ids.sub}`],
    ['GET', `/v1/subscriptions?starting_after=${ids.sub}`],
    ['GET', `/v1/subscriptions?customer=${ids.customer}`],
    ['POST', '/v1/subscriptions', `customer=${ids.customer}&items[0][price]=${ids.price}`],
    ['GET', `/v1/invoices/${ids.invoice}`],
    ['GET', `/v1/invoices?starting_after=${ids.invoice}`],
    ['POST', `/v1/invoices/${ids.invoice}/pay`],
    ['POST', `/v1/invoices/${ids.invoice}/void`],
    ['POST', `/v1/invoices/${ids.invoice}/finalize`],
    ['POST', `/v1/invoices/${ids.invoice}/mark_uncollectible`],
    ['GET', `/v1/invoices/upcoming?customer=${ids.customer}`],
    ['GET', `/v1/customers/${ids.customer}/subscriptions`],
    ['GET', `/v1/customers/${ids.customer}/invoices`],
  ];
}

async function send(key, method, path, body) {
  const headers = { Authorization: `Bearer ${key}` };
  if (body !== undefined) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return rawRequest(worker.url, { method, path, headers, body });
}

/** Whether a response text names anything of account A. */
const revealsA = (text) => Object.values(idsA).some((id) => text.includes(id));

/** B's own pages must not list any of A's objects either. */
const LISTS = ['/v1/customers?limit=100', '/v1/events?limit=100', '/v1/webhook_endpoints', '/v1/coupons', '/v1/promotion_codes', '/v1/test_helpers/test_clocks',
  '/v1/products', '/v1/prices', '/v1/prices?lookup_keys[]=gold_monthly', '/v1/subscriptions?status=all', '/v1/invoices'];

test("another account's customer, tax id, payment method, source, coupon, promotion code, test clock, product, price, subscription, invoice, endpoint and event ids are 4xx that reveal and change nothing", async () => {
  const before = await snapshot(worker.url, a, idsA);
  for (const [method, path, body] of routes(idsA)) {
    const res = await send(b, method, path, body);
    assert.ok(res.status === 404 || res.status === 400, `${method} ${path} → ${res.status} ${res.text}`);
    assert.equal(JSON.parse(res.text).error.type, 'invalid_request_error');
    // The error may echo the id the caller sent, and nothing else of A's.
    let echoed = res.text;
    for (const id of Object.values(idsA)) if (path.includes(id) || body?.includes(id)) echoed = echoed.replaceAll(id, '');
    assert.ok(!revealsA(echoed), `${method} ${path} revealed: ${res.text}`);
  }
  assert.equal(await snapshot(worker.url, a, idsA), before);
  for (const path of LISTS) {
    const res = await send(b, 'GET', path);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.ok(!revealsA(res.text), `${path} of B lists A's objects: ${res.text}`);
  }
});

test('path tricks never reach another object or another account', async () => {
  const beforeA = await snapshot(worker.url, a, idsA);
  const beforeB = await snapshot(worker.url, b, idsB);
  const c = idsA.customer;
  const tricks = [
    `/v1/customers/..`,
    `/v1/customers/../customers/${c}`,
    `/v1/customers/${idsB.customer}/../${c}`,
    `/v1/customers/%2e%2e/${c}`,
    `/v1/customers/${c}%2F..%2F${idsB.customer}`,
    `/v1/customers/${c}%2Ftax_ids`,
    `/v1/customers/${idsB.customer}%2F..%2F..%2F${c}`,
    `/v1/customers/${c}%00`,
    `/v1/customers/${c}%20`,
    `/v1/customers/${c.toUpperCase()}`,
    `/v1/customers/${c}/tax_ids/..%2F..%2F${idsB.customer}`,
    `/v1/customers/${idsB.customer}/tax_ids/${idsA.taxId}`,
    `/v1/customers//${c}`,
    `//v1/customers/${c}`,
    `/v1/./customers/${c}`,
    `/v1/customers/${c}/`,
    `/v1/customers/${c}?id=${idsB.customer}`,
    `/v1/events/${idsA.event}%2F..`,
    `/v1/webhook_endpoints/${idsA.endpoint}%2F`,
    `/v1/webhook_endpoints/..%2F${idsA.endpoint}`,
    `/v1/customers/${encodeURIComponent(`${c}/../${idsB.customer}`)}`,
    `/v1/customers/%E2%80%AE${c}`,
  ];
  let tried = 0;
  const statuses = {};
  for (const path of tricks) {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const res = await send(b, method, path, method === 'POST' ? 'name=Tricked' : undefined);
      tried++;
      statuses[`${method} ${res.status}`] = (statuses[`${method} ${res.status}`] ?? 0) + 1;
      assert.ok(res.status < 500, `${method} ${path} → ${res.status} ${res.text}`);
      // No trick resolves to any object: the path is taken literally, segment by segment.
      assert.ok(res.status === 404 || res.status === 400, `${method} ${path} → ${res.status} ${res.text}`);
      assert.equal(JSON.parse(res.text).error.type, 'invalid_request_error', `${method} ${path}: ${res.text}`);
    }
  }
  assert.equal(tried, tricks.length * 3);
  console.log(`# path tricks: ${JSON.stringify(statuses)}`);
  assert.equal(await snapshot(worker.url, a, idsA), beforeA, "A's data changed");
  assert.equal(await snapshot(worker.url, b, idsB), beforeB, "B's data changed");
});

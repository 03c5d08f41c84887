// Test support for the reliability suites: an account filled with one of each object
// (customers with a tax id, a payment method and a card source, a deleted one, a coupon
// and a promotion code, a test clock, a product and its price, a subscription and its
// invoice, a webhook endpoint, events), a byte-for-byte
// snapshot of everything the account's API shows, raw HTTP that sends a path exactly as
// written (fetch would normalise `..`), and a seeded PRNG so generated inputs reproduce.
import http from 'node:http';
import { request } from './worker.mjs';

/** Fills a fresh account: returns the ids of what it made. */
export async function fillAccount(url, key) {
  const post = async (path, body) => {
    const r = await request(url, key, 'POST', path, body);
    if (r.status !== 200) throw new Error(`${path}: ${r.text}`);
    return r.json;
  };
  const customer = await post('/v1/customers', 'name=Ada&email=ada%40example.com&metadata[tier]=gold&address[city]=Paris');
  const other = await post('/v1/customers', 'name=Bob&phone=%2B15555550100');
  const gone = await post('/v1/customers', 'name=Gone');
  await request(url, key, 'DELETE', `/v1/customers/${gone.id}`);
  const taxId = await post(`/v1/customers/${customer.id}/tax_ids`, 'type=eu_vat&value=DE123456789');
  const endpoint = await post('/v1/webhook_endpoints', 'url=https%3A%2F%2Fhooks.example.com%2Fa&enabled_events[]=customer.created');
  // Coupon ids are the caller's: one of its own per account.
  const coupon = await post('/v1/coupons', `id=C${key.slice(-10)}&percent_off=10&duration=once`);
  const promo = await post('/v1/promotion_codes', `coupon=${coupon.id}&code=P${key.slice(-10)}`);
  const pm = await post('/v1/payment_methods', 'type=card&card[token]=tok_visa');
  await post(`/v1/payment_methods/${pm.id}/attach`, `customer=${customer.id}`);
  const source = await post(`/v1/customers/${customer.id}/sources`, 'source=tok_amex');
  const clock = await post('/v1/test_helpers/test_clocks', `frozen_time=${Math.floor(Date.now() / 1000)}`);
  const product = await post('/v1/products', 'name=Gold&metadata[tier]=gold');
  const price = await post('/v1/prices', `product=${product.id}&currency=usd&unit_amount=1500&recurring[interval]=month&lookup_key=gold_monthly`);
  // A subscription paid by the attached card, with its first invoice.
  const sub = await post('/v1/subscriptions', `customer=${customer.id}&items[0][price]=${price.id}&default_payment_method=${pm.id}`);
  const events = (await request(url, key, 'GET', '/v1/events?limit=100')).json.data;
  return {
    sub: sub.id, invoice: sub.latest_invoice,
    customer: customer.id, other: other.id, gone: gone.id, taxId: taxId.id, endpoint: endpoint.id, event: events[0].id,
    coupon: coupon.id, promo: promo.id, pm: pm.id, source: source.id, clock: clock.id, product: product.id, price: price.id,
  };
}

/** Everything the account shows, as one string: lists, each object, each sub-list. */
export async function snapshot(url, key, ids) {
  const paths = [
    '/v1/customers?limit=100',
    `/v1/customers/search?query=${encodeURIComponent("name~'o'")}`,
    '/v1/events?limit=100',
    '/v1/webhook_endpoints?limit=100',
    `/v1/customers/${ids.customer}`,
    `/v1/customers/${ids.other}`,
    `/v1/customers/${ids.gone}?include_deleted=true`,
    `/v1/customers/${ids.customer}/tax_ids`,
    `/v1/customers/${ids.customer}/tax_ids/${ids.taxId}`,
    `/v1/webhook_endpoints/${ids.endpoint}`,
    `/v1/events/${ids.event}`,
    `/v1/webhook_endpoints/${ids.endpoint}/delivery_attempts`,
    '/v1/coupons?limit=100',
    `/v1/coupons/${ids.coupon}`,
    '/v1/promotion_codes?limit=100',
    `/v1/promotion_codes/${ids.promo}`,
    `/v1/payment_methods/${ids.pm}`,
    `/v1/customers/${ids.customer}/payment_methods?type=card`,
    `/v1/customers/${ids.customer}/payment_methods/${ids.pm}`,
    `/v1/customers/${ids.customer}/sources`,
    `/v1/customers/${ids.customer}/sources/${ids.source}`,
    `/v1/customers/${ids.customer}/discount`,
    '/v1/test_helpers/test_clocks?limit=100',
    `/v1/test_helpers/test_clocks/${ids.clock}`,
    '/v1/products?limit=100',
    `/v1/products/${ids.product}?expand[]=default_price`,
    '/v1/prices?limit=100&expand[]=data.product',
    `/v1/prices/${ids.price}?expand[]=product`,
    '/v1/subscriptions?status=all&limit=100',
    `/v1/subscriptions/${ids.sub}?expand[]=latest_invoice&expand[]=customer`,
    '/v1/invoices?limit=100',
    `/v1/invoices/${ids.invoice}`,
    `/v1/customers/${ids.customer}/subscriptions`,
    `/v1/customers/${ids.customer}/invoices`,
  ];
  const parts = [];
  for (const path of paths) {
    const r = await request(url, key, 'GET', path);
    // `pending_webhooks` counts deliveries still owed: it moves without any request.
    parts.push(`${path} ${r.status} ${r.text.replace(/"pending_webhooks": \d+/g, '')}`);
  }
  return parts.join('\n');
}

/** Sends one request with the path and headers exactly as given; answers status, headers, text. */
export function rawRequest(url, { method = 'GET', path, headers = {}, body } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** mulberry32: a small seeded PRNG; `next()` in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

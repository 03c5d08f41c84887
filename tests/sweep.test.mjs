// End to end: a sweep of generated malformed requests over every route — random bytes,
// truncated percent escapes, huge numbers, deep nesting, wrong types, invalid UTF-8,
// NUL bytes, header injection in metadata, wrong content types, oversize bodies. Every
// answer is a well-formed Stripe error (or a correct success for a read), never a 5xx,
// and the account's data is byte for byte what it was. The generator is seeded:
// SWEEP_SEED=<n> reproduces a run (the seed is printed), SWEEP_COUNT sets the size.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, newKey, checkBody } from './support/worker.mjs';
import { fillAccount, snapshot, rawRequest, prng } from './support/accounts.mjs';

const SEED = Number(process.env.SWEEP_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COUNT = Number(process.env.SWEEP_COUNT ?? 800);

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const ROUTES = [
  ['POST', '/v1/customers'],
  ['GET', '/v1/customers'],
  ['GET', '/v1/customers/search'],
  ['GET', '/v1/customers/{c}'],
  ['POST', '/v1/customers/{c}'],
  ['PATCH', '/v1/customers/{c}'],
  ['DELETE', '/v1/customers/{c}'],
  ['POST', '/v1/customers/{gone}/undelete'],
  ['POST', '/v1/customers/{c}/tax_ids'],
  ['GET', '/v1/customers/{c}/tax_ids'],
  ['GET', '/v1/customers/{c}/tax_ids/{txi}'],
  ['DELETE', '/v1/customers/{c}/tax_ids/{txi}'],
  ['GET', '/v1/customers/{c}/subscriptions'],
  ['GET', '/v1/customers/{c}/invoices'],
  ['GET', '/v1/customers/{c}/upcoming-invoice'],
  ['GET', '/v1/invoices/upcoming'],
  ['GET', '/v1/events'],
  ['GET', '/v1/events/{evt}'],
  ['POST', '/v1/webhook_endpoints'],
  ['GET', '/v1/webhook_endpoints'],
  ['GET', '/v1/webhook_endpoints/{we}'],
  ['POST', '/v1/webhook_endpoints/{we}'],
  ['DELETE', '/v1/webhook_endpoints/{we}'],
  ['GET', '/v1/webhook_endpoints/{we}/delivery_attempts'],
  ['POST', '/v1/webhook_endpoints/{we}/resend'],
  ['GET', '/v1/customers/{c}/discount'],
  ['DELETE', '/v1/customers/{c}/discount'],
  ['POST', '/v1/customers/{c}/discounts'],
  ['GET', '/v1/customers/{c}/sources'],
  ['POST', '/v1/customers/{c}/sources'],
  ['GET', '/v1/customers/{c}/sources/{src}'],
  ['POST', '/v1/customers/{c}/sources/{src}'],
  ['DELETE', '/v1/customers/{c}/sources/{src}'],
  ['GET', '/v1/customers/{c}/payment_methods'],
  ['POST', '/v1/customers/{c}/payment_methods'],
  ['GET', '/v1/customers/{c}/payment_methods/{pm}'],
  ['POST', '/v1/coupons'],
  ['GET', '/v1/coupons'],
  ['GET', '/v1/coupons/{coupon}'],
  ['POST', '/v1/coupons/{coupon}'],
  ['DELETE', '/v1/coupons/{coupon}'],
  ['POST', '/v1/promotion_codes'],
  ['GET', '/v1/promotion_codes'],
  ['GET', '/v1/promotion_codes/{promo}'],
  ['POST', '/v1/promotion_codes/{promo}'],
  ['POST', '/v1/payment_methods'],
  ['GET', '/v1/payment_methods'],
  ['GET', '/v1/payment_methods/{pm}'],
  ['POST', '/v1/payment_methods/{pm}'],
  ['POST', '/v1/payment_methods/{pm}/attach'],
  ['POST', '/v1/payment_methods/{pm}/detach'],
  ['POST', '/v1/test_helpers/test_clocks'],
  ['GET', '/v1/test_helpers/test_clocks'],
  ['GET', '/v1/test_helpers/test_clocks/{clock}'],
  ['DELETE', '/v1/test_helpers/test_clocks/{clock}'],
  ['POST', '/v1/test_helpers/test_clocks/{clock}/advance'],
  ['POST', '/v1/products'],
  ['GET', '/v1/products'],
  ['GET', '/v1/products/{product}'],
  ['POST', '/v1/products/{product}'],
  ['DELETE', '/v1/products/{product}'],
  ['POST', '/v1/prices'],
  ['GET', '/v1/prices'],
  ['GET', '/v1/prices/{price}'],
  ['POST', '/v1/prices/{price}'],
  ['POST', '/v1/subscriptions'],
  ['GET', '/v1/subscriptions'],
  ['GET', '/v1/subscriptions/{sub}'],
  ['POST', '/v1/subscriptions/{sub}'],
  ['DELETE', '/v1/subscriptions/{sub}'],
  ['GET', '/v1/invoices'],
  ['GET', '/v1/invoices/{in}'],
  ['POST', '/v1/invoices/{in}/finalize'],
  ['POST', '/v1/invoices/{in}/pay'],
  ['POST', '/v1/invoices/{in}/void'],
  ['POST', '/v1/invoices/{in}/mark_uncollectible'],
];

const PARAMS = ['name', 'email', 'metadata', 'address', 'shipping', 'limit', 'starting_after', 'created', 'query', 'expand',
  'type', 'value', 'url', 'enabled_events', 'description', 'include_deleted', 'tax_exempt', 'preferred_locales', 'balance',
  'percent_off', 'amount_off', 'currency', 'duration', 'coupon', 'code', 'customer', 'card', 'source', 'frozen_time', 'event', 'promotion_code',
  'product', 'product_data', 'unit_amount', 'unit_amount_decimal', 'recurring', 'lookup_key', 'active', 'default_price_data', 'images', 'features',
  'items', 'trial_end', 'trial_period_days', 'payment_behavior', 'collection_method', 'days_until_due', 'cancel_at_period_end',
  'default_payment_method', 'payment_method', 'paid_out_of_band', 'status', 'subscription', 'price'];

/** The malformations, each a function of the PRNG that returns `{ body, contentType, query }`. */
function malformations(r) {
  const p = () => r.pick(PARAMS);
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => r.int(256)));
  return [
    ['random bytes', () => ({ body: bytes(1 + r.int(200)) })],
    ['truncated percent escape', () => ({ body: `${p()}=abc${r.pick(['%', '%2', '%e2%82', '%zz', '%%'])}` })],
    ['truncated escape in a name', () => ({ query: `${p()}${r.pick(['%', '%5', '%5B'])}=1` })],
    ['huge number', () => ({ query: `${r.pick(['limit', 'created', 'created[gt]', 'balance'])}=${r.pick(['9'.repeat(40), '-9'.repeat(20), '1e308', 'NaN', '0x10', '+1'])}` })],
    ['deep nesting', () => ({ body: `${p()}${'[a]'.repeat(5 + r.int(60))}=x` })],
    ['deep JSON', () => ({ contentType: 'application/json', body: `${'{"metadata":'.repeat(10 + r.int(300))}1${'}'.repeat(10 + r.int(300))}` })],
    ['wrong type: map for a string', () => ({ body: `${r.pick(['name', 'email', 'description', 'url', 'query'])}[x]=1` })],
    ['wrong type: string for a map', () => ({ body: `${r.pick(['metadata', 'address', 'shipping', 'invoice_settings', 'tax'])}=${r.pick(['x', '1', 'true'])}` })],
    ['wrong type: list for a scalar', () => ({ body: `${p()}[]=1&${p()}[]=2` })],
    ['wrong JSON types', () => ({ contentType: 'application/json', body: JSON.stringify({ [p()]: r.pick([1, true, null, [1, 2], { a: { b: 1 } }, 1.5, -0, 1e300]) }) })],
    ['invalid UTF-8', () => ({ body: Buffer.concat([Buffer.from(`${p()}=`), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80])]) })],
    ['NUL bytes', () => ({ body: `${p()}=a%00b&metadata[k%00]=v` })],
    ['raw NUL byte', () => ({ body: Buffer.from(`name=a\u0000b`) })],
    ['header injection in metadata', () => ({ body: `metadata[x]=a%0D%0AX-Injected:%201&metadata[y%0D%0AX-Injected: 2]=b` })],
    ['wrong content type', () => ({ contentType: r.pick(['text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/json']), body: 'name=Wrong' })],
    ['JSON that is not an object', () => ({ contentType: 'application/json', body: r.pick(['[]', '1', '"x"', 'null', '{', '{"a":}', '\u00ef\u00bb\u00bf{}']) })],
    ['oversize body', () => ({ body: `description=${'x'.repeat(130 * 1024 + r.int(1000))}` })],
    ['too many parameters', () => ({ body: Array.from({ length: 1001 + r.int(50) }, (_, i) => `metadata[k${i}]=v`).join('&') })],
    ['unknown and empty names', () => ({ body: r.pick(['=1', '[]=1', '&&&', '[a]=1', 'a]=1', 'a[=1', 'a[b]c=1']) })],
    ['unicode trickery', () => ({ body: `${p()}=${encodeURIComponent(r.pick(['\u202e', '\ufeff', '\ud83d\ude00'.repeat(3000), 'é'.repeat(6000)]))}` })],
  ];
}

/** A body as query-string text: bytes a request line cannot carry become %XX. */
function toQuery(body) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  let out = '';
  for (const b of bytes) out += b > 0x20 && b < 0x7f && b !== 0x23 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`;
  return out;
}

test(`${COUNT} generated malformed requests over every route: never a 5xx, always Stripe's error shape, data unchanged`, { timeout: 300_000 }, async () => {
  console.log(`# sweep seed ${SEED} (SWEEP_SEED=${SEED} reproduces it), ${COUNT} requests`);
  const key = newKey();
  const ids = await fillAccount(worker.url, key);
  const before = await snapshot(worker.url, key, ids);
  const r = prng(SEED);
  const kinds = malformations(r);
  const seen = {};
  const statuses = {};
  const requests = Array.from({ length: COUNT }, (_, i) => {
    const [method, template] = ROUTES[i % ROUTES.length];
    const [kind, make] = r.pick(kinds);
    const { body, contentType = 'application/x-www-form-urlencoded', query } = make();
    const path = template
      .replace('{c}', ids.customer).replace('{gone}', ids.gone).replace('{txi}', ids.taxId)
      .replace('{we}', ids.endpoint).replace('{evt}', ids.event).replace('{src}', ids.source)
      .replace('{pm}', ids.pm).replace('{coupon}', ids.coupon).replace('{promo}', ids.promo).replace('{clock}', ids.clock)
      .replace('{product}', ids.product).replace('{price}', ids.price)
      .replace('{sub}', ids.sub).replace('{in}', ids.invoice);
    // Every write also carries an unknown parameter, so that none can succeed: the
    // sweep checks what malformed input does, and that nothing of it is stored.
    // A GET takes no body: its malformed input goes in the query string instead, with
    // what a request line cannot carry percent-encoded (so invalid UTF-8 and NUL bytes
    // still reach the decoder), cut to 4 KiB.
    const asQuery = method === 'GET' && body !== undefined ? toQuery(body).slice(0, 4096) : null;
    const q = [query, asQuery, method === 'GET' ? null : 'zz_sweep_poison=1'].filter(Boolean).join('&');
    return { method, path: q ? `${path}?${q}` : path, kind, body: method === 'GET' ? undefined : body, contentType };
  });
  const failures = [];
  let next = 0;
  async function lane() {
    while (next < requests.length) {
      const req = requests[next++];
      seen[req.kind] = (seen[req.kind] ?? 0) + 1;
      const headers = { Authorization: `Bearer ${key}`, 'Content-Type': req.contentType };
      if (req.body !== undefined) headers['Content-Length'] = Buffer.byteLength(req.body);
      let res;
      try {
        res = await rawRequest(worker.url, { method: req.method, path: req.path, headers, body: req.body });
      } catch (err) {
        failures.push(`${req.method} ${req.path} [${req.kind}]: connection error ${err.message}`);
        continue;
      }
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      const where = `${req.method} ${req.path.slice(0, 80)} [${req.kind}] → ${res.status}`;
      let json;
      try {
        json = JSON.parse(res.text);
      } catch {
        failures.push(`${where}: not JSON: ${res.text.slice(0, 80)}`);
        continue;
      }
      if (res.status >= 500) failures.push(`${where}: ${res.text.slice(0, 200)}`);
      if (!res.headers['request-id']?.startsWith('req_')) failures.push(`${where}: no Request-Id`);
      if (Object.keys(res.headers).some((h) => h.startsWith('x-injected'))) failures.push(`${where}: a header was injected`);
      if (res.status >= 400) {
        const e = json.error;
        if (!e || !['invalid_request_error', 'idempotency_error', 'card_error'].includes(e.type) || typeof e.message !== 'string') {
          failures.push(`${where}: not a Stripe error: ${res.text.slice(0, 200)}`);
        }
      } else if (req.method !== 'GET') {
        failures.push(`${where}: a poisoned write succeeded: ${res.text.slice(0, 200)}`);
      }
      checkBody(where, new Headers({ 'content-type': res.headers['content-type'] ?? '' }), res.text);
    }
  }
  await Promise.all(Array.from({ length: 6 }, lane));
  console.log(`# sweep statuses ${JSON.stringify(statuses)}; kinds ${JSON.stringify(seen)}`);
  assert.deepEqual(failures, [], `seed ${SEED}`);
  assert.equal(await snapshot(worker.url, key, ids), before, `seed ${SEED}: the account's data changed`);
});

// End to end: every create and update parameter of seeds 000–003, through the official
// SDK (raw HTTP where the wire form itself is the point: `shipping=`, `address[planet]=x`).
// A valid value round-trips through create, retrieve and update; each constraint gets a
// 400 naming its `param`; a rejected create creates nothing and a rejected update leaves
// the stored customer byte-for-byte unchanged. Then expand[] on all four read paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const ADDRESS_PARTS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'];
const EXPANDABLE = [
  'tax', 'tax_ids', 'sources', 'subscriptions', 'cash_balance', 'invoice_credit_balance', 'default_source', 'test_clock',
];
// Left out of a response unless expanded; default_source and test_clock stay (null) ids.
const OMITTED_UNLESS_EXPANDED = ['tax', 'tax_ids', 'sources', 'subscriptions', 'cash_balance', 'invoice_credit_balance'];
const EXPAND_ALL_QUERY = EXPANDABLE.map((f) => `expand[]=${f}`).join('&');

const strip = ({ lastResponse, ...rest }) => rest;
const text = (n, ch = 'x') => ch.repeat(n);
const nullAddress = () => Object.fromEntries(ADDRESS_PARTS.map((p) => [p, null]));

const ADDRESS = {
  city: 'San Francisco', country: 'US', line1: '510 Townsend St', line2: 'Floor 2', postal_code: '94103', state: 'CA',
};

// A customer with every settable field set, so that a rejected update has something to spoil.
const RICH = {
  name: 'Jenny Rosen',
  email: 'jenny.rosen@example.com',
  description: 'A customer with every field set',
  phone: '+1 415 555 0100',
  balance: -1234,
  address: ADDRESS,
  shipping: { name: 'Jenny Rosen', phone: '+14155550101', address: { ...ADDRESS, line1: '1 Dock Rd' } },
  tax: { ip_address: '203.0.113.7', validate_location: 'deferred' },
  invoice_settings: {
    custom_fields: [{ name: 'PO', value: '42' }],
    footer: 'Thanks!',
    rendering_options: { amount_tax_display: 'include_inclusive_tax', template: 'inrtem_123' },
  },
  cash_balance: { settings: { reconciliation_mode: 'manual' } },
  next_invoice_sequence: 7,
  invoice_prefix: 'JENNY1',
  preferred_locales: ['en', 'fr'],
  tax_exempt: 'reverse',
  metadata: { order_id: '6735', tier: 'gold' },
  tax_id_data: [{ type: 'eu_vat', value: 'DE123456789' }],
};

/** The raw bytes of GET, plain and with everything expanded (which shows the private state too). */
async function snapshot(key, id) {
  const plain = await request(worker.url, key, 'GET', `/v1/customers/${id}`);
  const expanded = await request(worker.url, key, 'GET', `/v1/customers/${id}?${EXPAND_ALL_QUERY}`);
  assert.equal(plain.status, 200, plain.text);
  assert.equal(expanded.status, 200, expanded.text);
  return { plain: plain.text, expanded: expanded.text };
}

/** Sends `body` to create (id null) or update: an SDK params object, or a raw form string. */
async function attempt(key, call, id, body) {
  if (typeof body === 'string') {
    const path = call === 'create' ? '/v1/customers' : `/v1/customers/${id}`;
    const res = await request(worker.url, key, 'POST', path, body);
    return { status: res.status, sdkType: null, error: res.json?.error, raw: res.text };
  }
  const stripe = stripeClient(worker.url, key);
  try {
    const result = call === 'create' ? await stripe.customers.create(body) : await stripe.customers.update(id, body);
    return { status: 200, raw: JSON.stringify(strip(result)) };
  } catch (err) {
    return {
      status: err.statusCode,
      sdkType: err.type,
      error: { type: err.rawType, code: err.code, param: err.param, message: err.message },
      raw: err.message,
    };
  }
}

/** Asserts that `got` is the 400 `row` describes: status, SDK error class, type, param, code, message. */
function assertRejected(got, row, call) {
  const ctx = `${call} with ${row.why}`;
  assert.equal(got.status, row.status ?? 400, `${ctx}: expected ${row.status ?? 400}, got ${got.status}: ${got.raw}`);
  if (got.sdkType !== null) assert.equal(got.sdkType, 'StripeInvalidRequestError', ctx);
  assert.equal(got.error.type, 'invalid_request_error', ctx);
  if ('param' in row) {
    if (row.param instanceof RegExp) assert.match(String(got.error.param), row.param, `${ctx}: param`);
    else assert.equal(got.error.param, row.param, `${ctx}: param`);
  }
  if (row.code) assert.equal(got.error.code, row.code, `${ctx}: code`);
  if (row.message instanceof RegExp) assert.match(got.error.message, row.message, `${ctx}: message`);
  else if (row.message) assert.equal(got.error.message, row.message, `${ctx}: message`);
}

const customFields = (n) => Array.from({ length: n }, (_, i) => ({ name: `F${i}`, value: `v${i}` }));
const manyKeys = (n, prefix) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, 'v']));

// Each row: what is wrong, the body (SDK params, or a raw form string), the expected param
// (omitted: not asserted), code and message where Stripe sets them, and the calls that take it.
const REJECTIONS = [
  // email: at most 512 characters, syntax-checked
  { why: 'an email of 513 characters', body: { email: `${text(501, 'a')}@example.com` }, param: 'email', message: /must be at most 512 characters/ },
  { why: 'an email without an at sign', body: { email: 'not-an-email' }, param: 'email', code: 'email_invalid', message: 'Invalid email address: not-an-email' },
  { why: 'an email whose domain has no dot', body: { email: 'otameshi@com' }, param: 'email', code: 'email_invalid', message: 'Invalid email address: otameshi@com' },
  { why: 'an email with a leading space', body: { email: ' k.shimizu@example.com' }, param: 'email', code: 'email_invalid' },
  { why: 'an email with two at signs', body: { email: 'a@b@example.com' }, param: 'email', code: 'email_invalid' },
  { why: 'an email with a full-width at sign', body: { email: 'paaso＠icloud.com' }, param: 'email', code: 'email_invalid' },
  // string lengths: name 256, phone 20, the rest 5000
  { why: 'a name of 257 characters', body: { name: text(257) }, param: 'name', message: /must be at most 256 characters/ },
  { why: 'a phone of 21 characters', body: { phone: text(21, '1') }, param: 'phone', message: /must be at most 20 characters/ },
  { why: 'a description of 5001 characters', body: { description: text(5001) }, param: 'description', message: /must be at most 5000 characters/ },
  ...ADDRESS_PARTS.map((part) => ({
    why: `an address[${part}] of 5001 characters`, body: { address: { [part]: text(5001) } }, param: `address[${part}]`, message: /must be at most 5000 characters/,
  })),
  { why: 'an address given as a plain string', body: 'address=Main+Street', param: 'address' },
  // shipping: requires name and address, takes phone
  { why: 'shipping without an address', body: { shipping: { name: 'Jo', phone: '555' } }, param: 'shipping[address]', code: 'parameter_missing' },
  { why: 'shipping without a name', body: { shipping: { address: { line1: '1 Main St' } } }, param: 'shipping[name]', code: 'parameter_missing' },
  { why: 'shipping with an empty address', body: 'shipping[name]=Jo&shipping[address]=', param: 'shipping[address]' },
  { why: 'a shipping[name] of 5001 characters', body: { shipping: { name: text(5001), address: { line1: '1' } } }, param: 'shipping[name]', message: /must be at most 5000 characters/ },
  { why: 'a shipping[phone] of 5001 characters', body: { shipping: { name: 'Jo', phone: text(5001), address: { line1: '1' } } }, param: 'shipping[phone]', message: /must be at most 5000 characters/ },
  ...ADDRESS_PARTS.map((part) => ({
    why: `a shipping[address][${part}] of 5001 characters`,
    body: { shipping: { name: 'Jo', address: { [part]: text(5001) } } },
    param: `shipping[address][${part}]`,
    message: /must be at most 5000 characters/,
  })),
  // tax
  { why: 'a tax[validate_location] outside auto, deferred and immediately', body: { tax: { validate_location: 'later' } }, param: 'tax[validate_location]' },
  { why: 'a tax[ip_address] that is not an IP address', body: { tax: { ip_address: 'not-an-ip' } }, param: 'tax[ip_address]' },
  // Stripe's `param` for this one is unverified; the code is what clients match on.
  { why: 'tax[validate_location]=immediately for a customer with no location', calls: ['create'], body: { tax: { validate_location: 'immediately' } }, code: 'customer_tax_location_invalid' },
  {
    why: 'tax[validate_location]=immediately while clearing both addresses',
    calls: ['update'],
    body: { address: '', shipping: '', tax: { validate_location: 'immediately' } },
    code: 'customer_tax_location_invalid',
  },
  // invoice_settings
  { why: 'five invoice_settings[custom_fields]', body: { invoice_settings: { custom_fields: customFields(5) } }, param: 'invoice_settings[custom_fields]' },
  { why: 'a custom field name of 41 characters', body: { invoice_settings: { custom_fields: [{ name: text(41), value: 'v' }] } }, param: 'invoice_settings[custom_fields][0][name]', message: /must be at most 40 characters/ },
  { why: 'a custom field value of 141 characters', body: { invoice_settings: { custom_fields: [{ name: 'n', value: text(141) }] } }, param: 'invoice_settings[custom_fields][0][value]', message: /must be at most 140 characters/ },
  { why: 'a second custom field whose name is too long', body: { invoice_settings: { custom_fields: [{ name: 'a', value: 'b' }, { name: text(41), value: 'v' }] } }, param: 'invoice_settings[custom_fields][1][name]' },
  { why: 'a custom field without a value', body: { invoice_settings: { custom_fields: [{ name: 'PO' }] } }, param: 'invoice_settings[custom_fields][0][value]', code: 'parameter_missing' },
  { why: 'a custom field without a name', body: { invoice_settings: { custom_fields: [{ value: '42' }] } }, param: 'invoice_settings[custom_fields][0][name]', code: 'parameter_missing' },
  {
    why: 'an invoice_settings[default_payment_method] naming no attached payment method',
    body: { invoice_settings: { default_payment_method: 'pm_card_visa' } },
    param: 'invoice_settings[default_payment_method]',
    code: 'resource_missing',
    message: /pm_card_visa/,
  },
  { why: 'an invoice_settings[footer] of 5001 characters', body: { invoice_settings: { footer: text(5001) } }, param: 'invoice_settings[footer]', message: /must be at most 5000 characters/ },
  {
    why: 'an amount_tax_display outside exclude_tax and include_inclusive_tax',
    body: { invoice_settings: { rendering_options: { amount_tax_display: 'include_tax' } } },
    param: 'invoice_settings[rendering_options][amount_tax_display]',
  },
  {
    why: 'a rendering_options[template] of 5001 characters',
    body: { invoice_settings: { rendering_options: { template: text(5001) } } },
    param: 'invoice_settings[rendering_options][template]',
    message: /must be at most 5000 characters/,
  },
  // cash_balance
  {
    why: 'a reconciliation_mode outside automatic, manual and merchant_default',
    body: { cash_balance: { settings: { reconciliation_mode: 'sometimes' } } },
    param: 'cash_balance[settings][reconciliation_mode]',
  },
  // integers
  { why: 'a balance with a fraction', body: { balance: 1.5 }, param: 'balance', code: 'parameter_invalid_integer', message: 'Invalid integer: 1.5' },
  { why: 'a balance that is not a number', body: { balance: 'ten' }, param: 'balance', code: 'parameter_invalid_integer', message: 'Invalid integer: ten' },
  { why: 'a next_invoice_sequence of 0', body: { next_invoice_sequence: 0 }, param: 'next_invoice_sequence' },
  { why: 'a negative next_invoice_sequence', body: { next_invoice_sequence: -3 }, param: 'next_invoice_sequence' },
  { why: 'a next_invoice_sequence with a fraction', body: { next_invoice_sequence: 2.5 }, param: 'next_invoice_sequence', code: 'parameter_invalid_integer' },
  // invoice_prefix: 3–12 uppercase letters or digits
  { why: 'an invoice_prefix of 2 characters', body: { invoice_prefix: 'AB' }, param: 'invoice_prefix' },
  { why: 'an invoice_prefix of 13 characters', body: { invoice_prefix: 'ABCDEFGHIJKLM' }, param: 'invoice_prefix' },
  { why: 'a lowercase invoice_prefix', body: { invoice_prefix: 'abc' }, param: 'invoice_prefix' },
  { why: 'an invoice_prefix with punctuation', body: { invoice_prefix: 'AB-C' }, param: 'invoice_prefix' },
  // preferred_locales
  { why: 'preferred_locales given as a plain string', body: 'preferred_locales=en', param: 'preferred_locales' },
  { why: 'a preferred locale of 5001 characters', body: { preferred_locales: ['en', text(5001)] }, param: 'preferred_locales[1]', message: /must be at most 5000 characters/ },
  // tax_exempt
  { why: 'a tax_exempt outside none, exempt and reverse', body: { tax_exempt: 'sometimes' }, param: 'tax_exempt', message: 'Invalid tax_exempt: must be one of none, reverse, or exempt' },
  // ids of objects that do not exist: resource_missing on the param (the successes are
  // in coupons, payment_methods, sources and test_clocks .test.mjs)
  { why: 'a coupon that does not exist', body: { coupon: 'SPRING' }, param: 'coupon', code: 'resource_missing', message: "No such coupon: 'SPRING'" },
  { why: 'a promotion_code that does not exist', body: { promotion_code: 'promo_nope' }, param: 'promotion_code', code: 'resource_missing', message: "No such promotion code: 'promo_nope'" },
  { why: 'a source token that does not exist', body: { source: 'tok_nope' }, param: 'source', code: 'resource_missing', message: "No such token: 'tok_nope'" },
  { why: 'a source that does not exist', body: { source: 'card_nope' }, param: 'source', code: 'resource_missing', message: "No such source: 'card_nope'" },
  { why: 'a payment_method that does not exist', calls: ['create'], body: { payment_method: 'pm_nope' }, param: 'payment_method', code: 'resource_missing', message: "No such PaymentMethod: 'pm_nope'" },
  { why: 'a test_clock that does not exist', calls: ['create'], body: { test_clock: 'clock_nope' }, param: 'test_clock', code: 'resource_missing', message: /'clock_nope'/ },
  { why: 'a default_source that does not exist', calls: ['update'], body: { default_source: 'card_nope' }, param: 'default_source', code: 'resource_missing', message: /'card_nope'/ },
  // parameters of only one of the two calls
  { why: 'payment_method, which only create takes', calls: ['update'], body: { payment_method: 'pm_card_visa' }, param: 'payment_method', code: 'parameter_unknown' },
  { why: 'test_clock, which only create takes', calls: ['update'], body: { test_clock: 'clock_nope' }, param: 'test_clock', code: 'parameter_unknown' },
  { why: 'tax_id_data, which only create takes', calls: ['update'], body: { tax_id_data: [{ type: 'eu_vat', value: 'DE123456789' }] }, param: /^tax_id_data/, code: 'parameter_unknown' },
  { why: 'default_source, which only update takes', calls: ['create'], body: { default_source: 'card_nope' }, param: 'default_source', code: 'parameter_unknown' },
  // tax_id_data: type enum, required fields, formats
  { why: 'a tax_id_data type outside the enum', calls: ['create'], body: { tax_id_data: [{ type: 'xx_tin', value: '123' }] }, param: 'tax_id_data[0][type]' },
  { why: 'a tax_id_data entry without a value', calls: ['create'], body: { tax_id_data: [{ type: 'eu_vat' }] }, param: 'tax_id_data[0][value]', code: 'parameter_missing' },
  { why: 'a tax_id_data entry without a type', calls: ['create'], body: { tax_id_data: [{ value: 'DE123456789' }] }, param: 'tax_id_data[0][type]', code: 'parameter_missing' },
  ...[
    ['eu_vat', 'US123456789', 'a prefix that is no EU member state'],
    ['eu_vat', 'DE1', 'too few digits'],
    ['us_ein', '123456789', 'no dash'],
    ['us_ein', '12-345678', 'eight digits'],
    ['gb_vat', 'GB12345', 'too few digits'],
    ['gb_vat', '123456789', 'no GB prefix'],
    ['au_abn', '1234567891', 'ten digits'],
    ['ca_bn', '12345678A', 'a letter'],
    ['in_gst', '12ABCDE3456FGXH', 'no Z in the 14th place'],
  ].map(([type, value, what]) => ({
    why: `a malformed ${type} (${what})`,
    calls: ['create'],
    body: { tax_id_data: [{ type, value }] },
    param: 'tax_id_data[0][value]',
    code: 'tax_id_invalid',
    message: `Invalid value for ${type}.`,
  })),
  {
    why: 'a malformed second tax_id_data entry',
    calls: ['create'],
    body: { tax_id_data: [{ type: 'eu_vat', value: 'DE123456789' }, { type: 'us_ein', value: '12345' }] },
    param: 'tax_id_data[1][value]',
    code: 'tax_id_invalid',
  },
  // metadata: 50 keys, key 40, value 500
  { why: '51 metadata keys', body: { metadata: manyKeys(51, 'k') }, param: 'metadata', message: /up to 50 keys/ },
  { why: 'a metadata key of 41 characters', body: { metadata: { [text(41, 'k')]: 'v' } }, param: `metadata[${text(41, 'k')}]`, label: 'metadata[<the key>]', message: /up to 40 characters/ },
  { why: 'a metadata value of 501 characters', body: { metadata: { note: text(501) } }, param: 'metadata[note]', message: /up to 500 characters/ },
  { why: 'metadata that would hold 51 keys once merged', calls: ['update'], body: { metadata: manyKeys(49, 'extra') }, param: 'metadata', message: /up to 50 keys/ },
  // unknown parameters, top level and nested, reported in bracket form
  { why: 'an unknown top-level parameter', body: { planet: 'mars' }, param: 'planet', code: 'parameter_unknown', message: 'Received unknown parameter: planet' },
  { why: 'an unknown key inside address', body: 'address[planet]=mars', param: 'address[planet]', code: 'parameter_unknown', message: 'Received unknown parameter: address[planet]' },
  { why: 'an unknown key inside shipping', body: 'shipping[name]=Jo&shipping[address][line1]=1&shipping[planet]=mars', param: 'shipping[planet]', code: 'parameter_unknown' },
  { why: 'an unknown key inside shipping[address]', body: 'shipping[name]=Jo&shipping[address][line1]=1&shipping[address][planet]=mars', param: 'shipping[address][planet]', code: 'parameter_unknown' },
  { why: 'an unknown key inside tax', body: 'tax[planet]=mars', param: 'tax[planet]', code: 'parameter_unknown' },
  { why: 'an unknown key inside invoice_settings', body: 'invoice_settings[planet]=mars', param: 'invoice_settings[planet]', code: 'parameter_unknown' },
  { why: 'an unknown key inside rendering_options', body: 'invoice_settings[rendering_options][planet]=mars', param: 'invoice_settings[rendering_options][planet]', code: 'parameter_unknown' },
  {
    why: 'an unknown key inside a custom field',
    body: 'invoice_settings[custom_fields][0][name]=PO&invoice_settings[custom_fields][0][value]=42&invoice_settings[custom_fields][0][planet]=mars',
    param: 'invoice_settings[custom_fields][0][planet]',
    code: 'parameter_unknown',
  },
  { why: 'an unknown key inside cash_balance', body: 'cash_balance[planet]=mars', param: 'cash_balance[planet]', code: 'parameter_unknown' },
  { why: 'an unknown key inside cash_balance[settings]', body: 'cash_balance[settings][planet]=mars', param: 'cash_balance[settings][planet]', code: 'parameter_unknown' },
  {
    why: 'an unknown key inside a tax_id_data entry',
    calls: ['create'],
    body: 'tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=DE123456789&tax_id_data[0][planet]=mars',
    param: 'tax_id_data[0][planet]',
    code: 'parameter_unknown',
  },
  // expand
  { why: 'an expand of an unknown field', body: { name: 'Changed', expand: ['planet'] }, message: 'This property cannot be expanded (planet).' },
  { why: 'an expand of a field that is not expandable', body: { name: 'Changed', expand: ['email'] }, message: 'This property cannot be expanded (email).' },
  { why: 'an expand of a list path on a single customer', body: { name: 'Changed', expand: ['data.tax'] }, message: /^This property cannot be expanded/ },
  // empty values of parameters that cannot be unset (Stripe's spec has no "" for them; the
  // issue: balance is an integer, next_invoice_sequence a positive integer, invoice_prefix 3–12)
  { why: 'an empty balance', body: 'balance=', param: 'balance' },
  { why: 'an empty next_invoice_sequence', body: 'next_invoice_sequence=', param: 'next_invoice_sequence' },
  { why: 'an empty invoice_prefix', body: 'invoice_prefix=', param: 'invoice_prefix' },
  { why: 'an empty invoice_settings', body: 'invoice_settings=', param: 'invoice_settings' },
  { why: 'an empty cash_balance', body: 'cash_balance=', param: 'cash_balance' },
  { why: 'an empty tax', body: 'tax=', param: 'tax' },
  { why: 'an empty tax_id_data', calls: ['create'], body: 'tax_id_data=', param: 'tax_id_data' },
  // a valid change next to an invalid one: nothing is applied
  { why: 'a valid name next to a phone of 21 characters', body: { name: 'Changed', phone: text(21, '1') }, param: 'phone' },
  { why: 'a valid name next to a coupon that does not exist', body: { name: 'Changed', coupon: 'SPRING' }, param: 'coupon', code: 'resource_missing' },
  { why: 'a valid address next to an unknown nested key', body: 'address[line1]=9+New+St&address[planet]=mars', param: 'address[planet]', code: 'parameter_unknown' },
];

for (const row of REJECTIONS) {
  const calls = row.calls ?? ['create', 'update'];
  const label = row.label ?? row.param;
  const naming = 'param' in row && !(row.param instanceof RegExp) ? ` naming ${label}` : '';
  const [verb, rest] = calls.length > 1 ? ['reject', 'change'] : ['rejects', 'changes'];
  test(`${calls.join(' and ')} ${verb} ${row.why} with a ${row.status ?? 400}${naming} and ${rest} nothing`, async () => {
    const key = newKey();
    if (calls.includes('create')) {
      assertRejected(await attempt(key, 'create', null, row.body), row, 'create');
      const list = await request(worker.url, key, 'GET', '/v1/customers');
      assert.deepEqual(list.json.data, [], `${row.why}: a rejected create must create no customer`);
    }
    if (calls.includes('update')) {
      const { id } = await stripeClient(worker.url, key).customers.create(RICH);
      const before = await snapshot(key, id);
      assertRejected(await attempt(key, 'update', id, row.body), row, 'update');
      const after = await snapshot(key, id);
      assert.equal(after.plain, before.plain, `${row.why}: GET body changed after a rejected update`);
      assert.equal(after.expanded, before.expanded, `${row.why}: expanded GET body changed after a rejected update`);
    }
  });
}

test('every rejected update in a row leaves the stored customer byte-for-byte unchanged', async () => {
  const key = newKey();
  const { id } = await stripeClient(worker.url, key).customers.create(RICH);
  const first = await snapshot(key, id);
  const problems = [];
  for (const row of REJECTIONS.filter((r) => (r.calls ?? ['create', 'update']).includes('update'))) {
    const got = await attempt(key, 'update', id, row.body);
    if (got.status !== (row.status ?? 400)) problems.push(`${row.why}: status ${got.status}`);
    const now = await snapshot(key, id);
    if (now.plain !== first.plain || now.expanded !== first.expanded) {
      problems.push(`${row.why}: the stored customer changed`);
      await request(worker.url, key, 'POST', `/v1/customers/${id}`, 'next_invoice_sequence=7&invoice_prefix=JENNY1&balance=-1234');
    }
  }
  assert.deepEqual(problems, [], 'every row must be a 400 that leaves the customer unchanged');
  assert.equal((await snapshot(key, id)).plain, first.plain);
});

// ---- round trips: a valid value goes through create, retrieve and update ----

test('address round-trips with all six keys, null for those not given, and address= clears it', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create({ address: { line1: '1 Main St', country: 'US' } });
  assert.deepEqual(Object.keys(created.address), ADDRESS_PARTS);
  assert.deepEqual(created.address, { ...nullAddress(), line1: '1 Main St', country: 'US' });
  assert.deepEqual((await stripe.customers.retrieve(created.id)).address, created.address);
  const updated = await stripe.customers.update(created.id, { address: ADDRESS });
  assert.deepEqual(updated.address, ADDRESS);
  assert.deepEqual(Object.keys(updated.address), ADDRESS_PARTS);
  assert.deepEqual((await stripe.customers.retrieve(created.id)).address, ADDRESS);
  const cleared = await request(worker.url, key, 'POST', `/v1/customers/${created.id}`, 'address=');
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.address, null);
  assert.equal((await stripe.customers.retrieve(created.id)).address, null);
});

test('shipping takes name, address and phone, shows all six address keys, and shipping= clears it', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create({ shipping: { name: 'Jo', phone: '+1 555 0100', address: { line1: '1 Dock Rd' } } });
  assert.deepEqual(created.shipping, { address: { ...nullAddress(), line1: '1 Dock Rd' }, name: 'Jo', phone: '+1 555 0100' });
  assert.deepEqual(Object.keys(created.shipping.address), ADDRESS_PARTS);
  assert.deepEqual((await stripe.customers.retrieve(created.id)).shipping, created.shipping);
  const updated = await stripe.customers.update(created.id, { shipping: { name: 'Ann', phone: '+44 20 7946 0000', address: ADDRESS } });
  assert.deepEqual(updated.shipping, { address: ADDRESS, name: 'Ann', phone: '+44 20 7946 0000' });
  assert.deepEqual((await stripe.customers.retrieve(created.id)).shipping, updated.shipping);
  const cleared = await request(worker.url, key, 'POST', `/v1/customers/${created.id}`, 'shipping=');
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.shipping, null);
  assert.equal((await stripe.customers.retrieve(created.id)).shipping, null);
  // The SDK sends '' as `shipping=` too.
  await stripe.customers.update(created.id, { shipping: { name: 'Ann', address: ADDRESS } });
  assert.equal((await stripe.customers.update(created.id, { shipping: '' })).shipping, null);
});

test('tax ip_address and validate_location round-trip and show in the expanded tax object', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create({ tax: { ip_address: '203.0.113.7', validate_location: 'deferred' }, expand: ['tax'] });
  for (const field of ['automatic_tax', 'ip_address', 'location']) assert.ok(field in created.tax, `tax.${field}`);
  assert.equal(created.tax.ip_address, '203.0.113.7');
  assert.ok(['failed', 'not_collecting', 'supported', 'unrecognized_location'].includes(created.tax.automatic_tax));
  assert.deepEqual((await stripe.customers.retrieve(created.id, { expand: ['tax'] })).tax, created.tax);
  const v6 = await stripe.customers.update(created.id, { tax: { ip_address: '2001:db8::1', validate_location: 'auto' }, expand: ['tax'] });
  assert.equal(v6.tax.ip_address, '2001:db8::1');
  const located = await stripe.customers.update(created.id, {
    address: { country: 'US', state: 'CA', postal_code: '94103' },
    tax: { validate_location: 'immediately' },
    expand: ['tax'],
  });
  assert.deepEqual(located.tax.location, { country: 'US', source: 'billing_address', state: 'CA' });
  assert.equal(located.tax.automatic_tax, 'supported');
  assert.deepEqual((await stripe.customers.retrieve(created.id, { expand: ['tax'] })).tax, located.tax);
  const cleared = await request(worker.url, key, 'POST', `/v1/customers/${created.id}?expand[]=tax`, 'tax[ip_address]=');
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.tax.ip_address, null);
});

test('tax[validate_location]=immediately on create succeeds when the address gives a country', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({
    address: { country: 'DE', postal_code: '10115' },
    tax: { validate_location: 'immediately' },
    expand: ['tax'],
  });
  assert.deepEqual(created.tax.location, { country: 'DE', source: 'billing_address', state: null });
  const shipped = await stripe.customers.create({
    shipping: { name: 'Jo', address: { country: 'FR', postal_code: '75001' } },
    tax: { validate_location: 'immediately' },
    expand: ['tax'],
  });
  assert.equal(shipped.tax.location.country, 'FR');
  assert.equal(shipped.tax.location.source, 'shipping_destination');
});

test('a customer with no address and no IP address has no tax location', async () => {
  const c = await stripeClient(worker.url).customers.create({ name: 'Nowhere', expand: ['tax'] });
  assert.deepEqual(c.tax, { automatic_tax: 'unrecognized_location', ip_address: null, location: null, provider: 'stripe' });
});

test('invoice_settings round-trips custom fields at their limits, footer and rendering options', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const fields = Array.from({ length: 4 }, (_, i) => ({ name: text(39, 'n') + i, value: text(139, 'v') + i }));
  const created = await stripe.customers.create({
    invoice_settings: {
      custom_fields: fields,
      footer: 'Thank you for your business',
      rendering_options: { amount_tax_display: 'exclude_tax', template: 'inrtem_1' },
    },
  });
  const expected = {
    custom_fields: fields,
    default_payment_method: null,
    footer: 'Thank you for your business',
    rendering_options: { amount_tax_display: 'exclude_tax', template: 'inrtem_1' },
  };
  assert.deepEqual(created.invoice_settings, expected);
  assert.deepEqual((await stripe.customers.retrieve(created.id)).invoice_settings, expected);
  const updated = await stripe.customers.update(created.id, {
    invoice_settings: { footer: 'New footer', rendering_options: { amount_tax_display: 'include_inclusive_tax', template: 'inrtem_2' } },
  });
  assert.deepEqual(updated.invoice_settings, {
    ...expected,
    footer: 'New footer',
    rendering_options: { amount_tax_display: 'include_inclusive_tax', template: 'inrtem_2' },
  });
  assert.deepEqual((await stripe.customers.retrieve(created.id)).invoice_settings, updated.invoice_settings);
  const replaced = await stripe.customers.update(created.id, { invoice_settings: { custom_fields: [{ name: 'PO', value: '7' }] } });
  assert.deepEqual(replaced.invoice_settings.custom_fields, [{ name: 'PO', value: '7' }]);
});

test('an empty invoice_settings[custom_fields] removes every custom field', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ invoice_settings: { custom_fields: customFields(3), footer: 'kept' } });
  const res = await request(worker.url, key, 'POST', `/v1/customers/${id}`, 'invoice_settings[custom_fields]=');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.invoice_settings.custom_fields, null);
  assert.equal(res.json.invoice_settings.footer, 'kept');
  assert.equal((await stripe.customers.retrieve(id)).invoice_settings.custom_fields, null);
  // The SDK's '' is the same wire form.
  await stripe.customers.update(id, { invoice_settings: { custom_fields: customFields(2) } });
  const viaSdk = await stripe.customers.update(id, { invoice_settings: { custom_fields: '' } });
  assert.equal(viaSdk.invoice_settings.custom_fields, null);
});

test('an empty invoice_settings[rendering_options] clears the rendering options', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ invoice_settings: { rendering_options: { amount_tax_display: 'exclude_tax' } } });
  const res = await request(worker.url, key, 'POST', `/v1/customers/${id}`, 'invoice_settings[rendering_options]=');
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.invoice_settings.rendering_options, null);
});

test('cash_balance reconciliation_mode takes automatic, manual and merchant_default and shows in the expanded cash_balance', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const cases = [
    ['automatic', 'automatic', false],
    ['manual', 'manual', false],
    ['merchant_default', 'automatic', true],
  ];
  for (const [mode, shown, usingDefault] of cases) {
    const created = await stripe.customers.create({ cash_balance: { settings: { reconciliation_mode: mode } }, expand: ['cash_balance'] });
    assert.equal(created.cash_balance.object, 'cash_balance', mode);
    assert.equal(created.cash_balance.customer, created.id, mode);
    assert.equal(created.cash_balance.livemode, false, mode);
    assert.deepEqual(created.cash_balance.settings, { reconciliation_mode: shown, using_merchant_default: usingDefault }, mode);
    const fetched = await stripe.customers.retrieve(created.id, { expand: ['cash_balance'] });
    assert.deepEqual(fetched.cash_balance, created.cash_balance, mode);
  }
  const { id } = await stripe.customers.create({ cash_balance: { settings: { reconciliation_mode: 'manual' } } });
  const updated = await stripe.customers.update(id, { cash_balance: { settings: { reconciliation_mode: 'automatic' } }, expand: ['cash_balance'] });
  assert.deepEqual(updated.cash_balance.settings, { reconciliation_mode: 'automatic', using_merchant_default: false });
  const back = await stripe.customers.update(id, { cash_balance: { settings: { reconciliation_mode: 'merchant_default' } }, expand: ['cash_balance'] });
  assert.equal(back.cash_balance.settings.using_merchant_default, true);
});

test('balance takes any integer, negative included', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({ balance: -500 });
  assert.equal(created.balance, -500);
  assert.equal((await stripe.customers.retrieve(created.id)).balance, -500);
  assert.equal((await stripe.customers.update(created.id, { balance: 250 })).balance, 250);
  assert.equal((await stripe.customers.update(created.id, { balance: 0 })).balance, 0);
  assert.equal((await stripe.customers.retrieve(created.id)).balance, 0);
});

test('next_invoice_sequence takes a positive integer', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({ next_invoice_sequence: 7 });
  assert.equal(created.next_invoice_sequence, 7);
  assert.equal((await stripe.customers.retrieve(created.id)).next_invoice_sequence, 7);
  assert.equal((await stripe.customers.update(created.id, { next_invoice_sequence: 1 })).next_invoice_sequence, 1);
  assert.equal((await stripe.customers.update(created.id, { next_invoice_sequence: 1000000 })).next_invoice_sequence, 1000000);
  assert.equal((await stripe.customers.retrieve(created.id)).next_invoice_sequence, 1000000);
});

test('invoice_prefix takes 3 to 12 uppercase letters or digits', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({ invoice_prefix: 'ABC' });
  assert.equal(created.invoice_prefix, 'ABC');
  assert.equal((await stripe.customers.retrieve(created.id)).invoice_prefix, 'ABC');
  assert.equal((await stripe.customers.update(created.id, { invoice_prefix: 'ABCDEFGHIJ12' })).invoice_prefix, 'ABCDEFGHIJ12');
  assert.equal((await stripe.customers.update(created.id, { invoice_prefix: '123' })).invoice_prefix, '123');
  assert.equal((await stripe.customers.retrieve(created.id)).invoice_prefix, '123');
});

test('preferred_locales round-trip in order and an empty preferred_locales= clears them', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create({ preferred_locales: ['en', 'fr'] });
  assert.deepEqual(created.preferred_locales, ['en', 'fr']);
  assert.deepEqual((await stripe.customers.retrieve(created.id)).preferred_locales, ['en', 'fr']);
  assert.deepEqual((await stripe.customers.update(created.id, { preferred_locales: ['de'] })).preferred_locales, ['de']);
  const cleared = await request(worker.url, key, 'POST', `/v1/customers/${created.id}`, 'preferred_locales=');
  assert.equal(cleared.status, 200, cleared.text);
  assert.deepEqual(cleared.json.preferred_locales, []);
  assert.deepEqual((await stripe.customers.retrieve(created.id)).preferred_locales, []);
  const brackets = await request(worker.url, key, 'POST', `/v1/customers/${created.id}`, 'preferred_locales[]=es&preferred_locales[]=it');
  assert.deepEqual(brackets.json.preferred_locales, ['es', 'it']);
  assert.deepEqual((await stripe.customers.update(created.id, { preferred_locales: '' })).preferred_locales, []);
});

test('tax_exempt takes none, exempt and reverse', async () => {
  const stripe = stripeClient(worker.url);
  for (const value of ['none', 'exempt', 'reverse']) {
    const created = await stripe.customers.create({ tax_exempt: value });
    assert.equal(created.tax_exempt, value);
    assert.equal((await stripe.customers.retrieve(created.id)).tax_exempt, value);
    const other = value === 'exempt' ? 'reverse' : 'exempt';
    assert.equal((await stripe.customers.update(created.id, { tax_exempt: other })).tax_exempt, other);
    assert.equal((await stripe.customers.update(created.id, { tax_exempt: value })).tax_exempt, value);
  }
});

test('email up to 512 characters round-trips', async () => {
  const stripe = stripeClient(worker.url);
  const long = `${text(500, 'a')}@example.com`;
  assert.equal(long.length, 512);
  const created = await stripe.customers.create({ email: long });
  assert.equal(created.email, long);
  assert.equal((await stripe.customers.retrieve(created.id)).email, long);
  assert.equal((await stripe.customers.update(created.id, { email: 'a.b+tag@sub.example.co.uk' })).email, 'a.b+tag@sub.example.co.uk');
  assert.equal((await stripe.customers.retrieve(created.id)).email, 'a.b+tag@sub.example.co.uk');
});

test('every string parameter accepts exactly its maximum length', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({
    name: text(256, 'n'),
    phone: text(20, '1'),
    description: text(5000, 'd'),
    address: Object.fromEntries(ADDRESS_PARTS.map((p) => [p, text(5000, p[0])])),
  });
  assert.equal(created.name.length, 256);
  assert.equal(created.phone.length, 20);
  assert.equal(created.description.length, 5000);
  for (const p of ADDRESS_PARTS) assert.equal(created.address[p], text(5000, p[0]), `address[${p}]`);
  const updated = await stripe.customers.update(created.id, {
    shipping: { name: text(5000, 's'), phone: text(5000, '2'), address: Object.fromEntries(ADDRESS_PARTS.map((p) => [p, text(5000, p[1])])) },
    invoice_settings: { footer: text(5000, 'f'), rendering_options: { template: text(5000, 't') } },
    preferred_locales: [text(5000, 'l')],
  });
  assert.equal(updated.shipping.name.length, 5000);
  assert.equal(updated.shipping.phone.length, 5000);
  for (const p of ADDRESS_PARTS) assert.equal(updated.shipping.address[p], text(5000, p[1]), `shipping[address][${p}]`);
  assert.equal(updated.invoice_settings.footer.length, 5000);
  assert.equal(updated.invoice_settings.rendering_options.template.length, 5000);
  assert.equal(updated.preferred_locales[0].length, 5000);
  const fetched = await stripe.customers.retrieve(created.id);
  assert.deepEqual(strip(fetched), strip(updated));
});

test('name, phone, description and email round-trip and an empty value unsets them', async () => {
  const stripe = stripeClient(worker.url);
  const created = await stripe.customers.create({ name: 'Ada', phone: '+1 555', description: 'first', email: 'ada@example.com' });
  const fetched = await stripe.customers.retrieve(created.id);
  assert.deepEqual([fetched.name, fetched.phone, fetched.description, fetched.email], ['Ada', '+1 555', 'first', 'ada@example.com']);
  const updated = await stripe.customers.update(created.id, { name: 'Bea', phone: '+44 20', description: 'second', email: 'bea@example.org' });
  assert.deepEqual([updated.name, updated.phone, updated.description, updated.email], ['Bea', '+44 20', 'second', 'bea@example.org']);
  const unset = await stripe.customers.update(created.id, { name: '', phone: '', description: '', email: '' });
  assert.deepEqual([unset.name, unset.phone, unset.description, unset.email], [null, null, null, null]);
});

test('metadata accepts 50 keys, 40-character keys and 500-character values', async () => {
  const stripe = stripeClient(worker.url);
  const metadata = { ...manyKeys(48, 'k'), [text(40, 'K')]: 'v', long: text(500) };
  const created = await stripe.customers.create({ metadata });
  assert.deepEqual(created.metadata, metadata);
  assert.deepEqual((await stripe.customers.retrieve(created.id)).metadata, metadata);
  const updated = await stripe.customers.update(created.id, { metadata: { k0: 'changed' } });
  assert.equal(updated.metadata.k0, 'changed');
  assert.equal(Object.keys(updated.metadata).length, 50);
});

test('tax_id_data of each checked type is stored as txi_ objects visible with expand[]=tax_ids', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const data = [
    { type: 'eu_vat', value: 'DE123456789' },
    { type: 'us_ein', value: '12-3456789' },
    { type: 'gb_vat', value: 'GB123456789' },
    { type: 'au_abn', value: '12345678912' },
    { type: 'ca_bn', value: '123456789' },
    { type: 'in_gst', value: '12ABCDE3456FGZH' },
  ];
  const created = await stripe.customers.create({ name: 'Taxed', tax_id_data: data, expand: ['tax_ids'] });
  const list = created.tax_ids;
  assert.equal(list.object, 'list');
  assert.equal(list.has_more, false);
  assert.equal(list.url, `/v1/customers/${created.id}/tax_ids`);
  assert.deepEqual(list.data.map((t) => ({ type: t.type, value: t.value })), data);
  for (const t of list.data) {
    assert.match(t.id, /^txi_[0-9A-Za-z]+$/);
    assert.equal(t.object, 'tax_id');
    assert.equal(t.customer, created.id);
    assert.equal(t.livemode, false);
    assert.equal(typeof t.created, 'number');
  }
  assert.deepEqual(list.data.map((t) => t.country), ['DE', 'US', 'GB', 'AU', 'CA', 'IN']);
  assert.equal(new Set(list.data.map((t) => t.id)).size, data.length, 'ids are distinct');
  const fetched = await stripe.customers.retrieve(created.id, { expand: ['tax_ids'] });
  assert.deepEqual(fetched.tax_ids, list);
  const listed = await stripe.customers.list({ expand: ['data.tax_ids'] });
  assert.deepEqual(listed.data[0].tax_ids, list);
  assert.ok(!('tax_ids' in (await stripe.customers.retrieve(created.id))), 'omitted unless expanded');
});

test('every documented eu_vat example is accepted', async () => {
  const stripe = stripeClient(worker.url);
  const values = ['DE123456789', 'ATU12345678', 'BE0123456789', 'FRAB123456789', 'NL123456789B12', 'ESA1234567Z', 'IE1234567AB', 'LU12345678', 'XI123456789'];
  const created = await stripe.customers.create({ tax_id_data: values.map((value) => ({ type: 'eu_vat', value })), expand: ['tax_ids'] });
  assert.deepEqual(created.tax_ids.data.map((t) => t.value), values);
});

// ---- expand[] on create, retrieve, update and list ----

/** Checks the expanded form of `field` on customer `c`. */
function assertExpanded(field, c, where) {
  const ctx = `${field} on ${where}`;
  const list = (url) => {
    assert.equal(c[field].object, 'list', ctx);
    assert.deepEqual(c[field].data, [], ctx);
    assert.equal(c[field].has_more, false, ctx);
    assert.equal(c[field].url, url, ctx);
  };
  switch (field) {
    case 'tax':
      for (const k of ['automatic_tax', 'ip_address', 'location']) assert.ok(k in c.tax, `${ctx}: tax.${k}`);
      break;
    case 'tax_ids':
      list(`/v1/customers/${c.id}/tax_ids`);
      break;
    case 'sources':
      list(`/v1/customers/${c.id}/sources`);
      break;
    case 'subscriptions':
      list(`/v1/customers/${c.id}/subscriptions`);
      break;
    case 'cash_balance':
      assert.equal(c.cash_balance.object, 'cash_balance', ctx);
      assert.equal(c.cash_balance.customer, c.id, ctx);
      assert.deepEqual(c.cash_balance.settings, { reconciliation_mode: 'automatic', using_merchant_default: true }, ctx);
      break;
    case 'invoice_credit_balance':
      assert.deepEqual(c.invoice_credit_balance, {}, ctx);
      break;
    case 'default_source':
    case 'test_clock':
      assert.ok(field in c, ctx);
      assert.equal(c[field], null, ctx);
      break;
    default:
      assert.fail(`no check for ${field}`);
  }
  for (const other of OMITTED_UNLESS_EXPANDED.filter((f) => f !== field)) {
    assert.ok(!(other in c), `${ctx}: ${other} should be omitted when only ${field} is expanded`);
  }
}

test('without expand, create, retrieve, update and list omit the expandable objects and keep default_source and test_clock null', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create({ name: 'Plain', tax_id_data: [{ type: 'us_ein', value: '12-3456789' }] });
  const fetched = await stripe.customers.retrieve(created.id);
  const updated = await stripe.customers.update(created.id, { name: 'Plainer' });
  const listed = (await stripe.customers.list()).data[0];
  for (const [where, c] of [['create', created], ['retrieve', fetched], ['update', updated], ['list', listed]]) {
    for (const field of OMITTED_UNLESS_EXPANDED) assert.ok(!(field in c), `${field} omitted on ${where}`);
    assert.equal(c.default_source, null, `default_source on ${where}`);
    assert.equal(c.test_clock, null, `test_clock on ${where}`);
  }
});

for (const field of EXPANDABLE) {
  test(`expand[]=${field} works on create, retrieve and update, and data.${field} on list`, async () => {
    const key = newKey();
    const stripe = stripeClient(worker.url, key);
    const created = await stripe.customers.create({ name: 'Expanded', expand: [field] });
    assertExpanded(field, created, 'create');
    assertExpanded(field, await stripe.customers.retrieve(created.id, { expand: [field] }), 'retrieve');
    assertExpanded(field, await stripe.customers.update(created.id, { name: 'Again', expand: [field] }), 'update');
    const page = await stripe.customers.list({ expand: [`data.${field}`] });
    assert.equal(page.data.length, 1);
    assertExpanded(field, page.data[0], 'list');
    // The raw wire form `expand[]=` works the same as the SDK's `expand[0]=`.
    const raw = await request(worker.url, key, 'GET', `/v1/customers/${created.id}?expand[]=${field}`);
    assert.equal(raw.status, 200, raw.text);
    assertExpanded(field, raw.json, 'raw retrieve');
  });
}

test('every expandable field can be expanded at once', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const created = await stripe.customers.create({ name: 'All', expand: EXPANDABLE });
  for (const field of EXPANDABLE) assert.ok(field in created, field);
  const listed = await request(worker.url, key, 'GET', `/v1/customers?${EXPANDABLE.map((f) => `expand[]=data.${f}`).join('&')}`);
  assert.equal(listed.status, 200, listed.text);
  for (const field of EXPANDABLE) assert.ok(field in listed.json.data[0], `data.${field}`);
});

test('expanded objects print id and object first, as Stripe prints every object', async () => {
  const stripe = stripeClient(worker.url);
  const c = await stripe.customers.create({
    tax_id_data: [{ type: 'eu_vat', value: 'DE123456789' }],
    expand: ['tax_ids', 'sources', 'subscriptions', 'cash_balance'],
  });
  const leading = {
    tax_ids: Object.keys(c.tax_ids).slice(0, 1),
    sources: Object.keys(c.sources).slice(0, 1),
    subscriptions: Object.keys(c.subscriptions).slice(0, 1),
    'tax_ids.data[0]': Object.keys(c.tax_ids.data[0]).slice(0, 2),
    cash_balance: Object.keys(c.cash_balance).slice(0, 1),
  };
  assert.deepEqual(leading, {
    tax_ids: ['object'],
    sources: ['object'],
    subscriptions: ['object'],
    'tax_ids.data[0]': ['id', 'object'],
    cash_balance: ['object'],
  });
});

test('an unknown or non-expandable expand is a 400 on create, retrieve, update and list', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ name: 'x' });
  const check = (res, what) => {
    assert.equal(res.status, 400, `${what}: ${res.text}`);
    assert.equal(res.json.error.type, 'invalid_request_error', what);
    assert.match(res.json.error.message, /^This property cannot be expanded/, what);
  };
  for (const bad of ['planet', 'email', 'metadata', 'data.tax', 'tax.planet']) {
    check(await request(worker.url, key, 'GET', `/v1/customers/${id}?expand[]=${bad}`), `retrieve expand ${bad}`);
    check(await request(worker.url, key, 'POST', `/v1/customers/${id}`, `expand[]=${bad}`), `update expand ${bad}`);
    check(await request(worker.url, key, 'POST', '/v1/customers', `expand[]=${bad}`), `create expand ${bad}`);
  }
  for (const bad of ['tax', 'data.planet', 'data.email', 'planet']) {
    check(await request(worker.url, key, 'GET', `/v1/customers?expand[]=${bad}`), `list expand ${bad}`);
  }
  await assert.rejects(stripe.customers.retrieve(id, { expand: ['planet'] }), (err) => {
    assert.equal(err.type, 'StripeInvalidRequestError');
    assert.equal(err.statusCode, 400);
    assert.equal(err.message, 'This property cannot be expanded (planet).');
    return true;
  });
  await assert.rejects(stripe.customers.list({ expand: ['data.planet'] }), (err) => err.statusCode === 400);
  // No rejected create made a customer.
  assert.equal((await stripe.customers.list()).data.length, 1);
});

// ---- retrieve, delete and list: no parameters beyond their own ----

test('retrieve and delete reject parameters they do not take, and the rejected delete deletes nothing', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ name: 'Stays' });
  const get = await request(worker.url, key, 'GET', `/v1/customers/${id}?planet=mars`);
  assert.equal(get.status, 400, get.text);
  assert.equal(get.json.error.code, 'parameter_unknown');
  assert.equal(get.json.error.param, 'planet');
  const del = await request(worker.url, key, 'DELETE', `/v1/customers/${id}?planet=mars`);
  assert.equal(del.status, 400, del.text);
  assert.equal(del.json.error.code, 'parameter_unknown');
  assert.equal(del.json.error.param, 'planet');
  const still = await stripe.customers.retrieve(id);
  assert.equal(still.name, 'Stays');
  assert.ok(!still.deleted);
});

test('list rejects an unknown parameter naming it', async () => {
  const key = newKey();
  const res = await request(worker.url, key, 'GET', '/v1/customers?planet=mars');
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.error.code, 'parameter_unknown');
  assert.equal(res.json.error.param, 'planet');
});

test('several unknown parameters are all named, as Stripe names them', async () => {
  const key = newKey();
  const res = await request(worker.url, key, 'POST', '/v1/customers', 'name=x&planet=mars&moon=io');
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.error.code, 'parameter_unknown');
  assert.equal(res.json.error.message, 'Received unknown parameters: planet, moon');
  assert.deepEqual((await request(worker.url, key, 'GET', '/v1/customers')).json.data, []);
});

test('the list email filter takes up to 512 characters and created takes only gt, gte, lt and lte', async () => {
  const key = newKey();
  const ok = await request(worker.url, key, 'GET', `/v1/customers?email=${text(500, 'a')}%40example.com`);
  assert.equal(ok.status, 200, ok.text);
  const long = await request(worker.url, key, 'GET', `/v1/customers?email=${text(501, 'a')}%40example.com`);
  assert.equal(long.status, 400, long.text);
  assert.equal(long.json.error.param, 'email');
  const planet = await request(worker.url, key, 'GET', '/v1/customers?created[planet]=1');
  assert.equal(planet.status, 400, planet.text);
  assert.equal(planet.json.error.code, 'parameter_unknown');
  assert.equal(planet.json.error.param, 'created[planet]');
});

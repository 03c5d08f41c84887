// Unit tests of tests/support/schema.mjs, the validator every end-to-end response
// goes through. No worker needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject, violationsOf, SchemaViolationError, API_VERSION } from './support/schema.mjs';

/** A customer as Stripe 2023-08-16 returns it, nothing expanded. */
const CUSTOMER = Object.freeze({
  id: 'cus_NffrFeUfNV2Hib',
  object: 'customer',
  address: null,
  balance: 0,
  created: 1680893993,
  currency: null,
  default_source: null,
  delinquent: false,
  description: null,
  discount: null,
  email: 'jennyrosen@example.com',
  invoice_prefix: '0759376C',
  invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
  livemode: false,
  metadata: {},
  name: 'Jenny Rosen',
  next_invoice_sequence: 1,
  phone: null,
  preferred_locales: [],
  shipping: null,
  tax_exempt: 'none',
  test_clock: null,
});

const TAX_ID = Object.freeze({
  id: 'txi_1NuMB12eZvKYlo2CMecoWkZd',
  object: 'tax_id',
  country: 'DE',
  created: 123456789,
  customer: 'cus_NffrFeUfNV2Hib',
  livemode: false,
  type: 'eu_vat',
  value: 'DE123456789',
  verification: { status: 'pending', verified_address: null, verified_name: null },
});

const throwsWith = (json, ...expected) =>
  assert.throws(() => validateObject(json), (err) => {
    assert.ok(err instanceof SchemaViolationError, `expected a SchemaViolationError, got ${err}`);
    for (const line of expected) assert.ok(err.violations.includes(line), `missing ${JSON.stringify(line)} in:\n${err.message}`);
    assert.equal(err.violations.length, expected.length, err.message);
    return true;
  });

test('the fixture is the 2023-08-16 schema', () => {
  assert.equal(API_VERSION, '2023-08-16');
});

test('a valid customer passes', () => {
  assert.deepEqual(violationsOf(CUSTOMER), []);
  assert.equal(validateObject(CUSTOMER), CUSTOMER);
});

test('a customer with an extra key fails', () => {
  throwsWith({ ...CUSTOMER, total_spent: 0 }, '$.total_spent: unknown key (Customer has no such property)');
});

test('null in a non-nullable field fails; null in a nullable one passes', () => {
  throwsWith({ ...CUSTOMER, balance: null }, '$.balance: null is not allowed (type integer)');
  throwsWith({ ...CUSTOMER, metadata: { order: null } }, '$.metadata.order: null is not allowed (type string)');
  assert.deepEqual(violationsOf({ ...CUSTOMER, email: null }), []);
});

test('type, enum, required and maxLength are checked, with the path of each violation', () => {
  throwsWith(
    { ...CUSTOMER, created: '1680893993', tax_exempt: 'sometimes', name: 'x'.repeat(5001), id: undefined },
    '$.id: undefined is not a JSON value',
    '$.name: string of 5001 characters is longer than maxLength 5000',
    '$.created: expected integer, got string "1680893993"',
    '$.tax_exempt: "sometimes" is not one of "exempt", "none", "reverse"',
  );
  const { livemode, ...noLivemode } = CUSTOMER;
  throwsWith(noLivemode, '$.livemode: required key is missing');
  // maxLength counts code points: 500 emoji are 500 characters, not 1000.
  assert.deepEqual(violationsOf({ ...CUSTOMER, metadata: { k: '😀'.repeat(500) } }), []);
  throwsWith({ ...CUSTOMER, metadata: { k: '😀'.repeat(501) } }, '$.metadata.k: string of 501 characters is longer than maxLength 500');
  throwsWith({ ...CUSTOMER, metadata: { 'a:b': 1 } }, '$.metadata["a:b"]: expected string, got integer 1');
});

test('an expandable field takes the id or the expanded object, and checks the object', () => {
  const clock = { id: 'clock_1', object: 'test_helpers.test_clock', created: 1, deletes_after: 2, frozen_time: 1, livemode: false, name: null, status: 'ready' };
  assert.deepEqual(violationsOf({ ...CUSTOMER, test_clock: 'clock_1' }), []);
  assert.deepEqual(violationsOf({ ...CUSTOMER, test_clock: clock }), []);
  throwsWith({ ...CUSTOMER, test_clock: { ...clock, status: 'frozen' } }, '$.test_clock.status: "frozen" is not one of "advancing", "internal_failure", "ready"');
  throwsWith({ ...CUSTOMER, test_clock: 7 }, '$.test_clock: integer 7 is none of type string | test_helpers.test_clock');
  const tax = { automatic_tax: 'supported', ip_address: null, location: { country: 'DE', source: 'billing_address', state: null } };
  assert.deepEqual(violationsOf({ ...CUSTOMER, tax }), []);
  throwsWith({ ...CUSTOMER, tax: { ...tax, location: { country: 'DE', source: 'billing_address', state: null, extra: true } } }, '$.tax.location.extra: unknown key (CustomerTaxLocation has no such property)');
});

test('embedded lists are the 2023-08-16 list envelope, with no total_count', () => {
  const taxIds = { object: 'list', data: [TAX_ID], has_more: false, url: '/v1/customers/cus_NffrFeUfNV2Hib/tax_ids' };
  assert.deepEqual(violationsOf({ ...CUSTOMER, tax_ids: taxIds }), []);
  throwsWith({ ...CUSTOMER, tax_ids: { ...taxIds, total_count: 1 } }, '$.tax_ids.total_count: unknown key (TaxIDsList has no such property)');
  const [bad, ...more] = violationsOf({ ...CUSTOMER, tax_ids: { ...taxIds, data: [{ ...TAX_ID, type: 'xx_vat' }] } });
  assert.deepEqual(more, []);
  assert.match(bad, /^\$\.tax_ids\.data\[0\]\.type: "xx_vat" is not one of "ad_nrt", .*, … \(\d+ values\)$/);
});

test('a list is checked envelope first and then item by item, each by its own object', () => {
  const list = { object: 'list', url: '/v1/customers', has_more: false, data: [CUSTOMER, TAX_ID] };
  assert.deepEqual(violationsOf(list), []);
  throwsWith({ ...list, data: [CUSTOMER, { ...CUSTOMER, livemode: 'no' }] }, '$.data[1].livemode: expected boolean, got string "no"');
  throwsWith({ ...list, total_count: 2 }, '$.total_count: unknown key (list envelope (as customer.tax_ids) has no such property)');
  const { has_more, ...noHasMore } = list;
  throwsWith(noHasMore, '$.has_more: required key is missing');
  throwsWith({ ...list, data: [42] }, '$.data[0]: expected an object with an `object` field, got integer 42');
});

test('a search result allows total_count and requires next_page', () => {
  const result = { object: 'search_result', url: '/v1/customers/search', has_more: false, data: [CUSTOMER], next_page: null };
  assert.deepEqual(violationsOf(result), []);
  assert.deepEqual(violationsOf({ ...result, total_count: 1 }), []);
  const { next_page, ...noNextPage } = result;
  throwsWith(noNextPage, '$.next_page: required key is missing');
});

test('deleted objects use the deleted_* schema', () => {
  assert.deepEqual(violationsOf({ id: CUSTOMER.id, object: 'customer', deleted: true }), []);
  assert.deepEqual(violationsOf({ id: TAX_ID.id, object: 'tax_id', deleted: true }), []);
  assert.deepEqual(violationsOf({ id: 'clock_1', object: 'test_helpers.test_clock', deleted: true }), []);
  throwsWith({ ...CUSTOMER, deleted: true }, ...Object.keys(CUSTOMER).filter((k) => k !== 'id' && k !== 'object').map((k) => `$.${k}: unknown key (DeletedCustomer has no such property)`));
});

test('an event is checked, and so is its data.object by its own object', () => {
  const event = { id: 'evt_1', object: 'event', api_version: '2023-08-16', created: 1, data: { object: CUSTOMER }, livemode: false, pending_webhooks: 0, request: { id: null, idempotency_key: null }, type: 'customer.created' };
  assert.deepEqual(violationsOf(event), []);
  throwsWith({ ...event, data: { object: { ...CUSTOMER, balance: 1.5 } } }, '$.data.object.balance: expected integer, got number 1.5');
});

test('an error body with param: null fails; without the nulls it passes', () => {
  const error = { type: 'invalid_request_error', message: "No such customer: 'cus_x'", param: 'id', code: 'resource_missing', doc_url: 'https://stripe.com/docs/error-codes/resource-missing' };
  assert.deepEqual(violationsOf({ error }), []);
  assert.deepEqual(violationsOf({ error: { type: 'api_error', message: 'x' } }), []);
  throwsWith({ error: { ...error, param: null } }, '$.error.param: null is not allowed (type string)');
  throwsWith({ error: { ...error, type: 'bad_error' } }, '$.error.type: "bad_error" is not one of "api_error", "card_error", "idempotency_error", "invalid_request_error"');
});

test('an unmapped object throws rather than passing unchecked', () => {
  assert.throws(() => validateObject({ id: 'ch_1', object: 'charge' }), /no schema mapped for object "charge"/);
  assert.throws(() => validateObject({ id: 'pm_1', object: 'payment_method', deleted: true }), /no deleted form/);
  throwsWith({ id: 'x' }, '$: an object with no string `object` field that is not an error body either: an object {id}');
});

test('a description is typed as the fixture has it, on every object that has one', () => {
  assert.deepEqual(violationsOf({ ...CUSTOMER, description: 'VIP' }), []);
  throwsWith({ ...CUSTOMER, description: 5 }, '$.description: expected string, got integer 5');
  throwsWith({ ...CUSTOMER, description: 'x'.repeat(5001) }, '$.description: string of 5001 characters is longer than maxLength 5000');
  const endpoint = { id: 'we_1', object: 'webhook_endpoint', api_version: null, application: null, created: 1, description: null, enabled_events: ['*'], livemode: false, metadata: {}, status: 'enabled', url: 'https://example.com/hook' };
  assert.deepEqual(violationsOf(endpoint), []);
  throwsWith({ ...endpoint, description: false }, '$.description: expected string, got boolean false');
});

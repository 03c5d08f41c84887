// End to end: a customer's tax ids (Stripe's /v1/customers/{id}/tax_ids and seed 004's
// tax-ids alias) through the official SDK's createTaxId, retrieveTaxId, listTaxIds and
// deleteTaxId, and raw HTTP for the alias, validation, deleted customers and isolation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const TAX_ID_KEYS = ['id', 'object', 'country', 'created', 'customer', 'livemode', 'type', 'value', 'verification'];
const strip = ({ lastResponse, ...rest }) => rest;

test('createTaxId, retrieveTaxId, listTaxIds and deleteTaxId work through the SDK', async () => {
  const stripe = stripeClient(worker.url);
  const { id } = await stripe.customers.create({ name: 'Taxed' });
  const created = await stripe.customers.createTaxId(id, { type: 'eu_vat', value: 'DE123456789' });
  assert.deepEqual(Object.keys(strip(created)), TAX_ID_KEYS);
  assert.match(created.id, /^txi_[0-9A-Za-z]{14,}$/);
  assert.equal(created.object, 'tax_id');
  assert.equal(created.country, 'DE');
  assert.equal(created.customer, id);
  assert.equal(created.livemode, false);
  assert.equal(created.type, 'eu_vat');
  assert.equal(created.value, 'DE123456789');
  assert.deepEqual(created.verification, { status: 'pending', verified_address: null, verified_name: null });

  const fetched = await stripe.customers.retrieveTaxId(id, created.id);
  assert.deepEqual(strip(fetched), strip(created));

  const listed = await stripe.customers.listTaxIds(id);
  assert.equal(listed.object, 'list');
  assert.equal(listed.url, `/v1/customers/${id}/tax_ids`);
  assert.equal(listed.has_more, false);
  assert.deepEqual(listed.data, [strip(created)]);

  const deleted = await stripe.customers.deleteTaxId(id, created.id);
  assert.deepEqual(strip(deleted), { id: created.id, object: 'tax_id', deleted: true });
  await assert.rejects(stripe.customers.retrieveTaxId(id, created.id), (err) => {
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'resource_missing');
    assert.equal(err.message, `No such tax id: '${created.id}'`);
    assert.equal(err.param, 'id');
    return true;
  });
  assert.deepEqual((await stripe.customers.listTaxIds(id)).data, []);
});

test('types Stripe does not verify are unavailable, and the country follows the type', async () => {
  const stripe = stripeClient(worker.url);
  const { id } = await stripe.customers.create({});
  const ein = await stripe.customers.createTaxId(id, { type: 'us_ein', value: '12-3456789' });
  assert.equal(ein.country, 'US');
  assert.equal(ein.verification.status, 'unavailable');
  const gb = await stripe.customers.createTaxId(id, { type: 'gb_vat', value: 'GB123456789' });
  assert.equal(gb.country, 'GB');
  assert.equal(gb.verification.status, 'pending');
  const greek = await stripe.customers.createTaxId(id, { type: 'eu_vat', value: 'EL123456789' });
  assert.equal(greek.country, 'GR');
});

test("seed 004's tax-ids path is an alias of tax_ids for every call", async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({});
  const created = await request(worker.url, key, 'POST', `/v1/customers/${id}/tax-ids`, 'type=us_ein&value=12-3456789');
  assert.equal(created.status, 200);
  assert.equal(created.json.object, 'tax_id');
  const txi = created.json.id;
  const viaStripePath = await request(worker.url, key, 'GET', `/v1/customers/${id}/tax_ids/${txi}`);
  const viaAlias = await request(worker.url, key, 'GET', `/v1/customers/${id}/tax-ids/${txi}`);
  assert.equal(viaAlias.status, 200);
  assert.equal(viaAlias.text, viaStripePath.text);
  assert.equal(viaAlias.text, created.text);
  const listAlias = await request(worker.url, key, 'GET', `/v1/customers/${id}/tax-ids`);
  const listStripe = await request(worker.url, key, 'GET', `/v1/customers/${id}/tax_ids`);
  assert.equal(listAlias.text, listStripe.text);
  assert.equal(listAlias.json.url, `/v1/customers/${id}/tax_ids`);
  const deleted = await request(worker.url, key, 'DELETE', `/v1/customers/${id}/tax-ids/${txi}`);
  assert.deepEqual(deleted.json, { id: txi, object: 'tax_id', deleted: true });
  const json = await request(worker.url, key, 'POST', `/v1/customers/${id}/tax-ids`, JSON.stringify({ type: 'eu_vat', value: 'FR12345678901' }), {
    'Content-Type': 'application/json',
  });
  assert.equal(json.status, 200, 'seed 004 JSON bodies work on the alias too');
  assert.equal(json.json.country, 'FR');
});

test('create validates type and value as tax_id_data does', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({});
  const cases = [
    ['type=eu_vat&value=DE1', 'value', 'tax_id_invalid', 'Invalid value for eu_vat.'],
    ['type=eu_vat&value=US123456789', 'value', 'tax_id_invalid', 'Invalid value for eu_vat.'],
    ['type=us_ein&value=123456789', 'value', 'tax_id_invalid', 'Invalid value for us_ein.'],
    ['type=xx_tin&value=1', 'type', undefined, undefined],
    ['value=DE123456789', 'type', 'parameter_missing', 'Missing required param: type.'],
    ['type=eu_vat', 'value', 'parameter_missing', 'Missing required param: value.'],
    ['type=us_ein&value=12-3456789&colour=red', 'colour', 'parameter_unknown', 'Received unknown parameter: colour'],
    ['type=us_ein&value=12-3456789&expand[]=owner', 'expand', undefined, undefined],
  ];
  for (const [body, param, code, message] of cases) {
    const res = await request(worker.url, key, 'POST', `/v1/customers/${id}/tax_ids`, body);
    assert.equal(res.status, 400, body);
    assert.equal(res.json.error.param, param, body);
    if (code) assert.equal(res.json.error.code, code, body);
    if (message) assert.equal(res.json.error.message, message, body);
  }
  assert.deepEqual((await stripe.customers.listTaxIds(id)).data, [], 'nothing was added');
});

test('listTaxIds pages newest first with limit and both cursors, and auto-paginates', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({
    tax_id_data: [{ type: 'us_ein', value: '12-3456780' }],
  });
  for (let i = 1; i < 5; i++) await stripe.customers.createTaxId(id, { type: 'us_ein', value: `12-345678${i}` });
  const all = await stripe.customers.listTaxIds(id, { limit: 100 });
  assert.deepEqual(all.data.map((t) => t.value), ['12-3456784', '12-3456783', '12-3456782', '12-3456781', '12-3456780']);
  const first = await stripe.customers.listTaxIds(id, { limit: 2 });
  assert.equal(first.has_more, true);
  assert.deepEqual(first.data.map((t) => t.id), all.data.slice(0, 2).map((t) => t.id));
  const second = await stripe.customers.listTaxIds(id, { limit: 2, starting_after: first.data[1].id });
  assert.deepEqual(second.data.map((t) => t.id), all.data.slice(2, 4).map((t) => t.id));
  const back = await stripe.customers.listTaxIds(id, { limit: 2, ending_before: second.data[0].id });
  assert.deepEqual(back.data.map((t) => t.id), all.data.slice(0, 2).map((t) => t.id));
  const seen = [];
  for await (const t of stripe.customers.listTaxIds(id, { limit: 2 })) seen.push(t.id);
  assert.deepEqual(seen, all.data.map((t) => t.id));

  const unknown = await request(worker.url, key, 'GET', `/v1/customers/${id}/tax_ids?starting_after=txi_nope`);
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.error.code, 'resource_missing');
  assert.equal(unknown.json.error.param, 'starting_after');
  const badLimit = await request(worker.url, key, 'GET', `/v1/customers/${id}/tax_ids?limit=101`);
  assert.equal(badLimit.status, 400);
  assert.equal(badLimit.json.error.param, 'limit');
});

test('expand[]=customer shows the customer on a tax id and on each listed tax id', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const customer = await stripe.customers.create({ email: 'tax@example.com' });
  const created = await stripe.customers.createTaxId(customer.id, { type: 'us_ein', value: '12-3456789', expand: ['customer'] });
  assert.equal(created.customer.email, 'tax@example.com');
  const listed = await stripe.customers.listTaxIds(customer.id, { expand: ['data.customer'] });
  assert.equal(listed.data[0].customer.id, customer.id);
  const expanded = await stripe.customers.retrieve(customer.id, { expand: ['tax_ids'] });
  assert.deepEqual(expanded.tax_ids.data.map((t) => t.id), [created.id]);
});

test('a customer holds at most 25 tax ids', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({});
  for (let i = 0; i < 25; i++) await stripe.customers.createTaxId(id, { type: 'us_ein', value: '12-3456789' });
  const res = await request(worker.url, key, 'POST', `/v1/customers/${id}/tax_ids`, 'type=us_ein&value=12-3456789');
  assert.equal(res.status, 400);
  assert.match(res.json.error.message, /at most 25 tax IDs/);
  assert.equal((await stripe.customers.listTaxIds(id, { limit: 100 })).data.length, 25);
});

test('a keyed tax id create replays the same tax id', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({});
  const headers = { 'Idempotency-Key': 'tax-once' };
  const first = await request(worker.url, key, 'POST', `/v1/customers/${id}/tax_ids`, 'type=us_ein&value=12-3456789', headers);
  const again = await request(worker.url, key, 'POST', `/v1/customers/${id}/tax_ids`, 'type=us_ein&value=12-3456789', headers);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.text, first.text);
  assert.equal((await stripe.customers.listTaxIds(id)).data.length, 1);
});

test('tax id calls on a deleted customer are 404s on customer and change nothing', async () => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { id } = await stripe.customers.create({ tax_id_data: [{ type: 'us_ein', value: '12-3456789' }] });
  const [txi] = (await stripe.customers.listTaxIds(id)).data;
  await stripe.customers.del(id);
  const whole = () => request(worker.url, key, 'GET', `/v1/customers/${id}?include_deleted=true&expand[]=tax_ids`);
  const before = await whole();
  const calls = [
    ['POST', `/v1/customers/${id}/tax_ids`, 'type=us_ein&value=12-3456789'],
    ['POST', `/v1/customers/${id}/tax-ids`, 'type=us_ein&value=12-3456789'],
    ['DELETE', `/v1/customers/${id}/tax_ids/${txi.id}`],
    ['GET', `/v1/customers/${id}/tax_ids/${txi.id}`],
    ['GET', `/v1/customers/${id}/tax_ids`],
  ];
  for (const [method, path, body] of calls) {
    const res = await request(worker.url, key, method, path, body);
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.json.error.code, 'resource_missing');
    assert.equal(res.json.error.message, `No such customer: '${id}'`);
    assert.equal(res.json.error.param, 'customer');
  }
  await assert.rejects(stripe.customers.createTaxId(id, { type: 'us_ein', value: '12-3456789' }), { statusCode: 404 });
  const after = await whole();
  assert.equal(after.text, before.text, 'the stored customer is byte-identical');
  assert.equal(after.json.tax_ids.data.length, 1);
});

test("another account's customer and its tax ids are a 404 on every tax id route", async () => {
  const owner = newKey();
  const stripe = stripeClient(worker.url, owner);
  const { id } = await stripe.customers.create({});
  const txi = await stripe.customers.createTaxId(id, { type: 'us_ein', value: '12-3456789' });
  const other = newKey();
  const calls = [
    ['POST', `/v1/customers/${id}/tax_ids`, 'type=us_ein&value=12-3456789'],
    ['GET', `/v1/customers/${id}/tax_ids`],
    ['GET', `/v1/customers/${id}/tax-ids`],
    ['GET', `/v1/customers/${id}/tax_ids/${txi.id}`],
    ['DELETE', `/v1/customers/${id}/tax_ids/${txi.id}`],
    ['DELETE', `/v1/customers/${id}/tax-ids/${txi.id}`],
  ];
  for (const [method, path, body] of calls) {
    const res = await request(worker.url, other, method, path, body);
    assert.equal(res.status, 404, `${method} ${path}`);
    assert.equal(res.json.error.message, `No such customer: '${id}'`);
  }
  assert.deepEqual((await stripe.customers.listTaxIds(id)).data.map((t) => t.id), [txi.id], 'the owner still has it');
});

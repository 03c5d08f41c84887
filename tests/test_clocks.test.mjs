// End to end: test clocks, and the customers attached to them (`test_clock` on create,
// left out of GET /v1/customers unless asked for, deleted with their clock).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './support/receiver.mjs';
import { startWorker, stripeClient, rejection } from './support/worker.mjs';
import { assertSchema } from './support/object-schema.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

test('test clocks are created, retrieved, listed, advanced forward only and deleted', async () => {
  const stripe = stripeClient(worker.url);
  const frozen = 1_700_000_000;
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: frozen, name: 'Annual renewal' });
  assertSchema(clock, 'test_helpers.test_clock');
  assert.match(clock.id, /^clock_/);
  assert.equal(clock.object, 'test_helpers.test_clock');
  assert.equal(clock.status, 'ready');
  assert.equal(clock.frozen_time, frozen);
  assert.equal(clock.deletes_after, clock.created + 30 * 86400);
  assert.equal((await stripe.testHelpers.testClocks.retrieve(clock.id)).name, 'Annual renewal');
  const second = await stripe.testHelpers.testClocks.create({ frozen_time: frozen });
  const list = await stripe.testHelpers.testClocks.list();
  assert.deepEqual(list.data.map((c) => c.id).sort(), [clock.id, second.id].sort());
  assert.equal(list.url, '/v1/test_helpers/test_clocks');
  // An advance answers `advancing` (the old frozen time) and is `ready` at the target soon after.
  const advanced = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozen + 86400 });
  assert.equal(advanced.status, 'advancing');
  assert.equal(advanced.frozen_time, frozen);
  await eventually(async () => (await stripe.testHelpers.testClocks.retrieve(clock.id)).status === 'ready', 10_000, 'clock ready');
  assert.equal((await stripe.testHelpers.testClocks.retrieve(clock.id)).frozen_time, frozen + 86400);
  const back = await rejection(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: frozen }));
  assert.equal(back.param, 'frozen_time');
  const missing = await rejection(stripe.testHelpers.testClocks.create({}));
  assert.equal(missing.param, 'frozen_time');
  const deleted = await stripe.testHelpers.testClocks.del(second.id);
  assert.deepEqual({ id: deleted.id, object: deleted.object, deleted: deleted.deleted }, { id: second.id, object: 'test_helpers.test_clock', deleted: true });
  const gone = await rejection(stripe.testHelpers.testClocks.retrieve(second.id));
  assert.equal(gone.statusCode, 404);
  assert.equal(gone.message, `No such test clock: '${second.id}'`);
});

test('a clock customer is listed only with test_clock=, and deleting the clock deletes it', async () => {
  const stripe = stripeClient(worker.url);
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: 1_700_000_000 });
  const onClock = await stripe.customers.create({ name: 'clocked', test_clock: clock.id });
  assertSchema(onClock, 'customer');
  assert.equal(onClock.test_clock, clock.id);
  const plain = await stripe.customers.create({ name: 'plain' });
  assert.deepEqual((await stripe.customers.list()).data.map((c) => c.id), [plain.id]);
  assert.deepEqual((await stripe.customers.list({ test_clock: clock.id })).data.map((c) => c.id), [onClock.id]);
  const missing = await rejection(stripe.customers.create({ test_clock: 'clock_nope' }));
  assert.equal(missing.param, 'test_clock');
  assert.equal(missing.message, "No such test clock: 'clock_nope'");
  await stripe.testHelpers.testClocks.del(clock.id);
  const after = await stripe.customers.retrieve(onClock.id);
  assert.equal(after.deleted, true);
  assert.equal((await stripe.customers.retrieve(plain.id)).deleted, undefined);
});

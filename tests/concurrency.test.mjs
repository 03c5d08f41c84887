// End to end: concurrency — 50 concurrent updates to one customer lose nothing, and 200
// concurrent creates across 5 accounts each appear exactly once in their own account's
// list (and search, and events) and nowhere else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWorker, stripeClient, newKey } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

test('50 concurrent updates to different metadata keys of one customer all survive, each once', async () => {
  const stripe = stripeClient(worker.url);
  const { id } = await stripe.customers.create({ name: 'Contended' });
  await Promise.all(
    Array.from({ length: 50 }, (_, i) => stripe.customers.update(id, { metadata: { [`k${i}`]: `v${i}` } })),
  );
  const c = await stripe.customers.retrieve(id);
  assert.equal(Object.keys(c.metadata).length, 50);
  for (let i = 0; i < 50; i++) assert.equal(c.metadata[`k${i}`], `v${i}`);
  const [listed] = (await stripe.customers.list({ limit: 1 })).data;
  assert.deepEqual(listed.metadata, c.metadata, 'the index holds the newest version');
  const found = await stripe.customers.search({ query: "metadata['k49']:'v49'" });
  assert.deepEqual(found.data.map((x) => x.id), [id]);
  const updates = await stripe.events.list({ type: 'customer.updated', limit: 100 });
  assert.equal(updates.data.length, 50, 'one customer.updated event per update');
  const added = updates.data.map((e) => Object.keys(e.data.previous_attributes.metadata)).flat().sort();
  assert.deepEqual(added, Array.from({ length: 50 }, (_, i) => `k${i}`).sort(), 'each event names its own key');
});

test('200 concurrent creates across 5 accounts each appear exactly once, in their own account only', async () => {
  const accounts = Array.from({ length: 5 }, () => ({ key: newKey() }));
  for (const account of accounts) account.stripe = stripeClient(worker.url, account.key);
  const jobs = Array.from({ length: 200 }, (_, i) => ({ account: accounts[i % 5], n: i }));
  const created = await Promise.all(
    jobs.map(({ account, n }) => account.stripe.customers.create({ name: `n${n}`, metadata: { n: String(n), batch: 'all' } }).then((c) => ({ account, c }))),
  );
  assert.equal(new Set(created.map(({ c }) => c.id)).size, 200, '200 distinct ids');
  for (const account of accounts) {
    const mine = created.filter((x) => x.account === account).map(({ c }) => c.id).sort();
    assert.equal(mine.length, 40);
    const listed = [];
    for await (const c of account.stripe.customers.list({ limit: 100 })) listed.push(c.id);
    assert.deepEqual(listed.slice().sort(), mine, 'its list holds exactly its own 40, once each');
    const found = await account.stripe.customers.search({ query: "metadata['batch']:'all'", limit: 100 });
    assert.deepEqual(found.data.map((c) => c.id).sort(), mine, 'search agrees');
    const events = await account.stripe.events.list({ type: 'customer.created', limit: 100 });
    assert.deepEqual(events.data.map((e) => e.data.object.id).sort(), mine, 'one customer.created each');
    // Another account's ids are 404s here.
    const foreign = created.find((x) => x.account !== account).c.id;
    await assert.rejects(account.stripe.customers.retrieve(foreign), (err) => err.statusCode === 404);
  }
});

// End to end: crashes. The worker runs in a child process (tests/support/child-worker.mjs:
// Miniflare with its Durable Object and KV state persisted in a temporary directory) that
// the test kills with SIGKILL, process group and all, then starts again on the same state.
// 1. Crashes (three) in the middle of a stream of writes loses no acknowledged write, and once
//    the clients retry what was in flight (with their idempotency keys), list and search
//    agree with retrieve, every write exactly once.
// 2. A restart between a commit and its copies: the copies fail (FAULTS), the server dies,
//    and after the restart the `propagate` job recorded with the commit brings list,
//    search and events up to date with no request.
// 3. The same for the KV copy, which a write no longer waits for: every KV put fails, the
//    server dies, and after the restart the KV copies reach the newest version.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { newKey, request } from './support/worker.mjs';
import { childWorkers } from './support/children.mjs';
import { eventually, sleep } from './support/receiver.mjs';

const { tempDir, startChild, kill, waitExit, cleanup } = childWorkers('edge-crash-');
after(cleanup);

/** Counts for the README's Reliability section. */
const counts = { crashes: 0, acknowledged: 0, inFlight: 0, conflicts: 0 };
const ROUNDS = 3;
after(() => console.log(`# crash counts: ${JSON.stringify(counts)}`));

async function listAll(url, key) {
  const ids = [];
  let after = '';
  for (;;) {
    const page = await request(url, key, 'GET', `/v1/customers?limit=100${after}`);
    assert.equal(page.status, 200, page.text);
    ids.push(...page.json.data.map((c) => c.id));
    if (!page.json.has_more) return ids;
    after = `&starting_after=${ids.at(-1)}`;
  }
}

test('three kill -9s in the middle of a stream of writes lose no acknowledged write, and list and search agree with retrieve after each restart', { timeout: 240_000 }, async () => {
  const persist = tempDir();
  let server = await startChild(persist);
  const key = newKey();
  const writes = [];
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // Four lanes each create a customer, then update it, one idempotency key per request,
    // until the server dies under them.
    let stop = false;
    const send = async (w, path) => {
      const r = await request(server.url, key, 'POST', path, w.body, { 'Idempotency-Key': w.idem });
      if (r.status !== 200) throw new Error(r.text);
      w.acked = r.json;
    };
    async function lane() {
      while (!stop) {
        const i = n++;
        const create = { kind: 'create', i, idem: `crash-create-${i}`, body: `name=c${i}&metadata[batch]=crash&metadata[i]=${i}` };
        writes.push(create);
        try {
          await send(create, '/v1/customers');
        } catch {
          return;
        }
        if (stop) return;
        const update = { kind: 'update', i, id: create.acked.id, idem: `crash-update-${i}`, body: `metadata[updated]=yes&name=u${i}` };
        writes.push(update);
        try {
          await send(update, `/v1/customers/${update.id}`);
        } catch {
          return;
        }
      }
    }
    const ackedBefore = writes.filter((w) => w.acked).length;
    const lanes = Array.from({ length: 4 }, lane);
    await eventually(async () => writes.filter((w) => w.acked).length >= ackedBefore + 40, 60_000, '40 more acknowledged writes');
    kill(server.child);
    stop = true;
    counts.crashes++;
    await Promise.all(lanes);
    await waitExit(server.child);
    server = await startChild(persist);

    const inFlight = writes.filter((w) => !w.acked && !w.retried);
    counts.acknowledged += writes.filter((w) => w.acked).length - ackedBefore;
    counts.inFlight += inFlight.length;
    // Nothing acknowledged is lost: each shows at least what its answer showed.
    for (const w of writes.filter((w) => w.acked)) {
      const id = w.kind === 'create' ? w.acked.id : w.id;
      const r = await request(server.url, key, 'GET', `/v1/customers/${id}`);
      assert.equal(r.status, 200, r.text);
      if (w.kind === 'create') assert.equal(r.json.metadata.i, String(w.i), `create ${w.i}`);
      else assert.equal(r.json.name, `u${w.i}`, `update ${w.i}`);
    }
    // The clients retry what was in flight with the same keys (a key still marked as
    // running is a 409 until it is taken as abandoned).
    for (const w of inFlight) {
      w.retried = true;
      const path = w.kind === 'create' ? '/v1/customers' : `/v1/customers/${w.id}`;
      await eventually(async () => {
        const r = await request(server.url, key, 'POST', path, w.body, { 'Idempotency-Key': w.idem });
        if (r.status === 409) {
          counts.conflicts++;
          return false;
        }
        assert.equal(r.status, 200, r.text);
        w.acked = r.json;
        return true;
      }, 30_000, `retry of ${w.idem}`);
    }
    const creates = writes.filter((w) => w.kind === 'create');
    const expected = creates.map((w) => w.acked.id).sort();
    assert.equal(new Set(expected).size, creates.length, 'each create made one customer');
    await eventually(async () => (await listAll(server.url, key)).length === expected.length, 30_000, 'list');
    assert.deepEqual((await listAll(server.url, key)).sort(), expected, 'list holds each customer once');
    const found = await request(server.url, key, 'GET', `/v1/customers/search?limit=100&query=${encodeURIComponent("metadata['batch']:'crash'")}`);
    assert.equal(found.json.data.length, Math.min(100, expected.length), 'search agrees');
    // Every listed document is the one retrieve answers.
    const listed = await request(server.url, key, 'GET', '/v1/customers?limit=100');
    for (const c of listed.json.data) {
      assert.deepEqual(c, (await request(server.url, key, 'GET', `/v1/customers/${c.id}`)).json, `list agrees with retrieve on ${c.id}`);
    }
  }
  kill(server.child);
});

test('a restart between a commit and its copies: the propagate job brings list, search and events up to date', { timeout: 120_000 }, async () => {
  const persist = tempDir();
  let server = await startChild(persist, { FAULTS: 'index_upsert' });
  const key = newKey();
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const r = await request(server.url, key, 'POST', '/v1/customers', `name=p${i}&metadata[batch]=restart`);
    assert.equal(r.status, 200, r.text);
    ids.push(r.json.id);
  }
  assert.equal((await listAll(server.url, key)).length, 0, 'every copy failed before the crash');
  kill(server.child);
  counts.crashes++;
  await waitExit(server.child);

  server = await startChild(persist);
  await eventually(async () => (await listAll(server.url, key)).length === 5, 60_000, 'list after the restart');
  assert.deepEqual((await listAll(server.url, key)).sort(), ids.slice().sort());
  const found = await request(server.url, key, 'GET', `/v1/customers/search?query=${encodeURIComponent("metadata['batch']:'restart'")}`);
  assert.equal(found.json.data.length, 5);
  const events = await request(server.url, key, 'GET', '/v1/events?type=customer.created');
  assert.equal(events.json.data.length, 5, 'the outbox delivered each event once');
  kill(server.child);
});

test('a restart before the KV copies: the propagate job brings each KV copy to the newest version', { timeout: 120_000 }, async () => {
  const persist = tempDir();
  let server = await startChild(persist, { FAULTS: 'kv_put' });
  const key = newKey();
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const created = await request(server.url, key, 'POST', '/v1/customers', `name=k${i}`);
    assert.equal(created.status, 200, created.text);
    const updated = await request(server.url, key, 'POST', `/v1/customers/${created.json.id}`, `name=k${i}-2`);
    assert.equal(updated.status, 200, 'a write answers without waiting for its KV copy');
    ids.push(created.json.id);
  }
  const kvCopy = async (srv, id) => {
    const r = await fetch(`${srv.peek}/kv/${id}`);
    return r.status === 200 ? JSON.parse(await r.text()) : null;
  };
  for (const id of ids) assert.equal(await kvCopy(server, id), null, 'every KV put failed before the crash');
  kill(server.child);
  counts.crashes++;
  await waitExit(server.child);

  server = await startChild(persist);
  for (const id of ids) {
    await eventually(async () => (await kvCopy(server, id))?.version === 2, 60_000, `KV copy of ${id}`);
    assert.match((await kvCopy(server, id)).record.customer.name, /^k\d-2$/);
  }
  kill(server.child);
});

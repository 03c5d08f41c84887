// End to end: search answered through its indexes (case-insensitive expression indexes,
// the FTS5 trigram table kept by triggers) answers exactly what a reading of every row
// answers: ASCII-only case folding as SQLite's lower(), substrings anywhere, absent
// fields, renames and deletes. An account persisted before the trigram table existed is
// migrated on start. The bench-only paths are not in the API's build at all, and answer
// in the bench's build (build-bench/) only with BENCH_BULK on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWorker, stripeClient, newKey, request } from './support/worker.mjs';

let worker;
before(async () => {
  worker = await startWorker();
});
after(() => worker.close());

const PEOPLE = [
  { name: 'Jenny Smith', email: 'Jenny@Example.com', phone: '+1 555 0100' },
  { name: 'JENNY ROSEN', email: 'jrosen@example.org' },
  { name: 'Ölaf Berg', email: 'olaf@example.net', phone: '+49 30 555' },
  { name: 'ölaf berg', phone: '555-0199' },
  { name: "O'Brien \"Bo\"", email: 'bo@EXAMPLE.com' },
  { name: 'smíth', email: 'smith@example.com' },
  { email: 'nobody@example.com' },
  {},
];

/** SQLite's lower(): ASCII letters only. */
const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** What a clause matches, reading every customer (the meaning the indexes must keep). */
function matches(customer, [field, op, value]) {
  const v = customer[field];
  if (v == null) return false;
  return op === ':' ? lower(v) === lower(value) : lower(v).includes(lower(value));
}

const quote = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

async function everyResult(stripe, query) {
  const ids = [];
  for await (const c of stripe.customers.search({ query, limit: 100 })) ids.push(c.id);
  return ids;
}

async function seededAccount(url, key = newKey()) {
  const stripe = stripeClient(url, key);
  const customers = [];
  for (const p of PEOPLE) customers.push(await stripe.customers.create(p));
  return { stripe, customers };
}

/** Every clause kind, alone, negated, and in ORs, against the row-by-row reading. */
async function assertSameAnswers(stripe, customers) {
  const clauses = [];
  for (const field of ['name', 'email', 'phone']) {
    for (const value of ['jenny', 'JENNY ROSEN', 'ölaf', 'Ölaf berg', 'OLAF', 'Brien "B', "o'b", 'smi', 'SMÍ', 'example.COM', '555', '+1 555 0100', 'zzz']) {
      if (value.length >= 3) clauses.push([field, '~', value], [field, ':', value]);
    }
  }
  const newestFirst = customers.slice().reverse();
  for (const clause of clauses) {
    const [field, op, value] = clause;
    const query = `${field}${op}${quote(value)}`;
    const expected = newestFirst.filter((c) => matches(c, clause)).map((c) => c.id);
    assert.deepEqual(await everyResult(stripe, query), expected, query);
    const negated = newestFirst.filter((c) => !matches(c, clause)).map((c) => c.id);
    assert.deepEqual(await everyResult(stripe, `-${query}`), negated, `-${query}`);
  }
  for (let i = 0; i + 1 < clauses.length; i += 3) {
    const [a, b] = [clauses[i], clauses[(i * 7 + 5) % clauses.length]];
    const query = `${a[0]}${a[1]}${quote(a[2])} OR ${b[0]}${b[1]}${quote(b[2])}`;
    const expected = newestFirst.filter((c) => matches(c, a) || matches(c, b)).map((c) => c.id);
    assert.deepEqual(await everyResult(stripe, query), expected, query);
  }
}

test('indexed search answers what reading every row answers, case and all', async () => {
  const { stripe, customers } = await seededAccount(worker.url);
  await assertSameAnswers(stripe, customers);
});

test('the trigram index follows renames and deletes', async () => {
  const { stripe, customers } = await seededAccount(worker.url);
  const [jenny, rosen] = customers;
  const renamed = await stripe.customers.update(jenny.id, { name: 'Penny Smith', phone: '' });
  await stripe.customers.del(rosen.id);
  customers[0] = renamed;
  customers.splice(1, 1);
  assert.deepEqual(await everyResult(stripe, "name~'enny'"), [renamed.id]);
  assert.deepEqual(await everyResult(stripe, "name~'jenny'"), []);
  assert.deepEqual(await everyResult(stripe, "phone~'0100'"), []);
  await assertSameAnswers(stripe, customers);
});

// Most of the newest rows hold "Mem", "ber" and "er ": the index is asked for the other
// trigrams only (trigrams.rs, stop trigrams), and the row test still keeps out the
// customers that hold those but not the text, before and after a rename.
test('substrings of what most customers share answer exactly as reading every row', async () => {
  const stripe = stripeClient(worker.url, newKey());
  const people = [{ name: 'Bob 12 Ember' }, { name: 'Ember 1' }, { name: 'member' }];
  for (let i = 0; i < 70; i++) people.push({ name: `Member ${i}` });
  const customers = [];
  for (const p of people) customers.push(await stripe.customers.create(p));
  const answers = async () => {
    const newestFirst = customers.slice().reverse();
    for (const value of ['ember 1', 'EMBER 12', 'member', 'mber 6', 'b 12 e', 'r 69', 'ember 70']) {
      const expected = newestFirst.filter((c) => matches(c, ['name', '~', value])).map((c) => c.id);
      assert.deepEqual(await everyResult(stripe, `name~${quote(value)}`), expected, value);
    }
  };
  await answers();
  const renamed = await stripe.customers.update(customers[10].id, { name: 'Ember 70' });
  customers[10] = renamed;
  await answers();
  assert.deepEqual(await everyResult(stripe, "name~'ember 70'"), [renamed.id]);
  assert.equal((await everyResult(stripe, "name~'ember 1'")).length, 12); // Ember 1, Member 1, 10-19
});

/** Python's sqlite3 with FTS5, to turn a persisted account back into the old schema. */
function python() {
  try {
    execFileSync('python3', ['-c', "import sqlite3; sqlite3.connect(':memory:').execute(\"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')\")"], { stdio: 'ignore' });
    return 'python3';
  } catch {
    return null;
  }
}

test('an account indexed before the trigram table existed is migrated on start', { skip: !python() && 'needs python3 with sqlite3 FTS5' }, async () => {
  const persist = fs.mkdtempSync(path.join(os.tmpdir(), 'search-migrate-'));
  try {
    let w = await startWorker({ persist });
    const key = newKey();
    const { customers } = await seededAccount(w.url, key);
    await w.close();
    // What an older version left: no trigram table, no triggers, no new indexes.
    const files = [];
    const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.sqlite') && files.push(path.join(dir, e.name))));
    walk(persist);
    const downgrade = `
import sqlite3, sys
for f in sys.argv[1:]:
    db = sqlite3.connect(f)
    if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'customer_search'").fetchone(): continue
    for t in ['customer_search_insert', 'customer_search_update', 'customer_search_delete']: db.execute('DROP TRIGGER ' + t)
    for i in ['customers_by_lower_email_created', 'customers_by_lower_name', 'customers_by_lower_phone']: db.execute('DROP INDEX ' + i)
    db.execute('DROP TABLE customer_search')
    db.execute('CREATE INDEX customers_by_lower_email ON customers (lower(email)) WHERE deleted = 0')
    db.commit()
    print(f)`;
    const downgraded = execFileSync(python(), ['-c', downgrade, ...files]).toString().trim();
    assert.ok(downgraded, 'the account object was found and downgraded');
    w = await startWorker({ persist });
    try {
      const again = stripeClient(w.url, key);
      await assertSameAnswers(again, customers);
      const added = await again.customers.create({ name: 'Jenny Added' });
      assert.deepEqual((await everyResult(again, "name~'jenny'")).slice(0, 1), [added.id]);
    } finally {
      await w.close();
    }
  } finally {
    fs.rmSync(persist, { recursive: true, force: true });
  }
});

test('the bench-only paths (bulk seeding, billing tick) are unknown URLs but in the bench build with BENCH_BULK on', async () => {
  const key = newKey();
  // The API's build has no such paths, whatever its vars say.
  const release = await startWorker({ vars: { BENCH_BULK: 'true' } });
  try {
    const plain = await stripeClient(release.url, key).customers.create({ name: 'no bench' });
    const seed = JSON.stringify({ op: 'index', template: plain.id, marker: 1, from: 0, to: 10, created: 1, per_second: 1 });
    const tick = JSON.stringify({ customer: plain.id, to: 2_000_000_000 });
    for (const [route, body] of [['/bench/bulk', seed], ['/bench/bill', tick]]) {
      const answer = await request(release.url, key, 'POST', route, body, { 'Content-Type': 'application/json' }, { skipSchema: true });
      assert.equal(answer.status, 404, route);
      assert.equal(answer.json.error.type, 'invalid_request_error', route);
    }
  } finally {
    await release.close();
  }
  // The bench's build without the var: unknown too.
  const off = await startWorker({ build: 'build-bench' });
  try {
    const offRefused = await request(off.url, key, 'POST', '/bench/bulk', '{}', { 'Content-Type': 'application/json' }, { skipSchema: true });
    assert.equal(offRefused.status, 404);
  } finally {
    await off.close();
  }
  const bench = await startWorker({ build: 'build-bench', vars: { BENCH_BULK: 'true', SANDBOX_MAX_CUSTOMERS: '0' } });
  try {
    const stripe = stripeClient(bench.url, key);
    const template = await stripe.customers.create({ name: 'Customer 987654321', email: 'user987654321@example.com', metadata: { ref: 'r987654321', tier: 't1' }, address: { line1: '987654321 Main Street', postal_code: '54321' } });
    const post = (command) => fetch(`${bench.url}/bench/bulk`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify(command) });
    const seeded = await post({ op: 'index', template: template.id, marker: 987654321, from: 0, to: 50, created: template.created - 100, per_second: 10 });
    assert.equal(seeded.status, 200);
    assert.deepEqual(await seeded.json(), { indexed: 51 });
    const [c7] = (await stripe.customers.search({ query: "metadata['ref']:'r7'" })).data;
    assert.equal(c7.id, 'cus_B0000000000007');
    assert.deepEqual([c7.name, c7.email, c7.metadata, c7.address.line1, c7.address.postal_code, c7.created], ['Customer 7', 'user7@example.com', { ref: 'r7', tier: 't7' }, '7 Main Street', '00007', template.created - 100]);
    assert.deepEqual(ids((await stripe.customers.search({ query: "name~'stomer 4'" }))), ['cus_B0000000000049', 'cus_B0000000000048', 'cus_B0000000000047', 'cus_B0000000000046', 'cus_B0000000000045', 'cus_B0000000000044', 'cus_B0000000000043', 'cus_B0000000000042', 'cus_B0000000000041', 'cus_B0000000000040']);
    assert.equal((await post({ op: 'objects', from: 0, to: 10 })).status, 200);
    assert.equal((await stripe.customers.retrieve('cus_B0000000000007')).name, 'Customer 7');
    await assert.rejects(stripe.customers.retrieve('cus_B0000000000017'), /No such customer/);
    // The billing tick the CustomerObject's alarm sends, to a given moment: the renewal of
    // a subscription created now (its draft, finalized and charged an hour later).
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 2000, recurring: { interval: 'month' }, product_data: { name: 'Gold' } });
    const payer = await stripe.customers.create({ payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await stripe.subscriptions.create({ customer: payer.id, items: [{ price: price.id }] });
    const bill = (json) => fetch(`${bench.url}/bench/bill`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify(json) });
    assert.equal((await bill({ customer: payer.id })).status, 400);
    const renewed = await bill({ customer: payer.id, to: sub.current_period_end + 3601 });
    assert.equal(renewed.status, 200);
    assert.deepEqual((await stripe.invoices.list({ customer: payer.id })).data.map((i) => [i.status, i.period_end]), [['paid', sub.current_period_end], ['paid', sub.current_period_start]]);
    const after = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(after.current_period_start, sub.current_period_end);
    const types = (await stripe.events.list({ limit: 100 })).data.map((e) => e.type);
    assert.ok(types.includes('invoice.upcoming') && types.includes('invoice.paid'), types.join(','));
  } finally {
    await bench.close();
  }
});

const ids = (result) => result.data.map((c) => c.id);

// The trigram index's upkeep (search_upkeep.rs): checking every 256 writes, the account
// merges the index in its alarm once a thousand customers (or a tenth of the index) were
// added since the last merge; search answers the same after the merge.
test('the account merges its trigram index in its alarm once enough of it changed', async () => {
  const bench = await startWorker({ build: 'build-bench', vars: { BENCH_BULK: 'true', SANDBOX_MAX_CUSTOMERS: '0' } });
  try {
    const key = newKey();
    const stripe = stripeClient(bench.url, key);
    const post = async (command) => (await fetch(`${bench.url}/bench/bulk`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify(command) })).json();
    const template = await stripe.customers.create({ name: 'Customer 987654321', email: 'user987654321@example.com', metadata: { ref: 'r987654321', tier: 't1' } });
    await post({ op: 'index', template: template.id, marker: 987654321, from: 0, to: 3000, created: template.created - 100, per_second: 100 });
    assert.deepEqual(await post({ op: 'upkeep_status' }), { changes: 3001 });
    const writes = Array.from({ length: 260 }, (_, i) => ({ name: `Writer ${i}` }));
    while (writes.length) await Promise.all(writes.splice(0, 20).map((w) => stripe.customers.create(w)));
    let changes;
    for (let tries = 0; tries < 100; tries++) {
      ({ changes } = await post({ op: 'upkeep_status' }));
      if (changes < 100) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(changes < 100, `customers added since the last merge: ${changes}`);
    // Customer 12, 120-129, 1200-1299; none of the writers.
    assert.equal((await everyResult(stripe, "name~'stomer 12'")).length, 111);
    assert.equal((await everyResult(stripe, "name~'riter 25'")).length, 11);
    assert.deepEqual(await post({ op: 'upkeep' }), { merged: true });
  } finally {
    await bench.close();
  }
});

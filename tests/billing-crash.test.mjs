// End to end: a test clock's advance survives kill -9. The worker runs in a child process
// (tests/support/child-worker.mjs: Miniflare with its Durable Object and KV state
// persisted in a temporary directory) that the test kills with SIGKILL, process group
// and all, then starts again on the same state (as tests/crash.test.mjs does).
// An advance answers `advancing`; the AccountObject's `advance_clocks` alarm job then
// ticks each of the clock's customers up to the target (one commit each, with its
// events) and marks the clock `ready`. A tick to a moment already reached changes
// nothing, so the advance is exactly-once whatever the crashes. Three customers with a
// monthly subscription on one clock are advanced a year in steps of two months (Stripe's
// limit: two intervals of the shortest subscription); the server is killed right after
// an advance answers, again just after the restart, a few ms in, and between two
// customers (`FAULTS=clock_tick:1` loses the first customer's answer, so the advance
// waits for its retry with one customer done); and one advance retries a lost answer
// with no kill. Afterwards each customer has one paid invoice per period, numbered
// without gaps or duplicates, each charged once, the periods contiguous; the event log
// holds each event once (each invoice's created, finalized, paid once); and the webhook
// receiver got every billing event, an id twice only across a crash (sent, then the
// server died before it recorded the success).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Stripe from 'stripe';
import { newKey, stripeClient, rejection } from './support/worker.mjs';
import { startReceiver, eventually, sleep } from './support/receiver.mjs';
import { childWorkers } from './support/children.mjs';

const { tempDir, startChild, kill, waitExit, cleanup } = childWorkers('edge-billing-crash-');
const receivers = [];
after(async () => {
  cleanup();
  for (const r of receivers) await r.close();
});

/** What happened, for the log: crashes, how long each advance took, repeats. */
const counts = { crashes: 0, advancingAfterRestart: 0, midway: 0, advanceMs: [], redelivered: 0 };
after(() => console.log(`# billing crash counts: ${JSON.stringify(counts)}`));

/** 2024-01-15 00:00:00 UTC plus `months` months and `hours` hours, in unix seconds. */
const at = (months, hours = 0) => Date.UTC(2024, months, 15, hours) / 1000;
const T0 = at(0);
const CUSTOMERS = 3;
/** Periods billed: the first invoice at T0, then one renewal a month for 12 months. */
const PERIODS = 13;

/** Every event of the account, newest first (bounded: 50 pages of 100). */
async function allEvents(stripe) {
  const events = [];
  let starting_after;
  for (let page = 0; page < 50; page++) {
    const got = await stripe.events.list({ limit: 100, ...(starting_after ? { starting_after } : {}) });
    events.push(...got.data);
    if (!got.has_more) return events;
    starting_after = got.data.at(-1).id;
  }
  throw new Error('more than 5000 events');
}

const billing = (type) => type.startsWith('invoice.') || type.startsWith('customer.subscription.');

test('kill -9 during test clock advances: a year of renewals for three customers, each period invoiced and charged once, each event recorded once', { timeout: 300_000 }, async () => {
  const started = Date.now();
  const persist = tempDir();
  let server = await startChild(persist);
  const key = newKey();
  let stripe = stripeClient(server.url, key);
  /** Each crash: when the server was killed, and when the new one said it was up (it may
   * send before that, and a send of the dead one may land after the kill). */
  const restarts = [];
  /** kill -9, then a restart on the same state with `vars` (FAULTS) for the new life. */
  const crash = async (vars = {}) => {
    const killed = Date.now();
    kill(server.child);
    counts.crashes++;
    await waitExit(server.child);
    server = await startChild(persist, vars);
    restarts.push({ killed, ready: Date.now() });
    stripe = stripeClient(server.url, key);
  };

  const receiver = await startReceiver();
  receivers.push(receiver);
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'] });
  const price = await stripe.prices.create({ currency: 'usd', unit_amount: 2000, recurring: { interval: 'month' }, product_data: { name: 'x' } });
  const clock = await stripe.testHelpers.testClocks.create({ frozen_time: T0 });
  const customers = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const customer = await stripe.customers.create({ test_clock: clock.id, payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }] });
    assert.equal(sub.status, 'active');
    assert.equal(sub.current_period_start, T0);
    customers.push({ customer, sub });
  }

  /** Each customer's next invoice number, as its own object has it (no index involved). */
  const sequences = () => Promise.all(customers.map(async ({ customer }) => (await stripe.customers.retrieve(customer.id)).next_invoice_sequence));

  /**
   * Advances the clock to `target` and waits until it is `ready` there. `lost`: the
   * server is first restarted with `FAULTS=clock_tick:1`, so the advance's first run
   * stops after one customer (its answer lost) and is run again two seconds later.
   * `kills`, one kill -9 and restart each: `'answer'` right after the advance answers
   * `advancing`; `'midway'` (with `lost`) once one customer is ahead of the others,
   * i.e. between customers; a number: that many ms after the advance answered (or,
   * after a first kill, after the restart).
   */
  let advances = 0;
  const advance = async (target, { lost = false, kills: plan = [] } = {}) => {
    if (lost) await crash({ FAULTS: 'clock_tick:1' });
    const t = Date.now();
    const before = await sequences();
    const advancing = await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: target });
    assert.equal(advancing.status, 'advancing');
    advances++;
    for (const when of plan) {
      if (when === 'midway') {
        assert.ok(lost, "'midway' needs the lost answer");
        let seen = before;
        for (const until = Date.now() + 10_000; Date.now() < until && !seen.some((n, i) => n > before[i]); ) seen = await sequences();
        assert.ok(seen.some((n, i) => n > before[i]), 'a customer billed the renewals');
        assert.ok(seen.some((n, i) => n === before[i]), `another has not yet: ${JSON.stringify({ before, seen })}`);
        counts.midway++;
      } else if (typeof when === 'number') {
        await sleep(when);
      }
      await crash();
      if ((await stripe.testHelpers.testClocks.retrieve(clock.id)).status === 'advancing') counts.advancingAfterRestart++;
    }
    let ready;
    await eventually(async () => {
      ready = await stripe.testHelpers.testClocks.retrieve(clock.id);
      return ready.status === 'ready';
    }, 60_000, `clock ready at ${new Date(target * 1000).toISOString()} (${JSON.stringify({ lost, plan })})`);
    assert.equal(ready.frozen_time, target);
    const elapsed = Date.now() - t;
    // A lost answer is tried again two seconds after the run started, not before.
    if (lost) assert.ok(elapsed >= 1500, `the lost answer was retried (${elapsed} ms)`);
    // Two renewals per customer in two months (none in the first hour), whatever the crashes.
    const renewed = target === at(0, 1) ? 0 : 2;
    assert.deepEqual(await sequences(), before.map((n) => n + renewed), 'two renewals per customer');
    counts.advanceMs.push(elapsed);
  };

  // One hour first, so that every later target (two months on) is an hour past a period
  // end: the renewal made then has been finalized and charged, none is left a draft.
  await advance(at(0, 1));
  // Stripe's limit: two intervals of the shortest subscription, no further.
  const far = await rejection(stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at(2, 1) + 1 }));
  assert.equal(far.statusCode, 400);
  assert.equal(far.param, 'frozen_time');
  // Kills: right after the answer; between customers; none; right after the answer, then
  // again just after the restart; a few ms in; and a lost answer with no kill.
  const plans = [{ kills: ['answer'] }, { lost: true, kills: ['midway'] }, {}, { kills: ['answer', 40] }, { kills: [25] }, { lost: true }];
  for (let step = 0; step < plans.length; step++) await advance(at(2 * (step + 1), 1), plans[step]);
  assert.equal(advances, 7);
  assert.equal(counts.crashes, 7);
  assert.equal(counts.midway, 1);

  // Each customer: one paid invoice per period, numbered 0001..0013, each charged once,
  // their periods contiguous from T0.
  const invoiceIds = new Set();
  for (const { customer, sub } of customers) {
    const invoices = (await stripe.invoices.list({ customer: customer.id, limit: 100 })).data;
    assert.equal(invoices.length, PERIODS, `${customer.id}: one invoice per period`);
    const numbers = invoices.map((i) => i.number).sort();
    const expected = Array.from({ length: PERIODS }, (_, k) => `${customer.invoice_prefix}-${String(k + 1).padStart(4, '0')}`);
    assert.deepEqual(numbers, expected, `${customer.id}: numbers without gaps or duplicates`);
    for (const invoice of invoices) {
      assert.equal(invoice.status, 'paid', `${invoice.id} paid`);
      assert.equal(invoice.attempt_count, 1, `${invoice.id} charged once`);
      assert.equal(invoice.amount_paid, 2000, `${invoice.id} amount`);
      assert.equal(invoice.subscription, sub.id);
      invoiceIds.add(invoice.id);
    }
    const periods = invoices.map((i) => i.lines.data[0].period).sort((a, b) => a.start - b.start);
    assert.deepEqual(periods, Array.from({ length: PERIODS }, (_, k) => ({ start: at(k), end: at(k + 1) })), `${customer.id}: contiguous periods`);
    const now = await stripe.subscriptions.retrieve(sub.id);
    assert.equal(now.status, 'active');
    assert.equal(now.current_period_start, at(12));
    assert.equal((await stripe.customers.retrieve(customer.id)).next_invoice_sequence, PERIODS + 1);
  }
  assert.equal(invoiceIds.size, CUSTOMERS * PERIODS);

  // The event log: every event once, each invoice's events once.
  const events = await allEvents(stripe);
  assert.equal(new Set(events.map((e) => e.id)).size, events.length, 'no event id twice in the log');
  for (const type of ['invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded']) {
    const of = events.filter((e) => e.type === type).map((e) => e.data.object.id);
    assert.equal(of.length, invoiceIds.size, `${type}: one per invoice`);
    assert.deepEqual(new Set(of), invoiceIds, `${type}: each invoice once`);
  }
  const upcoming = events.filter((e) => e.type === 'invoice.upcoming');
  assert.equal(upcoming.length, CUSTOMERS * (PERIODS - 1), 'one invoice.upcoming before each renewal');
  const clockEvents = (type) => events.filter((e) => e.type === type && e.data.object.id === clock.id).length;
  assert.equal(clockEvents('test_helpers.test_clock.advancing'), advances);
  assert.equal(clockEvents('test_helpers.test_clock.ready'), advances, 'each advance finished once');
  // Renewals: one subscription update per period end, per customer.
  const renewals = events.filter((e) => e.type === 'customer.subscription.updated' && e.data.previous_attributes?.current_period_start !== undefined);
  assert.equal(renewals.length, CUSTOMERS * (PERIODS - 1), 'one renewal per period end');

  // The receiver: every billing event arrives, signed; an id arrives again only across a
  // crash (sent, then the server died before it recorded the success, and the restarted
  // one sent it again).
  const logged = new Set(events.map((e) => e.id));
  const billingIds = new Set(events.filter((e) => billing(e.type)).map((e) => e.id));
  const verifier = new Stripe('sk_test_verifier');
  const received = () => receiver.deliveries.map((d) => ({ at: d.at, event: verifier.webhooks.constructEvent(d.body, d.headers['stripe-signature'], endpoint.secret) }));
  await eventually(async () => {
    const got = new Set(received().map((r) => r.event.id).filter((id) => billingIds.has(id)));
    return got.size === billingIds.size;
  }, 90_000, `every billing event delivered (${billingIds.size})`);
  const arrivals = new Map();
  for (const { at, event } of received()) {
    assert.ok(logged.has(event.id), `a received event is in the log: ${event.id}`);
    arrivals.set(event.id, [...(arrivals.get(event.id) ?? []), at]);
  }
  for (const [id, times] of arrivals) {
    for (let i = 1; i < times.length; i++) {
      counts.redelivered++;
      assert.ok(restarts.some((r) => times[i - 1] < r.ready && r.killed <= times[i]), `${id} delivered twice with no restart in between: ${JSON.stringify({ times, restarts })}`);
    }
  }
  const loggedBilling = new Set([...arrivals.keys()].filter((id) => billingIds.has(id)));
  assert.deepEqual(loggedBilling, billingIds);
  counts.events = events.length;
  counts.deliveries = receiver.deliveries.length;
  counts.totalMs = Date.now() - started;
  kill(server.child);
});

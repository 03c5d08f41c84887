// End to end: the dashboard (public/dashboard/, served by the Worker through [assets] when
// DASHBOARD=true) in a real, headless Chromium driven by playwright-core, against the
// built worker in Miniflare and a real webhook receiver on 127.0.0.1. Screenshots of each
// page go to test-output/dashboard/. Chromium is Debian's (scripts/setup.sh installs it);
// without it the browser test is skipped with a message, except under CI, where it fails.
// The page may reach nothing but 127.0.0.1: every other request is refused and fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startWorker, stripeClient, newKey, request, ASSETS } from './support/worker.mjs';
import { startReceiver, sleep } from './support/receiver.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHOTS = path.join(root, 'test-output', 'dashboard');
const FAST_RETRIES = { WEBHOOK_RETRY_SCHEDULE: '200,800,60000', WEBHOOK_TIMEOUT_MS: '3000' };
const DAY = 86400;

/** Debian's chromium (or CHROMIUM_BIN), if installed. */
function chromiumPath() {
  const candidates = [process.env.CHROMIUM_BIN, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => p && fs.existsSync(p));
}
const CHROMIUM = chromiumPath();
const NO_BROWSER = CHROMIUM
  ? false
  : 'Chromium is not installed: run `bash scripts/setup.sh` as root (it runs `apt-get install chromium`), or set CHROMIUM_BIN';

let worker;
before(async () => {
  worker = await startWorker({ assets: true, vars: { ...FAST_RETRIES, DASHBOARD: 'true' } });
});
after(() => worker.close());

// ---------------------------------------------------------------------------------------
// Serving and gating (no browser).

test('wrangler.toml: the dashboard is off in production, on in preview, and its [assets] are what the tests start', () => {
  process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= 'false';
  process.env.WRANGLER_SEND_METRICS ??= 'false';
  const { unstable_readConfig: readConfig } = createRequire(import.meta.url)('wrangler');
  const config = (env) => readConfig({ config: path.join(root, 'wrangler.toml'), env });
  const production = config(undefined);
  const preview = config('preview');
  assert.equal(production.vars.DASHBOARD, 'false');
  assert.equal(preview.vars.DASHBOARD, 'true');
  for (const c of [production, preview]) {
    assert.equal(path.resolve(root, c.assets.directory), ASSETS.directory, c.name);
    assert.equal(c.assets.binding, ASSETS.binding, c.name);
    assert.equal(c.assets.run_worker_first, true, `${c.name}: every request reaches the Worker, which gates /dashboard`);
    assert.equal(c.assets.html_handling, ASSETS.assetConfig.html_handling, c.name);
    assert.equal(c.assets.not_found_handling, ASSETS.assetConfig.not_found_handling, c.name);
  }
  assert.match(fs.readFileSync(path.join(root, 'scripts', 'dev.sh'), 'utf8'), /--var DASHBOARD:true/, 'on under npm run dev');
});

test('with DASHBOARD=true /dashboard redirects to /dashboard/, which serves the page, its script and styles', async () => {
  const bare = await fetch(`${worker.url}/dashboard`, { redirect: 'manual' });
  assert.ok([301, 302, 307, 308].includes(bare.status), `status ${bare.status}`);
  assert.equal(new URL(bare.headers.get('location'), worker.url).pathname, '/dashboard/');
  const page = await fetch(`${worker.url}/dashboard/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /^text\/html/);
  const html = await page.text();
  assert.match(html, /<script src="\/dashboard\/app\.js" defer><\/script>/);
  assert.match(html, /Content-Security-Policy/);
  assert.doesNotMatch(html, /https?:\/\//, 'nothing is loaded from elsewhere');
  for (const [file, type] of [['app.js', /javascript/], ['style.css', /^text\/css/]]) {
    const res = await fetch(`${worker.url}/dashboard/${file}`);
    assert.equal(res.status, 200, file);
    assert.match(res.headers.get('content-type'), type, file);
    assert.doesNotMatch(await res.text(), /https?:\/\/(?!stripe\.com)/, `${file} loads nothing from elsewhere`);
  }
  // The API is still the Worker's, assets or not.
  const key = newKey();
  const created = await request(worker.url, key, 'POST', '/v1/customers', 'name=api');
  assert.equal(created.status, 200);
  const missing = await request(worker.url, key, 'GET', '/dashboard/nothing-here', undefined, {}, { skipSchema: true });
  assert.equal(missing.status, 404);
});

test('a production-mode worker (no DASHBOARD var, SANDBOX_KEYS=false) does not serve the page', async (t) => {
  const production = await startWorker({ assets: true, vars: { SANDBOX_KEYS: 'false' } });
  t.after(() => production.close());
  for (const p of ['/dashboard', '/dashboard/', '/dashboard/index.html', '/dashboard/app.js', '/dashboard/style.css', '/app.js', '/index.html', '/']) {
    const res = await request(production.url, undefined, 'GET', p);
    assert.equal(res.status, 404, p);
    assert.match(res.json.error.message, /^Unrecognized request URL/, p);
  }
  const off = await startWorker({ assets: true, vars: { DASHBOARD: 'false' } });
  t.after(() => off.close());
  assert.equal((await request(off.url, undefined, 'GET', '/dashboard/')).status, 404, 'DASHBOARD=false');
});

// ---------------------------------------------------------------------------------------
// In the browser.

/**
 * A 404 the page expects and the browser logs anyway: the customer page says "Nothing
 * upcoming" on the upcoming invoice's 404 `invoice_upcoming_none`.
 */
function expected404(msg) {
  return /status of 404/.test(msg.text()) && /\/v1\/invoices\/upcoming\?/.test(msg.location().url);
}

/**
 * A fresh headless Chromium and page that may reach 127.0.0.1 only: `elsewhere` collects
 * the requests it refused, `problems` script errors, CSP violations and unexpected
 * console errors; `shot(name)` saves a screenshot to test-output/dashboard/.
 */
async function newPage(t) {
  assert.ok(CHROMIUM, NO_BROWSER || 'no chromium');
  const { chromium } = await import('playwright-core');
  fs.mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // launch() gives the browser a fresh, empty user-data-dir of its own.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const elsewhere = [];
  await context.route('**/*', (route) => {
    const { hostname, protocol } = new URL(route.request().url());
    if (protocol === 'data:' || hostname === '127.0.0.1') return route.continue();
    elsewhere.push(route.request().url());
    return route.abort();
  });
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expected404(msg)) problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  return { page, elsewhere, problems, shot };
}

/** `newPage`, with the key given at `hash` (the customers by default). */
async function openDashboard(t, key, hash = '') {
  const opened = await newPage(t);
  await opened.page.goto(`${worker.url}/dashboard/${hash}`);
  await opened.page.getByLabel('Secret key').fill(key);
  await opened.page.getByRole('button', { name: 'Open' }).click();
  return opened;
}

/** Seconds as the page prints them. */
const utc = (seconds) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/** Waits until the element `selector` reads as `pattern` (a RegExp) says. */
async function untilText(page, selector, pattern) {
  await page.waitForFunction(([sel, source, flags]) => new RegExp(source, flags).test(document.querySelector(sel)?.innerText ?? ''),
    [selector, pattern.source, pattern.flags]);
}

/** Waits until the endpoint's attempts number at least `n`. */
async function attemptsReach(key, endpointId, n) {
  for (let i = 0; i < 100; i += 1) {
    const res = await request(worker.url, key, 'GET', `/v1/webhook_endpoints/${endpointId}/delivery_attempts?limit=100`);
    if (res.json.data.length >= n) return res.json.data;
    await sleep(100);
  }
  assert.fail(`fewer than ${n} attempts`);
}

test('the dashboard finds a customer, shows it with its created event, and the delivery attempt to a local receiver, and resends it', { skip: process.env.CI ? false : NO_BROWSER, timeout: 180_000 }, async (t) => {
  // What the user's code did, through the API.
  const receiver = await startReceiver();
  t.after(() => receiver.close());
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const endpoint = await stripe.webhookEndpoints.create({ url: receiver.url, enabled_events: ['*'], description: 'local receiver' });
  const jenny = await stripe.customers.create({
    name: 'Jenny Rosen', email: 'jenny.rosen@example.com', phone: '+14155550100',
    metadata: { plan: 'pro', order_id: '6735' }, address: { line1: '510 Townsend St', city: 'San Francisco', country: 'US' },
  });
  await stripe.customers.createTaxId(jenny.id, { type: 'eu_vat', value: 'DE123456789' });
  const hostile = '<img src=x onerror="window.__pwned=1"><b>Mallory</b>';
  await stripe.customers.create({ name: hostile, email: 'mallory@example.com' });
  await stripe.customers.create({ name: 'Someone Else', email: 'else@example.com' });
  await receiver.waitFor((d) => d.length >= 4);
  await attemptsReach(key, endpoint.id, 4);
  const created = (await stripe.events.list({ type: 'customer.created', limit: 100 })).data.find((e) => e.data.object.id === jenny.id);
  assert.ok(created, 'the customer.created event');

  const { page, elsewhere, problems, shot } = await newPage(t);

  // The key.
  await page.goto(`${worker.url}/dashboard`);
  assert.equal(new URL(page.url()).pathname, '/dashboard/');
  await page.getByRole('heading', { name: 'Open an account' }).waitFor();
  await shot('1-key');
  await page.getByLabel('Secret key').fill(key);
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByRole('heading', { name: 'Customers' }).waitFor();
  assert.equal(await page.evaluate((k) => sessionStorage.getItem('edge-customers.dashboard.key') === k, key), true);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'the key is in session storage only');

  // Customers: newest first, and user input stays text.
  const rows = page.locator('#view tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 3);
  assert.match(await rows.nth(0).innerText(), /Someone Else/);
  assert.match(await rows.nth(2).innerText(), /Jenny Rosen/);
  await page.getByText(hostile, { exact: true }).waitFor();
  assert.equal(await page.locator('#view img, #view b').count(), 0, 'no markup from customer data');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);

  // Search, with the query language of /v1/customers/search.
  await page.locator('#customer-query').fill("email:'jenny.rosen@example.com'");
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => document.querySelectorAll('#view tbody tr').length === 1);
  assert.match(await rows.first().innerText(), new RegExp(`${jenny.id}\\s+Jenny Rosen\\s+jenny\\.rosen@example\\.com`));
  assert.match(page.url(), /#\/customers\?query=/);
  await shot('2-customers-search');

  // The customer's page: fields, metadata, tax id, its events.
  await page.getByRole('link', { name: jenny.id }).click();
  await page.getByRole('heading', { name: /Jenny Rosen/ }).waitFor();
  const details = await page.locator('#customer-fields').innerText();
  assert.match(details, /jenny\.rosen@example\.com/);
  assert.match(details, /510 Townsend St, San Francisco, US/);
  const metadata = await page.locator('#customer-metadata').innerText();
  assert.match(metadata, /plan\s+pro/);
  assert.match(metadata, /order_id\s+6735/);
  assert.match(await page.locator('#customer-tax-ids').innerText(), /eu_vat\s+DE123456789/);
  assert.match(await page.locator('#customer-discount').innerText(), /No discount/);
  assert.match(await page.locator('#customer-upcoming').innerText(), /Nothing upcoming\./);
  assert.equal(await page.locator('#delinquent').count(), 0);
  const events = page.locator('#customer-events .event');
  await events.first().waitFor();
  const types = await events.evaluateAll((els) => els.map((e) => e.dataset.type));
  assert.deepEqual(types, ['customer.tax_id.created', 'customer.created'], 'its events only, newest first');
  await page.locator('#customer-events .event[data-type="customer.created"] summary').click();
  assert.match(await page.locator('#customer-events .event[data-type="customer.created"] pre').innerText(), new RegExp(`"id": "${created.id}"`));
  await shot('3-customer');

  // Events, filtered by type, with their JSON.
  await page.getByRole('link', { name: 'Events', exact: true }).click();
  await page.getByRole('heading', { name: 'Events' }).waitFor();
  await page.locator('#event-type').fill('customer.created');
  await page.getByRole('button', { name: 'Filter' }).click();
  await page.waitForFunction(() => location.hash.includes('type=customer.created') && document.querySelectorAll('#view .event').length === 3);
  const listed = await page.locator('#view .event').evaluateAll((els) => els.map((e) => e.dataset.type));
  assert.deepEqual(listed, ['customer.created', 'customer.created', 'customer.created']);
  await page.locator('#view .event').last().locator('summary').click();
  assert.match(await page.locator('#view .event').last().locator('pre').innerText(), /"type": "customer\.created"/);
  await shot('4-events');

  // Webhooks: the endpoint and its delivery attempts, with status; then resend.
  await page.getByRole('link', { name: 'Webhooks' }).click();
  const card = page.locator(`section[data-endpoint="${endpoint.id}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), new RegExp(receiver.url.replace(/[.]/g, '\\.')));
  const attempt = card.locator('tbody tr', { hasText: created.id });
  await attempt.waitFor();
  assert.match(await attempt.innerText(), /\b200\b[\s\S]*\d+ ms[\s\S]*\bok\b/);
  assert.equal(await card.locator('tbody tr').count(), 4);
  await shot('5-webhooks');

  const before = receiver.deliveries.length;
  await attempt.getByRole('button', { name: 'Resend' }).click();
  await card.getByText(`${created.id} will be sent again to this endpoint.`).waitFor();
  await receiver.waitFor((d) => d.length > before);
  assert.equal(JSON.parse(receiver.deliveries[before].body).id, created.id, 'the same event again');
  await attemptsReach(key, endpoint.id, 5);
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.waitForFunction((id) => document.querySelectorAll(`section[data-endpoint="${id}"] tbody tr`).length === 5, endpoint.id);
  const again = await card.locator('tbody tr', { hasText: created.id }).count();
  assert.equal(again, 2, 'two attempts of the event, the resent one first');
  await shot('6-webhooks-resent');

  // Forgetting the key leaves nothing behind.
  await page.getByRole('button', { name: 'Forget key' }).click();
  await page.getByRole('heading', { name: 'Open an account' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);

  assert.deepEqual(elsewhere, [], 'no request left 127.0.0.1');
  assert.deepEqual(problems, [], 'no script errors and no CSP violations');
});

test('a refused key brings the key form back with the API\'s message', { skip: process.env.CI ? false : NO_BROWSER, timeout: 60_000 }, async (t) => {
  const { chromium } = await import('playwright-core');
  const production = await startWorker({ assets: true, vars: { DASHBOARD: 'true', SANDBOX_KEYS: 'false' } });
  t.after(() => production.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${production.url}/dashboard/`);
  await page.getByLabel('Secret key').fill('not a key');
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByText('That is not a secret key').waitFor();
  await page.getByLabel('Secret key').fill(newKey());
  await page.getByRole('button', { name: 'Open' }).click();
  await page.getByText(/Invalid API Key provided/).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');
});

test('the Test clocks view creates a clock, lists the customer on it, and advances it, polling while it advances', { skip: process.env.CI ? false : NO_BROWSER, timeout: 120_000 }, async (t) => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { page, elsewhere, problems, shot } = await openDashboard(t, key);
  await page.getByRole('link', { name: 'Test clocks' }).click();
  await page.getByRole('heading', { name: 'Test clocks' }).waitFor();
  await page.getByText('No test clocks yet.').waitFor();

  // Created in the page: it then shows the new clock alone.
  const start = Date.UTC(2024, 0, 30, 12) / 1000;
  await page.getByLabel('Clock name').fill('Renewals');
  await page.getByLabel('Frozen time (UTC)').fill('2024-01-30T12:00');
  await page.getByRole('button', { name: 'Create clock' }).click();
  await page.waitForFunction(() => /^#\/test_clocks\/clock_/.test(location.hash));
  const clockId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]);
  const selector = `section[data-clock="${clockId}"]`;
  const card = page.locator(selector);
  await card.waitFor();
  const created = await stripe.testHelpers.testClocks.retrieve(clockId);
  assert.deepEqual([created.name, created.frozen_time, created.status], ['Renewals', start, 'ready']);
  assert.match(await card.innerText(), /Status\s+ready\s+Frozen time\s+2024-01-30 12:00:00 UTC/);
  await card.getByText('No customers on this clock.').waitFor();

  // A customer on it (through the API), there after a refresh.
  const carla = await stripe.customers.create({ name: 'Clocked Carla', email: 'carla@example.com', test_clock: clockId });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await card.getByRole('link', { name: carla.id }).waitFor();
  await shot('7-clock-created');

  // +1 day: today's API answers the advanced clock at once, ready; the page shows it.
  await card.getByRole('button', { name: '+1 day' }).click();
  await untilText(page, selector, /Status\s+ready\s+Frozen time\s+2024-01-31 12:00:00 UTC/);
  assert.equal((await stripe.testHelpers.testClocks.retrieve(clockId)).frozen_time, start + DAY);
  await card.getByRole('link', { name: carla.id }).waitFor();

  // +1 month as Stripe answers it: `advancing`, and so for the next two polls, then ready.
  let polls = 0;
  const advanceUrl = `${worker.url}/v1/test_helpers/test_clocks/${clockId}/advance`;
  const clockUrl = `${worker.url}/v1/test_helpers/test_clocks/${clockId}`;
  const stillAdvancing = async (route, advancing) => {
    const response = await route.fetch();
    const clock = await response.json();
    await route.fulfill({ response, json: advancing ? { ...clock, status: 'advancing' } : clock });
  };
  await page.route(advanceUrl, (route) => stillAdvancing(route, true));
  await page.route(clockUrl, (route) => { polls += 1; return stillAdvancing(route, polls <= 2); });
  await card.getByRole('button', { name: '+1 month' }).click();
  await card.locator('[data-status="advancing"]').getByText('advancing…').waitFor();
  assert.equal(await card.getByRole('button', { name: '+1 day' }).isDisabled(), true, 'no advance while advancing');
  await shot('8-clock-advancing');
  await untilText(page, selector, /Status\s+ready\s+Frozen time\s+2024-02-29 12:00:00 UTC/); // Jan 31 + 1 month
  assert.ok(polls >= 3, `${polls} polls`);
  await page.unrouteAll();
  assert.equal((await stripe.testHelpers.testClocks.retrieve(clockId)).frozen_time, Date.UTC(2024, 1, 29, 12) / 1000);

  // To a date and time typed in.
  await card.getByLabel('Advance to (UTC)').fill('2024-03-15T08:30');
  await card.getByRole('button', { name: 'Advance', exact: true }).click();
  await untilText(page, selector, /Status\s+ready\s+Frozen time\s+2024-03-15 08:30:00 UTC/);
  assert.equal((await stripe.testHelpers.testClocks.retrieve(clockId)).frozen_time, Date.UTC(2024, 2, 15, 8, 30) / 1000);
  await shot('9-clock-advanced');

  // Listed among the clocks; its customer's page links back to it.
  await page.getByRole('link', { name: '← Test clocks' }).click();
  await page.getByRole('heading', { name: 'Test clocks' }).waitFor();
  await page.getByRole('link', { name: 'Renewals' }).waitFor();
  await card.getByRole('link', { name: carla.id }).click();
  await page.getByRole('heading', { name: /Clocked Carla/ }).waitFor();
  assert.equal(await page.locator('#customer-fields').getByRole('link', { name: clockId }).getAttribute('href'), `#/test_clocks/${clockId}`);
  assert.match(await page.locator('#customer-upcoming').innerText(), /Nothing upcoming\./);
  await shot('10-clock-customer');

  assert.deepEqual(elsewhere, [], 'no request left 127.0.0.1');
  assert.deepEqual(problems, [], 'no script errors and no CSP violations');
});

/** A customer paying with `card` (a magic test payment method) for 2 × 15.00 USD a month. */
async function subscribed(stripe, name, card) {
  const product = await stripe.products.create({ name: 'Pro plan' });
  const price = await stripe.prices.create({ product: product.id, unit_amount: 1500, currency: 'usd', recurring: { interval: 'month' } });
  const customer = await stripe.customers.create({ name, payment_method: card, invoice_settings: { default_payment_method: card } });
  // The customer's default (the card attached above) pays: a magic id names no attached card.
  const subscription = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id, quantity: 2 }] });
  const latest = typeof subscription.latest_invoice === 'string' ? subscription.latest_invoice : subscription.latest_invoice.id;
  return { customer, subscription, latest };
}

test('a customer page shows its active subscription, its paid invoice and the upcoming one', { skip: process.env.CI ? false : NO_BROWSER, timeout: 120_000 }, async (t) => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  const { customer, subscription, latest } = await subscribed(stripe, 'Subscribed Sam', 'pm_card_visa');
  const invoice = await stripe.invoices.retrieve(latest);
  const upcoming = await request(worker.url, key, 'GET', `/v1/invoices/upcoming?customer=${customer.id}`);
  assert.equal(upcoming.status, 200, upcoming.text);

  const { page, elsewhere, problems, shot } = await openDashboard(t, key, `#/customers/${customer.id}`);
  await page.getByRole('heading', { name: /Subscribed Sam/ }).waitFor();
  const sub = page.locator(`#customer-subscriptions tr[data-subscription="${subscription.id}"]`);
  assert.equal(await sub.locator('[data-status]').innerText(), 'active');
  // The period is the subscription's (or, in newer API versions, its item's).
  const period = subscription.current_period_start === undefined ? subscription.items.data[0] : subscription;
  assert.match(await sub.innerText(), new RegExp(`15\\.00 USD / month × 2\\s+${utc(period.current_period_start)} → ${utc(period.current_period_end)}\\s+${latest}`));

  const paid = page.locator(`#customer-invoices tr[data-invoice="${latest}"]`);
  assert.equal(await paid.locator('[data-status]').innerText(), 'paid');
  assert.match(await paid.innerText(), new RegExp(`${invoice.number}\\s+${latest}\\s+paid\\s+30\\.00 USD\\s+30\\.00 USD\\s+${invoice.attempt_count}\\s`));
  assert.equal(await paid.getByRole('button').count(), 0, 'nothing to pay or void');

  const next = await page.locator('#customer-upcoming').innerText();
  assert.match(next, /Amount due\s+30\.00 USD/);
  if (upcoming.json.next_payment_attempt) assert.match(next, new RegExp(`Next payment attempt\\s+${utc(upcoming.json.next_payment_attempt)}`));
  assert.equal(await page.locator('#delinquent').count(), 0);
  await shot('11-billing-customer');

  assert.deepEqual(elsewhere, [], 'no request left 127.0.0.1');
  assert.deepEqual(problems, [], 'no script errors and no CSP violations');
});

test('a failed first payment: the customer is flagged delinquent, the open invoice shows its attempt and is voided from the page', { skip: process.env.CI ? false : NO_BROWSER, timeout: 120_000 }, async (t) => {
  const key = newKey();
  const stripe = stripeClient(worker.url, key);
  // Attaches, then every charge fails: the subscription is created `incomplete` (payment_behavior
  // allow_incomplete, the default), its first invoice left open, and "an automatic payment
  // failure" sets the customer's `delinquent` (Stripe's customer object reference).
  const { customer, subscription, latest } = await subscribed(stripe, 'Failing Fay', 'pm_card_chargeCustomerFail');
  assert.equal(subscription.status, 'incomplete');

  const { page, elsewhere, problems, shot } = await openDashboard(t, key, `#/customers/${customer.id}`);
  await page.locator('#delinquent').getByText('Delinquent').waitFor();
  const sub = page.locator(`#customer-subscriptions tr[data-subscription="${subscription.id}"]`);
  assert.equal(await sub.locator('[data-status]').innerText(), 'incomplete');
  const open = page.locator(`#customer-invoices tr[data-invoice="${latest}"]`);
  assert.equal(await open.locator('[data-status]').innerText(), 'open');
  assert.match(await open.innerText(), /open\s+30\.00 USD\s+0\.00 USD\s+1\s/);
  await shot('12-billing-delinquent');

  await open.getByRole('button', { name: 'Void' }).click();
  await page.waitForFunction((id) => document.querySelector(`#customer-invoices tr[data-invoice="${id}"] [data-status]`)?.textContent === 'void', latest);
  assert.equal((await stripe.invoices.retrieve(latest)).status, 'void');
  assert.equal(await open.getByRole('button').count(), 0);

  assert.deepEqual(elsewhere, [], 'no request left 127.0.0.1');
  assert.deepEqual(problems, [], 'no script errors and no CSP violations');
});

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
  assert.ok(CHROMIUM, NO_BROWSER || 'no chromium');
  const { chromium } = await import('playwright-core');
  fs.mkdirSync(SHOTS, { recursive: true });

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
    // The customer page asks for /v1/customers/{id}/payment_methods and hides the section
    // on a 404 (that route is not in every build); the browser logs that 404.
    const expected = /\/payment_methods\b/.test(msg.location().url) && /status of 404/.test(msg.text());
    if (msg.type() === 'error' && !expected) problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

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

// Test support: starts the built worker (build/) in workerd through Miniflare on a
// free port of 127.0.0.1, and hands out per-test API keys, SDK clients and a raw
// HTTP helper. Every test makes its own key, so every test has its own account.
//
// Every JSON body the tests receive, through the SDK or through `request()`, is checked
// against Stripe's 2023-08-16 OpenAPI schema (./schema.mjs). A body the schema does not
// allow fails the test that received it: the test itself runs on unchanged (the SDK
// still sees the body as sent, so its errors keep their types), and an afterEach hook
// then fails it with every violation, `<json path>: <what>`, under the request that
// produced it. An after hook fails the file with all of its violations grouped, so
// none can hide behind a test that was failing for another reason.
import { randomBytes } from 'node:crypto';
import { afterEach, after, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import Stripe from 'stripe';
import { violationsOf } from './schema.mjs';
import { assetsOf, workerOptionsAt } from '../../package/lib/worker-options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** wrangler.toml's `[assets]` as Miniflare takes them (package/lib/worker-options.mjs). */
export const ASSETS = assetsOf(root);

/**
 * Miniflare options equivalent to wrangler.toml, with sandbox keys on and rate limits
 * off (a test suite is itself a burst; tests/limits.test.mjs turns them on). `assets: true`
 * adds the static assets (the dashboard's files); the DASHBOARD var still decides
 * whether the Worker serves them. The same options `npx edge-customers serve` runs.
 * `build: 'build-bench'` runs the bench's build instead (`scripts/build.sh --bench`).
 */
export function workerOptions({ vars = {}, persist, assets = false, build } = {}) {
  return workerOptionsAt(root, { vars: { RATE_LIMITS: 'off', ...vars }, persist, assets, build });
}

/** Starts the worker; returns its base URL and a `close()`. */
export async function startWorker(options = {}) {
  const mf = new Miniflare(workerOptions(options));
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { mf, url, close: () => mf.dispose() };
}

/** A fresh sandbox key: a fresh, empty account. */
/** The error a call rejects with; fails the test if it resolves. */
export async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to be rejected');
}

export function newKey() {
  return `sk_test_${randomBytes(12).toString('hex')}`;
}

/**
 * The official SDK pointed at the worker: host, port and protocol are all that change,
 * and its HTTP client checks every response body against the schema (see below).
 */
export function stripeClient(url, key = newKey()) {
  const { hostname, port } = new URL(url);
  return new Stripe(key, {
    host: hostname,
    port,
    protocol: 'http',
    telemetry: false,
    maxNetworkRetries: 0,
    httpClient: validatingHttpClient(),
  });
}

/**
 * Raw HTTP: `request(url, key, 'POST', '/v1/customers', 'name=x', {headers})`.
 * A string body is sent form-encoded unless a content type is given.
 * A JSON response, success or error, is checked against the schema; pass
 * `{ skipSchema: true }` as the last argument only for a response that is not meant
 * to be a Stripe object at all (even error bodies must match the schema).
 */
export async function request(url, key, method, pathAndQuery, body, headers = {}, { skipSchema = false } = {}) {
  const allHeaders = { ...headers };
  if (key) allHeaders.Authorization = `Bearer ${key}`;
  if (typeof body === 'string' && !Object.keys(allHeaders).some((h) => h.toLowerCase() === 'content-type')) {
    allHeaders['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(url + pathAndQuery, { method, headers: allHeaders, body });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!skipSchema) checkBody(`${method} ${pathAndQuery} → ${response.status} (request)`, response.headers, text);
  return { status: response.status, headers: response.headers, text, json };
}

// ---------------------------------------------------------------------------------------
// Schema checks of every response.

/** Every violation seen in this test file: `{ test, where, violations }`. */
export const schemaViolations = [];
let currentTest = '(outside any test)';
let reported = 0;

/** Checks one response body (text); records its violations. Returns them. */
export function checkBody(where, headers, text) {
  const contentType = headers.get('content-type') ?? '';
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    if (/\bjson\b/i.test(contentType)) return note(where, [`$: the body is not JSON although content-type is ${contentType}: ${JSON.stringify(text.slice(0, 80))}`]);
    return [];
  }
  return checkJson(where, json);
}

/** Checks one parsed response body; records its violations. Returns them. */
function checkJson(where, json) {
  let violations;
  try {
    violations = violationsOf(json);
  } catch (err) {
    // An `object` the validator has no schema for: as much a failure as a violation.
    violations = [err.message];
  }
  return note(where, violations);
}

function note(where, violations) {
  if (violations.length) schemaViolations.push({ test: currentTest, where, violations });
  return violations;
}

/**
 * The SDK's default HTTP client (Node's http, exactly what `new Stripe()` builds without
 * an httpClient), with each response's `toJSON()` checking the parsed body before the
 * SDK sees it. Not `Stripe.createFetchHttpClient(fetchFn)`: through that client
 * `lastResponse` is a fetch Response, so `lastResponse.headers` is a Headers object and
 * `lastResponse.headers['idempotent-replayed']` is undefined; this keeps the transport
 * and everything the SDK hands the tests unchanged. A violation is recorded, never
 * thrown here: thrown, it would reach the test as a StripeConnectionError instead of the
 * StripeInvalidRequestError or object the test checks.
 */
function validatingHttpClient() {
  const client = Stripe.createNodeHttpClient();
  const makeRequest = client.makeRequest.bind(client);
  client.makeRequest = async (host, port, path, method, ...rest) => {
    const response = await makeRequest(host, port, path, method, ...rest);
    const toJSON = response.toJSON.bind(response);
    response.toJSON = async () => {
      const where = `${method} ${path} → ${response.getStatusCode()} (SDK)`;
      let json;
      try {
        json = await toJSON();
      } catch (err) {
        if (typeof err?.rawBody === 'string') checkBody(where, new Headers(response.getHeaders()), err.rawBody);
        throw err;
      }
      checkJson(where, json);
      return json;
    };
    return response;
  };
  return client;
}

const describeViolations = (entries) =>
  entries.map(({ where, violations }) => `${where}\n    ${violations.join('\n    ')}`).join('\n  ');

// Only inside the test runner: bench/serve.mjs imports workerOptions from this module.
// Registered in a microtask, i.e. once the importing test file has been evaluated, so
// these hooks come after the file's own: a failing `after` skips the hooks behind it,
// and the file's `after(() => worker.close())` must still run.
if (process.env.NODE_TEST_CONTEXT || /\.test\.[cm]?js$/.test(process.argv[1] ?? '')) queueMicrotask(registerHooks);

function registerHooks() {
  beforeEach((t) => {
    currentTest = t.name;
  });
  afterEach(() => {
    const mine = schemaViolations.slice(reported);
    reported = schemaViolations.length;
    currentTest = '(outside any test)';
    if (mine.length) {
      const n = mine.reduce((sum, e) => sum + e.violations.length, 0);
      throw new Error(`${mine.length} response(s) do not match Stripe's 2023-08-16 schema (${n} violation(s)):\n  ${describeViolations(mine)}`);
    }
  });
  after(() => {
    if (!schemaViolations.length) return;
    // Every distinct violation once, with how often and in which tests it was seen.
    const groups = new Map();
    for (const { test, violations } of schemaViolations) {
      for (const v of violations) {
        const g = groups.get(v) ?? { count: 0, tests: new Set() };
        g.count += 1;
        g.tests.add(test);
        groups.set(v, g);
      }
    }
    const lines = [...groups].map(([v, g]) => `${v}  ×${g.count} in ${g.tests.size} test(s): ${[...g.tests].map((t) => JSON.stringify(t)).join(', ')}`);
    throw new Error(`schema violations in this file (${schemaViolations.length} response(s), ${groups.size} distinct):\n  ${lines.join('\n  ')}`);
  });
}

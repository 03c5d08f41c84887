// Test support: starts the built worker (build/) in workerd through Miniflare on a
// free port of 127.0.0.1, and hands out per-test API keys, SDK clients and a raw
// HTTP helper. Every test makes its own key, so every test has its own account.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Miniflare } from 'miniflare';
import Stripe from 'stripe';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Miniflare options equivalent to wrangler.toml, with sandbox keys on. */
export function workerOptions({ vars = {}, persist } = {}) {
  return {
    host: '127.0.0.1',
    port: 0,
    ...(persist ? { kvPersist: path.join(persist, 'kv'), durableObjectsPersist: path.join(persist, 'do') } : {}),
    workers: [
      {
        name: 'edge-customers',
        scriptPath: path.join(root, 'build', 'index.js'),
        modules: true,
        modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'], fallthrough: true }],
        compatibilityDate: '2026-04-01',
        kvNamespaces: ['CUSTOMERS'],
        durableObjects: {
          CUSTOMER_OBJECT: { className: 'CustomerObject', useSQLite: true },
          ACCOUNT_OBJECT: { className: 'AccountObject', useSQLite: true },
        },
        bindings: { SANDBOX_KEYS: 'true', READ_CONSISTENCY: 'strong', ...vars },
      },
    ],
  };
}

/** Starts the worker; returns its base URL and a `close()`. */
export async function startWorker(options = {}) {
  const mf = new Miniflare(workerOptions(options));
  const url = (await mf.ready).toString().replace(/\/$/, '');
  return { mf, url, close: () => mf.dispose() };
}

/** A fresh sandbox key: a fresh, empty account. */
export function newKey() {
  return `sk_test_${randomBytes(12).toString('hex')}`;
}

/** The official SDK pointed at the worker: host, port and protocol are all that change. */
export function stripeClient(url, key = newKey()) {
  const { hostname, port } = new URL(url);
  return new Stripe(key, { host: hostname, port, protocol: 'http', telemetry: false, maxNetworkRetries: 0 });
}

/**
 * Raw HTTP: `request(url, key, 'POST', '/v1/customers', 'name=x', {headers})`.
 * A string body is sent form-encoded unless a content type is given.
 */
export async function request(url, key, method, pathAndQuery, body, headers = {}) {
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
  return { status: response.status, headers: response.headers, text, json };
}

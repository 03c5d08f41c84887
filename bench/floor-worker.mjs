// The storage floor: a minimal customers API in plain JS that does the same platform
// work as ours for each request, and nothing else. Same Durable Object layout (one
// object per customer holding its document in SQLite; one per account holding the
// list index, with the same schema and SQL), same hops (worker → customer object →
// account index, then a KV copy, all awaited before answering), JSON in and out. No
// validation, no Stripe rendering rules, no idempotency, no auth: what remains of a
// request's time here is the runtime plus Miniflare's storage simulation. Ours minus
// this is the cost of our code.
//   POST /v1/customers            create            GET /v1/customers/<id>   retrieve (object)
//   POST /v1/customers/<id>       update metadata   GET /kv/<id>             retrieve (KV copy)
//   GET  /v1/customers?limit=&email=  list          POST /seed?from=&to=     bulk create, no HTTP
import { DurableObject } from 'cloudflare:workers';

const NS = 'floor';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(14));
  let s = 'cus_';
  for (const b of bytes) s += ALPHABET[b % 62];
  return s;
}

/** Form body to a customer document (flat keys and one level of brackets). */
function customerFrom(form, id) {
  const doc = {
    id, object: 'customer', address: null, balance: 0, created: Math.floor(Date.now() / 1000), currency: null,
    default_source: null, delinquent: false, description: null, discount: null, email: null,
    invoice_prefix: id.slice(4, 12).toUpperCase(), invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false, metadata: {}, name: null, next_invoice_sequence: 1, phone: null, preferred_locales: [],
    shipping: null, tax_exempt: 'none', test_clock: null,
  };
  applyForm(doc, form);
  return doc;
}
function applyForm(doc, form) {
  for (const [k, v] of form) {
    const m = k.match(/^(\w+)\[(\w+)\]$/);
    if (m) {
      if (m[1] === 'address') doc.address = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null, ...doc.address };
      (doc[m[1]] ??= {})[m[2]] = v;
    } else doc[k] = v;
  }
}

const json = (value, status = 200) =>
  new Response(JSON.stringify(value, null, 2), { status, headers: { 'content-type': 'application/json', 'request-id': 'req_floor' } });

export class FloorCustomer extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS customer (slot INTEGER PRIMARY KEY CHECK (slot = 0), namespace TEXT NOT NULL,
      version INTEGER NOT NULL, document TEXT NOT NULL, indexed_version INTEGER NOT NULL DEFAULT 0)`);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
      status INTEGER NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL)`);
  }
  load() {
    const rows = this.ctx.storage.sql.exec('SELECT version, document FROM customer WHERE slot = 0').toArray();
    return rows.length ? { version: rows[0].version, record: JSON.parse(rows[0].document) } : null;
  }
  async fetch(request) {
    const command = await request.json();
    const sql = this.ctx.storage.sql;
    let stored = this.load();
    if (command.op === 'retrieve') return stored ? Response.json(stored) : new Response('{}', { status: 404 });
    if (command.op === 'create') {
      if (stored) return new Response('{}', { status: 409 });
      stored = { version: 1, record: command.doc };
    } else if (command.op === 'update') {
      if (!stored) return new Response('{}', { status: 404 });
      stored.version += 1;
      Object.assign(stored.record.metadata, command.metadata || {});
    }
    sql.exec(`INSERT INTO customer (slot, namespace, version, document) VALUES (0, ?, ?, ?)
      ON CONFLICT(slot) DO UPDATE SET version = excluded.version, document = excluded.document`, NS, stored.version, JSON.stringify(stored.record));
    // Propagate as ours does: the index (awaited), then the KV copy (awaited).
    const c = stored.record;
    const entry = { id: c.id, created: c.created, email: c.email, name: c.name, phone: c.phone, metadata: JSON.stringify(c.metadata || {}), version: stored.version, document: JSON.stringify(stored) };
    const account = this.env.FLOOR_ACCOUNT.get(this.env.FLOOR_ACCOUNT.idFromName(NS));
    await account.fetch('https://object.internal/', { method: 'POST', body: JSON.stringify({ op: 'upsert', entry }) });
    sql.exec('UPDATE customer SET indexed_version = MAX(indexed_version, ?) WHERE slot = 0', stored.version);
    await this.env.FLOOR_KV.put(`${NS}/customers/${c.id}`, JSON.stringify(stored));
    this.load();
    return Response.json(stored);
  }
}

export class FloorAccount extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS customers (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, created INTEGER NOT NULL,
      email TEXT, name TEXT, phone TEXT, metadata TEXT NOT NULL DEFAULT '{}', test_clock TEXT, deleted INTEGER NOT NULL DEFAULT 0,
      version INTEGER NOT NULL, document TEXT NOT NULL)`);
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_created ON customers (created DESC, seq DESC) WHERE deleted = 0');
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_email ON customers (email, created DESC, seq DESC) WHERE deleted = 0');
    sql.exec('CREATE TABLE IF NOT EXISTS customer_metadata (seq INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, value, seq))');
    sql.exec('CREATE INDEX IF NOT EXISTS customer_metadata_by_seq ON customer_metadata (seq)');
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_lower_email ON customers (lower(email)) WHERE deleted = 0');
  }
  async fetch(request) {
    const command = await request.json();
    const sql = this.ctx.storage.sql;
    if (command.op === 'upsert') {
      const e = command.entry;
      sql.exec(`INSERT INTO customers (id, created, email, name, phone, metadata, test_clock, deleted, version, document)
        VALUES (?, ?, ?, ?, ?, ?, NULL, 0, ?, ?)
        ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = excluded.name, phone = excluded.phone,
          metadata = excluded.metadata, deleted = excluded.deleted, version = excluded.version, document = excluded.document
        WHERE excluded.version > customers.version`, e.id, e.created, e.email, e.name, e.phone, e.metadata, e.version, e.document);
      sql.exec('DELETE FROM customer_metadata WHERE seq = (SELECT seq FROM customers WHERE id = ? AND version = ?)', e.id, e.version);
      sql.exec(`INSERT OR IGNORE INTO customer_metadata (seq, key, value) SELECT c.seq, m.key, m.value FROM customers c, json_each(c.metadata) m
        WHERE c.id = ? AND c.version = ?`, e.id, e.version);
      return new Response('');
    }
    // list
    const limit = command.limit;
    const rows = command.email == null
      ? sql.exec('SELECT document FROM customers WHERE deleted = 0 ORDER BY created DESC, seq DESC LIMIT ?', limit + 1).toArray()
      : sql.exec('SELECT document FROM customers WHERE deleted = 0 AND email = ? ORDER BY created DESC, seq DESC LIMIT ?', command.email, limit + 1).toArray();
    return Response.json({ has_more: rows.length > limit, documents: rows.slice(0, limit).map((r) => JSON.parse(r.document)) });
  }
}

async function create(env, form) {
  const id = newId();
  const stub = env.FLOOR_CUSTOMER.get(env.FLOOR_CUSTOMER.idFromName(`${NS}/${id}`));
  const response = await stub.fetch('https://object.internal/', { method: 'POST', body: JSON.stringify({ op: 'create', doc: customerFrom(form, id) }) });
  return (await response.json()).record;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const parts = url.pathname.split('/').filter(Boolean);
    if (request.method === 'POST' && parts[0] === 'seed') {
      // Bulk create customers `from`..`to`-1 (the driver's seed data), 16 at a time.
      const from = Number(url.searchParams.get('from'));
      const to = Number(url.searchParams.get('to'));
      const ids = [];
      for (let start = from; start < to; start += 16) {
        const batch = [];
        for (let i = start; i < Math.min(to, start + 16); i++) {
          const form = new URLSearchParams({ name: `Customer ${i}`, email: `user${i}@example.com`, 'metadata[ref]': `r${i}`, 'metadata[tier]': `t${i % 10}`,
            'address[line1]': `${i} Main Street`, 'address[city]': 'Springfield', 'address[postal_code]': String(i % 100000).padStart(5, '0'), 'address[country]': 'US' });
          batch.push(create(env, form).then((c) => ids.push(c.id)));
        }
        await Promise.all(batch);
      }
      return Response.json({ ids });
    }
    if (parts[0] === 'kv' && parts[1]) {
      const text = await env.FLOOR_KV.get(`${NS}/customers/${parts[1]}`);
      if (text === null) return json({ error: { message: 'missing' } }, 404);
      return json(JSON.parse(text).record);
    }
    if (parts[0] !== 'v1' || parts[1] !== 'customers') return json({ error: { message: 'no route' } }, 404);
    const id = parts[2];
    if (!id && request.method === 'POST') return json(await create(env, new URLSearchParams(await request.text())));
    if (!id && request.method === 'GET') {
      const account = env.FLOOR_ACCOUNT.get(env.FLOOR_ACCOUNT.idFromName(NS));
      const limit = Number(url.searchParams.get('limit') || '10');
      const response = await account.fetch('https://object.internal/', { method: 'POST', body: JSON.stringify({ op: 'list', limit, email: url.searchParams.get('email') }) });
      const page = await response.json();
      return json({ object: 'list', data: page.documents.map((d) => d.record), has_more: page.has_more, url: '/v1/customers' });
    }
    const stub = env.FLOOR_CUSTOMER.get(env.FLOOR_CUSTOMER.idFromName(`${NS}/${id}`));
    if (request.method === 'GET') {
      const response = await stub.fetch('https://object.internal/', { method: 'POST', body: JSON.stringify({ op: 'retrieve' }) });
      if (response.status !== 200) return json({ error: { message: 'missing' } }, 404);
      return json((await response.json()).record);
    }
    const patch = { metadata: {} };
    applyForm(patch, new URLSearchParams(await request.text()));
    const response = await stub.fetch('https://object.internal/', { method: 'POST', body: JSON.stringify({ op: 'update', metadata: patch.metadata }) });
    if (response.status !== 200) return json({ error: { message: 'missing' } }, 404);
    return json((await response.json()).record);
  },
};

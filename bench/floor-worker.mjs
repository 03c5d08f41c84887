// The storage floor: a minimal customers API in plain JS that does, for each request,
// the same platform work as ours and nothing else (bench/README.md, "What the floor does
// and does not do"). Same Durable Object layout and calls: one object per customer
// (its record, its outbox of events, its idempotency records, its job table and alarm,
// in SQLite), one per account (the index with the same schema and SQL, the event log,
// one delivery row per subscribed endpoint, the idempotency-key registry), called by
// Durable Object RPC as ours are. Ours minus this is the cost of our code.
//   POST /v1/customers            create            GET /v1/customers/<id>   retrieve (object)
//   POST /v1/customers/<id>       update            GET /kv/<id>             retrieve (KV copy)
//   GET  /v1/customers?limit=&email=  list          POST /seed?from=&to=     bulk create, no HTTP
//   POST /v1/webhook_endpoints    url=&enabled_events[]=  (stored; deliveries owed, never sent)
// Every request is in one account, `floor`, unless its API key contains `acct`: then in
// the account of that key (bench/write-ceiling.mjs, eight accounts). No key is checked.
// A POST with an Idempotency-Key claims the key in the account before it runs; the
// customer's object keeps the response, and its index call marks the key as kept by it,
// as ours does (src/edge/mod.rs, idempotency_keys.rs: KEPT_BY_OBJECT). A write costs its
// customer's object one SQLite commit, as ours: what the copies reached is kept in memory,
// the outbox is trimmed by the next commit, and the propagate job is left for its alarm.
import { DurableObject } from 'cloudflare:workers';

const NS = 'floor';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Where the KV copy of a write runs. `true`: the customer's object answers once the
 *  account has the index row and the events, and the KV put runs after the answer (in
 *  `ctx.waitUntil`), as ours. `false`: the put is awaited before the answer (ours until
 *  issue 18). Keep it where ours has it.
 *  The `FLOOR_KV_COPY` binding (`awaited` | `after_answer`) overrides it for one run. */
const KV_COPY_AFTER_ANSWER = true;

/** As ours (src/objects/customer_object/mod.rs, scheduler.rs, propagation.rs). */
const PROPAGATE_JOB = 'propagate';
const PROPAGATION_RETRY_MS = 5000;
const KV_CATCH_UP_ROUNDS = 4;
const DELIVER_JOB = 'deliver';
const PRUNE_EVENTS_JOB = 'prune_events';
const PRUNE_EVENTS_EVERY_MS = 3_600_000;
const PRUNE_KEYS_JOB = 'prune_keys';
const KEY_RETENTION_SECONDS = 86_400;
const RETENTION_SECONDS = 86_400; // an update's idempotency record in the customer's object
const CREATE_RETENTION_SECONDS = 10 * 365 * 86_400; // a keyed create's lives with its customer

function randomId(prefix, n = 14) {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let s = prefix;
  for (const b of bytes) s += ALPHABET[b % 62];
  return s;
}

/** Form body to a customer document (flat keys and one level of brackets). */
function customerFrom(form, id, now) {
  const doc = {
    id, object: 'customer', address: null, balance: 0, created: now, currency: null,
    default_source: null, delinquent: false, description: null, discount: null, email: null,
    invoice_prefix: id.slice(4, 12).toUpperCase(), invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false, metadata: {}, name: null, next_invoice_sequence: 1, phone: null, preferred_locales: [],
    shipping: null, tax_exempt: 'none', test_clock: null,
  };
  applyForm(doc, form);
  return doc;
}
/** Applies form fields to `doc`; answers the previous values of what changed. */
function applyForm(doc, form) {
  const previous = {};
  for (const [k, v] of form) {
    const m = k.match(/^(\w+)\[(\w+)\]$/);
    if (m) {
      if (!(m[1] in previous)) previous[m[1]] = doc[m[1]] == null ? null : { ...doc[m[1]] };
      if (m[1] === 'address') doc.address = { city: null, country: null, line1: null, line2: null, postal_code: null, state: null, ...doc.address };
      (doc[m[1]] ??= {})[m[2]] = v;
    } else {
      if (!(k in previous)) previous[k] = doc[k] ?? null;
      doc[k] = v;
    }
  }
  return previous;
}

/** An event as ours records it (schemas.event), as JSON. */
function eventJson(type, doc, previous, origin) {
  const data = previous ? { object: doc, previous_attributes: previous } : { object: doc };
  return JSON.stringify({
    id: randomId('evt_', 24), object: 'event', api_version: '2023-08-16', created: origin.now, data, livemode: false,
    pending_webhooks: 0, request: { id: origin.requestId, idempotency_key: origin.key ?? null }, type,
  });
}

/** What the index and the KV copy hold: `{version, record}`. */
const storedJson = (version, document) => `{"version":${version},"record":${document}}`;

const HEADERS = { 'content-type': 'application/json', 'request-id': 'req_floor' };
/** A response: a string as it is, anything else as pretty JSON (as the floor always has). */
const answer = (body, status = 200) => new Response(typeof body === 'string' ? body : JSON.stringify(body, null, 2), { status, headers: HEADERS });
const error = (message, status) => answer(JSON.stringify({ error: { message } }), status);

/** The jobs table and alarm of an object, as src/objects/scheduler.rs keeps them. */
class Jobs {
  constructor(storage) {
    this.storage = storage;
    /** When the alarm this instance set fires, until it fires (ours: scheduler::Armed). */
    this.armedAt = null;
    /** The jobs this instance knows are recorded (ours: scheduler::Recorded). */
    this.recorded = new Set();
    storage.sql.exec('CREATE TABLE IF NOT EXISTS jobs (name TEXT PRIMARY KEY, due_at_ms INTEGER NOT NULL)');
  }
  async schedule(name, dueAtMs) {
    this.storage.sql.exec(`INSERT INTO jobs (name, due_at_ms) VALUES (?, ?)
      ON CONFLICT(name) DO UPDATE SET due_at_ms = min(due_at_ms, excluded.due_at_ms)`, name, dueAtMs);
    this.recorded.add(name);
    if (this.armedAt !== null && this.armedAt <= dueAtMs) return;
    await this.rearm();
  }
  fired() {
    this.armedAt = null;
  }
  has(name) {
    if (this.recorded.has(name)) return true;
    const found = this.storage.sql.exec('SELECT count(*) AS n FROM jobs WHERE name = ?', name).one().n > 0;
    if (found) this.recorded.add(name);
    return found;
  }
  takeDue(now) {
    const taken = this.storage.sql.exec('DELETE FROM jobs WHERE due_at_ms <= ? RETURNING name', now).toArray().map((r) => r.name);
    for (const name of taken) this.recorded.delete(name);
    return taken;
  }
  async rearm() {
    const due = this.storage.sql.exec('SELECT min(due_at_ms) AS due FROM jobs').one().due;
    if (due == null) return;
    const at = Date.now() + Math.max(0, due - Date.now());
    await this.storage.setAlarm(at);
    this.armedAt = at;
  }
}

export class FloorCustomer extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS customer (slot INTEGER PRIMARY KEY CHECK (slot = 0), namespace TEXT NOT NULL,
      version INTEGER NOT NULL, document TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
      status INTEGER NOT NULL, body TEXT NOT NULL, expires_at INTEGER NOT NULL)`);
    sql.exec('CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, event TEXT NOT NULL)');
    this.jobs = new Jobs(ctx.storage);
    /** What the copies reached, as ours keeps it (propagation::Copied). */
    this.copied = { committed: 0, indexed: 0, kv: 0, outboxThrough: 0 };
    /** `FLOOR_STAGES` (bench/ab.mjs --floor-stages): `object` answers after the commit,
     *  `index` after the account's index call too (no KV copy); unset: every stage. */
    this.stages = env.FLOOR_STAGES || 'all';
    const mode = env.FLOOR_KV_COPY;
    this.kvAfterAnswer = mode === 'awaited' ? false : mode === 'after_answer' ? true : KV_COPY_AFTER_ANSWER;
  }
  load() {
    const rows = this.ctx.storage.sql.exec('SELECT namespace, version, document FROM customer WHERE slot = 0').toArray();
    return rows.length ? rows[0] : null;
  }
  /** Strong retrieve: the stored version, parsed (the Worker renders it). */
  retrieve() {
    const stored = this.load();
    return stored ? { version: stored.version, record: JSON.parse(stored.document) } : null;
  }
  /** A create (`form` with `id`) or an update (`form` only): `[status, body]`, the body the
   *  customer (rendered by the Worker) or a saved response (sent as it is). The change, its
   *  event (outbox) and the idempotency record commit in one synchronous block. */
  async write(op, form, id, origin) {
    const sql = this.ctx.storage.sql;
    if (origin.key) {
      const saved = sql.exec('SELECT fingerprint, status, body FROM idempotency WHERE key = ?', origin.key).toArray()[0];
      if (saved) return saved.fingerprint === origin.fingerprint ? [saved.status, saved.body] : [400, '{"error":{"message":"idempotency key reused"}}'];
    }
    const stored = this.load();
    let doc;
    let event;
    let version;
    if (op === 'create') {
      if (stored) return [409, '{}'];
      doc = customerFrom(new URLSearchParams(form), id, origin.now);
      event = eventJson('customer.created', doc, null, origin);
      version = 1;
    } else {
      if (!stored) return [404, '{"error":{"message":"No such customer"}}'];
      doc = JSON.parse(stored.document);
      const previous = applyForm(doc, new URLSearchParams(form));
      event = eventJson('customer.updated', doc, previous, origin);
      version = stored.version + 1;
    }
    const document = JSON.stringify(doc);
    sql.exec('INSERT INTO outbox (event) VALUES (?)', event);
    // The outbox rows the index has, trimmed in this commit (the newest row stays).
    if (this.copied.outboxThrough > 0) sql.exec('DELETE FROM outbox WHERE seq <= ? AND seq < (SELECT max(seq) FROM outbox)', this.copied.outboxThrough);
    this.copied.committed = Math.max(this.copied.committed, version);
    sql.exec(`INSERT INTO customer (slot, namespace, version, document) VALUES (0, ?, ?, ?)
      ON CONFLICT(slot) DO UPDATE SET version = excluded.version, document = excluded.document`, origin.ns, version, document);
    // A keyed write saves its response, rendered here once; an unkeyed one is rendered by the Worker.
    const body = origin.key ? JSON.stringify(doc, null, 2) : doc;
    if (origin.key) {
      sql.exec('DELETE FROM idempotency WHERE expires_at < ?', origin.now);
      const retention = op === 'create' ? CREATE_RETENTION_SECONDS : RETENTION_SECONDS;
      sql.exec('INSERT OR REPLACE INTO idempotency (key, fingerprint, status, body, expires_at) VALUES (?, ?, ?, ?, ?)',
        origin.key, origin.fingerprint, 200, body, origin.now + retention);
    }
    // The propagate job is owed from the commit on; its alarm finds the copies done.
    await this.jobs.schedule(PROPAGATE_JOB, Date.now() + PROPAGATION_RETRY_MS);
    if (this.stages === 'object') return [200, body];
    const indexed = await this.propagate(origin.ns, doc, version, document, origin.key);
    return [200, body, Boolean(origin.key && indexed)];
  }
  /** The index row and the outbox's events to the account (awaited), then the KV copy. */
  /** `document` is the record as stored; the index and KV hold `{version, record}`. */
  /** Answers whether the index has the version (and so the kept key). */
  async propagate(ns, doc, version, document, keptKey = null) {
    try {
      await this.copyToIndex(ns, doc, version, document, keptKey);
    } catch (e) {
      console.error('floor: index copy failed', e);
      await this.jobs.schedule(PROPAGATE_JOB, Date.now() + PROPAGATION_RETRY_MS);
      return false;
    }
    if (this.stages === 'index') return true;
    // One KV copy in flight per object: a running one writes this version too.
    if (this.kvInFlight) return true;
    this.kvInFlight = true;
    const kv = this.copyToKv(ns, doc.id, version, document).catch((e) => console.error('floor: KV copy failed', e)).finally(() => (this.kvInFlight = false));
    if (!this.kvAfterAnswer) await kv;
    else this.ctx.waitUntil(kv);
    return true;
  }
  async copyToIndex(ns, doc, version, document, keptKey) {
    const sql = this.ctx.storage.sql;
    const outbox = sql.exec('SELECT seq, event FROM outbox WHERE seq > ? ORDER BY seq', this.copied.outboxThrough).toArray();
    const entry = { id: doc.id, created: doc.created, email: doc.email, name: doc.name, phone: doc.phone, metadata: JSON.stringify(doc.metadata || {}), version, document: storedJson(version, document) };
    await accountOf(this.env, ns).record(entry, outbox.map((r) => r.event), keptKey);
    this.copied.indexed = Math.max(this.copied.indexed, version);
    if (outbox.length) this.copied.outboxThrough = Math.max(this.copied.outboxThrough, outbox[outbox.length - 1].seq);
  }
  /** Puts the newest version; again if a newer one committed while the put was in flight. */
  async copyToKv(ns, id, version, document) {
    const key = `${ns}/customers/${id}`;
    for (let round = 0; round < KV_CATCH_UP_ROUNDS; round++) {
      await this.env.FLOOR_KV.put(key, storedJson(version, document));
      if (this.copied.committed <= version) break;
      const latest = this.load();
      if (!latest || latest.version <= version) break;
      ({ version, document } = latest);
    }
    this.copied.kv = Math.max(this.copied.kv, version);
  }
  async alarm() {
    this.jobs.fired();
    if (this.jobs.takeDue(Date.now()).includes(PROPAGATE_JOB)) {
      const sql = this.ctx.storage.sql;
      const latest = this.load();
      const last = sql.exec('SELECT coalesce(max(seq), 0) AS s FROM outbox').one().s;
      const upToDate = latest && this.copied.indexed >= latest.version && this.copied.kv >= latest.version && this.copied.outboxThrough >= last;
      if (latest && !upToDate) {
        const doc = JSON.parse(latest.document);
        await this.copyToIndex(latest.namespace, doc, latest.version, latest.document, null);
        await this.copyToKv(latest.namespace, doc.id, latest.version, latest.document);
      }
      if (this.copied.outboxThrough > 0) sql.exec('DELETE FROM outbox WHERE seq <= ? AND seq < (SELECT max(seq) FROM outbox)', this.copied.outboxThrough);
    }
    await this.jobs.rearm();
  }
}

export class FloorAccount extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    // The index: ours' schema (src/objects/account_object/customer_index.rs).
    sql.exec(`CREATE TABLE IF NOT EXISTS customers (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, created INTEGER NOT NULL,
      email TEXT, name TEXT, phone TEXT, metadata TEXT NOT NULL DEFAULT '{}', test_clock TEXT, deleted INTEGER NOT NULL DEFAULT 0,
      version INTEGER NOT NULL, document TEXT NOT NULL)`);
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_created ON customers (created DESC, seq DESC) WHERE deleted = 0');
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_email ON customers (email, created DESC, seq DESC) WHERE deleted = 0');
    sql.exec('CREATE TABLE IF NOT EXISTS customer_metadata (seq INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (key, value, seq))');
    sql.exec('CREATE INDEX IF NOT EXISTS customer_metadata_by_seq ON customer_metadata (seq)');
    // Search's indexes, as ours keeps them for every write: the exact clauses' lower()
    // indexes in page order, and the trigram index of name, email and phone (FTS5, external
    // content), kept by triggers in the same statement as every change of an index row.
    sql.exec('DROP INDEX IF EXISTS customers_by_lower_email');
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_lower_email_created ON customers (lower(email), created DESC, seq DESC) WHERE deleted = 0');
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_lower_name ON customers (lower(name), created DESC, seq DESC) WHERE deleted = 0');
    sql.exec('CREATE INDEX IF NOT EXISTS customers_by_lower_phone ON customers (lower(phone), created DESC, seq DESC) WHERE deleted = 0');
    sql.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5(
      name, email, phone, content = 'customers', content_rowid = 'seq', tokenize = 'trigram')`);
    sql.exec(`CREATE TRIGGER IF NOT EXISTS customer_search_insert AFTER INSERT ON customers BEGIN
      INSERT INTO customer_search (rowid, name, email, phone) VALUES (new.seq, new.name, new.email, new.phone);
    END`);
    sql.exec(`CREATE TRIGGER IF NOT EXISTS customer_search_update AFTER UPDATE OF name, email, phone ON customers
      WHEN old.name IS NOT new.name OR old.email IS NOT new.email OR old.phone IS NOT new.phone BEGIN
      INSERT INTO customer_search (customer_search, rowid, name, email, phone) VALUES ('delete', old.seq, old.name, old.email, old.phone);
      INSERT INTO customer_search (rowid, name, email, phone) VALUES (new.seq, new.name, new.email, new.phone);
    END`);
    // The count of live customers (ours checks the sandbox cap with it), kept by triggers.
    sql.exec('CREATE TABLE IF NOT EXISTS customer_count (slot INTEGER PRIMARY KEY CHECK (slot = 0), live INTEGER NOT NULL)');
    sql.exec(`CREATE TRIGGER IF NOT EXISTS customer_count_insert AFTER INSERT ON customers WHEN new.deleted = 0 BEGIN
      UPDATE customer_count SET live = live + 1 WHERE slot = 0;
    END`);
    sql.exec(`CREATE TRIGGER IF NOT EXISTS customer_count_update AFTER UPDATE OF deleted ON customers WHEN old.deleted IS NOT new.deleted BEGIN
      UPDATE customer_count SET live = live + (CASE WHEN new.deleted = 0 THEN 1 ELSE -1 END) WHERE slot = 0;
    END`);
    sql.exec(`INSERT INTO customer_count (slot, live) SELECT 0, (SELECT count(*) FROM customers WHERE deleted = 0)
      WHERE NOT EXISTS (SELECT 1 FROM customer_count)`);
    // The event log, the endpoints, the deliveries and the key registry: ours' schemas.
    sql.exec(`CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
      created INTEGER NOT NULL, object_id TEXT NOT NULL, pending_webhooks INTEGER NOT NULL DEFAULT 0, document TEXT NOT NULL)`);
    sql.exec('CREATE INDEX IF NOT EXISTS events_by_created ON events (created DESC, seq DESC)');
    sql.exec(`CREATE TABLE IF NOT EXISTS webhook_endpoints (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, created INTEGER NOT NULL,
      secret TEXT NOT NULL, document TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS deliveries (event_seq INTEGER NOT NULL, endpoint_id TEXT NOT NULL, object_id TEXT NOT NULL,
      state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, first_attempt_ms INTEGER,
      next_attempt_ms INTEGER NOT NULL, PRIMARY KEY (endpoint_id, event_seq))`);
    sql.exec('CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_ms)');
    sql.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER,
      body TEXT, created_at INTEGER NOT NULL)`);
    this.jobs = new Jobs(ctx.storage);
  }
  /** One call per write: the index row and its metadata rows, the events, and one
   *  delivery row per endpoint that wants each event, in one synchronous block. */
  async record(entry, events, keptKey = null) {
    const sql = this.ctx.storage.sql;
    sql.exec(`INSERT INTO customers (id, created, email, name, phone, metadata, test_clock, deleted, version, document)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET email = excluded.email, name = excluded.name, phone = excluded.phone,
        metadata = excluded.metadata, test_clock = excluded.test_clock, deleted = excluded.deleted,
        version = excluded.version, document = excluded.document
      WHERE excluded.version > customers.version`, entry.id, entry.created, entry.email, entry.name, entry.phone, entry.metadata, null, 0, entry.version, entry.document);
    sql.exec('DELETE FROM customer_metadata WHERE seq = (SELECT seq FROM customers WHERE id = ? AND version = ?)', entry.id, entry.version);
    sql.exec(`INSERT OR IGNORE INTO customer_metadata (seq, key, value) SELECT c.seq, m.key, m.value FROM customers c, json_each(c.metadata) m
      WHERE c.id = ? AND c.version = ?`, entry.id, entry.version);
    let owed = 0;
    if (events.length) {
      const now = Date.now();
      const targets = sql.exec('SELECT id, document FROM webhook_endpoints').toArray().map((r) => ({ id: r.id, wants: JSON.parse(r.document).enabled_events }));
      for (const text of events) {
        const head = JSON.parse(text);
        const cursor = sql.exec('INSERT OR IGNORE INTO events (id, type, created, object_id, document) VALUES (?, ?, ?, ?, ?)', head.id, head.type, head.created, head.data.object.id, text);
        if (cursor.rowsWritten === 0) continue;
        const seq = sql.exec('SELECT seq FROM events WHERE id = ?', head.id).one().seq;
        let count = 0;
        for (const t of targets) {
          if (!t.wants.includes('*') && !t.wants.includes(head.type)) continue;
          sql.exec('INSERT OR IGNORE INTO deliveries (event_seq, endpoint_id, object_id, next_attempt_ms) VALUES (?, ?, ?, ?)', seq, t.id, entry.id, now);
          count++;
        }
        if (count) sql.exec('UPDATE events SET pending_webhooks = max(0, pending_webhooks + ?) WHERE seq = ?', count, seq);
        owed += count;
      }
    }
    if (keptKey) sql.exec('UPDATE idempotency_keys SET status = -1 WHERE key = ? AND status IS NULL', keptKey);
    if (owed) await this.jobs.schedule(DELIVER_JOB, Date.now());
    if (!this.jobs.has(PRUNE_EVENTS_JOB)) await this.jobs.schedule(PRUNE_EVENTS_JOB, Date.now() + PRUNE_EVENTS_EVERY_MS);
  }
  /** The idempotency-key registry (src/objects/account_object/idempotency_keys.rs):
   *  'new', 'executing', ['done', status, body] or 'mismatch'. */
  async claimKey(key, fingerprint, now) {
    const sql = this.ctx.storage.sql;
    const row = sql.exec('SELECT fingerprint, status, body, created_at FROM idempotency_keys WHERE key = ?', key).toArray()[0];
    if (row && row.created_at > now - KEY_RETENTION_SECONDS) {
      if (row.fingerprint !== fingerprint) return 'mismatch';
      if (row.status != null && row.status !== -1) return ['done', row.status, row.body];
      if (row.status == null) return 'executing';
    }
    sql.exec('INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, status, body, created_at) VALUES (?, ?, NULL, NULL, ?)', key, fingerprint, now);
    if (!this.jobs.has(PRUNE_KEYS_JOB)) await this.jobs.schedule(PRUNE_KEYS_JOB, (now + KEY_RETENTION_SECONDS) * 1000);
    return 'new';
  }
  finishKey(key, status, body) {
    const sql = this.ctx.storage.sql;
    if (status) sql.exec('UPDATE idempotency_keys SET status = ?, body = ? WHERE key = ?', status, body, key);
    else sql.exec('DELETE FROM idempotency_keys WHERE key = ? AND status IS NULL', key);
  }
  addEndpoint(url, enabledEvents) {
    const id = randomId('we_', 24);
    const document = JSON.stringify({ id, object: 'webhook_endpoint', url, enabled_events: enabledEvents, status: 'enabled' });
    this.ctx.storage.sql.exec('INSERT INTO webhook_endpoints (id, created, secret, document) VALUES (?, ?, ?, ?)', id, Math.floor(Date.now() / 1000), randomId('whsec_', 24), document);
    return document;
  }
  /** A page of the index, parsed (the Worker renders it), by the statements ours runs for
   *  a first page (core/src/resources/customers/list.rs pins their texts): a customer on
   *  a test clock is listed only when the list names its clock. */
  list(limit, email) {
    const sql = this.ctx.storage.sql;
    const rows = email == null
      ? sql.exec('SELECT document FROM customers WHERE deleted = 0 AND test_clock IS NULL ORDER BY created DESC, seq DESC LIMIT ?', limit + 1).toArray()
      : sql.exec('SELECT document FROM customers WHERE deleted = 0 AND email = ? AND test_clock IS NULL ORDER BY created DESC, seq DESC LIMIT ?', email, limit + 1).toArray();
    return { has_more: rows.length > limit, documents: rows.slice(0, limit).map((r) => JSON.parse(r.document)) };
  }
  /** Deliveries are owed, never sent: the alarm only takes its due jobs and re-arms. */
  async alarm() {
    this.jobs.fired();
    this.jobs.takeDue(Date.now());
    await this.jobs.rearm();
  }
}

const accountOf = (env, ns) => env.FLOOR_ACCOUNT.get(env.FLOOR_ACCOUNT.idFromName(ns));
const customerOf = (env, ns, id) => env.FLOOR_CUSTOMER.get(env.FLOOR_CUSTOMER.idFromName(`${ns}/${id}`));
/** The account of a request: `floor`, or the key's own when it contains `acct`. */
const namespaceOf = (request) => /^Bearer (\S*acct\S*)$/.exec(request.headers.get('authorization') || '')?.[1] ?? NS;

/** A write, keyed or not: the key claimed before, its outcome recorded after the answer. */
async function write(env, ctx, ns, op, id, form, key, fingerprint) {
  const now = Math.floor(Date.now() / 1000);
  const origin = { ns, requestId: randomId('req_'), key, fingerprint, now };
  const account = key ? accountOf(env, ns) : null;
  if (key) {
    const state = await account.claimKey(key, fingerprint, now);
    if (Array.isArray(state)) return [state[1], state[2]];
    if (state === 'executing') return [409, '{"error":{"message":"in progress"}}'];
    if (state === 'mismatch') return [400, '{"error":{"message":"idempotency key reused"}}'];
  }
  const [status, body, kept] = await customerOf(env, ns, id).write(op, form, id, origin);
  if (key && !kept) ctx.waitUntil(account.finishKey(key, status < 300 ? status : 0, status < 300 ? body : ''));
  return [status, body];
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const parts = url.pathname.split('/').filter(Boolean);
    const ns = namespaceOf(request);
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
          const id = randomId('cus_');
          batch.push(write(env, ctx, ns, 'create', id, form.toString(), null).then(([status]) => status === 200 && ids.push(id)));
        }
        await Promise.all(batch);
      }
      return Response.json({ ids });
    }
    if (parts[0] === 'kv' && parts[1]) {
      const text = await env.FLOOR_KV.get(`${ns}/customers/${parts[1]}`);
      return text === null ? error('missing', 404) : answer(JSON.parse(text).record);
    }
    if (parts[0] === 'v1' && parts[1] === 'webhook_endpoints' && request.method === 'POST') {
      const form = new URLSearchParams(await request.text());
      return answer(await accountOf(env, ns).addEndpoint(form.get('url'), form.getAll('enabled_events[]')));
    }
    if (parts[0] !== 'v1' || parts[1] !== 'customers') return error('no route', 404);
    const id = parts[2];
    if (request.method === 'GET') {
      if (!id) {
        const limit = Number(url.searchParams.get('limit') || '10');
        const page = await accountOf(env, ns).list(limit, url.searchParams.get('email'));
        return answer({ object: 'list', data: page.documents.map((d) => d.record), has_more: page.has_more, url: '/v1/customers' });
      }
      const stored = await customerOf(env, ns, id).retrieve();
      return stored === null ? error('No such customer', 404) : answer(stored.record);
    }
    if (request.method !== 'POST') return error('no route', 404);
    const form = await request.text();
    // No SHA-256 of the sorted parameters as ours: the raw request is the fingerprint.
    const key = request.headers.get('idempotency-key');
    const fingerprint = key ? `POST ${url.pathname} ${form}` : null;
    const [status, body] = await write(env, ctx, ns, id ? 'update' : 'create', id || randomId('cus_'), form, key, fingerprint);
    return answer(body, status);
  },
};

// Baselines that split a retrieve into its platform parts, with no code of ours in them:
//   GET /kv/<key>  a Workers KV get of one customer document (the edge read path)
//   GET /do/<name> a Durable Object fetch whose SQLite answers one row (the strong path)
//   POST /seed?n=N writes kv keys k0..k{N-1} and Durable Objects d0..d{N-1}
// One Durable Object per name, as ours keeps one per customer.
import { DurableObject } from 'cloudflare:workers';

const DOC = JSON.stringify({ id: 'cus_QZ3bench0000000', object: 'customer', email: 'user1@example.com',
  name: 'Customer 1', metadata: { ref: 'r1', tier: 't1' }, address: { city: 'Springfield', country: 'US',
  line1: '1 Main Street', line2: null, postal_code: '12345', state: null }, balance: 0, created: 1767225600,
  livemode: false, pad: 'x'.repeat(600) }, null, 2);

export class Row extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS doc (id INTEGER PRIMARY KEY, body TEXT NOT NULL, version INTEGER NOT NULL)');
  }
  async fetch(request) {
    if (request.method === 'PUT') {
      this.ctx.storage.sql.exec('INSERT OR REPLACE INTO doc (id, body, version) VALUES (1, ?, 1)', await request.text());
      return new Response('ok');
    }
    const rows = this.ctx.storage.sql.exec('SELECT body FROM doc WHERE id = 1').toArray();
    if (rows.length === 0) return new Response('{"error":"missing"}', { status: 404 });
    return new Response(rows[0].body, { headers: { 'content-type': 'application/json' } });
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, kind, name] = url.pathname.split('/');
    if (request.method === 'POST' && kind === 'seed') {
      const n = Number(url.searchParams.get('n') || '1000');
      for (let start = 0; start < n; start += 50) {
        const batch = [];
        for (let i = start; i < Math.min(n, start + 50); i++) {
          batch.push(env.SPLIT_KV.put(`k${i}`, DOC));
          batch.push(env.ROW.get(env.ROW.idFromName(`d${i}`)).fetch('http://row/', { method: 'PUT', body: DOC }));
        }
        await Promise.all(batch);
      }
      return new Response('seeded');
    }
    if (kind === 'kv') {
      const body = await env.SPLIT_KV.get(name);
      if (body === null) return new Response('{"error":"missing"}', { status: 404 });
      return new Response(body, { headers: { 'content-type': 'application/json' } });
    }
    if (kind === 'do') {
      return env.ROW.get(env.ROW.idFromName(name)).fetch('http://row/');
    }
    return new Response('{"error":"no route"}', { status: 404 });
  },
};

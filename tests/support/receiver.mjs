// Test support: a real webhook receiver on 127.0.0.1. It records every POST (raw body,
// headers, arrival time) and answers with the status its `respond` function picks, so
// a test can make an endpoint fail, recover, or be down.
import http from 'node:http';
import net from 'node:net';

/** Starts a receiver; `respond(delivery, index)` returns the status (default 200). */
export async function startReceiver({ port = 0, respond = () => 200 } = {}) {
  const deliveries = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const delivery = {
        method: req.method,
        path: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      deliveries.push(delivery);
      const status = respond(delivery, deliveries.length - 1);
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end(status < 300 ? 'ok' : 'failing on purpose');
      for (const w of [...waiters]) w();
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = server.address().port;
  return {
    url: `http://127.0.0.1:${actualPort}/hook`,
    port: actualPort,
    deliveries,
    /** The parsed events received, in arrival order. */
    events: () => deliveries.map((d) => JSON.parse(d.body)),
    /** Resolves once `predicate(deliveries)` holds; rejects after `timeoutMs`. */
    waitFor(predicate, timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(deliveries)) {
            cleanup();
            resolve(deliveries);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`receiver: condition not met in ${timeoutMs} ms; got ${deliveries.length} deliveries`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
        };
        waiters.push(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** A port on 127.0.0.1 that nothing listens on (yet): an endpoint that is down. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns true, for at most `ms`; fails the test naming `what`. */
export async function eventually(check, ms, what) {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`did not converge within ${ms} ms: ${what}`);
    await sleep(250);
  }
}

#!/usr/bin/env node
// Serves stripe-stateful-mock (bench/peers, pinned in bench/peers/package.json) for the
// benchmark: `node bench/stateful_mock_serve.mjs PORT`. Its own CLI (dist/autostart.js)
// listens on every interface at $PORT; this runs the same Express app, built by the
// package's exported createExpressApp(), on 127.0.0.1 only. Nothing else is changed: the
// request path is the package's own (body-parser, its auth and idempotency middleware, its
// routes), the store is its in-memory one, and its logger stays at loglevel's default
// ("warn", as under `require('stripe-stateful-mock')`), so no request is logged.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, 'peers', 'package.json'));
const { createExpressApp } = require('stripe-stateful-mock');

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  console.error('usage: node bench/stateful_mock_serve.mjs PORT');
  process.exit(2);
}
const server = createExpressApp().listen(port, '127.0.0.1', () => {
  console.log(`stripe-stateful-mock listening on http://127.0.0.1:${port}`);
});
server.on('error', (error) => {
  console.error(error);
  process.exit(1);
});

// `edge-customers listen`: like `stripe listen`. A receiver on 127.0.0.1 is registered as
// a webhook endpoint of the account; each event the API delivers to it is posted on, body
// and Stripe-Signature unchanged (signed with the printed whsec_ secret), to --forward-to.
// The endpoint is deleted when the command stops.
import http from 'node:http';
import { call } from './api.mjs';
import { CLIENT_FLAGS, CLIENT_HELP, clientOptions, clock, parseFlags, UsageError, urlFlag } from './cli.mjs';

export const HELP = `Usage: edge-customers listen --forward-to URL [--events a,b] [--api-key KEY] [--api-base URL]

Like \`stripe listen\`: creates a webhook endpoint for the account, prints its signing
secret (whsec_…), forwards every event to URL signed with that secret (so your app's
constructEvent verifies it) and prints one line per event with the status your app
answered. Ctrl-C (or SIGTERM) stops it and deletes the endpoint.

  --forward-to URL    where to post each event, e.g. http://localhost:3000/webhook
  --events a,b        the event types to forward (default: every type, *)
${CLIENT_HELP}
  -h, --help          this help`;

const FLAGS = { 'forward-to': { type: 'string', short: 'f' }, events: { type: 'string', short: 'e' }, ...CLIENT_FLAGS };

/** Posts one delivery on to `target` with the same body and signature; answers `[status]`, or `[ERROR]` and why. */
async function forward(target, body, signature) {
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Stripe-Signature': signature ?? '', 'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
      body,
    });
    await response.arrayBuffer();
    return { status: `[${response.status}]`, why: '' };
  } catch (err) {
    return { status: '[ERROR]', why: `: ${err.cause?.code ?? err.cause?.message ?? err.message}` };
  }
}

/** The receiver the API delivers to: prints, forwards, and always answers 200 to the API. */
function startReceiver(target) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event = {};
      try {
        event = JSON.parse(body);
      } catch {
        // forwarded as it came
      }
      console.log(`${clock()}   --> ${event.type ?? '(not an event)'} [${event.id ?? '?'}]`);
      const { status, why } = await forward(target, body, req.headers['stripe-signature']);
      console.log(`${clock()}  <--  ${status} POST ${target} [${event.id ?? '?'}]${why}`);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('forwarded');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export async function listen(args) {
  const parsed = parseFlags('listen', args, { flags: FLAGS, help: HELP });
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values['forward-to']) throw new UsageError('listen: --forward-to URL is required (where to post the events)');
  const target = urlFlag(values['forward-to'], 'forward-to');
  const events = (values.events ?? '*').split(',').map((e) => e.trim()).filter(Boolean);
  const client = clientOptions(values);

  const server = await startReceiver(target);
  const receiverUrl = `http://127.0.0.1:${server.address().port}/`;
  let endpoint;
  try {
    endpoint = await call(client, 'post', '/v1/webhook_endpoints', {
      url: receiverUrl,
      enabled_events: events,
      description: `edge-customers listen → ${target}`,
    });
  } catch (err) {
    server.close();
    throw err;
  }
  console.log(`Ready! Your webhook signing secret is ${endpoint.secret} (^C to quit)`);
  console.log(`Forwarding ${events.join(', ')} from ${client.base} to ${target} (endpoint ${endpoint.id})`);

  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    await call(client, 'delete', `/v1/webhook_endpoints/${endpoint.id}`);
    console.log(`Deleted the webhook endpoint ${endpoint.id}.`);
  } catch (err) {
    console.error(`Could not delete the webhook endpoint ${endpoint.id}: ${err.describe?.() ?? err.message}`);
  }
  server.close();
  server.closeAllConnections?.();
  return 0;
}

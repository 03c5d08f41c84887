#!/usr/bin/env node
// The `edge-customers` command: serve, listen, trigger, fixtures, deploy. A usage mistake
// exits 2 with its message; a failed API call or fixture exits 1.
import { UsageError } from '../lib/cli.mjs';

const COMMANDS = {
  serve: ['run the API locally (workerd), sandbox keys and dashboard on', () => import('../lib/serve.mjs').then((m) => m.serve)],
  listen: ['forward webhook events to your app, signed (like stripe listen)', () => import('../lib/listen.mjs').then((m) => m.listen)],
  trigger: ['make the API calls that cause an event (like stripe trigger)', () => import('../lib/trigger.mjs').then((m) => m.trigger)],
  fixtures: ['run a Stripe CLI fixtures file (like stripe fixtures)', () => import('../lib/fixtures-command.mjs').then((m) => m.fixtures)],
  deploy: ['deploy the packaged build to Cloudflare (wrangler deploy)', () => import('../lib/deploy.mjs').then((m) => m.deploy)],
};

const HELP = `Usage: edge-customers COMMAND [flags]

A Stripe-compatible Customers API (Cloudflare Worker, wasm) for your app's tests.

Commands:
${Object.entries(COMMANDS).map(([name, [what]]) => `  ${name.padEnd(10)}${what}`).join('\n')}

\`edge-customers COMMAND --help\` tells more.`;

async function main([command, ...args]) {
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    const { createRequire } = await import('node:module');
    console.log(createRequire(import.meta.url)('../package.json').version);
    return 0;
  }
  if (!COMMANDS[command]) throw new UsageError(`unknown command '${command}'; the commands are ${Object.keys(COMMANDS).join(', ')}`);
  const run = await COMMANDS[command][1]();
  return run(args);
}

let code;
try {
  code = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    const command = COMMANDS[process.argv[2]] ? ` ${process.argv[2]}` : '';
    console.error(`edge-customers: ${err.message}\nSee \`edge-customers${command} --help\`.`);
    code = 2;
  } else {
    console.error(`edge-customers: ${err.describe?.() ?? err.message}`);
    code = 1;
  }
}
// Idle keep-alive sockets of fetch would hold the process open for seconds after a command.
process.exit(code);

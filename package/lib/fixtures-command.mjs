// `edge-customers fixtures FILE`: like `stripe fixtures`. Runs a Stripe CLI fixtures file
// against the API and prints each object made; a failing step stops the run (exit 1).
import fs from 'node:fs';
import { CLIENT_FLAGS, CLIENT_HELP, clientOptions, parseFlags, UsageError } from './cli.mjs';
import { printStep, runSteps, stepsOf } from './fixtures.mjs';

export const HELP = `Usage: edge-customers fixtures FILE [--api-key KEY] [--api-base URL]

Like \`stripe fixtures\`: runs the calls of a Stripe CLI fixtures file, in order:

  { "_meta": { "template_version": 0 },
    "fixtures": [
      { "name": "cus", "path": "/v1/customers", "method": "post",
        "params": { "name": "Ada", "metadata": { "plan": "pro" } } },
      { "name": "pm", "path": "/v1/payment_methods/pm_card_visa/attach", "method": "post",
        "params": { "customer": "\${cus:id}" } } ] }

\${name:field.path} is that field of an earlier fixture's answer (array items as
data.0.id), \${.env:NAME} an environment variable. Nested params are sent in bracket
form (metadata[plan]=pro). The first failing fixture stops the run with its error.

${CLIENT_HELP}
  -h, --help          this help`;

export async function fixtures(args) {
  const parsed = parseFlags('fixtures', args, { flags: CLIENT_FLAGS, help: HELP, positionals: [0, 1] });
  if (!parsed) return 0;
  const [file] = parsed.positionals;
  if (!file) throw new UsageError('fixtures: name the fixtures file (JSON) to run');
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`fixtures: cannot read ${file}: ${err.message}`);
  }
  const steps = stepsOf(doc);
  const client = clientOptions(parsed.values);
  console.log(`Setting up fixtures from ${file} (${steps.length})`);
  await runSteps(client, steps, { onStep: printStep });
  console.log('Fixtures succeeded.');
  return 0;
}

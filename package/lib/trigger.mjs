// `edge-customers trigger EVENT`: like `stripe trigger`. Runs the steps of TRIGGERS[EVENT]
// (fixture steps) against the API and prints each object made.
import { CLIENT_FLAGS, CLIENT_HELP, clientOptions, parseFlags, UsageError } from './cli.mjs';
import { printStep, runSteps, stepsOf } from './fixtures.mjs';
import { TRIGGERS } from './triggers.mjs';

const known = () => Object.keys(TRIGGERS).sort().map((type) => `  ${type}`).join('\n');

export const HELP = `Usage: edge-customers trigger EVENT [--api-key KEY] [--api-base URL]

Like \`stripe trigger\`: makes the API calls that cause EVENT and prints the objects they
made. Run \`edge-customers listen\` beside it to see the events arrive.

${CLIENT_HELP}
  -h, --help          this help

Events:
${known()}`;

export async function trigger(args) {
  const parsed = parseFlags('trigger', args, { flags: CLIENT_FLAGS, help: HELP, positionals: [0, 1] });
  if (!parsed) return 0;
  const [event] = parsed.positionals;
  if (!event) throw new UsageError(`trigger: name the event to trigger, one of:\n${known()}`);
  if (!TRIGGERS[event]) throw new UsageError(`trigger: no trigger for '${event}'. The events this API emits:\n${known()}`);
  const client = clientOptions(parsed.values);
  console.log(`Setting up fixture for: ${event}`);
  await runSteps(client, stepsOf({ fixtures: TRIGGERS[event] }), { onStep: printStep });
  console.log('Trigger succeeded! Check the events with `edge-customers listen`, GET /v1/events, or the dashboard.');
  return 0;
}

// What every command shares: flag parsing with a clear message for a bad flag (exit 2),
// `--help`, and the API key and base URL the client commands talk to (flag, environment,
// or the key saved in .edge-customers/api-key of the current directory).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

export const DEFAULT_API_BASE = 'http://127.0.0.1:8787';
export const STATE_DIR = '.edge-customers';

/** A mistake in how a command was called: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {}

/** The flags every client command (listen, trigger, fixtures) takes. */
export const CLIENT_FLAGS = {
  'api-key': { type: 'string' },
  'api-base': { type: 'string' },
};

export const CLIENT_HELP = `  --api-key KEY     the secret key to call the API with (default: $STRIPE_API_KEY,
                    else the key saved in ${STATE_DIR}/api-key, made on first use)
  --api-base URL    where the API runs (default: $EDGE_CUSTOMERS_API_BASE, else ${DEFAULT_API_BASE})`;

/**
 * Parses `args` against `flags` (node:util parseArgs options). Returns `null` when --help
 * was asked (after printing `help`); throws UsageError for an unknown flag, a missing
 * value or a wrong number of positionals.
 */
export function parseFlags(command, args, { flags, help, positionals = [0, 0] }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...flags, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${err.message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${help.trimEnd()}\n`);
    return null;
  }
  const [min, max] = positionals;
  const count = parsed.positionals.length;
  if (count < min) throw new UsageError(`${command}: missing argument`);
  if (count > max) throw new UsageError(`${command}: unexpected argument '${parsed.positionals[max]}'`);
  return parsed;
}

/** A flag's value as a port number (0-65535), or a UsageError naming the flag. */
export function portFlag(value, name) {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--${name} must be a port number (0-65535), not '${value}'`);
  return Number(value);
}

/** A flag's value as an http(s) URL without its trailing slash, or a UsageError. */
export function urlFlag(value, name) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${name} must be a URL such as http://127.0.0.1:3000/webhook, not '${value}'`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`--${name} must be an http or https URL, not '${value}'`);
  return value.replace(/\/+$/, '');
}

/** `{ key, base }` for the client commands; says where a key came from when it made one. */
export function clientOptions(values) {
  const base = urlFlag(values['api-base'] ?? process.env.EDGE_CUSTOMERS_API_BASE ?? DEFAULT_API_BASE, 'api-base');
  const key = values['api-key'] ?? process.env.STRIPE_API_KEY ?? savedKey({ announce: (line) => console.error(line) });
  if (!/^(sk|rk)_(test|live)_\S+$/.test(key)) throw new UsageError(`--api-key must be a secret key such as sk_test_…, not '${key}'`);
  return { key, base };
}

/**
 * The key saved in .edge-customers/api-key of the current directory; made (a fresh
 * sandbox key, so a fresh account) and saved on first use, so that `listen` and
 * `trigger` run from the same directory talk to the same account.
 */
export function savedKey({ announce = () => {} } = {}) {
  const file = path.join(STATE_DIR, 'api-key');
  try {
    const key = fs.readFileSync(file, 'utf8').trim();
    if (key) return key;
  } catch {
    // not made yet
  }
  const key = `sk_test_${randomBytes(12).toString('hex')}`;
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(file, `${key}\n`);
  announce(`Made a sandbox key ${key} (a new, empty account); saved in ${file}.`);
  return key;
}

/** `YYYY-MM-DD HH:MM:SS`, local time: how the Stripe CLI starts its event lines. */
export function clock(now = new Date()) {
  const two = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())} ${two(now.getHours())}:${two(now.getMinutes())}:${two(now.getSeconds())}`;
}

// Runs a Stripe CLI fixtures document against the API: each step of `fixtures[]` is one
// call (`method`, `path`, `params`), and `${name:field.path}` in a path or a parameter is
// replaced by that field of an earlier step's answer (`${.env:NAME}` by a variable). A
// test clock's advance is waited for until the clock is ready (ours; see `settled`).
import { ApiError, call } from './api.mjs';

/** A step that failed: its name, and the API's error or what was wrong with the step. */
export class FixtureError extends Error {
  constructor(step, cause) {
    super(`fixture "${step}" failed: ${cause instanceof ApiError ? cause.describe() : cause.message ?? cause}`);
    this.step = step;
    this.cause = cause;
  }
}

const METHODS = ['get', 'post', 'delete'];
const REFERENCE = /\$\{([^}:]*):([^}]*)\}/g;

/** Checks a fixtures document's shape; answers its steps. */
export function stepsOf(doc) {
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.fixtures)) {
    throw new Error('a fixtures file is a JSON object with a "fixtures" array (and "_meta")');
  }
  return doc.fixtures.map((step, i) => {
    const name = step?.name ?? `#${i + 1}`;
    if (typeof step?.path !== 'string' || !step.path.startsWith('/')) throw new FixtureError(name, new Error('"path" must be a string such as /v1/customers'));
    if (!METHODS.includes(String(step.method ?? '').toLowerCase())) throw new FixtureError(name, new Error(`"method" must be one of ${METHODS.join(', ')}`));
    if (step.params !== undefined && (typeof step.params !== 'object' || Array.isArray(step.params))) throw new FixtureError(name, new Error('"params" must be an object'));
    return { name, path: step.path, method: step.method.toLowerCase(), params: step.params ?? {} };
  });
}

/** The value at `field.path` (dots, `[n]` or `.n` for array items) of `object`. */
export function dig(object, fieldPath) {
  const parts = fieldPath.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  let value = object;
  for (const part of parts) {
    if (value === null || typeof value !== 'object' || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

/** Replaces every `${name:path}` in `text` with what `results` hold for it. */
function substitute(text, results, env) {
  const resolve = (name, fieldPath) => {
    if (name === '.env') {
      const [variable, fallback] = fieldPath.split('|');
      const value = env[variable] ?? fallback;
      if (value === undefined) throw new Error(`\${.env:${fieldPath}}: the environment variable ${variable} is not set`);
      return value;
    }
    if (!results.has(name)) throw new Error(`\${${name}:${fieldPath}} names no earlier fixture`);
    const value = dig(results.get(name), fieldPath);
    if (value === undefined || value === null || typeof value === 'object') {
      throw new Error(`\${${name}:${fieldPath}}: fixture "${name}" answered no value at ${fieldPath}`);
    }
    return value;
  };
  const whole = /^\$\{([^}:]*):([^}]*)\}$/.exec(text);
  if (whole) return resolve(whole[1], whole[2]);
  return text.replace(REFERENCE, (_, name, fieldPath) => String(resolve(name, fieldPath)));
}

/** `params` with every reference in its strings (at any depth) resolved. */
function resolveParams(value, results, env) {
  if (typeof value === 'string') return substitute(value, results, env);
  if (Array.isArray(value)) return value.map((v) => resolveParams(v, results, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveParams(v, results, env)]));
  }
  return value;
}

/**
 * Runs the steps in order; `onStep(step, answer)` after each. Answers the results by name.
 * The first failing step stops the run with a FixtureError.
 */
export async function runSteps(client, steps, { onStep = () => {}, env = process.env } = {}) {
  const results = new Map();
  for (const step of steps) {
    let answer;
    try {
      const path = String(substitute(step.path, results, env));
      answer = await call(client, step.method, path, resolveParams(step.params, results, env));
      answer = await settled(client, answer);
    } catch (err) {
      throw new FixtureError(step.name, err);
    }
    results.set(step.name, answer);
    onStep(step, answer);
  }
  return results;
}

/** How long a step waits for a test clock's advance to finish. */
const ADVANCE_WAIT_MS = 30_000;

/**
 * A test clock answered `advancing` is waited for (polled until `ready`), so that the
 * steps after an advance see what it did (renewals, their events). Any other answer is
 * the answer.
 */
async function settled(client, answer) {
  if (answer?.object !== 'test_helpers.test_clock' || answer.status !== 'advancing') return answer;
  const deadline = Date.now() + ADVANCE_WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const clock = await call(client, 'get', `/v1/test_helpers/test_clocks/${answer.id}`, {});
    if (clock.status !== 'advancing') return clock;
  }
  throw new Error(`test clock ${answer.id} still advancing after ${ADVANCE_WAIT_MS / 1000} s`);
}

/** Prints one step's line: `Running fixture for: cus → customer cus_123`. */
export function printStep(step, answer) {
  const object = `${answer?.object ?? 'object'}${answer?.id ? ` ${answer.id}` : ''}${answer?.deleted ? ' (deleted)' : ''}`;
  console.log(`Running fixture for: ${step.name} → ${object}`);
}

// A small check of a response object against Stripe's 2023-08-16 schema for its type
// (tests/fixtures/stripe-schemas-2023-08-16.json): $ref, nullable, anyOf, enum, type,
// required, closed property sets, items, additionalProperties. Returns the errors.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
const { schemas } = JSON.parse(readFileSync(path.join(here, '..', 'fixtures', 'stripe-schemas-2023-08-16.json'), 'utf8'));

const resolve = (s) => (s && s.$ref ? schemas[s.$ref.split('/').pop()] : s);

function check(value, schema, at, errors) {
  schema = resolve(schema);
  if (!schema) return;
  if (value === null) {
    if (!schema.nullable) errors.push(`${at}: null`);
    return;
  }
  if (schema.anyOf || schema.oneOf) {
    const branches = schema.anyOf || schema.oneOf;
    const results = branches.map((b) => { const e = []; check(value, b, at, e); return e; });
    if (!results.some((e) => e.length === 0)) errors.push(...results.sort((a, b) => a.length - b.length)[0]);
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  const type = Array.isArray(value) ? 'array' : typeof value;
  switch (schema.type) {
    case 'string': case 'boolean': if (type !== schema.type) errors.push(`${at}: not a ${schema.type}`); return;
    case 'integer': if (!Number.isInteger(value)) errors.push(`${at}: not an integer`); return;
    case 'number': if (type !== 'number') errors.push(`${at}: not a number`); return;
    case 'array':
      if (type !== 'array') { errors.push(`${at}: not an array`); return; }
      value.forEach((v, i) => check(v, schema.items, `${at}[${i}]`, errors));
      return;
    default:
      if (type !== 'object') { errors.push(`${at}: not an object`); return; }
      for (const key of schema.required || []) if (!(key in value)) errors.push(`${at}.${key}: missing`);
      for (const [key, v] of Object.entries(value)) {
        if (schema.properties && key in schema.properties) check(v, schema.properties[key], `${at}.${key}`, errors);
        else if (typeof schema.additionalProperties === 'object') check(v, schema.additionalProperties, `${at}.${key}`, errors);
        else if (schema.properties && key !== 'lastResponse') errors.push(`${at}.${key}: not in the schema`);
      }
  }
}

/** Asserts that `value` is a valid `name` (e.g. 'coupon', 'test_helpers.test_clock'). */
export function assertSchema(value, name) {
  assert.ok(schemas[name], `no schema ${name}`);
  const errors = [];
  check(value, schemas[name], name, errors);
  assert.deepEqual(errors, [], `${name} does not match Stripe's schema`);
}

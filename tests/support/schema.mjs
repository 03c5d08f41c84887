// Validates API responses against Stripe's own OpenAPI schema for API version
// 2023-08-16 (tests/fixtures/stripe-schemas-2023-08-16.json: components.schemas of
// Stripe's spec, as `{api_version, note, schemas: {<name>: <schema>}}`). No dependencies.
//
// The dialect is exactly the subset that file uses (OpenAPI 3.0 schema objects):
//   $ref ("#/components/schemas/<name>"), nullable, anyOf, oneOf, enum,
//   type (string | integer | number | boolean | object | array), properties, required,
//   items, additionalProperties (a schema or a boolean), maxLength, pattern.
// Ignored on purpose: format (unix-time is just an integer, decimal just a string),
// title, and every x-* extension (x-expandableFields, x-expansionResources,
// x-stripeBypassValidation, x-resourceId...).
//
// Choices, stated because the schema language leaves them open:
//  * Closed objects. Where a schema has `properties` but no `additionalProperties`,
//    a key that is not among the properties is an error: Stripe's objects have closed
//    field sets, and a key Stripe would never send is exactly what we want to catch.
//    A bare `{type: object}` (no properties, no additionalProperties) takes any keys.
//  * Expandable fields need no special case: the schema writes them as
//    `anyOf: [{type: string}, {$ref: X}]`, so the id and the expanded object both pass.
//  * `nullable: true` on a schema (or on the anyOf around it) is what allows null;
//    null anywhere else is an error.
//  * maxLength counts Unicode code points, as JSON Schema does.
//  * anyOf passes when any branch passes. When none does, the error reported is that of
//    the branch the value was evidently meant for (same JSON type, same `object` value,
//    same `deleted` flag), so a bad field deep inside an expanded object is reported at
//    its own path rather than as "matches no alternative".
//  * oneOf passes when exactly one branch passes.
//
// Top-level objects are picked by their own `object` field (see RESOURCES below);
// lists, search results and events are validated envelope first, then every element of
// `data` (and an event's `data.object`) by its own `object`. An `object` value not in
// RESOURCES throws: a new resource must be added there, not silently waved through.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/stripe-schemas-2023-08-16.json', import.meta.url));
const file = JSON.parse(readFileSync(FIXTURE, 'utf8'));

export const API_VERSION = file.api_version;
/** The schemas by name. */
export const schemas = file.schemas;

const REF_PREFIX = '#/components/schemas/';
/** Marks a synthetic schema position whose value is validated by its own `object`. */
const BY_OBJECT = Symbol('validate by own object');

function refName(ref) {
  if (typeof ref !== 'string' || !ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${JSON.stringify(ref)}`);
  return ref.slice(REF_PREFIX.length);
}

function schemaNamed(name) {
  const schema = schemas[name];
  if (!schema) throw new Error(`no schema named ${JSON.stringify(name)} in ${FIXTURE}`);
  return schema;
}

// ---------------------------------------------------------------------------------------
// Envelopes. A list's envelope is taken from the schema itself: the embedded lists of
// `customer` (tax_ids, sources, subscriptions) are the 2023-08-16 list envelopes, and
// all three agree: object, url, has_more, data, all required, nothing else (so no
// total_count). Stripe's search results are not in components.schemas (they are inline
// in the paths), so that envelope is written out here from the spec's SearchResult.

function listEnvelope() {
  const base = schemaNamed('customer').properties;
  const shapes = ['tax_ids', 'sources', 'subscriptions'].map((k) => {
    const { data, ...rest } = base[k].properties;
    return JSON.stringify({ props: rest, keys: Object.keys(base[k].properties).sort(), required: [...base[k].required].sort() });
  });
  if (new Set(shapes).size !== 1) throw new Error('customer.tax_ids/sources/subscriptions disagree on the list envelope');
  const model = base.tax_ids;
  return {
    ...model,
    title: 'list envelope (as customer.tax_ids)',
    properties: { ...model.properties, data: { type: 'array', items: { [BY_OBJECT]: true } } },
  };
}

const ENVELOPES = {
  list: listEnvelope(),
  search_result: {
    title: 'SearchResult',
    type: 'object',
    properties: {
      data: { type: 'array', items: { [BY_OBJECT]: true } },
      has_more: { type: 'boolean' },
      next_page: { maxLength: 5000, nullable: true, type: 'string' },
      object: { enum: ['search_result'], type: 'string' },
      total_count: { type: 'integer' },
      url: { maxLength: 5000, type: 'string' },
    },
    required: ['data', 'has_more', 'next_page', 'object', 'url'],
  },
  event: {
    ...schemaNamed('event'),
    properties: {
      ...schemaNamed('event').properties,
      data: {
        ...schemaNamed('notification_event_data'),
        properties: { ...schemaNamed('notification_event_data').properties, object: { [BY_OBJECT]: true } },
      },
    },
  },
};

/**
 * Our own extensions for the dashboard (`GET /v1/webhook_endpoints/{id}/delivery_attempts`,
 * `POST /v1/webhook_endpoints/{id}/resend`). They are not Stripe objects and Stripe's spec
 * has no schema for them, so these are written by hand, closed like Stripe's (no key
 * beyond these), under names no Stripe schema uses.
 */
const EXTENSION_SCHEMAS = {
  'ours.webhook_delivery_attempt': {
    title: 'webhook_delivery_attempt (ours)',
    type: 'object',
    properties: {
      id: { type: 'string', pattern: '^wda_[0-9]+$' },
      object: { enum: ['webhook_delivery_attempt'], type: 'string' },
      endpoint: { maxLength: 5000, type: 'string' },
      event: { pattern: '^evt_[0-9A-Za-z]+$', type: 'string' },
      created: { type: 'integer' },
      status: { nullable: true, type: 'integer' },
      duration_ms: { type: 'integer' },
      // 200 bytes of an answer at most; a reason for no answer is not cut.
      response_excerpt: { maxLength: 5000, type: 'string' },
    },
    required: ['id', 'object', 'endpoint', 'event', 'created', 'status', 'duration_ms', 'response_excerpt'],
  },
  'ours.webhook_delivery': {
    title: 'webhook_delivery (ours)',
    type: 'object',
    properties: {
      object: { enum: ['webhook_delivery'], type: 'string' },
      event: { pattern: '^evt_[0-9A-Za-z]+$', type: 'string' },
      endpoint: { pattern: '^we_[0-9A-Za-z]+$', type: 'string' },
      status: { enum: ['pending'], type: 'string' },
    },
    required: ['object', 'event', 'endpoint', 'status'],
  },
};
for (const [name, schema] of Object.entries(EXTENSION_SCHEMAS)) {
  if (Object.hasOwn(schemas, name)) throw new Error(`schema.mjs: ${name} is already in ${FIXTURE}`);
  schemas[name] = schema;
}

/**
 * `object` value → [schema when not deleted, schema when `deleted === true`].
 * null: Stripe's 2023-08-16 schema has no deleted form of that resource in the file.
 */
// Stripe's `test_helpers.deleted_test_clock` (`{id, object, deleted: true}`), missing from the file.
schemas['deleted_test_helpers.test_clock'] = {
  type: 'object',
  required: ['deleted', 'id', 'object'],
  properties: {
    deleted: { type: 'boolean', enum: [true] },
    id: { maxLength: 5000, type: 'string' },
    object: { type: 'string', enum: ['test_helpers.test_clock'] },
  },
};

export const RESOURCES = {
  customer: ['customer', 'deleted_customer'],
  tax_id: ['tax_id', 'deleted_tax_id'],
  coupon: ['coupon', 'deleted_coupon'],
  discount: ['discount', 'deleted_discount'],
  payment_method: ['payment_method', null],
  card: ['card', 'deleted_card'],
  promotion_code: ['promotion_code', null],
  product: ['product', 'deleted_product'],
  price: ['price', null],
  subscription: ['subscription', null],
  subscription_item: ['subscription_item', null],
  invoice: ['invoice', null],
  line_item: ['line_item', null],
  webhook_endpoint: ['webhook_endpoint', 'deleted_webhook_endpoint'],
  // Stripe's spec has deleted_test_helpers.test_clock, but this file does not: added below.
  'test_helpers.test_clock': ['test_helpers.test_clock', 'deleted_test_helpers.test_clock'],
  cash_balance: ['cash_balance', null],
  // Ours, not Stripe's (EXTENSION_SCHEMAS above).
  webhook_delivery_attempt: ['ours.webhook_delivery_attempt', null],
  webhook_delivery: ['ours.webhook_delivery', null],
};
for (const names of Object.values(RESOURCES)) for (const n of names) if (n) schemaNamed(n);

/**
 * Seed 004's `GET /v1/customers/{id}?include_deleted=true`: the whole customer, flagged
 * `deleted: true` with `deleted_at` (unix seconds). Not a Stripe shape (Stripe answers
 * only the `deleted_customer` stub), so it is Stripe's customer plus those two fields.
 */
const SEED_004_DELETED_CUSTOMER = {
  ...schemaNamed('customer'),
  properties: {
    ...schemaNamed('customer').properties,
    deleted: { type: 'boolean', enum: [true] },
    deleted_at: { type: 'integer' },
  },
};

// ---------------------------------------------------------------------------------------
// The validator.

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const child = (path, key) => (typeof key === 'number' ? `${path}[${key}]` : IDENT.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

function jsonType(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v; // string, boolean, object
}

function hasType(v, type) {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'integer': return Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    default: throw new Error(`unsupported type ${JSON.stringify(type)}`);
  }
}

function show(v) {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v);
  if (jsonType(v) === 'object') return `an object {${Object.keys(v).slice(0, 6).join(', ')}${Object.keys(v).length > 6 ? ', …' : ''}}`;
  if (jsonType(v) === 'array') return `an array of ${v.length}`;
  return s.length > 60 ? `${s.slice(0, 57)}…${s.slice(-1)}` : s;
}

/** A short name for a schema, for messages: `type string`, `address`, `one of string | card`. */
function describe(schema) {
  if (schema.$ref) return refName(schema.$ref);
  if (schema[BY_OBJECT]) return 'an object with its own `object`';
  if (schema.anyOf || schema.oneOf) return `one of ${(schema.anyOf || schema.oneOf).map(describe).join(' | ')}`;
  if (schema.type) return `type ${schema.type}${schema.title ? ` ${schema.title}` : ''}`;
  return 'any';
}

/** Validates `value` at `path` against `schema`; pushes `<path>: <what>` strings to `errors`. */
function check(value, schema, path, errors) {
  if (schema[BY_OBJECT]) return checkByObject(value, path, errors);
  if (schema.$ref) return check(value, schemaNamed(refName(schema.$ref)), path, errors);

  if (value === null) {
    if (!schema.nullable) errors.push(`${path}: null is not allowed (${describe(schema)})`);
    return;
  }
  if (value === undefined) {
    errors.push(`${path}: undefined is not a JSON value`);
    return;
  }

  if (schema.anyOf) checkAlternatives(value, schema.anyOf, path, errors, 'anyOf');
  if (schema.oneOf) checkAlternatives(value, schema.oneOf, path, errors, 'oneOf');

  if (schema.type !== undefined && !hasType(value, schema.type)) {
    errors.push(`${path}: expected ${schema.type}, got ${jsonType(value)} ${show(value)}`);
    return;
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) {
    const list = schema.enum.length > 12 ? `${schema.enum.slice(0, 12).map(show).join(', ')}, … (${schema.enum.length} values)` : schema.enum.map(show).join(', ');
    errors.push(`${path}: ${show(value)} is not one of ${list}`);
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      const n = [...value].length;
      if (n > schema.maxLength) errors.push(`${path}: string of ${n} characters is longer than maxLength ${schema.maxLength}`);
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${path}: ${show(value)} does not match pattern ${schema.pattern}`);
    }
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => check(item, schema.items, child(path, i), errors));
  }
  if (hasType(value, 'object') && (schema.properties || schema.additionalProperties !== undefined || schema.required)) {
    checkProperties(value, schema, path, errors);
  }
}

function checkProperties(value, schema, path, errors) {
  const props = schema.properties || {};
  for (const key of schema.required || []) {
    if (!Object.hasOwn(value, key)) errors.push(`${child(path, key)}: required key is missing`);
  }
  // When a schema has properties, unknown keys are errors unless additionalProperties says otherwise.
  const extra = schema.additionalProperties ?? (schema.properties ? false : true);
  for (const [key, v] of Object.entries(value)) {
    if (Object.hasOwn(props, key)) check(v, props[key], child(path, key), errors);
    else if (extra === false) errors.push(`${child(path, key)}: unknown key (${schema.title || 'the schema'} has no such property)`);
    else if (extra !== true) check(v, extra, child(path, key), errors);
  }
}

/** How well `value` fits a branch on sight: -1 cannot be meant, higher is closer. */
function affinity(value, branch) {
  const s = branch.$ref ? schemaNamed(refName(branch.$ref)) : branch;
  if (s.type !== undefined && !hasType(value, s.type)) return -1;
  let score = 0;
  if (hasType(value, 'object') && s.properties) {
    const objectEnum = s.properties.object?.enum;
    if (objectEnum && typeof value.object === 'string') {
      if (!objectEnum.includes(value.object)) return -1;
      score += 2;
    }
    const deletedSchema = Object.hasOwn(s.properties, 'deleted');
    if (deletedSchema === (value.deleted === true)) score += 1;
  }
  return score;
}

function checkAlternatives(value, branches, path, errors, keyword) {
  const results = branches.map((b) => {
    const errs = [];
    check(value, b, path, errs);
    return errs;
  });
  const passing = results.filter((r) => r.length === 0).length;
  if (keyword === 'oneOf' && passing > 1) {
    errors.push(`${path}: ${show(value)} matches ${passing} alternatives of a oneOf (${branches.map(describe).join(' | ')}), not exactly one`);
    return;
  }
  if (passing > 0) return;
  const scored = branches.map((b, i) => ({ i, score: affinity(value, b), n: results[i].length })).filter((c) => c.score >= 0);
  if (scored.length === 0) {
    errors.push(`${path}: ${jsonType(value)} ${show(value)} is none of ${branches.map(describe).join(' | ')}`);
    return;
  }
  scored.sort((a, b) => b.score - a.score || a.n - b.n);
  errors.push(...results[scored[0].i]);
}

/** The schema for an object that names itself with `object` (or is an error body). */
function schemaFor(value, path) {
  if (!hasType(value, 'object')) return null;
  if (!Object.hasOwn(value, 'object') && Object.hasOwn(value, 'error')) return schemaNamed('error');
  const kind = value.object;
  if (typeof kind !== 'string') return null;
  if (Object.hasOwn(ENVELOPES, kind)) return ENVELOPES[kind];
  if (!Object.hasOwn(RESOURCES, kind)) {
    throw new Error(`${path}: no schema mapped for object ${JSON.stringify(kind)}; add it to RESOURCES in tests/support/schema.mjs`);
  }
  const [live, deleted] = RESOURCES[kind];
  if (kind === 'customer' && value.deleted === true && Object.hasOwn(value, 'deleted_at')) {
    return SEED_004_DELETED_CUSTOMER;
  }
  if (value.deleted === true) {
    if (!deleted) throw new Error(`${path}: ${JSON.stringify(kind)} with deleted: true, but the schema file has no deleted form of ${live}; add one to RESOURCES`);
    return schemaNamed(deleted);
  }
  return schemaNamed(live);
}

function checkByObject(value, path, errors) {
  const schema = schemaFor(value, path);
  if (!schema) {
    errors.push(hasType(value, 'object')
      ? `${path}: an object with no string \`object\` field that is not an error body either: ${show(value)}`
      : `${path}: expected an object with an \`object\` field, got ${jsonType(value)} ${show(value)}`);
    return;
  }
  check(value, schema, path, errors);
}

// ---------------------------------------------------------------------------------------
// Public API.

export class SchemaViolationError extends Error {
  constructor(violations, context) {
    super(`${context ? `${context}: ` : ''}response does not match Stripe's ${API_VERSION} schema (${violations.length} violation${violations.length === 1 ? '' : 's'}):\n  ${violations.join('\n  ')}`);
    this.name = 'SchemaViolationError';
    this.violations = violations;
  }
}

/** Every violation of `json` (picked by its own `object`), as `<json path>: <what>`. */
export function violationsOf(json) {
  const errors = [];
  checkByObject(json, '$', errors);
  return errors;
}

/** Validates `json` against the schema named in it; throws a SchemaViolationError listing every violation. */
export function validateObject(json, context) {
  const violations = violationsOf(json);
  if (violations.length) throw new SchemaViolationError(violations, context);
  return json;
}

/** Validates `value` against the schema of the given name (no dispatch on `object`). */
export function violationsAgainst(value, name) {
  const errors = [];
  check(value, schemaNamed(name), '$', errors);
  return errors;
}

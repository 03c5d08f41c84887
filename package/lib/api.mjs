// A minimal Stripe API client over fetch: parameters encoded as Stripe's SDKs encode them
// (nested hashes and arrays in bracket form), Bearer auth, and a Stripe error turned into
// an ApiError that carries its type, code, param and message.

/** A Stripe error answer (4xx/5xx) or a connection failure. */
export class ApiError extends Error {
  constructor(message, { status = 0, type, code, param } = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  /** One line: `400 invalid_request_error (parameter_unknown, param foo): message`. */
  describe() {
    if (!this.status) return this.message;
    const details = [this.code, this.param && `param ${this.param}`].filter(Boolean).join(', ');
    return `${this.status} ${this.type ?? 'error'}${details ? ` (${details})` : ''}: ${this.message}`;
  }
}

/**
 * `[name, value]` pairs of `params` in bracket form: `{a: {b: 1}, c: ['x']}` gives
 * `a[b]=1` and `c[0]=x`, as stripe-node sends them; `null` is sent empty (Stripe's unset).
 */
export function formPairs(params, prefix = '') {
  const pairs = [];
  for (const [name, value] of Object.entries(params ?? {})) {
    const key = prefix ? `${prefix}[${name}]` : name;
    if (value === undefined) continue;
    if (value === null) pairs.push([key, '']);
    else if (Array.isArray(value)) pairs.push(...formPairs(Object.fromEntries(value.map((v, i) => [i, v])), key));
    else if (typeof value === 'object') pairs.push(...formPairs(value, key));
    else pairs.push([key, String(value)]);
  }
  return pairs;
}

/** Calls the API; answers the parsed JSON body or throws an ApiError. */
export async function call({ base, key }, method, path, params = {}) {
  const verb = method.toUpperCase();
  const form = new URLSearchParams(formPairs(params)).toString();
  const withQuery = verb === 'POST' || !form ? path : `${path}${path.includes('?') ? '&' : '?'}${form}`;
  const headers = { Authorization: `Bearer ${key}`, 'User-Agent': 'edge-customers-cli' };
  if (verb === 'POST') headers['Content-Type'] = 'application/x-www-form-urlencoded';
  let response;
  try {
    response = await fetch(base + withQuery, { method: verb, headers, body: verb === 'POST' ? form : undefined });
  } catch (err) {
    throw new ApiError(`cannot reach ${base} (${err.cause?.code ?? err.cause?.message ?? err.message}): is \`edge-customers serve\` running?`);
  }
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(`${verb} ${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`, { status: response.status });
  }
  if (!response.ok) {
    const e = body.error ?? {};
    throw new ApiError(e.message ?? `HTTP ${response.status}`, { status: response.status, type: e.type, code: e.code, param: e.param });
  }
  return body;
}

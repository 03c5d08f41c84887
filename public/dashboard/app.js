// The dashboard's script: hash navigation (#/customers, #/customers/cus_…, #/events,
// #/endpoints), every datum fetched from this origin's public API with the key from
// sessionStorage, and every value put into the page as text (customer data is user input:
// nothing here assigns innerHTML).
'use strict';

const KEY_STORAGE = 'edge-customers.dashboard.key';
const PAGE_SIZE = 20;
/** How many of the newest events the customer page reads to find that customer's. */
const CUSTOMER_EVENT_PAGES = 5;

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------
// The key.

function currentKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

function maskKey(key) {
  return key.length > 14 ? `${key.slice(0, 8)}…${key.slice(-4)}` : key;
}

function showLogin(message) {
  $('login').hidden = false;
  $('nav').hidden = true;
  $('account').hidden = true;
  $('view').replaceChildren();
  const error = $('login-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('key').focus();
}

function showAccount(key) {
  $('login').hidden = true;
  $('nav').hidden = false;
  $('account').hidden = false;
  $('key-label').textContent = maskKey(key);
}

// ---------------------------------------------------------------------------------------
// The API.

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** Calls `/v1/...` with the key; answers the parsed JSON or throws an ApiError. */
async function api(path, { method = 'GET', form } = {}) {
  const key = currentKey();
  const headers = { Authorization: `Bearer ${key}` };
  let body;
  if (form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const response = await fetch(path, { method, headers, body, cache: 'no-store' });
  let json;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    if (response.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      showLogin(json?.error?.message || 'The key was refused.');
    }
    throw new ApiError(response.status, json);
  }
  return json;
}

/** `/v1/path?` with the given parameters (undefined and '' left out). */
function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x));
    else if (v !== undefined && v !== null && v !== '') q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// ---------------------------------------------------------------------------------------
// Building the page: elements from tags, attributes and children; strings become text.

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const link = (href, text, attrs = {}) => h('a', { href, ...attrs }, text);
const mono = (text) => h('span', { class: 'mono' }, text);
const customerHref = (id) => `#/customers/${encodeURIComponent(id)}`;

function time(seconds) {
  if (typeof seconds !== 'number') return '';
  const iso = new Date(seconds * 1000).toISOString();
  return h('time', { datetime: iso, title: String(seconds) }, `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);
}

function json(value) {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2));
}

function table(headings, rows, empty = 'Nothing yet.') {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('table', {},
    h('thead', {}, h('tr', {}, headings.map((t) => h('th', {}, t)))),
    h('tbody', {}, rows));
}

/** A definition list of `[label, value]` pairs; null values print as a dash. */
function fields(pairs) {
  return h('dl', { class: 'fields' }, pairs.map(([label, value]) => [
    h('dt', {}, label),
    h('dd', {}, value === null || value === undefined || value === '' ? h('span', { class: 'muted' }, '—') : value),
  ]));
}

function statusBadge(status) {
  if (status === null || status === undefined) return h('span', { class: 'badge bad' }, 'no answer');
  const ok = status >= 200 && status < 300;
  return h('span', { class: `badge ${ok ? 'ok' : 'bad'}` }, String(status));
}

function render(title, ...children) {
  document.title = `${title} · Edge Customers`;
  $('view').replaceChildren(...children.flat().filter(Boolean));
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', location.hash.startsWith(`#/${a.dataset.section}`));
  }
}

function failure(err) {
  return h('p', { class: 'error', role: 'alert' }, err instanceof ApiError ? `${err.message} (HTTP ${err.status})` : String(err));
}

/** Previous/next buttons for a list; `go(params)` moves to the page they name. */
function pager(list, go, cursors) {
  const first = list.data[0]?.id;
  const last = list.data[list.data.length - 1]?.id;
  const backward = cursors.ending_before !== undefined;
  const hasNewer = backward ? list.has_more : cursors.starting_after !== undefined;
  const hasOlder = backward ? true : list.has_more;
  return h('div', { class: 'pager' },
    h('button', { type: 'button', disabled: !hasNewer || !first, onclick: () => go({ ending_before: first }) }, '← Newer'),
    h('button', { type: 'button', disabled: !hasOlder || !last, onclick: () => go({ starting_after: last }) }, 'Older →'));
}

// ---------------------------------------------------------------------------------------
// Navigation.

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: Object.fromEntries(new URLSearchParams(query)) };
}

function hashFor(section, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${section}${s ? `?${s}` : ''}`;
}

let generation = 0;

async function route() {
  const key = currentKey();
  if (!key) return showLogin();
  showAccount(key);
  const mine = ++generation;
  const { parts, params } = parseHash();
  const view = {
    customers: parts.length > 1 ? () => customerPage(parts[1]) : () => customersPage(params),
    events: () => eventsPage(params),
    endpoints: () => endpointsPage(),
  }[parts[0]];
  if (!view) {
    location.replace('#/customers');
    return;
  }
  render('Loading', h('p', { class: 'muted' }, 'Loading…'));
  try {
    const page = await view();
    if (mine === generation && page) render(...page);
  } catch (err) {
    if (mine === generation && currentKey()) render('Error', failure(err));
  }
}

// ---------------------------------------------------------------------------------------
// Customers.

async function customersPage(params) {
  const query = params.query || '';
  const cursors = { starting_after: params.starting_after, ending_before: params.ending_before };
  let list;
  if (query) {
    list = await api(withQuery('/v1/customers/search', { query, limit: PAGE_SIZE, page: params.page }));
  } else {
    list = await api(withQuery('/v1/customers', { limit: PAGE_SIZE, ...cursors }));
  }
  const input = h('input', {
    type: 'search', name: 'query', value: query, id: 'customer-query', spellcheck: 'false',
    placeholder: "email:'jenny@example.com' OR name~'Jen' AND metadata['plan']:'pro'",
    'aria-label': 'Search query',
  });
  const form = h('form', {
    class: 'search',
    onsubmit: (e) => {
      e.preventDefault();
      location.hash = hashFor('customers', { query: input.value.trim() });
    },
  }, input, h('button', { type: 'submit' }, 'Search'),
  query ? link('#/customers', 'Clear', { class: 'clear' }) : null);

  const rows = list.data.map((c) => h('tr', {},
    h('td', {}, link(customerHref(c.id), c.id, { class: 'mono' })),
    h('td', {}, c.name ?? ''),
    h('td', {}, c.email ?? ''),
    h('td', {}, time(c.created))));
  let paging;
  if (query) {
    paging = h('div', { class: 'pager' },
      params.page ? link(hashFor('customers', { query }), '← First page') : null,
      h('button', {
        type: 'button', disabled: !list.next_page,
        onclick: () => { location.hash = hashFor('customers', { query, page: list.next_page }); },
      }, 'Next page →'));
  } else {
    paging = pager(list, (c) => { location.hash = hashFor('customers', c); }, cursors);
  }
  return ['Customers',
    h('h1', {}, 'Customers'),
    h('p', { class: 'muted' }, 'Newest first. Search uses the query language of ', mono('/v1/customers/search'), '.'),
    form,
    table(['ID', 'Name', 'Email', 'Created'], rows, query ? 'No customer matches.' : 'No customers yet.'),
    paging];
}

async function customerPage(id) {
  const customer = await api(withQuery(`/v1/customers/${encodeURIComponent(id)}`, { 'expand[]': 'tax_ids' }));
  const [paymentMethods, events] = await Promise.all([optionalPaymentMethods(id), eventsAbout(id)]);
  const address = (a) => (a ? [a.line1, a.line2, a.postal_code, a.city, a.state, a.country].filter(Boolean).join(', ') : null);
  const metadata = Object.entries(customer.metadata || {});
  const taxIds = customer.tax_ids?.data || [];
  const sections = [
    h('p', {}, link('#/customers', '← Customers')),
    h('h1', {}, customer.name || customer.email || customer.id, ' ', mono(customer.id)),
    customer.deleted ? h('p', { class: 'error' }, 'This customer is deleted.') : null,
    h('section', { class: 'card', id: 'customer-fields' },
      h('h2', {}, 'Details'),
      fields([
        ['Name', customer.name], ['Email', customer.email], ['Phone', customer.phone],
        ['Description', customer.description], ['Created', time(customer.created)],
        ['Balance', customer.balance === undefined ? null : `${customer.balance}${customer.currency ? ` ${customer.currency}` : ''}`],
        ['Delinquent', customer.delinquent === undefined ? null : String(customer.delinquent)],
        ['Address', address(customer.address)],
        ['Shipping', customer.shipping ? `${customer.shipping.name}: ${address(customer.shipping.address) || ''}` : null],
        ['Invoice prefix', customer.invoice_prefix], ['Tax exempt', customer.tax_exempt],
        ['Preferred locales', (customer.preferred_locales || []).join(', ')],
        ['Default payment method', customer.invoice_settings?.default_payment_method ?? null],
        ['Default source', customer.default_source ?? null],
        ['Test clock', customer.test_clock ?? null],
      ])),
    h('section', { class: 'card', id: 'customer-metadata' },
      h('h2', {}, 'Metadata'),
      table(['Key', 'Value'], metadata.map(([k, v]) => h('tr', {}, h('td', { class: 'mono' }, k), h('td', {}, v))), 'No metadata.')),
    h('section', { class: 'card', id: 'customer-tax-ids' },
      h('h2', {}, 'Tax IDs'),
      table(['ID', 'Type', 'Value', 'Country', 'Verification'], taxIds.map((t) => h('tr', {},
        h('td', { class: 'mono' }, t.id), h('td', {}, t.type), h('td', {}, t.value), h('td', {}, t.country ?? ''),
        h('td', {}, t.verification?.status ?? ''))), 'No tax IDs.')),
    paymentMethods === undefined ? null : h('section', { class: 'card', id: 'customer-payment-methods' },
      h('h2', {}, 'Payment methods'),
      table(['ID', 'Type', 'Details', 'Created'], paymentMethods.map((pm) => h('tr', {},
        h('td', { class: 'mono' }, pm.id), h('td', {}, pm.type),
        h('td', {}, pm.card ? `${pm.card.brand ?? ''} •••• ${pm.card.last4 ?? ''} ${pm.card.exp_month ?? ''}/${pm.card.exp_year ?? ''}` : ''),
        h('td', {}, time(pm.created)))), 'No payment methods.')),
    h('section', { class: 'card', id: 'customer-discount' },
      h('h2', {}, 'Discount'),
      customer.discount ? discountView(customer.discount) : h('p', { class: 'empty' }, 'No discount.')),
    h('section', { class: 'card', id: 'customer-events' },
      h('h2', {}, 'Events'),
      eventTable(events.list, false),
      events.truncated ? h('p', { class: 'muted' }, `Among the account's ${events.read} newest events.`) : null),
    h('details', { class: 'card' }, h('summary', {}, 'JSON'), json(customer)),
  ];
  return [customer.name || customer.id, sections];
}

function discountView(discount) {
  const coupon = discount.coupon || {};
  const off = coupon.percent_off != null ? `${coupon.percent_off}% off` : coupon.amount_off != null ? `${coupon.amount_off} ${coupon.currency ?? ''} off` : '';
  return fields([
    ['Coupon', coupon.id ? [mono(coupon.id), coupon.name ? ` ${coupon.name}` : ''] : null],
    ['Amount', off], ['Duration', coupon.duration ?? null],
    ['Promotion code', typeof discount.promotion_code === 'string' ? discount.promotion_code : discount.promotion_code?.id ?? null],
    ['Start', time(discount.start)], ['End', discount.end ? time(discount.end) : null],
  ]);
}

/** The customer's payment methods, or undefined when the API has no such route (404). */
async function optionalPaymentMethods(id) {
  try {
    const list = await api(withQuery(`/v1/customers/${encodeURIComponent(id)}/payment_methods`, { limit: 100 }));
    return list.data || [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The events about object `id` among the account's newest events. */
async function eventsAbout(id) {
  const found = [];
  let startingAfter;
  let read = 0;
  for (let i = 0; i < CUSTOMER_EVENT_PAGES; i += 1) {
    const page = await api(withQuery('/v1/events', { limit: 100, starting_after: startingAfter }));
    read += page.data.length;
    found.push(...page.data.filter((e) => e.data?.object?.id === id || e.data?.object?.customer === id));
    if (!page.has_more || !page.data.length) return { list: found, read, truncated: false };
    startingAfter = page.data[page.data.length - 1].id;
  }
  return { list: found, read, truncated: true };
}

// ---------------------------------------------------------------------------------------
// Events.

function eventTable(events, withObject = true) {
  if (!events.length) return h('p', { class: 'empty' }, 'No events.');
  return h('div', { class: 'events' }, events.map((e) => {
    const objectId = e.data?.object?.id;
    const object = objectId && objectId.startsWith('cus_') ? link(customerHref(objectId), objectId, { class: 'mono' }) : mono(objectId ?? '');
    return h('details', { class: 'event', 'data-type': e.type },
      h('summary', {},
        h('span', { class: 'type' }, e.type),
        withObject ? object : null,
        mono(e.id),
        time(e.created),
        e.pending_webhooks ? h('span', { class: 'badge warn' }, `${e.pending_webhooks} webhook(s) pending`) : null),
      json(e));
  }));
}

async function eventsPage(params) {
  const type = params.type || '';
  const cursors = { starting_after: params.starting_after, ending_before: params.ending_before };
  const list = await api(withQuery('/v1/events', { limit: PAGE_SIZE, type, ...cursors }));
  const input = h('input', {
    type: 'search', name: 'type', value: type, id: 'event-type', spellcheck: 'false',
    placeholder: 'customer.created or customer.*', 'aria-label': 'Event type',
  });
  const form = h('form', {
    class: 'search',
    onsubmit: (e) => {
      e.preventDefault();
      location.hash = hashFor('events', { type: input.value.trim() });
    },
  }, input, h('button', { type: 'submit' }, 'Filter'), type ? link('#/events', 'Clear', { class: 'clear' }) : null);
  return ['Events',
    h('h1', {}, 'Events'),
    h('p', { class: 'muted' }, 'Newest first, kept 30 days. Open one to see its JSON.'),
    form,
    eventTable(list.data),
    pager(list, (c) => { location.hash = hashFor('events', { type, ...c }); }, cursors)];
}

// ---------------------------------------------------------------------------------------
// Webhook endpoints and their delivery attempts.

async function endpointsPage() {
  const [endpoints, recent] = await Promise.all([
    api(withQuery('/v1/webhook_endpoints', { limit: 100 })),
    api(withQuery('/v1/events', { limit: 100 })),
  ]);
  // The type of each recent event, to name what an attempt sent.
  const typeOf = new Map(recent.data.map((e) => [e.id, e.type]));
  const cards = await Promise.all(endpoints.data.map(async (endpoint) => {
    const attempts = await api(withQuery(`/v1/webhook_endpoints/${encodeURIComponent(endpoint.id)}/delivery_attempts`, { limit: PAGE_SIZE }));
    const note = h('p', { class: 'note', role: 'status' });
    const resend = async (button, eventId) => {
      button.disabled = true;
      try {
        await api(`/v1/webhook_endpoints/${encodeURIComponent(endpoint.id)}/resend`, { method: 'POST', form: { event: eventId } });
        note.textContent = `${eventId} will be sent again to this endpoint.`;
      } catch (err) {
        note.textContent = `Could not resend ${eventId}: ${err.message}`;
      } finally {
        button.disabled = false;
      }
    };
    const rows = attempts.data.map((a) => h('tr', { 'data-attempt': a.id },
      h('td', {}, time(a.created)),
      h('td', {}, h('div', { class: 'mono' }, a.event), typeOf.has(a.event) ? h('div', { class: 'muted' }, typeOf.get(a.event)) : null),
      h('td', {}, statusBadge(a.status)),
      h('td', { class: 'num' }, `${a.duration_ms} ms`),
      h('td', {}, h('code', { class: 'excerpt' }, a.response_excerpt)),
      h('td', {}, h('button', {
        type: 'button', class: 'small', disabled: endpoint.status !== 'enabled',
        onclick: (e) => resend(e.currentTarget, a.event),
      }, 'Resend'))));
    return h('section', { class: 'card endpoint', 'data-endpoint': endpoint.id },
      h('h2', {}, mono(endpoint.url)),
      fields([
        ['ID', mono(endpoint.id)],
        ['Status', h('span', { class: `badge ${endpoint.status === 'enabled' ? 'ok' : 'bad'}` }, endpoint.status)],
        ['Events', endpoint.enabled_events.join(', ')],
        ['Description', endpoint.description],
        ['Created', time(endpoint.created)],
      ]),
      h('h3', {}, 'Recent delivery attempts'),
      table(['Time', 'Event', 'Status', 'Duration', 'Response', ''], rows, 'No delivery attempts yet.'),
      note);
  }));
  return ['Webhooks',
    h('h1', {}, 'Webhook endpoints'),
    h('p', { class: 'muted' }, 'Each endpoint with its latest delivery attempts, newest first. ',
      h('button', { type: 'button', class: 'link', onclick: () => route() }, 'Refresh')),
    cards.length ? cards : h('p', { class: 'empty' }, 'No webhook endpoints yet.')];
}

// ---------------------------------------------------------------------------------------
// Start.

document.addEventListener('DOMContentLoaded', () => {
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const key = $('key').value.trim();
    if (!/^(sk|rk)_(test|live)_\S+$/.test(key)) {
      showLogin('That is not a secret key: it starts with sk_test_ or sk_live_.');
      return;
    }
    sessionStorage.setItem(KEY_STORAGE, key);
    $('key').value = '';
    if (!location.hash || location.hash === '#/' || location.hash === '#') location.hash = '#/customers';
    else route();
  });
  $('forget').addEventListener('click', () => {
    sessionStorage.removeItem(KEY_STORAGE);
    showLogin();
  });
  window.addEventListener('hashchange', route);
  route();
});

// The dashboard's script: hash navigation (#/customers, #/customers/cus_…, #/events,
// #/endpoints, #/test_clocks, #/test_clocks/clock_…), every datum fetched from this
// origin's public API with the key from sessionStorage, and every value put into the page
// as text (customer data is user input: nothing here assigns innerHTML).
'use strict';

const KEY_STORAGE = 'edge-customers.dashboard.key';
const PAGE_SIZE = 20;
/** How many of the newest events the customer page reads to find that customer's. */
const CUSTOMER_EVENT_PAGES = 5;
/** How often an advancing test clock is asked whether it is ready. */
const CLOCK_POLL_MS = 1000;
const DAY = 86400;

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
const clockHref = (id) => `#/test_clocks/${encodeURIComponent(id)}`;

function time(seconds) {
  if (typeof seconds !== 'number') return '';
  const iso = new Date(seconds * 1000).toISOString();
  return h('time', { datetime: iso, title: String(seconds) }, `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`);
}

/** Seconds as a datetime-local input's value, in UTC like `time`. */
const inputTime = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 19);
/** A datetime-local input's value read as UTC, in seconds (NaN when empty). */
const fromInputTime = (value) => Date.parse(`${value}Z`) / 1000;

/** `seconds` plus `n` calendar months in UTC, on the same day or the month's last. */
function addMonths(seconds, n) {
  const d = new Date(seconds * 1000);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + n);
  d.setUTCDate(Math.min(day, new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()));
  return d.getTime() / 1000;
}

/** An amount in the currency's smallest unit, as `12.50 USD` (`500 JPY`). */
function money(amount, currency) {
  if (typeof amount !== 'number') return '';
  if (!currency) return String(amount);
  const code = currency.toUpperCase();
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits;
  } catch {
    // Not an ISO 4217 code: two decimals.
  }
  return `${(amount / 10 ** digits).toFixed(digits)} ${code}`;
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

const TONES = {
  active: 'ok', trialing: 'ok', paid: 'ok', ready: 'ok',
  past_due: 'warn', incomplete: 'warn', paused: 'warn', open: 'warn', advancing: 'warn',
  unpaid: 'bad', uncollectible: 'bad', internal_failure: 'bad',
};

/** A status word (subscription, invoice, clock) as a badge coloured by what it means. */
function stateBadge(state) {
  return h('span', { class: `badge ${TONES[state] || 'plain'}`, 'data-status': state }, state);
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
    test_clocks: () => clocksPage(parts[1]),
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
  const [paymentMethods, events, subscriptions, invoices, upcoming] = await Promise.all([
    optionalList(withQuery(`/v1/customers/${encodeURIComponent(id)}/payment_methods`, { limit: 100 })),
    eventsAbout(id),
    optionalList(withQuery('/v1/subscriptions', { customer: id, status: 'all', limit: 100 })),
    optionalList(withQuery('/v1/invoices', { customer: id, limit: 100 })),
    upcomingInvoice(id),
  ]);
  const address = (a) => (a ? [a.line1, a.line2, a.postal_code, a.city, a.state, a.country].filter(Boolean).join(', ') : null);
  const metadata = Object.entries(customer.metadata || {});
  const taxIds = customer.tax_ids?.data || [];
  const sections = [
    h('p', {}, link('#/customers', '← Customers')),
    h('h1', {}, customer.name || customer.email || customer.id, ' ', mono(customer.id),
      customer.delinquent ? [' ', h('span', { class: 'badge bad', id: 'delinquent' }, 'Delinquent')] : null),
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
        ['Test clock', typeof customer.test_clock === 'string' ? link(clockHref(customer.test_clock), customer.test_clock, { class: 'mono' }) : null],
      ])),
    subscriptions === undefined ? null : h('section', { class: 'card', id: 'customer-subscriptions' },
      h('h2', {}, 'Subscriptions'),
      subscriptionTable(subscriptions)),
    upcoming === undefined ? null : h('section', { class: 'card', id: 'customer-upcoming' },
      h('h2', {}, 'Upcoming invoice'),
      upcoming ? upcomingView(upcoming) : h('p', { class: 'empty' }, 'Nothing upcoming.')),
    invoices === undefined ? null : h('section', { class: 'card', id: 'customer-invoices' },
      h('h2', {}, 'Invoices'),
      invoiceTable(invoices)),
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

/** A list's data, or undefined when the API has no such route (404): its section is left out. */
async function optionalList(path) {
  try {
    const list = await api(path);
    return list.data || [];
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** The customer's upcoming invoice; null when there is none, undefined when the API cannot say. */
async function upcomingInvoice(id) {
  try {
    return await api(withQuery('/v1/invoices/upcoming', { customer: id }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return err.code === 'invoice_upcoming_none' ? null : undefined;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------
// Billing: a customer's subscriptions and invoices.

/** A subscription item's price and quantity, as `15.00 USD / month × 2`. */
function priceTimesQuantity(item) {
  const price = item.price;
  if (!price || typeof price === 'string') return `${price ?? ''} × ${item.quantity ?? 1}`;
  const r = price.recurring;
  const every = r ? ` / ${r.interval_count > 1 ? `${r.interval_count} ${r.interval}s` : r.interval}` : '';
  const amount = price.unit_amount == null ? price.id : money(price.unit_amount, price.currency);
  return `${amount}${every} × ${item.quantity ?? 1}`;
}

function subscriptionTable(subscriptions) {
  return table(['ID', 'Status', 'Price × qty', 'Current period', 'Cancels', 'Latest invoice'], subscriptions.map((s) => {
    // Newer API versions keep the period on the items.
    const period = s.current_period_start === undefined ? s.items?.data?.[0] ?? {} : s;
    const latest = typeof s.latest_invoice === 'string' ? s.latest_invoice : s.latest_invoice?.id;
    return h('tr', { 'data-subscription': s.id },
      h('td', { class: 'mono' }, s.id),
      h('td', {}, stateBadge(s.status)),
      h('td', {}, (s.items?.data || []).map((item) => h('div', {}, priceTimesQuantity(item)))),
      h('td', {}, time(period.current_period_start), ' → ', time(period.current_period_end)),
      h('td', {}, s.cancel_at_period_end ? h('span', { class: 'badge warn' }, 'at period end')
        : s.canceled_at ? ['canceled ', time(s.canceled_at)] : ''),
      h('td', { class: 'mono' }, latest ?? ''));
  }), 'No subscriptions.');
}

function invoiceTable(invoices) {
  const note = h('p', { class: 'note', role: 'status' });
  const act = async (button, invoice, action) => {
    button.disabled = true;
    try {
      await api(`/v1/invoices/${encodeURIComponent(invoice.id)}/${action}`, { method: 'POST' });
      route();
    } catch (err) {
      note.textContent = `Could not ${action} ${invoice.number || invoice.id}: ${err.message}`;
      button.disabled = false;
    }
  };
  const actionable = (i) => i.status === 'open' || i.status === 'uncollectible';
  const rows = invoices.map((i) => h('tr', { 'data-invoice': i.id },
    h('td', {}, i.number ?? '', h('div', { class: 'mono muted' }, i.id)),
    h('td', {}, stateBadge(i.status)),
    h('td', { class: 'num' }, money(i.amount_due, i.currency)),
    h('td', { class: 'num' }, money(i.amount_paid, i.currency)),
    h('td', { class: 'num' }, i.attempt_count ?? ''),
    h('td', {}, time(i.next_payment_attempt)),
    h('td', {}, time(i.created)),
    h('td', {}, actionable(i) ? [
      h('button', { type: 'button', class: 'small', onclick: (e) => act(e.currentTarget, i, 'pay') }, 'Pay'), ' ',
      h('button', { type: 'button', class: 'small', onclick: (e) => act(e.currentTarget, i, 'void') }, 'Void'),
    ] : null)));
  return [table(['Number', 'Status', 'Amount due', 'Paid', 'Attempts', 'Next attempt', 'Created', ''], rows, 'No invoices.'), note];
}

function upcomingView(invoice) {
  return fields([
    ['Amount due', money(invoice.amount_due, invoice.currency)],
    ['Next payment attempt', time(invoice.next_payment_attempt)],
    ['Period', invoice.period_start ? [time(invoice.period_start), ' → ', time(invoice.period_end)] : null],
    ['Subscription', invoice.subscription ? mono(typeof invoice.subscription === 'string' ? invoice.subscription : invoice.subscription.id) : null],
    ['Lines', invoice.lines?.data?.length ? invoice.lines.data.map((l) => h('div', {}, l.description ?? '', ' ', money(l.amount, l.currency))) : null],
  ]);
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
// Test clocks: listed with their customers, created, and advanced (polled until ready).

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

async function clocksPage(id) {
  const clocks = id
    ? [await api(`/v1/test_helpers/test_clocks/${encodeURIComponent(id)}`)]
    : (await api(withQuery('/v1/test_helpers/test_clocks', { limit: 100 }))).data;
  const cards = await Promise.all(clocks.map(async (clock) => {
    const customers = await api(withQuery('/v1/customers', { test_clock: clock.id, limit: 100 }));
    return clockCard(clock, customers.data);
  }));
  const refresh = h('button', { type: 'button', class: 'link', onclick: () => route() }, 'Refresh');
  if (id) {
    return [clocks[0].name || clocks[0].id,
      h('p', {}, link('#/test_clocks', '← Test clocks')),
      h('h1', {}, clocks[0].name || 'Test clock', ' ', mono(clocks[0].id)),
      h('p', { class: 'muted' }, refresh),
      cards];
  }
  return ['Test clocks',
    h('h1', {}, 'Test clocks'),
    h('p', { class: 'muted' }, "A clock's customers live at its frozen time: advancing it bills what falls due on the way. ", refresh),
    newClockForm(),
    cards.length ? cards : h('p', { class: 'empty' }, 'No test clocks yet.')];
}

function newClockForm() {
  const name = h('input', { type: 'text', id: 'clock-name', maxlength: 300, placeholder: 'Name (optional)', 'aria-label': 'Clock name' });
  const start = h('input', {
    type: 'datetime-local', id: 'clock-time', step: 1, required: true,
    value: inputTime(Math.floor(Date.now() / 1000)), 'aria-label': 'Frozen time (UTC)',
  });
  const button = h('button', { type: 'submit' }, 'Create clock');
  const note = h('p', { class: 'note', role: 'status' });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      button.disabled = true;
      try {
        const clock = await api('/v1/test_helpers/test_clocks', {
          method: 'POST', form: { frozen_time: fromInputTime(start.value), ...(name.value.trim() ? { name: name.value.trim() } : {}) },
        });
        location.hash = clockHref(clock.id);
      } catch (err) {
        note.textContent = `Could not create the clock: ${err.message}`;
        button.disabled = false;
      }
    },
  }, name, start, h('span', { class: 'muted' }, 'UTC'), button);
  return h('section', { class: 'card', id: 'new-clock' }, h('h2', {}, 'New test clock'), form, note);
}

function clockCard(clock, customers) {
  const path = `/v1/test_helpers/test_clocks/${encodeURIComponent(clock.id)}`;
  const mine = generation;
  const status = h('span', {}, stateBadge(clock.status));
  const advancing = () => status.replaceChildren(h('span', { class: 'badge warn', 'data-status': 'advancing' }, 'advancing…'));
  const note = h('p', { class: 'note', role: 'status' });
  const target = h('input', {
    type: 'datetime-local', step: 1, required: true, value: inputTime(clock.frozen_time + DAY), 'aria-label': 'Advance to (UTC)',
  });
  const controls = [target];
  const enable = (on) => { for (const c of controls) c.disabled = !on; };
  // Until the clock is ready again: its answers while advancing, then this page anew.
  const follow = async (answer) => {
    let current = answer;
    while (current.status === 'advancing') {
      advancing();
      await sleep(CLOCK_POLL_MS);
      if (mine !== generation) return; // the page was left
      current = await api(path);
    }
    if (mine === generation) route();
  };
  const advance = async (frozenTime) => {
    enable(false);
    advancing();
    try {
      await follow(await api(`${path}/advance`, { method: 'POST', form: { frozen_time: frozenTime } }));
    } catch (err) {
      note.textContent = `Could not advance the clock: ${err.message}`;
      status.replaceChildren(stateBadge(clock.status));
      enable(true);
    }
  };
  const quick = (label, frozenTime) => {
    const button = h('button', { type: 'button', class: 'small', onclick: () => advance(frozenTime) }, label);
    controls.push(button);
    return button;
  };
  const submit = h('button', { type: 'submit', class: 'small' }, 'Advance');
  controls.push(submit);
  const form = h('form', { class: 'advance', onsubmit: (e) => { e.preventDefault(); advance(fromInputTime(target.value)); } },
    quick('+1 day', clock.frozen_time + DAY), quick('+1 month', addMonths(clock.frozen_time, 1)),
    h('span', { class: 'muted' }, 'or to'), target, h('span', { class: 'muted' }, 'UTC'), submit);
  enable(clock.status === 'ready');
  if (clock.status === 'advancing') {
    follow(clock).catch((err) => { note.textContent = `Could not follow the clock: ${err.message}`; });
  }
  return h('section', { class: 'card clock', 'data-clock': clock.id },
    h('h2', {}, link(clockHref(clock.id), clock.name || clock.id)),
    fields([
      ['ID', mono(clock.id)], ['Status', status], ['Frozen time', time(clock.frozen_time)],
      ['Created', time(clock.created)], ['Deletes after', time(clock.deletes_after)],
    ]),
    h('h3', {}, 'Advance'),
    form,
    note,
    h('h3', {}, 'Customers'),
    table(['ID', 'Name', 'Email'], customers.map((c) => h('tr', {},
      h('td', {}, link(customerHref(c.id), c.id, { class: 'mono' })),
      h('td', {}, c.name ?? ''),
      h('td', {}, c.email ?? ''))), 'No customers on this clock.'));
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

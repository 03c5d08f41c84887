// `edge-customers trigger`'s table: for every event type the API emits, the fixture steps
// (the same form as a Stripe CLI fixtures file) whose calls cause it. tests/package.test.mjs
// checks that the table covers every type the server's source emits.

const note = { description: '(created by edge-customers trigger)' };

const customer = (params = {}) => ({ name: 'customer', method: 'post', path: '/v1/customers', params: { ...note, ...params } });
const coupon = { name: 'coupon', method: 'post', path: '/v1/coupons', params: { percent_off: 25, duration: 'once', name: 'Trigger 25% off' } };
const taxId = { name: 'tax_id', method: 'post', path: '/v1/customers/${customer:id}/tax_ids', params: { type: 'eu_vat', value: 'DE123456789' } };
const card = { name: 'card', method: 'post', path: '/v1/customers/${customer:id}/sources', params: { source: 'tok_visa' } };
const promotionCode = { name: 'promotion_code', method: 'post', path: '/v1/promotion_codes', params: { coupon: '${coupon:id}' } };
const attach = { name: 'payment_method', method: 'post', path: '/v1/payment_methods/pm_card_visa/attach', params: { customer: '${customer:id}' } };
const detach = { name: 'detached', method: 'post', path: '/v1/payment_methods/${payment_method:id}/detach' };
const product = { name: 'product', method: 'post', path: '/v1/products', params: { name: 'Trigger product', ...note } };
const price = { name: 'price', method: 'post', path: '/v1/prices', params: { product: '${product:id}', unit_amount: 1500, currency: 'usd', recurring: { interval: 'month' } } };
// 2025-01-01T00:00:00Z, then a day later: a test clock only moves forward.
const testClock = { name: 'test_clock', method: 'post', path: '/v1/test_helpers/test_clocks', params: { frozen_time: 1735689600, name: 'Trigger clock' } };

const recurring = { name: 'price', method: 'post', path: '/v1/prices', params: { product_data: { name: 'Trigger plan' }, unit_amount: 1500, currency: 'usd', recurring: { interval: 'month' } } };
const payer = (pm) => customer({ payment_method: pm, invoice_settings: { default_payment_method: pm } });
const subscribe = (params = {}) => ({ name: 'subscription', method: 'post', path: '/v1/subscriptions', params: { customer: '${customer:id}', items: [{ price: '${price:id}' }], ...params } });
const paid = [recurring, payer('pm_card_visa'), subscribe()];
const declined = [recurring, payer('pm_card_chargeCustomerFail'), subscribe()];
const onInvoice = (action) => ({ name: action, method: 'post', path: `/v1/invoices/\${subscription:latest_invoice}/${action}` });
const clockAdvance = { name: 'advanced', method: 'post', path: '/v1/test_helpers/test_clocks/${test_clock:id}/advance', params: { frozen_time: 1735776000 } };

/** Event type → the steps that cause it (each creates what it needs, in a fresh state). */
export const TRIGGERS = {
  'customer.created': [customer()],
  'customer.updated': [customer(), { name: 'updated', method: 'post', path: '/v1/customers/${customer:id}', params: { metadata: { triggered: 'true' } } }],
  'customer.deleted': [customer(), { name: 'deleted', method: 'delete', path: '/v1/customers/${customer:id}' }],
  'customer.tax_id.created': [customer(), taxId],
  'customer.tax_id.deleted': [customer(), taxId, { name: 'tax_id_deleted', method: 'delete', path: '/v1/customers/${customer:id}/tax_ids/${tax_id:id}' }],
  'customer.source.created': [customer(), card],
  'customer.source.deleted': [customer(), card, { name: 'card_deleted', method: 'delete', path: '/v1/customers/${customer:id}/sources/${card:id}' }],
  'customer.discount.created': [coupon, customer(), { name: 'discounted', method: 'post', path: '/v1/customers/${customer:id}', params: { coupon: '${coupon:id}' } }],
  'customer.discount.deleted': [coupon, customer({ coupon: '${coupon:id}' }), { name: 'discount_deleted', method: 'delete', path: '/v1/customers/${customer:id}/discount' }],
  'coupon.created': [coupon],
  'coupon.updated': [coupon, { name: 'coupon_updated', method: 'post', path: '/v1/coupons/${coupon:id}', params: { metadata: { triggered: 'true' } } }],
  'coupon.deleted': [coupon, { name: 'coupon_deleted', method: 'delete', path: '/v1/coupons/${coupon:id}' }],
  'promotion_code.created': [coupon, promotionCode],
  'promotion_code.updated': [coupon, promotionCode, { name: 'promotion_code_updated', method: 'post', path: '/v1/promotion_codes/${promotion_code:id}', params: { active: false } }],
  'payment_method.attached': [customer(), attach],
  'payment_method.detached': [customer(), attach, detach],
  'customer.payment_method_attached': [customer(), attach],
  'customer.payment_method_detached': [customer(), attach, detach],
  'product.created': [product],
  'product.updated': [product, { name: 'product_updated', method: 'post', path: '/v1/products/${product:id}', params: { metadata: { triggered: 'true' } } }],
  'product.deleted': [product, { name: 'product_deleted', method: 'delete', path: '/v1/products/${product:id}' }],
  'price.created': [product, price],
  'price.updated': [product, price, { name: 'price_updated', method: 'post', path: '/v1/prices/${price:id}', params: { nickname: 'Triggered' } }],
  'test_helpers.test_clock.created': [testClock],
  'test_helpers.test_clock.advancing': [testClock, clockAdvance],
  'test_helpers.test_clock.ready': [testClock, clockAdvance],
  'customer.subscription.created': paid,
  'customer.subscription.updated': paid,
  'customer.subscription.deleted': [...paid, { name: 'canceled', method: 'delete', path: '/v1/subscriptions/${subscription:id}' }],
  'customer.subscription.trial_will_end': [recurring, payer('pm_card_visa'), subscribe({ trial_period_days: 1 })],
  'invoice.created': paid,
  // Three days before the renewal: a clock's customer, and an advance past that moment.
  'invoice.upcoming': [testClock, recurring, customer({ test_clock: '${test_clock:id}', payment_method: 'pm_card_visa', invoice_settings: { default_payment_method: 'pm_card_visa' } }),
    subscribe(), { name: 'advanced', method: 'post', path: '/v1/test_helpers/test_clocks/${test_clock:id}/advance', params: { frozen_time: 1735689600 + 29 * 86400 } }],
  'invoice.finalized': paid,
  'invoice.updated': paid,
  'invoice.paid': paid,
  'invoice.payment_succeeded': paid,
  'invoice.payment_failed': declined,
  'invoice.voided': [...declined, onInvoice('void')],
  'invoice.marked_uncollectible': [...declined, onInvoice('mark_uncollectible')],
  'test_helpers.test_clock.deleted': [testClock, { name: 'test_clock_deleted', method: 'delete', path: '/v1/test_helpers/test_clocks/${test_clock:id}' }],
};

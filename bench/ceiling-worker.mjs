// The runtime's ceiling: a worker that does no work of its own. It drains the request
// body (as any handler that reads its parameters must) and answers one constant,
// Stripe-shaped customer, pretty-printed like ours, for every method and path.
// Under `/object/` it asks one Durable Object for that constant by RPC first (when the
// CEILING_OBJECT binding is there): the runtime's own cost of one object per request,
// with no storage and no code, which is what every account-wide read of ours and of the
// floor passes through (bench/scale.mjs's tail rounds).
import { DurableObject } from 'cloudflare:workers';

const CUSTOMER = JSON.stringify(
  {
    id: 'cus_QZ3bench0000000',
    object: 'customer',
    address: { city: 'Springfield', country: 'US', line1: '1 Main Street', line2: null, postal_code: '12345', state: null },
    balance: 0,
    created: 1767225600,
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: 'user1@example.com',
    invoice_prefix: 'A1B2C3D4',
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: { ref: 'r1', tier: 't1' },
    name: 'Customer 1',
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  },
  null,
  2,
);

export class CeilingObject extends DurableObject {
  answer() {
    return CUSTOMER;
  }
}

export default {
  async fetch(request, env) {
    if (request.body) await request.arrayBuffer();
    const viaObject = env.CEILING_OBJECT && new URL(request.url).pathname.startsWith('/object/');
    const body = viaObject ? await env.CEILING_OBJECT.getByName('ceiling').answer() : CUSTOMER;
    return new Response(body, {
      headers: { 'content-type': 'application/json', 'request-id': 'req_ceiling' },
    });
  },
};

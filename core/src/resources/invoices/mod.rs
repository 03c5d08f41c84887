//! Invoices, as far as seed 004 needs them today: the customer's list (seed 004's
//! `GET /v1/customers/{customer}/invoices`), empty while no invoice exists, and the
//! upcoming invoice, which is Stripe's `invoice_upcoming_none` while nothing is billed.

pub mod handlers;

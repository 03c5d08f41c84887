//! One folder per Stripe resource, each with its model, parameters, rules, view,
//! the commands its Durable Object executes, and its handlers.

pub mod customers;
pub mod events;
pub mod invoices;
pub mod subscriptions;
pub mod tax_ids;
pub mod webhook_endpoints;

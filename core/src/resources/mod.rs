//! One folder per Stripe resource, each with its model, parameters, rules, view,
//! the commands its Durable Object executes, and its handlers.

pub mod account;
pub mod billing;
pub mod coupons;
pub mod customers;
pub mod events;
pub mod invoices;
pub mod objects;
pub mod payment_methods;
pub mod prices;
pub mod products;
pub mod promotion_codes;
pub mod subscriptions;
pub mod tax_ids;
pub mod test_clocks;
pub mod webhook_endpoints;

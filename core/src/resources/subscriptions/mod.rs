//! Subscriptions, as far as seed 004 needs them today: the customer's list
//! (`GET /v1/customers/{customer}/subscriptions`), empty while no subscription exists.

pub mod handlers;

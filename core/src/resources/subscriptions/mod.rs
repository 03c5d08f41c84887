//! Subscriptions (`/v1/subscriptions`) and seed 004's customer list of them. A
//! subscription lives in its customer's object (`billing`); the account's object keeps
//! a copy of each for lists and reads.

pub mod handlers;
pub mod params;

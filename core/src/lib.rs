//! The pure core of the edge Customers API: Stripe's wire format (`wire`), one folder
//! per resource (`resources`), and the dispatch table (`routes`). It does not depend on
//! the Worker runtime, so the compiler keeps it pure and `cargo test` covers all of it.
//!
//! ```text
//! routes      method + path -> Route; dispatch(Route) -> the resource's handler
//! resources/  customers/ (model, changes, apply, expand, view, list, search, commands,
//!             execute, backend, handlers)
//! wire/       form decoding, the parameter cursor, errors, rendering, envelopes,
//!             pagination, ids, auth, idempotency, the request context
//! config      the Worker's vars, typed
//! ```

pub mod config;
#[cfg(test)]
mod fuzz;
pub mod resources;
pub mod routes;
pub mod wire;

//! Edge Customers API: a Stripe-compatible `/v1/customers` served by a Cloudflare
//! Worker, with each customer in a Durable Object and a copy in Workers KV. This crate
//! is the runtime glue only; every rule lives in the pure `api-core` crate (`core/`).
//!
//! - `edge/`: the Worker (read the request, dispatch, write the response; the storage
//!   backend the handlers call through; the isolate's memo; binding names).
//! - `objects/`: the Durable Objects (CustomerObject, AccountObject), their SQL stores
//!   and the alarm scheduler.

#[cfg(feature = "bench")]
mod bench_bulk;
pub mod edge;
pub mod objects;

pub use objects::account_object::AccountObject;
pub use objects::customer_object::CustomerObject;

use worker::{event, web_sys, Context, Env, Result};

/// The Worker's fetch handler.
#[event(fetch)]
pub async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    #[cfg(feature = "bench")]
    if bench_bulk::wants(&req, &env) {
        return bench_bulk::serve(req, &env).await;
    }
    edge::serve(req, env, ctx).await
}

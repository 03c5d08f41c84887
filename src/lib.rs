//! Edge Customers API: a Stripe-compatible `/v1/customers` served by a Cloudflare
//! Worker, with each customer in a Durable Object and a copy in Workers KV.
//!
//! # Layout
//! - Pure logic (no Worker runtime; tested with `cargo test`):
//!   `form` (bracket decoder), `params` (parameter cursor), `model` (the Customer,
//!   its validation, expansion, list query), `auth`, `router`, `idempotency`,
//!   `render`, `error`, `search` (query language and its SQL), `edge_cache`, and
//!   `objects::{customer_ops, protocol}`.
//! - Runtime glue: this file's entry point, `api` (request path and handlers),
//!   `store` (bindings and naming), `objects::{customer_object, account_object}`.

pub mod api;
pub mod auth;
pub mod edge_cache;
pub mod error;
pub mod form;
pub mod idempotency;
pub mod model;
pub mod objects;
pub mod params;
pub mod render;
pub mod router;
pub mod search;
pub mod store;

pub use objects::account_object::AccountObject;
pub use objects::customer_object::CustomerObject;

use worker::{event, Context, Env, Request, Response, Result};

use crate::render::Rendered;

/// The Worker's fetch handler: every response, error or not, carries a `Request-Id`.
#[event(fetch)]
pub async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let request_id = model::ids::random_id("req");
    let stripe_version = req.headers().get("Stripe-Version").ok().flatten();
    let rendered = match api::handle(req, &env).await {
        Ok(rendered) => rendered,
        Err(err) => {
            if let error::ApiError::Internal { detail } = &err {
                worker::console_error!("{request_id}: {detail}");
            }
            Rendered::error(&err)
        }
    };
    let mut response = Response::ok(rendered.body)?.with_status(rendered.status);
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/json")?;
    headers.set("Request-Id", &request_id)?;
    headers.set("Cache-Control", "no-cache, no-store")?;
    if let Some(version) = stripe_version {
        headers.set("Stripe-Version", &version)?;
    }
    if rendered.replayed {
        headers.set("Idempotent-Replayed", "true")?;
    }
    Ok(response)
}

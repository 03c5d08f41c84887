//! Edge Customers API: a Stripe-compatible `/v1/customers` served by a Cloudflare
//! Worker, with each customer in a Durable Object and a copy in Workers KV. This crate
//! is the runtime glue only; every rule lives in the pure `api-core` crate (`core/`).
//!
//! - `edge/`: the Worker (read the request, dispatch, write the response; the storage
//!   backend the handlers call through; the isolate's memo; binding names).
//! - `objects/`: the Durable Objects (CustomerObject, AccountObject), their SQL stores
//!   and the alarm scheduler.
//! - `settle`: an answer to JavaScript as a value when it never waits; `promise`: a
//!   JavaScript promise awaited without wasm-bindgen's closures.

#[cfg(feature = "bench")]
mod bench_bulk;
pub mod edge;
pub mod objects;
mod promise;
mod settle;

pub use objects::account_object::AccountObject;
pub use objects::customer_object::CustomerObject;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use worker::{web_sys, Context, Env, Result};

/// The Worker's fetch handler, exported by hand rather than by `#[event(fetch)]`, whose
/// export is an async function: every request became a promise run by the futures
/// executor. Through [`settle::settle`], a request whose future ends at its first poll
/// (every read: the object's answer is forwarded, not awaited) answers its `Response`, or
/// the promise `edgeForward` made of the object's answer, as a value.
#[wasm_bindgen]
pub fn fetch(req: web_sys::Request, env: Env, ctx: worker::worker_sys::Context) -> JsValue {
    settle::settle(async move {
        match respond(req, env, Context::new(ctx)).await {
            Ok(response) => response.into(),
            Err(err) => {
                // As `#[event(fetch)]` answers a handler's error.
                worker::console_error!("{err}");
                internal_error()
            }
        }
    })
}

async fn respond(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    #[cfg(feature = "bench")]
    if bench_bulk::wants(&req, &env) {
        return bench_bulk::serve(req, &env).await;
    }
    edge::serve(req, env, ctx).await
}

/// A bare 500, for a request whose response could not be built.
fn internal_error() -> JsValue {
    let init = web_sys::ResponseInit::new();
    init.set_status(500);
    web_sys::Response::new_with_opt_str_and_init(Some("INTERNAL SERVER ERROR"), &init)
        .map_or_else(|err| err, JsValue::from)
}

//! The Durable Objects: thin glue that runs `api-core`'s logic over SQLite, answers
//! the Worker with a body or a typed `ApiError`, and does its deferred work (copies,
//! retries) from one alarm through the [`scheduler`].

pub mod account_object;
pub mod customer_object;
pub mod faults;
pub mod scheduler;
pub mod sql;

use api_core::wire::error::ApiError;
use worker::js_sys;
use worker::wasm_bindgen::JsValue;

use crate::edge::bindings::{KEY_KEPT_STATUS, REPLAYED_STATUS};
use sql::run_statement;

/// An object's answer to the Worker: 200 and the body (`REPLAYED_STATUS` for a replay),
/// or the error's status and the error as typed JSON (rendered to Stripe's shape by the
/// Worker, in one place).
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    pub fn new(result: std::result::Result<String, ApiError>, replayed: bool) -> Self {
        match result {
            Ok(body) if replayed => Answer {
                status: REPLAYED_STATUS,
                body,
            },
            Ok(body) => Answer { status: 200, body },
            Err(err) => Answer {
                status: err.status(),
                // Unserialisable, it still reaches the Worker as an internal error.
                body: serde_json::to_string(&err).unwrap_or_default(),
            },
        }
    }

    /// A success whose idempotency key the registry now has as kept by this object.
    pub fn with_key_kept(self) -> Self {
        match self.status {
            200 => Answer {
                status: KEY_KEPT_STATUS,
                ..self
            },
            _ => self,
        }
    }

    /// As the answer of the `answer` RPC method: `[status, body]`.
    pub fn into_js(self) -> JsValue {
        js_sys::Array::of2(&JsValue::from(self.status), &JsValue::from(self.body)).into()
    }
}

/// Runs the SQL statements of a schema; a failure is logged (the first query that
/// needs the table then fails with an internal error that says why).
pub fn create_schema(sql: &worker::SqlStorage, schema: &[&str], object: &str) {
    for statement in schema {
        if let Err(e) = run_statement(sql, statement, None) {
            worker::console_error!("{object} schema: {e}");
        }
    }
}

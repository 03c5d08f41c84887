//! The Durable Objects: thin glue that runs `api-core`'s logic over SQLite, answers
//! the Worker with a body or a typed `ApiError`, and does its deferred work (copies,
//! retries) from one alarm through the [`scheduler`].

pub mod account_object;
pub mod customer_object;
pub mod faults;
pub mod scheduler;
pub mod sql;

use api_core::wire::error::ApiError;
use worker::{Response, Result};

use crate::edge::bindings::REPLAYED_STATUS;

/// An object's answer to the Worker: 200 and the body (`REPLAYED_STATUS` for a replay),
/// or the error's status and the error as typed JSON (rendered to Stripe's shape by the
/// Worker, in one place).
pub fn respond(result: std::result::Result<String, ApiError>, replayed: bool) -> Result<Response> {
    match result {
        Ok(body) if replayed => Ok(Response::ok(body)?.with_status(REPLAYED_STATUS)),
        Ok(body) => Response::ok(body),
        Err(err) => Ok(Response::ok(serde_json::to_string(&err)?)?.with_status(err.status())),
    }
}

/// Runs the SQL statements of a schema; a failure is logged (the first query that
/// needs the table then fails with an internal error that says why).
pub fn create_schema(sql: &worker::SqlStorage, schema: &[&str], object: &str) {
    for statement in schema {
        if let Err(e) = sql.exec(statement, None) {
            worker::console_error!("{object} schema: {e}");
        }
    }
}

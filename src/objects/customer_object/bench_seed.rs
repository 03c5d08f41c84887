//! Bench only: stores a seeded customer's record as this object's customer, with no
//! event and no copy (the bench's bulk path already wrote its index row). Answers only
//! when the var `BENCH_BULK` is "true" (bench/scale.mjs; never in wrangler.toml).

use crate::objects::sql::run_statement;
use api_core::wire::error::ApiError;
use serde_json::value::RawValue;
use worker::{Env, SqlStorage, SqlStorageValue};

/// The CustomerObject path of the seed command.
pub const PATH: &str = "/bench/seed";

/// Writes the record unless the object already holds a customer. `body` is the JSON
/// array `[namespace, version, record]`.
pub fn seed(sql: &SqlStorage, env: &Env, body: &str) -> Result<String, ApiError> {
    if !env.var("BENCH_BULK").is_ok_and(|v| v.to_string() == "true") {
        return Err(ApiError::internal("customer object: no path /bench/seed"));
    }
    let parts: Vec<&RawValue> = serde_json::from_str(body)?;
    let [namespace, version, record] = parts[..] else {
        return Err(ApiError::internal(
            "bench seed: [namespace, version, record]",
        ));
    };
    let (namespace, version, record) = (
        namespace.get().trim_matches('"'),
        version.get(),
        record.get(),
    );
    run_statement(
        sql,
        "INSERT OR IGNORE INTO customer (slot, namespace, version, document) VALUES (0, ?, ?, ?)",
        vec![
            namespace.into(),
            SqlStorageValue::Integer(version.parse().unwrap_or_default()),
            record.into(),
        ],
    )?;
    Ok(String::new())
}

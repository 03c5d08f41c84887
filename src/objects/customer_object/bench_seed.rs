//! Bench only: stores a seeded customer's record as this object's customer, with no
//! event and no copy (the bench's bulk path already wrote its index row). Answers only
//! when the var `BENCH_BULK` is "true" (bench/scale.mjs; never in wrangler.toml).

use api_core::wire::error::ApiError;
use serde::Deserialize;
use serde_json::value::RawValue;
use worker::{Env, SqlStorage, SqlStorageValue};

use crate::objects::sql::storage_error;

/// The CustomerObject path of the seed command.
pub const PATH: &str = "/bench/seed";

#[derive(Deserialize)]
struct Seed<'a> {
    namespace: String,
    version: i64,
    #[serde(borrow)]
    record: &'a RawValue,
}

/// Writes the record unless the object already holds a customer.
pub fn seed(sql: &SqlStorage, env: &Env, body: &str) -> Result<String, ApiError> {
    if !env.var("BENCH_BULK").is_ok_and(|v| v.to_string() == "true") {
        return Err(ApiError::internal("customer object: no path /bench/seed"));
    }
    let seed: Seed = serde_json::from_str(body)?;
    sql.exec(
        "INSERT OR IGNORE INTO customer (slot, namespace, version, document) VALUES (0, ?, ?, ?)",
        vec![
            seed.namespace.into(),
            SqlStorageValue::Integer(seed.version),
            seed.record.get().into(),
        ],
    )
    .map_err(storage_error)?;
    Ok(String::new())
}

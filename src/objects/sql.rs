//! Small adapters between `api-core`'s SQL values and the runtime's SQLite API.

use api_core::wire::error::ApiError;
use api_core::wire::pagination::SqlArg;
use worker::SqlStorageValue;

/// A SQLite failure, as an internal error that says which statement failed.
pub fn storage_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("sql: {e}"))
}

/// The runtime's bind values for `api-core`'s arguments.
pub fn bind(args: Vec<SqlArg>) -> Vec<SqlStorageValue> {
    args.into_iter()
        .map(|arg| match arg {
            SqlArg::Int(i) => SqlStorageValue::Integer(i),
            SqlArg::Text(t) => SqlStorageValue::String(t),
        })
        .collect()
}

/// The single integer a `SELECT count(*) AS n …` answers.
pub fn count(
    sql: &worker::SqlStorage,
    query: &str,
    args: Vec<SqlStorageValue>,
) -> Result<i64, ApiError> {
    #[derive(serde::Deserialize)]
    struct Row {
        n: i64,
    }
    let rows: Vec<Row> = sql
        .exec(query, args)
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    Ok(rows.first().map_or(0, |r| r.n))
}

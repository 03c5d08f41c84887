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

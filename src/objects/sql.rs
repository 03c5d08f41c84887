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
    let found: Vec<Row> = rows(sql, query, args)?;
    Ok(found.first().map_or(0, |r| r.n))
}

/// Runs `statement` and reads every row as a `T`.
pub fn rows<T: serde::de::DeserializeOwned>(
    sql: &worker::SqlStorage,
    statement: &str,
    args: Vec<SqlStorageValue>,
) -> Result<Vec<T>, ApiError> {
    sql.exec(statement, args)
        .and_then(|cursor| cursor.to_array())
        .map_err(storage_error)
}

/// Where the row `id` of `table` (with `created` and `seq` columns) stands in list order;
/// a cursor naming no such row is Stripe's `No such <kind>` on the cursor's parameter.
pub fn position_of(
    sql: &worker::SqlStorage,
    table: &str,
    kind: &str,
    id: &str,
    param: &str,
) -> Result<api_core::wire::pagination::Position, ApiError> {
    #[derive(serde::Deserialize)]
    struct Row {
        created: i64,
        seq: i64,
    }
    let found: Vec<Row> = rows(
        sql,
        &format!("SELECT created, seq FROM {table} WHERE id = ?"),
        vec![id.into()],
    )?;
    found
        .first()
        .map(|r| api_core::wire::pagination::Position {
            created: r.created,
            seq: r.seq,
        })
        .ok_or_else(|| ApiError::missing_reference(kind, id, param))
}

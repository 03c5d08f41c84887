//! Small adapters between `api-core`'s SQL values and the runtime's SQLite API. Every
//! statement goes through [`run_statement`] or, when it answers rows, [`query`]: one call
//! into JavaScript each (the shim's `edgeExec` and `edgeQuery`), the same JavaScript
//! string per statement text, the arguments and the rows each as one text
//! (`api_core::wire::sql_text`), the rows read as arrays of values in SELECT order.

use std::cell::RefCell;
use std::collections::HashMap;

use api_core::wire::error::ApiError;
use api_core::wire::pagination::SqlArg;
use api_core::wire::sql_text::{self, ArgsText, SqlValue};
use wasm_bindgen::prelude::wasm_bindgen;
use worker::wasm_bindgen::JsValue;
use worker::{SqlStorage, SqlStorageValue};

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

/// One row of a result: its columns in SELECT order. A column that is NULL (or missing,
/// or of another type) reads as 0 or "", or `None` through the `opt_` readers.
pub struct Row(Vec<SqlValue>);

impl Row {
    /// The integer in column `i`; 0 if NULL.
    pub fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }

    /// The integer in column `i`, or `None` if NULL.
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self.0.get(i) {
            Some(SqlValue::Int(n)) => Some(*n),
            _ => None,
        }
    }

    /// The text in column `i`, borrowed; "" if NULL.
    pub fn str(&self, i: usize) -> &str {
        match self.0.get(i) {
            Some(SqlValue::Text(s)) => s,
            _ => "",
        }
    }

    /// The text in column `i`, taken out of the row; "" if NULL.
    pub fn text(&mut self, i: usize) -> String {
        self.opt_text(i).unwrap_or_default()
    }

    /// The text in column `i`, taken out of the row, or `None` if NULL.
    pub fn opt_text(&mut self, i: usize) -> Option<String> {
        match self.0.get_mut(i) {
            Some(SqlValue::Text(s)) => Some(std::mem::take(s)),
            _ => None,
        }
    }
}

#[wasm_bindgen]
extern "C" {
    /// scripts/fast-shim.mjs: runs `statement` (the runtime's `SqlStorage.exec`) with the
    /// arguments `args` holds, and answers how many rows it wrote.
    #[wasm_bindgen(catch, js_name = edgeExec)]
    fn exec_text(sql: &JsValue, statement: &JsValue, args: &str) -> Result<f64, JsValue>;

    /// The same, with every row read to its end: the rows as one text.
    #[wasm_bindgen(catch, js_name = edgeQuery)]
    fn query_text(sql: &JsValue, statement: &JsValue, args: &str) -> Result<String, JsValue>;
}

/// Runs `statement` and reads every row. One call into JavaScript: the arguments' array,
/// each argument, the rows' array, each row and each value had been a call or two (SQL
/// made 160 of a create's 212 calls across; ARCHITECTURE.md, "Request path").
pub fn query(
    sql: &SqlStorage,
    statement: &str,
    args: Vec<SqlStorageValue>,
) -> Result<Vec<Row>, ApiError> {
    let args = args_text(args);
    let rows = query_text(sql.as_ref(), &statement_text(statement), args.as_str())
        .map_err(|e| storage_error(worker::Error::from(e)))?;
    Ok(sql_text::parse_rows(&rows)
        .map_err(storage_error)?
        .into_iter()
        .map(Row)
        .collect())
}

/// Runs `statement` with `args`, and answers how many rows it wrote. A statement that
/// answers rows goes through [`query`]: a cursor left unread keeps its prepared
/// statement, and the next run of it is compiled again.
pub fn run_statement(
    sql: &SqlStorage,
    statement: &str,
    args: impl Into<Option<Vec<SqlStorageValue>>>,
) -> Result<u64, ApiError> {
    let args = args_text(args.into().unwrap_or_default());
    exec_text(sql.as_ref(), &statement_text(statement), args.as_str())
        .map(|written| written as u64)
        .map_err(|e| storage_error(worker::Error::from(e)))
}

/// The arguments as one text. No statement here binds a blob or a float; either would
/// go as NULL.
fn args_text(args: Vec<SqlStorageValue>) -> ArgsText {
    let mut text = ArgsText::default();
    for arg in args {
        match arg {
            SqlStorageValue::Integer(i) => text.int(i),
            SqlStorageValue::String(s) => text.text(&s),
            SqlStorageValue::Boolean(b) => text.int(i64::from(b)),
            SqlStorageValue::Null | SqlStorageValue::Float(_) | SqlStorageValue::Blob(_) => {
                text.null()
            }
        }
    }
    text
}

/// How many statements' texts [`statement_text`] keeps: every statement this crate runs is
/// one of a few dozen texts, but a search's page query is written for its clauses.
const KEPT_STATEMENTS: usize = 256;

thread_local! {
    /// The JavaScript string of each statement run so far, by its text.
    static STATEMENT_TEXTS: RefCell<HashMap<String, JsValue>> = RefCell::default();
}

/// `statement` as a JavaScript string, the same string each time. The runtime keys its
/// cache of prepared statements by the string's identity, so it makes every new string
/// an internalized one first, a hash and a lookup of its whole text; and the glue decodes
/// each `&str` from the wasm memory anew. In the floor worker, the same query given a new
/// string each time cost 14–26 µs more of workerd CPU per request (bench/ab.mjs).
fn statement_text(statement: &str) -> JsValue {
    STATEMENT_TEXTS.with_borrow_mut(|texts| {
        if let Some(text) = texts.get(statement) {
            return text.clone();
        }
        let text = JsValue::from_str(statement);
        if texts.len() < KEPT_STATEMENTS {
            texts.insert(statement.to_owned(), text.clone());
        }
        text
    })
}

/// Runs `statement` and reads its first row, if it answers any.
pub fn first(
    sql: &SqlStorage,
    statement: &str,
    args: Vec<SqlStorageValue>,
) -> Result<Option<Row>, ApiError> {
    Ok(query(sql, statement, args)?.into_iter().next())
}

/// The single integer a `SELECT count(*) …` (or any one-integer query) answers; 0 if none.
pub fn count(
    sql: &SqlStorage,
    statement: &str,
    args: Vec<SqlStorageValue>,
) -> Result<i64, ApiError> {
    Ok(first(sql, statement, args)?.map_or(0, |r| r.int(0)))
}

/// Where the row `id` of `table` (with `created` and `seq` columns) stands in list order;
/// a cursor naming no such row is Stripe's `No such <kind>` on the cursor's parameter.
pub fn position_of(
    sql: &SqlStorage,
    table: &str,
    kind: &str,
    id: &str,
    param: &str,
) -> Result<api_core::wire::pagination::Position, ApiError> {
    first(
        sql,
        &format!("SELECT created, seq FROM {table} WHERE id = ?"),
        vec![id.into()],
    )?
    .map(|r| api_core::wire::pagination::Position {
        created: r.int(0),
        seq: r.int(1),
    })
    .ok_or_else(|| ApiError::missing_reference(kind, id, param))
}

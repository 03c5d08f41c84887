//! Small adapters between `api-core`'s SQL values and the runtime's SQLite API. Every
//! statement goes through [`run_statement`] (the same JavaScript string per statement text), and every
//! read through one non-generic reader, [`query`]: rows as arrays of values in SELECT order,
//! since worker's `to_array::<T>()` runs serde_wasm_bindgen per derived row type (see `Row`).

use std::cell::RefCell;
use std::collections::HashMap;

use api_core::wire::error::ApiError;
use api_core::wire::pagination::SqlArg;
use wasm_bindgen::prelude::wasm_bindgen;
use worker::js_sys::Array;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::worker_sys::SqlStorageCursor;
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

/// One row of a result: its columns in SELECT order (the cursor's `raw()` arrays). A
/// column that is NULL (or missing, or of another type) reads as 0 or "", or `None`
/// through the `opt_` readers. Worker's `to_array::<T>()` with a derived `Deserialize`
/// per row type cost the wasm serde_wasm_bindgen, monomorphised for each of a dozen row
/// types, and every read a JS property lookup per column; this reader is one function.
pub struct Row(Vec<SqlStorageValue>);

impl Row {
    /// The integer in column `i`; 0 if NULL.
    pub fn int(&self, i: usize) -> i64 {
        self.opt_int(i).unwrap_or(0)
    }

    /// The integer in column `i`, or `None` if NULL.
    pub fn opt_int(&self, i: usize) -> Option<i64> {
        match self.0.get(i) {
            Some(SqlStorageValue::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    /// The text in column `i`, borrowed; "" if NULL.
    pub fn str(&self, i: usize) -> &str {
        match self.0.get(i) {
            Some(SqlStorageValue::String(s)) => s,
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
            Some(SqlStorageValue::String(s)) => Some(std::mem::take(s)),
            _ => None,
        }
    }
}

/// Runs `statement` and reads every row. Bound to the runtime's `exec` directly rather
/// than through worker's `SqlCursor::raw()`, whose iterator calls into JavaScript three
/// times per row and about six times per value (and costs the wasm more): here all rows
/// come across in one `Array.from`, and a value in one or two calls.
pub fn query(
    sql: &SqlStorage,
    statement: &str,
    args: Vec<SqlStorageValue>,
) -> Result<Vec<Row>, ApiError> {
    let cursor = run_statement(sql, statement, args)?;
    // Every row at once (one call into JavaScript), each an array of its columns.
    let rows = Array::from(&cursor.raw());
    Ok(rows
        .iter()
        .map(|row| Row(row.unchecked_into::<Array>().iter().map(value).collect()))
        .collect())
}

#[wasm_bindgen]
extern "C" {
    /// The runtime's `SqlStorage`, whose `exec` is given the statement as a JavaScript
    /// string (worker-sys's takes a `&str`, decoded into a new string on every call).
    type SqlHandle;

    #[wasm_bindgen(method, catch, variadic, js_name = exec)]
    fn exec_text(
        this: &SqlHandle,
        query: &JsValue,
        bindings: Array,
    ) -> Result<SqlStorageCursor, JsValue>;
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

/// Runs `statement` with `args`: its cursor, which a write need not read (the runtime
/// ends a statement that has no rows at once) and a read must read to its end (a cursor
/// left open keeps its prepared statement, and the next run of it is compiled again).
pub fn run_statement(
    sql: &SqlStorage,
    statement: &str,
    args: impl Into<Option<Vec<SqlStorageValue>>>,
) -> Result<SqlStorageCursor, ApiError> {
    let bindings = Array::new();
    for arg in args.into().unwrap_or_default() {
        bindings.push(&binding(arg));
    }
    sql.as_ref()
        .unchecked_ref::<SqlHandle>()
        .exec_text(&statement_text(statement), bindings)
        .map_err(|e| storage_error(worker::Error::from(e)))
}

/// A bound value as JavaScript: worker's own conversion also asks JavaScript whether each
/// integer is a safe one (one more call out per integer bound); no integer this crate binds
/// (seconds, milliseconds, row numbers, amounts) comes near 2^53.
fn binding(arg: SqlStorageValue) -> JsValue {
    match arg {
        SqlStorageValue::Integer(i) => JsValue::from_f64(i as f64),
        other => other.into(),
    }
}

/// A column's value: SQLite answers text as strings and integers as numbers (exact: no
/// column here holds more than 2^53), and NULL as null; no column here holds a blob.
fn value(cell: JsValue) -> SqlStorageValue {
    match cell.as_string() {
        Some(text) => SqlStorageValue::String(text),
        None => cell.as_f64().map_or(SqlStorageValue::Null, |n| {
            SqlStorageValue::Integer(n as i64)
        }),
    }
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

//! The AccountObject Durable Object: one per account namespace. It holds the index
//! that list and search are served from (a copy of each customer document, newest
//! version wins, with its metadata as rows) and the tables that referenced objects
//! (coupons, payment methods, …) live in.

use serde::Deserialize;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue,
    State,
};

use super::protocol::{AccountCommand, IndexEntry};
use crate::error::ApiError;
use crate::model::list::{
    finish_page, page_query, Cursor, Limit, ListCustomers, Position, SqlArg, SqlQuery,
};
use crate::model::params::{Reference, ReferenceKind};
use crate::render::Rendered;
use crate::search::sql::search_query;
use crate::search::{encode_page, SearchCustomers};

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS customers (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL,
        email TEXT,
        name TEXT,
        phone TEXT,
        metadata TEXT NOT NULL DEFAULT '{}',
        test_clock TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL,
        document TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS customers_by_created ON customers (created DESC, seq DESC) WHERE deleted = 0",
    "CREATE INDEX IF NOT EXISTS customers_by_email ON customers (email, created DESC, seq DESC) WHERE deleted = 0",
    "CREATE TABLE IF NOT EXISTS customer_metadata (
        seq INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (key, value, seq))",
    "CREATE INDEX IF NOT EXISTS customer_metadata_by_seq ON customer_metadata (seq)",
    "CREATE INDEX IF NOT EXISTS customers_by_lower_email ON customers (lower(email)) WHERE deleted = 0",
    "CREATE TABLE IF NOT EXISTS coupons (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS promotion_codes (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS payment_methods (id TEXT PRIMARY KEY, customer TEXT, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, customer TEXT, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_clocks (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
];

#[durable_object(fetch)]
pub struct AccountObject {
    state: State,
}

impl DurableObject for AccountObject {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        for statement in SCHEMA {
            if let Err(e) = sql.exec(statement, None) {
                worker::console_error!("account schema: {e}");
            }
        }
        AccountObject { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: AccountCommand = serde_json::from_str(&req.text().await?)?;
        let sql = self.state.storage().sql();
        let result = match command {
            AccountCommand::Upsert { entry } => upsert(&sql, &entry).map(|()| String::new()),
            AccountCommand::List { list } => list_page(&sql, &list),
            AccountCommand::Search { search } => search_page(&sql, &search),
            AccountCommand::Resolve { references } => first_missing(&sql, &references)
                .and_then(|missing| Ok(serde_json::to_string(&missing)?)),
        };
        match result {
            Ok(body) => Response::ok(body),
            // Passed through to the client as is: rendered the one way errors are.
            Err(err) => {
                let rendered = Rendered::error(&err);
                Ok(Response::ok(rendered.body)?.with_status(rendered.status))
            }
        }
    }
}

fn storage_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("sql: {e}"))
}

/// Inserts or refreshes a row; an older version than the stored one changes nothing.
fn upsert(sql: &SqlStorage, e: &IndexEntry) -> Result<(), ApiError> {
    sql.exec(
        "INSERT INTO customers (id, created, email, name, phone, metadata, test_clock, deleted, version, document)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET
           email = excluded.email, name = excluded.name, phone = excluded.phone,
           metadata = excluded.metadata, test_clock = excluded.test_clock,
           deleted = excluded.deleted, version = excluded.version, document = excluded.document
         WHERE excluded.version > customers.version",
        vec![
            e.id.as_str().into(),
            SqlStorageValue::Integer(e.created),
            e.email.clone().into(),
            e.name.clone().into(),
            e.phone.clone().into(),
            e.metadata.as_str().into(),
            e.test_clock.clone().into(),
            SqlStorageValue::Integer(i64::from(e.deleted)),
            SqlStorageValue::Integer(e.version),
            e.document.as_str().into(),
        ],
    )
    .map_err(storage_error)?;
    refresh_metadata_rows(sql, e)
}

/// Rewrites the metadata rows search uses, if the row now holds this entry's version.
fn refresh_metadata_rows(sql: &SqlStorage, e: &IndexEntry) -> Result<(), ApiError> {
    let this_version = || vec![e.id.as_str().into(), SqlStorageValue::Integer(e.version)];
    sql.exec(
        "DELETE FROM customer_metadata WHERE seq = (SELECT seq FROM customers WHERE id = ? AND version = ?)",
        this_version(),
    )
    .map_err(storage_error)?;
    sql.exec(
        "INSERT OR IGNORE INTO customer_metadata (seq, key, value)
         SELECT c.seq, m.key, m.value FROM customers c, json_each(c.metadata) m
         WHERE c.id = ? AND c.version = ?",
        this_version(),
    )
    .map_err(storage_error)?;
    Ok(())
}

/// One page of live customers in list order.
fn list_page(sql: &SqlStorage, list: &ListCustomers) -> Result<String, ApiError> {
    let position = match &list.cursor {
        Cursor::First => None,
        Cursor::StartingAfter(id) => Some(position_of(sql, id, "starting_after")?),
        Cursor::EndingBefore(id) => Some(position_of(sql, id, "ending_before")?),
    };
    run_page(
        sql,
        page_query(PAGE_COLUMNS, list, position),
        list.limit,
        false,
    )
}

/// One page of live customers matching a search, with the token of the next page.
fn search_page(sql: &SqlStorage, search: &SearchCustomers) -> Result<String, ApiError> {
    run_page(sql, search_query(PAGE_COLUMNS, search), search.limit, true)
}

const PAGE_COLUMNS: &str = "seq, created, document";

/// Runs a page query and assembles the `IndexPage` JSON from the stored documents
/// without parsing them.
fn run_page(
    sql: &SqlStorage,
    query: SqlQuery,
    limit: Limit,
    with_next_page: bool,
) -> Result<String, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        seq: i64,
        created: i64,
        document: String,
    }
    let args: Vec<SqlStorageValue> = query
        .args
        .into_iter()
        .map(|arg| match arg {
            SqlArg::Int(i) => SqlStorageValue::Integer(i),
            SqlArg::Text(t) => SqlStorageValue::String(t),
        })
        .collect();
    let rows: Vec<Row> = sql
        .exec(&query.sql, args)
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    let (rows, has_more) = finish_page(rows, limit, query.reversed);
    let next_page = match rows.last() {
        Some(last) if has_more && with_next_page => {
            serde_json::to_string(&encode_page(Position {
                created: last.created,
                seq: last.seq,
            }))?
        }
        _ => "null".to_owned(),
    };
    let documents: Vec<&str> = rows.iter().map(|r| r.document.as_str()).collect();
    Ok(format!(
        "{{\"has_more\":{has_more},\"next_page\":{next_page},\"documents\":[{}]}}",
        documents.join(",")
    ))
}

/// Where the cursor customer stands in the list order; a cursor that names no
/// customer of this account is an error, as in Stripe.
fn position_of(sql: &SqlStorage, id: &str, param: &str) -> Result<Position, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        created: i64,
        seq: i64,
    }
    let rows: Vec<Row> = sql
        .exec(
            "SELECT created, seq FROM customers WHERE id = ?",
            vec![id.into()],
        )
        .and_then(|c| c.to_array())
        .map_err(storage_error)?;
    rows.into_iter()
        .next()
        .map(|r| Position {
            created: r.created,
            seq: r.seq,
        })
        .ok_or_else(|| ApiError::missing_reference("customer", id, param))
}

/// The first reference whose object does not exist in this account, if any.
fn first_missing(
    sql: &SqlStorage,
    references: &[Reference],
) -> Result<Option<Reference>, ApiError> {
    for reference in references {
        let table = match reference.kind {
            ReferenceKind::Coupon => "coupons",
            ReferenceKind::PromotionCode => "promotion_codes",
            ReferenceKind::PaymentMethod => "payment_methods",
            ReferenceKind::Source => "sources",
            ReferenceKind::TestClock => "test_clocks",
        };
        let found = sql
            .exec(
                &format!("SELECT id FROM {table} WHERE id = ?"),
                vec![reference.id.as_str().into()],
            )
            .map_err(storage_error)?
            .raw()
            .next()
            .is_some();
        if !found {
            return Ok(Some(reference.clone()));
        }
    }
    Ok(None)
}

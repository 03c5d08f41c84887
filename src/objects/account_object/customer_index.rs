//! The account's customer index, in SQL: one row per customer (the newest version wins)
//! with its metadata as rows for search and a count of the live ones, and the pages list
//! and search read from it, answered as the client's body (`view::customer_page_body`).

use api_core::resources::customers::account_expand::Wanted;
use api_core::resources::customers::commands::IndexEntry;
use api_core::resources::customers::expand::Expand;
use api_core::resources::customers::list::ListCustomers;
use api_core::resources::customers::search::sql::search_query;
use api_core::resources::customers::search::trigrams::{dense_in_sample, DensityMemo, PROBE_SQL};
use api_core::resources::customers::search::SearchCustomers;
use api_core::resources::customers::view::{customer_page_body, PageEnvelope};
use api_core::wire::error::ApiError;
use api_core::wire::pagination::{encode_page, finish_page, Limit, Position, SqlQuery};
use std::cell::RefCell;
use worker::{SqlStorage, SqlStorageValue};

use crate::objects::sql::{bind, count, position_of, query, run_statement};

pub const SCHEMA: &[&str] = &[
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
    // Search's exact clauses (`lower(col) = lower(?)`), in page order so that even a
    // value many customers share is read newest first and stops at the page's end.
    "DROP INDEX IF EXISTS customers_by_lower_email",
    "CREATE INDEX IF NOT EXISTS customers_by_lower_email_created ON customers (lower(email), created DESC, seq DESC) WHERE deleted = 0",
    "CREATE INDEX IF NOT EXISTS customers_by_lower_name ON customers (lower(name), created DESC, seq DESC) WHERE deleted = 0",
    "CREATE INDEX IF NOT EXISTS customers_by_lower_phone ON customers (lower(phone), created DESC, seq DESC) WHERE deleted = 0",
    // Search's substring clauses (`~`): trigrams of the three fields, case-folded, kept
    // by triggers in the same statement as every change of an index row. External
    // content: the text stays in `customers`, the FTS table holds only the trigrams.
    "CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5(
        name, email, phone, content = 'customers', content_rowid = 'seq', tokenize = 'trigram')",
    "CREATE TRIGGER IF NOT EXISTS customer_search_insert AFTER INSERT ON customers BEGIN
        INSERT INTO customer_search (rowid, name, email, phone) VALUES (new.seq, new.name, new.email, new.phone);
     END",
    "CREATE TRIGGER IF NOT EXISTS customer_search_update AFTER UPDATE OF name, email, phone ON customers
     WHEN old.name IS NOT new.name OR old.email IS NOT new.email OR old.phone IS NOT new.phone BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email, phone) VALUES ('delete', old.seq, old.name, old.email, old.phone);
        INSERT INTO customer_search (rowid, name, email, phone) VALUES (new.seq, new.name, new.email, new.phone);
     END",
    "CREATE TRIGGER IF NOT EXISTS customer_search_delete AFTER DELETE ON customers BEGIN
        INSERT INTO customer_search (customer_search, rowid, name, email, phone) VALUES ('delete', old.seq, old.name, old.email, old.phone);
     END",
    // The number of live customers, for the sandbox cap's check before every create
    // (`live_customers`): kept by triggers in the same statement as every change of an
    // index row, so the check is a lookup, not a count of up to the cap's rows. An account
    // indexed before the counter existed counts its rows once, here.
    "CREATE TABLE IF NOT EXISTS customer_count (
        slot INTEGER PRIMARY KEY CHECK (slot = 0),
        live INTEGER NOT NULL)",
    "CREATE TRIGGER IF NOT EXISTS customer_count_insert AFTER INSERT ON customers
     WHEN new.deleted = 0 BEGIN
        UPDATE customer_count SET live = live + 1 WHERE slot = 0;
     END",
    "CREATE TRIGGER IF NOT EXISTS customer_count_update AFTER UPDATE OF deleted ON customers
     WHEN old.deleted IS NOT new.deleted BEGIN
        UPDATE customer_count SET live = live + (CASE WHEN new.deleted = 0 THEN 1 ELSE -1 END) WHERE slot = 0;
     END",
    "CREATE TRIGGER IF NOT EXISTS customer_count_delete AFTER DELETE ON customers
     WHEN old.deleted = 0 BEGIN
        UPDATE customer_count SET live = live - 1 WHERE slot = 0;
     END",
    "INSERT INTO customer_count (slot, live)
     SELECT 0, (SELECT count(*) FROM customers WHERE deleted = 0)
     WHERE NOT EXISTS (SELECT 1 FROM customer_count)",
    // An account indexed before the FTS table existed: fill it once from its rows (an
    // empty FTS table beside a non-empty index can only mean that, as the triggers
    // keep the two in step from their creation on).
    "INSERT INTO customer_search (customer_search) SELECT 'rebuild'
     WHERE EXISTS (SELECT 1 FROM customers) AND NOT EXISTS (SELECT 1 FROM customer_search_docsize)",
];

/// Which page a query answers, and so what it selects: the document first, then for a
/// search page each row's `seq` and `created`, for its next-page token; a list page's
/// cursors are ids, so it reads the document alone (the floor worker,
/// bench/floor-worker.mjs, runs the same list statements).
#[derive(Clone, Copy)]
enum PageKind {
    List,
    Search,
}

impl PageKind {
    fn columns(self) -> &'static str {
        match self {
            PageKind::List => "document",
            PageKind::Search => "document, seq, created",
        }
    }
}

/// How many live customers the index holds (for the sandbox cap): the triggers' count.
pub fn live_customers(sql: &SqlStorage) -> Result<u64, ApiError> {
    let n = count(
        sql,
        "SELECT live FROM customer_count WHERE slot = 0",
        Vec::new(),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Inserts or refreshes a row; an older version than the stored one changes nothing.
/// A purged customer's entry removes its row and metadata rows (idempotent).
pub fn upsert(sql: &SqlStorage, e: &IndexEntry) -> Result<(), ApiError> {
    if e.purged {
        return remove(sql, &e.id);
    }
    run_statement(
        sql,
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
    )?;
    refresh_metadata_rows(sql, e)
}

/// Removes a customer's row and its metadata rows, if any.
fn remove(sql: &SqlStorage, id: &str) -> Result<(), ApiError> {
    run_statement(
        sql,
        "DELETE FROM customer_metadata WHERE seq IN (SELECT seq FROM customers WHERE id = ?)",
        vec![id.into()],
    )?;
    run_statement(sql, "DELETE FROM customers WHERE id = ?", vec![id.into()])?;
    Ok(())
}

/// Rewrites the metadata rows search uses, if the row now holds this entry's version.
fn refresh_metadata_rows(sql: &SqlStorage, e: &IndexEntry) -> Result<(), ApiError> {
    let this_version = || vec![e.id.as_str().into(), SqlStorageValue::Integer(e.version)];
    run_statement(
        sql,
        "DELETE FROM customer_metadata WHERE seq = (SELECT seq FROM customers WHERE id = ? AND version = ?)",
        this_version(),
    )?;
    run_statement(
        sql,
        "INSERT OR IGNORE INTO customer_metadata (seq, key, value)
         SELECT c.seq, m.key, m.value FROM customers c, json_each(c.metadata) m
         WHERE c.id = ? AND c.version = ?",
        this_version(),
    )?;
    Ok(())
}

/// One page of live customers in list order.
pub fn list_page(sql: &SqlStorage, list: &ListCustomers) -> Result<String, ApiError> {
    let position = match list.cursor.named() {
        Some((id, param)) => Some(position_of(sql, "customers", "customer", id, param)?),
        None => None,
    };
    run_page(
        sql,
        list.page_query(PageKind::List.columns(), position),
        list.limit,
        &list.expand,
        PageKind::List,
    )
}

/// One page of live customers matching a search, with the token of the next page. A
/// substring clause's stop trigrams are measured once each and remembered in `memo`.
pub fn search_page(
    sql: &SqlStorage,
    search: &SearchCustomers,
    memo: &RefCell<DensityMemo>,
) -> Result<String, ApiError> {
    let is_dense = |term: &str| {
        memo.borrow_mut()
            .is_dense(term, || trigram_is_dense(sql, term))
    };
    let page = search_query(PageKind::Search.columns(), search, &is_dense);
    run_page(sql, page, search.limit, &search.expand, PageKind::Search)
}

/// Whether most of the newest index rows match `term` (`col : "trigram"`). A failed
/// probe says no: the trigram is then asked, as every trigram once was.
fn trigram_is_dense(sql: &SqlStorage, term: &str) -> bool {
    count(sql, PROBE_SQL, vec![term.into()]).is_ok_and(dense_in_sample)
}

/// Runs a page query and writes the response body: the customers shown with `expand`,
/// in a list or a search result (with its next page's token), as `kind` says.
fn run_page(
    sql: &SqlStorage,
    page: SqlQuery,
    limit: Limit,
    expand: &Expand,
    kind: PageKind,
) -> Result<String, ApiError> {
    // Columns as `kind.columns()` lists them: the document, then a search's seq and created.
    let rows = query(sql, &page.sql, bind(page.args))?;
    let (rows, has_more) = finish_page(rows, limit, page.reversed);
    let documents: Vec<&str> = rows.iter().map(|r| r.str(0)).collect();
    let next_page = match (kind, rows.last()) {
        (PageKind::Search, Some(last)) if has_more => Some(encode_page(Position {
            created: last.int(2),
            seq: last.int(1),
        })),
        _ => None,
    };
    let envelope = match kind {
        PageKind::List => PageEnvelope::List,
        PageKind::Search => PageEnvelope::Search {
            next_page: next_page.as_deref(),
        },
    };
    // `data.invoice_settings.default_payment_method`, `data.test_clock`,
    // `data.discount.promotion_code`: this object keeps those objects.
    let account_object = |wanted: &Wanted| {
        let statement = match wanted.kind {
            "payment_method" => "SELECT document FROM payment_methods WHERE id = ?",
            "test_clock" => "SELECT document FROM test_clocks WHERE id = ?",
            _ => "SELECT document FROM promotion_codes WHERE id = ?",
        };
        let mut rows = query(sql, statement, vec![wanted.id.as_str().into()])?;
        Ok(rows.pop().and_then(|mut row| row.opt_text(0)))
    };
    customer_page_body(&documents, has_more, expand, envelope, account_object)
}

//! The account's idempotency-key registry in SQL: every key a write of this account
//! used in the last 24 hours, with its request's fingerprint and, once it finished,
//! its response. Claims run in one synchronous block, so one claim wins per key.

use api_core::wire::error::ApiError;
use api_core::wire::idempotency::{decide, KeyRow, KeyState, KEPT_BY_OBJECT};
use worker::{SqlStorage, SqlStorageValue};

use crate::objects::sql::{count, first, run_statement, storage_error};

pub const SCHEMA: &[&str] = &["CREATE TABLE IF NOT EXISTS idempotency_keys (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        status INTEGER,
        body TEXT,
        created_at INTEGER NOT NULL)"];

/// Claims `key` for `fingerprint` at `now` (unix seconds): `New` when this request may
/// run, `Executing` or `Done` when another has the key, an error when its parameters
/// differ.
pub fn claim(
    sql: &SqlStorage,
    key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<KeyState, ApiError> {
    let row = first(
        sql,
        "SELECT fingerprint, status, body, created_at FROM idempotency_keys WHERE key = ?",
        vec![key.into()],
    )?
    .map(|mut r| KeyRow {
        fingerprint: r.text(0),
        status: r.opt_int(1),
        body: r.opt_text(2),
        created_at: r.int(3),
    });
    if let Some(state) = decide(row, key, fingerprint, now)? {
        return Ok(state);
    }
    run_statement(
        sql,
        "INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, status, body, created_at)
         VALUES (?, ?, NULL, NULL, ?)",
        vec![
            key.into(),
            fingerprint.into(),
            SqlStorageValue::Integer(now),
        ],
    )?;
    Ok(KeyState::New)
}

/// Keeps the response of the key's request, or releases the key if it failed.
pub fn finish(sql: &SqlStorage, key: &str, saved: Option<(u16, String)>) -> Result<(), ApiError> {
    let result = match saved {
        Some((status, body)) => run_statement(
            sql,
            "UPDATE idempotency_keys SET status = ?, body = ? WHERE key = ?",
            vec![
                SqlStorageValue::Integer(i64::from(status)),
                body.into(),
                key.into(),
            ],
        ),
        None => run_statement(
            sql,
            "DELETE FROM idempotency_keys WHERE key = ? AND status IS NULL",
            vec![key.into()],
        ),
    };
    result.map(|_| ()).map_err(storage_error)
}

/// Marks a running key as answered by the customer's object that ran its write (see
/// `KEPT_BY_OBJECT`), in the block that records that write's index row.
pub fn kept_by_object(sql: &SqlStorage, key: &str) -> Result<(), ApiError> {
    run_statement(
        sql,
        "UPDATE idempotency_keys SET status = ? WHERE key = ? AND status IS NULL",
        vec![SqlStorageValue::Integer(KEPT_BY_OBJECT), key.into()],
    )
    .map(|_| ())
    .map_err(storage_error)
}

/// Drops the keys older than `retention` seconds (24 hours unless a test shortens it);
/// answers when the oldest left expires (unix seconds), if any is left.
pub fn prune(sql: &SqlStorage, now: i64, retention: i64) -> Result<Option<i64>, ApiError> {
    run_statement(
        sql,
        "DELETE FROM idempotency_keys WHERE created_at <= ?",
        vec![SqlStorageValue::Integer(now - retention)],
    )?;
    let oldest = count(
        sql,
        "SELECT coalesce(min(created_at), -1) AS n FROM idempotency_keys",
        Vec::new(),
    )?;
    Ok((oldest >= 0).then(|| oldest + retention))
}

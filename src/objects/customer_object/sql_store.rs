//! The CustomerObject's SQLite database behind `api-core`'s [`CustomerStore`]: one row
//! for the customer (with the account namespace it belongs to) and the idempotency
//! records of the requests that changed it.

use api_core::resources::customers::execute::{CustomerStore, SavedResponse};
use api_core::resources::customers::stored::StoredCustomer;
use api_core::resources::events::model::Event;
use api_core::wire::error::ApiError;
use serde::Deserialize;
use worker::{SqlStorage, SqlStorageValue};

use crate::objects::sql::storage_error;

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS customer (
        slot INTEGER PRIMARY KEY CHECK (slot = 0),
        namespace TEXT NOT NULL,
        version INTEGER NOT NULL,
        document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        expires_at INTEGER NOT NULL)",
    // Events committed with the change that caused them, until the AccountObject has them.
    "CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY,
        event TEXT NOT NULL)",
];

/// [`CustomerStore`] over the object's SQLite database, for one account namespace.
pub struct SqlCustomerStore {
    sql: SqlStorage,
    namespace: String,
}

impl SqlCustomerStore {
    /// The store of a command, which names the account it acts for.
    pub fn new(sql: SqlStorage, namespace: String) -> Self {
        SqlCustomerStore { sql, namespace }
    }

    /// The store as its customer's first write recorded it; `None` before any write.
    pub fn recorded(sql: SqlStorage) -> Option<Self> {
        #[derive(Deserialize)]
        struct Row {
            namespace: String,
        }
        let rows: Vec<Row> = sql
            .exec("SELECT namespace FROM customer WHERE slot = 0", None)
            .and_then(|c| c.to_array())
            .ok()?;
        let namespace = rows.into_iter().next()?.namespace;
        Some(SqlCustomerStore { sql, namespace })
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The events not yet handed to the AccountObject, oldest first, with their seq.
    pub fn outbox(&self) -> Result<Vec<(i64, String)>, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            seq: i64,
            event: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec("SELECT seq, event FROM outbox ORDER BY seq", None)
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        Ok(rows.into_iter().map(|r| (r.seq, r.event)).collect())
    }

    /// Drops the events up to `seq`, which the AccountObject has recorded.
    pub fn clear_outbox(&self, through_seq: i64) -> Result<(), ApiError> {
        self.sql
            .exec(
                "DELETE FROM outbox WHERE seq <= ?",
                vec![SqlStorageValue::Integer(through_seq)],
            )
            .map_err(storage_error)?;
        Ok(())
    }
}

impl CustomerStore for SqlCustomerStore {
    fn load_document(&self) -> Result<Option<(i64, String)>, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            version: i64,
            document: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT version, document FROM customer WHERE slot = 0",
                None,
            )
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        Ok(rows.into_iter().next().map(|r| (r.version, r.document)))
    }

    fn commit(&mut self, stored: &StoredCustomer, events: &[Event]) -> Result<(), ApiError> {
        for event in events {
            self.sql
                .exec(
                    "INSERT INTO outbox (event) VALUES (?)",
                    vec![serde_json::to_string(event)?.into()],
                )
                .map_err(storage_error)?;
        }
        self.sql
            .exec(
                "INSERT INTO customer (slot, namespace, version, document) VALUES (0, ?, ?, ?)
                 ON CONFLICT(slot) DO UPDATE SET version = excluded.version, document = excluded.document",
                vec![
                    self.namespace.as_str().into(),
                    SqlStorageValue::Integer(stored.version),
                    serde_json::to_string(&stored.record)?.into(),
                ],
            )
            .map_err(storage_error)?;
        Ok(())
    }

    fn recall(&self, key: &str) -> Result<Option<SavedResponse>, ApiError> {
        #[derive(Deserialize)]
        struct Row {
            fingerprint: String,
            status: u16,
            body: String,
        }
        let rows: Vec<Row> = self
            .sql
            .exec(
                "SELECT fingerprint, status, body FROM idempotency WHERE key = ?",
                vec![key.into()],
            )
            .and_then(|c| c.to_array())
            .map_err(storage_error)?;
        Ok(rows.into_iter().next().map(|r| SavedResponse {
            fingerprint: r.fingerprint,
            status: r.status,
            body: r.body,
        }))
    }

    fn remember(
        &mut self,
        key: &str,
        saved: &SavedResponse,
        expires_at: i64,
    ) -> Result<(), ApiError> {
        self.sql
            .exec(
                "INSERT OR REPLACE INTO idempotency (key, fingerprint, status, body, expires_at) VALUES (?, ?, ?, ?, ?)",
                vec![
                    key.into(),
                    saved.fingerprint.as_str().into(),
                    SqlStorageValue::Integer(i64::from(saved.status)),
                    saved.body.as_str().into(),
                    SqlStorageValue::Integer(expires_at),
                ],
            )
            .map_err(storage_error)?;
        Ok(())
    }

    fn forget_expired(&mut self, now: i64) -> Result<(), ApiError> {
        self.sql
            .exec(
                "DELETE FROM idempotency WHERE expires_at < ?",
                vec![SqlStorageValue::Integer(now)],
            )
            .map_err(storage_error)?;
        Ok(())
    }

    fn forget_all(&mut self) -> Result<(), ApiError> {
        self.sql
            .exec("DELETE FROM idempotency", None)
            .map_err(storage_error)?;
        Ok(())
    }
}

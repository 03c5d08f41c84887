//! The CustomerObject Durable Object: one per (account, customer), the authority for
//! that customer. Thin glue: SQLite behind [`CustomerStore`], the logic in
//! `customer_ops`, and after each commit the copy to the account index and to KV.

use serde::Deserialize;
use worker::{
    durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, SqlStorageValue,
    State,
};

use super::customer_ops::{execute, CustomerStore, Reply, SavedResponse};
use super::protocol::{
    stored_customer_json, AccountCommand, CustomerCommand, IndexEntry, StoredCustomer,
};
use crate::error::ApiError;
use crate::store::{account_stub, kv_key, post_json, CUSTOMERS_KV};

/// How many times a KV copy is rewritten when newer versions commit meanwhile.
const KV_CATCH_UP_ROUNDS: usize = 4;
/// Delay before the alarm retries a copy to the index or KV that failed.
const PROPAGATION_RETRY_MS: i64 = 5_000;

const SCHEMA: &[&str] = &[
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
];

#[durable_object]
pub struct CustomerObject {
    state: State,
    env: Env,
}

impl DurableObject for CustomerObject {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        for statement in SCHEMA {
            if let Err(e) = sql.exec(statement, None) {
                worker::console_error!("customer schema: {e}");
            }
        }
        CustomerObject { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: CustomerCommand = serde_json::from_str(&req.text().await?)?;
        let namespace = command.namespace().map(str::to_owned);
        // Read, check and write with no await in between: the object's input gate
        // keeps every other request out until this block is done.
        let reply = {
            let mut store = SqlCustomerStore {
                sql: self.state.storage().sql(),
                namespace: namespace.clone(),
            };
            execute(&mut store, command)
        };
        if let (Some(stored), Some(namespace)) = (&reply.committed, &namespace) {
            self.propagate(namespace, stored).await;
        }
        reply_response(reply)
    }

    /// Retries the copies of the current version after a failed propagation.
    async fn alarm(&self) -> Result<Response> {
        let store = SqlCustomerStore {
            sql: self.state.storage().sql(),
            namespace: None,
        };
        if let (Ok(Some(stored)), Some(namespace)) = (store.load(), self.namespace()) {
            self.propagate(&namespace, &stored).await;
        }
        Response::empty()
    }
}

impl CustomerObject {
    /// Copies a committed version to the account index (awaited: list and search are
    /// read-after-write) and to KV (in version order). A failed copy is retried by alarm.
    async fn propagate(&self, namespace: &str, stored: &StoredCustomer) {
        let index = self.copy_to_index(namespace, stored).await;
        let kv = self.copy_to_kv(namespace, stored).await;
        if let Err(e) = index.and(kv) {
            worker::console_error!("copy of {} failed: {e}", stored.record.customer.id);
            let _ = self.state.storage().set_alarm(PROPAGATION_RETRY_MS).await;
        }
    }

    async fn copy_to_index(&self, namespace: &str, stored: &StoredCustomer) -> Result<()> {
        let document = serde_json::to_string(stored)?;
        let command = AccountCommand::Upsert {
            entry: IndexEntry::of(stored, document),
        };
        let response = post_json(&account_stub(&self.env, namespace)?, &command).await?;
        if response.status_code() >= 300 {
            return Err(worker::Error::RustError(format!(
                "index answered {}",
                response.status_code()
            )));
        }
        Ok(())
    }

    /// Writes the newest version to KV; if another commit landed while the put was in
    /// flight, writes again, so the last write is always the newest version.
    async fn copy_to_kv(&self, namespace: &str, stored: &StoredCustomer) -> Result<()> {
        let kv = self.env.kv(CUSTOMERS_KV)?;
        let key = kv_key(namespace, &stored.record.customer.id);
        let mut version = stored.version;
        let mut document = serde_json::to_string(stored)?;
        for _ in 0..KV_CATCH_UP_ROUNDS {
            kv.put(&key, document)?.execute().await?;
            let store = SqlCustomerStore {
                sql: self.state.storage().sql(),
                namespace: None,
            };
            match store.load_document() {
                Ok(Some((latest, record))) if latest > version => {
                    version = latest;
                    document = stored_customer_json(latest, &record);
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }

    fn namespace(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct Row {
            namespace: String,
        }
        let sql = self.state.storage().sql();
        let rows: Vec<Row> = sql
            .exec("SELECT namespace FROM customer WHERE slot = 0", None)
            .ok()?
            .to_array()
            .ok()?;
        rows.into_iter().next().map(|r| r.namespace)
    }
}

fn reply_response(reply: Reply) -> Result<Response> {
    let mut response = Response::ok(reply.body)?.with_status(reply.status);
    if reply.replayed {
        response.headers_mut().set("Idempotent-Replayed", "true")?;
    }
    Ok(response)
}

/// [`CustomerStore`] over the object's SQLite database.
struct SqlCustomerStore {
    sql: SqlStorage,
    /// The account namespace, recorded with the customer on its first write.
    namespace: Option<String>,
}

fn storage_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("sql: {e}"))
}

impl CustomerStore for SqlCustomerStore {
    fn load_document(&self) -> std::result::Result<Option<(i64, String)>, ApiError> {
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

    fn save(&mut self, stored: &StoredCustomer) -> std::result::Result<(), ApiError> {
        let namespace = self.namespace.clone().unwrap_or_default();
        self.sql
            .exec(
                "INSERT INTO customer (slot, namespace, version, document) VALUES (0, ?, ?, ?)
                 ON CONFLICT(slot) DO UPDATE SET version = excluded.version, document = excluded.document",
                vec![
                    namespace.into(),
                    SqlStorageValue::Integer(stored.version),
                    serde_json::to_string(&stored.record)?.into(),
                ],
            )
            .map_err(storage_error)?;
        Ok(())
    }

    fn recall(&self, key: &str) -> std::result::Result<Option<SavedResponse>, ApiError> {
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
    ) -> std::result::Result<(), ApiError> {
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

    fn forget_expired(&mut self, now: i64) -> std::result::Result<(), ApiError> {
        self.sql
            .exec(
                "DELETE FROM idempotency WHERE expires_at < ?",
                vec![SqlStorageValue::Integer(now)],
            )
            .map_err(storage_error)?;
        Ok(())
    }
}

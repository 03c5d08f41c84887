//! After a commit, the CustomerObject hands the new version and the events in its
//! outbox to the AccountObject (awaited, so list, search and /v1/events are
//! read-after-write), then copies the version to KV (in version order); a purged
//! customer is removed from both instead. Until that succeeds the outbox keeps the
//! events and the `propagate` job stays due.

use api_core::resources::customers::commands::{AccountCommand, IndexEntry};
use api_core::resources::customers::execute::CustomerStore;
use api_core::resources::customers::stored::{stored_json, StoredCustomer};
use api_core::wire::error::ApiError;
use serde_json::value::RawValue;
use worker::wasm_bindgen::JsValue;
use worker::Env;

use super::sql_store::SqlCustomerStore;
use crate::edge::backend::Kv;
use crate::edge::bindings::{
    account_stub, call_object, kv_key, platform_error, ACCOUNT_CUSTOMERS_PATH, CUSTOMERS_KV,
};
use crate::objects::faults::{injected, Faults};

/// How many times a KV copy is rewritten when newer versions commit meanwhile.
const KV_CATCH_UP_ROUNDS: usize = 4;

/// Copies one committed version of a customer, and the events owed, where they go.
pub struct Propagation<'a> {
    pub env: &'a Env,
    pub store: &'a SqlCustomerStore,
    pub faults: &'a Faults,
}

impl Propagation<'_> {
    /// Hands `stored` and the outbox to the index, then copies `stored` to KV.
    pub async fn copy(&self, stored: &StoredCustomer) -> Result<(), ApiError> {
        let document = stored.to_json()?;
        let id = &stored.record.customer.id;
        // The index removes the row of a purged entry.
        self.copy_to_index(stored, document.clone()).await?;
        if stored.record.purged {
            self.remove_from_kv(id).await
        } else {
            self.copy_to_kv(stored.version, id, document).await
        }
    }

    /// Deletes the KV copy of a purged customer (a purge is final, so no newer version
    /// can follow it).
    async fn remove_from_kv(&self, id: &str) -> Result<(), ApiError> {
        self.kv()?
            .delete(&kv_key(self.store.namespace(), id))
            .await
            .map_err(kv_error)
    }

    fn kv(&self) -> Result<Kv, ApiError> {
        Kv::of(self.env)
            .ok_or_else(|| ApiError::internal(format!("platform: no KV {CUSTOMERS_KV}")))
    }

    /// One AccountObject call: the index row and the events, recorded together there.
    async fn copy_to_index(
        &self,
        stored: &StoredCustomer,
        document: String,
    ) -> Result<(), ApiError> {
        if self.faults.hit("index_upsert") {
            return Err(injected("index_upsert"));
        }
        let outbox = self.store.outbox()?;
        let mut events = Vec::with_capacity(outbox.len());
        for (_, event) in &outbox {
            events.push(RawValue::from_string(event.clone())?);
        }
        let command = AccountCommand::Upsert {
            entry: IndexEntry::of(stored, document)?,
            events,
        };
        let stub = account_stub(self.env, self.store.namespace()).map_err(platform_error)?;
        call_object(&stub, ACCOUNT_CUSTOMERS_PATH, &command).await?;
        match outbox.last() {
            Some((seq, _)) => self.store.clear_outbox(*seq),
            None => Ok(()),
        }
    }

    /// Writes the newest version to KV; if another commit landed while the put was in
    /// flight, writes again, so the last write is always the newest version.
    async fn copy_to_kv(&self, version: i64, id: &str, document: String) -> Result<(), ApiError> {
        let kv = self.kv()?;
        let key = kv_key(self.store.namespace(), id);
        let (mut version, mut document) = (version, document);
        if self.faults.hit("kv_put") {
            return Err(injected("kv_put"));
        }
        for _ in 0..KV_CATCH_UP_ROUNDS {
            kv.put(&key, &document).await.map_err(kv_error)?;
            match self.store.load_document()? {
                Some((latest, record)) if latest > version => {
                    version = latest;
                    document = stored_json(latest, &record);
                }
                _ => return Ok(()),
            }
        }
        Ok(())
    }
}

/// A failed KV call, as an internal error.
fn kv_error(e: JsValue) -> ApiError {
    ApiError::internal(format!("kv: {}", worker::Error::from(e)))
}

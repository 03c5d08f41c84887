//! After a commit, the CustomerObject hands the new version and the events in its
//! outbox to the AccountObject (awaited before the write answers, so list, search and
//! /v1/events are read-after-write), then copies the version to KV (in version order)
//! off the response's path; a purged customer is removed from both instead.
//!
//! What the copies reached is kept in memory ([`Copied`]), not written: a write costs
//! one SQLite commit (its own), and the outbox rows the index already has are deleted
//! by the next commit or the alarm. A restart forgets `Copied`, so the `propagate` job
//! copies again; the index ignores older versions and event ids it has, so that is safe.

use std::cell::Cell;
use std::rc::Rc;

use api_core::resources::customers::commands::{AccountCommand, IndexEntry};
use api_core::resources::customers::execute::CustomerStore;
use api_core::resources::customers::stored::{stored_json, StoredCustomer};
use api_core::wire::error::ApiError;
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

/// What this instance knows the copies hold: the newest version in the account's index
/// and in KV, and the last outbox event the index has recorded; and the newest version
/// it committed itself (so the KV copy needs no read to see whether it is behind); and
/// whether a KV copy off a write's path is running (see [`Copied::start_kv_copy`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Copied {
    pub committed_version: i64,
    pub indexed_version: i64,
    pub kv_version: i64,
    pub outbox_through: i64,
    pub kv_copy_running: bool,
}

impl Copied {
    /// Records a version this instance just committed, in the cell that holds `Copied`.
    pub fn committed(cell: &Cell<Copied>, version: i64) {
        let mut copied = cell.get();
        copied.committed_version = copied.committed_version.max(version);
        cell.set(copied);
    }

    /// Starts the one KV copy an instance runs off the writes' path at a time; false when
    /// one is running: it catches up on every commit, so it writes this version too. One
    /// put at a time per key: KV takes one write a second per key, and Miniflare's KV
    /// stalls the whole workerd process once puts pile up (ARCHITECTURE.md, "One KV copy
    /// at a time per customer").
    pub fn start_kv_copy(cell: &Cell<Copied>) -> bool {
        let mut copied = cell.get();
        let started = !copied.kv_copy_running;
        copied.kv_copy_running = true;
        cell.set(copied);
        started
    }

    /// Ends the copy [`Copied::start_kv_copy`] started.
    pub fn end_kv_copy(cell: &Cell<Copied>) {
        let mut copied = cell.get();
        copied.kv_copy_running = false;
        cell.set(copied);
    }

    /// Whether both copies hold `version` and the index has every event up to
    /// `last_event` (the outbox's newest seq, 0 when empty).
    pub fn covers(&self, version: i64, last_event: i64) -> bool {
        self.indexed_version >= version
            && self.kv_version >= version
            && self.outbox_through >= last_event
    }
}

/// Where one committed version of a customer, and the events owed, are copied. Owns
/// its parts, so that the KV copy can outlive the request that committed the version.
pub struct Propagation {
    pub env: Env,
    pub store: SqlCustomerStore,
    pub faults: Rc<Faults>,
    pub copied: Rc<Cell<Copied>>,
}

/// What the KV copy of a version needs, taken from the committed version.
pub struct KvCopy {
    id: String,
    version: i64,
    document: String,
    purged: bool,
}

impl KvCopy {
    /// The customer whose copy this is.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl Propagation {
    /// Hands `stored` and the events the index may not have to the index (one
    /// AccountObject call: the index row and the events, recorded together there, and
    /// `kept_key`, the idempotency key of the write that committed `stored`, marked as
    /// kept by this object). Answers what the KV copy then needs.
    pub async fn copy_to_index(
        &self,
        stored: &StoredCustomer,
        kept_key: Option<String>,
    ) -> Result<KvCopy, ApiError> {
        if self.faults.hit("index_upsert") {
            return Err(injected("index_upsert"));
        }
        let document = self.store.stored_json_of(stored)?;
        let outbox = self.store.outbox(self.copied.get().outbox_through)?;
        let last_event = outbox.last().map(|(seq, _)| *seq);
        let events = outbox.into_iter().map(|(_, event)| event).collect();
        let command = AccountCommand::Upsert {
            entry: IndexEntry::of(stored, document.clone())?,
            events,
            kept_key,
        };
        let stub = account_stub(&self.env, self.store.namespace()).map_err(platform_error)?;
        call_object(&stub, ACCOUNT_CUSTOMERS_PATH, &command).await?;
        let mut copied = self.copied.get();
        copied.indexed_version = copied.indexed_version.max(stored.version);
        if let Some(seq) = last_event {
            copied.outbox_through = copied.outbox_through.max(seq);
        }
        self.copied.set(copied);
        Ok(KvCopy {
            id: stored.record.customer.id.clone(),
            version: stored.version,
            document,
            purged: stored.record.purged,
        })
    }

    /// Writes the newest version to KV (or deletes a purged customer's copy); if another
    /// commit landed while the put was in flight, writes again, so the last write is
    /// always the newest version. (A restarted instance knows of no commit: its copies
    /// start from the stored version, which is the newest.)
    pub async fn copy_to_kv(&self, copy: KvCopy) -> Result<(), ApiError> {
        if self.faults.hit("kv_put") {
            return Err(injected("kv_put"));
        }
        let kv = Kv::of(&self.env)
            .ok_or_else(|| ApiError::internal(format!("platform: no KV {CUSTOMERS_KV}")))?;
        let key = kv_key(self.store.namespace(), &copy.id);
        let KvCopy {
            mut version,
            mut document,
            purged,
            ..
        } = copy;
        if purged {
            // A purge is final: no newer version can follow it.
            kv.delete(&key).await.map_err(kv_error)?;
        } else {
            for _ in 0..KV_CATCH_UP_ROUNDS {
                kv.put(&key, &document).await.map_err(kv_error)?;
                if self.copied.get().committed_version <= version {
                    break;
                }
                match self.store.load_document()? {
                    Some((latest, record)) if latest > version => {
                        version = latest;
                        document = stored_json(latest, &record);
                    }
                    _ => break,
                }
            }
        }
        let mut copied = self.copied.get();
        copied.kv_version = copied.kv_version.max(version);
        self.copied.set(copied);
        Ok(())
    }

    /// Whether the copies hold the current version and every event in the outbox.
    pub fn up_to_date(&self) -> Result<bool, ApiError> {
        let (version, last_event) = self.store.version_and_last_event()?;
        Ok(self.copied.get().covers(version, last_event))
    }
}

/// A failed KV call, as an internal error.
fn kv_error(e: JsValue) -> ApiError {
    ApiError::internal(format!("kv: {}", worker::Error::from(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_kv_copy_runs_at_a_time_and_the_next_starts_once_it_ends() {
        let cell = Cell::new(Copied::default());
        assert!(
            Copied::start_kv_copy(&cell),
            "the first write starts a copy"
        );
        assert!(
            !Copied::start_kv_copy(&cell),
            "a write meanwhile leaves its version to it"
        );
        Copied::committed(&cell, 7);
        assert!(
            cell.get().kv_copy_running,
            "a commit keeps the running copy"
        );
        Copied::end_kv_copy(&cell);
        assert!(
            Copied::start_kv_copy(&cell),
            "after it ended, the next write starts one"
        );
        assert_eq!(cell.get().committed_version, 7);
    }
}

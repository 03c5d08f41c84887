//! The contract between a CustomerObject and the logic it runs: the synchronous
//! [`CustomerStore`] (SQLite in the object, memory in tests), the [`Reply`] a command
//! answers, and the one way a new version is committed with its events.

use super::model::CustomerRecord;
use super::stored::{stored_json, StoredCustomer};
use crate::resources::events::model::Event;
use crate::wire::error::ApiError;

/// A saved outcome of an idempotent request: replayed as is when the key comes again.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedResponse {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
}

/// The synchronous storage a CustomerObject offers (SQLite in production, memory in tests).
pub trait CustomerStore {
    /// The stored version and the record's JSON text, if the customer exists.
    fn load_document(&self) -> Result<Option<(i64, String)>, ApiError>;
    /// The stored customer, parsed.
    fn load(&self) -> Result<Option<StoredCustomer>, ApiError> {
        match self.load_document()? {
            None => Ok(None),
            Some((version, document)) => Ok(Some(StoredCustomer {
                version,
                record: serde_json::from_str(&document)?,
            })),
        }
    }
    /// Writes a new version and the events it caused (to the outbox), together; answers
    /// the record's JSON text as stored.
    fn commit(&mut self, stored: &StoredCustomer, events: &[Event]) -> Result<String, ApiError>;
    fn recall(&self, key: &str) -> Result<Option<SavedResponse>, ApiError>;
    fn remember(
        &mut self,
        key: &str,
        saved: &SavedResponse,
        expires_at: i64,
    ) -> Result<(), ApiError>;
    /// Drops idempotency records that expired before `now` (unix seconds).
    fn forget_expired(&mut self, now: i64) -> Result<(), ApiError>;
    /// Drops every idempotency record (their saved bodies name the customer): the purge.
    fn forget_all(&mut self) -> Result<(), ApiError>;
    /// The customer's billing book (`billing::book`), if it ever had one.
    fn load_book(&self) -> Result<Option<String>, ApiError>;
    /// Writes the book; committed with the next `commit` of the same block.
    fn save_book(&mut self, book: &str) -> Result<(), ApiError>;
}

/// What the object must do with its `purge` job after a command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PurgeJob {
    #[default]
    Keep,
    /// Run the purge at this unix time (seconds).
    ScheduleAt(i64),
    Cancel,
}

/// What the object answers, and the new state to propagate if it committed one.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    /// `StoredCustomer` JSON on success, the `ApiError` as JSON otherwise.
    pub body: String,
    pub replayed: bool,
    /// Set when this command wrote a new version: the caller copies it to the index and KV.
    pub committed: Option<StoredCustomer>,
    /// The change this command makes to the scheduled purge.
    pub purge: PurgeJob,
}

impl Reply {
    /// An error, as the typed value the Worker renders.
    pub(crate) fn error(err: &ApiError) -> Self {
        Reply {
            status: err.status(),
            body: serde_json::to_string(err).unwrap_or_else(|_| {
                "{\"internal\":{\"detail\":\"unserialisable error\"}}".to_owned()
            }),
            replayed: false,
            committed: None,
            purge: PurgeJob::Keep,
        }
    }

    /// The error this reply carries, if it is one.
    pub fn error_value(&self) -> Option<ApiError> {
        (self.status != 200).then(|| {
            serde_json::from_str(&self.body)
                .unwrap_or_else(|_| ApiError::internal(format!("unreadable error: {}", self.body)))
        })
    }

    /// The stored customer as it is, nothing committed.
    pub(crate) fn unchanged(stored: &StoredCustomer) -> Result<Self, ApiError> {
        Ok(Reply {
            status: 200,
            body: stored.to_json()?,
            replayed: false,
            committed: None,
            purge: PurgeJob::Keep,
        })
    }

    pub(crate) fn with_purge(self, purge: PurgeJob) -> Self {
        Reply { purge, ..self }
    }
}

/// Commits `record` as the version after `version`, with the events it caused.
pub fn next_version(
    store: &mut impl CustomerStore,
    version: i64,
    record: CustomerRecord,
    events: Vec<Event>,
) -> Result<Reply, ApiError> {
    commit(
        store,
        StoredCustomer {
            version: version + 1,
            record,
        },
        events,
    )
}

/// Writes a new version and its events in
/// one go: there is no state in which the change is stored and its events are not.
pub(crate) fn commit(
    store: &mut impl CustomerStore,
    stored: StoredCustomer,
    events: Vec<Event>,
) -> Result<Reply, ApiError> {
    let document = store.commit(&stored, &events)?;
    Ok(Reply {
        status: 200,
        body: stored_json(stored.version, &document),
        replayed: false,
        committed: Some(stored),
        purge: PurgeJob::Keep,
    })
}

//! The account's event log in SQL: every event the account's objects committed, kept
//! 30 days, with the number of endpoints still owed it (`pending_webhooks`), served to
//! `GET /v1/events` newest first.

use std::cell::Cell;

use api_core::resources::events::list::ListEvents;
use api_core::resources::events::model::Event;
use api_core::wire::error::ApiError;
use api_core::wire::pagination::{finish_page, index_page_json};
use serde::Deserialize;
use serde_json::value::RawValue;
use worker::{SqlStorage, SqlStorageValue};

use crate::objects::sql::{bind, first, position_of, query, run_statement, Row};

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        created INTEGER NOT NULL,
        object_id TEXT NOT NULL,
        pending_webhooks INTEGER NOT NULL DEFAULT 0,
        document TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS events_by_created ON events (created DESC, seq DESC)",
];

/// Events are listed and retrievable for this long (Stripe: 30 days).
pub const RETENTION_SECONDS: i64 = 30 * 86_400;

/// What the log needs to know of an event, read without building it.
#[derive(Deserialize)]
pub struct EventHead<'a> {
    pub id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub created: i64,
    #[serde(borrow)]
    pub data: DataHead<'a>,
}

#[derive(Deserialize)]
pub struct DataHead<'a> {
    #[serde(borrow)]
    pub object: ObjectHead<'a>,
}

/// The event's object, as far as the log needs it. Not every object has an id: the
/// upcoming invoice of `invoice.upcoming` has none (it is a preview, never stored).
#[derive(Deserialize)]
pub struct ObjectHead<'a> {
    #[serde(default, borrow)]
    id: Option<&'a str>,
    /// `customer`: an id, `null`, or (never in an event, but possible) an object.
    #[serde(default, borrow)]
    customer: Option<&'a RawValue>,
}

impl<'a> EventHead<'a> {
    /// The id the log files the event under: its object's id, or for an object without
    /// one (the upcoming invoice) its customer's, which is also the key its deliveries
    /// are ordered by; empty if it has neither.
    pub fn object_id(&self) -> &'a str {
        let object = &self.data.object;
        object
            .id
            .or_else(|| {
                object
                    .customer
                    .and_then(|c| serde_json::from_str(c.get()).ok())
            })
            .unwrap_or_default()
    }
}

/// Records one event; `Some(seq)` if it is new, `None` if it was already recorded
/// (a copy sent again after a failure is recorded once).
pub fn record(sql: &SqlStorage, event: &str) -> Result<Option<(i64, String)>, ApiError> {
    let head: EventHead = serde_json::from_str(event)?;
    let written = run_statement(
        sql,
        "INSERT OR IGNORE INTO events (id, type, created, object_id, document) VALUES (?, ?, ?, ?, ?)",
        vec![
            head.id.into(),
            head.kind.into(),
            SqlStorageValue::Integer(head.created),
            head.object_id().into(),
            event.into(),
        ],
    )?;
    if written == 0 {
        return Ok(None);
    }
    let row = first(
        sql,
        "SELECT seq FROM events WHERE id = ?",
        vec![head.id.into()],
    )?;
    Ok(row.map(|r| (r.int(0), head.kind.to_owned())))
}

/// An event found in the log: where it sits, and its stored document.
pub struct Found {
    pub seq: i64,
    head: (String, String),
}

impl Found {
    /// The event's type.
    pub fn kind(&self) -> &str {
        &self.head.0
    }

    /// The id of the object the event is about.
    pub fn object_id(&self) -> &str {
        &self.head.1
    }
}

/// The event `id` of this account, if the log holds it.
pub fn find(sql: &SqlStorage, id: &str) -> Result<Option<Found>, ApiError> {
    let Some(row) = first(
        sql,
        "SELECT seq, document FROM events WHERE id = ?",
        vec![id.into()],
    )?
    else {
        return Ok(None);
    };
    let head: EventHead = serde_json::from_str(row.str(1))?;
    Ok(Some(Found {
        seq: row.int(0),
        head: (head.kind.to_owned(), head.object_id().to_owned()),
    }))
}

/// Sets how many endpoints an event is owed to.
pub fn add_pending(sql: &SqlStorage, seq: i64, delta: i64) -> Result<(), ApiError> {
    run_statement(
        sql,
        "UPDATE events SET pending_webhooks = max(0, pending_webhooks + ?) WHERE seq = ?",
        vec![
            SqlStorageValue::Integer(delta),
            SqlStorageValue::Integer(seq),
        ],
    )?;
    Ok(())
}

/// Drops events older than the retention period, with their deliveries and the
/// attempts to deliver them. Run by the AccountObject's hourly `prune_events` job, not on
/// every write: two of its deletes scan their tables.
pub fn prune_expired(sql: &SqlStorage, now: i64) -> Result<(), ApiError> {
    let cutoff = vec![SqlStorageValue::Integer(now - RETENTION_SECONDS)];
    // A test clock's events are dated in clock time, often long past: they stay (the
    // sandbox cap still bounds them) rather than going an hour after they happen.
    let expired = "created < ? AND json_extract(document, '$.data.object.test_clock') IS NULL";
    run_statement(
        sql,
        &format!(
            "DELETE FROM deliveries WHERE event_seq IN (SELECT seq FROM events WHERE {expired})"
        ),
        cutoff.clone(),
    )?;
    run_statement(
        sql,
        "DELETE FROM delivery_attempts WHERE at_ms < ? * 1000",
        cutoff.clone(),
    )?;
    run_statement(sql, &format!("DELETE FROM events WHERE {expired}"), cutoff)?;
    Ok(())
}

/// The span of the events' `seq` and the newest one. Each bound in a query of its own:
/// SQLite answers a lone `min()` or `max()` of the primary key from one end of it, but a
/// query with both (`SELECT max(seq) - min(seq) …`) scans the whole table, which cost
/// every write about 1 µs per event kept (perf, bench/native-split.mjs).
const SEQ_BOUNDS: &str = "SELECT newest - oldest + 1, newest \
     FROM (SELECT max(seq) AS newest FROM events), (SELECT min(seq) AS oldest FROM events)";

/// Sandbox cap: keeps the newest `max` events (with their deliveries and attempts) and
/// drops the rest, checked after every write through the primary key alone: the span of
/// `seq` bounds the count, and the events dropped are those at or below `max(seq) - max`,
/// a range of the primary key (where older events were pruned out of order, fewer than
/// `max` may stay). An `OFFSET` walk over the kept events here cost about 12 ms a write
/// once an account passed its cap.
///
/// The object instance keeps a bound at or below the oldest kept event's `seq`, so that a
/// write under the cap asks SQLite nothing: the span from that bound to the newest event
/// is at least the true span. Only the cap's own deletes and [`prune_expired`] remove
/// events, and both raise the oldest `seq`; `prune_expired` may empty the table, after
/// which `seq` starts again from 1, so its caller forgets the bound ([`EventsCap::forget`]).
pub struct EventsCap {
    /// How many events the account keeps at most; `None`: no cap.
    max: Option<i64>,
    /// At or below the oldest kept event's `seq`, once read.
    oldest_at_least: Cell<Option<i64>>,
}

impl EventsCap {
    pub fn new(max: Option<u64>) -> Self {
        EventsCap {
            max: max.map(|m| i64::try_from(m).unwrap_or(i64::MAX)),
            oldest_at_least: Cell::new(None),
        }
    }

    /// Drops the events past the cap, now that `newest` is the newest event's `seq`.
    pub fn enforce(&self, sql: &SqlStorage, newest: i64) -> Result<(), ApiError> {
        let Some(max) = self.max else { return Ok(()) };
        if let Some(oldest) = self.oldest_at_least.get() {
            if oldest <= newest && newest - oldest < max {
                return Ok(());
            }
        }
        let bounds = first(sql, SEQ_BOUNDS, Vec::new())?;
        // `last` is the table's newest `seq`: the `newest` just recorded.
        let (span, last) = bounds.map_or((0, 0), |r| {
            (r.opt_int(0).unwrap_or(0), r.opt_int(1).unwrap_or(0))
        });
        if span > max {
            let through = vec![SqlStorageValue::Integer(last - max)];
            for statement in [
                "DELETE FROM deliveries WHERE event_seq <= ?",
                "DELETE FROM delivery_attempts WHERE event_id IN (SELECT id FROM events WHERE seq <= ?)",
                "DELETE FROM events WHERE seq <= ?",
            ] {
                run_statement(sql, statement, through.clone())?;
            }
        }
        let oldest = last - span.min(max) + 1;
        self.oldest_at_least.set(Some(oldest));
        Ok(())
    }

    /// Forgets the bound: events were removed other than by the cap.
    pub fn forget(&self) {
        self.oldest_at_least.set(None);
    }
}

/// The columns an event is shown from, in this order everywhere: pending_webhooks (0),
/// document (1) (read by [`shown`]).
const EVENT_COLUMNS: &str = "pending_webhooks, document";

/// The event as the API shows it: the stored document with its current pending count.
fn shown(row: &Row) -> Result<String, ApiError> {
    let mut event: Event = serde_json::from_str(row.str(1))?;
    event.pending_webhooks = row.int(0);
    Ok(serde_json::to_string(&event)?)
}

/// The stored document and pending count of the event at `seq`.
pub fn document(sql: &SqlStorage, seq: i64) -> Result<Option<(String, i64)>, ApiError> {
    let row = first(
        sql,
        "SELECT pending_webhooks, document FROM events WHERE seq = ?",
        vec![SqlStorageValue::Integer(seq)],
    )?;
    Ok(row.map(|mut r| (r.text(1), r.int(0))))
}

/// `GET /v1/events/{id}`.
pub fn retrieve(sql: &SqlStorage, id: &str) -> Result<String, ApiError> {
    let row = first(
        sql,
        "SELECT pending_webhooks, document FROM events WHERE id = ?",
        vec![id.into()],
    )?;
    match row {
        Some(row) => shown(&row),
        None => Err(ApiError::not_found("event", id)),
    }
}

/// One page of `GET /v1/events`.
pub fn list_page(sql: &SqlStorage, list: &ListEvents) -> Result<String, ApiError> {
    let position = match list.cursor.named() {
        Some((id, param)) => Some(position_of(sql, "events", "event", id, param)?),
        None => None,
    };
    let page = list.page_query(EVENT_COLUMNS, position);
    let rows = query(sql, &page.sql, bind(page.args))?;
    let (rows, has_more) = finish_page(rows, list.limit, page.reversed);
    // Loops rather than `collect`: each fallible collect is an adapter in the wasm.
    let mut documents = Vec::with_capacity(rows.len());
    for row in &rows {
        documents.push(shown(row)?);
    }
    let mut borrowed = Vec::with_capacity(documents.len());
    for document in &documents {
        borrowed.push(document.as_str());
    }
    Ok(index_page_json(has_more, None, &borrowed))
}

#[cfg(test)]
mod tests {
    use super::EventHead;

    fn head(event: &str) -> EventHead<'_> {
        serde_json::from_str(event).expect("an event head")
    }

    #[test]
    fn an_event_is_filed_under_its_objects_id() {
        let event = r#"{"id":"evt_1","type":"invoice.paid","created":5,
            "data":{"object":{"id":"in_1","object":"invoice","customer":"cus_1"}}}"#;
        let head = head(event);
        assert_eq!(
            (head.id, head.kind, head.created),
            ("evt_1", "invoice.paid", 5)
        );
        assert_eq!(head.object_id(), "in_1");
    }

    #[test]
    fn an_upcoming_invoice_without_an_id_is_filed_under_its_customer() {
        // invoice.upcoming carries the preview, which has no `id` at all.
        let event = r#"{"id":"evt_2","type":"invoice.upcoming","created":6,
            "data":{"object":{"object":"invoice","customer":"cus_9","lines":{"data":[{"id":"il_1"}]}}}}"#;
        assert_eq!(head(event).object_id(), "cus_9");
    }

    #[test]
    fn an_object_with_neither_id_nor_customer_is_filed_under_the_empty_id() {
        for object in [
            r#"{"object":"invoice"}"#,
            r#"{"object":"invoice","customer":null}"#,
            r#"{"object":"invoice","customer":{"id":"cus_1","object":"customer"}}"#,
        ] {
            let event = format!(
                r#"{{"id":"evt_3","type":"invoice.upcoming","created":7,"data":{{"object":{object}}}}}"#
            );
            assert_eq!(head(&event).object_id(), "", "{object}");
        }
    }
}

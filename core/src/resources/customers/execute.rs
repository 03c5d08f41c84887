//! What a CustomerObject executes, free of the runtime: each command is a read, a
//! check and a write against a [`CustomerStore`], with no `.await` anywhere, so the
//! Durable Object that runs it serialises every change to its customer.

use super::apply;
use super::commands::{CustomerCommand, Lifecycle, TaxIdChange};
use super::events::{self, Origin};
use super::expand::Expand;
use super::model::CustomerRecord;
use super::sources;
use super::stored::{stored_json, StoredCustomer};
use super::view::customer_json;
use crate::resources::billing;
use crate::resources::events::model::Event;
use crate::resources::tax_ids::model::TAX_IDS_MAX;
use crate::wire::error::ApiError;
use crate::wire::idempotency::{IdempotencyClaim, RETENTION_SECONDS};
use crate::wire::render::pretty;

use super::store::commit;
pub use super::store::{next_version, CustomerStore, PurgeJob, Reply, SavedResponse};

/// A keyed create's record is kept for as long as any customer can live.
const CREATE_RETENTION_SECONDS: i64 = 100 * 365 * 86_400;

/// Whether the objects the command references must be looked up before it runs: not
/// when it names none, nor when it is a replay of a saved request. Stripe answers for
/// a missing or deleted customer before a missing coupon or source, so that is an error
/// here already.
pub fn needs_reference_check(
    store: &impl CustomerStore,
    command: &CustomerCommand,
) -> Result<bool, ApiError> {
    let claim = match command {
        _ if command.account_references().is_empty() => return Ok(false),
        CustomerCommand::Create { idempotency, .. } => idempotency,
        CustomerCommand::Update {
            id, idempotency, ..
        } => {
            load_live(store, id, "id")?;
            idempotency
        }
        _ => return Ok(false),
    };
    match claim {
        Some(claim) => Ok(store.recall(&claim.key)?.is_none()),
        None => Ok(true),
    }
}

/// Runs one command to completion against `store`; `origin` is the request that sent it.
pub fn execute(store: &mut impl CustomerStore, command: CustomerCommand, origin: &Origin) -> Reply {
    let (claim, retention) = match &command {
        // A keyed create owns its customer id, so its record lives as long as the customer.
        CustomerCommand::Create { idempotency, .. } => {
            (idempotency.clone(), CREATE_RETENTION_SECONDS)
        }
        CustomerCommand::Update { idempotency, .. }
        | CustomerCommand::Undelete(Lifecycle { idempotency, .. })
        | CustomerCommand::CreateTaxId(TaxIdChange { idempotency, .. }) => {
            (idempotency.clone(), RETENTION_SECONDS)
        }
        _ => (None, 0),
    };
    if let Some(claim) = &claim {
        match replay(store, claim) {
            Ok(Some(reply)) => return reply,
            Ok(None) => {}
            Err(err) => return Reply::error(&err),
        }
    }
    let reply = run(store, command, origin).unwrap_or_else(|err| Reply::error(&err));
    if let Some(claim) = claim {
        if let Err(err) = save_for_replay(store, &claim, &reply, retention) {
            return Reply::error(&err);
        }
    }
    reply
}

/// The saved reply for a reused key, or an `idempotency_error` if the parameters differ.
fn replay(store: &impl CustomerStore, claim: &IdempotencyClaim) -> Result<Option<Reply>, ApiError> {
    let Some(saved) = store.recall(&claim.key)? else {
        return Ok(None);
    };
    if saved.fingerprint != claim.fingerprint {
        return Err(ApiError::IdempotencyMismatch {
            key: claim.key.clone(),
        });
    }
    Ok(Some(Reply {
        status: saved.status,
        body: saved.body,
        replayed: true,
        committed: None,
        purge: PurgeJob::Keep,
    }))
}

/// Stripe saves the result of every request that began executing, errors included.
fn save_for_replay(
    store: &mut impl CustomerStore,
    claim: &IdempotencyClaim,
    reply: &Reply,
    retention: i64,
) -> Result<(), ApiError> {
    store.forget_expired(claim.now)?;
    let saved = SavedResponse {
        fingerprint: claim.fingerprint.clone(),
        status: reply.status,
        body: reply.body.clone(),
    };
    store.remember(&claim.key, &saved, claim.now.saturating_add(retention))
}

fn run(
    store: &mut impl CustomerStore,
    command: CustomerCommand,
    origin: &Origin,
) -> Result<Reply, ApiError> {
    match command {
        CustomerCommand::Retrieve { id } => read(store, &id, None),
        CustomerCommand::Show {
            id,
            expand,
            include_deleted,
        } => read(store, &id, Some((&expand, include_deleted))),
        CustomerCommand::Create {
            new,
            params,
            claimed,
            ..
        } => {
            if let Some(existing) = store.load()? {
                // A keyed create's record is forgotten only by the purge of its customer.
                if existing.record.purged {
                    return Err(ApiError::IdempotencyKeyInvalid {
                        message: "This idempotency key created a customer that has since been deleted and purged; use a new key.".into(),
                    });
                }
                return Err(ApiError::internal(format!(
                    "customer id {} already in use",
                    new.id
                )));
            }
            let record = apply::create(new, params, claimed)?;
            let mut events = vec![events::created(&record.customer, origin)?];
            events.extend(sub_object_events(None, &record, origin)?);
            for tax_id in &record.tax_ids {
                events.push(events::tax_id_created(
                    tax_id,
                    record.customer.livemode,
                    origin,
                )?);
            }
            commit(store, StoredCustomer { version: 1, record }, events)
        }
        CustomerCommand::Update {
            id,
            params,
            now,
            claimed,
            ..
        } => {
            let stored = load_live(store, &id, "id")?;
            let mut record = stored.record.clone();
            apply::update(&mut record, params, claimed, now)?;
            if record == stored.record {
                return Reply::unchanged(&stored);
            }
            let event = events::updated(&stored.record.customer, &record.customer, origin)?;
            let mut events: Vec<Event> = event.into_iter().collect();
            events.extend(sub_object_events(Some(&stored.record), &record, origin)?);
            next_version(store, stored.version, record, events)
        }
        CustomerCommand::Nested { id, now, op, args } => {
            let stored = load_live(store, &id, "customer")?;
            let mut record = stored.record.clone();
            let (body, changed) = nested(&mut record, &id, &op, &args, now)?;
            if !changed {
                return Ok(Reply {
                    status: 200,
                    body,
                    replayed: false,
                    committed: None,
                    purge: PurgeJob::Keep,
                });
            }
            let event = events::updated(&stored.record.customer, &record.customer, origin)?;
            let mut events: Vec<Event> = event.into_iter().collect();
            events.extend(sub_object_events(Some(&stored.record), &record, origin)?);
            let answer = next_version(store, stored.version, record, events)?;
            Ok(Reply { body, ..answer })
        }
        CustomerCommand::Delete(Lifecycle {
            id,
            now,
            retention_seconds,
            ..
        }) => {
            let stored = load_live(store, &id, "id")?;
            let mut record = stored.record;
            let mut events =
                crate::resources::billing::execute::cancel_all(&mut record, store, origin)?;
            events.push(events::deleted(&record.customer, origin)?);
            record.deleted_at = Some(now);
            let purge_at = now.saturating_add(retention_seconds);
            Ok(next_version(store, stored.version, record, events)?
                .with_purge(PurgeJob::ScheduleAt(purge_at)))
        }
        CustomerCommand::Undelete(Lifecycle {
            id,
            now,
            retention_seconds,
            ..
        }) => {
            let stored = load_existing(store, &id)?;
            let Some(deleted_at) = stored.record.deleted_at else {
                return Err(not_deleted(&id));
            };
            if stored.record.purged || window_passed(deleted_at, retention_seconds, now) {
                return Err(undelete_window_expired(&id, retention_seconds));
            }
            let record = CustomerRecord {
                deleted_at: None,
                ..stored.record
            };
            let event = events::undeleted(&record.customer, deleted_at, origin)?;
            Ok(next_version(store, stored.version, record, vec![event])?
                .with_purge(PurgeJob::Cancel))
        }
        CustomerCommand::CreateTaxId(TaxIdChange {
            id,
            tax_id,
            data,
            now,
            ..
        }) => {
            let data = data.ok_or_else(|| ApiError::internal("a tax id create without data"))?;
            let stored = load_live(store, &id, "customer")?;
            if stored.record.tax_ids.len() >= TAX_IDS_MAX {
                return Err(ApiError::bad_request(format!(
                    "A customer can have at most {TAX_IDS_MAX} tax IDs; delete one before adding another."
                )));
            }
            let mut record = stored.record;
            let livemode = record.customer.livemode;
            let tax_id = data.into_tax_id(tax_id, &id, now, livemode);
            let event = events::tax_id_created(&tax_id, livemode, origin)?;
            record.tax_ids.push(tax_id);
            next_version(store, stored.version, record, vec![event])
        }
        CustomerCommand::DeleteTaxId(TaxIdChange { id, tax_id, .. }) => {
            let stored = load_live(store, &id, "customer")?;
            let mut record = stored.record;
            let at = record
                .tax_ids
                .iter()
                .position(|t| t.id == tax_id)
                .ok_or_else(|| ApiError::not_found("tax id", &tax_id))?;
            let removed = record.tax_ids.remove(at);
            let livemode = record.customer.livemode;
            let event = events::tax_id_deleted(&removed, livemode, origin)?;
            next_version(store, stored.version, record, vec![event])
        }
        CustomerCommand::Purge {
            now,
            retention_seconds,
        } => purge(store, now, retention_seconds),
        CustomerCommand::Billing { id, op, args, .. } => {
            crate::resources::billing::execute::run(store, &id, &op, &args, origin)
        }
    }
}

/// A read of the stored customer: as stored (`show` is `None`: the record's JSON is
/// not parsed and written again), or shown to the client with `expand`, indented.
fn read(
    store: &impl CustomerStore,
    id: &str,
    show: Option<(&Expand, bool)>,
) -> Result<Reply, ApiError> {
    let (version, document) = store
        .load_document()?
        .ok_or_else(|| ApiError::not_found("customer", id))?;
    let stored = stored_json(version, &document);
    let body = match show {
        None => stored,
        Some((expand, include_deleted)) => {
            let shown = customer_json(&stored, id, expand, include_deleted)?;
            pretty(&billing::execute::with_subscriptions(store, shown, expand)?)
        }
    };
    Ok(Reply {
        status: 200,
        body,
        replayed: false,
        committed: None,
        purge: PurgeJob::Keep,
    })
}

/// The alarm's purge: once the window has passed, the record becomes its purged stub
/// and the idempotency records go, in one synchronous block. Anything else (never
/// deleted, undeleted meanwhile, already purged) changes nothing; a purge that came
/// early (a longer window since) is scheduled again.
fn purge(
    store: &mut impl CustomerStore,
    now: i64,
    retention_seconds: i64,
) -> Result<Reply, ApiError> {
    let Some(stored) = store.load()? else {
        return Err(ApiError::internal(
            "purge of an object that holds no customer",
        ));
    };
    let deleted_at = match stored.record.deleted_at {
        Some(at) if !stored.record.purged => at,
        _ => return Reply::unchanged(&stored),
    };
    if !window_passed(deleted_at, retention_seconds, now) {
        let due = deleted_at.saturating_add(retention_seconds);
        return Ok(Reply::unchanged(&stored)?.with_purge(PurgeJob::ScheduleAt(due)));
    }
    let record = stored.record.purged_stub();
    store.forget_all()?;
    // Stripe has no event for this: the customer's deletion was the last thing it said.
    next_version(store, stored.version, record, Vec::new())
}

/// Whether a customer deleted at `deleted_at` is past its undelete window at `now`.
fn window_passed(deleted_at: i64, retention_seconds: i64, now: i64) -> bool {
    now >= deleted_at.saturating_add(retention_seconds)
}

fn not_deleted(id: &str) -> ApiError {
    ApiError::coded(
        400,
        "customer_not_deleted",
        format!("Customer {id} is not deleted."),
    )
}

fn undelete_window_expired(id: &str, retention_seconds: i64) -> ApiError {
    ApiError::coded(
        400,
        "undelete_window_expired",
        format!(
            "Customer {id} was deleted more than {} ago and can no longer be restored.",
            describe_window(retention_seconds)
        ),
    )
}

/// `30 days`, `1 day`, or in seconds when the window is not whole days.
pub fn describe_window(seconds: i64) -> String {
    let (n, unit) = if seconds > 0 && seconds % 86_400 == 0 {
        (seconds / 86_400, "day")
    } else {
        (seconds, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// The events of the customer's own sub-objects a change caused: `customer.source.created`
/// / `customer.source.deleted` for each card added or removed, and
/// `customer.discount.created` / `customer.discount.deleted` when the discount changed.
fn sub_object_events(
    before: Option<&CustomerRecord>,
    after: &CustomerRecord,
    origin: &Origin,
) -> Result<Vec<Event>, ApiError> {
    let livemode = after.customer.livemode;
    let id = |v: &serde_json::Value| v["id"].as_str().map(str::to_owned);
    let mut out = Vec::new();
    let old_sources = before.map(|b| b.sources.as_slice()).unwrap_or_default();
    for card in &after.sources {
        if !old_sources.iter().any(|o| id(o) == id(card)) {
            out.push(origin.event("customer.source.created", card.clone(), livemode, None)?);
        }
    }
    for card in old_sources {
        if !after.sources.iter().any(|n| id(n) == id(card)) {
            out.push(origin.event("customer.source.deleted", card.clone(), livemode, None)?);
        }
    }
    let old_discount = before.and_then(|b| b.customer.discount.as_ref());
    let new_discount = after.customer.discount.as_ref();
    if old_discount.map(id) != new_discount.map(id) {
        if let Some(old) = old_discount {
            out.push(origin.event("customer.discount.deleted", old.clone(), livemode, None)?);
        }
        if let Some(new) = new_discount {
            out.push(origin.event("customer.discount.created", new.clone(), livemode, None)?);
        }
    }
    Ok(out)
}

/// Runs a command on the customer's sub-objects; answers the body and whether the
/// record changed (the caller commits it).
fn nested(
    record: &mut CustomerRecord,
    id: &str,
    op: &str,
    args: &serde_json::Value,
    now: i64,
) -> Result<(String, bool), ApiError> {
    match op {
        "forget_payment_method" => {
            let settings = &mut record.customer.invoice_settings;
            let pm = args["payment_method"].as_str();
            let was_default = settings.default_payment_method.as_deref() == pm;
            if was_default {
                settings.default_payment_method = None;
            }
            Ok((String::new(), was_default))
        }
        "delete_discount" => {
            let mut discount = record
                .customer
                .discount
                .take()
                .ok_or_else(|| ApiError::not_found("discount", id))?;
            if let Some(fields) = discount.as_object_mut() {
                // `deleted_discount` has every field of a discount but `end`.
                fields.remove("end");
                fields.insert("deleted".into(), true.into());
            }
            Ok((serde_json::to_string(&discount)?, true))
        }
        _ => sources::execute(record, op, args, now),
    }
}

/// The stored customer, deleted or not; 404 if it never existed.
fn load_existing(store: &impl CustomerStore, id: &str) -> Result<StoredCustomer, ApiError> {
    store
        .load()?
        .ok_or_else(|| ApiError::not_found("customer", id))
}

/// The stored customer if it exists and is not deleted; otherwise a 404 whose `param`
/// names the path part that held the id (`id`, or `customer` on a sub-resource path).
fn load_live(
    store: &impl CustomerStore,
    id: &str,
    param: &str,
) -> Result<StoredCustomer, ApiError> {
    match store.load()? {
        Some(stored) if !stored.record.is_deleted() => Ok(stored),
        _ => Err(ApiError::not_found_as("customer", id, param)),
    }
}

/// A store in memory, for tests of the object's logic without the runtime.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub stored: Option<StoredCustomer>,
    pub book: Option<String>,
    pub saved: Vec<(String, SavedResponse, i64)>,
    pub outbox: Vec<Event>,
}

#[cfg(test)]
impl CustomerStore for MemoryStore {
    fn load_document(&self) -> Result<Option<(i64, String)>, ApiError> {
        match &self.stored {
            None => Ok(None),
            Some(s) => Ok(Some((s.version, serde_json::to_string(&s.record)?))),
        }
    }
    fn commit(&mut self, stored: &StoredCustomer, events: &[Event]) -> Result<String, ApiError> {
        self.stored = Some(stored.clone());
        self.outbox.extend_from_slice(events);
        Ok(serde_json::to_string(&stored.record)?)
    }
    fn recall(&self, key: &str) -> Result<Option<SavedResponse>, ApiError> {
        Ok(self
            .saved
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, s, _)| s.clone()))
    }
    fn remember(
        &mut self,
        key: &str,
        saved: &SavedResponse,
        expires_at: i64,
    ) -> Result<(), ApiError> {
        self.saved.push((key.to_owned(), saved.clone(), expires_at));
        Ok(())
    }
    fn forget_expired(&mut self, now: i64) -> Result<(), ApiError> {
        self.saved.retain(|(_, _, expires_at)| *expires_at >= now);
        Ok(())
    }
    fn forget_all(&mut self) -> Result<(), ApiError> {
        self.saved.clear();
        Ok(())
    }
    fn load_book(&self) -> Result<Option<String>, ApiError> {
        Ok(self.book.clone())
    }
    fn save_book(&mut self, book: &str) -> Result<(), ApiError> {
        self.book = Some(book.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::apply::NewCustomer;
    use crate::resources::customers::changes::{test_support::test_params as params, Operation};
    use crate::resources::events::model::EventRequest;

    fn create(body: &str, idempotency: Option<IdempotencyClaim>) -> CustomerCommand {
        CustomerCommand::Create {
            new: NewCustomer {
                id: "cus_1".into(),
                created: 10,
                livemode: false,
            },
            params: params(Operation::Create, body),
            idempotency,
            claimed: Default::default(),
        }
    }

    fn update(body: &str) -> CustomerCommand {
        CustomerCommand::Update {
            id: "cus_1".into(),
            params: params(Operation::Update, body),
            idempotency: None,
            now: 0,
            claimed: Default::default(),
        }
    }

    fn claim(key: &str, fingerprint: &str, now: i64) -> Option<IdempotencyClaim> {
        Some(IdempotencyClaim {
            key: key.into(),
            fingerprint: fingerprint.into(),
            now,
        })
    }

    fn origin() -> Origin {
        Origin {
            request: EventRequest {
                id: Some("req_1".into()),
                idempotency_key: None,
            },
            now: 50,
        }
    }

    fn stored(reply: &Reply) -> StoredCustomer {
        serde_json::from_str(&reply.body).unwrap()
    }

    #[test]
    fn create_commits_version_one_and_update_bumps_it() {
        let mut store = MemoryStore::default();
        let created = execute(&mut store, create("name=A", None), &origin());
        assert_eq!(created.status, 200);
        assert_eq!(created.committed.as_ref().map(|s| s.version), Some(1));
        let updated = execute(&mut store, update("name=B"), &origin());
        assert_eq!(stored(&updated).version, 2);
        assert_eq!(stored(&updated).record.customer.name.as_deref(), Some("B"));
        // The body is built from the text the store committed: the same as serialising.
        for reply in [&created, &updated] {
            let committed = reply.committed.as_ref().map(StoredCustomer::to_json);
            assert_eq!(committed.transpose().unwrap(), Some(reply.body.clone()));
        }
    }

    #[test]
    fn each_commit_writes_its_events_with_it_and_a_replay_writes_none() {
        let mut store = MemoryStore::default();
        let key = || claim("k", "fp", 1);
        let body = "name=A&tax_id_data[0][type]=us_ein&tax_id_data[0][value]=12-3456789";
        execute(&mut store, create(body, key()), &origin());
        execute(&mut store, create(body, key()), &origin());
        execute(&mut store, update("name=B"), &origin());
        execute(&mut store, update("name=B"), &origin());
        execute(&mut store, delete_at(60), &origin());
        execute(&mut store, undelete_at(61), &origin());
        let kinds: Vec<&str> = store.outbox.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "customer.created",
                "customer.tax_id.created",
                "customer.updated",
                "customer.deleted",
                "customer.updated"
            ]
        );
        assert_eq!(store.outbox[0].request.id.as_deref(), Some("req_1"));
        let undelete = serde_json::to_value(&store.outbox[4].data.previous_attributes).unwrap();
        assert_eq!(
            undelete,
            serde_json::json!({"deleted": true, "deleted_at": 60})
        );
    }

    #[test]
    fn an_update_that_changes_nothing_commits_nothing() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("name=A", None), &origin());
        let reply = execute(&mut store, update("name=A"), &origin());
        assert_eq!(reply.status, 200);
        assert!(reply.committed.is_none());
    }

    #[test]
    fn a_rejected_update_leaves_the_stored_customer_unchanged() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("metadata[a]=1", None), &origin());
        let before = store.stored.clone();
        let too_many: String = (0..50).map(|i| format!("metadata[k{i}]=v&")).collect();
        let reply = execute(&mut store, update(&too_many), &origin());
        assert_eq!(reply.status, 400);
        assert_eq!(store.stored, before);
    }

    #[test]
    fn a_deleted_customer_cannot_be_updated_or_deleted_again_but_can_be_read() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("", None), &origin());
        let delete = || {
            CustomerCommand::Delete(Lifecycle {
                id: "cus_1".into(),
                now: 99,
                retention_seconds: 10,
                idempotency: None,
            })
        };
        assert_eq!(execute(&mut store, delete(), &origin()).status, 200);
        assert_eq!(execute(&mut store, update("name=x"), &origin()).status, 404);
        assert_eq!(execute(&mut store, delete(), &origin()).status, 404);
        let read = execute(
            &mut store,
            CustomerCommand::Retrieve { id: "cus_1".into() },
            &origin(),
        );
        assert_eq!(stored(&read).record.deleted_at, Some(99));
        assert_eq!(
            read.body,
            serde_json::to_string(store.stored.as_ref().unwrap()).unwrap()
        );
    }

    fn lifecycle(now: i64) -> Lifecycle {
        Lifecycle {
            id: "cus_1".into(),
            now,
            retention_seconds: 10,
            idempotency: None,
        }
    }

    fn delete_at(now: i64) -> CustomerCommand {
        CustomerCommand::Delete(lifecycle(now))
    }

    fn undelete_at(now: i64) -> CustomerCommand {
        CustomerCommand::Undelete(lifecycle(now))
    }

    fn purge_at(now: i64) -> CustomerCommand {
        CustomerCommand::Purge {
            now,
            retention_seconds: 10,
        }
    }

    #[test]
    fn a_delete_schedules_the_purge_and_an_undelete_cancels_it() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("name=A", None), &origin());
        let deleted = execute(&mut store, delete_at(100), &origin());
        assert_eq!(deleted.purge, PurgeJob::ScheduleAt(110));
        let restored = execute(&mut store, undelete_at(109), &origin());
        assert_eq!(restored.status, 200);
        assert_eq!(restored.purge, PurgeJob::Cancel);
        assert_eq!(stored(&restored).version, 3);
        assert_eq!(stored(&restored).record.deleted_at, None);
        assert_eq!(stored(&restored).record.customer.name.as_deref(), Some("A"));
    }

    #[test]
    fn undelete_is_refused_for_a_live_customer_and_after_the_window() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("", None), &origin());
        let live = execute(&mut store, undelete_at(1), &origin())
            .error_value()
            .unwrap();
        assert_eq!(live.code(), Some("customer_not_deleted"));
        assert_eq!(live.to_string(), "Customer cus_1 is not deleted.");
        execute(&mut store, delete_at(100), &origin());
        let before = store.stored.clone();
        let late = execute(&mut store, undelete_at(110), &origin())
            .error_value()
            .unwrap();
        assert_eq!(late.code(), Some("undelete_window_expired"));
        assert_eq!(
            late.to_string(),
            "Customer cus_1 was deleted more than 10 seconds ago and can no longer be restored."
        );
        assert_eq!(store.stored, before, "a refused undelete changes nothing");
    }

    #[test]
    fn the_purge_keeps_the_stub_and_forgets_every_idempotency_record() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("email=ada%40example.com&metadata[k]=v&tax_id_data[0][type]=us_ein&tax_id_data[0][value]=12-3456789", claim("k", "fp", 0)), &origin());
        execute(&mut store, delete_at(100), &origin());
        let early = execute(&mut store, purge_at(105), &origin());
        assert!(early.committed.is_none());
        assert_eq!(early.purge, PurgeJob::ScheduleAt(110));
        let purged = execute(&mut store, purge_at(110), &origin());
        let record = &purged.committed.as_ref().unwrap().record;
        assert!(record.purged && record.tax_ids.is_empty());
        assert_eq!(record.deleted_at, Some(100));
        assert_eq!(record.customer.email, None);
        assert!(record.customer.metadata.is_empty());
        assert!(store.saved.is_empty());
        assert!(
            execute(&mut store, purge_at(200), &origin())
                .committed
                .is_none(),
            "a second purge changes nothing"
        );
        let refused = execute(&mut store, undelete_at(105), &origin())
            .error_value()
            .unwrap();
        assert_eq!(refused.code(), Some("undelete_window_expired"));
        let again = execute(&mut store, create("", claim("k", "fp", 300)), &origin());
        assert_eq!(
            again.status, 400,
            "the forgotten key cannot create over the stub"
        );
    }

    #[test]
    fn a_purge_of_a_live_or_undeleted_customer_changes_nothing() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("name=A", None), &origin());
        assert!(execute(&mut store, purge_at(1_000), &origin())
            .committed
            .is_none());
        execute(&mut store, delete_at(100), &origin());
        execute(&mut store, undelete_at(101), &origin());
        let reply = execute(&mut store, purge_at(1_000), &origin());
        assert!(reply.committed.is_none());
        assert_eq!(stored(&reply).record.customer.name.as_deref(), Some("A"));
    }

    #[test]
    fn windows_are_described_in_days_when_whole() {
        assert_eq!(describe_window(30 * 86_400), "30 days");
        assert_eq!(describe_window(86_400), "1 day");
        assert_eq!(describe_window(2), "2 seconds");
        assert_eq!(describe_window(1), "1 second");
    }

    #[test]
    fn an_unknown_customer_is_a_404() {
        let reply = execute(
            &mut MemoryStore::default(),
            CustomerCommand::Retrieve { id: "cus_x".into() },
            &origin(),
        );
        assert_eq!(reply.status, 404);
        assert_eq!(
            reply.error_value(),
            Some(ApiError::not_found("customer", "cus_x"))
        );
    }

    #[test]
    fn a_reused_key_replays_and_other_parameters_are_an_idempotency_error() {
        let mut store = MemoryStore::default();
        let first = execute(
            &mut store,
            create("name=A", claim("k", "fp1", 100)),
            &origin(),
        );
        let again = execute(
            &mut store,
            create("name=A", claim("k", "fp1", 101)),
            &origin(),
        );
        assert!(again.replayed);
        assert!(again.committed.is_none());
        assert_eq!(again.body, first.body);
        let other = execute(
            &mut store,
            create("name=B", claim("k", "fp2", 102)),
            &origin(),
        );
        assert_eq!(
            other.error_value(),
            Some(ApiError::IdempotencyMismatch { key: "k".into() })
        );
    }

    #[test]
    fn old_idempotency_records_are_forgotten_after_the_retention_period() {
        let mut store = MemoryStore::default();
        execute(&mut store, create("", claim("create", "fp", 0)), &origin());
        let old = CustomerCommand::Update {
            id: "cus_1".into(),
            params: params(Operation::Update, "name=x"),
            idempotency: claim("old", "fp", 0),
            now: 0,
            claimed: Default::default(),
        };
        execute(&mut store, old, &origin());
        let later = RETENTION_SECONDS + 10;
        let cmd = CustomerCommand::Update {
            id: "cus_1".into(),
            params: params(Operation::Update, "name=y"),
            idempotency: claim("new", "fp", later),
            now: 0,
            claimed: Default::default(),
        };
        execute(&mut store, cmd, &origin());
        assert!(store.recall("old").unwrap().is_none());
        assert!(store.recall("new").unwrap().is_some());
        assert!(
            store.recall("create").unwrap().is_some(),
            "a create's key lives as long as its customer"
        );
    }
}

//! The CustomerObject Durable Object: one per (account, customer), the authority for
//! that customer. It runs `api-core`'s `execute` over its SQLite store with no await
//! between read and write (the change and its events commit together, and so does the
//! `propagate` job that owes their copies), then propagates them (`propagation`).
//! A write answers once the account's index has it; the KV copy follows off the
//! response's path. Its alarm runs three jobs: `propagate` (copies still owed: failed,
//! or cut short by a restart), `purge` (a deleted customer's personal data, once
//! the retention window has passed) and `billing` (renewals, finalizations, retries
//! and expiries that came due, for a customer without a test clock).

#[cfg(feature = "bench")]
pub mod bench_seed;
mod propagation;
mod sql_store;

use std::cell::Cell;
use std::rc::Rc;

use api_core::config::deleted_retention_seconds;
use api_core::resources::billing::context;
use api_core::resources::billing::execute as billing;
use api_core::resources::customers::claims::Claimed;
use api_core::resources::customers::commands::{AccountCommand, CustomerCommand, CustomerEnvelope};
use api_core::resources::customers::events::Origin;
use api_core::resources::customers::execute::{
    execute, needs_reference_check, CustomerStore, PurgeJob,
};
use api_core::resources::customers::stored::StoredCustomer;
use api_core::resources::events::model::EventRequest;
use api_core::resources::objects::{object, ObjectCommand};
use api_core::wire::codec::Message;
use api_core::wire::error::ApiError;
use wasm_bindgen::prelude::*;
use worker::{Env, SqlStorage, State};

use crate::edge::bindings::{account_stub, call_object, platform_error, ACCOUNT_CUSTOMERS_PATH};
use crate::edge::now_seconds;
use crate::objects::faults::Faults;
use crate::objects::scheduler::{now_ms, Scheduler, SCHEMA as JOBS_SCHEMA};
use crate::objects::{create_schema, Answer};
use crate::settle::settle;
use propagation::{Copied, KvCopy, Propagation};
use sql_store::{Current, SqlCustomerStore, SCHEMA};

/// The job that copies the current version to the index and KV again.
const PROPAGATE_JOB: &str = "propagate";
/// Delay before a failed copy is tried again.
const PROPAGATION_RETRY_MS: i64 = 5_000;
/// The job that purges a deleted customer's personal data after the retention window.
const PURGE_JOB: &str = "purge";
/// The job that does the customer's billing work that came due (no test clock).
const BILLING_JOB: &str = "billing";

/// The command that runs customer `id`'s time-driven billing up to `to` (unix seconds):
/// what its `billing` job runs with `to` = now, a test clock's advance with `to` = the
/// clock's target, and the bench's `/bench/bill` with the `to` it is given.
pub fn billing_tick(namespace: &str, id: &str, to: i64) -> CustomerEnvelope {
    let now = now_seconds();
    CustomerEnvelope {
        namespace: namespace.to_owned(),
        request_id: String::new(),
        now,
        command: CustomerCommand::Billing {
            id: id.to_owned(),
            now,
            op: billing::TICK.to_owned(),
            args: serde_json::json!({ "to": to }),
        },
    }
}

/// The Durable Object class, exported by hand rather than by `#[durable_object]`: that
/// macro also exports a `fetch` that converts the runtime's Request and Response, code
/// nothing calls (the Worker calls `answer`; scripts/fast-shim.mjs answers `fetch` with a
/// 404). A handle on the instance, so that an answer's future owns what it uses.
#[wasm_bindgen(wasm_bindgen = ::worker::wasm_bindgen)]
pub struct CustomerObject(Rc<CustomerInstance>);

/// One running instance of a customer's Durable Object.
struct CustomerInstance {
    state: State,
    /// The object's SQLite database (one handle for its whole life).
    sql: SqlStorage,
    env: Env,
    /// Test-only injected failures (`FAULTS`) of the index and KV copies.
    faults: Rc<Faults>,
    /// What the index and KV are known to hold (this instance's knowledge; see
    /// `propagation`).
    copied: Rc<Cell<Copied>>,
    /// The job table and the alarm.
    scheduler: Scheduler,
    /// The customer's current version, as this instance read or committed it.
    current: Current,
}

#[wasm_bindgen(
    wasm_bindgen = ::worker::wasm_bindgen,
    wasm_bindgen_futures = ::worker::wasm_bindgen_futures,
    js_sys = ::worker::js_sys
)]
impl CustomerObject {
    /// The runtime constructs the object (through scripts/fast-shim.mjs).
    #[wasm_bindgen(constructor)]
    pub fn new(state: worker::worker_sys::DurableObjectState, env: Env) -> Self {
        CustomerObject(Rc::new(CustomerInstance::open(State::from(state), env)))
    }

    /// The object's alarm.
    #[wasm_bindgen(js_name = alarm)]
    pub async fn alarm(&self) -> std::result::Result<JsValue, JsValue> {
        self.0.run_alarm().await;
        Ok(JsValue::UNDEFINED)
    }

    /// Durable Object RPC (scripts/fast-shim.mjs exposes it), the one way in: a command
    /// as strings, with no Request or Response. Answers `[status, body]`, or a promise
    /// of it when the command waits (see [`settle`]).
    #[wasm_bindgen(js_name = answer)]
    pub fn answer(&self, path: String, body: String) -> JsValue {
        #[cfg(feature = "bench")]
        if path == bench_seed::PATH {
            let seeded = bench_seed::seed(&self.0.sql, &self.0.env, &body);
            return Answer::new(seeded, false).into_js();
        }
        #[cfg(not(feature = "bench"))]
        let _ = path; // only the bench's build has a second path
        let instance = Rc::clone(&self.0);
        settle(async move { instance.answer_command(&body).await.into_js() })
    }
}

impl CustomerInstance {
    fn open(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        create_schema(&sql, SCHEMA, "customer");
        create_schema(&sql, &[JOBS_SCHEMA], "customer");
        let faults = Rc::new(Faults::from_env(&env));
        CustomerInstance {
            scheduler: Scheduler::new(state.storage(), sql.clone()),
            state,
            sql,
            env,
            faults,
            copied: Rc::default(),
            current: Current::default(),
        }
    }

    /// Runs the jobs that are due: copies owed (`propagate`) and the purge.
    async fn run_alarm(&self) {
        let scheduler = &self.scheduler;
        scheduler.fired();
        for job in scheduler.take_due(now_ms()) {
            match job.as_str() {
                PROPAGATE_JOB => self.propagate_current().await,
                PURGE_JOB => self.purge().await,
                BILLING_JOB => self.bill_due().await,
                _ => {}
            }
        }
        scheduler.rearm().await;
    }

    /// Runs one command of the Worker (a `CustomerEnvelope` in its compact text), from
    /// the `answer` RPC method.
    async fn answer_command(&self, body: &str) -> Answer {
        match CustomerEnvelope::decode(body) {
            Ok(envelope) => self.run_envelope(envelope).await,
            Err(e) => Answer::new(Err(e), false),
        }
    }

    /// Runs one command: its claim or billing context first (awaited), then the
    /// synchronous read-check-write, then the copies it owes.
    async fn run_envelope(&self, envelope: CustomerEnvelope) -> Answer {
        let origin = envelope.origin();
        let CustomerEnvelope {
            namespace,
            request_id,
            command,
            ..
        } = envelope;
        let store = SqlCustomerStore::new(self.sql.clone(), namespace, self.current.clone());
        let mut command = command;
        if let Err(err) = self.billing_context(&store, &mut command).await {
            return Answer::new(Err(err), false);
        }
        let claimed = match needs_reference_check(&store, &command) {
            Ok(true) => self.claim(&store, &command, &origin).await,
            Ok(false) => Ok(Claimed::default()),
            Err(err) => Err(err),
        };
        let claimed = match claimed {
            Ok(claimed) => claimed,
            Err(err) => return Answer::new(Err(err), false),
        };
        command.set_claimed(claimed.clone());
        // Read, check and write with no await in between: the object's input gate
        // keeps every other request out until this block is done.
        let mut store = store;
        let key = command.idempotency().map(|claim| claim.key.clone());
        let bills = matches!(command, CustomerCommand::Billing { .. });
        let reply = execute(&mut store, command, &origin);
        if let Some(stored) = &reply.committed {
            self.after_commit(&store, stored.version);
            // Before any other await: a crash from here on leaves the copies owed.
            self.owe_propagation().await;
        }
        self.plan_purge(reply.purge).await;
        if let (true, Some(stored)) = (bills, &reply.committed) {
            self.plan_billing(&store, stored).await;
        }
        let mut key_kept = false;
        if let Some(stored) = &reply.committed {
            let keyed = key.is_some();
            key_kept = self.propagate(&store, stored, key).await && keyed;
        }
        // A claim the write did not use (it failed, or replayed a concurrent twin's
        // saved response) is given back.
        if !claimed.is_empty() && reply.committed.is_none() {
            self.release(&store, claimed).await;
        }
        let result = match reply.error_value() {
            Some(err) => {
                if let ApiError::Internal { detail } = &err {
                    worker::console_error!("{request_id}: {detail}");
                }
                Err(err)
            }
            None => Ok(reply.body),
        };
        let answer = Answer::new(result, reply.replayed);
        if let Some(stored) = reply.committed {
            self.current.keep_parsed(stored);
        }
        if key_kept {
            answer.with_key_kept()
        } else {
            answer
        }
    }

    /// Claims, in the account's object, what the command references (see
    /// `api_core::resources::customers::claims`): all of it, or an error.
    async fn claim(
        &self,
        store: &SqlCustomerStore,
        command: &api_core::resources::customers::commands::CustomerCommand,
        origin: &api_core::resources::customers::events::Origin,
    ) -> std::result::Result<Claimed, ApiError> {
        let Some(mut claim) = command.claim_command() else {
            return Ok(Claimed::default());
        };
        if let AccountCommand::Objects(claim) = &mut claim {
            claim.request = origin.request.clone();
            claim.now = origin.now;
        }
        let stub = account_stub(&self.env, store.namespace()).map_err(platform_error)?;
        let answer = call_object(&stub, ACCOUNT_CUSTOMERS_PATH, &claim).await?;
        Ok(Claimed::from_json(&serde_json::from_str(&answer.body)?))
    }

    /// A billing command needs the account's view first (the customer's payment
    /// methods, the prices it names, its clock): asked before the synchronous block and
    /// added to its args, with the account's setting for the last failed retry.
    async fn billing_context(
        &self,
        store: &SqlCustomerStore,
        command: &mut CustomerCommand,
    ) -> std::result::Result<(), ApiError> {
        let CustomerCommand::Billing { id, args, .. } = command else {
            return Ok(());
        };
        let Some(stored) = store.load()? else {
            return Ok(()); // the command answers that there is no customer
        };
        let customer = &stored.record.customer;
        let clock = customer.test_clock.as_ref().and_then(|c| c.as_str());
        let promotion_code = customer
            .discount
            .as_ref()
            .and_then(|d| d["promotion_code"].as_str());
        let request = context::request(id, clock, promotion_code, args);
        let stub = account_stub(&self.env, store.namespace()).map_err(platform_error)?;
        let answer = call_object(
            &stub,
            ACCOUNT_CUSTOMERS_PATH,
            &AccountCommand::Objects(request),
        )
        .await?;
        args["context"] = serde_json::from_str(&answer.body)?;
        let setting = self.env.var("BILLING_AFTER_FINAL_RETRY").ok();
        args["after_retries"] = setting.map(|v| v.to_string()).into();
        Ok(())
    }

    /// After a billing commit (only billing changes the book): the `billing` job is due
    /// when the customer's next renewal, finalization, retry or expiry is (a test clock's
    /// customer has none: its clock's advances drive it).
    async fn plan_billing(&self, store: &SqlCustomerStore, stored: &StoredCustomer) {
        if stored.record.customer.test_clock.is_some() {
            return;
        }
        match billing::next_due(store) {
            Ok(Some(due)) => {
                self.scheduler
                    .schedule(BILLING_JOB, due.saturating_mul(1000))
                    .await
            }
            Ok(_) => {}
            Err(err) => worker::console_error!("billing: {err:?}"),
        }
    }

    /// The `billing` job: the time-driven work that is due now, as a command.
    async fn bill_due(&self) {
        let Some(store) = self.recorded_store() else {
            return;
        };
        let id = match store.load() {
            Ok(Some(stored)) => stored.record.customer.id,
            _ => return,
        };
        let envelope = billing_tick(store.namespace(), &id, now_seconds());
        let answer = self.run_envelope(envelope).await;
        if answer.status != 200 {
            worker::console_error!("billing: {}", answer.body);
        }
    }

    /// Gives a claim back after the customer write failed (the compensating call).
    async fn release(&self, store: &SqlCustomerStore, claimed: Claimed) {
        let now = now_seconds();
        let release = AccountCommand::Objects(ObjectCommand::new(
            "release",
            "",
            object(vec![("claimed", claimed.to_json()), ("now", now.into())]),
        ));
        let result = match account_stub(&self.env, store.namespace()) {
            Ok(stub) => call_object(&stub, ACCOUNT_CUSTOMERS_PATH, &release)
                .await
                .map(|_| ()),
            Err(e) => Err(platform_error(e)),
        };
        if let Err(err) = result {
            worker::console_error!("release of a claim failed: {err:?}");
        }
    }

    /// Copies a committed version and its events: the index before the write answers,
    /// KV after it (`wait_until`), unless a KV copy is running: it catches up on every
    /// commit, so it writes this version too (`Copied::start_kv_copy`). The `propagate`
    /// job recorded with the commit stays due either way: its alarm finds the copies
    /// done, or does what failed again.
    /// Answers whether the index has it (and so `kept_key`, if any).
    async fn propagate(
        &self,
        store: &SqlCustomerStore,
        stored: &StoredCustomer,
        kept_key: Option<String>,
    ) -> bool {
        let propagation = self.propagation(store);
        match propagation.copy_to_index(stored, kept_key).await {
            Ok(copy) => {
                if Copied::start_kv_copy(&self.copied) {
                    self.state.wait_until(finish_kv_copy(propagation, copy));
                }
                true
            }
            Err(err) => {
                self.copy_failed(&stored.record.customer.id, err).await;
                false
            }
        }
    }

    /// The alarm's job: copies whatever version is current, both copies awaited, unless
    /// this instance knows they hold it already; then drops the outbox rows the index has.
    async fn propagate_current(&self) {
        let Some(store) = self.recorded_store() else {
            return;
        };
        let propagation = self.propagation(&store);
        match propagation.up_to_date() {
            Ok(true) => return self.forget_copied_events(&store),
            Ok(false) => {}
            Err(err) => return worker::console_error!("propagation: {err:?}"),
        }
        let stored = match store.load() {
            Ok(Some(stored)) => stored,
            Ok(None) => return,
            Err(err) => return worker::console_error!("propagation: {err:?}"),
        };
        let id = stored.record.customer.id.clone();
        let copied = match propagation.copy_to_index(&stored, None).await {
            Ok(copy) => propagation.copy_to_kv(copy).await,
            Err(err) => Err(err),
        };
        self.forget_copied_events(&store);
        if let Err(err) = copied {
            self.copy_failed(&id, err).await;
        }
    }

    /// In the turn of a commit: notes the version for the KV copy and drops the outbox
    /// rows the index already has, adding no SQLite commit of its own.
    fn after_commit(&self, store: &SqlCustomerStore, version: i64) {
        Copied::committed(&self.copied, version);
        self.forget_copied_events(store);
    }

    /// Deletes the outbox rows the index is known to have (after a commit, or from the
    /// alarm).
    fn forget_copied_events(&self, store: &SqlCustomerStore) {
        let through = self.copied.get().outbox_through;
        if through > 0 {
            if let Err(err) = store.clear_outbox(through) {
                worker::console_error!("outbox: {err:?}");
            }
        }
    }

    fn propagation(&self, store: &SqlCustomerStore) -> Propagation {
        Propagation {
            env: self.env.clone(),
            store: store.clone(),
            faults: Rc::clone(&self.faults),
            copied: Rc::clone(&self.copied),
        }
    }

    /// The store of the customer this object holds; `None` before its first write.
    fn recorded_store(&self) -> Option<SqlCustomerStore> {
        SqlCustomerStore::recorded(self.sql.clone(), self.current.clone())
    }

    /// A copy failed: logged, and tried again by the alarm.
    async fn copy_failed(&self, id: &str, err: ApiError) {
        worker::console_error!("copy of {id} failed: {err:?}");
        self.scheduler
            .schedule(PROPAGATE_JOB, now_ms() + PROPAGATION_RETRY_MS)
            .await;
    }

    /// Records what a command did to the purge job: a delete schedules it, an undelete
    /// cancels it.
    async fn plan_purge(&self, job: PurgeJob) {
        let scheduler = &self.scheduler;
        match job {
            PurgeJob::Keep => {}
            PurgeJob::ScheduleAt(at) => {
                scheduler.schedule(PURGE_JOB, at.saturating_mul(1000)).await
            }
            PurgeJob::Cancel => scheduler.cancel(PURGE_JOB),
        }
    }

    /// The `purge` job: replaces a customer deleted longer than the retention window
    /// with its purged stub (and forgets its idempotency records) in one synchronous
    /// block, then copies the stub, which removes the index row and the KV copy.
    async fn purge(&self) {
        let Some(mut store) = self.recorded_store() else {
            return;
        };
        let var = self.env.var("DELETED_RETENTION_SECONDS").ok();
        let command = CustomerCommand::Purge {
            now: now_seconds(),
            retention_seconds: deleted_retention_seconds(var.map(|v| v.to_string())),
        };
        // Not caused by an API request: the origin has no request id.
        let origin = Origin {
            request: EventRequest::default(),
            now: now_seconds(),
        };
        let reply = execute(&mut store, command, &origin);
        if let Some(stored) = &reply.committed {
            self.after_commit(&store, stored.version);
            self.owe_propagation().await;
        }
        self.plan_purge(reply.purge).await;
        if let Some(err) = reply.error_value() {
            worker::console_error!("purge: {err:?}");
        }
        if let Some(stored) = &reply.committed {
            self.propagate(&store, stored, None).await;
        }
    }

    /// Records the `propagate` job. Called in the same turn as a commit, before any
    /// await: a crash from then on leaves the job due, and the alarm does the copies.
    async fn owe_propagation(&self) {
        self.scheduler
            .schedule(PROPAGATE_JOB, now_ms() + PROPAGATION_RETRY_MS)
            .await;
    }
}

/// The KV copy of a version, off the write's path. The `propagate` job stays recorded:
/// cancelling it would be a second SQLite commit per write. When its alarm fires it
/// finds the copies up to date (`Copied`) and only drops the outbox rows.
async fn finish_kv_copy(propagation: Propagation, copy: KvCopy) {
    let id = copy.id().to_owned();
    let copied = propagation.copy_to_kv(copy).await;
    Copied::end_kv_copy(&propagation.copied);
    if let Err(err) = copied {
        // The job stays due: the alarm copies the current version again.
        worker::console_error!("kv copy of {id} failed: {err:?}");
    }
}

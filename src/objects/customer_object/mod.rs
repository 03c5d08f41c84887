//! The CustomerObject Durable Object: one per (account, customer), the authority for
//! that customer. It runs `api-core`'s `execute` over its SQLite store with no await
//! between read and write (the change and its events commit together, and so does the
//! `propagate` job that owes their copies), then propagates them (`propagation`).
//! Its alarm runs two jobs: `propagate` (copies that failed, again) and `purge` (a
//! deleted customer's personal data, once the retention window has passed).

pub mod bench_seed;
mod propagation;
mod sql_store;

use api_core::config::deleted_retention_seconds;
use api_core::resources::customers::claims::Claimed;
use api_core::resources::customers::commands::{AccountCommand, CustomerCommand, CustomerEnvelope};
use api_core::resources::customers::events::Origin;
use api_core::resources::customers::execute::{
    execute, needs_reference_check, CustomerStore, PurgeJob,
};
use api_core::resources::events::model::EventRequest;
use api_core::resources::objects::{object, ObjectCommand};
use api_core::wire::error::ApiError;
use wasm_bindgen::prelude::*;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, SqlStorage, State};

use crate::edge::bindings::{account_stub, call_object, platform_error, ACCOUNT_CUSTOMERS_PATH};
use crate::edge::now_seconds;
use crate::objects::faults::Faults;
use crate::objects::scheduler::{now_ms, Scheduler, SCHEMA as JOBS_SCHEMA};
use crate::objects::{create_schema, Answer};
use propagation::Propagation;
use sql_store::{SqlCustomerStore, SCHEMA};

/// The job that copies the current version to the index and KV again.
const PROPAGATE_JOB: &str = "propagate";
/// Delay before a failed copy is tried again.
const PROPAGATION_RETRY_MS: i64 = 5_000;
/// The job that purges a deleted customer's personal data after the retention window.
const PURGE_JOB: &str = "purge";

#[durable_object(alarm)]
pub struct CustomerObject {
    state: State,
    /// The object's SQLite database (one handle for its whole life).
    sql: SqlStorage,
    env: Env,
    /// Test-only injected failures (`FAULTS`) of the index and KV copies.
    faults: Faults,
}

#[wasm_bindgen(
    wasm_bindgen = ::worker::wasm_bindgen,
    wasm_bindgen_futures = ::worker::wasm_bindgen_futures,
    js_sys = ::worker::js_sys
)]
impl CustomerObject {
    /// Durable Object RPC (scripts/fast-shim.mjs exposes it): what `fetch` does, without
    /// a Request or a Response. Answers `[status, body]`.
    #[wasm_bindgen(js_name = answer)]
    pub async fn answer(
        &self,
        path: String,
        body: String,
    ) -> std::result::Result<JsValue, JsValue> {
        if path == bench_seed::PATH {
            let seeded = bench_seed::seed(&self.sql, &self.env, &body);
            return Ok(Answer::new(seeded, false).into_js());
        }
        Ok(self.answer_command(&body).await.into_js())
    }
}

impl DurableObject for CustomerObject {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        create_schema(&sql, SCHEMA, "customer");
        create_schema(&sql, &[JOBS_SCHEMA], "customer");
        let faults = Faults::from_env(&env);
        CustomerObject {
            state,
            sql,
            env,
            faults,
        }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        self.answer_command(&req.text().await?)
            .await
            .into_response()
    }
    /// Runs the jobs that are due: copies owed (`propagate`) and the purge.
    async fn alarm(&self) -> Result<Response> {
        let scheduler = Scheduler { state: &self.state };
        for job in scheduler.take_due(now_ms()) {
            match job.as_str() {
                PROPAGATE_JOB => self.propagate_current().await,
                PURGE_JOB => self.purge().await,
                _ => {}
            }
        }
        scheduler.rearm().await;
        Response::empty()
    }
}

impl CustomerObject {
    /// Runs one command of the Worker (a `CustomerEnvelope` as JSON), through `fetch` or
    /// the `answer` RPC method.
    async fn answer_command(&self, body: &str) -> Answer {
        let envelope: CustomerEnvelope = match serde_json::from_str(body) {
            Ok(envelope) => envelope,
            Err(e) => return Answer::new(Err(e.into()), false),
        };
        let origin = envelope.origin();
        let CustomerEnvelope {
            namespace,
            request_id,
            command,
            ..
        } = envelope;
        let store = SqlCustomerStore::new(self.sql.clone(), namespace);
        let mut command = command;
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
        let reply = execute(&mut store, command, &origin);
        self.plan_purge(reply.purge).await;
        if let Some(stored) = &reply.committed {
            self.owe_propagation().await;
            self.propagate(&store, stored).await;
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
        Answer::new(result, reply.replayed)
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

    /// Copies a committed version and its events. Once that succeeds the `propagate`
    /// job is done; if it fails the job stays due and the alarm tries again.
    async fn propagate(
        &self,
        store: &SqlCustomerStore,
        stored: &api_core::resources::customers::stored::StoredCustomer,
    ) {
        let propagation = Propagation {
            env: &self.env,
            store,
            faults: &self.faults,
        };
        let scheduler = Scheduler { state: &self.state };
        match propagation.copy(stored).await {
            Ok(()) => scheduler.cancel(PROPAGATE_JOB),
            Err(err) => {
                worker::console_error!("copy of {} failed: {err:?}", stored.record.customer.id);
                scheduler
                    .schedule(PROPAGATE_JOB, now_ms() + PROPAGATION_RETRY_MS)
                    .await;
            }
        }
    }

    /// Records what a command did to the purge job: a delete schedules it, an undelete
    /// cancels it.
    async fn plan_purge(&self, job: PurgeJob) {
        let scheduler = Scheduler { state: &self.state };
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
        let Some(mut store) = SqlCustomerStore::recorded(self.sql.clone()) else {
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
        self.plan_purge(reply.purge).await;
        if let Some(err) = reply.error_value() {
            worker::console_error!("purge: {err:?}");
        }
        if let Some(stored) = &reply.committed {
            self.owe_propagation().await;
            self.propagate(&store, stored).await;
        }
    }

    /// Records the `propagate` job. Called in the same turn as a commit, before any
    /// await: a crash from then on leaves the job due, and the alarm does the copies.
    async fn owe_propagation(&self) {
        Scheduler { state: &self.state }
            .schedule(PROPAGATE_JOB, now_ms() + PROPAGATION_RETRY_MS)
            .await;
    }

    /// Copies whatever version is current (the alarm's job).
    async fn propagate_current(&self) {
        let Some(store) = SqlCustomerStore::recorded(self.sql.clone()) else {
            return;
        };
        match store.load() {
            Ok(Some(stored)) => self.propagate(&store, &stored).await,
            Ok(None) => {}
            Err(err) => worker::console_error!("propagation: {err:?}"),
        }
    }
}

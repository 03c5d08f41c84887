//! The AccountObject Durable Object: one per account namespace. It holds the customer
//! index (`customer_index`), the referenced objects (`references`), the event log
//! (`events_log`), the webhook endpoints (`endpoints`) and the deliveries owed to them
//! (`deliveries`), which its alarm sends. On `references` it runs `api-core`'s
//! `resources::account::execute` (coupons, promotion codes, payment methods, test
//! clocks, products, prices, the copies of subscriptions and invoices, the claim/release
//! of a customer write) with no await inside, recording the events they cause in the
//! same block. It also keeps the idempotency-key registry (`idempotency_keys`), pruned
//! by its alarm, and drives test clock advances (`clock_advance`) from it. Requests
//! arrive on one path per resource.

#[cfg(feature = "bench")]
pub mod bench_bulk;
pub mod clock_advance;
mod customer_index;
mod deliveries;
mod endpoints;
mod events_log;
mod idempotency_keys;
mod references;
mod search_upkeep;

use api_core::config::sandbox_cap;
use api_core::resources::customers::commands::{AccountCommand, IndexEntry};
use api_core::resources::customers::search::trigrams::DensityMemo;
use api_core::resources::customers::search::upkeep::CHECK_EVERY_WRITES;
use api_core::resources::events::commands::{self as events, EventCommand};
use api_core::resources::webhook_endpoints::commands::{
    self as endpoint_commands, EndpointCommand,
};
use api_core::resources::webhook_endpoints::delivery::DEFAULT_TIMEOUT_MS;
use api_core::resources::webhook_endpoints::retry_schedule::RetrySchedule;
use api_core::wire::codec::Message;
use api_core::wire::error::ApiError;
use api_core::wire::idempotency::{self as keys, KeyCommand, KeyState};
use futures_util::future::join_all;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use worker::{Env, SqlStorage, State};

use crate::edge::bindings::ACCOUNT_CUSTOMERS_PATH;
use crate::objects::faults::Faults;
use crate::objects::scheduler::{now_ms, Scheduler, SCHEMA as JOBS_SCHEMA};
use crate::objects::{create_schema, Answer};
use crate::settle::settle;
use deliveries::DeliveryPolicy;
use deliveries::Target;
use events_log::EventsCap;

/// The job that sends the deliveries that are due.
const DELIVER_JOB: &str = "deliver";
/// The job that drops events past their 30 days, and how often it runs while events come.
const PRUNE_EVENTS_JOB: &str = "prune_events";
const PRUNE_EVENTS_EVERY_MS: i64 = 3_600_000;
/// One alarm sends for at most this long, then re-arms.
const DELIVERY_ROUND_MS: i64 = 20_000;
/// The job that runs the test clocks' advances.
const ADVANCE_JOB: &str = "advance_clocks";
/// The job that drops idempotency keys older than 24 hours.
const PRUNE_KEYS_JOB: &str = "prune_keys";
/// The job that merges the trigram index a slice at a time (`search_upkeep`).
const MERGE_SEARCH_JOB: &str = "merge_search";
/// Sandbox cap on the events an account keeps (`SANDBOX_MAX_EVENTS`, `0` = none).
const SANDBOX_MAX_EVENTS: u64 = 10_000;

/// The Durable Object class, exported by hand rather than by `#[durable_object]`: that
/// macro also exports a `fetch` that converts the runtime's Request and Response, code
/// nothing calls (the Worker calls `answer`; scripts/fast-shim.mjs answers `fetch` with a
/// 404). A handle on the instance, so that an answer's future owns what it uses.
#[wasm_bindgen(wasm_bindgen = ::worker::wasm_bindgen)]
pub struct AccountObject(Rc<AccountInstance>);

/// One running instance of an account's Durable Object.
struct AccountInstance {
    /// The object's SQLite database (one handle for its whole life).
    sql: SqlStorage,
    env: Env,
    policy: DeliveryPolicy,
    /// The endpoint from vars that receives every event of every account (previews).
    static_target: Option<Target>,
    /// Sandbox mode: how many events the account keeps at most.
    events_cap: EventsCap,
    /// Test-only injected failures (`FAULTS`), e.g. of webhook sends.
    faults: Faults,
    /// How long idempotency keys are kept: 24 hours; a sandbox test may shorten it
    /// (`IDEMPOTENCY_KEY_RETENTION_SECONDS`) to see the prune job run.
    key_retention_seconds: i64,
    /// The job table and the alarm.
    scheduler: Scheduler,
    /// Which trigrams most customers' fields hold, left out of substring searches.
    stop_trigrams: RefCell<DensityMemo>,
    /// Index writes this instance made, to check every so often whether a merge is due.
    index_writes: Cell<u32>,
    /// The slices the running merge job has had (`search_upkeep::merge_slice`).
    merge_slices: Cell<i64>,
    /// Bench build only, with `BENCH_BULK=true`: the bulk-seeding command is open.
    #[cfg(feature = "bench")]
    bench_bulk: bool,
}

#[wasm_bindgen(
    wasm_bindgen = ::worker::wasm_bindgen,
    wasm_bindgen_futures = ::worker::wasm_bindgen_futures,
    js_sys = ::worker::js_sys
)]
impl AccountObject {
    /// The runtime constructs the object (through scripts/fast-shim.mjs).
    #[wasm_bindgen(constructor)]
    pub fn new(state: worker::worker_sys::DurableObjectState, env: Env) -> Self {
        AccountObject(Rc::new(AccountInstance::open(State::from(state), env)))
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
        let instance = Rc::clone(&self.0);
        settle(async move { instance.answer_command(&path, &body).await.into_js() })
    }
}

impl AccountInstance {
    fn open(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        create_schema(&sql, customer_index::SCHEMA, "account");
        create_schema(&sql, search_upkeep::SCHEMA, "account");
        create_schema(&sql, references::SCHEMA, "account");
        create_schema(&sql, events_log::SCHEMA, "account");
        create_schema(&sql, endpoints::SCHEMA, "account");
        create_schema(&sql, deliveries::SCHEMA, "account");
        create_schema(&sql, idempotency_keys::SCHEMA, "account");
        create_schema(&sql, &[JOBS_SCHEMA], "account");
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        let secret = |name: &str| {
            env.secret(name)
                .ok()
                .map(|v| v.to_string())
                .or_else(|| var(name))
        };
        let schedule = match var("WEBHOOK_RETRY_SCHEDULE").map(|spec| RetrySchedule::parse(&spec)) {
            Some(Ok(schedule)) => schedule,
            Some(Err(why)) => {
                worker::console_error!("WEBHOOK_RETRY_SCHEDULE ignored: {why}");
                RetrySchedule::default()
            }
            None => RetrySchedule::default(),
        };
        let policy = DeliveryPolicy {
            schedule,
            timeout_ms: var("WEBHOOK_TIMEOUT_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_TIMEOUT_MS),
        };
        let static_target = match (var("WEBHOOK_STATIC_URL"), secret("WEBHOOK_STATIC_SECRET")) {
            (Some(url), Some(secret)) if !url.is_empty() => Some(Target {
                id: "static".into(),
                url,
                secret,
            }),
            _ => None,
        };
        let sandbox = var("SANDBOX_KEYS").is_some_and(|v| v == "true");
        AccountInstance {
            scheduler: Scheduler::new(state.storage(), sql.clone()),
            sql,
            env: env.clone(),
            policy,
            static_target,
            events_cap: EventsCap::new(sandbox_cap(
                sandbox,
                var("SANDBOX_MAX_EVENTS"),
                SANDBOX_MAX_EVENTS,
            )),
            faults: Faults::from_env(&env),
            key_retention_seconds: key_retention(sandbox, var("IDEMPOTENCY_KEY_RETENTION_SECONDS")),
            stop_trigrams: RefCell::default(),
            index_writes: Cell::default(),
            merge_slices: Cell::default(),
            #[cfg(feature = "bench")]
            bench_bulk: var("BENCH_BULK").is_some_and(|v| v == "true"),
        }
    }

    /// Sends the deliveries that are due, for one round, prunes old idempotency keys and
    /// expired events, merges a slice of the trigram index, then re-arms.
    async fn run_alarm(&self) {
        let scheduler = &self.scheduler;
        scheduler.fired();
        let due = scheduler.take_due(now_ms());
        if due.iter().any(|job| job == ADVANCE_JOB) {
            self.advance_clocks().await;
        }
        if due.iter().any(|job| job == PRUNE_KEYS_JOB) {
            match idempotency_keys::prune(&self.sql, now_ms() / 1000, self.key_retention_seconds) {
                Ok(Some(next)) => scheduler.schedule(PRUNE_KEYS_JOB, next * 1000).await,
                Ok(None) => {}
                Err(err) => worker::console_error!("pruning keys: {err:?}"),
            }
        }
        if due.iter().any(|job| job == MERGE_SEARCH_JOB) {
            let slice = self.merge_slices.get() + 1;
            // An error (a storage failure) ends the job; the next writes schedule another.
            let more = matches!(search_upkeep::merge_slice(&self.sql, slice), Ok(false));
            self.merge_slices.set(if more { slice } else { 0 });
            if more {
                scheduler.record(MERGE_SEARCH_JOB, now_ms());
            }
        }
        if due.iter().any(|job| job == PRUNE_EVENTS_JOB) {
            if let Err(err) = events_log::prune_expired(&self.sql, now_ms() / 1000) {
                worker::console_error!("pruning events: {err:?}");
            }
            self.events_cap.forget();
        }
        // The deliveries table, not the job row, says what is owed: an alarm cut short
        // (the runtime stopped mid-round) has already taken its job, and the runtime
        // runs that alarm again after a restart.
        let owed_now = matches!(
            deliveries::next_due_ms(&self.sql),
            Ok(Some(at)) if at <= now_ms()
        );
        if owed_now || due.iter().any(|job| job == DELIVER_JOB) {
            if let Err(err) = self.deliver_due().await {
                worker::console_error!("deliveries: {err:?}");
            }
            match deliveries::next_due_ms(&self.sql) {
                Ok(Some(at)) => scheduler.schedule(DELIVER_JOB, at).await,
                Ok(None) => {}
                Err(err) => worker::console_error!("deliveries: {err:?}"),
            }
        }
        scheduler.rearm().await;
    }
}

/// Stripe keeps keys at least 24 hours; only a sandbox (dev, tests) may keep them less.
fn key_retention(sandbox: bool, var: Option<String>) -> i64 {
    match var.and_then(|v| v.parse::<i64>().ok()) {
        Some(seconds) if sandbox && seconds > 0 => seconds,
        _ => keys::KEY_RETENTION_SECONDS,
    }
}

impl AccountInstance {
    /// Runs one request of the Worker or a CustomerObject (`path` names the resource,
    /// `body` is its command in its compact text), from the `answer` RPC method.
    async fn answer_command(&self, path: &str, body: &str) -> Answer {
        let sql = &self.sql;
        let result = match path {
            ACCOUNT_CUSTOMERS_PATH => self.customers(sql, body).await,
            events::PATH => EventCommand::decode(body).and_then(|command| match command {
                EventCommand::List { list } => events_log::list_page(sql, &list),
                EventCommand::Retrieve { id } => events_log::retrieve(sql, &id),
            }),
            keys::PATH => self.keys(sql, body).await,
            endpoint_commands::PATH => self.endpoints(sql, body).await,
            #[cfg(feature = "bench")]
            bench_bulk::PATH if self.bench_bulk => bench_bulk::seed(sql, body),
            other => Err(ApiError::internal(format!(
                "account object: no path {other}"
            ))),
        };
        if let Err(ApiError::Internal { detail }) = &result {
            worker::console_error!("account object: {detail}");
        }
        Answer::new(result, false)
    }

    /// The webhook endpoints; a resend makes the deliveries it owes due now.
    async fn endpoints(
        &self,
        sql: &SqlStorage,
        body: &str,
    ) -> std::result::Result<String, ApiError> {
        let command = EndpointCommand::decode(body)?;
        let resend = matches!(command, EndpointCommand::Resend { .. });
        let answer = endpoint_command(sql, command)?;
        if resend {
            self.scheduler.schedule(DELIVER_JOB, now_ms()).await;
        }
        Ok(answer)
    }

    /// The idempotency-key registry (and the sandbox cap on customers).
    async fn keys(&self, sql: &SqlStorage, body: &str) -> std::result::Result<String, ApiError> {
        let state = match KeyCommand::decode(body)? {
            KeyCommand::Claim {
                key,
                fingerprint,
                now,
                customer_cap,
            } => {
                let state = match &key {
                    Some(key) => idempotency_keys::claim(sql, key, &fingerprint, now)?,
                    None => KeyState::New,
                };
                if let (KeyState::New, Some(cap)) = (&state, customer_cap) {
                    if customer_index::live_customers(sql)? >= cap {
                        if let Some(key) = &key {
                            idempotency_keys::finish(sql, key, None)?;
                        }
                        return Err(ApiError::bad_request(format!(
                            "This sandbox account already has {cap} customers, the most it can hold; delete some, or use another API key for a new account."
                        )));
                    }
                }
                let scheduler = &self.scheduler;
                if key.is_some() && state == KeyState::New && !scheduler.has(PRUNE_KEYS_JOB) {
                    let due = now.saturating_add(self.key_retention_seconds);
                    scheduler.schedule(PRUNE_KEYS_JOB, due * 1000).await;
                }
                state
            }
            KeyCommand::Finish { key, status, body } => {
                let saved = (status != 0).then_some((status, body));
                idempotency_keys::finish(sql, &key, saved)?;
                return Ok(String::new());
            }
        };
        Ok(state.to_text())
    }

    /// After events were recorded: the deliveries owed are due now, so is the trigram
    /// index's merge if `merge_search`, and the hourly prune of expired events is
    /// scheduled if it is not already.
    async fn after_events(&self, owed: usize, merge_search: bool) {
        let scheduler = &self.scheduler;
        let now = now_ms();
        let mut earliest = None;
        if owed > 0 {
            scheduler.record(DELIVER_JOB, now);
            earliest = Some(now);
        }
        if merge_search {
            scheduler.record(MERGE_SEARCH_JOB, now);
            earliest = Some(now);
        }
        if !scheduler.has(PRUNE_EVENTS_JOB) {
            let prune_at = now + PRUNE_EVENTS_EVERY_MS;
            scheduler.record(PRUNE_EVENTS_JOB, prune_at);
            earliest = earliest.or(Some(prune_at));
        }
        if let Some(due_at_ms) = earliest {
            scheduler.arm_by(due_at_ms).await;
        }
    }

    /// Whether, this being one more index write, the trigram index's merge is due now
    /// (asked every `CHECK_EVERY_WRITES` writes).
    fn merge_due_after_write(&self, sql: &SqlStorage) -> bool {
        let writes = self.index_writes.get().wrapping_add(1);
        self.index_writes.set(writes);
        writes.is_multiple_of(CHECK_EVERY_WRITES) && search_upkeep::due(sql).unwrap_or(false)
    }

    async fn customers(
        &self,
        sql: &SqlStorage,
        body: &str,
    ) -> std::result::Result<String, ApiError> {
        match AccountCommand::decode(body)? {
            AccountCommand::Upsert {
                entry,
                events,
                kept_key,
            } => {
                let owed = record(
                    sql,
                    &entry,
                    &events,
                    self.static_target.as_ref(),
                    &self.events_cap,
                )?;
                if let Some(key) = &kept_key {
                    idempotency_keys::kept_by_object(sql, key)?;
                }
                let merge_search = self.merge_due_after_write(sql);
                self.after_events(owed, merge_search).await;
                Ok(String::new())
            }
            AccountCommand::List { list } => customer_index::list_page(sql, &list),
            AccountCommand::Search { search } => {
                customer_index::search_page(sql, &search, &self.stop_trigrams)
            }
            AccountCommand::Objects(command) => {
                let advance = command.op == "test_clock.advance";
                let namespace = command.args["namespace"].as_str().map(str::to_owned);
                let mut store = self.object_store(sql);
                let answer = api_core::resources::account::execute(&mut store, command)?;
                if let (true, Some(namespace)) = (advance, namespace) {
                    clock_advance::remember_namespace(sql, &namespace)?;
                    self.scheduler.schedule(ADVANCE_JOB, now_ms()).await;
                }
                self.after_events(store.owed, false).await;
                Ok(answer)
            }
        }
    }

    fn object_store<'a>(&'a self, sql: &'a SqlStorage) -> references::SqlObjectStore<'a> {
        references::SqlObjectStore {
            sql,
            static_target: self.static_target.as_ref(),
            events_cap: &self.events_cap,
            owed: 0,
        }
    }

    /// The `advance_clocks` job: each advancing clock's customers run their billing up
    /// to its target, then the clock is `ready`. The alarm has taken the job's row, so
    /// the row is put back, due `RETRY_MS` later, before the first customer is asked:
    /// a failure, or a restart in the middle (after which the runtime's retried alarm
    /// would otherwise find no job), leaves the job due. It is dropped once no clock is
    /// advancing. Running a customer to a moment it has reached does nothing, so
    /// running the job again finishes the advance with every period billed once.
    async fn advance_clocks(&self) {
        let sql = &self.sql;
        let scheduler = &self.scheduler;
        scheduler
            .schedule(ADVANCE_JOB, now_ms() + clock_advance::RETRY_MS)
            .await;
        let run = clock_advance::run(&self.env, sql, || self.object_store(sql), &self.faults);
        match run.await {
            Ok(owed) => {
                self.after_events(owed, false).await;
                // A clock whose advance was asked for while this one ran is due now.
                match api_core::resources::test_clocks::advancing(&self.object_store(sql)) {
                    Ok(clocks) if clocks.is_empty() => scheduler.cancel(ADVANCE_JOB),
                    Ok(_) => scheduler.schedule(ADVANCE_JOB, now_ms()).await,
                    Err(err) => worker::console_error!("clock advance: {err:?}"),
                }
            }
            Err(err) => worker::console_error!("clock advance: {err:?}"),
        }
    }

    /// Attempts every due delivery, round after round, for at most one round's time.
    async fn deliver_due(&self) -> std::result::Result<(), ApiError> {
        let sql = &self.sql;
        let started = now_ms();
        while now_ms() - started < DELIVERY_ROUND_MS {
            let due = deliveries::due(sql, now_ms())?;
            if due.is_empty() {
                break;
            }
            // Chains of different customers or endpoints are independent: one round
            // sends them together, so a slow endpoint costs one time-out, not one each.
            let mut sends = Vec::new();
            let sql = &sql;
            for delivery in &due {
                let target = match (&self.static_target, delivery.endpoint_id.as_str()) {
                    (Some(target), "static") => Some(target.clone()),
                    _ => endpoints::enabled_target(sql, &delivery.endpoint_id)?,
                };
                let fault = target.is_some() && self.faults.hit("webhook_send");
                match target {
                    Some(target) => sends.push(async move {
                        let policy = &self.policy;
                        let attempt = deliveries::attempt(sql, delivery, &target, policy, fault);
                        (delivery, attempt.await)
                    }),
                    None => deliveries::cancel_for(sql, &delivery.endpoint_id)?,
                }
            }
            for (delivery, attempt) in join_all(sends).await {
                if let Some((event_id, attempt)) = attempt? {
                    deliveries::settle(sql, delivery, &event_id, &attempt, &self.policy, now_ms())?;
                }
            }
        }
        Ok(())
    }
}

/// Upserts the index row and records the events, owing each new one to the endpoints
/// that want it, all in one synchronous block. Answers how many deliveries are owed.
fn record(
    sql: &SqlStorage,
    entry: &IndexEntry,
    events: &[String],
    static_target: Option<&Target>,
    events_cap: &EventsCap,
) -> std::result::Result<usize, ApiError> {
    customer_index::upsert(sql, entry)?;
    record_events(sql, &entry.id, events, static_target, events_cap)
}

/// Records events in the log and owes each to the endpoints that want it; `key` orders
/// the deliveries (a customer's events are delivered in order); keeps at most
/// what `events_cap` allows (sandbox). Answers how many are owed.
pub(crate) fn record_events(
    sql: &SqlStorage,
    key: &str,
    events: &[String],
    static_target: Option<&Target>,
    events_cap: &EventsCap,
) -> std::result::Result<usize, ApiError> {
    if events.is_empty() {
        return Ok(0);
    }
    let now = now_ms();
    let targets = endpoints::enabled(sql)?;
    let mut owed = 0;
    let mut newest = None;
    for event in events {
        let Some((seq, kind)) = events_log::record(sql, event)? else {
            continue;
        };
        newest = Some(seq);
        references::index_billing_object(sql, &kind, event)?;
        let mut count = 0;
        for target in endpoints::wanting(&targets, &kind).chain(static_target) {
            deliveries::enqueue(sql, seq, key, target, now)?;
            count += 1;
        }
        if count > 0 {
            events_log::add_pending(sql, seq, count)?;
        }
        owed += count as usize;
    }
    if let Some(newest) = newest {
        events_cap.enforce(sql, newest)?;
    }
    Ok(owed)
}

/// Runs an endpoint command; disabling or deleting an endpoint cancels what it is owed.
fn endpoint_command(
    sql: &SqlStorage,
    command: EndpointCommand,
) -> std::result::Result<String, ApiError> {
    let stops = match &command {
        EndpointCommand::Delete { id } => Some(id.clone()),
        EndpointCommand::Update { id, changes } if changes.disabled == Some(true) => {
            Some(id.clone())
        }
        _ => None,
    };
    let answer = endpoints::execute(sql, command)?;
    if let Some(id) = stops {
        deliveries::cancel_for(sql, &id)?;
    }
    Ok(answer)
}

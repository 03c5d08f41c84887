//! A test clock's advance, driven by the AccountObject's alarm: every customer on the
//! clock runs its billing up to the target in its own object (one commit each, with
//! its events), then the clock becomes `ready` (`test_helpers.test_clock.ready`). A
//! customer run to a moment it already reached changes nothing, so the job can run
//! again after a failure or a restart and still bill each period once.

use api_core::resources::account::execute;
use api_core::resources::objects::{object, ObjectCommand, ObjectStore};
use api_core::resources::test_clocks::advancing;
use api_core::wire::error::ApiError;
use worker::{Env, SqlStorage};

use super::references::SqlObjectStore;
use crate::edge::bindings::{call_object, customer_stub, platform_error};
use crate::edge::now_seconds;
use crate::objects::customer_object::billing_tick;
use crate::objects::faults::{injected, Faults};
use crate::objects::sql::{first, run_statement};

/// How long before a failed advance, or one cut short by a restart, is tried again (the
/// job is recorded again for then before its work starts).
pub const RETRY_MS: i64 = 2_000;

/// Records the account's namespace (the advance's request names it).
pub fn remember_namespace(sql: &SqlStorage, namespace: &str) -> Result<(), ApiError> {
    run_statement(
        sql,
        "INSERT INTO account_meta (key, value) VALUES ('namespace', ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        vec![namespace.into()],
    )?;
    Ok(())
}

fn namespace(sql: &SqlStorage) -> Result<String, ApiError> {
    let row = first(
        sql,
        "SELECT value FROM account_meta WHERE key = 'namespace'",
        Vec::new(),
    )?;
    row.map(|mut r| r.text(0))
        .ok_or_else(|| ApiError::internal("clock advance: the account's namespace is unknown"))
}

/// Finishes every advance under way; answers how many webhook deliveries it owes.
/// `FAULTS=clock_tick:N` (tests): the first N customer ticks' answers are lost after
/// the customer committed, as if the platform had failed the call, so the advance
/// stops half done and its retry ticks those customers again.
pub async fn run<'a>(
    env: &Env,
    sql: &'a SqlStorage,
    store: impl Fn() -> SqlObjectStore<'a>,
    faults: &Faults,
) -> Result<usize, ApiError> {
    let clocks = advancing(&store())?;
    if clocks.is_empty() {
        return Ok(0);
    }
    let namespace = namespace(sql)?;
    let mut owed = 0;
    for (clock, target) in clocks {
        for customer in store().clock_customers(&clock)? {
            tick(env, &namespace, &customer, target).await?;
            if faults.hit("clock_tick") {
                return Err(injected("clock_tick"));
            }
        }
        let mut done = store();
        // The clock's own events are dated in real time; its customers' in clock time.
        let command = ObjectCommand {
            now: now_seconds(),
            ..ObjectCommand::new(
                "test_clock.advanced",
                &clock,
                object(vec![("frozen_time", target.into())]),
            )
        };
        execute(&mut done, command)?;
        owed += done.owed;
    }
    Ok(owed)
}

/// Runs one customer's billing up to `to` in its object; answers the object's answer
/// (also the bench-only `POST /bench/bill`, src/bench_bulk.rs).
pub async fn tick(env: &Env, namespace: &str, customer: &str, to: i64) -> Result<String, ApiError> {
    let envelope = billing_tick(namespace, customer, to);
    let stub = customer_stub(env, namespace, customer).map_err(platform_error)?;
    Ok(call_object(&stub, "/", &envelope).await?.body)
}

//! Test clocks (`/v1/test_helpers/test_clocks`), in the AccountObject's `test_clocks`
//! table. A clock only moves forward. An advance answers the clock `advancing` (its
//! target kept in the row's owner column, as 2023-08-16 has no field for it); the
//! AccountObject's alarm then runs the billing of the clock's customers up to the
//! target and marks it `ready` (`test_clock.advanced`). Deleting a clock answers the customers attached to
//! it, which the handler then deletes.

pub mod handlers;

use serde_json::Value;

use super::billing::book::is_live;
use super::billing::periods::add_interval;
use super::billing::periods::interval_of;
use super::objects::{int, opt, save, set, template, ObjectCommand, ObjectStore, Page, Table};
use crate::wire::error::ApiError;

pub const URL: &str = "/v1/test_helpers/test_clocks";
pub const OBJECT: &str = "test_helpers.test_clock";
/// A clock is deleted 30 days after it is made (Stripe's `deletes_after`).
const LIFETIME_SECONDS: i64 = 30 * 86_400;
/// How far one advance may go when nothing is attached: two years.
const MAX_ADVANCE_SECONDS: i64 = 2 * 365 * 86_400;

pub fn new_clock(
    id: String,
    frozen_time: i64,
    name: Option<String>,
    now: i64,
    livemode: bool,
) -> Value {
    let mut clock = template(r#"{"object":"test_helpers.test_clock","status":"ready"}"#);
    set(
        &mut clock,
        vec![
            ("id", id.into()),
            ("created", now.into()),
            ("deletes_after", (now + LIFETIME_SECONDS).into()),
            ("frozen_time", frozen_time.into()),
            ("livemode", livemode.into()),
            ("name", opt(name)),
        ],
    );
    clock
}

/// Runs one test clock command (`test_clock.create|retrieve|list|delete|advance`);
/// answers the JSON body. A delete answers `{"deleted": <stub>, "customers": [ids]}`.
pub fn execute(store: &mut impl ObjectStore, command: ObjectCommand) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let body = match op.as_str() {
        "test_clock.create" => {
            save(store, Table::TestClocks, &args)?;
            args
        }
        "test_clock.retrieve" => find(store, &id)?,
        "test_clock.delete" => {
            find(store, &id)?;
            let customers = store.clock_customers(&id)?;
            store.remove(Table::TestClocks, &id)?;
            let mut deleted = template(r#"{"object":"test_helpers.test_clock","deleted":true}"#);
            deleted["id"] = id.into();
            let mut answer = template("{}");
            set(
                &mut answer,
                vec![("deleted", deleted), ("customers", customers.into())],
            );
            answer
        }
        "test_clock.advance" => advance(store, &id, int(&args, "frozen_time"))?,
        "test_clock.advanced" => {
            let mut clock = find(store, &id)?;
            if clock["status"] != "advancing" || target(store, &id)? != args["frozen_time"].as_i64()
            {
                // Already done (an alarm that ran twice): nothing changes, no event.
                return Ok(String::new());
            }
            clock["frozen_time"] = args["frozen_time"].clone();
            clock["status"] = "ready".into();
            save(store, Table::TestClocks, &clock)?;
            clock
        }
        _ => {
            let all = store.all(Table::TestClocks, None)?;
            return Page::of(&args).list_json(URL, all, "test clock");
        }
    };
    Ok(serde_json::to_string(&body)?)
}

/// Starts an advance to `frozen_time`: forward only, one at a time, and at most two
/// intervals of the shortest subscription on the clock (two years without one).
fn advance(store: &mut impl ObjectStore, id: &str, frozen_time: i64) -> Result<Value, ApiError> {
    let mut clock = find(store, id)?;
    let current = int(&clock, "frozen_time");
    if clock["status"] == "advancing" {
        return Err(ApiError::bad_request(format!(
            "The test clock {id} is already advancing; wait until its status is `ready` before advancing it again."
        )));
    }
    if frozen_time <= current {
        return Err(ApiError::invalid(
            "frozen_time",
            "The test clock can only move forward: frozen_time must be after the clock's current frozen_time.",
        ));
    }
    let mut limit = current + MAX_ADVANCE_SECONDS;
    let mut shortest = None;
    for sub in store.all(Table::Subscriptions, None)? {
        if sub["test_clock"] != id || !is_live(&sub) {
            continue;
        }
        let (interval, count) = interval_of(&sub);
        let two = add_interval(current, &interval, 2 * count);
        if two < limit {
            limit = two;
            shortest = Some(format!("{count} {interval}"));
        }
    }
    if frozen_time > limit {
        let message = match shortest {
            Some(interval) => format!("Cannot advance the test clock more than two intervals of the shortest subscription on it ({interval}): frozen_time must be at most {limit}."),
            None => "Cannot advance a test clock more than two years at a time.".into(),
        };
        return Err(ApiError::invalid("frozen_time", message));
    }
    clock["status"] = "advancing".into();
    let target = frozen_time.to_string();
    store.put(
        Table::TestClocks,
        id,
        Some(&target),
        int(&clock, "created"),
        &clock,
    )?;
    Ok(clock)
}

/// The target of a clock's advance under way.
fn target(store: &impl ObjectStore, id: &str) -> Result<Option<i64>, ApiError> {
    Ok(store
        .owner(Table::TestClocks, id)?
        .and_then(|t| t.parse().ok()))
}

/// The clocks with an advance under way: (id, target frozen time).
pub fn advancing(store: &impl ObjectStore) -> Result<Vec<(String, i64)>, ApiError> {
    let mut out = Vec::new();
    for clock in store.all(Table::TestClocks, None)? {
        let id = clock["id"].as_str().unwrap_or_default();
        if clock["status"] == "advancing" {
            if let Some(target) = target(store, id)? {
                out.push((id.to_owned(), target));
            }
        }
    }
    Ok(out)
}

fn find(store: &impl ObjectStore, id: &str) -> Result<Value, ApiError> {
    store
        .get(Table::TestClocks, id)?
        .ok_or_else(|| ApiError::not_found("test clock", id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::objects::MemoryObjectStore;
    use serde_json::json;

    fn run(
        store: &mut MemoryObjectStore,
        op: &str,
        id: &str,
        args: Value,
    ) -> Result<Value, ApiError> {
        execute(store, ObjectCommand::new(op, id, args)).map(|t| serde_json::from_str(&t).unwrap())
    }

    #[test]
    fn a_clock_advances_forward_only_and_its_delete_names_its_customers() {
        let mut store = MemoryObjectStore::default();
        let clock = new_clock("clock_1".into(), 1_000, Some("c".into()), 500, false);
        assert_eq!(clock["deletes_after"], 500 + 30 * 86_400);
        run(&mut store, "test_clock.create", "", clock).unwrap();
        let back = run(
            &mut store,
            "test_clock.advance",
            "clock_1",
            json!({"frozen_time": 999}),
        )
        .unwrap_err();
        assert_eq!(back.param(), Some("frozen_time"));
        let moved = run(
            &mut store,
            "test_clock.advance",
            "clock_1",
            json!({"frozen_time": 2_000}),
        )
        .unwrap();
        assert_eq!(
            (moved["frozen_time"].as_i64(), moved["status"].as_str()),
            (Some(1_000), Some("advancing"))
        );
        let again = run(
            &mut store,
            "test_clock.advance",
            "clock_1",
            json!({"frozen_time": 3_000}),
        );
        assert!(again.unwrap_err().to_string().contains("already advancing"));
        let done = run(
            &mut store,
            "test_clock.advanced",
            "clock_1",
            json!({"frozen_time": 2_000}),
        )
        .unwrap();
        assert_eq!(
            (done["frozen_time"].as_i64(), done["status"].as_str()),
            (Some(2_000), Some("ready"))
        );
        let twice = execute(
            &mut store,
            ObjectCommand::new(
                "test_clock.advanced",
                "clock_1",
                json!({"frozen_time": 2_000}),
            ),
        )
        .unwrap();
        assert_eq!(twice, "", "a second completion changes nothing");
        store
            .clock_customers
            .push(("clock_1".into(), "cus_a".into()));
        let deleted = run(&mut store, "test_clock.delete", "clock_1", Value::Null).unwrap();
        assert_eq!(deleted["customers"], json!(["cus_a"]));
        assert_eq!(deleted["deleted"]["deleted"], true);
        let gone = run(&mut store, "test_clock.retrieve", "clock_1", Value::Null).unwrap_err();
        assert_eq!(gone.to_string(), "No such test clock: 'clock_1'");
    }
}

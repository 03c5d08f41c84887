//! One alarm per Durable Object, several kinds of due work: each job has a name and a
//! due time in the object's `jobs` table, and the alarm fires at the earliest. A job
//! is recorded in SQL before it is owed, so a restart loses none.
//!
//! ```text
//! schedule(name, at) -> jobs[name] = min(jobs[name], at); alarm = min(jobs)
//! record(name, at)   -> jobs[name] = min(jobs[name], at)  (then arm_by(at), or in an alarm)
//! cancel(name)       -> delete jobs[name]; an alarm with no job due does nothing
//! alarm()            -> take every job due now (delete its row), run it, re-arm
//! ```
//!
//! Setting the alarm is a storage write of its own, so an instance remembers the alarm
//! it set ([`Armed`]) and sets none when that one fires no later than the new job: the
//! alarm then fires first, finds the job not yet due, and re-arms for it. It also
//! remembers which jobs it knows are recorded ([`Recorded`]), so that `has`, asked on
//! every write, reads the table only once per job and instance.

use std::cell::{Cell, RefCell};

use worker::{SqlStorage, SqlStorageValue, Storage};

use crate::objects::sql::{count, first, query, run_statement};

pub const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS jobs (
    name TEXT PRIMARY KEY,
    due_at_ms INTEGER NOT NULL)";

/// When the alarm this object instance set will fire (unix ms), until it fires. A new
/// instance knows of none, so its first job sets the alarm.
#[derive(Debug, Default)]
struct Armed(Cell<Option<i64>>);

/// The names of the jobs this instance knows to be in its table: recorded by it, or
/// found there by `has`; a job leaves when `take_due` takes it or `cancel` deletes it.
/// Only the scheduler writes the table, and an instance is the object's only writer,
/// so a name here is in the table (a new instance starts knowing none).
#[derive(Debug, Default)]
struct Recorded(RefCell<Vec<String>>);

impl Recorded {
    fn contains(&self, name: &str) -> bool {
        self.0.borrow().iter().any(|known| known == name)
    }

    fn add(&self, name: &str) {
        if !self.contains(name) {
            self.0.borrow_mut().push(name.to_owned());
        }
    }

    fn remove(&self, name: &str) {
        self.0.borrow_mut().retain(|known| known != name);
    }
}

/// The object's job table and alarm: one for the instance's life, holding its storage
/// handles (each had been two calls into JavaScript to fetch, at every use).
pub struct Scheduler {
    storage: Storage,
    sql: SqlStorage,
    armed: Armed,
    recorded: Recorded,
}

impl Scheduler {
    pub fn new(storage: Storage, sql: SqlStorage) -> Self {
        Scheduler {
            storage,
            sql,
            armed: Armed::default(),
            recorded: Recorded::default(),
        }
    }

    /// Called when the alarm fires: no alarm is set any more.
    pub fn fired(&self) {
        self.armed.0.set(None);
    }

    /// Records that `name` is due at `due_at_ms` (unix ms), keeping an earlier time if
    /// one is already recorded, and sets the alarm for the earliest job.
    pub async fn schedule(&self, name: &str, due_at_ms: i64) {
        self.record(name, due_at_ms);
        self.arm_by(due_at_ms).await;
    }

    /// Sets the alarm for the earliest job, unless the one set fires by `due_at_ms`.
    pub async fn arm_by(&self, due_at_ms: i64) {
        if self.armed.0.get().is_some_and(|at| at <= due_at_ms) {
            return;
        }
        self.rearm().await;
    }

    /// Records the job only: `arm_by` sets the alarm, or an alarm's `rearm` at its end.
    pub fn record(&self, name: &str, due_at_ms: i64) {
        let recorded = run_statement(
            &self.sql,
            "INSERT INTO jobs (name, due_at_ms) VALUES (?, ?)
             ON CONFLICT(name) DO UPDATE SET due_at_ms = min(due_at_ms, excluded.due_at_ms)",
            vec![name.into(), SqlStorageValue::Integer(due_at_ms)],
        );
        match recorded {
            Ok(_) => self.recorded.add(name),
            Err(e) => worker::console_error!("scheduling {name}: {e}"),
        }
    }

    /// Forgets a job that is no longer owed. The alarm stays set: if it fires with
    /// nothing due it only re-arms for the next job.
    pub fn cancel(&self, name: &str) {
        let forgotten = run_statement(
            &self.sql,
            "DELETE FROM jobs WHERE name = ?",
            vec![name.into()],
        );
        self.recorded.remove(name);
        if let Err(e) = forgotten {
            worker::console_error!("cancelling {name}: {e}");
        }
    }

    /// Whether `name` is recorded (due, whenever that is): from memory once this
    /// instance knows it is, else from the table.
    pub fn has(&self, name: &str) -> bool {
        if self.recorded.contains(name) {
            return true;
        }
        let found = count(
            &self.sql,
            "SELECT count(*) AS n FROM jobs WHERE name = ?",
            vec![name.into()],
        )
        .is_ok_and(|n| n > 0);
        if found {
            self.recorded.add(name);
        }
        found
    }

    /// Removes and returns the names of the jobs due at `now_ms`.
    pub fn take_due(&self, now_ms: i64) -> Vec<String> {
        let due = query(
            &self.sql,
            "DELETE FROM jobs WHERE due_at_ms <= ? RETURNING name",
            vec![SqlStorageValue::Integer(now_ms)],
        );
        match due {
            Ok(rows) => {
                let taken: Vec<String> = rows.into_iter().map(|mut r| r.text(0)).collect();
                for name in &taken {
                    self.recorded.remove(name);
                }
                taken
            }
            Err(e) => {
                worker::console_error!("reading due jobs: {e}");
                Vec::new()
            }
        }
    }

    /// Sets the alarm for the earliest recorded job, if any.
    pub async fn rearm(&self) {
        let earliest = first(
            &self.sql,
            "SELECT min(due_at_ms) AS due FROM jobs",
            Vec::new(),
        )
        .map(|row| row.and_then(|r| r.opt_int(0)));
        match earliest {
            Ok(Some(due_at_ms)) => {
                let now = now_ms();
                let delay = (due_at_ms - now).max(0);
                match self.storage.set_alarm(delay).await {
                    Ok(()) => self.armed.0.set(Some(now + delay)),
                    Err(e) => worker::console_error!("setting the alarm: {e}"),
                }
            }
            Ok(None) => {}
            Err(e) => worker::console_error!("reading the job table: {e}"),
        }
    }
}

pub fn now_ms() -> i64 {
    crate::edge::now_millis() as i64
}

//! The trigram index's upkeep, in SQL: how many customers were added to the index since
//! its last merge, and the merge itself, in slices of FTS5 `merge` steps, until the index
//! is one segment again (the policy: `api_core::…::search::upkeep`).

use api_core::resources::customers::search::upkeep::{
    merge_due, merge_finished, slices_allowed, SLICE_STEPS,
};
use api_core::wire::error::ApiError;
use worker::SqlStorage;

use crate::objects::sql::{count, first, run_statement};

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS search_upkeep (id INTEGER PRIMARY KEY, merged_seq INTEGER)",
    "INSERT OR IGNORE INTO search_upkeep VALUES (1, 0)",
];

/// One step of FTS5's incremental merge: about 100 pages written, merging segments of
/// any level (the minus sign), as `optimize` does in one go.
const MERGE_STEP: &str =
    "INSERT INTO customer_search (customer_search, rank) VALUES ('merge', -100)";

/// The customers added to the index since its last merge (`seq` only grows), and the
/// index's rows.
pub fn added_since_merge(sql: &SqlStorage) -> Result<(i64, i64), ApiError> {
    let statement = "SELECT MAX(seq) - merged_seq, MAX(seq) FROM customers, search_upkeep";
    Ok(first(sql, statement, vec![])?.map_or((0, 0), |r| (r.int(0), r.int(1))))
}

/// Whether enough customers were added since the last merge for another.
pub fn due(sql: &SqlStorage) -> Result<bool, ApiError> {
    let (added, rows) = added_since_merge(sql)?;
    Ok(merge_due(added, rows))
}

/// Merges for at most `steps` steps (`None`: until done); answers whether the index is
/// one segment now, and then remembers the newest customer it holds.
pub fn merge(sql: &SqlStorage, steps: Option<usize>) -> Result<bool, ApiError> {
    for _ in 0..steps.unwrap_or(usize::MAX) {
        let before = total_changes(sql)?;
        run_statement(sql, MERGE_STEP, None)?;
        if merge_finished(total_changes(sql)? - before) {
            return merged(sql);
        }
    }
    Ok(false)
}

/// One alarm's share of the merge, its job's `slice`th (from 1); answers whether the job
/// is over: the index is one segment, or the job had its `slices_allowed`.
pub fn merge_slice(sql: &SqlStorage, slice: i64) -> Result<bool, ApiError> {
    if merge(sql, Some(SLICE_STEPS))? {
        return Ok(true);
    }
    let (_, rows) = added_since_merge(sql)?;
    if slice < slices_allowed(rows) {
        return Ok(false);
    }
    merged(sql)
}

/// The next merge waits for another `merge_due` share of customers from here.
fn merged(sql: &SqlStorage) -> Result<bool, ApiError> {
    let newest = "UPDATE search_upkeep SET merged_seq = (SELECT MAX(seq) FROM customers)";
    run_statement(sql, newest, None)?;
    Ok(true)
}

fn total_changes(sql: &SqlStorage) -> Result<i64, ApiError> {
    count(sql, "SELECT total_changes()", vec![])
}

//! The trigram index's upkeep, in SQL: triggers count the index rows changed since its
//! last merge, and the merge itself, in slices of FTS5 `merge` steps, until the index is
//! one segment again (the policy: `api_core::…::search::upkeep`).

use api_core::resources::customers::search::upkeep::{
    merge_due, merge_finished, MERGE_PAGES, SLICE_STEPS,
};
use api_core::wire::error::ApiError;
use worker::SqlStorage;

use crate::objects::sql::{count, storage_error};

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS search_upkeep (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        changes INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO search_upkeep (id, changes) VALUES (1, 0)",
    "CREATE TRIGGER IF NOT EXISTS search_upkeep_insert AFTER INSERT ON customers BEGIN
        UPDATE search_upkeep SET changes = changes + 1;
     END",
    "CREATE TRIGGER IF NOT EXISTS search_upkeep_update AFTER UPDATE OF name, email, phone ON customers
     WHEN old.name IS NOT new.name OR old.email IS NOT new.email OR old.phone IS NOT new.phone BEGIN
        UPDATE search_upkeep SET changes = changes + 1;
     END",
    "CREATE TRIGGER IF NOT EXISTS search_upkeep_delete AFTER DELETE ON customers BEGIN
        UPDATE search_upkeep SET changes = changes + 1;
     END",
];

/// How many index rows changed since the last merge.
pub fn changes(sql: &SqlStorage) -> Result<i64, ApiError> {
    count(sql, "SELECT changes FROM search_upkeep", vec![])
}

/// Whether enough index rows changed since the last merge for another.
pub fn due(sql: &SqlStorage) -> Result<bool, ApiError> {
    let changes = changes(sql)?;
    let rows = count(sql, "SELECT COALESCE(MAX(seq), 0) FROM customers", vec![])?;
    Ok(merge_due(changes, rows))
}

/// Merges for at most `steps` steps (`None`: until done); answers whether the index is
/// one segment now, and then counts changes from zero again.
pub fn merge(sql: &SqlStorage, steps: Option<usize>) -> Result<bool, ApiError> {
    for _ in 0..steps.unwrap_or(usize::MAX) {
        let before = total_changes(sql)?;
        sql.exec(
            &format!("INSERT INTO customer_search (customer_search, rank) VALUES ('merge', -{MERGE_PAGES})"),
            None,
        )
        .map_err(storage_error)?;
        if merge_finished(total_changes(sql)? - before) {
            sql.exec("UPDATE search_upkeep SET changes = 0", None)
                .map_err(storage_error)?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// One alarm's share of the merge.
pub fn merge_slice(sql: &SqlStorage) -> Result<bool, ApiError> {
    merge(sql, Some(SLICE_STEPS))
}

fn total_changes(sql: &SqlStorage) -> Result<i64, ApiError> {
    count(sql, "SELECT total_changes()", vec![])
}

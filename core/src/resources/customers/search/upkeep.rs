//! When the account merges its trigram index (FTS5) into one segment: FTS5 merges as
//! writes come but leaves a segment per level, and a substring search reads every term
//! once per segment. The merge runs in slices of pages, in the account's alarm.

/// The merge is due once this many customers were added to the index since the last
/// one, at least (renames are left to FTS5's own merging as writes come).
const MIN_ADDED: i64 = 1000;
/// ... and a tenth of the index: the merge rewrites the whole index, so its cost per
/// write stays constant as the account grows.
const ADDED_SHARE: i64 = 10;
/// The account checks whether the merge is due once every this many index writes.
pub const CHECK_EVERY_WRITES: u32 = 256;
/// One alarm takes this many `merge` steps of 100 pages (`search_upkeep::MERGE_STEP`).
pub const SLICE_STEPS: usize = 5;
/// A merge job's slices at most: 4, and one more per 10,000 rows (a million short names
/// are about 33,000 pages, 66 slices). While writes keep coming FTS5 always finds a new
/// segment to merge into the big one, so a job with no bound would rewrite the whole
/// index again and again; once it has had its slices it ends as if it had finished.
pub fn slices_allowed(rows: i64) -> i64 {
    4 + rows / 10_000
}

/// Whether `added` customers since the last merge, among `rows`, call for another.
pub fn merge_due(added: i64, rows: i64) -> bool {
    added >= MIN_ADDED.max(rows / ADDED_SHARE)
}

/// FTS5 says a merge step found nothing left to merge when it changed fewer than two
/// rows of its shadow tables (its documentation of `merge`, via `total_changes()`).
pub fn merge_finished(changed_rows: i64) -> bool {
    changed_rows < 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_is_due_after_a_thousand_customers_or_a_tenth_of_the_index() {
        assert!(!merge_due(999, 0));
        assert!(merge_due(1000, 5000));
        assert!(!merge_due(99_999, 1_000_000));
        assert!(merge_due(100_000, 1_000_000));
    }

    #[test]
    fn a_merge_job_has_four_slices_and_one_per_ten_thousand_rows() {
        assert_eq!(slices_allowed(0), 4);
        assert_eq!(slices_allowed(9_999), 4);
        assert_eq!(slices_allowed(1_000_000), 104);
    }

    #[test]
    fn a_step_that_changed_under_two_rows_ends_the_merge() {
        assert!(merge_finished(0));
        assert!(merge_finished(1));
        assert!(!merge_finished(2));
    }
}

//! Billing periods on the calendar: a recurring price's `interval` and `interval_count`
//! added to a moment, each period counted from the subscription's anchor so that one
//! anchored on the 31st returns to the 31st after a shorter month.

use serde_json::Value;

use crate::resources::objects::text;
use crate::wire::dates::add_months;

/// The interval of the subscription's prices.
pub fn interval_of(sub: &Value) -> (String, i64) {
    let recurring = &sub["items"]["data"][0]["price"]["recurring"];
    (
        text(recurring, "interval").to_owned(),
        recurring["interval_count"].as_i64().unwrap_or(1),
    )
}

/// `at` plus `count` intervals of `interval` (`day|week|month|year`).
pub fn add_interval(at: i64, interval: &str, count: i64) -> i64 {
    match interval {
        "day" => at + count * 86_400,
        "week" => at + count * 7 * 86_400,
        "year" => add_months(at, 12 * count),
        _ => add_months(at, count),
    }
}

/// The end of the period that starts at `start`, for a subscription anchored at
/// `anchor`: the first anchor-based boundary after `start`.
pub fn period_end(anchor: i64, start: i64, interval: &str, count: i64) -> i64 {
    let count = count.max(1);
    let mut n = 1;
    loop {
        let end = add_interval(anchor, interval, n * count);
        if end > start || n > 100_000 {
            return end;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-01-31 12:00:00 UTC.
    const JAN31: i64 = 1_706_702_400;

    #[test]
    fn periods_follow_the_anchor_through_short_months() {
        let feb29 = add_interval(JAN31, "month", 1);
        assert_eq!(feb29, 1_709_208_000);
        // The period after February ends on March 31st, not the 29th.
        let mar31 = period_end(JAN31, feb29, "month", 1);
        assert_eq!(mar31, JAN31 + (29 + 31) * 86_400);
        assert_eq!(period_end(JAN31, JAN31, "day", 3), JAN31 + 3 * 86_400);
        assert_eq!(period_end(JAN31, JAN31, "week", 1), JAN31 + 7 * 86_400);
        assert_eq!(add_interval(JAN31, "year", 1), 1_738_324_800);
    }
}

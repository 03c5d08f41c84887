//! When a failed webhook delivery is tried again: exponential backoff with a cap, jitter and a
//! deadline. Pure arithmetic; the caller supplies elapsed time and a random number.
//!
//! ```text
//! delay(n)  = min(first · 2^(n−1), max)          n = failed attempts so far (≥ 1)
//! wait      = delay(n) + delay(n) · (jitter mod 1001) / 4000     (0 … +25 %)
//! give up   when elapsed_since_first_attempt + wait > give_up_after
//! spec      = "first_delay_ms,max_delay_ms,give_up_after_ms"      e.g. "200,1000,10000"
//! ```
//!
//! Stripe retries live-mode deliveries with exponential backoff for up to three days
//! (STRIPE-FACTS 2); its exact intervals are not published, so the defaults below are ours.

/// Backoff parameters, all in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    /// Delay after the first failure; it doubles after each further failure.
    pub first_delay_ms: u64,
    /// Cap on one delay before jitter.
    pub max_delay_ms: u64,
    /// No attempt is scheduled later than this long after the event's first attempt.
    pub give_up_after_ms: u64,
}

const SECOND_MS: u64 = 1_000;
const HOUR_MS: u64 = 60 * 60 * SECOND_MS;
const DAY_MS: u64 = 24 * HOUR_MS;

impl Default for RetrySchedule {
    /// 60 s first delay, doubling, each delay capped at 6 h, giving up after 3 days.
    fn default() -> Self {
        RetrySchedule {
            first_delay_ms: 60 * SECOND_MS,
            max_delay_ms: 6 * HOUR_MS,
            give_up_after_ms: 3 * DAY_MS,
        }
    }
}

impl RetrySchedule {
    /// Parses `"first_delay_ms,max_delay_ms,give_up_after_ms"` (whitespace around the numbers
    /// is tolerated). All three must be positive integers and first must not exceed max.
    pub fn parse(spec: &str) -> Result<RetrySchedule, String> {
        let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
        let [first, max, give_up] = parts.as_slice() else {
            return Err(format!(
                "retry schedule {spec:?}: expected three comma-separated numbers \
                 first_delay_ms,max_delay_ms,give_up_after_ms, found {}",
                parts.len()
            ));
        };
        let schedule = RetrySchedule {
            first_delay_ms: parse_positive(spec, "first_delay_ms", first)?,
            max_delay_ms: parse_positive(spec, "max_delay_ms", max)?,
            give_up_after_ms: parse_positive(spec, "give_up_after_ms", give_up)?,
        };
        if schedule.first_delay_ms > schedule.max_delay_ms {
            return Err(format!(
                "retry schedule {spec:?}: first_delay_ms ({}) must not exceed max_delay_ms ({})",
                schedule.first_delay_ms, schedule.max_delay_ms
            ));
        }
        Ok(schedule)
    }

    /// The wait before the next attempt after `failed_attempts` failures, or `None` when that
    /// attempt would fall after the deadline (`elapsed + wait > give_up_after_ms`).
    ///
    /// `jitter` is any random `u32` from the caller; it adds 0 to 25 % of the delay.
    /// `failed_attempts == 0` is treated as 1 (the caller only asks after a failure).
    /// Never overflows, whatever the attempt count or durations.
    pub fn next_delay_ms(
        &self,
        failed_attempts: u32,
        elapsed_since_first_attempt_ms: u64,
        jitter: u32,
    ) -> Option<u64> {
        let delay = self.base_delay_ms(failed_attempts);
        // u128 holds every intermediate value: delay · 1000 and elapsed + wait cannot overflow.
        let delay = u128::from(delay);
        let wait = delay + delay * u128::from(jitter % 1001) / 4000;
        let due = u128::from(elapsed_since_first_attempt_ms) + wait;
        if due > u128::from(self.give_up_after_ms) {
            return None;
        }
        // due ≤ give_up_after_ms ≤ u64::MAX, so wait fits in u64.
        u64::try_from(wait).ok()
    }

    /// min(first · 2^(n−1), max), computed without overflow.
    fn base_delay_ms(&self, failed_attempts: u32) -> u64 {
        let doublings = failed_attempts.saturating_sub(1);
        let doubled = 1u64
            .checked_shl(doublings)
            .and_then(|factor| self.first_delay_ms.checked_mul(factor))
            .unwrap_or(u64::MAX);
        doubled.min(self.max_delay_ms)
    }
}

fn parse_positive(spec: &str, name: &str, text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err(format!(
            "retry schedule {spec:?}: {name} must be positive, got 0"
        )),
        Ok(value) => Ok(value),
        Err(_) => Err(format!(
            "retry schedule {spec:?}: {name} must be a positive integer of milliseconds, got {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE_MS: u64 = 60 * SECOND_MS;

    #[test]
    fn the_default_schedule_is_sixty_seconds_doubling_capped_at_six_hours_for_three_days() {
        assert_eq!(
            RetrySchedule::default(),
            RetrySchedule {
                first_delay_ms: 60_000,
                max_delay_ms: 21_600_000,
                give_up_after_ms: 259_200_000
            }
        );
    }

    #[test]
    fn the_default_schedule_doubles_from_one_minute_without_jitter() {
        let schedule = RetrySchedule::default();
        let cases = [
            (0, MINUTE_MS, "zero failures is treated as one"),
            (1, MINUTE_MS, "after the first failure"),
            (2, 2 * MINUTE_MS, "doubled"),
            (3, 4 * MINUTE_MS, "doubled again"),
            (4, 8 * MINUTE_MS, ""),
            (5, 16 * MINUTE_MS, ""),
            (6, 32 * MINUTE_MS, ""),
            (7, 64 * MINUTE_MS, ""),
            (8, 128 * MINUTE_MS, ""),
            (9, 256 * MINUTE_MS, "4 h 16 min, still under the cap"),
            (10, 6 * HOUR_MS, "512 min would pass the 6 h cap"),
            (11, 6 * HOUR_MS, "stays at the cap"),
        ];
        for (failures, expected, why) in cases {
            assert_eq!(
                schedule.next_delay_ms(failures, 0, 0),
                Some(expected),
                "{failures}: {why}"
            );
        }
    }

    #[test]
    fn huge_attempt_numbers_stay_at_the_cap_without_overflow() {
        let schedule = RetrySchedule::default();
        for failures in [63, 64, 65, 100, 1_000, u32::MAX] {
            assert_eq!(
                schedule.next_delay_ms(failures, 0, 0),
                Some(6 * HOUR_MS),
                "{failures}"
            );
            assert_eq!(
                schedule.next_delay_ms(failures, 0, 1000),
                Some(7 * HOUR_MS + 30 * MINUTE_MS)
            );
        }
        let extreme = RetrySchedule {
            first_delay_ms: u64::MAX,
            max_delay_ms: u64::MAX,
            give_up_after_ms: u64::MAX,
        };
        let cases = [
            (1, 0, 0, Some(u64::MAX), "the largest delay fits exactly"),
            (
                u32::MAX,
                0,
                1000,
                None,
                "jitter past u64::MAX is past any deadline",
            ),
            (1, u64::MAX, 0, None, "elapsed plus delay past the deadline"),
        ];
        for (failures, elapsed, jitter, expected, why) in cases {
            assert_eq!(
                extreme.next_delay_ms(failures, elapsed, jitter),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn jitter_adds_between_zero_and_twenty_five_percent() {
        let schedule = RetrySchedule::default();
        let cases = [
            (0, MINUTE_MS, "no jitter"),
            (
                1000,
                MINUTE_MS + 15 * SECOND_MS,
                "the largest jitter adds 25 %",
            ),
            (1001, MINUTE_MS, "jitter wraps at 1001"),
            (2001, MINUTE_MS + 15 * SECOND_MS, "1000 after wrapping"),
            (500, MINUTE_MS + 7_500, "half of the range"),
            (1, MINUTE_MS + 15, "60000 · 1 / 4000"),
        ];
        for (jitter, expected, why) in cases {
            assert_eq!(
                schedule.next_delay_ms(1, 0, jitter),
                Some(expected),
                "{why}"
            );
        }
        for jitter in [0, 1, 7, 999, 1000, 4_000_000, u32::MAX - 1, u32::MAX] {
            for failures in 1..=12 {
                let base = schedule.next_delay_ms(failures, 0, 0).unwrap_or_default();
                let wait = schedule
                    .next_delay_ms(failures, 0, jitter)
                    .unwrap_or_default();
                assert!(
                    base <= wait && wait <= base + base / 4,
                    "{failures} failures, jitter {jitter}"
                );
            }
        }
    }

    #[test]
    fn no_attempt_is_scheduled_past_the_deadline() {
        let schedule = RetrySchedule::parse("200,1000,10000").unwrap_or_default();
        let cases = [
            (1, 0, 0, Some(200), "well before the deadline"),
            (4, 8_000, 0, Some(1000), "capped delay"),
            (
                4,
                9_000,
                0,
                Some(1000),
                "landing exactly on the deadline is allowed",
            ),
            (4, 9_001, 0, None, "one millisecond past the deadline"),
            (4, 9_000, 1000, None, "jitter can push past the deadline"),
            (1, 10_000, 0, None, "already at the deadline"),
            (1, u64::MAX, 0, None, "absurd elapsed time"),
        ];
        for (failures, elapsed, jitter, expected, why) in cases {
            assert_eq!(
                schedule.next_delay_ms(failures, elapsed, jitter),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn the_default_schedule_gives_up_after_three_days() {
        let schedule = RetrySchedule::default();
        let mut elapsed = 0u64;
        let mut attempts = 1u32;
        while let Some(wait) = schedule.next_delay_ms(attempts, elapsed, 0) {
            elapsed += wait;
            attempts += 1;
        }
        assert!(elapsed <= 3 * DAY_MS);
        assert!(
            elapsed > 3 * DAY_MS - 6 * HOUR_MS,
            "retries continue until the last 6 h"
        );
        assert_eq!(attempts, 20, "the first attempt plus 19 retries");
    }

    #[test]
    fn parse_reads_three_positive_numbers_and_tolerates_whitespace() {
        let cases = [
            ("200,1000,10000", (200, 1000, 10_000)),
            (" 200 , 1000 ,\t10000\n", (200, 1000, 10_000)),
            (
                "60000,21600000,259200000",
                (60_000, 21_600_000, 259_200_000),
            ),
            ("5,5,1", (5, 5, 1)),
        ];
        for (spec, (first, max, give_up)) in cases {
            let expected = RetrySchedule {
                first_delay_ms: first,
                max_delay_ms: max,
                give_up_after_ms: give_up,
            };
            assert_eq!(RetrySchedule::parse(spec), Ok(expected), "{spec:?}");
        }
    }

    #[test]
    fn parse_rejects_malformed_specs_with_a_reason() {
        let cases = [
            ("", "expected three"),
            ("200,1000", "expected three"),
            ("200,1000,10000,5", "expected three"),
            ("0,1000,10000", "first_delay_ms must be positive"),
            ("200,0,10000", "max_delay_ms must be positive"),
            ("200,1000,0", "give_up_after_ms must be positive"),
            ("-1,1000,10000", "first_delay_ms must be a positive integer"),
            (
                "2e2,1000,10000",
                "first_delay_ms must be a positive integer",
            ),
            ("200,,10000", "max_delay_ms must be a positive integer"),
            (
                "200,1000,10 000",
                "give_up_after_ms must be a positive integer",
            ),
            (
                "200,1000,99999999999999999999",
                "give_up_after_ms must be a positive integer",
            ),
            (
                "2000,1000,10000",
                "first_delay_ms (2000) must not exceed max_delay_ms (1000)",
            ),
        ];
        for (spec, reason) in cases {
            match RetrySchedule::parse(spec) {
                Ok(schedule) => panic!("{spec:?} parsed as {schedule:?}"),
                Err(message) => assert!(message.contains(reason), "{spec:?}: {message}"),
            }
        }
    }
}

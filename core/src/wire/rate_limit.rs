//! Per-account rate limits in the spirit of Stripe's (about 100 operations a second in
//! live mode, 25 in test mode): a token bucket per account namespace that refills at
//! the rate and holds one second's worth. The Worker keeps the buckets per isolate.

/// Stripe's default test-mode and live-mode rates, requests per second.
pub const TEST_PER_SECOND: u32 = 25;
pub const LIVE_PER_SECOND: u32 = 100;

/// The rates, from the `RATE_LIMITS`, `RATE_LIMIT_TEST_PER_SECOND` and
/// `RATE_LIMIT_LIVE_PER_SECOND` vars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub test_per_second: u32,
    pub live_per_second: u32,
}

impl RateLimits {
    /// `None` (no limit) when `RATE_LIMITS` is `off`/`false`/`0`; else the rates, with
    /// Stripe's defaults for what is unset or not a number.
    pub fn from_vars(switch: Option<&str>, test: Option<&str>, live: Option<&str>) -> Option<Self> {
        if matches!(switch.map(str::trim), Some("off" | "false" | "0")) {
            return None;
        }
        let rate = |v: Option<&str>, default| {
            v.and_then(|v| v.trim().parse::<u32>().ok())
                .filter(|&n| n > 0)
                .unwrap_or(default)
        };
        Some(RateLimits {
            test_per_second: rate(test, TEST_PER_SECOND),
            live_per_second: rate(live, LIVE_PER_SECOND),
        })
    }

    pub fn per_second(&self, livemode: bool) -> u32 {
        if livemode {
            self.live_per_second
        } else {
            self.test_per_second
        }
    }
}

/// One account's bucket: `tokens` left as of `at_ms`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    tokens: f64,
    at_ms: u64,
}

impl Bucket {
    /// A full bucket.
    pub fn full(per_second: u32, now_ms: u64) -> Self {
        Bucket {
            tokens: f64::from(per_second),
            at_ms: now_ms,
        }
    }

    /// Refills for the time since the last call, then takes one token if there is one.
    pub fn take(&mut self, per_second: u32, now_ms: u64) -> bool {
        let rate = f64::from(per_second);
        let elapsed = now_ms.saturating_sub(self.at_ms) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * rate).min(rate);
        self.at_ms = self.at_ms.max(now_ms);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_gets_one_seconds_worth_then_refills_at_the_rate() {
        let mut bucket = Bucket::full(25, 0);
        assert_eq!((0..40).filter(|_| bucket.take(25, 0)).count(), 25);
        assert!(!bucket.take(25, 39), "less than one token after 39 ms");
        assert!(bucket.take(25, 40), "one token back after 40 ms");
        assert_eq!((0..40).filter(|_| bucket.take(25, 10_000)).count(), 25);
    }

    #[test]
    fn vars_switch_limits_off_or_set_the_rates() {
        assert_eq!(RateLimits::from_vars(Some("off"), None, None), None);
        let d = RateLimits::from_vars(None, None, None).unwrap();
        assert_eq!((d.per_second(false), d.per_second(true)), (25, 100));
        let s = RateLimits::from_vars(Some("on"), Some("5"), Some("x")).unwrap();
        assert_eq!((s.per_second(false), s.per_second(true)), (5, 100));
    }
}

//! Per-account rate limits, kept in the isolate: one token bucket per account
//! namespace. Approximate across isolates (each has its own buckets, so the platform's
//! spread of an account over N isolates allows up to N times the rate), but free: no
//! storage hop on any request. Off when `RATE_LIMITS=off`.

use std::cell::RefCell;

use api_core::wire::auth::Account;
use api_core::wire::error::ApiError;
use api_core::wire::rate_limit::{Bucket, RateLimits};

/// Past this many accounts the isolate forgets every bucket (they refill in a second).
/// A plain vector: a map type of its own would cost the wasm more than the scan costs.
const MAX_BUCKETS: usize = 1_000;

thread_local! {
    static BUCKETS: RefCell<Vec<(String, Bucket)>> = const { RefCell::new(Vec::new()) };
}

/// Takes one request from the account's bucket; a 429 when it is empty.
pub fn admit(
    account: &Account,
    namespace: &str,
    limits: &RateLimits,
    now_ms: u64,
) -> Result<(), ApiError> {
    let rate = limits.per_second(account.livemode);
    let admitted = BUCKETS.with(|buckets| {
        let mut buckets = buckets.borrow_mut();
        if let Some((_, bucket)) = buckets.iter_mut().find(|(name, _)| name == namespace) {
            return bucket.take(rate, now_ms);
        }
        if buckets.len() >= MAX_BUCKETS {
            buckets.clear();
        }
        let mut bucket = Bucket::full(rate, now_ms);
        let admitted = bucket.take(rate, now_ms);
        buckets.push((namespace.to_owned(), bucket));
        admitted
    });
    if admitted {
        Ok(())
    } else {
        Err(ApiError::rate_limited())
    }
}

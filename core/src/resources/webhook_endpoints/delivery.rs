//! Webhook delivery's pure rules: the body and headers of one POST, what counts as
//! success (any 2xx; a redirect, any other status, an error or a time-out fails), and
//! when a failed delivery is tried again or given up.

use super::retry_schedule::RetrySchedule;
use super::signature::signature_header;
use crate::resources::events::model::Event;
use crate::wire::error::ApiError;

/// Stripe's delivery `User-Agent`.
pub const USER_AGENT: &str = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";
/// How long one attempt may take before it counts as failed, unless a var says otherwise.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// The body Stripe sends: the event, pretty-printed, with its current `pending_webhooks`.
pub fn payload(stored_event: &str, pending_webhooks: i64) -> Result<String, ApiError> {
    let mut event: Event = serde_json::from_str(stored_event)?;
    event.pending_webhooks = pending_webhooks;
    // Indented from the compact text: the same bytes as `to_string_pretty`.
    Ok(crate::wire::render::pretty(&serde_json::to_string(&event)?))
}

/// The headers of one attempt, signed at `timestamp` with the endpoint's secret.
pub fn headers(secret: &str, timestamp: i64, payload: &str) -> [(&'static str, String); 4] {
    [
        ("Content-Type", "application/json; charset=utf-8".to_owned()),
        ("User-Agent", USER_AGENT.to_owned()),
        (
            "Stripe-Signature",
            signature_header(secret, timestamp, payload),
        ),
        ("Cache-Control", "no-cache".to_owned()),
    ]
}

/// Only a 2xx answer delivers an event.
pub fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// What happens to a delivery after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again at this unix time in milliseconds.
    RetryAt(i64),
    /// The schedule's deadline has passed: no more attempts.
    GiveUp,
}

/// The next step after the `failed_attempts`-th failure of a delivery whose first
/// attempt was at `first_attempt_ms`.
pub fn after_failure(
    schedule: &RetrySchedule,
    failed_attempts: u32,
    first_attempt_ms: i64,
    now_ms: i64,
    jitter: u32,
) -> AfterFailure {
    let elapsed = u64::try_from(now_ms.saturating_sub(first_attempt_ms)).unwrap_or(0);
    match schedule.next_delay_ms(failed_attempts, elapsed, jitter) {
        Some(delay) => AfterFailure::RetryAt(now_ms.saturating_add(delay as i64)),
        None => AfterFailure::GiveUp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::events::model::EventRequest;
    use crate::resources::webhook_endpoints::signature::verify;

    #[test]
    fn the_payload_is_the_pretty_event_with_its_pending_count_and_is_signed() {
        let event = Event::new(
            "evt_1",
            "customer.created",
            5,
            false,
            serde_json::json!({"id": "cus_1"}),
            None,
            EventRequest::default(),
        );
        let body = payload(&serde_json::to_string(&event).unwrap(), 2).unwrap();
        assert!(body.contains("\n  \"pending_webhooks\": 2,"));
        let [_, _, (_, signature), _] = headers("whsec_x", 1_700_000_000, &body);
        assert!(signature.starts_with("t=1700000000,v1="));
        assert!(verify(&signature, "whsec_x", &body));
    }

    #[test]
    fn only_2xx_is_success() {
        for status in [200, 201, 204, 299] {
            assert!(is_success(status));
        }
        for status in [199, 301, 302, 400, 500] {
            assert!(!is_success(status));
        }
    }

    #[test]
    fn failures_back_off_until_the_deadline() {
        let schedule = RetrySchedule {
            first_delay_ms: 100,
            max_delay_ms: 1_000,
            give_up_after_ms: 5_000,
        };
        assert_eq!(
            after_failure(&schedule, 1, 0, 0, 0),
            AfterFailure::RetryAt(100)
        );
        assert_eq!(
            after_failure(&schedule, 3, 0, 1_000, 0),
            AfterFailure::RetryAt(1_400)
        );
        assert_eq!(
            after_failure(&schedule, 9, 0, 4_500, 0),
            AfterFailure::GiveUp
        );
    }
}

//! Our extensions for the dashboard (not Stripe's API): an endpoint's delivery attempts,
//! `GET /v1/webhook_endpoints/{id}/delivery_attempts` (newest first, ids `wda_<seq>`),
//! and `POST /v1/webhook_endpoints/{id}/resend` (`event=evt_…`), which owes one event again.
//! Lean on purpose (the wasm budget): SQLite writes an attempt's JSON (`json_object`), and
//! nothing here derives serde.

use super::model::{EndpointStatus, WebhookEndpoint};
use crate::resources::events::types::endpoint_wants;
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::pagination::{Cursor, Limit, SqlArg, SqlQuery};
use crate::wire::params::Params;

/// The `object` of one attempt.
pub const ATTEMPT_OBJECT: &str = "webhook_delivery_attempt";
/// The `object` of a resend's answer.
pub const DELIVERY_OBJECT: &str = "webhook_delivery";
const ATTEMPT_KIND: &str = "webhook delivery attempt";
const ID_PREFIX: &str = "wda_";
/// An attempt's JSON, as SQLite writes it from a `delivery_attempts` row, in this key
/// order: `id` (`wda_<seq>`), `object`, `endpoint`, `event`, `created` (unix seconds of the
/// start), `status` (the receiver's HTTP status; `null` for a network error or a
/// time-out), `duration_ms`, `response_excerpt` (the answer's first bytes, or why none).
pub const ATTEMPT_JSON: &str =
    "json_object('id', 'wda_' || seq, 'object', 'webhook_delivery_attempt', \
    'endpoint', endpoint_id, 'event', event_id, 'created', at_ms / 1000, 'status', status, \
    'duration_ms', duration_ms, 'response_excerpt', response_excerpt) AS document";

/// The id of the attempt stored at `seq`.
pub fn attempt_id(seq: i64) -> String {
    format!("{ID_PREFIX}{seq}")
}

/// The `seq` an attempt id names, if it is one of ours.
pub fn attempt_seq(id: &str) -> Option<i64> {
    let digits = id.strip_prefix(ID_PREFIX)?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The parameters of `GET /v1/webhook_endpoints/{id}/delivery_attempts`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListAttempts {
    pub limit: Limit,
    pub cursor: Cursor,
}

impl ListAttempts {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        Ok(ListAttempts {
            limit: Limit::parse(p)?,
            cursor: Cursor::parse(p)?,
        })
    }

    /// The seq of the attempt the cursor names; a cursor that is not an attempt id is
    /// a 400 `resource_missing` on its parameter.
    pub fn cursor_seq(&self) -> Result<Option<i64>, ApiError> {
        match self.cursor.named() {
            None => Ok(None),
            Some((id, _)) => attempt_seq(id)
                .map(Some)
                .ok_or_else(|| self.missing_cursor()),
        }
    }

    /// The error for a cursor that names no attempt of this endpoint.
    pub fn missing_cursor(&self) -> ApiError {
        let (id, param) = self.cursor.named().unwrap_or(("", "starting_after"));
        ApiError::missing_reference(ATTEMPT_KIND, id, param)
    }

    /// The page query over `delivery_attempts` for one endpoint, newest (highest seq)
    /// first, beyond the cursor at `at`, `limit + 1` rows.
    pub fn page_query(&self, endpoint_id: &str, at: Option<i64>) -> SqlQuery {
        let reversed = self.cursor.is_reversed();
        let mut args = vec![SqlArg::Text(endpoint_id.to_owned())];
        let mut sql = format!("SELECT {ATTEMPT_JSON} FROM delivery_attempts WHERE endpoint_id = ?");
        if let Some(seq) = at {
            sql.push_str(if reversed {
                " AND seq > ?"
            } else {
                " AND seq < ?"
            });
            args.push(SqlArg::Int(seq));
        }
        sql.push_str(if reversed {
            " ORDER BY seq ASC LIMIT ?"
        } else {
            " ORDER BY seq DESC LIMIT ?"
        });
        args.push(SqlArg::Int(i64::from(self.limit.get()) + 1));
        SqlQuery {
            sql,
            args,
            reversed,
        }
    }
}

/// Reads `event` of `POST /v1/webhook_endpoints/{id}/resend`: required, and an id that
/// cannot be an event is a 404, as for an event of another account.
pub fn parse_resend(p: &mut Params) -> Result<String, ApiError> {
    let event = p
        .required_string("event", 5000)?
        .ok_or_else(|| ApiError::MissingParameter {
            param: "event".into(),
        })?;
    if !ids::is_well_formed(&event, "evt") {
        return Err(no_such_event(&event));
    }
    Ok(event)
}

/// `No such event: 'evt_…'` (404, `param` `event`).
pub fn no_such_event(id: &str) -> ApiError {
    ApiError::not_found_as("event", id, "event")
}

/// Whether `endpoint` may be sent an event of type `kind` again: it must be enabled and
/// subscribed to that type.
pub fn check_resend(endpoint: &WebhookEndpoint, kind: &str) -> Result<(), ApiError> {
    if endpoint.status != EndpointStatus::Enabled {
        return Err(ApiError::bad_request(format!(
            "The webhook endpoint {} is disabled: enable it to resend events to it.",
            endpoint.id
        )));
    }
    if !endpoint_wants(&endpoint.enabled_events, kind) {
        return Err(ApiError::invalid(
            "event",
            format!(
                "The webhook endpoint {} does not listen to {kind} events.",
                endpoint.id
            ),
        ));
    }
    Ok(())
}

/// A resend's answer: `{object: "webhook_delivery", event, endpoint, status: "pending"}`.
/// Both ids are well-formed ids of ours (base62 after the prefix), so they need no escaping.
pub fn resend_json(event: &str, endpoint: &str) -> String {
    format!(
        "{{\"object\":\"{DELIVERY_OBJECT}\",\"event\":\"{event}\",\"endpoint\":\"{endpoint}\",\"status\":\"pending\"}}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn params(query: &str) -> Params {
        Params::new(decode_form(query.as_bytes()).unwrap())
    }

    fn endpoint(status: EndpointStatus, events: &[&str]) -> WebhookEndpoint {
        WebhookEndpoint {
            id: "we_1".into(),
            object: "webhook_endpoint".into(),
            api_version: None,
            application: None,
            created: 1,
            description: None,
            enabled_events: events.iter().map(|e| e.to_string()).collect(),
            livemode: false,
            metadata: Default::default(),
            secret: None,
            status,
            url: "https://example.com".into(),
        }
    }

    #[test]
    fn attempt_ids_are_wda_and_the_seq_and_nothing_else_parses() {
        assert_eq!(attempt_id(42), "wda_42");
        assert_eq!(attempt_seq("wda_42"), Some(42));
        for bad in [
            "wda_",
            "wda_x",
            "wda_+1",
            "wda_-1",
            "evt_1",
            "wda_1234567890123456789",
        ] {
            assert_eq!(attempt_seq(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_page_of_attempts_reads_one_endpoint_newest_first_beyond_the_cursor() {
        let list = ListAttempts::parse(&mut params("limit=2&starting_after=wda_9")).unwrap();
        let at = list.cursor_seq().unwrap();
        assert_eq!(at, Some(9));
        let q = list.page_query("we_1", at);
        assert_eq!(
            q.sql,
            format!("SELECT {ATTEMPT_JSON} FROM delivery_attempts WHERE endpoint_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?")
        );
        assert_eq!(
            q.args,
            vec![SqlArg::Text("we_1".into()), SqlArg::Int(9), SqlArg::Int(3)]
        );
        let back = ListAttempts::parse(&mut params("ending_before=wda_3")).unwrap();
        let q = back.page_query("we_1", Some(3));
        assert!(q.reversed && q.sql.contains("seq > ?") && q.sql.contains("ORDER BY seq ASC"));
        let first = ListAttempts::parse(&mut params("")).unwrap();
        assert_eq!(first.cursor_seq().unwrap(), None);
        assert!(!first.page_query("we_1", None).sql.contains("seq <"));
    }

    #[test]
    fn a_cursor_that_is_no_attempt_id_is_a_400_on_its_parameter() {
        let list = ListAttempts::parse(&mut params("ending_before=evt_1")).unwrap();
        let err = list.cursor_seq().unwrap_err();
        assert_eq!(err.status(), 400);
        assert_eq!(err.param(), Some("ending_before"));
        assert_eq!(err.to_string(), "No such webhook delivery attempt: 'evt_1'");
    }

    #[test]
    fn resend_requires_an_event_id_and_a_malformed_one_is_a_404() {
        assert_eq!(parse_resend(&mut params("event=evt_1")).unwrap(), "evt_1");
        let missing = parse_resend(&mut params("")).unwrap_err();
        assert_eq!(missing.to_string(), "Missing required param: event.");
        let bad = parse_resend(&mut params("event=cus_1")).unwrap_err();
        assert_eq!((bad.status(), bad.param()), (404, Some("event")));
        assert_eq!(bad.to_string(), "No such event: 'cus_1'");
    }

    #[test]
    fn only_an_enabled_endpoint_that_wants_the_type_gets_a_resend() {
        assert!(check_resend(
            &endpoint(EndpointStatus::Enabled, &["*"]),
            "customer.created"
        )
        .is_ok());
        let exact = endpoint(EndpointStatus::Enabled, &["customer.created"]);
        assert!(check_resend(&exact, "customer.created").is_ok());
        let err = check_resend(&exact, "customer.deleted").unwrap_err();
        assert_eq!(err.param(), Some("event"));
        let err = check_resend(
            &endpoint(EndpointStatus::Disabled, &["*"]),
            "customer.created",
        )
        .unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(err.to_string().contains("disabled"));
    }

    #[test]
    fn a_resend_answers_a_pending_delivery() {
        assert_eq!(
            resend_json("evt_1", "we_1"),
            r#"{"object":"webhook_delivery","event":"evt_1","endpoint":"we_1","status":"pending"}"#
        );
    }
}

//! The Event object (`schemas.event`, API version 2023-08-16) and its `data` and `request` parts.
//! Plain serde types; fields are declared in Stripe's key order so JSON comes out in that order.
//! A stored event is read back field by field (`wire::fields`).

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::wire::fields::Fields;

/// The API version events are rendered in.
pub const API_VERSION: &str = "2023-08-16";

/// The value of `object` on every event.
pub const EVENT_OBJECT: &str = "event";

/// A Stripe event: `id, object, api_version, created, data, livemode, pending_webhooks,
/// request, type`. (`account`, set only on Connect events, is not modelled.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// `evt_…`
    pub id: String,
    /// Always `"event"`.
    pub object: String,
    /// Version used to render `data`; `null` only for events older than 2014-10-31.
    pub api_version: Option<String>,
    /// Unix seconds.
    pub created: i64,
    pub data: EventData,
    pub livemode: bool,
    /// Number of endpoints that have yet to answer this event with a 2xx.
    pub pending_webhooks: i64,
    pub request: EventRequest,
    /// The event type, e.g. `customer.updated`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `data` (`schemas.notification_event_data`): the object as of the event and, on
/// `*.updated` events, the changed attributes' previous values.
#[derive(Debug, Clone, Serialize)]
pub struct EventData {
    /// The object's JSON text, written into the event as it is: an object serialised
    /// once, not parsed into a `Value` to be serialised again.
    pub object: Box<RawValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_attributes: Option<Map<String, Value>>,
}

impl EventData {
    /// The object, parsed.
    pub fn object_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::from_str(self.object.get())
    }
}

impl PartialEq for EventData {
    fn eq(&self, other: &Self) -> bool {
        self.object.get() == other.object.get()
            && self.previous_attributes == other.previous_attributes
    }
}

/// `value`'s JSON text, as a raw value (writing a `Value` cannot fail: its map keys are
/// strings).
fn raw_of(value: &Value) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

/// `request` (`schemas.notification_event_request`): the API request that caused the event.
/// Both fields are `null` for automatic events (`Default` gives that).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct EventRequest {
    /// `req_…`, or `None` when the event was not caused by an API request.
    pub id: Option<String>,
    /// The `Idempotency-Key` header of that request, if it had one.
    pub idempotency_key: Option<String>,
}

crate::read_serde!(Event);

impl Event {
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(Event {
            id: f.string("id")?,
            object: f.string("object")?,
            api_version: f.opt_string("api_version")?,
            created: f.int("created")?,
            data: f.object("data", |mut d| {
                Some(EventData {
                    object: raw_of(&d.value("object")?),
                    previous_attributes: match d.opt_value("previous_attributes")? {
                        None => None,
                        Some(Value::Object(map)) => Some(map),
                        Some(_) => return None,
                    },
                })
            })?,
            livemode: f.bool("livemode")?,
            pending_webhooks: f.int("pending_webhooks")?,
            request: f.object("request", |mut r| {
                Some(EventRequest {
                    id: r.opt_string("id")?,
                    idempotency_key: r.opt_string("idempotency_key")?,
                })
            })?,
            kind: f.string("type")?,
        })
    }

    /// A new event rendered at [`API_VERSION`], with no webhooks pending yet.
    pub fn new(
        id: impl Into<String>,
        kind: impl Into<String>,
        created: i64,
        livemode: bool,
        object: Value,
        previous_attributes: Option<Map<String, Value>>,
        request: EventRequest,
    ) -> Event {
        let object = raw_of(&object);
        Event::of_text(
            id,
            kind,
            created,
            livemode,
            object,
            previous_attributes,
            request,
        )
    }

    /// [`Event::new`] with the object as JSON text already.
    pub fn of_text(
        id: impl Into<String>,
        kind: impl Into<String>,
        created: i64,
        livemode: bool,
        object: Box<RawValue>,
        previous_attributes: Option<Map<String, Value>>,
        request: EventRequest,
    ) -> Event {
        Event {
            id: id.into(),
            object: EVENT_OBJECT.to_string(),
            api_version: Some(API_VERSION.to_string()),
            created,
            data: EventData {
                object,
                previous_attributes,
            },
            livemode,
            pending_webhooks: 0,
            request,
            kind: kind.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `schemas.event.required` in /work/shared/stripe-openapi/schemas-2023-08-16.json.
    const REQUIRED_KEYS: [&str; 7] = [
        "created",
        "data",
        "id",
        "livemode",
        "object",
        "pending_webhooks",
        "type",
    ];

    fn sample(previous_attributes: Option<Map<String, Value>>) -> Event {
        Event::new(
            "evt_1",
            "customer.updated",
            1_700_000_000,
            false,
            json!({"id": "cus_1", "object": "customer", "email": "b@example.com"}),
            previous_attributes,
            EventRequest {
                id: Some("req_1".to_string()),
                idempotency_key: Some("key-1".to_string()),
            },
        )
    }

    fn top_level_keys(event: &Event) -> Vec<String> {
        // Read the order from the text: serde_json's Map would sort the keys.
        let text = serde_json::to_string_pretty(event).unwrap_or_default();
        text.lines()
            .filter(|line| line.starts_with("  \""))
            .filter_map(|line| line.trim_start().split('"').nth(1))
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn an_event_serialises_with_the_required_keys_plus_api_version_and_request_in_stripes_order() {
        let keys = top_level_keys(&sample(None));
        assert_eq!(
            keys,
            [
                "id",
                "object",
                "api_version",
                "created",
                "data",
                "livemode",
                "pending_webhooks",
                "request",
                "type"
            ]
        );
        for required in REQUIRED_KEYS {
            assert!(
                keys.iter().any(|key| key == required),
                "{required} is present"
            );
        }
        let optional: Vec<&String> = keys
            .iter()
            .filter(|key| !REQUIRED_KEYS.contains(&key.as_str()))
            .collect();
        assert_eq!(
            optional,
            ["api_version", "request"],
            "only the two nullable extras"
        );
    }

    #[test]
    fn new_fills_in_stripes_constant_fields() {
        let event = sample(None);
        let cases = [
            (event.object.as_str(), "event", "object"),
            (
                event.api_version.as_deref().unwrap_or_default(),
                "2023-08-16",
                "api_version",
            ),
            (event.kind.as_str(), "customer.updated", "type"),
            (event.id.as_str(), "evt_1", "id"),
        ];
        for (got, expected, field) in cases {
            assert_eq!(got, expected, "{field}");
        }
        assert_eq!(event.pending_webhooks, 0);
    }

    #[test]
    fn previous_attributes_is_omitted_when_none_and_present_when_some() {
        let mut changed = Map::new();
        changed.insert("email".to_string(), json!("a@example.com"));
        let cases = [
            (
                sample(None),
                json!({"object": {"id": "cus_1", "object": "customer", "email": "b@example.com"}}),
            ),
            (
                sample(Some(changed)),
                json!({
                    "object": {"id": "cus_1", "object": "customer", "email": "b@example.com"},
                    "previous_attributes": {"email": "a@example.com"}
                }),
            ),
        ];
        for (event, expected_data) in cases {
            let value = serde_json::to_value(&event).unwrap_or_default();
            assert_eq!(value["data"], expected_data);
        }
    }

    #[test]
    fn an_automatic_event_renders_request_with_two_nulls() {
        let event = Event::new(
            "evt_2",
            "customer.created",
            1,
            true,
            json!({}),
            None,
            EventRequest::default(),
        );
        let value = serde_json::to_value(&event).unwrap_or_default();
        assert_eq!(
            value["request"],
            json!({"id": null, "idempotency_key": null})
        );
        assert_eq!(value["livemode"], json!(true));
    }

    #[test]
    fn an_event_round_trips_through_json() {
        let mut changed = Map::new();
        changed.insert("metadata".to_string(), json!({"tier": null}));
        for event in [sample(None), sample(Some(changed))] {
            let text = serde_json::to_string(&event).unwrap_or_default();
            let back: Result<Event, _> = serde_json::from_str(&text);
            assert_eq!(back.ok(), Some(event));
        }
    }

    #[test]
    fn a_stripe_fixture_event_deserialises() {
        let text = r#"{
          "account": "acct_1",
          "api_version": null,
          "created": 1326853478,
          "data": {"object": {"id": "ch_1", "object": "charge"}},
          "id": "evt_1",
          "livemode": false,
          "object": "event",
          "pending_webhooks": 0,
          "request": {"id": null, "idempotency_key": null},
          "type": "charge.succeeded"
        }"#;
        let event: Result<Event, _> = serde_json::from_str(text);
        let event = event.ok();
        assert_eq!(
            event.as_ref().map(|e| e.kind.as_str()),
            Some("charge.succeeded")
        );
        assert_eq!(event.as_ref().and_then(|e| e.api_version.clone()), None);
        assert_eq!(event.and_then(|e| e.data.previous_attributes), None);
    }
}

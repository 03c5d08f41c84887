//! The Events a change to a customer produces: `customer.created`, `customer.updated`
//! (with `previous_attributes`, and none at all when nothing visible changed) and
//! `customer.deleted`, each showing the customer as Stripe renders it after the change.

use serde_json::value::RawValue;
use serde_json::Value;

use super::model::Customer;
use crate::resources::events::model::{Event, EventRequest};
use crate::resources::events::previous_attributes::previous_attributes_of_texts;
use crate::resources::tax_ids::model::TaxId;
use crate::wire::error::ApiError;
use crate::wire::ids;

/// Who caused a change, and when: what every event of one request shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    pub request: EventRequest,
    pub now: i64,
}

impl Origin {
    /// An event of `kind` about `object`, caused by this origin.
    pub fn event(
        &self,
        kind: &str,
        object: Value,
        livemode: bool,
        previous: Option<serde_json::Map<String, Value>>,
    ) -> Result<Event, ApiError> {
        self.event_of_text(kind, json_of(&object)?, livemode, previous)
    }

    /// [`Origin::event`] with the object as JSON text already.
    fn event_of_text(
        &self,
        kind: &str,
        object: Box<RawValue>,
        livemode: bool,
        previous: Option<serde_json::Map<String, Value>>,
    ) -> Result<Event, ApiError> {
        Ok(Event::of_text(
            ids::random_id("evt")?,
            kind,
            self.now,
            livemode,
            object,
            previous,
            self.request.clone(),
        ))
    }
}

/// An object's JSON text, as the event's `data.object` (written into the event as it
/// is, with no `Value` between).
fn json_of<T: serde::Serialize>(object: &T) -> Result<Box<RawValue>, ApiError> {
    Ok(serde_json::value::to_raw_value(object)?)
}

/// `customer.created`.
pub fn created(customer: &Customer, origin: &Origin) -> Result<Event, ApiError> {
    origin.event_of_text(
        "customer.created",
        json_of(customer)?,
        customer.livemode,
        None,
    )
}

/// `customer.updated` with the old values of what changed; `None` if nothing did.
pub fn updated(
    before: &Customer,
    after: &Customer,
    origin: &Origin,
) -> Result<Option<Event>, ApiError> {
    let new = serde_json::to_string(after)?;
    match previous_attributes_of_texts(&serde_json::to_string(before)?, &new)? {
        None => Ok(None),
        Some(previous) => Ok(Some(origin.event_of_text(
            "customer.updated",
            RawValue::from_string(new)?,
            after.livemode,
            Some(previous),
        )?)),
    }
}

/// `customer.updated` for an undelete. The rule: `data.object` is the restored customer,
/// and `previous_attributes` holds what the seed-004 view (`include_deleted=true`) showed
/// before and no longer shows, `{"deleted": true, "deleted_at": <when>}`; Stripe's own
/// view of the customer is otherwise unchanged.
pub fn undeleted(customer: &Customer, deleted_at: i64, origin: &Origin) -> Result<Event, ApiError> {
    let mut previous = serde_json::Map::new();
    previous.insert("deleted".into(), Value::Bool(true));
    previous.insert("deleted_at".into(), Value::from(deleted_at));
    origin.event_of_text(
        "customer.updated",
        json_of(customer)?,
        customer.livemode,
        Some(previous),
    )
}

/// `customer.tax_id.created` (no `customer.updated`: sub-resource events do not bubble).
pub fn tax_id_created(tax_id: &TaxId, livemode: bool, origin: &Origin) -> Result<Event, ApiError> {
    origin.event_of_text("customer.tax_id.created", json_of(tax_id)?, livemode, None)
}

/// `customer.tax_id.deleted`, showing the tax id as it was.
pub fn tax_id_deleted(tax_id: &TaxId, livemode: bool, origin: &Origin) -> Result<Event, ApiError> {
    origin.event_of_text("customer.tax_id.deleted", json_of(tax_id)?, livemode, None)
}

/// `customer.deleted`, showing the customer as it was when deleted.
pub fn deleted(customer: &Customer, origin: &Origin) -> Result<Event, ApiError> {
    origin.event_of_text(
        "customer.deleted",
        json_of(customer)?,
        customer.livemode,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            request: EventRequest {
                id: Some("req_1".into()),
                idempotency_key: Some("k".into()),
            },
            now: 42,
        }
    }

    fn customer() -> Customer {
        Customer::blank("cus_1".into(), 1, false, "ABCD1234".into())
    }

    #[test]
    fn an_update_shows_the_old_values_of_exactly_what_changed() {
        let before = customer();
        let mut after = before.clone();
        after.name = Some("New".into());
        after.metadata.insert("plan".into(), "pro".into());
        let event = updated(&before, &after, &origin()).unwrap().unwrap();
        assert_eq!(event.kind, "customer.updated");
        let previous = serde_json::to_value(&event.data.previous_attributes).unwrap();
        assert_eq!(
            previous,
            serde_json::json!({"metadata": {"plan": null}, "name": null})
        );
        assert_eq!(event.data.object_value().unwrap()["name"], "New");
        assert_eq!(event.request.id.as_deref(), Some("req_1"));
        assert_eq!(event.created, 42);
    }

    #[test]
    fn an_update_that_changes_nothing_visible_has_no_event() {
        let before = customer();
        assert!(updated(&before, &before.clone(), &origin())
            .unwrap()
            .is_none());
    }

    #[test]
    fn created_and_deleted_events_carry_the_whole_customer() {
        let c = customer();
        let event = created(&c, &origin()).unwrap();
        assert!(event.id.starts_with("evt_"));
        assert_eq!(event.data.object_value().unwrap()["id"], "cus_1");
        assert!(event.data.previous_attributes.is_none());
        assert_eq!(deleted(&c, &origin()).unwrap().kind, "customer.deleted");
    }
}

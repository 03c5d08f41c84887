//! `data.previous_attributes` of a `*.updated` event: what changed, shown with its old values.
//! Pure diff of two JSON renderings of the same object (before and after the update).
//!
//! ```text
//! for every key of before ∪ after whose value differs:
//!   only in after                          → null
//!   only in before                         → old value
//!   old and new both hashes (no "id" key)  → recurse: only the changed sub-keys, same rules
//!   anything else (scalar, array, null,    → the whole old value
//!     embedded resource with an "id")
//! nothing differs                          → None (no previous_attributes, no event)
//! ```
//!
//! Sources (STRIPE-FACTS 3.2): arrays appear whole when any element changed (spec text since
//! 2017-05-25); hashes such as `metadata` list only changed sub-keys and an added sub-key as
//! `null` (captured `product.updated`); embedded resources appear whole (captured `plan`).
//! That `address`, `shipping` and `invoice_settings` follow the hash rule is inferred.
//! Keys come out sorted: serde_json's default `Map` is a `BTreeMap` (no `preserve_order`).

use serde_json::{Map, Value};

use crate::wire::text::{member, object_members};

/// The `previous_attributes` map for an update from `before` to `after`, or `None` when
/// nothing differs. A non-object input is treated as an object without keys.
pub fn previous_attributes(before: &Value, after: &Value) -> Option<Map<String, Value>> {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let diff = diff_maps(before, after);
    if diff.is_empty() {
        None
    } else {
        Some(diff)
    }
}

/// [`previous_attributes`] of two objects given as the JSON text one serializer wrote for
/// each (key order and spacing are then the same for equal values): only the top-level
/// values whose texts differ are parsed, so an update that changes one field parses
/// that field, not the whole object twice. Any other text is parsed whole.
pub fn previous_attributes_of_texts(
    before: &str,
    after: &str,
) -> Result<Option<Map<String, Value>>, serde_json::Error> {
    let (Some(old), Some(new)) = (object_members(before), object_members(after)) else {
        let (old, new): (Value, Value) =
            (serde_json::from_str(before)?, serde_json::from_str(after)?);
        return Ok(previous_attributes(&old, &new));
    };
    let mut diff = Map::new();
    for (key, old_text) in &old {
        let changed = match member(&new, key) {
            Some(new_text) if new_text == *old_text => None,
            Some(new_text) => diff_values(
                &serde_json::from_str(old_text)?,
                &serde_json::from_str(new_text)?,
            ),
            None => Some(serde_json::from_str(old_text)?),
        };
        if let Some(previous) = changed {
            diff.insert((*key).to_owned(), previous);
        }
    }
    for (key, _) in &new {
        if member(&old, key).is_none() {
            diff.insert((*key).to_owned(), Value::Null);
        }
    }
    Ok((!diff.is_empty()).then_some(diff))
}

/// Changed keys of two hashes, each with its old value (or `null` when it was added).
fn diff_maps(before: &Map<String, Value>, after: &Map<String, Value>) -> Map<String, Value> {
    let mut diff = Map::new();
    for (key, old) in before {
        match after.get(key) {
            Some(new) => {
                if let Some(previous) = diff_values(old, new) {
                    diff.insert(key.clone(), previous);
                }
            }
            None => {
                diff.insert(key.clone(), old.clone());
            }
        }
    }
    for key in after.keys() {
        if !before.contains_key(key) {
            diff.insert(key.clone(), Value::Null);
        }
    }
    diff
}

/// The previous-attributes entry for one key, or `None` when the value did not change.
fn diff_values(old: &Value, new: &Value) -> Option<Value> {
    if old == new {
        return None;
    }
    match (old, new) {
        (Value::Object(old_map), Value::Object(new_map))
            if is_hash(old_map) && is_hash(new_map) =>
        {
            // Unequal hashes always differ in at least one key, so this is never empty.
            Some(Value::Object(diff_maps(old_map, new_map)))
        }
        _ => Some(old.clone()),
    }
}

/// A plain hash (e.g. `metadata`, `address`) as opposed to an embedded resource, which carries
/// its own `id` (e.g. an expanded `discount` or `default_source`) and is shown whole.
fn is_hash(map: &Map<String, Value>) -> bool {
    !map.contains_key("id")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// [`previous_attributes_of_texts`] of the two values as serde_json writes them.
    fn through_texts(before: &Value, after: &Value) -> Option<Map<String, Value>> {
        previous_attributes_of_texts(&before.to_string(), &after.to_string()).unwrap()
    }

    #[test]
    fn texts_that_are_not_objects_or_have_escaped_keys_are_diffed_whole() {
        let cases = [
            (json!(null), json!({"a": 1}), "not an object before"),
            (
                json!({"a\"b": 1, "c": 1}),
                json!({"a\"b": 2, "c": 1}),
                "an escaped key",
            ),
            (json!({"a": 1}), json!({}), "a key removed"),
        ];
        for (before, after, why) in cases {
            assert_eq!(
                through_texts(&before, &after),
                previous_attributes(&before, &after),
                "{why}"
            );
        }
    }

    fn customer(overrides: Value) -> Value {
        let mut base = json!({
            "id": "cus_1",
            "object": "customer",
            "address": null,
            "balance": 0,
            "created": 1_700_000_000,
            "description": null,
            "discount": null,
            "email": "a@example.com",
            "invoice_settings": {
                "custom_fields": null,
                "default_payment_method": null,
                "footer": null,
                "rendering_options": null
            },
            "metadata": {"plan": "basic", "seats": "3"},
            "name": "Ann",
            "preferred_locales": ["en"],
            "shipping": null
        });
        if let (Some(base_map), Some(extra)) = (base.as_object_mut(), overrides.as_object()) {
            for (key, value) in extra {
                base_map.insert(key.clone(), value.clone());
            }
        }
        base
    }

    #[test]
    fn customer_updates_produce_stripes_previous_attributes() {
        let address = json!({
            "city": "Berlin", "country": "DE", "line1": "Main 1",
            "line2": null, "postal_code": "10115", "state": null
        });
        let mut moved = address.clone();
        moved["line1"] = json!("Side 2");
        let discount =
            json!({"id": "di_1", "object": "discount", "coupon": {"id": "SAVE10"}, "start": 1});
        let mut other_discount = discount.clone();
        other_discount["id"] = json!("di_2");
        other_discount["coupon"] = json!({"id": "SAVE20"});
        let fields = json!([{"name": "PO", "value": "1"}, {"name": "Ref", "value": "A"}]);

        let cases = [
            (
                json!({}),
                json!({"metadata": {"plan": "basic", "seats": "3", "tier": "gold"}}),
                json!({"metadata": {"tier": null}}),
                "a metadata key added shows null",
            ),
            (
                json!({}),
                json!({"metadata": {"plan": "pro", "seats": "3"}}),
                json!({"metadata": {"plan": "basic"}}),
                "a metadata key changed shows only that key with its old value",
            ),
            (
                json!({}),
                json!({"metadata": {"seats": "3"}}),
                json!({"metadata": {"plan": "basic"}}),
                "a metadata key removed shows its old value",
            ),
            (
                json!({}),
                json!({"metadata": {"plan": "pro", "tier": "gold"}}),
                json!({"metadata": {"plan": "basic", "seats": "3", "tier": null}}),
                "add, change and remove together",
            ),
            (
                json!({}),
                json!({"address": address.clone()}),
                json!({"address": null}),
                "an address set for the first time shows null",
            ),
            (
                json!({"address": address.clone()}),
                json!({"address": moved}),
                json!({"address": {"line1": "Main 1"}}),
                "one address line changed shows only that line",
            ),
            (
                json!({"address": address.clone()}),
                json!({"address": null}),
                json!({"address": address.clone()}),
                "an address cleared shows the whole old address",
            ),
            (
                json!({}),
                json!({"email": "b@example.com"}),
                json!({"email": "a@example.com"}),
                "a scalar change shows the old scalar",
            ),
            (
                json!({}),
                json!({"email": null, "balance": -500}),
                json!({"balance": 0, "email": "a@example.com"}),
                "several scalars, keys sorted",
            ),
            (
                json!({}),
                json!({"preferred_locales": ["en", "de"]}),
                json!({"preferred_locales": ["en"]}),
                "an array change shows the whole old array",
            ),
            (
                json!({"invoice_settings": {
                    "custom_fields": fields.clone(), "default_payment_method": null,
                    "footer": null, "rendering_options": null}}),
                json!({"invoice_settings": {
                    "custom_fields": [{"name": "PO", "value": "2"}, {"name": "Ref", "value": "A"}],
                    "default_payment_method": null, "footer": null, "rendering_options": null}}),
                json!({"invoice_settings": {"custom_fields": fields.clone()}}),
                "nested invoice_settings.custom_fields shows the whole old array inside the hash",
            ),
            (
                json!({}),
                json!({"invoice_settings": {
                    "custom_fields": null, "default_payment_method": "pm_1",
                    "footer": "Thanks", "rendering_options": null}}),
                json!({"invoice_settings": {"default_payment_method": null, "footer": null}}),
                "nested invoice_settings scalars show only changed sub-keys",
            ),
            (
                json!({"discount": discount.clone()}),
                json!({"discount": other_discount}),
                json!({"discount": discount.clone()}),
                "an embedded object with an id appears whole",
            ),
            (
                json!({"discount": discount.clone()}),
                json!({"discount": null}),
                json!({"discount": discount.clone()}),
                "an embedded object removed appears whole",
            ),
            (
                json!({}),
                json!({"test_clock": "clock_1"}),
                json!({"test_clock": null}),
                "a key present only after shows null",
            ),
        ];
        for (before_overrides, after_overrides, expected, why) in cases {
            let before = customer(before_overrides.clone());
            let mut after = customer(before_overrides);
            if let (Some(after_map), Some(extra)) =
                (after.as_object_mut(), after_overrides.as_object())
            {
                for (key, value) in extra {
                    after_map.insert(key.clone(), value.clone());
                }
            }
            let got = previous_attributes(&before, &after).map(Value::Object);
            assert_eq!(got, Some(expected), "{why}");
            assert_eq!(
                through_texts(&before, &after).map(Value::Object),
                got,
                "{why}: texts"
            );
        }
    }

    #[test]
    fn a_key_present_only_before_shows_its_old_value() {
        let before = json!({"id": "cus_1", "phone": "+1 555", "name": "Ann"});
        let after = json!({"id": "cus_1", "name": "Ann"});
        assert_eq!(
            previous_attributes(&before, &after).map(Value::Object),
            Some(json!({"phone": "+1 555"}))
        );
        assert_eq!(
            through_texts(&before, &after),
            previous_attributes(&before, &after)
        );
    }

    #[test]
    fn no_change_gives_none() {
        let cases = [
            (
                customer(json!({})),
                customer(json!({})),
                "identical customers",
            ),
            (json!({}), json!({}), "empty objects"),
            (
                json!({"a": [1, {"b": null}]}),
                json!({"a": [1, {"b": null}]}),
                "equal nested values",
            ),
            (json!(null), json!(null), "non-objects count as empty"),
        ];
        for (before, after, why) in cases {
            assert_eq!(previous_attributes(&before, &after), None, "{why}");
            assert_eq!(through_texts(&before, &after), None, "{why}: texts");
        }
    }

    #[test]
    fn hashes_nested_in_hashes_are_diffed_recursively() {
        let before = json!({"shipping": {"name": "Ann", "phone": null,
            "address": {"city": "Berlin", "line1": "Main 1", "country": "DE"}}});
        let after = json!({"shipping": {"name": "Ann", "phone": null,
            "address": {"city": "Hamburg", "line1": "Main 1", "country": "DE"}}});
        assert_eq!(
            previous_attributes(&before, &after).map(Value::Object),
            Some(json!({"shipping": {"address": {"city": "Berlin"}}}))
        );
        assert_eq!(
            through_texts(&before, &after),
            previous_attributes(&before, &after)
        );
    }

    #[test]
    fn a_value_changing_type_shows_the_old_value_whole() {
        let cases = [
            (
                json!({"x": {"a": 1}}),
                json!({"x": [1]}),
                json!({"x": {"a": 1}}),
                "hash to array",
            ),
            (
                json!({"x": "cus_1"}),
                json!({"x": {"id": "cus_1"}}),
                json!({"x": "cus_1"}),
                "id to expanded",
            ),
            (
                json!({"x": {"a": 1}}),
                json!({"x": {"id": "a"}}),
                json!({"x": {"a": 1}}),
                "hash to resource",
            ),
            (
                json!({"x": 1}),
                json!({"x": 1.0}),
                json!({"x": 1}),
                "integer to float is a change",
            ),
        ];
        for (before, after, expected, why) in cases {
            assert_eq!(
                previous_attributes(&before, &after).map(Value::Object),
                Some(expected),
                "{why}"
            );
            let texts = through_texts(&before, &after);
            assert_eq!(texts, previous_attributes(&before, &after), "{why}: texts");
        }
    }

    #[test]
    fn result_keys_come_out_sorted() {
        let before = json!({"zeta": 1, "alpha": 1, "mid": 1});
        let after = json!({"zeta": 2, "alpha": 2, "mid": 2});
        let keys: Vec<String> = previous_attributes(&before, &after)
            .map(|map| map.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["alpha", "mid", "zeta"]);
        let rendered =
            serde_json::to_string(&previous_attributes(&before, &after)).unwrap_or_default();
        assert_eq!(rendered, r#"{"alpha":1,"mid":1,"zeta":1}"#);
    }
}

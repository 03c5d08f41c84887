//! What a response shows of a stored customer, computed from the stored JSON text.
//! The common case (no expansion, not deleted) copies the stored customer object as
//! it is, without building it; anything else parses the record and renders it.

use serde_json::Value;

use super::account_expand::{self, Wanted};
use super::expand::{render, Expand};
use super::model::{Customer, DeletedCustomer};
use super::stored::{StoredCustomer, StoredHead};
use crate::wire::error::ApiError;
use crate::wire::render::pretty;

/// The `url` of a list of customers.
pub const LIST_URL: &str = "/v1/customers";
/// The `url` of a search result of customers.
pub const SEARCH_URL: &str = "/v1/customers/search";

/// Which envelope a page of customers goes out in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageEnvelope<'a> {
    List,
    Search { next_page: Option<&'a str> },
}

/// The body of a list or search page as the client gets it: every stored customer
/// shown with `expand`, in its envelope, indented as Stripe prints it. The object that
/// ran the query writes it, and the Worker sends it on unread. `account_object` finds
/// the JSON of an object the account keeps by kind and id (`account_expand::Wanted`),
/// for `data.invoice_settings.default_payment_method`, `data.test_clock` and
/// `data.discount.promotion_code`.
pub fn customer_page_body(
    documents: &[&str],
    has_more: bool,
    expand: &Expand,
    envelope: PageEnvelope,
    account_object: impl Fn(&Wanted) -> Result<Option<String>, ApiError>,
) -> Result<String, ApiError> {
    // A loop: `collect` into a `Result` costs the wasm an adapter per element type.
    let mut data = Vec::with_capacity(documents.len());
    let from_account = account_expand::needs_account(expand);
    for document in documents {
        let mut shown = customer_json(document, "", expand, false)?;
        if from_account {
            let mut found = Vec::new();
            for wanted in account_expand::wanted(&shown, expand)? {
                if let Some(json) = account_object(&wanted)? {
                    found.push((wanted.kind, json));
                }
            }
            shown = account_expand::apply(shown, expand, &found)?;
        }
        data.push(shown);
    }
    Ok(pretty(&page_text(envelope, &data, has_more)?))
}

/// The compact text of a page: the fields of `List` or `SearchResult` in their order,
/// with `data` the customers' texts as they are. Each is JSON already (a stored object
/// serde read, or serde's own output); as `RawValue`s they were each checked again.
fn page_text(envelope: PageEnvelope, data: &[String], has_more: bool) -> Result<String, ApiError> {
    let (object, url, has_more) = match envelope {
        PageEnvelope::List => ("list", LIST_URL, has_more),
        PageEnvelope::Search { next_page } => ("search_result", SEARCH_URL, next_page.is_some()),
    };
    let mut text = String::with_capacity(data.iter().map(|d| d.len() + 1).sum::<usize>() + 96);
    text.push_str(&format!(
        r#"{{"object":"{object}","url":"{url}","has_more":{has_more},"data":["#
    ));
    for (i, shown) in data.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(shown);
    }
    text.push(']');
    if let PageEnvelope::Search { next_page } = envelope {
        text.push_str(",\"next_page\":");
        text.push_str(&serde_json::to_string(&next_page)?);
    }
    text.push('}');
    Ok(text)
}

/// The customer as a response shows it, as a JSON value (to embed in a card or a
/// discount). Printed and parsed back rather than `serde_json::to_value`, which would
/// build a second serializer of the whole customer into the wasm (about 5 KB gzipped).
pub fn customer_value(customer: &Customer) -> Result<Value, ApiError> {
    Ok(serde_json::from_str(&serde_json::to_string(customer)?)?)
}

/// The version and deletion state of a stored customer, read without building it.
pub fn version_and_deleted(stored: &str) -> Result<(i64, bool), ApiError> {
    let head = StoredHead::read(stored)?;
    Ok((head.version, head.is_deleted()))
}

/// The compact JSON a response shows for the stored customer `stored` (the JSON of a
/// `StoredCustomer`): the deleted stub unless `include_deleted`, else the customer with
/// `expand` applied.
pub fn customer_json(
    stored: &str,
    id: &str,
    expand: &Expand,
    include_deleted: bool,
) -> Result<String, ApiError> {
    let head = StoredHead::read(stored)?;
    let deleted = head.is_deleted();
    if deleted && !include_deleted {
        return Ok(serde_json::to_string(&DeletedCustomer::new(id))?);
    }
    if expand.is_empty() && !deleted {
        return Ok(head.record.customer.to_owned());
    }
    let stored: StoredCustomer = serde_json::from_str(stored)?;
    Ok(serde_json::to_string(&render(&stored.record, expand))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::account_expand;
    use crate::resources::customers::model::{Customer, CustomerRecord};
    use crate::wire::form::decode_form;
    use crate::wire::params::Params;

    fn stored(deleted: bool) -> String {
        let mut customer = Customer::blank("cus_1".into(), 1, false, "ABCDEF12".into());
        customer.metadata.insert("k".into(), "v".into());
        let mut record = CustomerRecord::new(customer);
        record.deleted_at = deleted.then_some(5);
        serde_json::to_string(&StoredCustomer { version: 3, record }).unwrap()
    }

    fn expand(query: &str) -> Expand {
        Expand::parse_for_object(&mut Params::new(decode_form(query.as_bytes()).unwrap())).unwrap()
    }

    /// The default payment method's id, as `account_expand::wanted` asks the account.
    fn default_payment_method_of(shown: &str) -> Result<Option<String>, ApiError> {
        let e = expand("expand[]=invoice_settings.default_payment_method");
        Ok(account_expand::wanted(shown, &e)?
            .into_iter()
            .next()
            .map(|w| w.id))
    }

    /// The shown customer with `payment_method` in place, as `account_expand::apply` puts it.
    fn with_default_payment_method(shown: &str, payment_method: &str) -> Result<String, ApiError> {
        let e = expand("expand[]=invoice_settings.default_payment_method");
        account_expand::apply(
            shown.to_owned(),
            &e,
            &[("payment_method", payment_method.to_owned())],
        )
    }

    #[test]
    fn a_page_is_the_text_serde_writes_for_its_envelope() {
        use crate::wire::envelope::{List, SearchResult};
        use serde_json::value::RawValue;
        let shown = [
            r#"{"id":"cus_1","metadata":{"k":"v"}}"#,
            r#"{"id":"cus_2"}"#,
        ];
        let data: Vec<String> = shown.iter().map(|s| s.to_string()).collect();
        let raw = || -> Vec<Box<RawValue>> {
            shown
                .iter()
                .map(|s| RawValue::from_string(s.to_string()).unwrap())
                .collect()
        };
        for has_more in [false, true] {
            let list = serde_json::to_string(&List::new(LIST_URL, raw(), has_more)).unwrap();
            assert_eq!(
                page_text(PageEnvelope::List, &data, has_more).unwrap(),
                list
            );
        }
        for next_page in [None, Some("cGFnZQ==")] {
            let search = SearchResult::new(SEARCH_URL, raw(), next_page.map(str::to_owned));
            let envelope = PageEnvelope::Search { next_page };
            assert_eq!(
                page_text(envelope, &data, next_page.is_some()).unwrap(),
                serde_json::to_string(&search).unwrap()
            );
        }
        let empty = serde_json::to_string(&List::<Box<RawValue>>::new(LIST_URL, vec![], false));
        assert_eq!(
            page_text(PageEnvelope::List, &[], false).unwrap(),
            empty.unwrap()
        );
    }

    fn full_render(text: &str, expand: &Expand) -> String {
        let stored: StoredCustomer = serde_json::from_str(text).unwrap();
        serde_json::to_string(&render(&stored.record, expand)).unwrap()
    }

    #[test]
    fn the_plain_view_is_the_same_text_as_a_full_render() {
        let text = stored(false);
        let plain = customer_json(&text, "cus_1", &Expand::default(), false).unwrap();
        assert_eq!(plain, full_render(&text, &Expand::default()));
    }

    #[test]
    fn an_expanded_view_renders_the_expansions() {
        let text = stored(false);
        let e = expand("expand[]=tax");
        let view = customer_json(&text, "cus_1", &e, false).unwrap();
        assert_eq!(view, full_render(&text, &e));
        assert!(view.contains("\"tax\":{"));
    }

    #[test]
    fn a_deleted_customer_shows_the_stub_unless_asked_for_the_whole_record() {
        let text = stored(true);
        let stub = customer_json(&text, "cus_1", &Expand::default(), false).unwrap();
        assert_eq!(stub, r#"{"id":"cus_1","object":"customer","deleted":true}"#);
        let whole = customer_json(&text, "cus_1", &Expand::default(), true).unwrap();
        assert!(whole.contains("\"deleted\":true") && whole.contains("\"metadata\":{\"k\":\"v\"}"));
    }

    #[test]
    fn the_default_payment_method_expands_in_place_and_nothing_else_moves() {
        let mut customer = Customer::blank("cus_1".into(), 1, false, "ABCDEF12".into());
        // Every part of invoice_settings set, nested objects too: their text must be
        // what a parsed object prints (see `with_default_payment_method`).
        let settings = &mut customer.invoice_settings;
        settings.default_payment_method = Some("pm_1".into());
        settings.footer = Some("Thanks \"and\" é \u{1f600}".into());
        settings.custom_fields = Some(vec![crate::resources::customers::model::CustomField {
            name: "PO".into(),
            value: "\"default_payment_method\":\"pm_1\"".into(),
        }]);
        settings.rendering_options = Some(crate::resources::customers::model::RenderingOptions {
            amount_tax_display: Some("include_inclusive_tax".into()),
            template: Some("inrtem_1".into()),
        });
        // A metadata key of the same name is not the field.
        customer
            .metadata
            .insert("default_payment_method".into(), "pm_1".into());
        let record = CustomerRecord::new(customer);
        let text = serde_json::to_string(&StoredCustomer { version: 1, record }).unwrap();
        let e = expand("expand[]=invoice_settings.default_payment_method");
        let shown = customer_json(&text, "cus_1", &e, false).unwrap();
        assert_eq!(
            default_payment_method_of(&shown).unwrap().as_deref(),
            Some("pm_1")
        );
        let pm = r#"{"id":"pm_1","object":"payment_method","type":"card"}"#;
        let expanded = with_default_payment_method(&shown, pm).unwrap();
        assert_ne!(expanded, shown);
        let pm_text =
            r#""default_payment_method":{"id":"pm_1","object":"payment_method","type":"card"}"#;
        assert_eq!(
            expanded,
            shown.replacen(r#""default_payment_method":"pm_1""#, pm_text, 1)
        );
        assert!(expanded.contains(r#""metadata":{"default_payment_method":"pm_1"}"#));
        assert!(expanded.starts_with(r#"{"id":"cus_1","object":"customer","#));
    }

    #[test]
    fn a_customer_without_a_default_or_the_deleted_stub_has_nothing_to_expand() {
        let e = expand("expand[]=invoice_settings.default_payment_method");
        let shown = customer_json(&stored(false), "cus_1", &e, false).unwrap();
        assert_eq!(default_payment_method_of(&shown).unwrap(), None);
        let stub = customer_json(&stored(true), "cus_1", &e, false).unwrap();
        assert_eq!(default_payment_method_of(&stub).unwrap(), None);
        assert_eq!(with_default_payment_method(&stub, "{}").unwrap(), stub);
    }

    #[test]
    fn a_page_expands_each_default_through_the_lookup() {
        let mut customer = Customer::blank("cus_1".into(), 1, false, "ABCDEF12".into());
        customer.invoice_settings.default_payment_method = Some("pm_1".into());
        let record = CustomerRecord::new(customer);
        let with_default = serde_json::to_string(&StoredCustomer { version: 1, record }).unwrap();
        let without = stored(false);
        let mut p = Params::new(
            decode_form(b"expand[]=data.invoice_settings.default_payment_method").unwrap(),
        );
        let e = Expand::parse_for_list(&mut p).unwrap();
        let lookup = |wanted: &Wanted| {
            assert_eq!(wanted.kind, "payment_method");
            Ok((wanted.id == "pm_1").then(|| r#"{"id":"pm_1"}"#.to_owned()))
        };
        let body = customer_page_body(
            &[&with_default, &without],
            false,
            &e,
            PageEnvelope::List,
            lookup,
        )
        .unwrap();
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        let defaults: Vec<_> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["invoice_settings"]["default_payment_method"].clone())
            .collect();
        assert_eq!(defaults, [serde_json::json!({"id": "pm_1"}), Value::Null]);
    }

    #[test]
    fn the_version_and_deletion_are_read_from_the_text() {
        assert_eq!(version_and_deleted(&stored(true)).unwrap(), (3, true));
        assert_eq!(version_and_deleted(&stored(false)).unwrap(), (3, false));
    }
}

//! What a response shows of a stored customer, computed from the stored JSON text.
//! The common case (no expansion, not deleted) copies the stored customer object as
//! it is, without building it; anything else parses the record and renders it.

use serde_json::value::RawValue;

use super::expand::{render, Expand};
use super::model::DeletedCustomer;
use super::stored::{StoredCustomer, StoredHead};
use crate::wire::envelope::{List, SearchResult};
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
/// ran the query writes it, and the Worker sends it on unread.
pub fn customer_page_body(
    documents: &[&str],
    has_more: bool,
    expand: &Expand,
    envelope: PageEnvelope,
) -> Result<String, ApiError> {
    // A loop: `collect` into a `Result` costs the wasm an adapter per element type.
    let mut data = Vec::with_capacity(documents.len());
    for document in documents {
        let shown = customer_json(document, "", expand, false)?;
        data.push(RawValue::from_string(shown)?);
    }
    let compact = match envelope {
        PageEnvelope::List => serde_json::to_string(&List::new(LIST_URL, data, has_more))?,
        PageEnvelope::Search { next_page } => serde_json::to_string(&SearchResult::new(
            SEARCH_URL,
            data,
            next_page.map(str::to_owned),
        ))?,
    };
    Ok(pretty(&compact))
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
        return Ok(head.record.customer.get().to_owned());
    }
    let stored: StoredCustomer = serde_json::from_str(stored)?;
    Ok(serde_json::to_string(&render(&stored.record, expand))?)
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn the_version_and_deletion_are_read_from_the_text() {
        assert_eq!(version_and_deleted(&stored(true)).unwrap(), (3, true));
        assert_eq!(version_and_deleted(&stored(false)).unwrap(), (3, false));
    }
}

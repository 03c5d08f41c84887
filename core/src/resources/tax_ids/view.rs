//! What the tax id calls answer: one `tax_id` (its `customer` an id, or the customer
//! object when expanded), a page of them in Stripe's list envelope, newest first, and
//! the `{id, object: "tax_id", deleted: true}` of a delete.

use serde::Serialize;

use super::model::TaxId;
use super::params::ListTaxIds;
use crate::resources::customers::expand::Expand;
use crate::resources::customers::view::customer_json;
use crate::wire::error::ApiError;
use crate::wire::pagination::page_in_memory;

/// What Stripe answers for a deleted tax id.
#[derive(Debug, Serialize)]
pub struct DeletedTaxId<'a> {
    pub id: &'a str,
    pub object: &'static str,
    pub deleted: bool,
}

impl<'a> DeletedTaxId<'a> {
    pub fn new(id: &'a str) -> Self {
        DeletedTaxId {
            id,
            object: "tax_id",
            deleted: true,
        }
    }
}

/// The `customer` a tax id shows: its id, or with `expand[]=customer` the customer
/// itself, rendered from its stored JSON.
pub struct CustomerField {
    /// `"customer":"cus_…"`, as the tax id serialises it.
    plain: String,
    /// What replaces it: the same, or `"customer":{…}` when expanded.
    shown: String,
}

impl CustomerField {
    pub fn new(stored: &str, id: &str, expand: bool) -> Result<Self, ApiError> {
        let plain = format!("\"customer\":{}", serde_json::to_string(id)?);
        let shown = if expand {
            let customer = customer_json(stored, id, &Expand::default(), false)?;
            format!("\"customer\":{customer}")
        } else {
            plain.clone()
        };
        Ok(CustomerField { plain, shown })
    }
}

/// The compact JSON of one tax id, `customer` as `customer` says. Written from the
/// tax id's own serialisation (which the customer's `expand[]=tax_ids` uses too).
pub fn tax_id_json(tax_id: &TaxId, customer: &CustomerField) -> Result<String, ApiError> {
    let text = serde_json::to_string(tax_id)?;
    Ok(text.replacen(&customer.plain, &customer.shown, 1))
}

/// The compact JSON of a page of the customer's tax ids, newest first, in Stripe's list
/// envelope.
pub fn tax_id_page(
    tax_ids: &[TaxId],
    list: &ListTaxIds,
    customer_id: &str,
    customer: &CustomerField,
) -> Result<String, ApiError> {
    let newest_first: Vec<&TaxId> = tax_ids.iter().rev().collect();
    let (page, has_more) =
        page_in_memory(&newest_first, |t| &t.id, "tax id", list.limit, &list.cursor)?;
    // A loop: `collect` into a `Result` costs the wasm an adapter per element type.
    let mut data = Vec::with_capacity(page.len());
    for tax_id in page {
        data.push(tax_id_json(tax_id, customer)?);
    }
    let url = serde_json::to_string(&format!("/v1/customers/{customer_id}/tax_ids"))?;
    Ok(format!(
        "{{\"object\":\"list\",\"url\":{url},\"has_more\":{has_more},\"data\":[{}]}}",
        crate::wire::render::join(&data, ",")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::tax_ids::model::TaxIdData;

    fn tax_id() -> TaxId {
        TaxIdData {
            kind: "eu_vat".into(),
            value: "DE123456789".into(),
        }
        .into_tax_id("txi_1".into(), "cus_1", 5, false)
    }

    #[test]
    fn a_tax_id_renders_as_the_2023_fixture_does() {
        let customer = CustomerField::new("", "cus_1", false).unwrap();
        let json = tax_id_json(&tax_id(), &customer).unwrap();
        assert_eq!(
            json,
            r#"{"id":"txi_1","object":"tax_id","country":"DE","created":5,"customer":"cus_1","livemode":false,"type":"eu_vat","value":"DE123456789","verification":{"status":"pending","verified_address":null,"verified_name":null}}"#
        );
    }

    #[test]
    fn an_expanded_customer_replaces_the_id_and_a_page_is_a_stripe_list() {
        let stored = serde_json::to_string(&crate::resources::customers::stored::StoredCustomer {
            version: 1,
            record: crate::resources::customers::model::CustomerRecord::new(
                crate::resources::customers::model::Customer::blank(
                    "cus_1".into(),
                    1,
                    false,
                    "AB".into(),
                ),
            ),
        })
        .unwrap();
        let expanded = CustomerField::new(&stored, "cus_1", true).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&tax_id_json(&tax_id(), &expanded).unwrap()).unwrap();
        assert_eq!(json["customer"]["object"], "customer");
        assert_eq!(json["value"], "DE123456789");
        let list = ListTaxIds {
            limit: crate::wire::pagination::Limit::of(10),
            cursor: crate::wire::pagination::Cursor::First,
            expand: super::super::params::ExpandCustomer(false),
        };
        let plain = CustomerField::new(&stored, "cus_1", false).unwrap();
        let page = tax_id_page(&[tax_id()], &list, "cus_1", &plain).unwrap();
        let expected = format!(
            r#"{{"object":"list","url":"/v1/customers/cus_1/tax_ids","has_more":false,"data":[{}]}}"#,
            tax_id_json(&tax_id(), &plain).unwrap()
        );
        assert_eq!(page, expected);
    }

    #[test]
    fn a_deleted_tax_id_is_the_stub() {
        let text = serde_json::to_string(&DeletedTaxId::new("txi_1")).unwrap();
        assert_eq!(text, r#"{"id":"txi_1","object":"tax_id","deleted":true}"#);
    }
}

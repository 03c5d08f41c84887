//! What the tax id calls answer: one `tax_id` (its `customer` an id, or the customer
//! object when expanded), a page of them in Stripe's list envelope, newest first, and
//! the `{id, object: "tax_id", deleted: true}` of a delete.

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::model::TaxId;
use super::params::ListTaxIds;
use crate::resources::customers::expand::Expand;
use crate::resources::customers::view::customer_json;
use crate::wire::envelope::List;
use crate::wire::error::ApiError;
use crate::wire::pagination::page_in_memory;

/// A tax id as a response shows it: Stripe's field order, `customer` as given.
#[derive(Serialize)]
struct Shown<'a> {
    id: &'a str,
    object: &'a str,
    country: &'a Option<String>,
    created: i64,
    customer: &'a RawValue,
    livemode: bool,
    #[serde(rename = "type")]
    kind: &'a str,
    value: &'a str,
    verification: &'a Value,
}

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
pub struct CustomerField(Box<RawValue>);

impl CustomerField {
    pub fn new(stored: &str, id: &str, expand: bool) -> Result<Self, ApiError> {
        let json = if expand {
            customer_json(stored, id, &Expand::default(), false)?
        } else {
            serde_json::to_string(id)?
        };
        Ok(CustomerField(RawValue::from_string(json)?))
    }
}

/// The compact JSON of one tax id.
pub fn tax_id_json(tax_id: &TaxId, customer: &CustomerField) -> Result<String, ApiError> {
    Ok(serde_json::to_string(&shown(tax_id, customer))?)
}

fn shown<'a>(t: &'a TaxId, customer: &'a CustomerField) -> Shown<'a> {
    Shown {
        id: &t.id,
        object: &t.object,
        country: &t.country,
        created: t.created,
        customer: &customer.0,
        livemode: t.livemode,
        kind: &t.kind,
        value: &t.value,
        verification: &t.verification,
    }
}

/// The compact JSON of a page of the customer's tax ids, newest first.
pub fn tax_id_page(
    tax_ids: &[TaxId],
    list: &ListTaxIds,
    customer_id: &str,
    customer: &CustomerField,
) -> Result<String, ApiError> {
    let newest_first: Vec<&TaxId> = tax_ids.iter().rev().collect();
    let (page, has_more) =
        page_in_memory(&newest_first, |t| &t.id, "tax id", list.limit, &list.cursor)?;
    let data: Vec<Shown> = page.into_iter().map(|t| shown(t, customer)).collect();
    let url = format!("/v1/customers/{customer_id}/tax_ids");
    Ok(serde_json::to_string(&List::new(&url, data, has_more))?)
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
    fn a_deleted_tax_id_is_the_stub() {
        let text = serde_json::to_string(&DeletedTaxId::new("txi_1")).unwrap();
        assert_eq!(text, r#"{"id":"txi_1","object":"tax_id","deleted":true}"#);
    }
}

//! `expand[]`: which expandable Customer fields a response carries, and what each
//! looks like expanded. Unexpanded, `tax`, `tax_ids`, `sources`, `subscriptions`,
//! `cash_balance` and `invoice_credit_balance` are omitted; `default_source` and
//! `test_clock` stay ids. `default_source` expands to the card (the customer holds its
//! sources). `test_clock`, `invoice_settings.default_payment_method` and the discount's
//! `promotion_code` and `customer` are not expanded here: those objects are the
//! account's, so whoever holds them puts them in place (`account_expand`).

use super::model::{
    CashBalance, CashBalanceSettings, Customer, CustomerRecord, CustomerTax, TaxLocation,
};
use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::envelope::EmbeddedList;
use crate::wire::error::ApiError;
use crate::wire::params::{element_string, not_expandable, Field, Params};

/// The `expand[]` path of a customer's default payment method.
pub const DEFAULT_PAYMENT_METHOD: &str = "invoice_settings.default_payment_method";

/// The fields of a Customer that `expand[]` accepts: its `x-expandableFields` in
/// Stripe's 2023-08-16 schema (`address`, `discount`, `invoice_settings` and `shipping`
/// are objects already, shown as they are), `invoice_credit_balance`, and the paths
/// into them that hold ids. The account's objects among them (the default payment
/// method, the test clock, the discount's promotion code and customer) are put in place
/// by `account_expand`.
pub const EXPANDABLE: &[&str] = &[
    "address",
    "cash_balance",
    "default_source",
    "discount",
    "discount.coupon",
    "discount.customer",
    "discount.promotion_code",
    "invoice_credit_balance",
    "invoice_settings",
    DEFAULT_PAYMENT_METHOD,
    "shipping",
    "sources",
    "subscriptions",
    "tax",
    "tax_ids",
    "test_clock",
];

/// A checked set of customer fields to expand.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expand(Vec<String>);

impl Message for Expand {
    fn write(&self, w: &mut Writer) {
        w.strs(&self.0);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        r.strings().map(Expand)
    }
}

impl Expand {
    /// Reads `expand` for a single customer: paths are field names.
    pub fn parse_for_object(p: &mut Params) -> Result<Self, ApiError> {
        Self::parse(p, "")
    }

    /// Reads `expand` for a list or search: paths are `data.<field>`.
    pub fn parse_for_list(p: &mut Params) -> Result<Self, ApiError> {
        Self::parse(p, "data.")
    }

    fn parse(p: &mut Params, prefix: &str) -> Result<Self, ApiError> {
        let Field::Set(items) = p.list("expand")? else {
            return Ok(Expand::default());
        };
        let mut fields = Vec::with_capacity(items.len());
        for (name, value) in items {
            let path = element_string(&name, value, 500)?;
            let field = path
                .strip_prefix(prefix)
                .filter(|f| EXPANDABLE.contains(f))
                .ok_or_else(|| not_expandable(&path))?;
            if !fields.iter().any(|f| f == field) {
                fields.push(field.to_owned());
            }
        }
        Ok(Expand(fields))
    }

    pub fn contains(&self, field: &str) -> bool {
        self.0.iter().any(|f| f == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The customer as a response shows it, with the requested fields expanded.
pub fn render(record: &CustomerRecord, expand: &Expand) -> Customer {
    let mut c = record.customer.clone();
    if record.is_deleted() {
        // Seed 004's view of a deleted customer (`include_deleted=true`).
        c.deleted = Some(true);
        c.deleted_at = record.deleted_at;
    }
    if expand.is_empty() {
        return c;
    }
    let url = |sub: &str| format!("/v1/customers/{}/{sub}", c.id);
    if expand.contains("cash_balance") {
        c.cash_balance = Some(cash_balance(record));
    }
    if expand.contains("invoice_credit_balance") {
        c.invoice_credit_balance = Some(serde_json::Map::new());
    }
    if expand.contains("default_source") {
        let id = c.default_source.as_ref().and_then(|v| v.as_str());
        if let Some(card) = record.sources.iter().find(|s| s["id"].as_str() == id) {
            c.default_source = Some(card.clone());
        }
    }
    if expand.contains("sources") {
        c.sources = Some(EmbeddedList::new(url("sources"), record.sources.clone()));
    }
    if expand.contains("subscriptions") {
        c.subscriptions = Some(EmbeddedList::new(url("subscriptions"), Vec::new()));
    }
    if expand.contains("tax") {
        c.tax = Some(tax(record));
    }
    if expand.contains("tax_ids") {
        c.tax_ids = Some(EmbeddedList::new(url("tax_ids"), record.tax_ids.clone()));
    }
    c
}

fn cash_balance(record: &CustomerRecord) -> CashBalance {
    let mode = record.cash_balance_reconciliation.as_deref();
    let using_merchant_default = matches!(mode, None | Some("merchant_default"));
    let reconciliation_mode = match mode {
        Some(explicit) if !using_merchant_default => explicit,
        _ => "automatic",
    };
    CashBalance {
        object: "cash_balance",
        available: None,
        customer: record.customer.id.clone(),
        livemode: record.customer.livemode,
        settings: CashBalanceSettings {
            reconciliation_mode: reconciliation_mode.to_owned(),
            using_merchant_default,
        },
    }
}

/// Where Stripe Tax would place the customer: shipping address first, then billing.
pub fn tax_location(record: &CustomerRecord) -> Option<TaxLocation> {
    let c = &record.customer;
    let from_address = c.address.as_ref().map(|a| (a, "billing_address"));
    let from_shipping = c
        .shipping
        .as_ref()
        .map(|s| (&s.address, "shipping_destination"));
    [from_shipping, from_address]
        .into_iter()
        .flatten()
        .find_map(|(a, source)| {
            let country = a.country.as_ref().filter(|c| c.len() == 2)?;
            Some(TaxLocation {
                country: country.to_ascii_uppercase(),
                source,
                state: a.state.clone(),
            })
        })
}

fn tax(record: &CustomerRecord) -> CustomerTax {
    let location = tax_location(record);
    CustomerTax {
        automatic_tax: if location.is_some() {
            "supported"
        } else {
            "unrecognized_location"
        },
        ip_address: record.tax.ip_address.clone(),
        location,
        provider: "stripe",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn expand(query: &str, list: bool) -> Result<Expand, ApiError> {
        let mut p = Params::new(decode_form(query.as_bytes()).unwrap());
        if list {
            Expand::parse_for_list(&mut p)
        } else {
            Expand::parse_for_object(&mut p)
        }
    }

    fn record() -> CustomerRecord {
        CustomerRecord::new(Customer::blank("cus_1".into(), 1, false, "ABCDEF12".into()))
    }

    #[test]
    fn unexpanded_fields_are_omitted() {
        let json = serde_json::to_value(render(&record(), &Expand::default())).unwrap();
        for field in [
            "tax",
            "tax_ids",
            "sources",
            "subscriptions",
            "cash_balance",
            "invoice_credit_balance",
        ] {
            assert!(json.get(field).is_none(), "{field} should be omitted");
        }
        assert!(json["default_source"].is_null());
        assert!(json["test_clock"].is_null());
    }

    #[test]
    fn every_expandable_field_can_be_expanded() {
        let query: String = EXPANDABLE
            .iter()
            .map(|f| format!("expand[]={f}&"))
            .collect();
        let json =
            serde_json::to_value(render(&record(), &expand(&query, false).unwrap())).unwrap();
        assert_eq!(json["tax"]["automatic_tax"], "unrecognized_location");
        assert_eq!(json["tax_ids"]["url"], "/v1/customers/cus_1/tax_ids");
        assert_eq!(json["sources"]["object"], "list");
        assert_eq!(json["subscriptions"]["data"], serde_json::json!([]));
        assert!(json["subscriptions"].get("total_count").is_none());
        assert_eq!(
            json["cash_balance"]["settings"]["using_merchant_default"],
            true
        );
        assert_eq!(json["invoice_credit_balance"], serde_json::json!({}));
    }

    #[test]
    fn expanded_objects_print_object_first_as_stripe_does() {
        let mut r = record();
        r.tax_ids.push(
            crate::resources::tax_ids::model::TaxIdData {
                kind: "us_ein".into(),
                value: "12-3456789".into(),
            }
            .into_tax_id("txi_1".into(), "cus_1", 1, false),
        );
        let query = "expand[]=tax_ids&expand[]=cash_balance&expand[]=sources";
        let text = serde_json::to_string(&render(&r, &expand(query, false).unwrap())).unwrap();
        assert!(
            text.contains(r#""tax_ids":{"object":"list","data":[{"id":"txi_1","object":"tax_id","#)
        );
        assert!(text.contains(r#""cash_balance":{"object":"cash_balance","available":null,"#));
        assert!(text.contains(r#""sources":{"object":"list","data":[],"has_more":false,"url":"/v1/customers/cus_1/sources"}"#));
    }

    #[test]
    fn lists_expand_data_paths_only() {
        assert!(expand("expand[]=data.tax", true).unwrap().contains("tax"));
        assert!(expand("expand[]=tax", true).is_err());
        assert!(expand("expand[]=data.tax", false).is_err());
    }

    #[test]
    fn unknown_or_plain_fields_cannot_be_expanded() {
        for field in ["email", "nonsense", "tax.location"] {
            let err = expand(&format!("expand[]={field}"), false).unwrap_err();
            assert_eq!(err.param(), Some("expand"), "{field}");
            assert!(err
                .to_string()
                .starts_with("This property cannot be expanded"));
        }
    }

    #[test]
    fn the_tax_location_comes_from_the_address_country() {
        let mut r = record();
        r.customer.address = Some(crate::resources::customers::model::Address {
            country: Some("US".into()),
            state: Some("CA".into()),
            ..Default::default()
        });
        let json = serde_json::to_value(tax(&r)).unwrap();
        assert_eq!(json["automatic_tax"], "supported");
        assert_eq!(json["location"]["country"], "US");
        assert_eq!(json["location"]["source"], "billing_address");
    }
}

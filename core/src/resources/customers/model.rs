//! The Customer object exactly as Stripe renders it (seed 000), plus the private
//! state kept beside it (tax settings, tax ids, soft-delete time) in one stored record.
//! Field order is Stripe's: `id`, `object`, then alphabetical.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use super::expand::{CashBalance, CustomerTax};
use crate::resources::tax_ids::model::TaxId;
use crate::wire::envelope::EmbeddedList;

pub use crate::wire::metadata::Metadata;

/// The public Customer object. The fields marked `skip_deserializing` exist only in
/// responses (expansions and `deleted`) and are never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub object: String,
    pub address: Option<Address>,
    pub balance: i64,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub cash_balance: Option<CashBalance>,
    pub created: i64,
    pub currency: Option<String>,
    pub default_source: Option<Value>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Seed 004's `include_deleted=true` view only (Stripe's customer has no such
    /// field): the unix time of the soft delete.
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// Seed 004's computed flag; see [`super::delinquency`].
    pub delinquent: bool,
    pub description: Option<String>,
    pub discount: Option<Value>,
    pub email: Option<String>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub invoice_credit_balance: Option<BTreeMap<String, i64>>,
    pub invoice_prefix: Option<String>,
    pub invoice_settings: InvoiceSettings,
    pub livemode: bool,
    pub metadata: Metadata,
    pub name: Option<String>,
    pub next_invoice_sequence: Option<i64>,
    pub phone: Option<String>,
    pub preferred_locales: Vec<String>,
    pub shipping: Option<Shipping>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub sources: Option<EmbeddedList<Value>>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<EmbeddedList<Value>>,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub tax: Option<CustomerTax>,
    pub tax_exempt: String,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    pub tax_ids: Option<EmbeddedList<TaxId>>,
    pub test_clock: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Address {
    pub city: Option<String>,
    pub country: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipping {
    pub address: Address,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceSettings {
    pub custom_fields: Option<Vec<CustomField>>,
    pub default_payment_method: Option<String>,
    pub footer: Option<String>,
    pub rendering_options: Option<RenderingOptions>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomField {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RenderingOptions {
    pub amount_tax_display: Option<String>,
    pub template: Option<String>,
}

/// Tax settings given with `tax[…]`; rendered through the expandable `tax` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaxSettings {
    pub ip_address: Option<String>,
    pub validate_location: Option<String>,
}

/// What a CustomerObject stores: the public object and the private state beside it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub customer: Customer,
    #[serde(default)]
    pub tax: TaxSettings,
    #[serde(default)]
    pub cash_balance_reconciliation: Option<String>,
    #[serde(default)]
    pub tax_ids: Vec<TaxId>,
    /// The customer's card sources (`card_…`), newest first.
    #[serde(default)]
    pub sources: Vec<Value>,
    /// Unix seconds of the soft delete, if deleted.
    #[serde(default)]
    pub deleted_at: Option<i64>,
    /// Set once the retention window passed and the personal data was purged: the
    /// record then keeps only `id`, `object`, `created`, `livemode` and `deleted_at`
    /// (every other field at its blank value). A purged customer cannot be undeleted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub purged: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Customer {
    /// A customer with every field at the default Stripe shows for a new customer.
    pub fn blank(id: String, created: i64, livemode: bool, invoice_prefix: String) -> Self {
        Customer {
            id,
            object: "customer".into(),
            address: None,
            balance: 0,
            cash_balance: None,
            created,
            currency: None,
            default_source: None,
            deleted: None,
            deleted_at: None,
            delinquent: false,
            description: None,
            discount: None,
            email: None,
            invoice_credit_balance: None,
            invoice_prefix: Some(invoice_prefix),
            invoice_settings: InvoiceSettings::default(),
            livemode,
            metadata: Metadata::new(),
            name: None,
            next_invoice_sequence: Some(1),
            phone: None,
            preferred_locales: Vec::new(),
            shipping: None,
            sources: None,
            subscriptions: None,
            tax: None,
            tax_exempt: "none".into(),
            tax_ids: None,
            test_clock: None,
        }
    }
}

impl CustomerRecord {
    pub fn new(customer: Customer) -> Self {
        CustomerRecord {
            customer,
            tax: TaxSettings::default(),
            cash_balance_reconciliation: None,
            tax_ids: Vec::new(),
            sources: Vec::new(),
            deleted_at: None,
            purged: false,
        }
    }

    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// What is left of this deleted customer once its personal data is purged: email,
    /// name, phone, addresses, shipping, metadata, tax ids, payment settings and every
    /// other field go; the identity and the deletion time stay.
    pub fn purged_stub(&self) -> Self {
        let c = &self.customer;
        let mut customer = Customer::blank(c.id.clone(), c.created, c.livemode, String::new());
        customer.invoice_prefix = None;
        // Not personal, and Stripe's schema has no null for it.
        customer.next_invoice_sequence = c.next_invoice_sequence;
        CustomerRecord {
            deleted_at: self.deleted_at,
            purged: true,
            ..CustomerRecord::new(customer)
        }
    }
}

/// What Stripe returns for a deleted customer, on DELETE and on a later GET.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedCustomer {
    pub id: String,
    pub object: String,
    pub deleted: bool,
}

impl DeletedCustomer {
    pub fn new(id: &str) -> Self {
        DeletedCustomer {
            id: id.to_owned(),
            object: "customer".into(),
            deleted: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_customer_serialises_to_the_seed_shape_in_the_seed_order() {
        let c = Customer::blank(
            "cus_NffrFeUfNV2Hib".into(),
            1680893993,
            false,
            "0759376C".into(),
        );
        let json = serde_json::to_string(&c).unwrap();
        let expected = r#"{"id":"cus_NffrFeUfNV2Hib","object":"customer","address":null,"balance":0,"created":1680893993,"currency":null,"default_source":null,"delinquent":false,"description":null,"discount":null,"email":null,"invoice_prefix":"0759376C","invoice_settings":{"custom_fields":null,"default_payment_method":null,"footer":null,"rendering_options":null},"livemode":false,"metadata":{},"name":null,"next_invoice_sequence":1,"phone":null,"preferred_locales":[],"shipping":null,"tax_exempt":"none","test_clock":null}"#;
        assert_eq!(json, expected);
    }

    #[test]
    fn a_purged_stub_keeps_only_the_identity_and_the_deletion_time() {
        let mut c = Customer::blank("cus_1".into(), 7, true, "ABC".into());
        c.email = Some("ada@example.com".into());
        c.metadata.insert("k".into(), "v".into());
        let mut record = CustomerRecord::new(c);
        record.deleted_at = Some(9);
        let stub = record.purged_stub();
        assert!(stub.purged);
        assert_eq!(stub.deleted_at, Some(9));
        assert_eq!(
            (
                stub.customer.id.as_str(),
                stub.customer.created,
                stub.customer.livemode
            ),
            ("cus_1", 7, true)
        );
        assert_eq!(stub.customer.email, None);
        assert!(stub.customer.metadata.is_empty());
        assert_eq!(stub.customer.invoice_prefix, None);
        let text = serde_json::to_string(&stub).unwrap();
        assert!(text.contains("\"purged\":true"));
        assert!(!serde_json::to_string(&record).unwrap().contains("purged"));
    }

    #[test]
    fn a_stored_record_round_trips() {
        let c = Customer::blank("cus_1".into(), 1, true, "ABC".into());
        let record = CustomerRecord::new(c);
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(
            serde_json::from_str::<CustomerRecord>(&text).unwrap(),
            record
        );
    }
}

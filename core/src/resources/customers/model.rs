//! The Customer object exactly as Stripe renders it (seed 000), plus the private
//! state kept beside it (tax settings, tax ids, soft-delete time) in one stored record.
//! Field order is Stripe's: `id`, `object`, then alphabetical.

use serde::Serialize;
use serde_json::Value;

use crate::resources::tax_ids::model::TaxId;
use crate::wire::envelope::EmbeddedList;
use crate::wire::fields::Fields;

pub use crate::wire::metadata::Metadata;

/// The public Customer object. The fields marked `skip_deserializing` exist only in
/// responses (expansions and `deleted`) and are never stored ([`Customer::read`] leaves
/// them `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Customer {
    pub id: String,
    pub object: String,
    pub address: Option<Address>,
    pub balance: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cash_balance: Option<CashBalance>,
    pub created: i64,
    pub currency: Option<String>,
    pub default_source: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    /// Seed 004's `include_deleted=true` view only (Stripe's customer has no such
    /// field): the unix time of the soft delete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<i64>,
    /// Seed 004's computed flag; see [`super::delinquency`].
    pub delinquent: bool,
    pub description: Option<String>,
    pub discount: Option<Value>,
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Amounts per currency; always empty here. A JSON map (`serde_json::Map`), whose
    /// code the wasm has anyway, rather than a map of integers of its own.
    pub invoice_credit_balance: Option<serde_json::Map<String, Value>>,
    pub invoice_prefix: Option<String>,
    pub invoice_settings: InvoiceSettings,
    pub livemode: bool,
    pub metadata: Metadata,
    pub name: Option<String>,
    pub next_invoice_sequence: Option<i64>,
    pub phone: Option<String>,
    pub preferred_locales: Vec<String>,
    pub shipping: Option<Shipping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<EmbeddedList<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<EmbeddedList<Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax: Option<CustomerTax>,
    pub tax_exempt: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_ids: Option<EmbeddedList<TaxId>>,
    pub test_clock: Option<Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Address {
    pub city: Option<String>,
    pub country: Option<String>,
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub postal_code: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shipping {
    pub address: Address,
    pub name: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InvoiceSettings {
    pub custom_fields: Option<Vec<CustomField>>,
    pub default_payment_method: Option<String>,
    pub footer: Option<String>,
    pub rendering_options: Option<RenderingOptions>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomField {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RenderingOptions {
    pub amount_tax_display: Option<String>,
    pub template: Option<String>,
}

/// Tax settings given with `tax[…]`; rendered through the expandable `tax` field.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaxSettings {
    pub ip_address: Option<String>,
    pub validate_location: Option<String>,
}

/// What a CustomerObject stores: the public object and the private state beside it.
/// Every field but `customer` may be absent from a stored record (older records): it
/// then reads as its default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerRecord {
    pub customer: Customer,
    pub tax: TaxSettings,
    pub cash_balance_reconciliation: Option<String>,
    pub tax_ids: Vec<TaxId>,
    /// The customer's card sources (`card_…`), newest first.
    pub sources: Vec<Value>,
    /// Unix seconds of the soft delete, if deleted.
    pub deleted_at: Option<i64>,
    /// Set once the retention window passed and the personal data was purged: the
    /// record then keeps only `id`, `object`, `created`, `livemode` and `deleted_at`
    /// (every other field at its blank value). A purged customer cannot be undeleted.
    #[serde(skip_serializing_if = "is_false")]
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

// The stored forms, read by hand (`wire::fields`); the JSON the derived `Serialize`
// writes reads back the same.

crate::read_serde!(CustomerRecord);

impl Customer {
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(Customer {
            id: f.string("id")?,
            object: f.string("object")?,
            address: f.opt_object("address", Address::read)?,
            balance: f.int("balance")?,
            cash_balance: None,
            created: f.int("created")?,
            currency: f.opt_string("currency")?,
            default_source: f.opt_value("default_source")?,
            deleted: None,
            deleted_at: None,
            delinquent: f.bool("delinquent")?,
            description: f.opt_string("description")?,
            discount: f.opt_value("discount")?,
            email: f.opt_string("email")?,
            invoice_credit_balance: None,
            invoice_prefix: f.opt_string("invoice_prefix")?,
            invoice_settings: f.object("invoice_settings", InvoiceSettings::read)?,
            livemode: f.bool("livemode")?,
            metadata: f.string_map("metadata")?,
            name: f.opt_string("name")?,
            next_invoice_sequence: f.opt_int("next_invoice_sequence")?,
            phone: f.opt_string("phone")?,
            preferred_locales: f.strings("preferred_locales")?,
            shipping: f.opt_object("shipping", Shipping::read)?,
            sources: None,
            subscriptions: None,
            tax: None,
            tax_exempt: f.string("tax_exempt")?,
            tax_ids: None,
            test_clock: f.opt_value("test_clock")?,
        })
    }
}

impl Address {
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(Address {
            city: f.opt_string("city")?,
            country: f.opt_string("country")?,
            line1: f.opt_string("line1")?,
            line2: f.opt_string("line2")?,
            postal_code: f.opt_string("postal_code")?,
            state: f.opt_string("state")?,
        })
    }
}

impl Shipping {
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(Shipping {
            address: f.object("address", Address::read)?,
            name: f.string("name")?,
            phone: f.opt_string("phone")?,
        })
    }
}

impl InvoiceSettings {
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(InvoiceSettings {
            custom_fields: f.opt_list("custom_fields", |mut c| {
                Some(CustomField {
                    name: c.string("name")?,
                    value: c.string("value")?,
                })
            })?,
            default_payment_method: f.opt_string("default_payment_method")?,
            footer: f.opt_string("footer")?,
            rendering_options: f.opt_object("rendering_options", |mut r| {
                Some(RenderingOptions {
                    amount_tax_display: r.opt_string("amount_tax_display")?,
                    template: r.opt_string("template")?,
                })
            })?,
        })
    }
}

impl CustomerRecord {
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(CustomerRecord {
            customer: f.object("customer", Customer::read)?,
            tax: if f.has("tax") {
                f.object("tax", |mut t| {
                    Some(TaxSettings {
                        ip_address: t.opt_string("ip_address")?,
                        validate_location: t.opt_string("validate_location")?,
                    })
                })?
            } else {
                TaxSettings::default()
            },
            cash_balance_reconciliation: f.opt_string("cash_balance_reconciliation")?,
            tax_ids: if f.has("tax_ids") {
                f.list("tax_ids", TaxId::read)?
            } else {
                Vec::new()
            },
            sources: if f.has("sources") {
                f.values("sources")?
            } else {
                Vec::new()
            },
            deleted_at: f.opt_int("deleted_at")?,
            purged: if f.has("purged") {
                f.bool("purged")?
            } else {
                false
            },
        })
    }

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
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// `Customer.tax`, expanded: where Stripe Tax places the customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CustomerTax {
    pub automatic_tax: &'static str,
    pub ip_address: Option<String>,
    pub location: Option<TaxLocation>,
    pub provider: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaxLocation {
    pub country: String,
    pub source: &'static str,
    pub state: Option<String>,
}

/// `Customer.cash_balance`, expanded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CashBalance {
    pub object: &'static str,
    /// Amounts per currency (a JSON map, as `Customer::invoice_credit_balance`).
    pub available: Option<serde_json::Map<String, serde_json::Value>>,
    pub customer: String,
    pub livemode: bool,
    pub settings: CashBalanceSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CashBalanceSettings {
    pub reconciliation_mode: String,
    pub using_merchant_default: bool,
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
    fn a_record_with_every_field_set_reads_back_as_written() {
        let address = Address {
            city: Some("Paris".into()),
            country: Some("FR".into()),
            line1: Some("1 rue \"x\"".into()),
            line2: None,
            postal_code: Some("75001".into()),
            state: Some("".into()),
        };
        let mut c = Customer::blank("cus_1".into(), 1, true, "ABC".into());
        c.address = Some(address.clone());
        c.balance = -5;
        c.currency = Some("eur".into());
        c.default_source = Some(Value::from("card_1"));
        c.delinquent = true;
        c.description = Some("d".into());
        c.discount = Some(serde_json::json!({"id": "di_1", "coupon": {"id": "TEN"}}));
        c.email = Some("a@b.c".into());
        c.invoice_settings = InvoiceSettings {
            custom_fields: Some(vec![CustomField {
                name: "PO".into(),
                value: "42".into(),
            }]),
            default_payment_method: Some("pm_1".into()),
            footer: Some("f".into()),
            rendering_options: Some(RenderingOptions {
                amount_tax_display: None,
                template: Some("t".into()),
            }),
        };
        c.metadata.insert("k".into(), "v".into());
        c.name = Some("Ada".into());
        c.next_invoice_sequence = None;
        c.phone = Some("+1".into());
        c.preferred_locales = vec!["en".into(), "fr".into()];
        c.shipping = Some(Shipping {
            address,
            name: "Ada".into(),
            phone: None,
        });
        c.tax_exempt = "reverse".into();
        c.test_clock = Some(Value::from("clock_1"));
        let mut record = CustomerRecord::new(c);
        record.tax = TaxSettings {
            ip_address: Some("127.0.0.1".into()),
            validate_location: None,
        };
        record.cash_balance_reconciliation = Some("manual".into());
        record.tax_ids = vec![TaxId {
            id: "txi_1".into(),
            object: "tax_id".into(),
            country: None,
            created: 2,
            customer: "cus_1".into(),
            livemode: true,
            kind: "eu_vat".into(),
            value: "DE123456789".into(),
            verification: serde_json::json!({"status": "pending", "verified_name": null}),
        }];
        record.sources = vec![serde_json::json!({"id": "card_1", "object": "card"})];
        record.deleted_at = Some(3);
        record.purged = true;
        let text = serde_json::to_string(&record).unwrap();
        assert_eq!(
            serde_json::from_str::<CustomerRecord>(&text).unwrap(),
            record
        );
        // Fields only responses carry are not read back, as serde skipped them.
        let mut shown = record.customer.clone();
        shown.deleted = Some(true);
        shown.tax_ids = Some(EmbeddedList::new("/v1/x".into(), Vec::new()));
        let shown = serde_json::to_value(&shown).unwrap();
        assert_eq!(
            Customer::read(Fields::of(shown).unwrap()),
            Some(record.customer)
        );
    }

    #[test]
    fn a_stored_record_reads_like_serde_did() {
        let customer =
            serde_json::to_value(Customer::blank("cus_1".into(), 1, false, "A".into())).unwrap();
        let read = |record: Value| serde_json::from_value::<CustomerRecord>(record).ok();
        let minimal = read(serde_json::json!({"customer": customer, "extra": 1})).unwrap();
        assert_eq!(minimal, CustomerRecord::new(minimal.customer.clone()));
        assert!(read(serde_json::json!({"customer": customer, "tax": null})).is_none());
        assert!(read(serde_json::json!({"customer": customer, "purged": "yes"})).is_none());
        let mut no_email = customer.clone();
        no_email.as_object_mut().unwrap().remove("email");
        assert!(
            read(serde_json::json!({"customer": no_email})).is_some(),
            "an absent option is None"
        );
        let mut no_balance = customer;
        no_balance.as_object_mut().unwrap().remove("balance");
        assert!(
            read(serde_json::json!({"customer": no_balance})).is_none(),
            "a required field"
        );
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

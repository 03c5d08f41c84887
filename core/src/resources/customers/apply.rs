//! Applying validated parameters to a stored customer: the pure state transition
//! that a CustomerObject runs between its SQL read and its SQL write. Checks that
//! depend on the stored state (the metadata key count, tax location) live here.

use super::changes::{CustomerParams, InvoiceSettingsPatch};
use super::claims::Claimed;
use super::model::{Customer, CustomerRecord, InvoiceSettings};
use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::Field;

/// Who the new customer is: everything `create` needs besides the parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub id: String,
    pub created: i64,
    pub livemode: bool,
}

impl Message for NewCustomer {
    fn write(&self, w: &mut Writer) {
        w.str(&self.id);
        w.int(self.created);
        w.bool(self.livemode);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(NewCustomer {
            id: r.string()?,
            created: r.int()?,
            livemode: r.bool()?,
        })
    }
}

/// Builds the record of a new customer from create parameters and what was claimed.
pub fn create(
    new: NewCustomer,
    mut params: CustomerParams,
    claimed: Claimed,
) -> Result<CustomerRecord, ApiError> {
    let customer = Customer::blank(new.id, new.created, new.livemode, ids::invoice_prefix()?);
    let mut record = CustomerRecord::new(customer);
    let tax_id_data = std::mem::take(&mut params.tax_id_data);
    update(&mut record, params, claimed, new.created)?;
    for data in tax_id_data {
        let tax_id = data.into_tax_id(
            ids::random_id("txi")?,
            &record.customer.id,
            new.created,
            new.livemode,
        );
        record.tax_ids.push(tax_id);
    }
    Ok(record)
}

/// Applies update parameters and what was claimed for them (the discount, the resolved
/// default payment method, the test clock) in place; on error the caller discards the
/// copy it passed. `source` and `default_source` are resolved against the record here.
pub fn update(
    record: &mut CustomerRecord,
    params: CustomerParams,
    claimed: Claimed,
    now: i64,
) -> Result<(), ApiError> {
    super::sources::apply_references(record, &params.references, now)?;
    apply_fields(record, params)?;
    let c = &mut record.customer;
    if let Some(coupon) = claimed.coupon {
        c.discount = Some(crate::resources::coupons::discount(
            coupon,
            &c.id,
            claimed.promotion_code,
            now,
        )?);
    }
    if let Some(pm) = claimed.default_payment_method {
        c.invoice_settings.default_payment_method = Some(pm);
    }
    if let Some(clock) = claimed.test_clock {
        c.test_clock = Some(clock.into());
    }
    Ok(())
}

fn apply_fields(record: &mut CustomerRecord, params: CustomerParams) -> Result<(), ApiError> {
    let c = &mut record.customer;
    if let Field::Set(patch) = params.address {
        patch.apply_to(c.address.get_or_insert_with(Default::default));
    } else if params.address == Field::Unset {
        c.address = None;
    }
    apply_required(params.balance, &mut c.balance, 0);
    params.description.apply_to(&mut c.description);
    params.email.apply_to(&mut c.email);
    params.invoice_prefix.apply_to(&mut c.invoice_prefix);
    if let Some(patch) = params.invoice_settings {
        apply_invoice_settings(&mut c.invoice_settings, patch);
    }
    params.metadata.apply_to(&mut c.metadata)?;
    params.name.apply_to(&mut c.name);
    params
        .next_invoice_sequence
        .apply_to(&mut c.next_invoice_sequence);
    params.phone.apply_to(&mut c.phone);
    apply_required(
        params.preferred_locales,
        &mut c.preferred_locales,
        Vec::new(),
    );
    params.shipping.apply_to(&mut c.shipping);
    apply_required(params.tax_exempt, &mut c.tax_exempt, "none".into());
    params
        .cash_balance_reconciliation
        .apply_to(&mut record.cash_balance_reconciliation);
    if let Some(tax) = params.tax {
        tax.ip_address.apply_to(&mut record.tax.ip_address);
        if tax.validate_location.as_deref() == Some("immediately") {
            check_tax_location(record)?;
        }
        if tax.validate_location.is_some() {
            record.tax.validate_location = tax.validate_location;
        }
    }
    Ok(())
}

/// A field that is never null: unset restores its default.
fn apply_required<T>(field: Field<T>, slot: &mut T, default: T) {
    match field {
        Field::Absent => {}
        Field::Unset => *slot = default,
        Field::Set(v) => *slot = v,
    }
}

fn apply_invoice_settings(settings: &mut InvoiceSettings, patch: InvoiceSettingsPatch) {
    patch.custom_fields.apply_to(&mut settings.custom_fields);
    patch
        .default_payment_method
        .apply_to(&mut settings.default_payment_method);
    patch.footer.apply_to(&mut settings.footer);
    match patch.rendering_options {
        Field::Absent => {}
        Field::Unset => settings.rendering_options = None,
        Field::Set(r) => {
            let options = settings
                .rendering_options
                .get_or_insert_with(Default::default);
            r.amount_tax_display
                .apply_to(&mut options.amount_tax_display);
            r.template.apply_to(&mut options.template);
        }
    }
}

/// `tax[validate_location]=immediately` fails unless the customer has a location
/// Stripe Tax could resolve: a country on the address (or shipping address).
fn check_tax_location(record: &CustomerRecord) -> Result<(), ApiError> {
    if super::expand::tax_location(record).is_some() {
        return Ok(());
    }
    Err(ApiError::invalid_with_code(
        "tax",
        "customer_tax_location_invalid",
        "The customer's location isn't recognized. Provide an address with a valid country to use tax[validate_location]=immediately.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::changes::{test_support::test_params as params, Operation};

    fn created(body: &str) -> CustomerRecord {
        let new = NewCustomer {
            id: "cus_test".into(),
            created: 100,
            livemode: false,
        };
        create(new, params(Operation::Create, body), Claimed::default()).unwrap()
    }

    #[test]
    fn parameters_not_passed_stay_unchanged() {
        let mut record = created("name=Jenny&email=j%40x.io&metadata[a]=1");
        update(
            &mut record,
            params(Operation::Update, "phone=555"),
            Claimed::default(),
            0,
        )
        .unwrap();
        let c = &record.customer;
        assert_eq!(c.name.as_deref(), Some("Jenny"));
        assert_eq!(c.email.as_deref(), Some("j@x.io"));
        assert_eq!(c.phone.as_deref(), Some("555"));
        assert_eq!(c.metadata.get("a").map(String::as_str), Some("1"));
    }

    #[test]
    fn metadata_merges_removes_one_key_and_clears() {
        let mut record = created("metadata[a]=1&metadata[b]=2");
        update(
            &mut record,
            params(Operation::Update, "metadata[c]=3&metadata[a]="),
            Claimed::default(),
            0,
        )
        .unwrap();
        let keys: Vec<_> = record.customer.metadata.keys().cloned().collect();
        assert_eq!(keys, ["b", "c"]);
        update(
            &mut record,
            params(Operation::Update, "metadata="),
            Claimed::default(),
            0,
        )
        .unwrap();
        assert!(record.customer.metadata.is_empty());
    }

    #[test]
    fn merged_metadata_may_not_exceed_fifty_keys() {
        let first: String = (0..30).map(|i| format!("metadata[a{i}]=v&")).collect();
        let second: String = (0..30).map(|i| format!("metadata[b{i}]=v&")).collect();
        let mut record = created(&first);
        let err = update(
            &mut record,
            params(Operation::Update, &second),
            Claimed::default(),
            0,
        )
        .unwrap_err();
        assert_eq!(err.param(), Some("metadata"));
    }

    #[test]
    fn an_empty_value_unsets_nullable_fields_and_resets_the_others() {
        let mut record = created("name=Jenny&tax_exempt=exempt&preferred_locales[]=fr");
        update(
            &mut record,
            params(Operation::Update, "name=&tax_exempt=&preferred_locales="),
            Claimed::default(),
            0,
        )
        .unwrap();
        let c = &record.customer;
        assert_eq!(c.name, None);
        assert_eq!(c.tax_exempt, "none");
        assert!(c.preferred_locales.is_empty());
    }

    #[test]
    fn address_parts_merge_and_shipping_is_replaced_whole() {
        let mut record = created("address[city]=Paris&address[country]=FR&shipping[name]=A&shipping[address][city]=Lyon&shipping[phone]=1");
        update(
            &mut record,
            params(
                Operation::Update,
                "address[line1]=1+Rue&shipping[name]=B&shipping[address][line1]=2+Rue",
            ),
            Claimed::default(),
            0,
        )
        .unwrap();
        let address = record.customer.address.clone().unwrap();
        assert_eq!(address.city.as_deref(), Some("Paris"));
        assert_eq!(address.line1.as_deref(), Some("1 Rue"));
        let shipping = record.customer.shipping.clone().unwrap();
        assert_eq!(shipping.name, "B");
        assert_eq!(shipping.address.city, None);
        assert_eq!(shipping.phone, None);
        update(
            &mut record,
            params(Operation::Update, "shipping=&address="),
            Claimed::default(),
            0,
        )
        .unwrap();
        assert_eq!(record.customer.shipping, None);
        assert_eq!(record.customer.address, None);
    }

    #[test]
    fn immediate_tax_validation_needs_a_country() {
        let new = NewCustomer {
            id: "cus_t".into(),
            created: 1,
            livemode: false,
        };
        let err = create(
            new.clone(),
            params(Operation::Create, "tax[validate_location]=immediately"),
            Claimed::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), Some("customer_tax_location_invalid"));
        let ok = create(
            new,
            params(
                Operation::Create,
                "address[country]=US&address[postal_code]=94105&tax[validate_location]=immediately",
            ),
            Claimed::default(),
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn tax_id_data_becomes_txi_objects_on_create() {
        let record = created("tax_id_data[0][type]=us_ein&tax_id_data[0][value]=12-3456789");
        assert_eq!(record.tax_ids.len(), 1);
        assert!(record.tax_ids[0].id.starts_with("txi_"));
        assert_eq!(record.tax_ids[0].customer, "cus_test");
        assert_eq!(record.tax_ids[0].country.as_deref(), Some("US"));
    }

    #[test]
    fn new_customers_get_stripe_defaults() {
        let c = created("").customer;
        assert_eq!(c.next_invoice_sequence, Some(1));
        assert_eq!(c.tax_exempt, "none");
        assert_eq!(c.invoice_prefix.as_ref().map(String::len), Some(8));
        assert_eq!(c.created, 100);
    }
}

//! Every length limit and enum of the Customer parameters, in one table, so that
//! the validators, the README's parameter table and the tests agree.
//! Values follow Stripe's reference (seeds 000–003) and its published OpenAPI spec.

pub const EMAIL_MAX: usize = 512;
pub const NAME_MAX: usize = 256;
pub const PHONE_MAX: usize = 20;
pub const DESCRIPTION_MAX: usize = 5000;
pub const ADDRESS_PART_MAX: usize = 5000;
pub const SHIPPING_NAME_MAX: usize = 5000;
pub const SHIPPING_PHONE_MAX: usize = 5000;
pub const FOOTER_MAX: usize = 5000;
pub const TEMPLATE_MAX: usize = 5000;
pub const LOCALE_MAX: usize = 5000;
pub const REFERENCE_ID_MAX: usize = 5000;
pub const IP_ADDRESS_MAX: usize = 45;

pub const INVOICE_PREFIX_MIN: usize = 3;
pub const INVOICE_PREFIX_MAX: usize = 12;

pub const CUSTOM_FIELDS_MAX: usize = 4;
pub const CUSTOM_FIELD_NAME_MAX: usize = 40;
pub const CUSTOM_FIELD_VALUE_MAX: usize = 140;

pub const TAX_ID_DATA_MAX: usize = 25;

/// In the order Stripe lists them in its error message.
pub const TAX_EXEMPT: &[&str] = &["none", "reverse", "exempt"];
pub const TAX_VALIDATE_LOCATION: &[&str] = &["auto", "deferred", "immediately"];
pub const AMOUNT_TAX_DISPLAY: &[&str] = &["exclude_tax", "include_inclusive_tax"];
pub const RECONCILIATION_MODE: &[&str] = &["automatic", "manual", "merchant_default"];

//! `CreateCustomer` and `UpdateCustomer`: the typed, validated parameters of the two
//! calls (seeds 000–003), parsed from the decoded form with [`Params`]. A value that
//! gets past `parse` is well-formed; what depends on stored state is checked in `apply`.

use super::email::check_email;
use super::limits::*;
use super::model::{Address, CustomField, Shipping};
use crate::resources::tax_ids::model::TaxIdData;
use crate::wire::error::ApiError;
use crate::wire::form::FormMap;
use crate::wire::metadata::MetadataPatch;
use crate::wire::params::{element_object, element_string, empty_value, Field, Params};

/// Which call the parameters belong to: a few exist only on one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

/// An id that must name an existing object of another kind (a coupon, a payment method…).
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// The table the id is looked up in, e.g. `coupon`.
    pub kind: ReferenceKind,
    pub id: String,
    /// Bracket path of the parameter that named it.
    pub param: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceKind {
    Coupon,
    PromotionCode,
    PaymentMethod,
    Source,
    TestClock,
}

impl Reference {
    /// The 400 for a reference whose object does not exist in the account.
    pub fn missing(&self) -> ApiError {
        ApiError::missing_reference(self.kind.object_name(), &self.id, &self.param)
    }
}

impl ReferenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceKind::Coupon => "coupon",
            ReferenceKind::PromotionCode => "promotion_code",
            ReferenceKind::PaymentMethod => "payment_method",
            ReferenceKind::Source => "source",
            ReferenceKind::TestClock => "test_clock",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [
            ReferenceKind::Coupon,
            ReferenceKind::PromotionCode,
            ReferenceKind::PaymentMethod,
            ReferenceKind::Source,
            ReferenceKind::TestClock,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    /// The object name Stripe uses in `No such …` messages.
    pub fn object_name(self) -> &'static str {
        match self {
            ReferenceKind::Coupon => "coupon",
            ReferenceKind::PromotionCode => "promotion code",
            ReferenceKind::PaymentMethod => "PaymentMethod",
            ReferenceKind::Source => "source",
            ReferenceKind::TestClock => "test clock",
        }
    }
}

/// The six optional parts of an address, each absent, unset or set.
#[derive(Debug, Clone, PartialEq)]
pub struct AddressPatch {
    pub city: Field<String>,
    pub country: Field<String>,
    pub line1: Field<String>,
    pub line2: Field<String>,
    pub postal_code: Field<String>,
    pub state: Field<String>,
}

impl AddressPatch {
    pub fn apply_to(self, address: &mut Address) {
        self.city.apply_to(&mut address.city);
        self.country.apply_to(&mut address.country);
        self.line1.apply_to(&mut address.line1);
        self.line2.apply_to(&mut address.line2);
        self.postal_code.apply_to(&mut address.postal_code);
        self.state.apply_to(&mut address.state);
    }

    pub fn parse(mut p: Params) -> Result<Self, ApiError> {
        let patch = AddressPatch {
            city: p.string("city", ADDRESS_PART_MAX)?,
            country: p.string("country", ADDRESS_PART_MAX)?,
            line1: p.string("line1", ADDRESS_PART_MAX)?,
            line2: p.string("line2", ADDRESS_PART_MAX)?,
            postal_code: p.string("postal_code", ADDRESS_PART_MAX)?,
            state: p.string("state", ADDRESS_PART_MAX)?,
        };
        p.finish()?;
        Ok(patch)
    }

    fn into_address(self) -> Address {
        let mut address = Address::default();
        self.apply_to(&mut address);
        address
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceSettingsPatch {
    pub custom_fields: Field<Vec<CustomField>>,
    pub default_payment_method: Field<String>,
    pub footer: Field<String>,
    pub rendering_options: Field<RenderingOptionsPatch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RenderingOptionsPatch {
    pub amount_tax_display: Field<String>,
    pub template: Field<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaxPatch {
    pub ip_address: Field<String>,
    pub validate_location: Option<String>,
}

/// The validated parameters of `POST /v1/customers` or `POST /v1/customers/{id}`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerParams {
    /// The parameters as received: what crosses to the CustomerObject, which parses
    /// them again ([`CustomerParams::reparse`]) rather than read a serialised struct.
    pub source: FormMap,
    pub address: Field<AddressPatch>,
    pub balance: Field<i64>,
    pub cash_balance_reconciliation: Field<String>,
    pub description: Field<String>,
    pub email: Field<String>,
    pub invoice_prefix: Field<String>,
    pub invoice_settings: Option<InvoiceSettingsPatch>,
    pub metadata: MetadataPatch,
    pub name: Field<String>,
    pub next_invoice_sequence: Field<i64>,
    pub phone: Field<String>,
    pub preferred_locales: Field<Vec<String>>,
    pub shipping: Field<Shipping>,
    pub tax: Option<TaxPatch>,
    pub tax_exempt: Field<String>,
    pub tax_id_data: Vec<TaxIdData>,
    /// Ids of other objects named by the request; each must exist (checked by the caller).
    pub references: Vec<Reference>,
}

impl CustomerParams {
    /// Reads every create or update parameter from `p`; leaves `expand` to the caller.
    pub fn parse(p: &mut Params, call: Operation) -> Result<Self, ApiError> {
        let source = p.entries().clone();
        let mut references = Vec::new();
        let params = CustomerParams {
            source,
            address: p.object("address")?.try_map(AddressPatch::parse)?,
            balance: not_unset(p.integer("balance")?, &p.name_of("balance"))?,
            cash_balance_reconciliation: parse_cash_balance(p)?,
            description: p.string("description", DESCRIPTION_MAX)?,
            email: p
                .string("email", EMAIL_MAX)?
                .try_map(|e| check_email(&p.name_of("email"), e))?,
            invoice_prefix: p
                .string("invoice_prefix", INVOICE_PREFIX_MAX)?
                .try_map(|s| check_invoice_prefix(&p.name_of("invoice_prefix"), s))
                .and_then(|f| not_unset(f, &p.name_of("invoice_prefix")))?,
            invoice_settings: parse_invoice_settings(p, &mut references)?,
            metadata: MetadataPatch::parse(p)?,
            name: p.string("name", NAME_MAX)?,
            next_invoice_sequence: p
                .integer("next_invoice_sequence")?
                .try_map(|n| check_positive(&p.name_of("next_invoice_sequence"), n))
                .and_then(|f| not_unset(f, &p.name_of("next_invoice_sequence")))?,
            phone: p.string("phone", PHONE_MAX)?,
            preferred_locales: parse_locales(p)?,
            shipping: p.object("shipping")?.try_map(parse_shipping)?,
            tax: parse_tax(p)?,
            tax_exempt: p.one_of("tax_exempt", TAX_EXEMPT)?,
            tax_id_data: match call {
                Operation::Create => parse_tax_id_data(p)?,
                Operation::Update => Vec::new(),
            },
            references: Vec::new(),
        };
        for (key, kind) in reference_params(call) {
            if let Some(id) = p.required_string(key, REFERENCE_ID_MAX)? {
                let param = p.name_of(key);
                let id = check_id(&param, id)?;
                references.push(Reference {
                    kind: *kind,
                    id,
                    param,
                });
            }
        }
        Ok(CustomerParams {
            references,
            ..params
        })
    }
}

impl CustomerParams {
    /// The parameters again from their [`CustomerParams::source`] (the object's side).
    pub fn reparse(source: FormMap, call: Operation) -> Option<Self> {
        CustomerParams::parse(&mut Params::new(source), call).ok()
    }
}

/// An object id given as a parameter: no control characters (they can name nothing).
fn check_id(param: &str, id: String) -> Result<String, ApiError> {
    if id.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            param,
            format!("Invalid {param}: an id may not contain control characters"),
        ));
    }
    Ok(id)
}

/// Rejects `key=` for a parameter that has no "unset" (Stripe: `parameter_invalid_empty`).
fn not_unset<T>(field: Field<T>, name: &str) -> Result<Field<T>, ApiError> {
    match field {
        Field::Unset => Err(empty_value(name)),
        other => Ok(other),
    }
}

/// The top-level parameters that name another object, per call.
fn reference_params(call: Operation) -> &'static [(&'static str, ReferenceKind)] {
    const COMMON: [(&str, ReferenceKind); 3] = [
        ("coupon", ReferenceKind::Coupon),
        ("promotion_code", ReferenceKind::PromotionCode),
        ("source", ReferenceKind::Source),
    ];
    match call {
        Operation::Create => &[
            COMMON[0],
            COMMON[1],
            COMMON[2],
            ("payment_method", ReferenceKind::PaymentMethod),
            ("test_clock", ReferenceKind::TestClock),
        ],
        Operation::Update => &[
            COMMON[0],
            COMMON[1],
            COMMON[2],
            ("default_source", ReferenceKind::Source),
        ],
    }
}

fn check_invoice_prefix(name: &str, prefix: String) -> Result<String, ApiError> {
    let length_ok = (INVOICE_PREFIX_MIN..=INVOICE_PREFIX_MAX).contains(&prefix.len());
    let chars_ok = prefix
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if length_ok && chars_ok {
        return Ok(prefix);
    }
    Err(ApiError::invalid(
        name,
        format!("Invalid {name}: must be {INVOICE_PREFIX_MIN}-{INVOICE_PREFIX_MAX} uppercase letters or numbers"),
    ))
}

fn check_positive(name: &str, n: i64) -> Result<i64, ApiError> {
    if n >= 1 {
        return Ok(n);
    }
    Err(ApiError::invalid(
        name,
        format!("Invalid {name}: must be greater than or equal to 1"),
    ))
}

fn parse_cash_balance(p: &mut Params) -> Result<Field<String>, ApiError> {
    let Some(mut cash_balance) = p.object_not_empty("cash_balance")? else {
        return Ok(Field::Absent);
    };
    let mode = match cash_balance.object("settings")? {
        Field::Set(mut settings) => {
            let mode = settings.one_of("reconciliation_mode", RECONCILIATION_MODE)?;
            settings.finish()?;
            mode
        }
        _ => Field::Absent,
    };
    cash_balance.finish()?;
    Ok(mode)
}

fn parse_invoice_settings(
    p: &mut Params,
    references: &mut Vec<Reference>,
) -> Result<Option<InvoiceSettingsPatch>, ApiError> {
    let Some(mut s) = p.object_not_empty("invoice_settings")? else {
        return Ok(None);
    };
    let patch = InvoiceSettingsPatch {
        custom_fields: s.list("custom_fields")?.try_map(parse_custom_fields)?,
        default_payment_method: s
            .string("default_payment_method", REFERENCE_ID_MAX)?
            .try_map(|id| check_id(&s.name_of("default_payment_method"), id))?,
        footer: s.string("footer", FOOTER_MAX)?,
        rendering_options: s
            .object("rendering_options")?
            .try_map(parse_rendering_options)?,
    };
    if let Field::Set(id) = &patch.default_payment_method {
        references.push(Reference {
            kind: ReferenceKind::PaymentMethod,
            id: id.clone(),
            param: s.name_of("default_payment_method"),
        });
    }
    s.finish()?;
    Ok(Some(patch))
}

fn parse_custom_fields(
    items: Vec<(String, crate::wire::form::FormValue)>,
) -> Result<Vec<CustomField>, ApiError> {
    if items.len() > CUSTOM_FIELDS_MAX {
        return Err(ApiError::invalid(
            "invoice_settings[custom_fields]",
            format!("Invalid invoice_settings[custom_fields]: must have at most {CUSTOM_FIELDS_MAX} elements"),
        ));
    }
    // The lists here are read with loops: `collect` into a `Result` costs the wasm an
    // adapter (and an in-place collect) per element type.
    let mut fields = Vec::with_capacity(items.len());
    for (name, value) in items {
        let mut field = element_object(&name, value)?;
        fields.push(CustomField {
            name: required(&mut field, "name", CUSTOM_FIELD_NAME_MAX)?,
            value: required(&mut field, "value", CUSTOM_FIELD_VALUE_MAX)?,
        });
        field.finish()?;
    }
    Ok(fields)
}

/// A string that must be present and non-empty.
fn required(p: &mut Params, key: &str, max: usize) -> Result<String, ApiError> {
    p.required_string(key, max)?
        .ok_or_else(|| ApiError::MissingParameter {
            param: p.name_of(key),
        })
}

fn parse_rendering_options(mut r: Params) -> Result<RenderingOptionsPatch, ApiError> {
    let patch = RenderingOptionsPatch {
        amount_tax_display: r.one_of("amount_tax_display", AMOUNT_TAX_DISPLAY)?,
        template: r.string("template", TEMPLATE_MAX)?,
    };
    r.finish()?;
    Ok(patch)
}

fn parse_locales(p: &mut Params) -> Result<Field<Vec<String>>, ApiError> {
    p.list("preferred_locales")?.try_map(|items| {
        let mut locales = Vec::with_capacity(items.len());
        for (name, value) in items {
            locales.push(element_string(&name, value, LOCALE_MAX)?);
        }
        Ok(locales)
    })
}

fn parse_shipping(mut s: Params) -> Result<Shipping, ApiError> {
    let address = match s.object("address")? {
        Field::Set(a) => AddressPatch::parse(a)?.into_address(),
        _ => {
            return Err(ApiError::MissingParameter {
                param: s.name_of("address"),
            })
        }
    };
    let shipping = Shipping {
        address,
        name: required(&mut s, "name", SHIPPING_NAME_MAX)?,
        phone: s.string("phone", SHIPPING_PHONE_MAX)?.into_option(),
    };
    s.finish()?;
    Ok(shipping)
}

fn parse_tax(p: &mut Params) -> Result<Option<TaxPatch>, ApiError> {
    let Some(mut t) = p.object_not_empty("tax")? else {
        return Ok(None);
    };
    let patch = TaxPatch {
        ip_address: t
            .string("ip_address", IP_ADDRESS_MAX)?
            .try_map(|ip| check_ip_address(&t.name_of("ip_address"), ip))?,
        validate_location: t
            .one_of("validate_location", TAX_VALIDATE_LOCATION)?
            .into_option(),
    };
    t.finish()?;
    Ok(Some(patch))
}

fn check_ip_address(name: &str, ip: String) -> Result<String, ApiError> {
    if ip.parse::<std::net::IpAddr>().is_ok() {
        return Ok(ip);
    }
    Err(ApiError::invalid(name, format!("Invalid IP address: {ip}")))
}

fn parse_tax_id_data(p: &mut Params) -> Result<Vec<TaxIdData>, ApiError> {
    let items = match p.list("tax_id_data")? {
        Field::Absent => return Ok(Vec::new()),
        Field::Unset => return Err(empty_value(&p.name_of("tax_id_data"))),
        Field::Set(items) => items,
    };
    if items.len() > TAX_ID_DATA_MAX {
        return Err(ApiError::invalid(
            "tax_id_data",
            format!("Invalid tax_id_data: must have at most {TAX_ID_DATA_MAX} elements"),
        ));
    }
    let mut data = Vec::with_capacity(items.len());
    for (name, value) in items {
        let mut item = element_object(&name, value)?;
        let kind = required(&mut item, "type", 64)?;
        let value = required(&mut item, "value", 256)?;
        item.finish()?;
        data.push(TaxIdData::parse(&name, kind, value)?);
    }
    Ok(data)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::{CustomerParams, Operation};
    use crate::wire::form::decode_form;
    use crate::wire::params::Params;

    /// `body` (form-encoded) parsed as the parameters of `call`.
    pub(crate) fn test_params(call: Operation, body: &str) -> CustomerParams {
        CustomerParams::parse(
            &mut Params::new(decode_form(body.as_bytes()).unwrap()),
            call,
        )
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn parse(call: Operation, body: &str) -> Result<CustomerParams, ApiError> {
        let mut p = Params::new(decode_form(body.as_bytes()).unwrap());
        let parsed = CustomerParams::parse(&mut p, call)?;
        p.finish()?;
        Ok(parsed)
    }

    fn rejected_param(call: Operation, body: &str) -> String {
        match parse(call, body) {
            Ok(_) => panic!("{body} should be rejected"),
            Err(e) => e.param().unwrap_or("").to_owned(),
        }
    }

    #[test]
    fn the_seed_metadata_example_merges_one_key() {
        let p = parse(Operation::Update, "metadata[order_id]=6735").unwrap();
        assert_eq!(
            p.metadata,
            MetadataPatch::Merge(vec![("order_id".into(), Some("6735".into()))])
        );
    }

    #[test]
    fn empty_metadata_clears_and_an_empty_value_removes_one_key() {
        assert_eq!(
            parse(Operation::Update, "metadata=").unwrap().metadata,
            MetadataPatch::Clear
        );
        assert_eq!(
            parse(Operation::Update, "metadata[a]=").unwrap().metadata,
            MetadataPatch::Merge(vec![("a".into(), None)])
        );
    }

    #[test]
    fn each_constraint_names_the_offending_param() {
        let long_email = format!("email={}", "a".repeat(513));
        let long_key = format!("metadata[{}]=v", "k".repeat(41));
        let long_value = format!("metadata[k]={}", "v".repeat(501));
        let too_many_keys: String = (0..51).map(|i| format!("metadata[k{i}]=v&")).collect();
        let cases: Vec<(&str, &str, &str)> = vec![
            (&long_email, "email", "email over 512 characters"),
            ("invoice_prefix=ab", "invoice_prefix", "too short"),
            ("invoice_prefix=abc", "invoice_prefix", "lowercase"),
            (
                "invoice_prefix=ABCDEFGHIJKLM",
                "invoice_prefix",
                "13 characters",
            ),
            ("tax_exempt=sometimes", "tax_exempt", "not in the enum"),
            ("balance=1.5", "balance", "not an integer"),
            (
                "next_invoice_sequence=0",
                "next_invoice_sequence",
                "not positive",
            ),
            (
                "shipping[name]=Jo",
                "shipping[address]",
                "shipping without address",
            ),
            (
                "shipping[address][line1]=x",
                "shipping[name]",
                "shipping without name",
            ),
            (
                "address[planet]=mars",
                "address[planet]",
                "unknown nested key",
            ),
            (
                "tax[validate_location]=later",
                "tax[validate_location]",
                "bad enum",
            ),
            ("tax[ip_address]=999.1.1.1", "tax[ip_address]", "bad ip"),
            (
                "invoice_settings[rendering_options][amount_tax_display]=x",
                "invoice_settings[rendering_options][amount_tax_display]",
                "bad enum",
            ),
            (
                "cash_balance[settings][reconciliation_mode]=x",
                "cash_balance[settings][reconciliation_mode]",
                "bad enum",
            ),
            (
                "invoice_settings[custom_fields][0][name]=n",
                "invoice_settings[custom_fields][0][value]",
                "custom field without value",
            ),
            (&long_key, &long_key[..50], "metadata key over 40"),
            (&long_value, "metadata[k]", "metadata value over 500"),
            (&too_many_keys, "metadata", "51 metadata keys"),
            (
                "tax_id_data[0][type]=us_ein&tax_id_data[0][value]=1",
                "tax_id_data[0][value]",
                "bad ein",
            ),
            ("coupon=", "coupon", "coupon cannot be unset"),
            ("balance=", "balance", "balance cannot be unset"),
            (
                "invoice_prefix=",
                "invoice_prefix",
                "invoice_prefix cannot be unset",
            ),
            (
                "next_invoice_sequence=",
                "next_invoice_sequence",
                "no empty sequence",
            ),
            (
                "invoice_settings=",
                "invoice_settings",
                "invoice_settings cannot be unset",
            ),
            (
                "cash_balance=",
                "cash_balance",
                "cash_balance cannot be unset",
            ),
            ("tax=", "tax", "tax cannot be unset"),
            ("tax_id_data=", "tax_id_data", "tax_id_data cannot be unset"),
            ("coupon=A%0AB", "coupon", "control character in an id"),
            (
                "invoice_settings[default_payment_method]=pm%00",
                "invoice_settings[default_payment_method]",
                "NUL in an id",
            ),
        ];
        for (body, param, why) in cases {
            let got = rejected_param(Operation::Create, body);
            let expected = if why == "metadata key over 40" {
                format!("metadata[{}]", "k".repeat(41))
            } else {
                param.to_owned()
            };
            assert_eq!(got, expected, "{why}");
        }
    }

    #[test]
    fn more_than_four_custom_fields_are_rejected() {
        let body: String = (0..5)
            .map(|i| format!("invoice_settings[custom_fields][{i}][name]=n&invoice_settings[custom_fields][{i}][value]=v&"))
            .collect();
        assert_eq!(
            rejected_param(Operation::Create, &body),
            "invoice_settings[custom_fields]"
        );
    }

    #[test]
    fn custom_field_names_and_values_have_their_own_limits() {
        let name = format!("invoice_settings[custom_fields][0][name]={}&invoice_settings[custom_fields][0][value]=v", "n".repeat(41));
        assert_eq!(
            rejected_param(Operation::Create, &name),
            "invoice_settings[custom_fields][0][name]"
        );
        let value = format!("invoice_settings[custom_fields][0][name]=n&invoice_settings[custom_fields][0][value]={}", "v".repeat(141));
        assert_eq!(
            rejected_param(Operation::Create, &value),
            "invoice_settings[custom_fields][0][value]"
        );
    }

    #[test]
    fn references_are_collected_with_their_params() {
        let p = parse(
            Operation::Update,
            "coupon=SPRING&default_source=src_1&invoice_settings[default_payment_method]=pm_1",
        )
        .unwrap();
        let params: Vec<_> = p.references.iter().map(|r| r.param.as_str()).collect();
        assert_eq!(
            params,
            [
                "invoice_settings[default_payment_method]",
                "coupon",
                "default_source"
            ]
        );
    }

    #[test]
    fn create_only_parameters_are_unknown_on_update() {
        assert_eq!(
            rejected_param(Operation::Update, "tax_id_data[0][type]=us_ein"),
            "tax_id_data[0][type]"
        );
        assert_eq!(
            rejected_param(Operation::Update, "test_clock=clock_1"),
            "test_clock"
        );
        assert_eq!(
            rejected_param(Operation::Create, "default_source=src_1"),
            "default_source"
        );
    }

    #[test]
    fn valid_values_of_every_kind_parse() {
        let body = "name=Jenny+Rosen&email=jenny%40example.com&balance=-500&invoice_prefix=ABC123\
            &next_invoice_sequence=7&preferred_locales[]=en&preferred_locales[]=fr\
            &shipping[name]=Jo&shipping[address][line1]=1+Main&shipping[phone]=555\
            &tax[ip_address]=127.0.0.1&tax[validate_location]=deferred&tax_exempt=reverse\
            &cash_balance[settings][reconciliation_mode]=manual\
            &invoice_settings[footer]=Thanks&invoice_settings[custom_fields][0][name]=PO\
            &invoice_settings[custom_fields][0][value]=42\
            &tax_id_data[0][type]=eu_vat&tax_id_data[0][value]=DE123456789";
        let p = parse(Operation::Create, body).unwrap();
        assert_eq!(p.balance, Field::Set(-500));
        assert_eq!(
            p.preferred_locales,
            Field::Set(vec!["en".into(), "fr".into()])
        );
        assert_eq!(p.tax_id_data.len(), 1);
        assert_eq!(p.cash_balance_reconciliation, Field::Set("manual".into()));
    }
}

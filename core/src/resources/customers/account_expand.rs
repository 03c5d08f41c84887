//! The expansions of a shown customer whose objects the account's object keeps, not the
//! customer's: `invoice_settings.default_payment_method`, `test_clock` and
//! `discount.promotion_code`, plus `discount.customer` (the customer itself). Whoever
//! shows the customer asks the account for what [`wanted`] names and puts it in place
//! with [`apply`]: the Worker for one customer, the AccountObject for a page.

use serde_json::Value;

use super::expand::{Expand, DEFAULT_PAYMENT_METHOD};
use crate::wire::error::ApiError;
use crate::wire::render::compact;

const TEST_CLOCK: &str = "test_clock";
const DISCOUNT_PROMOTION_CODE: &str = "discount.promotion_code";
const DISCOUNT_CUSTOMER: &str = "discount.customer";

/// One object of the account's that an expansion needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// `payment_method`, `test_clock` or `promotion_code`.
    pub kind: &'static str,
    pub id: String,
}

impl Wanted {
    /// The account's command that answers the object.
    pub fn op(&self) -> String {
        format!("{}.retrieve", self.kind)
    }
}

/// Whether `expand` asks for anything this module puts in place.
pub fn needs_account(expand: &Expand) -> bool {
    [
        DEFAULT_PAYMENT_METHOD,
        TEST_CLOCK,
        DISCOUNT_PROMOTION_CODE,
        DISCOUNT_CUSTOMER,
    ]
    .iter()
    .any(|path| expand.contains(path))
}

/// The objects the account must be asked for: one per expansion asked for whose field
/// holds an id (a `null` field, or a deleted customer's stub, needs none).
pub fn wanted(shown: &str, expand: &Expand) -> Result<Vec<Wanted>, ApiError> {
    if !needs_account(expand) {
        return Ok(Vec::new());
    }
    let customer: Value = serde_json::from_str(shown)?;
    let mut wanted = Vec::new();
    let mut want = |kind: &'static str, id: Option<&str>| {
        if let Some(id) = id {
            wanted.push(Wanted {
                kind,
                id: id.to_owned(),
            });
        }
    };
    if expand.contains(DEFAULT_PAYMENT_METHOD) {
        want(
            "payment_method",
            default_payment_method_of(shown)?.as_deref(),
        );
    }
    if expand.contains(TEST_CLOCK) {
        want("test_clock", customer[TEST_CLOCK].as_str());
    }
    if expand.contains(DISCOUNT_PROMOTION_CODE) {
        want(
            "promotion_code",
            customer["discount"]["promotion_code"].as_str(),
        );
    }
    Ok(wanted)
}

/// The shown customer with the objects `found` (kind, JSON) in place of their ids, and
/// `discount.customer` with the customer itself. The customer's own keys keep their
/// order: only the changed field's text is rewritten.
pub fn apply(shown: String, expand: &Expand, found: &[(&str, String)]) -> Result<String, ApiError> {
    let found_json = |kind: &str| {
        found
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, json)| json.as_str())
    };
    let mut out = shown.clone();
    if let Some(payment_method) = found_json("payment_method") {
        out = with_default_payment_method(&out, payment_method)?;
    }
    if let Some(clock) = found_json(TEST_CLOCK) {
        out = with_test_clock(&out, clock)?;
    }
    if expand.contains(DISCOUNT_PROMOTION_CODE) || expand.contains(DISCOUNT_CUSTOMER) {
        let customer = expand.contains(DISCOUNT_CUSTOMER).then_some(shown.as_str());
        out = with_discount(&out, found_json("promotion_code"), customer)?;
    }
    Ok(out)
}

/// `test_clock` (the customer's last field, after any expanded subscription that names
/// the same clock) as the clock's JSON.
fn with_test_clock(shown: &str, clock: &str) -> Result<String, ApiError> {
    let customer: Value = serde_json::from_str(shown)?;
    let Some(id) = customer[TEST_CLOCK].as_str() else {
        return Ok(shown.to_owned());
    };
    let old = format!("\"{TEST_CLOCK}\":{}", compact(&Value::from(id)));
    let Some(at) = shown.rfind(&old) else {
        return Ok(shown.to_owned());
    };
    let clock: Value = serde_json::from_str(clock)?;
    let new = format!("\"{TEST_CLOCK}\":{}", compact(&clock));
    Ok(format!("{}{new}{}", &shown[..at], &shown[at + old.len()..]))
}

/// The customer's `discount` with its promotion code and its customer as objects. The
/// discount prints as a parsed object does (it is kept as one), so its text is found by
/// printing it again; it comes before any field that could hold another discount.
fn with_discount(
    shown: &str,
    promotion_code: Option<&str>,
    customer: Option<&str>,
) -> Result<String, ApiError> {
    let parsed: Value = serde_json::from_str(shown)?;
    let discount = &parsed["discount"];
    if !discount.is_object() {
        return Ok(shown.to_owned());
    }
    let mut expanded = discount.clone();
    if let Some(promotion_code) = promotion_code {
        expanded["promotion_code"] = serde_json::from_str(promotion_code)?;
    }
    if let (Some(customer), true) = (customer, expanded["customer"].is_string()) {
        expanded["customer"] = serde_json::from_str(customer)?;
    }
    let old = format!("\"discount\":{}", compact(discount));
    let new = format!("\"discount\":{}", compact(&expanded));
    Ok(shown.replacen(&old, &new, 1))
}

/// A shown customer's `invoice_settings` (none in the deleted stub).
fn invoice_settings(shown: &str) -> Result<Option<Value>, ApiError> {
    let mut customer: Value = serde_json::from_str(shown)?;
    Ok(customer.get_mut("invoice_settings").map(Value::take))
}

/// The id of a shown customer's default payment method (compact JSON in, as
/// `view::customer_json` answers).
pub fn default_payment_method_of(shown: &str) -> Result<Option<String>, ApiError> {
    Ok(
        invoice_settings(shown)?.and_then(|settings| {
            match settings.get("default_payment_method") {
                Some(Value::String(id)) => Some(id.clone()),
                _ => None,
            }
        }),
    )
}

/// The shown customer with `invoice_settings.default_payment_method` expanded to
/// `payment_method` (its JSON). Only that object's text is rewritten, so the
/// customer's keys keep their order: `invoice_settings` prints as a parsed object does
/// (its keys, and its objects' keys, are in alphabetical order), and it is the first
/// text of that form (no field before it holds an object of that name).
pub fn with_default_payment_method(shown: &str, payment_method: &str) -> Result<String, ApiError> {
    let Some(mut settings) = invoice_settings(shown)? else {
        return Ok(shown.to_owned());
    };
    let old = format!("\"invoice_settings\":{}", compact(&settings));
    if let Some(slot) = settings.get_mut("default_payment_method") {
        *slot = serde_json::from_str(payment_method)?;
    }
    let new = format!("\"invoice_settings\":{}", compact(&settings));
    Ok(shown.replacen(&old, &new, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;
    use crate::wire::params::Params;

    fn expand(paths: &[&str]) -> Expand {
        let query: Vec<String> = paths.iter().map(|p| format!("expand[]={p}")).collect();
        let mut p = Params::new(decode_form(query.join("&").as_bytes()).unwrap());
        Expand::parse_for_object(&mut p).unwrap()
    }

    const SHOWN: &str = r#"{"id":"cus_1","object":"customer","discount":{"coupon":{"id":"TEN"},"customer":"cus_1","id":"di_1","promotion_code":"promo_1"},"invoice_settings":{"default_payment_method":"pm_1"},"subscriptions":{"data":[{"test_clock":"clock_1"}]},"test_clock":"clock_1"}"#;

    #[test]
    fn each_account_expansion_names_what_it_needs_and_puts_it_in_place() {
        let all = expand(&[
            DEFAULT_PAYMENT_METHOD,
            TEST_CLOCK,
            DISCOUNT_PROMOTION_CODE,
            DISCOUNT_CUSTOMER,
        ]);
        let kinds: Vec<(&str, String)> = wanted(SHOWN, &all)
            .unwrap()
            .into_iter()
            .map(|w| (w.kind, w.id))
            .collect();
        assert_eq!(
            kinds,
            [
                ("payment_method", "pm_1".to_owned()),
                ("test_clock", "clock_1".to_owned()),
                ("promotion_code", "promo_1".to_owned())
            ]
        );
        let found = [
            (
                "payment_method",
                r#"{"id":"pm_1","object":"payment_method"}"#.to_owned(),
            ),
            (
                "test_clock",
                r#"{"id":"clock_1","object":"test_helpers.test_clock"}"#.to_owned(),
            ),
            (
                "promotion_code",
                r#"{"id":"promo_1","object":"promotion_code"}"#.to_owned(),
            ),
        ];
        let out = apply(SHOWN.to_owned(), &all, &found).unwrap();
        assert!(
            out.starts_with(r#"{"id":"cus_1","object":"customer","#),
            "{out}"
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["invoice_settings"]["default_payment_method"]["object"],
            "payment_method"
        );
        assert_eq!(v["test_clock"]["object"], "test_helpers.test_clock");
        assert_eq!(
            v["subscriptions"]["data"][0]["test_clock"], "clock_1",
            "only the customer's own field"
        );
        assert_eq!(v["discount"]["promotion_code"]["id"], "promo_1");
        assert_eq!(v["discount"]["customer"]["id"], "cus_1");
        assert_eq!(v["discount"]["customer"]["discount"]["customer"], "cus_1");
    }

    #[test]
    fn nothing_is_asked_or_changed_without_those_paths_or_ids() {
        assert!(!needs_account(&expand(&["tax", "discount"])));
        assert!(wanted(SHOWN, &expand(&["tax"])).unwrap().is_empty());
        let plain = r#"{"id":"cus_2","object":"customer","discount":null,"invoice_settings":{"default_payment_method":null},"test_clock":null}"#;
        let all = expand(&[TEST_CLOCK, DISCOUNT_PROMOTION_CODE, DISCOUNT_CUSTOMER]);
        assert!(wanted(plain, &all).unwrap().is_empty());
        assert_eq!(apply(plain.to_owned(), &all, &[]).unwrap(), plain);
        // Not found (a lookup that answered nothing): the id stays.
        assert_eq!(
            apply(SHOWN.to_owned(), &expand(&[TEST_CLOCK]), &[]).unwrap(),
            SHOWN
        );
    }
}

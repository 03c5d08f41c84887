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
    let mut want = |path: &str, kind: &'static str, id: &Value| {
        if let (true, Some(id)) = (expand.contains(path), id.as_str()) {
            wanted.push(Wanted {
                kind,
                id: id.to_owned(),
            });
        }
    };
    want(
        DEFAULT_PAYMENT_METHOD,
        "payment_method",
        &customer["invoice_settings"]["default_payment_method"],
    );
    want(TEST_CLOCK, "test_clock", &customer[TEST_CLOCK]);
    want(
        DISCOUNT_PROMOTION_CODE,
        "promotion_code",
        &customer["discount"]["promotion_code"],
    );
    Ok(wanted)
}

/// The shown customer with the objects `found` (kind, JSON) in place of their ids, and
/// `discount.customer` with the customer itself. The customer is parsed once; only the
/// changed fields' text is rewritten, so its own keys keep their order.
pub fn apply(shown: String, expand: &Expand, found: &[(&str, String)]) -> Result<String, ApiError> {
    let with_customer = expand.contains(DISCOUNT_CUSTOMER);
    if found.is_empty() && !with_customer {
        return Ok(shown);
    }
    let customer: Value = serde_json::from_str(&shown)?;
    let found_object = |kind: &str| -> Result<Option<Value>, ApiError> {
        match found.iter().find(|(k, _)| *k == kind) {
            Some((_, json)) => Ok(Some(serde_json::from_str(json)?)),
            None => Ok(None),
        }
    };
    let mut out = shown;
    if let Some(payment_method) = found_object("payment_method")? {
        out = put_default_payment_method(out, &customer, payment_method);
    }
    if let Some(clock) = found_object(TEST_CLOCK)? {
        // The customer's last field: an expanded subscription before it may name the
        // same clock.
        out = rewrite(
            out,
            TEST_CLOCK,
            &customer[TEST_CLOCK],
            &clock,
            Occurrence::Last,
        );
    }
    let promotion_code = found_object("promotion_code")?;
    let discount = &customer["discount"];
    if discount.is_object() && (promotion_code.is_some() || with_customer) {
        let mut expanded = discount.clone();
        if let Some(promotion_code) = promotion_code {
            expanded["promotion_code"] = promotion_code;
        }
        if with_customer && expanded["customer"].is_string() {
            expanded["customer"] = customer.clone();
        }
        out = rewrite(out, "discount", discount, &expanded, Occurrence::First);
    }
    Ok(out)
}

/// `invoice_settings` with its `default_payment_method` as `payment_method`.
fn put_default_payment_method(out: String, customer: &Value, payment_method: Value) -> String {
    let settings = &customer["invoice_settings"];
    if !settings.is_object() {
        return out;
    }
    let mut expanded = settings.clone();
    expanded["default_payment_method"] = payment_method;
    rewrite(
        out,
        "invoice_settings",
        settings,
        &expanded,
        Occurrence::First,
    )
}

/// Which occurrence of a field's text is the customer's own.
enum Occurrence {
    /// `invoice_settings` and `discount` come before any field that could hold another.
    First,
    /// `test_clock` is the customer's last field.
    Last,
}

/// `"key":old` replaced by `"key":new` in the customer's text. `old` is printed as a
/// parsed value prints, which is how the customer holds these fields (`discount` and the
/// objects in `invoice_settings` are kept as parsed JSON, with their keys in order).
fn rewrite(text: String, key: &str, old: &Value, new: &Value, occurrence: Occurrence) -> String {
    if old.is_null() {
        return text;
    }
    let old = format!("\"{key}\":{}", compact(old));
    let at = match occurrence {
        Occurrence::First => text.find(&old),
        Occurrence::Last => text.rfind(&old),
    };
    let Some(at) = at else {
        return text;
    };
    let mut out = text;
    out.replace_range(at..at + old.len(), &format!("\"{key}\":{}", compact(new)));
    out
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

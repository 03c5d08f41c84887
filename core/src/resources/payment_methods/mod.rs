//! Payment methods (`pm_…`, type `card`) in the AccountObject's `payment_methods` table,
//! and the card sources (`card_…`) customers own: both made from Stripe's test cards
//! (`test_cards`) only. No card number or CVC is kept or shown: a card is its catalogue
//! entry (brand, last4, funding, country) plus its expiry. A detach is for good, as in
//! Stripe: it marks the row's owner column (else the document's `customer`) [`DETACHED`],
//! so the document stays what responses show (`customer: null`), with nothing to strip.

pub mod handlers;
pub mod test_cards;

use serde_json::Value;

use super::objects::{
    arg, int, patch_fields, patch_metadata, save, set, template, text, ObjectCommand, ObjectStore,
    Page, Table,
};
use crate::wire::dates::month_and_year;
use crate::wire::error::ApiError;
use crate::wire::ids;
use test_cards::TestCard;

/// The owner column of a detached payment method's row. No customer id (`cus_…`) is
/// this, so no customer's list shows the row; `attach` refuses it, an update keeps it,
/// and a `release` (a claim given back) never sets it.
pub const DETACHED: &str = "detached";

/// `expand[]` on a payment method: its `x-expandableFields` in Stripe's 2023-08-16
/// schema. Only `customer` holds an id (expanded from the account's index); the rest
/// are objects already, shown as they are.
pub const EXPANDABLE: &[&str] = &[
    "acss_debit",
    "affirm",
    "afterpay_clearpay",
    "alipay",
    "au_becs_debit",
    "bacs_debit",
    "bancontact",
    "billing_details",
    "blik",
    "boleto",
    "card",
    "card_present",
    "cashapp",
    "customer",
    "customer_balance",
    "eps",
    "fpx",
    "giropay",
    "grabpay",
    "ideal",
    "interac_present",
    "klarna",
    "konbini",
    "link",
    "oxxo",
    "p24",
    "paynow",
    "paypal",
    "pix",
    "promptpay",
    "radar_options",
    "sepa_debit",
    "sofort",
    "us_bank_account",
    "wechat_pay",
    "zip",
];

/// Stripe's refusal of a payment method that was detached.
fn detached_error() -> ApiError {
    ApiError::bad_request(
        "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.",
    )
}

/// The parts of an address, as `billing_details[address]` names them.
pub const ADDRESS_PARTS: [&str; 6] = ["city", "country", "line1", "line2", "postal_code", "state"];

/// Applies a `billing_details` patch (JSON: a `null` unsets; `address: null` clears it).
fn patch_billing(billing: &mut Value, patch: &Value) {
    match patch.get("address") {
        Some(Value::Null) => {
            for part in ADDRESS_PARTS {
                billing["address"][part] = Value::Null;
            }
        }
        Some(Value::Object(parts)) => {
            for (part, v) in parts {
                billing["address"][part.as_str()] = v.clone();
            }
        }
        _ => {}
    }
    patch_fields(billing, patch, &["email", "name", "phone"]);
}

/// The same card in the same account has the same fingerprint.
fn fingerprint(card: &TestCard) -> String {
    ids::keyed_id("fp", b"card fingerprint", card.name.as_bytes()).split_off(3)
}

/// A `card` payment method from a test card. `expiry` is (month, year); a magic card
/// expires a year after the month it is made.
pub fn new_payment_method(
    id: String,
    card: &TestCard,
    expiry: Option<(i64, i64)>,
    cvc_checked: bool,
    now: i64,
    livemode: bool,
) -> Value {
    let (exp_month, exp_year) = expiry.unwrap_or_else(|| {
        let (month, year) = month_and_year(now);
        (month, year + 1)
    });
    let mut pm = template(PAYMENT_METHOD);
    set(
        &mut pm,
        vec![
            ("id", id.into()),
            ("created", now.into()),
            ("livemode", livemode.into()),
        ],
    );
    let c = &mut pm["card"];
    set(
        c,
        vec![
            ("brand", card.brand.into()),
            ("country", card.country.into()),
            ("exp_month", exp_month.into()),
            ("exp_year", exp_year.into()),
            ("fingerprint", fingerprint(card).into()),
            ("funding", card.funding.into()),
            ("last4", card.last4().into()),
        ],
    );
    c["networks"]["available"][0] = card.brand.into();
    if cvc_checked {
        c["checks"]["cvc_check"] = "pass".into();
    }
    pm
}

/// A payment method with every field Stripe's schema has for a card, the varying ones
/// still to be set.
const PAYMENT_METHOD: &str = r#"{"id":null,"object":"payment_method","billing_details":{"address":{"city":null,"country":null,"line1":null,"line2":null,"postal_code":null,"state":null},"email":null,"name":null,"phone":null},"card":{"brand":null,"checks":{"address_line1_check":null,"address_postal_code_check":null,"cvc_check":null},"country":null,"exp_month":null,"exp_year":null,"fingerprint":null,"funding":null,"generated_from":null,"last4":null,"networks":{"available":[null],"preferred":null},"three_d_secure_usage":{"supported":true},"wallet":null},"created":0,"customer":null,"livemode":false,"metadata":{},"type":"card"}"#;

/// A customer's card source, the varying fields still to be set.
const CARD_SOURCE: &str = r#"{"id":null,"object":"card","address_city":null,"address_country":null,"address_line1":null,"address_line1_check":null,"address_line2":null,"address_state":null,"address_zip":null,"address_zip_check":null,"brand":null,"country":null,"customer":null,"cvc_check":null,"dynamic_last4":null,"exp_month":null,"exp_year":null,"fingerprint":null,"funding":null,"last4":null,"metadata":{},"name":null,"tokenization_method":null}"#;

/// A legacy card source (`card_…`) of `customer`, from a test token.
pub fn new_card_source(card: &TestCard, customer: &str, now: i64) -> Result<Value, ApiError> {
    let (month, year) = month_and_year(now);
    let mut source = template(CARD_SOURCE);
    set(
        &mut source,
        vec![
            ("id", ids::random_id("card")?.into()),
            ("brand", card.card_brand().into()),
            ("country", card.country.into()),
            ("customer", customer.into()),
            ("exp_month", month.into()),
            ("exp_year", (year + 1).into()),
            ("fingerprint", fingerprint(card).into()),
            ("funding", card.funding.into()),
            ("last4", card.last4().into()),
        ],
    );
    Ok(source)
}

/// Runs one payment method command (`payment_method.create|retrieve|update|attach|
/// detach|list|retrieve_for_customer`); answers the JSON body. A detach answers
/// `{"payment_method": …, "customer": <its former customer>}`. A list is a customer's
/// (`GET /v1/customers/{customer}/payment_methods`, a 404 for a missing customer) or,
/// with `account_list`, `GET /v1/payment_methods`, where `customer` is a filter (a 400
/// on `customer` if it names none) and without it the list is empty: that route lists
/// only Treasury's payment methods, and the ones made here are all for payments.
pub fn execute(store: &mut impl ObjectStore, command: ObjectCommand) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let now = args["now"].as_i64().unwrap_or(0);
    let livemode = args["livemode"] == true;
    let customer = arg(&args, "customer");
    let body = match op.as_str() {
        "payment_method.create" => {
            save(store, Table::PaymentMethods, &args)?;
            args
        }
        "payment_method.retrieve" => match test_cards::by_magic_id(&id) {
            Some(card) if id.starts_with("pm_card_") => {
                new_payment_method(id.clone(), card, None, true, now, livemode)
            }
            _ => find(store, &id)?,
        },
        "payment_method.update" => {
            let mut pm = find(store, &id)?;
            if let Some(patch) = args.get("billing_details") {
                patch_billing(&mut pm["billing_details"], patch);
            }
            patch_metadata(&mut pm, &args)?;
            // The row keeps its owner: an update does not undo a detach.
            let owner = store.owner(Table::PaymentMethods, &id)?;
            store.put(
                Table::PaymentMethods,
                &id,
                owner.as_deref(),
                int(&pm, "created"),
                &pm,
            )?;
            pm
        }
        "payment_method.attach" => {
            // Seed 004's `POST /v1/customers/{customer}/payment-methods` names the
            // customer in the path (a 404) and the payment method in a parameter.
            let from_customer_path = args["from_customer_path"] == true;
            if !store.customer_is_live(customer)? {
                return Err(match from_customer_path {
                    true => ApiError::not_found_as("customer", customer, "customer"),
                    false => ApiError::missing_reference("customer", customer, "customer"),
                });
            }
            let param = from_customer_path.then_some("payment_method");
            attach(store, &id, customer, param, now, livemode)?.0
        }
        "payment_method.detach" => {
            let mut pm = find(store, &id)?;
            let Some(owner) = pm["customer"].as_str().map(str::to_owned) else {
                return Err(ApiError::bad_request(
                    "The payment method you provided is not attached to a customer so detachment is impossible.",
                ));
            };
            pm["customer"] = Value::Null;
            let created = int(&pm, "created");
            store.put(Table::PaymentMethods, &id, Some(DETACHED), created, &pm)?;
            let mut answer = template("{}");
            set(
                &mut answer,
                vec![("payment_method", pm), ("customer", owner.into())],
            );
            answer
        }
        "payment_method.retrieve_for_customer" => {
            live_customer(store, customer)?;
            let pm = find(store, &id)?;
            if text(&pm, "customer") != customer {
                return Err(ApiError::not_found("PaymentMethod", &id));
            }
            pm
        }
        _ => {
            let account_list = args["account_list"] == true;
            let mut all = match (account_list, customer) {
                (true, "") => Vec::new(),
                (true, _) if !store.customer_is_live(customer)? => {
                    return Err(ApiError::missing_reference(
                        "customer", customer, "customer",
                    ))
                }
                (false, _) => {
                    live_customer(store, customer)?;
                    store.all(Table::PaymentMethods, Some(customer))?
                }
                (true, _) => store.all(Table::PaymentMethods, Some(customer))?,
            };
            if let Some(kind) = args.get("type").and_then(Value::as_str) {
                all.retain(|pm| text(pm, "type") == kind);
            }
            let url = match account_list {
                true => "/v1/payment_methods".to_owned(),
                false => format!("/v1/customers/{customer}/payment_methods"),
            };
            return Page::of(&args).list_json(&url, all, "payment method");
        }
    };
    Ok(serde_json::to_string(&body)?)
}

fn live_customer(store: &impl ObjectStore, id: &str) -> Result<(), ApiError> {
    if store.customer_is_live(id)? {
        Ok(())
    } else {
        Err(ApiError::not_found("customer", id))
    }
}

fn find(store: &impl ObjectStore, id: &str) -> Result<Value, ApiError> {
    store
        .get(Table::PaymentMethods, id)?
        .ok_or_else(|| ApiError::not_found("PaymentMethod", id))
}

/// Attaches payment method `id` to `customer`: a magic id makes a new `pm_…` (a
/// declining card is refused with its `card_error`); a stored one must be free (never
/// attached, or given back by a `release`) or already this customer's; a detached one
/// is refused. Answers the payment method and whether it was made here.
/// `param` names the request parameter that gave the id (None: the URL path did).
pub fn attach(
    store: &mut impl ObjectStore,
    id: &str,
    customer: &str,
    param: Option<&str>,
    now: i64,
    livemode: bool,
) -> Result<(Value, bool), ApiError> {
    if let Some(card) = test_cards::by_magic_id(id).filter(|_| id.starts_with("pm_card_")) {
        if let Some(declined) = card.decline_error() {
            return Err(declined);
        }
        let mut pm = new_payment_method(ids::random_id("pm")?, card, None, true, now, livemode);
        pm["customer"] = customer.into();
        save(store, Table::PaymentMethods, &pm)?;
        return Ok((pm, true));
    }
    let mut pm = match (store.get(Table::PaymentMethods, id)?, param) {
        (Some(pm), _) => pm,
        (None, Some(param)) => return Err(ApiError::missing_reference("PaymentMethod", id, param)),
        (None, None) => return Err(ApiError::not_found("PaymentMethod", id)),
    };
    match pm["customer"].as_str() {
        Some(owner) if owner == customer => return Ok((pm, false)),
        Some(_) => {
            return Err(ApiError::bad_request(
                "The payment method you provided has already been attached to a customer.",
            ))
        }
        None if store.owner(Table::PaymentMethods, id)?.as_deref() == Some(DETACHED) => {
            return Err(detached_error())
        }
        None => {}
    }
    pm["customer"] = customer.into();
    save(store, Table::PaymentMethods, &pm)?;
    Ok((pm, false))
}

/// Undoes an attach made for a customer write that then failed: the payment method is
/// free again (not detached: from the client's side it was never attached).
pub fn release(store: &mut impl ObjectStore, id: &str, created: bool) -> Result<(), ApiError> {
    if created {
        return store.remove(Table::PaymentMethods, id);
    }
    if let Some(mut pm) = store.get(Table::PaymentMethods, id)? {
        pm["customer"] = Value::Null;
        save(store, Table::PaymentMethods, &pm)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::objects::MemoryObjectStore;
    use serde_json::json;

    fn store() -> MemoryObjectStore {
        MemoryObjectStore {
            live_customers: vec!["cus_a".into(), "cus_b".into()],
            ..Default::default()
        }
    }

    fn run(
        store: &mut MemoryObjectStore,
        op: &str,
        id: &str,
        args: Value,
    ) -> Result<Value, ApiError> {
        execute(store, ObjectCommand::new(op, id, args)).map(|t| serde_json::from_str(&t).unwrap())
    }

    fn attach_to(
        store: &mut MemoryObjectStore,
        id: &str,
        customer: &str,
    ) -> Result<Value, ApiError> {
        run(
            store,
            "payment_method.attach",
            id,
            json!({"customer": customer, "now": 1_692_000_000}),
        )
    }

    #[test]
    fn attaching_a_magic_id_makes_a_new_payment_method_with_the_cards_details() {
        let mut store = store();
        let pm = attach_to(&mut store, "pm_card_amex", "cus_a").unwrap();
        assert!(pm["id"].as_str().unwrap().starts_with("pm_"));
        assert_ne!(pm["id"], "pm_card_amex");
        assert_eq!(pm["customer"], "cus_a");
        let card = &pm["card"];
        assert_eq!(
            (card["brand"].as_str(), card["last4"].as_str()),
            (Some("amex"), Some("8431"))
        );
        assert_eq!(
            (card["exp_month"].as_i64(), card["exp_year"].as_i64()),
            (Some(8), Some(2024))
        );
        assert_eq!(
            store
                .all(Table::PaymentMethods, Some("cus_a"))
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_declining_card_is_refused_and_nothing_is_stored() {
        let mut store = store();
        let err = attach_to(&mut store, "pm_card_chargeDeclined", "cus_a").unwrap_err();
        assert_eq!((err.kind(), err.status()), ("card_error", 402));
        assert!(store.rows.is_empty());
    }

    #[test]
    fn a_stored_payment_method_attaches_once_and_detaches() {
        let mut store = store();
        let card = test_cards::by_magic_id("pm_card_visa").unwrap();
        let pm = new_payment_method("pm_1".into(), card, Some((12, 2030)), false, 5, false);
        run(&mut store, "payment_method.create", "", pm).unwrap();
        attach_to(&mut store, "pm_1", "cus_a").unwrap();
        let taken = attach_to(&mut store, "pm_1", "cus_b").unwrap_err();
        assert!(taken.to_string().contains("already been attached"));
        let missing = attach_to(&mut store, "pm_1", "cus_zz").unwrap_err();
        assert_eq!(missing.param(), Some("customer"));
        let detached = run(&mut store, "payment_method.detach", "pm_1", Value::Null).unwrap();
        assert_eq!(detached["customer"], "cus_a");
        assert_eq!(detached["payment_method"]["customer"], Value::Null);
        let again = run(&mut store, "payment_method.detach", "pm_1", Value::Null).unwrap_err();
        assert_eq!(again.status(), 400);
    }

    #[test]
    fn a_detached_payment_method_is_never_attached_again() {
        let mut store = store();
        let pm = attach_to(&mut store, "pm_card_visa", "cus_a").unwrap();
        let id = pm["id"].as_str().unwrap().to_owned();
        run(&mut store, "payment_method.detach", &id, Value::Null).unwrap();
        assert_eq!(
            store.owner(Table::PaymentMethods, &id).unwrap().as_deref(),
            Some(DETACHED)
        );
        let shown = run(&mut store, "payment_method.retrieve", &id, Value::Null).unwrap();
        assert_eq!(shown["customer"], Value::Null);
        assert!(
            shown.get(DETACHED).is_none(),
            "the mark is not in the document"
        );
        // An update keeps the mark.
        let update = json!({"metadata": {"k": "v"}});
        run(&mut store, "payment_method.update", &id, update).unwrap();
        for customer in ["cus_a", "cus_b"] {
            let err = attach_to(&mut store, &id, customer).unwrap_err();
            assert_eq!((err.kind(), err.status()), ("invalid_request_error", 400));
            assert_eq!(err.to_string(), "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, and may not be used again.");
            assert_eq!((err.param(), err.code()), (None, None));
        }
        let seed_004 = json!({"customer": "cus_b", "from_customer_path": true});
        let err = run(&mut store, "payment_method.attach", &id, seed_004).unwrap_err();
        assert_eq!(err.status(), 400);
        let listed = run(
            &mut store,
            "payment_method.list",
            "",
            json!({"customer": "cus_a"}),
        );
        assert_eq!(listed.unwrap()["data"], json!([]));
    }

    #[test]
    fn a_payment_method_given_back_by_a_release_is_free_again() {
        let mut store = store();
        let card = test_cards::by_magic_id("pm_card_visa").unwrap();
        let pm = new_payment_method("pm_1".into(), card, None, false, 5, false);
        run(&mut store, "payment_method.create", "", pm).unwrap();
        attach_to(&mut store, "pm_1", "cus_a").unwrap();
        release(&mut store, "pm_1", false).unwrap();
        assert_eq!(store.owner(Table::PaymentMethods, "pm_1").unwrap(), None);
        assert_eq!(
            attach_to(&mut store, "pm_1", "cus_b").unwrap()["customer"],
            "cus_b"
        );
    }

    #[test]
    fn billing_details_patch_part_by_part() {
        let mut store = store();
        let card = test_cards::by_magic_id("pm_card_visa").unwrap();
        let pm = new_payment_method("pm_1".into(), card, None, false, 5, false);
        run(&mut store, "payment_method.create", "", pm).unwrap();
        let patch = json!({"billing_details": {"name": "Jo", "address": {"city": "Paris"}}, "metadata": {"k": "v"}});
        let pm = run(&mut store, "payment_method.update", "pm_1", patch).unwrap();
        assert_eq!(
            (
                pm["billing_details"]["name"].as_str(),
                pm["billing_details"]["address"]["city"].as_str()
            ),
            (Some("Jo"), Some("Paris"))
        );
        assert_eq!(pm["metadata"]["k"], "v");
        let pm = run(
            &mut store,
            "payment_method.update",
            "pm_1",
            json!({"billing_details": {"name": null, "address": null}}),
        )
        .unwrap();
        assert_eq!(
            (
                pm["billing_details"]["name"].clone(),
                pm["billing_details"]["address"]["city"].clone()
            ),
            (Value::Null, Value::Null)
        );
    }

    #[test]
    fn the_account_list_filters_by_customer_and_is_empty_without_one() {
        let mut store = store();
        let visa = attach_to(&mut store, "pm_card_visa", "cus_a").unwrap();
        attach_to(&mut store, "pm_card_mastercard", "cus_b").unwrap();
        let mut list = |args: Value| {
            let mut args = args;
            args["account_list"] = true.into();
            run(&mut store, "payment_method.list", "", args)
        };
        let of_a = list(json!({"customer": "cus_a", "type": "card"})).unwrap();
        assert_eq!(of_a["url"], "/v1/payment_methods");
        assert_eq!(of_a["data"].as_array().unwrap().len(), 1);
        assert_eq!(of_a["data"][0]["id"], visa["id"]);
        let other_type = list(json!({"customer": "cus_a", "type": "sepa_debit"})).unwrap();
        assert_eq!(other_type["data"], json!([]));
        assert_eq!(list(json!({})).unwrap()["data"], json!([]));
        let missing = list(json!({"customer": "cus_zz"})).unwrap_err();
        assert_eq!((missing.status(), missing.param()), (400, Some("customer")));
    }

    #[test]
    fn a_customers_list_filters_by_type() {
        let mut store = store();
        attach_to(&mut store, "pm_card_visa", "cus_a").unwrap();
        attach_to(&mut store, "pm_card_mastercard", "cus_b").unwrap();
        let mut list = |kind: Option<&str>| {
            let mut args = json!({"customer": "cus_a"});
            if let Some(kind) = kind {
                args["type"] = kind.into();
            }
            let v = run(&mut store, "payment_method.list", "", args).unwrap();
            v["data"].as_array().unwrap().len()
        };
        assert_eq!(list(None), 1);
        assert_eq!(list(Some("card")), 1);
        assert_eq!(list(Some("sepa_debit")), 0);
    }
}

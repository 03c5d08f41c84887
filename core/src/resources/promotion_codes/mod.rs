//! Promotion codes (`/v1/promotion_codes`): customer-facing codes for a coupon, in the
//! AccountObject's `promotion_codes` table. Redeeming one (the customer claim step)
//! checks `active`, `expires_at`, `max_redemptions`, the customer restriction and the
//! coupon, and counts the redemption on both.

pub mod handlers;

use serde_json::Value;

use super::coupons;
use super::objects::{
    int, opt, opt_int, patch_fields, patch_metadata, save, set, template, text, ObjectCommand,
    ObjectStore, Page, Table,
};
use crate::wire::error::ApiError;

pub const URL: &str = "/v1/promotion_codes";

/// `expand[]` on a promotion code: its `x-expandableFields` in Stripe's 2023-08-16
/// schema. `customer` holds an id (expanded from the account's index); `coupon` and
/// `restrictions` are objects already, shown as they are.
pub const EXPANDABLE: &[&str] = &["coupon", "customer", "restrictions"];

/// Whether a promotion code matches the list filters in `args` (each given one must).
fn matches(args: &Value, promo: &Value) -> bool {
    let given = |key: &str| args.get(key).and_then(Value::as_str);
    args.get("active")
        .and_then(Value::as_bool)
        .is_none_or(|a| promo["active"].as_bool() == Some(a))
        && given("code").is_none_or(|c| text(promo, "code").eq_ignore_ascii_case(c))
        && given("coupon").is_none_or(|c| text(&promo["coupon"], "id") == c)
        && given("customer").is_none_or(|c| text(promo, "customer") == c)
}

/// Runs one promotion code command (`promotion_code.create|retrieve|update|list`);
/// answers the JSON body. A create's `args` is the code without its coupon, whose id is
/// in `args.coupon`.
pub fn execute(store: &mut impl ObjectStore, command: ObjectCommand) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let body = match op.as_str() {
        "promotion_code.create" => {
            let mut promo = args;
            let coupon_id = text(&promo, "coupon").to_owned();
            let coupon = store
                .get(Table::Coupons, &coupon_id)?
                .ok_or_else(|| ApiError::missing_reference("coupon", &coupon_id, "coupon"))?;
            let code = text(&promo, "code");
            let taken = store.all(Table::PromotionCodes, None)?.iter().any(|other| {
                other["active"] == true
                    && text(other, "code").eq_ignore_ascii_case(code)
                    && other["customer"] == promo["customer"]
            });
            if taken {
                return Err(ApiError::invalid(
                    "code",
                    format!("An active promotion code with `code: {code}` already exists."),
                ));
            }
            promo["coupon"] = coupon;
            save(store, Table::PromotionCodes, &promo)?;
            promo
        }
        "promotion_code.retrieve" => find(store, &id)?,
        "promotion_code.update" => {
            let mut promo = find(store, &id)?;
            patch_fields(&mut promo, &args, &["active"]);
            patch_metadata(&mut promo, &args)?;
            save(store, Table::PromotionCodes, &promo)?;
            promo
        }
        _ => {
            let mut all = store.all(Table::PromotionCodes, None)?;
            all.retain(|p| matches(&args, p));
            let mut shown = Vec::with_capacity(all.len());
            for promo in all {
                shown.push(with_current_coupon(store, promo)?);
            }
            return Page::of(&args).list_json(URL, shown, "promotion code");
        }
    };
    Ok(serde_json::to_string(&body)?)
}

/// A promotion code named in the path (404 if none), showing its coupon as it is now.
fn find(store: &impl ObjectStore, id: &str) -> Result<Value, ApiError> {
    let promo = store
        .get(Table::PromotionCodes, id)?
        .ok_or_else(|| ApiError::not_found("promotion code", id))?;
    with_current_coupon(store, promo)
}

/// Refreshes the embedded coupon (a deleted coupon stays as it was last seen).
fn with_current_coupon(store: &impl ObjectStore, mut promo: Value) -> Result<Value, ApiError> {
    if let Some(coupon) = store.get(Table::Coupons, text(&promo["coupon"], "id"))? {
        promo["coupon"] = coupon;
    }
    Ok(promo)
}

/// Redeems promotion code `id` for `customer`: every restriction is checked, then the
/// redemption is counted on the code and its coupon. Answers the coupon as it now is.
pub fn redeem(
    store: &mut impl ObjectStore,
    id: &str,
    param: &str,
    customer: &str,
    now: i64,
) -> Result<Value, ApiError> {
    let mut promo = store
        .get(Table::PromotionCodes, id)?
        .ok_or_else(|| ApiError::missing_reference("promotion code", id, param))?;
    let refuse = |message: &str| Err(ApiError::invalid(param, message.to_owned()));
    if promo["active"] != true {
        return refuse("This promotion code is inactive.");
    }
    if promo["expires_at"].as_i64().is_some_and(|t| t <= now) {
        return refuse("This promotion code has expired.");
    }
    if promo["max_redemptions"]
        .as_i64()
        .is_some_and(|max| int(&promo, "times_redeemed") >= max)
    {
        return refuse("This promotion code has been fully redeemed.");
    }
    if promo["customer"].as_str().is_some_and(|c| c != customer) {
        return refuse("This promotion code cannot be redeemed by this customer.");
    }
    if promo["restrictions"]["first_time_transaction"] == true && has_paid(store, customer)? {
        return refuse("This promotion code cannot be redeemed because the associated customer has prior transactions.");
    }
    let coupon = coupons::redeem(store, text(&promo["coupon"], "id"), param, now)?;
    promo["times_redeemed"] = (int(&promo, "times_redeemed") + 1).into();
    promo["coupon"] = coupon.clone();
    save(store, Table::PromotionCodes, &promo)?;
    Ok(coupon)
}

/// Whether the customer has paid an invoice (a prior transaction, for
/// `restrictions.first_time_transaction`).
fn has_paid(store: &impl ObjectStore, customer: &str) -> Result<bool, ApiError> {
    Ok(store
        .all(Table::Invoices, Some(customer))?
        .iter()
        .any(|invoice| int(invoice, "amount_paid") > 0))
}

/// Whether a promotion code's `restrictions.minimum_amount` lets it apply to an invoice of
/// `subtotal` in `currency` (a minimum in another currency is not met).
pub fn meets_minimum(restrictions: &Value, subtotal: i64, currency: &str) -> bool {
    match restrictions["minimum_amount"].as_i64() {
        None => true,
        Some(minimum) => {
            restrictions["minimum_amount_currency"].as_str() == Some(currency)
                && subtotal >= minimum
        }
    }
}

/// Undoes one redemption of the code and its coupon.
pub fn release(store: &mut impl ObjectStore, id: &str, now: i64) -> Result<(), ApiError> {
    if let Some(mut promo) = store.get(Table::PromotionCodes, id)? {
        promo["times_redeemed"] = (int(&promo, "times_redeemed") - 1).max(0).into();
        coupons::release(store, text(&promo["coupon"], "id"), now)?;
        save(store, Table::PromotionCodes, &promo)?;
    }
    Ok(())
}

/// A new promotion code document; `coupon` holds the coupon's id until the object
/// embeds the coupon.
#[allow(clippy::too_many_arguments)]
pub fn new_promo(
    id: String,
    coupon: String,
    code: String,
    active: bool,
    customer: Option<String>,
    expires_at: Option<i64>,
    max_redemptions: Option<i64>,
    metadata: Value,
    created: i64,
    livemode: bool,
) -> Value {
    let mut promo = template(PROMOTION_CODE);
    set(
        &mut promo,
        vec![
            ("id", id.into()),
            ("active", active.into()),
            ("code", code.into()),
            ("coupon", coupon.into()),
            ("created", created.into()),
            ("customer", opt(customer)),
            ("expires_at", opt_int(expires_at)),
            ("livemode", livemode.into()),
            ("max_redemptions", opt_int(max_redemptions)),
            ("metadata", metadata),
        ],
    );
    promo
}

const PROMOTION_CODE: &str = r#"{"id":null,"object":"promotion_code","active":true,"code":null,"coupon":null,"created":0,"customer":null,"expires_at":null,"livemode":false,"max_redemptions":null,"metadata":{},"restrictions":{"currency_options":{},"first_time_transaction":false,"minimum_amount":null,"minimum_amount_currency":null},"times_redeemed":0}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::objects::MemoryObjectStore;
    use serde_json::json;

    fn store_with_coupon() -> MemoryObjectStore {
        let mut store = MemoryObjectStore::default();
        let coupon = json!({"id": "C", "object": "coupon", "created": 1, "times_redeemed": 0,
            "max_redemptions": null, "redeem_by": null, "valid": true});
        save(&mut store, Table::Coupons, &coupon).unwrap();
        store
    }

    fn create(
        store: &mut MemoryObjectStore,
        id: &str,
        code: &str,
        customer: Option<&str>,
        max: Option<i64>,
    ) -> Result<String, ApiError> {
        let promo = new_promo(
            id.into(),
            "C".into(),
            code.into(),
            true,
            customer.map(Into::into),
            None,
            max,
            json!({}),
            5,
            false,
        );
        execute(
            store,
            ObjectCommand::new("promotion_code.create", "", promo),
        )
    }

    #[test]
    fn a_code_embeds_its_coupon_and_active_codes_are_unique() {
        let mut store = store_with_coupon();
        let made: Value =
            serde_json::from_str(&create(&mut store, "promo_1", "SPRING", None, None).unwrap())
                .unwrap();
        assert_eq!(made["coupon"]["id"], "C");
        let dup = create(&mut store, "promo_2", "spring", None, None).unwrap_err();
        assert_eq!(dup.param(), Some("code"));
        let promo = new_promo(
            "promo_3".into(),
            "NOPE".into(),
            "X".into(),
            true,
            None,
            None,
            None,
            json!({}),
            5,
            false,
        );
        let missing = execute(
            &mut store,
            ObjectCommand::new("promotion_code.create", "", promo),
        )
        .unwrap_err();
        assert_eq!(missing.to_string(), "No such coupon: 'NOPE'");
    }

    #[test]
    fn redemption_checks_every_restriction_and_counts_on_both() {
        let mut store = store_with_coupon();
        create(&mut store, "promo_1", "ONCE", None, Some(1)).unwrap();
        create(&mut store, "promo_2", "MINE", Some("cus_a"), None).unwrap();
        let coupon = redeem(&mut store, "promo_1", "promotion_code", "cus_x", 10).unwrap();
        assert_eq!(coupon["times_redeemed"], 1);
        let spent = redeem(&mut store, "promo_1", "promotion_code", "cus_x", 10).unwrap_err();
        assert_eq!(spent.param(), Some("promotion_code"));
        assert!(redeem(&mut store, "promo_2", "promotion_code", "cus_b", 10).is_err());
        assert!(redeem(&mut store, "promo_2", "promotion_code", "cus_a", 10).is_ok());
        execute(
            &mut store,
            ObjectCommand::new("promotion_code.update", "promo_2", json!({"active": false})),
        )
        .unwrap();
        let inactive = redeem(&mut store, "promo_2", "promotion_code", "cus_a", 10).unwrap_err();
        assert_eq!(inactive.to_string(), "This promotion code is inactive.");
        release(&mut store, "promo_1", 10).unwrap();
        assert_eq!(
            store.get(Table::Coupons, "C").unwrap().unwrap()["times_redeemed"],
            1
        );
    }

    #[test]
    fn a_first_time_code_is_refused_to_a_customer_who_paid_before_and_minimums_need_the_currency() {
        let mut store = MemoryObjectStore::default();
        let code = json!({"id": "promo_first", "object": "promotion_code", "active": true,
            "coupon": {"id": "C"}, "customer": null, "expires_at": null, "max_redemptions": null,
            "times_redeemed": 0, "restrictions": {"first_time_transaction": true}});
        save(&mut store, Table::PromotionCodes, &code).unwrap();
        let paid = json!({"id": "in_1", "object": "invoice", "customer": "cus_1", "created": 1, "amount_paid": 100});
        save(&mut store, Table::Invoices, &paid).unwrap();
        let err = redeem(&mut store, "promo_first", "promotion_code", "cus_1", 10).unwrap_err();
        assert!(err.to_string().contains("prior transactions"));
        let minimum = json!({"minimum_amount": 1000, "minimum_amount_currency": "usd"});
        assert!(meets_minimum(&minimum, 1000, "usd"));
        assert!(!meets_minimum(&minimum, 999, "usd"));
        assert!(!meets_minimum(&minimum, 5000, "eur"));
        assert!(meets_minimum(&Value::Null, 0, "usd"));
    }
}

//! Coupons (`/v1/coupons`): their parameters, the commands the AccountObject runs on its
//! `coupons` table, and redemption (validity, `max_redemptions`, `redeem_by`,
//! `times_redeemed`), which the customer claim step calls in the same object.
//! Documents are `serde_json::Value`s (keys in alphabetical order).

pub mod handlers;

use serde_json::Value;

use super::objects::{
    int, metadata_arg, opt, opt_int, patch_fields, patch_metadata, save, set, template,
    ObjectCommand, ObjectStore, Page, Table,
};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::Params;

pub const URL: &str = "/v1/coupons";
/// `x-expandableFields` of a coupon in Stripe's 2023-08-16 schema: objects already
/// (when present), shown as they are.
pub const EXPANDABLE: &[&str] = &["applies_to", "currency_options"];
const NAME_MAX: usize = 40;
const DURATIONS: &[&str] = &["forever", "once", "repeating"];

/// The coupon `POST /v1/coupons` describes, validated (before any object is asked).
pub fn parse_create(p: &mut Params, now: i64, livemode: bool) -> Result<Value, ApiError> {
    let id = match p.required_string("id", 200)? {
        Some(id) => id,
        None => ids::random_id("co")?.split_off(3).chars().take(8).collect(),
    };
    let percent_off = match p.required_string("percent_off", 64)? {
        None => None,
        Some(s) => match parse_percent(&s) {
            Some(v) if v > 0.0 && v <= 100.0 => Some(v),
            _ => {
                return Err(ApiError::invalid(
                    "percent_off",
                    "Invalid percent_off: must be greater than 0 and at most 100",
                ))
            }
        },
    };
    let amount_off = p.integer("amount_off")?.into_option();
    let currency = p
        .required_string("currency", 3)?
        .map(|c| c.to_ascii_lowercase());
    match (percent_off, amount_off) {
        (None, None) => {
            return Err(ApiError::bad_request(
                "Must provide one of amount_off or percent_off.",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "amount_off",
                "You may only specify one of these parameters: amount_off, percent_off.",
            ))
        }
        (None, Some(a)) if a <= 0 => {
            return Err(ApiError::invalid(
                "amount_off",
                "Invalid amount_off: must be greater than 0",
            ))
        }
        (None, Some(_)) if currency.is_none() => {
            return Err(ApiError::MissingParameter {
                param: "currency".into(),
            })
        }
        _ => {}
    }
    let duration = p
        .one_of("duration", DURATIONS)?
        .into_option()
        .unwrap_or_else(|| "once".into());
    let months = p.integer("duration_in_months")?.into_option();
    let months = match (duration.as_str(), months) {
        ("repeating", None) => {
            return Err(ApiError::MissingParameter {
                param: "duration_in_months".into(),
            })
        }
        ("repeating", Some(m)) if m < 1 => {
            return Err(ApiError::invalid(
                "duration_in_months",
                "Invalid duration_in_months: must be greater than 0",
            ))
        }
        ("repeating", m) => m,
        (_, Some(_)) => {
            return Err(ApiError::invalid(
                "duration_in_months",
                "duration_in_months can only be set when duration is 'repeating'.",
            ))
        }
        _ => None,
    };
    let max_redemptions = positive(p, "max_redemptions")?;
    let redeem_by = p.integer("redeem_by")?.into_option();
    if redeem_by.is_some_and(|t| t <= now) {
        return Err(ApiError::invalid(
            "redeem_by",
            "Invalid redeem_by: must be in the future",
        ));
    }
    let name = p.string("name", NAME_MAX)?.into_option();
    let mut args = template("{}");
    metadata_arg(p, &mut args)?;
    super::objects::check_expand(p, false, EXPANDABLE)?;
    let mut coupon = template(COUPON);
    set(
        &mut coupon,
        vec![
            ("id", id.into()),
            ("amount_off", opt_int(amount_off)),
            ("created", now.into()),
            ("currency", opt(currency.filter(|_| amount_off.is_some()))),
            ("duration", duration.into()),
            ("duration_in_months", opt_int(months)),
            ("livemode", livemode.into()),
            ("max_redemptions", opt_int(max_redemptions)),
            ("name", opt(name)),
            ("percent_off", percent_off.map_or(Value::Null, Value::from)),
            ("redeem_by", opt_int(redeem_by)),
        ],
    );
    patch_metadata(&mut coupon, &args)?;
    Ok(coupon)
}

/// A coupon with the fields that do not vary, the others still to be set.
const COUPON: &str = r#"{"id":null,"object":"coupon","amount_off":null,"created":0,"currency":null,"duration":"once","duration_in_months":null,"livemode":false,"max_redemptions":null,"metadata":{},"name":null,"percent_off":null,"redeem_by":null,"times_redeemed":0,"valid":true}"#;

/// A decimal like `25.5` (digits, at most one point), read without the float parser.
fn parse_percent(s: &str) -> Option<f64> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let digits = |d: &str| d.len() <= 9 && d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
        return None;
    }
    let number = |d: &str| d.parse::<u32>().unwrap_or(0);
    let scale = 10u32.pow(fraction.len() as u32);
    Some(f64::from(number(whole)) + f64::from(number(fraction)) / f64::from(scale))
}

/// An optional integer that must be at least 1.
pub fn positive(p: &mut Params, key: &str) -> Result<Option<i64>, ApiError> {
    match p.integer(key)?.into_option() {
        Some(n) if n < 1 => Err(ApiError::invalid(
            p.name_of(key),
            format!("Invalid {key}: must be greater than 0"),
        )),
        other => Ok(other),
    }
}

/// Runs one coupon command (`coupon.create|retrieve|update|delete|list`); answers the
/// JSON body.
pub fn execute(store: &mut impl ObjectStore, command: ObjectCommand) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let body = match op.as_str() {
        "coupon.create" => {
            let id = super::objects::text(&args, "id");
            if store.get(Table::Coupons, id)?.is_some() {
                return Err(ApiError::invalid_with_code(
                    "id",
                    "resource_already_exists",
                    "Coupon already exists.",
                ));
            }
            save(store, Table::Coupons, &args)?;
            args
        }
        "coupon.retrieve" => find(store, &id)?,
        "coupon.update" => {
            let mut coupon = find(store, &id)?;
            patch_fields(&mut coupon, &args, &["name"]);
            patch_metadata(&mut coupon, &args)?;
            save(store, Table::Coupons, &coupon)?;
            coupon
        }
        "coupon.delete" => {
            find(store, &id)?;
            store.remove(Table::Coupons, &id)?;
            let mut deleted = template(r#"{"object":"coupon","deleted":true}"#);
            deleted["id"] = id.into();
            deleted
        }
        _ => {
            let all = store.all(Table::Coupons, None)?;
            return Page::of(&args).list_json(URL, all, "coupon");
        }
    };
    Ok(serde_json::to_string(&body)?)
}

/// A coupon named in the path: 404 if there is none.
fn find(store: &impl ObjectStore, id: &str) -> Result<Value, ApiError> {
    store
        .get(Table::Coupons, id)?
        .ok_or_else(|| ApiError::not_found("coupon", id))
}

/// Whether a coupon can still be redeemed at `now`.
pub fn is_valid(coupon: &Value, now: i64) -> bool {
    let spent = coupon["max_redemptions"]
        .as_i64()
        .is_some_and(|max| int(coupon, "times_redeemed") >= max);
    let expired = coupon["redeem_by"].as_i64().is_some_and(|t| t <= now);
    !spent && !expired
}

/// Redeems coupon `id` once: fails (on `param`) unless it exists and is valid; else
/// counts the redemption and answers the coupon as it now is. The caller saves nothing
/// else in between: this runs inside the AccountObject's one synchronous block.
pub fn redeem(
    store: &mut impl ObjectStore,
    id: &str,
    param: &str,
    now: i64,
) -> Result<Value, ApiError> {
    let mut coupon = store
        .get(Table::Coupons, id)?
        .ok_or_else(|| ApiError::missing_reference("coupon", id, param))?;
    if !is_valid(&coupon, now) {
        return Err(ApiError::invalid(param, format!("Coupon expired: {id}")));
    }
    count_redemption(&mut coupon, 1, now);
    save(store, Table::Coupons, &coupon)?;
    Ok(coupon)
}

/// Undoes one redemption (the compensation when the customer write failed).
pub fn release(store: &mut impl ObjectStore, id: &str, now: i64) -> Result<(), ApiError> {
    if let Some(mut coupon) = store.get(Table::Coupons, id)? {
        count_redemption(&mut coupon, -1, now);
        save(store, Table::Coupons, &coupon)?;
    }
    Ok(())
}

fn count_redemption(coupon: &mut Value, by: i64, now: i64) {
    coupon["times_redeemed"] = (int(coupon, "times_redeemed") + by).max(0).into();
    coupon["valid"] = is_valid(coupon, now).into();
}

/// The `discount` a redeemed coupon gives a customer; a repeating coupon's ends
/// `duration_in_months` after it starts.
pub fn discount(
    coupon: Value,
    customer: &str,
    promotion_code: Option<String>,
    now: i64,
) -> Result<Value, ApiError> {
    let end = match (
        coupon["duration"].as_str(),
        coupon["duration_in_months"].as_i64(),
    ) {
        (Some("repeating"), Some(months)) => Some(crate::wire::dates::add_months(now, months)),
        _ => None,
    };
    let mut discount = template(DISCOUNT);
    set(
        &mut discount,
        vec![
            ("id", ids::random_id("di")?.into()),
            ("coupon", coupon),
            ("customer", customer.into()),
            ("end", opt_int(end)),
            ("promotion_code", opt(promotion_code)),
            ("start", now.into()),
        ],
    );
    Ok(discount)
}

const DISCOUNT: &str = r#"{"id":null,"object":"discount","checkout_session":null,"coupon":null,"customer":null,"end":null,"invoice":null,"invoice_item":null,"promotion_code":null,"start":0,"subscription":null}"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::objects::MemoryObjectStore;
    use crate::wire::form::decode_form;
    use serde_json::json;

    fn create(store: &mut MemoryObjectStore, body: &str) -> Result<Value, ApiError> {
        let mut p = Params::new(decode_form(body.as_bytes()).unwrap());
        let coupon = parse_create(&mut p, 1_000, false)?;
        p.finish()?;
        let text = execute(store, ObjectCommand::new("coupon.create", "", coupon))?;
        Ok(serde_json::from_str(&text).unwrap())
    }

    #[test]
    fn percentages_are_read_as_decimals() {
        assert_eq!(parse_percent("25.5"), Some(25.5));
        assert_eq!(parse_percent("100"), Some(100.0));
        assert_eq!(parse_percent(".5"), Some(0.5));
        assert_eq!(parse_percent("33.333"), Some(33.333));
        for bad in ["", ".", "1e2", "-5", "1.2.3", "ten"] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_created_coupon_has_stripes_defaults() {
        let mut store = MemoryObjectStore::default();
        let c = create(
            &mut store,
            "percent_off=25.5&duration=repeating&duration_in_months=3",
        )
        .unwrap();
        assert_eq!(c["object"], "coupon");
        assert_eq!(c["percent_off"], 25.5);
        assert_eq!(c["duration_in_months"], 3);
        assert_eq!(c["times_redeemed"], 0);
        assert_eq!(c["valid"], true);
        assert_eq!(c["currency"], Value::Null);
        assert_eq!(c["id"].as_str().unwrap().len(), 8);
        let once = create(&mut store, "amount_off=500&currency=USD&id=FIVE").unwrap();
        assert_eq!(
            (once["duration"].as_str(), once["currency"].as_str()),
            (Some("once"), Some("usd"))
        );
    }

    #[test]
    fn invalid_combinations_are_refused() {
        let mut store = MemoryObjectStore::default();
        for (body, param) in [
            ("", None),
            (
                "percent_off=10&amount_off=5&currency=usd",
                Some("amount_off"),
            ),
            ("amount_off=5", Some("currency")),
            ("percent_off=101", Some("percent_off")),
            (
                "percent_off=10&duration=repeating",
                Some("duration_in_months"),
            ),
            (
                "percent_off=10&duration_in_months=3",
                Some("duration_in_months"),
            ),
            ("percent_off=10&max_redemptions=0", Some("max_redemptions")),
            ("percent_off=10&redeem_by=5", Some("redeem_by")),
        ] {
            let err = create(&mut store, body).unwrap_err();
            assert_eq!(err.param(), param, "{body}");
        }
        create(&mut store, "percent_off=10&id=A").unwrap();
        let again = create(&mut store, "percent_off=10&id=A").unwrap_err();
        assert_eq!(again.code(), Some("resource_already_exists"));
    }

    #[test]
    fn redemptions_count_and_stop_at_the_maximum() {
        let mut store = MemoryObjectStore::default();
        create(&mut store, "percent_off=10&id=ONE&max_redemptions=1").unwrap();
        let redeemed = redeem(&mut store, "ONE", "coupon", 2_000).unwrap();
        assert_eq!(
            (
                redeemed["times_redeemed"].as_i64(),
                redeemed["valid"].as_bool()
            ),
            (Some(1), Some(false))
        );
        let err = redeem(&mut store, "ONE", "coupon", 2_000).unwrap_err();
        assert_eq!(err.to_string(), "Coupon expired: ONE");
        release(&mut store, "ONE", 2_000).unwrap();
        assert!(redeem(&mut store, "ONE", "coupon", 2_000).is_ok());
        let missing = redeem(&mut store, "NOPE", "coupon", 0).unwrap_err();
        assert_eq!(missing.to_string(), "No such coupon: 'NOPE'");
        assert_eq!(missing.status(), 400);
    }

    #[test]
    fn a_coupon_past_redeem_by_is_not_redeemable() {
        let mut store = MemoryObjectStore::default();
        create(&mut store, "percent_off=10&id=OLD&redeem_by=5000").unwrap();
        assert!(redeem(&mut store, "OLD", "coupon", 4_999).is_ok());
        assert!(redeem(&mut store, "OLD", "coupon", 5_000).is_err());
    }

    #[test]
    fn update_changes_name_and_metadata_and_delete_answers_the_stub() {
        let mut store = MemoryObjectStore::default();
        create(&mut store, "percent_off=10&id=A").unwrap();
        let update = ObjectCommand::new(
            "coupon.update",
            "A",
            json!({"name": "Ten", "metadata": {"k": "v"}}),
        );
        let updated: Value = serde_json::from_str(&execute(&mut store, update).unwrap()).unwrap();
        assert_eq!(
            (updated["name"].as_str(), updated["metadata"]["k"].as_str()),
            (Some("Ten"), Some("v"))
        );
        let deleted = execute(
            &mut store,
            ObjectCommand::new("coupon.delete", "A", Value::Null),
        )
        .unwrap();
        assert_eq!(deleted, r#"{"deleted":true,"id":"A","object":"coupon"}"#);
        let err = execute(
            &mut store,
            ObjectCommand::new("coupon.retrieve", "A", Value::Null),
        )
        .unwrap_err();
        assert_eq!(err.status(), 404);
    }
}

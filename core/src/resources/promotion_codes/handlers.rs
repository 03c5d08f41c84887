//! The `/v1/promotion_codes` routes: each parses its parameters into one
//! [`ObjectCommand`] for the AccountObject.

use serde_json::json;

use super::new_promo;
use super::EXPANDABLE;
use crate::resources::coupons::positive;
use crate::resources::objects::ObjectRoute;
use crate::resources::objects::{expand_arg, metadata_arg, patch_metadata, ObjectCommand, Page};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::Params;
use crate::wire::request::ApiRequest;

const CODE_MAX: usize = 500;

/// The command of a `/v1/promotion_codes` route.
pub fn command(route: ObjectRoute, req: &mut ApiRequest) -> Result<ObjectCommand, ApiError> {
    let mut p = req.take_params();
    let mut args = json!({});
    let (op, id) = match route {
        ObjectRoute::Create => {
            args = parse_create(&mut p, req)?;
            ("promotion_code.create", String::new())
        }
        ObjectRoute::Retrieve { id } => ("promotion_code.retrieve", id),
        ObjectRoute::Update { id } => {
            if let Some(active) = p.boolean("active")?.into_option() {
                args["active"] = active.into();
            }
            metadata_arg(&mut p, &mut args)?;
            ("promotion_code.update", id)
        }
        ObjectRoute::List => {
            Page::parse_into(&mut p, &mut args)?;
            if let Some(active) = p.boolean("active")?.into_option() {
                args["active"] = active.into();
            }
            for key in ["code", "coupon", "customer"] {
                if let Some(v) = p.required_string(key, CODE_MAX)? {
                    args[key] = v.into();
                }
            }
            ("promotion_code.list", String::new())
        }
        _ => return Err(ApiError::internal("unrouted promotion code operation")),
    };
    expand_arg(&mut p, &mut args, op == "promotion_code.list", EXPANDABLE)?;
    p.finish()?;
    Ok(ObjectCommand::new(op, &id, args))
}

fn parse_create(p: &mut Params, req: &ApiRequest) -> Result<serde_json::Value, ApiError> {
    let coupon = p
        .required_string("coupon", 200)?
        .ok_or_else(|| ApiError::MissingParameter {
            param: "coupon".into(),
        })?;
    let code = match p.required_string("code", CODE_MAX)? {
        Some(code) => code,
        None => ids::random_id("x")?[2..10].to_ascii_uppercase(),
    };
    let active = p.boolean("active")?.into_option().unwrap_or(true);
    let customer = p.required_string("customer", 200)?;
    let expires_at = p.integer("expires_at")?.into_option();
    if expires_at.is_some_and(|t| t <= req.now) {
        return Err(ApiError::invalid(
            "expires_at",
            "Invalid expires_at: must be in the future",
        ));
    }
    let max_redemptions = positive(p, "max_redemptions")?;
    let mut args = json!({});
    metadata_arg(p, &mut args)?;
    let mut restrictions = json!({});
    if let Some(mut r) = p.object_not_empty("restrictions")? {
        if let Some(first) = r.boolean("first_time_transaction")?.into_option() {
            restrictions["first_time_transaction"] = first.into();
        }
        let minimum = r.integer("minimum_amount")?.into_option();
        let currency = r.string("minimum_amount_currency", 3)?.into_option();
        match (minimum, currency) {
            (Some(amount), Some(currency)) if amount > 0 => {
                restrictions["minimum_amount"] = amount.into();
                restrictions["minimum_amount_currency"] = currency.to_ascii_lowercase().into();
            }
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    r.name_of("minimum_amount"),
                    "Invalid positive integer",
                ))
            }
            (None, None) => {}
            // Stripe asks for both or neither.
            (Some(_), None) => {
                return Err(ApiError::MissingParameter {
                    param: r.name_of("minimum_amount_currency"),
                })
            }
            (None, Some(_)) => {
                return Err(ApiError::MissingParameter {
                    param: r.name_of("minimum_amount"),
                })
            }
        }
        r.finish()?;
    }
    let mut promo = new_promo(
        ids::random_id("promo")?,
        coupon,
        code,
        active,
        customer,
        expires_at,
        max_redemptions,
        json!({}),
        req.now,
        req.account.livemode,
    );
    patch_metadata(&mut promo, &args)?;
    if let Some(fields) = restrictions.as_object() {
        for (key, value) in fields {
            promo["restrictions"][key] = value.clone();
        }
    }
    Ok(promo)
}

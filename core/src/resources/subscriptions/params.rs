//! The parameters of `/v1/subscriptions`, checked in the Worker before any object is
//! touched and sent on as JSON args: create and update (`items[]`, trials, collection,
//! cancel at period end), and the list filters.

use serde_json::{json, Value};

use crate::resources::objects::{created_arg, field_arg, filter_arg, metadata_arg, Page};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::{element_object, parse_integer, Field, Params};

/// Stripe's limit on the items of one subscription.
const ITEMS_MAX: usize = 20;
const PAYMENT_BEHAVIORS: &[&str] = &[
    "allow_incomplete",
    "default_incomplete",
    "error_if_incomplete",
    "pending_if_incomplete",
];
pub const COLLECTION_METHODS: &[&str] = &["charge_automatically", "send_invoice"];

/// The `status` (one of `statuses`) and `collection_method` filters a subscription or
/// invoice list takes, as JSON args.
pub fn status_and_collection_args(
    p: &mut Params,
    args: &mut Value,
    statuses: &[&str],
) -> Result<(), ApiError> {
    if let Some(status) = p.one_of("status", statuses)?.into_option() {
        args["status"] = status.into();
    }
    if let Some(method) = p
        .one_of("collection_method", COLLECTION_METHODS)?
        .into_option()
    {
        filter_arg(args, "/collection_method", method.into());
    }
    Ok(())
}
const PRORATION_BEHAVIORS: &[&str] = &["always_invoice", "create_prorations", "none"];
pub const STATUSES: &[&str] = &[
    "active",
    "all",
    "canceled",
    "ended",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
];

/// `POST /v1/subscriptions`: the customer and the args of `subscription.create`.
pub fn create(p: &mut Params) -> Result<(String, Value), ApiError> {
    let customer =
        p.required_string("customer", 5000)?
            .ok_or_else(|| ApiError::MissingParameter {
                param: "customer".into(),
            })?;
    if !ids::is_well_formed(&customer, "cus") {
        return Err(ApiError::missing_reference(
            "customer", &customer, "customer",
        ));
    }
    let mut args = json!({"id": ids::random_id("sub")?});
    args["items"] = items(p, true)?;
    if let Some(behavior) = p
        .one_of("payment_behavior", PAYMENT_BEHAVIORS)?
        .into_option()
    {
        args["payment_behavior"] = behavior.into();
    }
    if let Some(days) = p.integer("trial_period_days")?.into_option() {
        if !(0..=730).contains(&days) {
            return Err(ApiError::invalid(
                "trial_period_days",
                "Invalid trial_period_days: must be between 0 and 730.",
            ));
        }
        args["trial_period_days"] = days.into();
    }
    common(p, &mut args)?;
    if args["collection_method"] == "send_invoice" && args["days_until_due"].is_null() {
        return Err(ApiError::MissingParameter {
            param: "days_until_due".into(),
        });
    }
    Ok((customer, args))
}

/// `POST /v1/subscriptions/{id}`: the args of `subscription.update`.
pub fn update(p: &mut Params) -> Result<Value, ApiError> {
    let mut args = json!({});
    let items = items(p, false)?;
    if items.as_array().is_some_and(|i| !i.is_empty()) {
        args["items"] = items;
    }
    common(p, &mut args)?;
    Ok(args)
}

/// The parameters create and update share.
fn common(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    if let Some(method) = p
        .one_of("collection_method", COLLECTION_METHODS)?
        .into_option()
    {
        args["collection_method"] = method.into();
    }
    if let Some(days) = p.integer("days_until_due")?.into_option() {
        if days < 0 {
            return Err(ApiError::invalid(
                "days_until_due",
                "Invalid non-negative integer",
            ));
        }
        args["days_until_due"] = days.into();
    }
    field_arg(
        p.string("default_payment_method", 5000)?,
        "default_payment_method",
        args,
    );
    field_arg(p.string("description", 500)?, "description", args);
    if let Some(cancel) = p.boolean("cancel_at_period_end")?.into_option() {
        args["cancel_at_period_end"] = cancel.into();
    }
    match p.string("trial_end", 20)? {
        Field::Set(end) if end == "now" => args["trial_end"] = "now".into(),
        Field::Set(end) => args["trial_end"] = parse_integer("trial_end", &end)?.into(),
        _ => {}
    }
    // Accepted as Stripe accepts them; no prorations are made here (see the README).
    p.one_of("proration_behavior", PRORATION_BEHAVIORS)?;
    p.boolean("off_session")?;
    metadata_arg(p, args)
}

/// `items[]`: `{price, quantity, metadata}` on create (at least one); on update also
/// `{id, quantity | price | deleted}`.
fn items(p: &mut Params, create: bool) -> Result<Value, ApiError> {
    let list = match p.list("items")? {
        Field::Set(list) => list,
        _ if create => {
            return Err(ApiError::MissingParameter {
                param: "items".into(),
            })
        }
        _ => return Ok(Value::Array(Vec::new())),
    };
    if list.len() > ITEMS_MAX {
        return Err(ApiError::invalid(
            "items",
            format!("A subscription can have at most {ITEMS_MAX} items."),
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for (index, (name, value)) in list.into_iter().enumerate() {
        let mut item = element_object(&name, value)?;
        let mut args = json!({});
        if !create {
            if let Some(id) = item.required_string("id", 200)? {
                args["id"] = id.into();
            }
            if let Some(deleted) = item.boolean("deleted")?.into_option() {
                args["deleted"] = deleted.into();
            }
        }
        match item.required_string("price", 200)? {
            Some(price) => args["price"] = price.into(),
            None if args.get("id").is_none() => {
                return Err(ApiError::MissingParameter {
                    param: format!("items[{index}][price]"),
                })
            }
            None => {}
        }
        if let Some(quantity) = item.integer("quantity")?.into_option() {
            if quantity < 0 {
                return Err(ApiError::invalid(
                    item.name_of("quantity"),
                    "Invalid non-negative integer",
                ));
            }
            args["quantity"] = quantity.into();
        }
        metadata_arg(&mut item, &mut args)?;
        item.finish()?;
        let key = if args.get("id").is_some() {
            "new_id"
        } else {
            "id"
        };
        args[key] = ids::random_id("si")?.into();
        out.push(args);
    }
    Ok(Value::Array(out))
}

/// `GET /v1/subscriptions`: `customer`, `price`, `status`, `collection_method`,
/// `test_clock`, `created`, and the page.
pub fn list(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    Page::parse_into(p, args)?;
    created_arg(p, args)?;
    if let Some(customer) = p.required_string("customer", 5000)? {
        args["customer"] = customer.into();
    }
    if let Some(price) = p.required_string("price", 200)? {
        args["price"] = price.into();
    }
    status_and_collection_args(p, args, STATUSES)?;
    if let Some(clock) = p.required_string("test_clock", 200)? {
        filter_arg(args, "/test_clock", clock.into());
    }
    Ok(())
}

//! The `/v1/prices` routes: each parses its parameters into one [`ObjectCommand`] for
//! the AccountObject. An update takes only Stripe's updatable fields; any other is
//! `parameter_unknown`.

use serde_json::{json, Value};

use super::{parse_create, parse_updatable, LOOKUP_KEY_MAX, TAX_BEHAVIORS};
use crate::resources::objects::ObjectRoute;
use crate::resources::objects::{created_arg, expand_arg, filter_arg, ObjectCommand, Page};
use crate::wire::error::ApiError;
use crate::wire::params::{element_string, Field, Params};
use crate::wire::request::ApiRequest;

/// `x-expandableFields` of a price in Stripe's 2023-08-16 schema; only `product` holds
/// an id, the rest are shown as they are.
const EXPANDABLE: &[&str] = &[
    "currency_options",
    "custom_unit_amount",
    "product",
    "recurring",
    "tiers",
    "transform_quantity",
];

/// The command of a `/v1/prices` route.
pub fn command(route: ObjectRoute, req: &mut ApiRequest) -> Result<ObjectCommand, ApiError> {
    let mut p = req.take_params();
    let mut args = json!({});
    let (op, id) = match route {
        ObjectRoute::Create => {
            args = parse_create(&mut p, req.now, req.account.livemode)?;
            ("price.create", String::new())
        }
        ObjectRoute::Retrieve { id } => ("price.retrieve", id),
        ObjectRoute::Update { id } => {
            parse_updatable(&mut p, &mut args)?;
            if let Some(tax) = p.one_of("tax_behavior", TAX_BEHAVIORS)?.into_option() {
                args["tax_behavior"] = tax.into();
            }
            ("price.update", id)
        }
        ObjectRoute::List => {
            parse_list(&mut p, &mut args)?;
            ("price.list", String::new())
        }
        _ => return Err(ApiError::internal("unrouted price operation")),
    };
    expand_arg(&mut p, &mut args, op == "price.list", EXPANDABLE)?;
    p.finish()?;
    Ok(ObjectCommand::new(op, &id, args))
}

/// The filters of `GET /v1/prices`: `active`, `currency`, `product`, `type`,
/// `lookup_keys[]`, `recurring[interval|usage_type]`, `created`.
fn parse_list(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    Page::parse_into(p, args)?;
    created_arg(p, args)?;
    if let Some(active) = p.boolean("active")?.into_option() {
        filter_arg(args, "/active", active.into());
    }
    if let Some(currency) = p.required_string("currency", 16)? {
        filter_arg(args, "/currency", currency.to_ascii_lowercase().into());
    }
    if let Some(product) = p.required_string("product", 200)? {
        args["product"] = product.into();
    }
    if let Some(kind) = p.one_of("type", &["one_time", "recurring"])?.into_option() {
        filter_arg(args, "/type", kind.into());
    }
    if let Field::Set(items) = p.list("lookup_keys")? {
        let mut keys = Vec::with_capacity(items.len());
        for (name, value) in items {
            keys.push(Value::String(element_string(&name, value, LOOKUP_KEY_MAX)?));
        }
        filter_arg(args, "/lookup_key", Value::Array(keys));
    }
    if let Some(mut recurring) = p.object_not_empty("recurring")? {
        if let Some(i) = recurring
            .one_of("interval", super::INTERVALS)?
            .into_option()
        {
            filter_arg(args, "/recurring/interval", i.into());
        }
        let usage = recurring.one_of("usage_type", &["licensed", "metered"])?;
        if let Some(u) = usage.into_option() {
            filter_arg(args, "/recurring/usage_type", u.into());
        }
        recurring.finish()?;
    }
    Ok(())
}

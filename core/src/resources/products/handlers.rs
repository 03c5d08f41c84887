//! The `/v1/products` routes: each parses its parameters into one [`ObjectCommand`] for
//! the AccountObject (`default_price_data` through the prices' parser, which the
//! dispatch table passes in: prices depend on products, not the other way round).

use serde_json::{json, Value};

use super::{parse_fields, parse_new};
use crate::resources::objects::ObjectRoute;
use crate::resources::objects::{
    created_arg, expand_arg, field_arg, filter_arg, ObjectCommand, Page,
};
use crate::wire::error::ApiError;
use crate::wire::params::{element_string, Field, Params};
use crate::wire::request::ApiRequest;

/// `x-expandableFields` of a product in Stripe's 2023-08-16 schema; only
/// `default_price` holds an id, the rest are shown as they are.
const EXPANDABLE: &[&str] = &[
    "default_price",
    "features",
    "package_dimensions",
    "tax_code",
];

/// Reads a new price's fields (`currency`, amounts, `recurring`, …) at a moment.
pub type PriceData = fn(&mut Params, i64, bool) -> Result<Value, ApiError>;

/// The command of a `/v1/products` route.
pub fn command(
    route: ObjectRoute,
    req: &mut ApiRequest,
    parse_price_data: PriceData,
) -> Result<ObjectCommand, ApiError> {
    let mut p = req.take_params();
    let mut args = json!({});
    let (op, id) = match route {
        ObjectRoute::Create => {
            let product = parse_new(&mut p, req.now, req.account.livemode, false)?;
            if let Some(mut data) = p.object_not_empty("default_price_data")? {
                args["price"] = parse_price_data(&mut data, req.now, req.account.livemode)?;
                data.finish()?;
            }
            args["product"] = product;
            ("product.create", String::new())
        }
        ObjectRoute::Retrieve { id } => ("product.retrieve", id),
        ObjectRoute::Update { id } => {
            parse_fields(&mut p, &mut args, false)?;
            field_arg(p.string("default_price", 200)?, "default_price", &mut args);
            ("product.update", id)
        }
        ObjectRoute::Delete { id } => ("product.delete", id),
        ObjectRoute::List => {
            parse_list(&mut p, &mut args)?;
            ("product.list", String::new())
        }
        ObjectRoute::Action { .. } => return Err(ApiError::internal("unrouted product action")),
    };
    if op != "product.delete" {
        expand_arg(&mut p, &mut args, op == "product.list", EXPANDABLE)?;
    }
    p.finish()?;
    Ok(ObjectCommand::new(op, &id, args))
}

/// The filters of `GET /v1/products`: `active`, `ids[]`, `shippable`, `url`, `created`.
fn parse_list(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    Page::parse_into(p, args)?;
    created_arg(p, args)?;
    for key in ["active", "shippable"] {
        if let Some(b) = p.boolean(key)?.into_option() {
            filter_arg(args, &format!("/{key}"), b.into());
        }
    }
    if let Some(url) = p.required_string("url", 2048)? {
        filter_arg(args, "/url", url.into());
    }
    if let Field::Set(items) = p.list("ids")? {
        let mut ids = Vec::with_capacity(items.len());
        for (name, value) in items {
            ids.push(Value::String(element_string(&name, value, 200)?));
        }
        filter_arg(args, "/id", Value::Array(ids));
    }
    Ok(())
}

//! The routes of the customer's own sub-objects: `/v1/customers/{id}/discount` (and
//! seed 004's `POST …/discounts`) and `/v1/customers/{id}/sources`. Each is one command
//! to the customer's object; the discount's coupon is claimed as on an update.

use serde_json::{json, Value};

use super::backend::{stamped, CustomerBackend};
use super::changes::{CustomerParams, Operation, Reference, ReferenceKind};
use super::commands::CustomerCommand;
use super::handlers::send;
use super::route::CustomerRoute;
use super::stored::StoredCustomer;
use crate::resources::objects::{
    expand_arg, expands, field_arg, metadata_arg, ObjectCommand, Page,
};
use crate::wire::error::ApiError;
use crate::wire::params::Params;
use crate::wire::render::{compact, Rendered};
use crate::wire::request::ApiRequest;

/// `x-expandableFields` of a card in Stripe's 2023-08-16 schema: `customer` is the
/// customer itself; `account` (a Connect account's card) is always `null` here.
const CARD_EXPANDABLE: &[&str] = &["account", "customer"];
/// `x-expandableFields` of a discount: its `coupon` is an object already; its
/// `customer` and `promotion_code` become theirs.
const DISCOUNT_EXPANDABLE: &[&str] = &["coupon", "customer", "promotion_code"];

/// The command of a sources or `DELETE …/discount` route: the customer and the command,
/// whose answer is the body.
pub fn command(
    route: CustomerRoute,
    req: &mut ApiRequest,
) -> Result<(String, CustomerCommand), ApiError> {
    let mut p = req.take_params();
    let mut args = json!({});
    let (id, op) = match route {
        CustomerRoute::DeleteDiscount { id } => (id, "delete_discount"),
        CustomerRoute::CreateSource { id } => {
            args["source"] = required(&mut p, "source")?.into();
            metadata_arg(&mut p, &mut args)?;
            (id, "source.create")
        }
        CustomerRoute::Sources { id } => {
            Page::parse_into(&mut p, &mut args)?;
            if let Some(object) = p.required_string("object", 64)? {
                args["object"] = object.into();
            }
            (id, "source.list")
        }
        CustomerRoute::Source { id, source } => {
            args["source"] = source.into();
            (id, "source.retrieve")
        }
        CustomerRoute::UpdateSource { id, source } => {
            args["source"] = source.into();
            field_arg(p.string("name", 5000)?, "name", &mut args);
            metadata_arg(&mut p, &mut args)?;
            (id, "source.update")
        }
        CustomerRoute::DeleteSource { id, source } => {
            args["source"] = source.into();
            (id, "source.delete")
        }
        _ => return Err(ApiError::internal("unrouted customer sub-object")),
    };
    if !op.starts_with("delete") && op != "source.delete" {
        // A card's `x-expandableFields`: `customer` (the customer itself) and `account`
        // (a Connect account's, `null` here).
        expand_arg(&mut p, &mut args, op == "source.list", CARD_EXPANDABLE)?;
    }
    p.finish()?;
    let command = CustomerCommand::Nested {
        id: id.clone(),
        now: req.now,
        op: op.to_owned(),
        args,
    };
    Ok((id, command))
}

fn required(p: &mut Params, key: &str) -> Result<String, ApiError> {
    p.required_string(key, 200)?
        .ok_or_else(|| ApiError::MissingParameter {
            param: key.to_owned(),
        })
}

/// Sends a sub-object command and shows the object it answers.
pub async fn run(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
    command: CustomerCommand,
) -> Result<Rendered, ApiError> {
    let answer = send(req, db, id, command).await?;
    Ok(Rendered::ok_compact(&answer.body))
}

/// GET /v1/customers/{id}/discount, and seed 004's POST /v1/customers/{id}/discounts
/// (`coupon` or `promotion_code`, applied as on an update): the customer's discount,
/// 404 when there is none.
pub async fn discount(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
    apply: bool,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let command = if apply {
        let mut references = Vec::new();
        for (key, kind) in [
            ("coupon", ReferenceKind::Coupon),
            ("promotion_code", ReferenceKind::PromotionCode),
        ] {
            if let Some(given) = p.required_string(key, 200)? {
                references.push(Reference {
                    kind,
                    id: given,
                    param: key.to_owned(),
                });
            }
        }
        if references.is_empty() {
            return Err(ApiError::MissingParameter {
                param: "coupon".into(),
            });
        }
        let mut params =
            CustomerParams::parse(&mut Params::new(Default::default()), Operation::Update)?;
        params.references = references;
        CustomerCommand::Update {
            id: id.to_owned(),
            params,
            idempotency: req.idempotency.clone(),
            now: req.now,
            claimed: Default::default(),
        }
    } else {
        CustomerCommand::Retrieve { id: id.to_owned() }
    };
    let mut expand = serde_json::json!({});
    expand_arg(&mut p, &mut expand, false, DISCOUNT_EXPANDABLE)?;
    p.finish()?;
    let answer = send(&req, db, id, command).await?;
    let stored: StoredCustomer = serde_json::from_str(&answer.body)?;
    if stored.record.is_deleted() {
        return Err(ApiError::not_found("customer", id));
    }
    let Some(mut discount) = stored.record.customer.discount.clone() else {
        return Err(ApiError::not_found("discount", id));
    };
    if expands(&expand, "customer") {
        discount["customer"] = super::view::customer_value(&stored.record.customer)?;
    }
    if let (true, Some(promo)) = (
        expands(&expand, "promotion_code"),
        discount["promotion_code"].as_str().map(str::to_owned),
    ) {
        let command = ObjectCommand::new("promotion_code.retrieve", &promo, Value::Null);
        let found = db
            .account_object(&req.namespace, &stamped(&req, command))
            .await?;
        discount["promotion_code"] = serde_json::from_str(&found)?;
    }
    Ok(Rendered::ok_compact(&compact(&discount)))
}

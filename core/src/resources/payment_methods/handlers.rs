//! The `/v1/payment_methods` routes and the customer's `payment_methods`. A raw card
//! number is matched against the test catalogue here, before anything is sent anywhere,
//! and dropped: only the catalogue entry travels on.

use serde_json::{json, Value};

use super::test_cards::{self, TestCard};
use super::{new_payment_method, ADDRESS_PARTS, EXPANDABLE};
use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::commands::{CustomerCommand, CustomerEnvelope};
use crate::resources::objects::ObjectRoute;
use crate::resources::objects::{
    expand_arg, field_arg, metadata_arg, patch_metadata, ObjectCommand, Page,
};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::{Field, Params};
use crate::wire::render::{compact, Rendered};
use crate::wire::request::ApiRequest;

/// The command of a `/v1/payment_methods` route.
pub fn command(route: ObjectRoute, req: &mut ApiRequest) -> Result<ObjectCommand, ApiError> {
    let mut p = req.take_params();
    let mut args = json!({"now": req.now, "livemode": req.account.livemode});
    let (op, id) = match route {
        ObjectRoute::Create => {
            args = parse_create(&mut p, req)?;
            ("payment_method.create", String::new())
        }
        ObjectRoute::List => {
            // `GET /v1/payment_methods`: `customer` is a filter here, not a path part.
            Page::parse_into(&mut p, &mut args)?;
            if let Some(customer) = p.required_string("customer", 5000)? {
                args["customer"] = customer.into();
            }
            type_arg(&mut p, &mut args)?;
            args["account_list"] = true.into();
            ("payment_method.list", String::new())
        }
        ObjectRoute::Retrieve { id } => ("payment_method.retrieve", id),
        ObjectRoute::Update { id } => {
            billing_arg(&mut p, &mut args)?;
            metadata_arg(&mut p, &mut args)?;
            ("payment_method.update", id)
        }
        ObjectRoute::Action { id, action } if action == "attach" => {
            args["customer"] = required(&mut p, "customer")?.into();
            ("payment_method.attach", id)
        }
        ObjectRoute::Action { id, .. } => ("payment_method.detach", id),
        _ => return Err(ApiError::internal("unrouted payment method operation")),
    };
    expand_arg(&mut p, &mut args, op == "payment_method.list", EXPANDABLE)?;
    p.finish()?;
    Ok(ObjectCommand::new(op, &id, args))
}

/// The command of a customer's payment method route: list, retrieve one, or (seed 004's
/// `POST …/payment-methods`) attach `payment_method`.
pub fn customer_command(
    customer: &str,
    payment_method: Option<&str>,
    attach: bool,
    req: &mut ApiRequest,
) -> Result<ObjectCommand, ApiError> {
    let mut p = req.take_params();
    let mut args = json!({"customer": customer, "now": req.now, "livemode": req.account.livemode});
    let (op, id) = match payment_method {
        _ if attach => {
            args["from_customer_path"] = true.into();
            ("payment_method.attach", required(&mut p, "payment_method")?)
        }
        Some(id) => ("payment_method.retrieve_for_customer", id.to_owned()),
        None => {
            Page::parse_into(&mut p, &mut args)?;
            type_arg(&mut p, &mut args)?;
            ("payment_method.list", String::new())
        }
    };
    expand_arg(&mut p, &mut args, op == "payment_method.list", EXPANDABLE)?;
    p.finish()?;
    Ok(ObjectCommand::new(op, &id, args))
}

/// A list's optional `type` filter (2023-08-16 made it optional on both lists).
fn type_arg(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    if let Some(kind) = p.required_string("type", 64)? {
        args["type"] = kind.into();
    }
    Ok(())
}

fn required(p: &mut Params, key: &str) -> Result<String, ApiError> {
    p.required_string(key, 200)?
        .ok_or_else(|| ApiError::MissingParameter {
            param: p.name_of(key),
        })
}

/// `POST /v1/payment_methods`: `type=card` with `card[token]` or a test `card[number]`.
fn parse_create(p: &mut Params, req: &ApiRequest) -> Result<Value, ApiError> {
    match p.required_string("type", 64)? {
        Some(kind) if kind == "card" => {}
        Some(_) => {
            return Err(ApiError::invalid(
                "type",
                "Only payment methods of type `card` can be created here.",
            ))
        }
        None => {
            return Err(ApiError::MissingParameter {
                param: "type".into(),
            })
        }
    }
    let mut card_params =
        p.object_not_empty("card")?
            .ok_or_else(|| ApiError::MissingParameter {
                param: "card".into(),
            })?;
    let (card, expiry, cvc) = parse_card(&mut card_params, req.now)?;
    card_params.finish()?;
    let mut args = json!({});
    billing_arg(p, &mut args)?;
    metadata_arg(p, &mut args)?;
    let mut pm = new_payment_method(
        ids::random_id("pm")?,
        card,
        expiry,
        cvc,
        req.now,
        req.account.livemode,
    );
    if let Some(patch) = args.get("billing_details") {
        super::patch_billing(&mut pm["billing_details"], patch);
    }
    patch_metadata(&mut pm, &args)?;
    Ok(pm)
}

/// A test card, its expiry (month, year) when given, and whether a CVC came.
type CardChoice = (&'static TestCard, Option<(i64, i64)>, bool);

/// The test card `card[…]` names, its expiry when given, and whether a CVC came.
fn parse_card(c: &mut Params, now: i64) -> Result<CardChoice, ApiError> {
    if let Some(token) = c.required_string("token", 200)? {
        let card = test_cards::by_magic_id(&token)
            .filter(|_| token.starts_with("tok_"))
            .ok_or_else(|| ApiError::missing_reference("token", &token, "card[token]"))?;
        return Ok((card, None, true));
    }
    let number = c
        .required_string("number", 32)?
        .ok_or_else(|| ApiError::MissingParameter {
            param: "card[number]".into(),
        })?;
    let card = test_cards::by_number("card[number]", &number)?;
    drop(number);
    let month =
        c.integer("exp_month")?
            .into_option()
            .ok_or_else(|| ApiError::MissingParameter {
                param: "card[exp_month]".into(),
            })?;
    let year = c
        .integer("exp_year")?
        .into_option()
        .ok_or_else(|| ApiError::MissingParameter {
            param: "card[exp_year]".into(),
        })?;
    let year = if year < 100 { year + 2000 } else { year };
    if !(1..=12).contains(&month) {
        return Err(ApiError::card(
            "invalid_expiry_month",
            None,
            Some("card[exp_month]"),
            "Your card's expiration month is invalid.",
        ));
    }
    let (this_month, this_year) = crate::wire::dates::month_and_year(now);
    if year < this_year || (year == this_year && month < this_month) || year > this_year + 50 {
        return Err(ApiError::card(
            "invalid_expiry_year",
            None,
            Some("card[exp_year]"),
            "Your card's expiration year is invalid.",
        ));
    }
    let cvc = c.string("cvc", 4)?;
    Ok((card, Some((month, year)), matches!(cvc, Field::Set(_))))
}

/// `billing_details[…]` as JSON args (see `patch_billing`).
fn billing_arg(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    let Some(mut b) = p.object_not_empty("billing_details")? else {
        return Ok(());
    };
    let mut billing = json!({});
    match b.object("address")? {
        Field::Absent => {}
        Field::Unset => billing["address"] = Value::Null,
        Field::Set(mut a) => {
            let mut address = json!({});
            for part in ADDRESS_PARTS {
                field_arg(a.string(part, 5000)?, part, &mut address);
            }
            a.finish()?;
            billing["address"] = address;
        }
    }
    for key in ["email", "name", "phone"] {
        field_arg(b.string(key, 5000)?, key, &mut billing);
    }
    b.finish()?;
    args["billing_details"] = billing;
    Ok(())
}

/// POST /v1/payment_methods/{id}/detach; a customer whose default it was loses it.
pub async fn detach(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    command: ObjectCommand,
) -> Result<Rendered, ApiError> {
    let payment_method = command.id.clone();
    let body = db
        .account_object(
            &req.namespace,
            &crate::resources::customers::backend::stamped(req, command),
        )
        .await?;
    let answer: Value = serde_json::from_str(&body)?;
    let customer = answer["customer"].as_str().unwrap_or_default().to_owned();
    let envelope = CustomerEnvelope {
        namespace: req.namespace.clone(),
        request_id: req.request_id.clone(),
        now: req.now,
        command: CustomerCommand::Nested {
            id: customer.clone(),
            now: req.now,
            op: "forget_payment_method".into(),
            args: json!({"payment_method": payment_method}),
        },
    };
    match db.customer_object(&customer, &envelope).await {
        Ok(_) | Err(ApiError::NoSuchObject { .. }) => {}
        Err(err) => return Err(err),
    }
    Ok(Rendered::ok_compact(&compact(&answer["payment_method"])))
}

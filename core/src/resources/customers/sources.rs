//! The customer's card sources (Stripe's older Sources API): `card_…` objects made from
//! test tokens (`tok_visa`, …), kept in the customer's own record because nothing but
//! their customer ever names them. `source` on create/update, `default_source`, and
//! `/v1/customers/{id}/sources` all run inside the CustomerObject.

use serde_json::{json, Value};

use super::changes::Reference;
use super::model::CustomerRecord;
use crate::resources::objects::{arg, expands, patch_fields, patch_metadata, text, Page};
use crate::resources::payment_methods::{new_card_source, test_cards};
use crate::wire::error::ApiError;
/// Adds the card a test token stands for; it becomes the default if there is none.
pub fn add_from_token(
    record: &mut CustomerRecord,
    token: &str,
    param: &str,
    now: i64,
) -> Result<Value, ApiError> {
    let card = test_cards::by_magic_id(token)
        .filter(|_| token.starts_with("tok_"))
        .ok_or_else(|| missing_source(token, param))?;
    if let Some(declined) = card.decline_error() {
        return Err(declined);
    }
    let source = new_card_source(card, &record.customer.id, now)?;
    if record.customer.default_source.is_none() {
        record.customer.default_source = Some(source["id"].clone());
    }
    record.sources.insert(0, source.clone());
    Ok(source)
}

/// `No such token` for a `tok_` id, `No such source` for anything else.
fn missing_source(id: &str, param: &str) -> ApiError {
    let kind = if id.starts_with("tok_") {
        "token"
    } else {
        "source"
    };
    ApiError::missing_reference(kind, id, param)
}

/// Applies `source` (adds the card and makes it the default) and `default_source`
/// (must be one of this customer's sources).
pub fn apply_references(
    record: &mut CustomerRecord,
    references: &[Reference],
    now: i64,
) -> Result<(), ApiError> {
    for r in references {
        match r.param.as_str() {
            "source" => {
                let id = if has_source(record, &r.id) {
                    r.id.clone()
                } else {
                    text(&add_from_token(record, &r.id, &r.param, now)?, "id").to_owned()
                };
                record.customer.default_source = Some(id.into());
            }
            "default_source" => {
                if !has_source(record, &r.id) {
                    return Err(ApiError::missing_reference("source", &r.id, &r.param));
                }
                record.customer.default_source = Some(r.id.clone().into());
            }
            _ => {}
        }
    }
    Ok(())
}

fn has_source(record: &CustomerRecord, id: &str) -> bool {
    record.sources.iter().any(|s| text(s, "id") == id)
}

/// Runs a sources command (`source.create|list|retrieve|update|delete`, the card's id
/// in `args.source`) on the record; answers the body and whether the record changed.
pub fn execute(
    record: &mut CustomerRecord,
    op: &str,
    args: &Value,
    now: i64,
) -> Result<(String, bool), ApiError> {
    let source = arg(args, "source");
    let found = |record: &CustomerRecord| {
        record
            .sources
            .iter()
            .position(|s| text(s, "id") == source)
            .ok_or_else(|| ApiError::not_found("source", source))
    };
    // `expand[]=customer` (`data.customer` in a list): the customer itself, as shown.
    let customer = expands(args, "customer")
        .then(|| super::view::customer_value(&record.customer))
        .transpose()?;
    let shown = |mut card: Value| {
        if let (Some(customer), true) = (&customer, card["customer"].is_string()) {
            card["customer"] = customer.clone();
        }
        card
    };
    let (body, changed) = match op {
        "source.create" => {
            let mut card = add_from_token(record, source, "source", now)?;
            patch_metadata(&mut card, args)?;
            record.sources[0] = card.clone();
            (card, true)
        }
        "source.list" => {
            let object = args.get("object").and_then(Value::as_str);
            let items = record
                .sources
                .iter()
                .filter(|s| object.is_none_or(|o| text(s, "object") == o))
                .cloned()
                .map(shown)
                .collect();
            let url = format!("/v1/customers/{}/sources", record.customer.id);
            return Ok((Page::of(args).list_json(&url, items, "source")?, false));
        }
        "source.retrieve" => (record.sources[found(record)?].clone(), false),
        "source.update" => {
            let at = found(record)?;
            let card = &mut record.sources[at];
            patch_fields(card, args, &["name"]);
            patch_metadata(card, args)?;
            (card.clone(), true)
        }
        "source.delete" => {
            let at = found(record)?;
            record.sources.remove(at);
            if record
                .customer
                .default_source
                .as_ref()
                .and_then(Value::as_str)
                == Some(source)
            {
                record.customer.default_source = record.sources.first().map(|s| s["id"].clone());
            }
            (
                json!({"id": source, "object": "card", "deleted": true}),
                true,
            )
        }
        _ => return Err(ApiError::internal(format!("unknown sources command {op}"))),
    };
    Ok((serde_json::to_string(&shown(body))?, changed))
}

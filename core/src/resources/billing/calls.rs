//! How the subscription and invoice handlers reach storage: a write is a billing
//! command in the customer's object (found through the account's index when the path
//! names a subscription or invoice); a read, and any expansion beyond what the
//! customer's object knows, is answered from the account's index.

use serde_json::Value;

use super::execute::UPCOMING;
use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::commands::CustomerCommand;
use crate::resources::customers::handlers::send;
use crate::resources::objects::{stamped, ObjectCommand};
use crate::wire::error::ApiError;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

/// Runs billing `op` in `customer`'s object and shows its answer; `expand` paths other
/// than `latest_invoice` are then read from the account's index (`kind` names it).
pub async fn write(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
    op: &str,
    args: Value,
) -> Result<Rendered, ApiError> {
    let expand = args["expand"].clone();
    let command = CustomerCommand::Billing {
        id: customer.to_owned(),
        now: req.now,
        op: op.to_owned(),
        args,
    };
    let answer = send(req, db, customer, command).await?;
    let needs_index = expand
        .as_array()
        .is_some_and(|paths| paths.iter().any(|p| p != "latest_invoice"));
    if needs_index && op != UPCOMING {
        let shown: Value = serde_json::from_str(&answer.body)?;
        let kind = shown["object"].as_str().unwrap_or_default().to_owned();
        let id = shown["id"].as_str().unwrap_or_default().to_owned();
        let args = serde_json::json!({ "expand": expand });
        return read(req, db, &format!("{kind}.retrieve"), &id, args).await;
    }
    Ok(Rendered::ok_compact(&answer.body))
}

/// A read of the account's index (`subscription.retrieve|list`, `invoice.…`).
pub async fn read(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    op: &str,
    id: &str,
    args: Value,
) -> Result<Rendered, ApiError> {
    let command = stamped(req, ObjectCommand::new(op, id, args));
    let body = db.account_object(&req.namespace, &command).await?;
    Ok(Rendered::ok_compact(&body))
}

/// The customer a subscription or invoice (`kind`) belongs to; 404 when the account
/// has none with that id.
pub async fn owner(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    kind: &str,
    id: &str,
) -> Result<String, ApiError> {
    let command = stamped(
        req,
        ObjectCommand::new(&format!("{kind}.owner"), id, Value::Null),
    );
    let body = db.account_object(&req.namespace, &command).await?;
    let customer: Value = serde_json::from_str(&body)?;
    Ok(customer.as_str().unwrap_or_default().to_owned())
}

/// Runs `op` on the subscription or invoice `id` (`kind`) in its customer's object.
pub async fn act_on(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    kind: &str,
    id: &str,
    op: &str,
    mut args: Value,
) -> Result<Rendered, ApiError> {
    let customer = owner(req, db, kind, id).await?;
    args["target"] = id.into();
    write(req, db, &customer, op, args).await
}

//! How the subscription and invoice routes reach storage. Each route is parsed, with no
//! await, into a [`Plan`]; [`run`] carries it out: a write is a billing command in the
//! customer's object (found through the account's index when the path names a
//! subscription or invoice); a read, and any expansion beyond what the customer's
//! object knows, is answered from the account's index. One executor for every billing
//! route keeps the dispatch future (and the wasm) small.

use serde_json::Value;

use super::execute::UPCOMING;
use crate::resources::customers::backend::stamped;
use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::commands::CustomerCommand;
use crate::resources::customers::handlers::{live_customer, send};
use crate::resources::objects::ObjectCommand;
use crate::wire::error::ApiError;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

/// Where a billing route's command goes, and what must be known first.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// `subscription.create`, `invoice.pay`, `subscription.list`, …
    pub op: String,
    /// The subscription or invoice the path names ("" for none).
    pub id: String,
    pub args: Value,
    pub target: Target,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A read of the account's index.
    Index,
    /// A customer's list from the index, under `/v1/customers/{customer}/{path}` (the
    /// customer must be live).
    CustomerList {
        customer: String,
        path: &'static str,
    },
    /// A command in this customer's object.
    Customer(String),
    /// A command in the object of the customer that owns `id` (a `subscription` or
    /// `invoice`, the kind).
    Owner(&'static str),
}

impl Plan {
    pub fn new(op: &str, id: &str, args: Value, target: Target) -> Plan {
        Plan {
            op: op.to_owned(),
            id: id.to_owned(),
            args,
            target,
        }
    }
}

/// Carries out a plan.
pub async fn run(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    plan: Plan,
) -> Result<Rendered, ApiError> {
    let Plan {
        op,
        id,
        mut args,
        target,
    } = plan;
    let customer = match target {
        Target::Index => return read(req, db, &op, &id, args).await,
        Target::CustomerList { customer, path } => {
            live_customer(req, db, &customer, "customer").await?;
            // The page is written by the account's object under the customer's own URL.
            args["url"] = format!("/v1/customers/{customer}/{path}").into();
            args["customer"] = customer.into();
            return read(req, db, &op, "", args).await;
        }
        Target::Customer(customer) => customer,
        Target::Owner(kind) => {
            let owner = ObjectCommand::new(&format!("{kind}.owner"), &id, Value::Null);
            let body = db
                .account_object(&req.namespace, &stamped(req, owner))
                .await?;
            args["target"] = id.as_str().into();
            match serde_json::from_str::<Value>(&body)? {
                Value::String(customer) => customer,
                _ => return Err(ApiError::not_found_as(kind, &id, "id")),
            }
        }
    };
    let expand = args["expand"].clone();
    let command = CustomerCommand::Billing {
        id: customer.clone(),
        now: req.now,
        op: op.clone(),
        args,
    };
    let answer = send(req, db, &customer, command).await?;
    // `latest_invoice` the customer's object expands; the rest come from the index,
    // which has the write by now.
    let from_index = expand
        .as_array()
        .is_some_and(|paths| paths.iter().any(|p| p != "latest_invoice"));
    if !from_index || op == UPCOMING {
        return Ok(Rendered::ok_compact(&answer.body));
    }
    let shown: Value = serde_json::from_str(&answer.body)?;
    let kind = shown["object"].as_str().unwrap_or_default();
    let id = shown["id"].as_str().unwrap_or_default();
    let args = serde_json::json!({ "expand": expand });
    read(req, db, &format!("{kind}.retrieve"), id, args).await
}

/// A read of the account's index (`subscription.retrieve|list`, `invoice.…`).
async fn read(
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

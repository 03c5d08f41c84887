//! The account's side of billing, run by the AccountObject: the index of every
//! customer's subscriptions and invoices (kept from their events: each change of one
//! records an event that carries it whole), and the reads served from it: retrieve,
//! list with Stripe's filters, the owner of an id, and `billing.context`.

use serde_json::Value;

use super::context::context_json;
use super::expand::expand_all;
use crate::resources::objects::{matches_filters, text, ObjectCommand, ObjectStore, Page, Table};
use crate::wire::error::ApiError;

pub const SUBSCRIPTIONS_URL: &str = "/v1/subscriptions";
pub const INVOICES_URL: &str = "/v1/invoices";

/// The table an event's object belongs in, if it is a subscription or invoice event
/// (the upcoming invoice has no id and is never stored).
pub fn indexed_table(kind: &str) -> Option<Table> {
    if kind.starts_with("customer.subscription.") {
        Some(Table::Subscriptions)
    } else if kind.starts_with("invoice.") && kind != "invoice.upcoming" {
        Some(Table::Invoices)
    } else {
        None
    }
}

/// Runs a billing read or the context lookup (`billing.context`, `subscription.*`,
/// `invoice.*`); answers the JSON body.
pub fn execute(store: &mut impl ObjectStore, command: ObjectCommand) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let (kind, action) = op.split_once('.').unwrap_or_default();
    if kind == "billing" {
        return context_json(store, &args);
    }
    let (table, name, url) = match kind {
        "subscription" => (Table::Subscriptions, "subscription", SUBSCRIPTIONS_URL),
        _ => (Table::Invoices, "invoice", INVOICES_URL),
    };
    match action {
        "retrieve" => {
            let mut doc = find(store, table, name, &id)?;
            expand_all(store, &mut doc, &args)?;
            Ok(serde_json::to_string(&doc)?)
        }
        "owner" => {
            let doc = find(store, table, name, &id)?;
            Ok(serde_json::to_string(&doc["customer"])?)
        }
        _ => list(store, table, name, url, &args),
    }
}

fn find(store: &impl ObjectStore, table: Table, name: &str, id: &str) -> Result<Value, ApiError> {
    store
        .get(table, id)?
        .ok_or_else(|| ApiError::not_found_as(name, id, "id"))
}

/// A page of subscriptions or invoices, newest first, after Stripe's filters. A
/// subscription list leaves canceled ones out unless `status` names them (or is
/// `all`), and a test clock's unless `customer` or `test_clock` is given (invoices
/// are not hidden so).
fn list(
    store: &impl ObjectStore,
    table: Table,
    name: &str,
    url: &str,
    args: &Value,
) -> Result<String, ApiError> {
    let customer = args["customer"].as_str();
    if let Some(id) = customer {
        if !store.customer_is_live(id)? {
            return Err(ApiError::missing_reference("customer", id, "customer"));
        }
    }
    let scoped = table == Table::Invoices
        || customer.is_some()
        || args["filters"].get("/test_clock").is_some();
    let status = args["status"].as_str();
    let mut items = Vec::new();
    for mut doc in store.all(table, customer)? {
        if !matches_filters(args, &doc) || (!scoped && !doc["test_clock"].is_null()) {
            continue;
        }
        let shown = match (table, status) {
            (Table::Subscriptions, None) => doc["status"] != "canceled",
            (Table::Subscriptions, Some("all")) => true,
            (Table::Subscriptions, Some("ended")) => {
                matches!(text(&doc, "status"), "canceled" | "incomplete_expired")
            }
            (_, Some(wanted)) => doc["status"] == wanted,
            (_, None) => true,
        };
        let price = args["price"].as_str();
        let has_price = price.is_none_or(|p| {
            doc["items"]["data"]
                .as_array()
                .is_some_and(|items| items.iter().any(|i| i["price"]["id"] == p))
        });
        if shown && has_price {
            expand_all(store, &mut doc, args)?;
            items.push(doc);
        }
    }
    // A customer's own list (seed 004's path) is shown under its URL.
    let url = args["url"].as_str().unwrap_or(url);
    Page::of(args).list_json(url, items, name)
}

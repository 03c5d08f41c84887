//! `expand[]` on subscriptions and invoices, from the account's index: a field that
//! holds an id becomes the object (`customer`, `latest_invoice`, `subscription`,
//! `default_payment_method`, `test_clock`, an item's `price.product`, …), nested paths
//! too (`latest_invoice.subscription`, `data.customer` in lists). A field that is
//! `null` (no payment intent here) stays `null`; a path Stripe does not offer is its 400.

use serde_json::Value;

use crate::resources::objects::{text, ObjectStore, Table};
use crate::wire::error::ApiError;
use crate::wire::params::not_expandable;

/// The fields each object offers to expand (its `x-expandableFields` that hold ids or
/// objects we show, in Stripe's 2023-08-16 schema; one that is already an object, an
/// array or `null` is shown as it is).
fn expandable(object: &str) -> &'static [&'static str] {
    match object {
        "subscription" => &[
            "application",
            "customer",
            "default_payment_method",
            "default_source",
            "discount",
            "items",
            "latest_invoice",
            "on_behalf_of",
            "pending_setup_intent",
            "schedule",
            "test_clock",
        ],
        "invoice" => &[
            "account_tax_ids",
            "application",
            "charge",
            "customer",
            "default_payment_method",
            "default_source",
            "discount",
            "discounts",
            "lines",
            "on_behalf_of",
            "payment_intent",
            "quote",
            "subscription",
            "test_clock",
            "latest_revision",
        ],
        "subscription_item" => &["billing_thresholds", "price", "subscription", "tax_rates"],
        "line_item" => &[
            "discount_amounts",
            "discounts",
            "invoice_item",
            "period",
            "price",
            "proration_details",
            "subscription",
            "subscription_item",
            "tax_amounts",
            "tax_rates",
        ],
        "price" => &["product"],
        "product" => &["default_price"],
        "payment_method" => crate::resources::payment_methods::EXPANDABLE,
        "promotion_code" => crate::resources::promotion_codes::EXPANDABLE,
        "customer" => &["default_source", "test_clock"],
        "list" => &["data"],
        _ => &[],
    }
}

/// Expands `args.expand` (each path as given, `data.` first on lists) in `doc`.
pub fn expand_all(store: &impl ObjectStore, doc: &mut Value, args: &Value) -> Result<(), ApiError> {
    let Some(paths) = args["expand"].as_array() else {
        return Ok(());
    };
    for path in paths {
        let path = path.as_str().unwrap_or_default();
        // In a list the paths start with `data.`; each item is expanded alone.
        let path = match args.get("limit") {
            Some(_) => path.strip_prefix("data.").unwrap_or(path),
            None => path,
        };
        expand(store, doc, path).map_err(|_| not_expandable(path))?;
    }
    Ok(())
}

/// Expands one dotted `path` in `doc`.
pub fn expand(store: &impl ObjectStore, doc: &mut Value, path: &str) -> Result<(), ApiError> {
    let (field, rest) = match path.split_once('.') {
        Some((field, rest)) => (field, Some(rest)),
        None => (path, None),
    };
    if !expandable(text(doc, "object")).contains(&field) {
        return Err(not_expandable(path));
    }
    if let Some(id) = doc[field].as_str().map(str::to_owned) {
        doc[field] = lookup(store, &id)?.unwrap_or(Value::String(id));
    }
    let Some(rest) = rest else {
        return Ok(());
    };
    let is_list = text(&doc[field], "object") == "list";
    let target = &mut doc[field];
    match target {
        Value::Null => Ok(()),
        Value::Array(items) => {
            for item in items {
                expand(store, item, rest)?;
            }
            Ok(())
        }
        Value::Object(_) if is_list => {
            // `items.data.price`: the rest applies to each item of the list.
            let rest = rest.strip_prefix("data.").unwrap_or(rest);
            for item in target["data"].as_array_mut().into_iter().flatten() {
                expand(store, item, rest)?;
            }
            Ok(())
        }
        Value::Object(_) => expand(store, target, rest),
        _ => Err(not_expandable(path)),
    }
}

/// The object an id names, by its prefix.
fn lookup(store: &impl ObjectStore, id: &str) -> Result<Option<Value>, ApiError> {
    let table = match id.split_once('_').map(|(prefix, _)| prefix) {
        Some("cus") => return store.customer(id),
        Some("in") => Table::Invoices,
        Some("sub") => Table::Subscriptions,
        Some("pm") => Table::PaymentMethods,
        Some("clock") => Table::TestClocks,
        Some("prod") => Table::Products,
        Some("price") => Table::Prices,
        _ => return Ok(None),
    };
    store.get(table, id)
}

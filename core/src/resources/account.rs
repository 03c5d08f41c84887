//! What an AccountObject runs besides its customer index: the commands on the tables of
//! coupons, promotion codes, payment methods, test clocks, products and prices, and the claim and release
//! of a customer write (`customers::claims`), each with the events it causes, recorded
//! through the store in the same synchronous block. Pure: the object passes its store.

use serde_json::Value;

use super::customers::claims;
use super::customers::events::Origin;
use super::events::previous_attributes::previous_attributes;
use super::objects::{text, ObjectCommand, ObjectStore, Table};
use super::{billing, coupons, payment_methods, prices, products, promotion_codes, test_clocks};
use crate::wire::error::ApiError;

/// Runs one object command, by the resource its `op` names; answers the JSON body.
pub fn execute(
    store: &mut impl ObjectStore,
    mut command: ObjectCommand,
) -> Result<String, ApiError> {
    let now = match command.now {
        0 => command.args["now"].as_i64().unwrap_or(0),
        now => now,
    };
    let origin = Origin {
        request: command.request.clone(),
        now,
    };
    let (op, id) = (command.op.clone(), command.id.clone());
    let frozen_time = command.args["frozen_time"].clone();
    let resource = op.split('.').next().unwrap_or_default();
    // `expand[]` applies to the answer, never to a document the command stores.
    let expansion = match resource {
        "promotion_code" | "payment_method" => command
            .args
            .as_object_mut()
            .and_then(|args| args.remove("expand")),
        _ => None,
    };
    let table = match resource {
        "coupon" => Some(Table::Coupons),
        "promotion_code" => Some(Table::PromotionCodes),
        "test_clock" => Some(Table::TestClocks),
        _ => None,
    };
    let before = match table {
        Some(table) if op.ends_with(".update") || op.ends_with(".delete") => {
            store.get(table, &id)?
        }
        _ => None,
    };
    let body = match op.split('.').next().unwrap_or_default() {
        "coupon" => coupons::execute(store, command)?,
        "promotion_code" => promotion_codes::execute(store, command)?,
        "payment_method" => payment_methods::execute(store, command)?,
        "test_clock" => test_clocks::execute(store, command)?,
        // These two record their own events (a create may make a product and a price).
        "product" => return products::execute(store, command, &origin),
        "price" => return prices::execute(store, command, &origin),
        "claim" | "release" => claims::execute(store, command)?,
        "subscription" | "invoice" | "billing" => return billing::account::execute(store, command),
        _ => return Err(ApiError::internal(format!("unknown object command {op}"))),
    };
    if !body.is_empty() {
        emit_events(store, &op, &id, before, &body, &origin)?;
    }
    // A detach answers the payment method (no longer any customer's) beside its former
    // customer, for the events: nothing of it to expand.
    let body = match expansion {
        Some(paths) if op != "payment_method.detach" => expanded(store, &body, &paths)?,
        _ => body,
    };
    if op == "test_clock.advance" && store.clock_customers(&id)?.is_empty() {
        // Nothing to bill on the clock: the advance is done at once (the answer still
        // shows it `advancing`, as Stripe's does).
        let done = ObjectCommand {
            op: "test_clock.advanced".into(),
            id,
            args: super::objects::object(vec![("frozen_time", frozen_time)]),
            request: origin.request,
            now,
        };
        execute(store, done)?;
    }
    Ok(body)
}

/// `expand[]` (field names, checked by the route) in a command's answer: in the object,
/// or in each object of a list.
fn expanded(store: &impl ObjectStore, body: &str, paths: &Value) -> Result<String, ApiError> {
    let mut doc: Value = serde_json::from_str(body)?;
    let paths: Vec<&str> = paths
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let expand_in = |object: &mut Value| -> Result<(), ApiError> {
        for path in &paths {
            billing::expand::expand(store, object, path)?;
        }
        Ok(())
    };
    if doc["object"] == "list" {
        for item in doc["data"].as_array_mut().into_iter().flatten() {
            expand_in(item)?;
        }
    } else {
        expand_in(&mut doc)?;
    }
    Ok(serde_json::to_string(&doc)?)
}

/// The events of a command that changed something: `coupon.created|updated|deleted`,
/// `promotion_code.created|updated`, `test_helpers.test_clock.created|ready|deleted`,
/// and `payment_method.attached|detached` with seed 004's
/// `customer.payment_method_attached|detached` beside them.
fn emit_events(
    store: &mut impl ObjectStore,
    op: &str,
    id: &str,
    before: Option<Value>,
    body: &str,
    origin: &Origin,
) -> Result<(), ApiError> {
    let kinds: &[&str] = match op {
        "coupon.create" => &["coupon.created"],
        "coupon.update" => &["coupon.updated"],
        "coupon.delete" => &["coupon.deleted"],
        "promotion_code.create" => &["promotion_code.created"],
        "promotion_code.update" => &["promotion_code.updated"],
        "test_clock.create" => &["test_helpers.test_clock.created"],
        "test_clock.advance" => &["test_helpers.test_clock.advancing"],
        "test_clock.advanced" => &["test_helpers.test_clock.ready"],
        "test_clock.delete" => &["test_helpers.test_clock.deleted"],
        "payment_method.attach" | "claim" => &[
            "payment_method.attached",
            "customer.payment_method_attached",
        ],
        "payment_method.detach" => &[
            "payment_method.detached",
            "customer.payment_method_detached",
        ],
        _ => return Ok(()),
    };
    let answer: Value = serde_json::from_str(body)?;
    let (object, key) = match op {
        "coupon.delete" | "test_clock.delete" => {
            (before.clone().unwrap_or(Value::Null), id.to_owned())
        }
        "payment_method.detach" => (
            answer["payment_method"].clone(),
            text(&answer, "customer").to_owned(),
        ),
        "payment_method.attach" => (answer.clone(), text(&answer, "customer").to_owned()),
        "claim" => match answer["payment_method"].as_str() {
            Some(pm) => (
                store.get(Table::PaymentMethods, pm)?.unwrap_or(Value::Null),
                id.to_owned(),
            ),
            None => return Ok(()),
        },
        _ => (answer.clone(), id.to_owned()),
    };
    let key = if key.is_empty() {
        text(&object, "id").to_owned()
    } else {
        key
    };
    let previous = match (op.ends_with(".update"), &before) {
        (true, Some(old)) => previous_attributes(old, &object),
        _ => None,
    };
    let livemode = object["livemode"] == true;
    for kind in kinds {
        let event = origin.event(kind, object.clone(), livemode, previous.clone())?;
        store.emit(&key, &event)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::objects::MemoryObjectStore;
    use serde_json::json;

    fn run(
        store: &mut MemoryObjectStore,
        op: &str,
        id: &str,
        args: Value,
    ) -> Result<String, ApiError> {
        execute(store, ObjectCommand::new(op, id, args))
    }

    #[test]
    fn each_change_records_its_events_and_reads_record_none() {
        let mut store = MemoryObjectStore {
            live_customers: vec!["cus_a".into()],
            ..Default::default()
        };
        let coupon = json!({"id": "C", "object": "coupon", "created": 1, "metadata": {}, "name": null,
            "livemode": false, "times_redeemed": 0, "valid": true});
        run(&mut store, "coupon.create", "", coupon).unwrap();
        run(&mut store, "coupon.update", "C", json!({"name": "Ten"})).unwrap();
        run(&mut store, "coupon.retrieve", "C", Value::Null).unwrap();
        run(&mut store, "coupon.delete", "C", Value::Null).unwrap();
        run(
            &mut store,
            "payment_method.attach",
            "pm_card_visa",
            json!({"customer": "cus_a", "now": 5}),
        )
        .unwrap();
        let kinds: Vec<&str> = store.events.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "coupon.created",
                "coupon.updated",
                "coupon.deleted",
                "payment_method.attached",
                "customer.payment_method_attached"
            ]
        );
        assert_eq!(
            store.events[3].0, "cus_a",
            "a customer's payment method events are ordered by customer"
        );
    }
}

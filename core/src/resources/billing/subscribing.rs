//! A subscription's life: created with its first invoice (paid, failed or free),
//! updated, renewed at each period end, its trial ending, canceled (at once, at the
//! period's end, or after the last failed retry) or expired when its first invoice
//! stays unpaid for 23 hours. Each change records its `customer.subscription.*` event.

use serde_json::Value;

use super::context::AfterRetries;
use super::documents::{self, NewSubscription};
use super::invoicing::{self, Period};
use super::periods::{interval_of, period_end};
use super::Ledger;
use crate::resources::objects::{int, patch_fields, patch_metadata, text};
use crate::wire::error::ApiError;

/// An `incomplete` subscription whose first invoice is not paid within this long
/// becomes `incomplete_expired` (Stripe: 23 hours).
pub const EXPIRE_AFTER_SECONDS: i64 = 23 * 3_600;
/// `customer.subscription.trial_will_end` comes this long before the trial ends.
pub const TRIAL_WILL_END_SECONDS: i64 = 3 * 86_400;

/// How the first invoice of a new subscription is collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentBehavior {
    AllowIncomplete,
    DefaultIncomplete,
    ErrorIfIncomplete,
}

impl PaymentBehavior {
    pub fn parse(name: &str) -> PaymentBehavior {
        match name {
            "default_incomplete" => PaymentBehavior::DefaultIncomplete,
            "error_if_incomplete" => PaymentBehavior::ErrorIfIncomplete,
            _ => PaymentBehavior::AllowIncomplete,
        }
    }
}

/// `POST /v1/subscriptions`, with `args` as the handler checked them: the new
/// subscription's index, or the error that leaves nothing created (a missing card, a
/// decline under `error_if_incomplete`).
pub fn create(ledger: &mut Ledger<'_>, args: &Value) -> Result<usize, ApiError> {
    let now = ledger.now();
    let id = text(args, "id").to_owned();
    let mut items = Vec::new();
    for (index, wanted) in args["items"].as_array().into_iter().flatten().enumerate() {
        let price = price(ledger, wanted, index)?;
        let quantity = wanted["quantity"].as_i64().unwrap_or(1);
        let mut item = documents::item(text(wanted, "id").to_owned(), &id, &price, quantity, now);
        patch_metadata(&mut item, wanted)?;
        items.push(item);
    }
    check_items_match(&items)?;
    if let Some(pm) = args["default_payment_method"].as_str() {
        if ledger.context.payment_method(pm).is_none() {
            return Err(super::payment::not_the_customers(
                pm,
                "default_payment_method",
            ));
        }
    }
    let mut sub = documents::subscription(NewSubscription {
        id,
        customer: ledger.customer.id.clone(),
        items,
        created: now,
        livemode: ledger.customer.livemode,
        test_clock: ledger.context.clock.as_ref().map(|c| c.0.clone()),
    });
    patch_fields(
        &mut sub,
        args,
        &[
            "cancel_at_period_end",
            "collection_method",
            "days_until_due",
            "default_payment_method",
            "description",
        ],
    );
    patch_metadata(&mut sub, args)?;
    let trial_end = trial_end(args, now)?;
    let (interval, count) = interval_of(&sub);
    match trial_end {
        Some(end) => {
            for (key, value) in [
                ("status", Value::from("trialing")),
                ("trial_start", now.into()),
                ("trial_end", end.into()),
                ("billing_cycle_anchor", end.into()),
                ("current_period_end", end.into()),
            ] {
                sub[key] = value;
            }
        }
        None => sub["current_period_end"] = period_end(now, now, &interval, count).into(),
    }
    if sub["cancel_at_period_end"] == true {
        sub["cancel_at"] = sub["current_period_end"].clone();
        sub["canceled_at"] = now.into();
    }
    ledger.book.subscriptions.push(sub);
    let at = ledger.book.subscriptions.len() - 1;
    first_invoice(
        ledger,
        at,
        PaymentBehavior::parse(text(args, "payment_behavior")),
    )?;
    Ok(at)
}

/// The price of item `index`: it must exist, be active and recurring.
fn price(ledger: &Ledger<'_>, wanted: &Value, index: usize) -> Result<Value, ApiError> {
    let id = text(wanted, "price");
    let param = format!("items[{index}][price]");
    let price = ledger
        .context
        .prices
        .get(id)
        .ok_or_else(|| ApiError::missing_reference("price", id, param.clone()))?;
    if price["active"] != true {
        return Err(ApiError::invalid(
            param,
            "The price specified is inactive. This field only accepts active prices.",
        ));
    }
    if price["type"] != "recurring" {
        return Err(ApiError::invalid(
            param,
            "The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.",
        ));
    }
    Ok(price.clone())
}

/// Every item must bill in one currency and one interval.
fn check_items_match(items: &[Value]) -> Result<(), ApiError> {
    let first = &items[0]["price"];
    for item in items {
        let price = &item["price"];
        let field = if price["currency"] != first["currency"] {
            "currency"
        } else if price["recurring"]["interval"] != first["recurring"]["interval"]
            || price["recurring"]["interval_count"] != first["recurring"]["interval_count"]
        {
            "interval"
        } else {
            continue;
        };
        return Err(ApiError::bad_request(format!(
            "Currency and interval fields must match across all plans on this subscription. Found mismatch in {field} field."
        )));
    }
    Ok(())
}

/// `trial_end` (a time, or `now` for none) or `trial_period_days`.
fn trial_end(args: &Value, now: i64) -> Result<Option<i64>, ApiError> {
    if args["trial_end"] == "now" {
        return Ok(None);
    }
    if let Some(end) = args["trial_end"].as_i64() {
        if end <= now {
            return Err(ApiError::invalid(
                "trial_end",
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
            ));
        }
        return Ok(Some(end));
    }
    Ok(args["trial_period_days"]
        .as_i64()
        .filter(|days| *days > 0)
        .map(|days| now + days * 86_400))
}

/// The first invoice, made and finalized in the create call (`invoice.created` shows it
/// open and numbered, as Stripe's does), then collected as `behavior` says.
fn first_invoice(
    ledger: &mut Ledger<'_>,
    sub: usize,
    behavior: PaymentBehavior,
) -> Result<(), ApiError> {
    let s = ledger.book.subscriptions[sub].clone();
    let now = ledger.now();
    let period = Period {
        service: (now, int(&s, "current_period_end")),
        invoice: (now, now),
        trial: s["status"] == "trialing",
    };
    let at = invoicing::draft(ledger, sub, "subscription_create", &period, false)?;
    ledger.book.invoices[at]["auto_advance"] = false.into();
    let created = ledger.book.subscriptions[sub].clone();
    ledger.emit("customer.subscription.created", &created, None)?;
    if s["collection_method"] == "send_invoice" {
        invoicing::finalize_announced(ledger, at)?;
        return ledger.set_status(sub, "active");
    }
    let invoice = ledger.book.invoices[at].clone();
    let (due, _) = invoicing::apply_balance(int(&invoice, "total"), ledger.customer.balance);
    let needs_card = due > 0;
    if needs_card && behavior != PaymentBehavior::DefaultIncomplete {
        let subscription = ledger.book.subscriptions[sub].clone();
        if super::payment::choose(ledger, &invoice, Some(&subscription), None)?.is_none() {
            return Err(super::payment::no_payment_source());
        }
    }
    invoicing::finalize_announced(ledger, at)?;
    if ledger.book.invoices[at]["status"] == "paid" {
        if ledger.book.subscriptions[sub]["status"] == "incomplete" {
            ledger.set_status(sub, "active")?;
        }
        return Ok(());
    }
    if behavior == PaymentBehavior::DefaultIncomplete {
        return Ok(());
    }
    if let Err(decline) = invoicing::attempt(ledger, at, None, true)? {
        if behavior == PaymentBehavior::ErrorIfIncomplete {
            return Err(decline);
        }
    }
    Ok(())
}

/// `POST /v1/subscriptions/{id}`. Item changes take effect from the next period (no
/// prorations are made).
pub fn update(ledger: &mut Ledger<'_>, sub: usize, args: &Value) -> Result<(), ApiError> {
    let now = ledger.now();
    let before = ledger.book.subscriptions[sub].clone();
    if matches!(text(&before, "status"), "canceled" | "incomplete_expired") {
        return Err(ApiError::bad_request(
            "A canceled subscription can only update its cancellation_details.",
        ));
    }
    if let Some(pm) = args["default_payment_method"].as_str() {
        if ledger.context.payment_method(pm).is_none() {
            return Err(super::payment::not_the_customers(
                pm,
                "default_payment_method",
            ));
        }
    }
    let mut after = before.clone();
    patch_fields(
        &mut after,
        args,
        &[
            "collection_method",
            "days_until_due",
            "default_payment_method",
            "description",
        ],
    );
    patch_metadata(&mut after, args)?;
    if let Some(cancel) = args["cancel_at_period_end"].as_bool() {
        after["cancel_at_period_end"] = cancel.into();
        after["cancel_at"] = if cancel {
            before["current_period_end"].clone()
        } else {
            Value::Null
        };
        after["canceled_at"] = if cancel { now.into() } else { Value::Null };
    }
    if let Some(items) = args["items"].as_array() {
        update_items(ledger, &mut after, items)?;
    }
    ledger.book.subscriptions[sub] = after.clone();
    match args.get("trial_end") {
        Some(Value::String(_)) if before["status"] == "trialing" => {
            // `trial_end=now`: the trial ends here, and the first paid period begins.
            ledger.book.subscriptions[sub]["current_period_end"] = now.into();
            ledger.book.subscriptions[sub]["trial_end"] = now.into();
            ledger.emit_change(
                "customer.subscription.updated",
                &before,
                &ledger.book.subscriptions[sub].clone(),
            )?;
            ledger.emit(
                "customer.subscription.trial_will_end",
                &ledger.book.subscriptions[sub].clone(),
                None,
            )?;
            return renew(ledger, sub);
        }
        Some(end) if end.is_i64() && before["status"] == "trialing" => {
            let end = end.as_i64().unwrap_or(now);
            if end <= now {
                return Err(ApiError::invalid(
                    "trial_end",
                    "Invalid timestamp: must be an integer Unix timestamp in the future.",
                ));
            }
            for key in ["trial_end", "current_period_end", "billing_cycle_anchor"] {
                ledger.book.subscriptions[sub][key] = end.into();
            }
        }
        _ => {}
    }
    let after = ledger.book.subscriptions[sub].clone();
    ledger.emit_change("customer.subscription.updated", &before, &after)
}

/// `items[]` of an update: `{id, quantity}` changes an item, `{id, deleted}` removes
/// it, `{price, quantity}` adds one (prices come from the context).
fn update_items(
    ledger: &mut Ledger<'_>,
    sub: &mut Value,
    wanted: &[Value],
) -> Result<(), ApiError> {
    let sub_id = text(sub, "id").to_owned();
    let mut items = documents::items(sub);
    for (index, change) in wanted.iter().enumerate() {
        let existing = change["id"]
            .as_str()
            .map(|id| {
                items
                    .iter()
                    .position(|i| text(i, "id") == id)
                    .ok_or_else(|| {
                        ApiError::missing_reference(
                            "subscription_item",
                            id,
                            format!("items[{index}][id]"),
                        )
                    })
            })
            .transpose()?;
        match existing {
            Some(at) if change["deleted"] == true => {
                items.remove(at);
            }
            Some(at) => {
                if change.get("price").is_some() {
                    items[at]["price"] = price(ledger, change, index)?;
                }
                if let Some(quantity) = change["quantity"].as_i64() {
                    items[at]["quantity"] = quantity.into();
                }
                patch_metadata(&mut items[at], change)?;
            }
            None => {
                let price = price(ledger, change, index)?;
                let quantity = change["quantity"].as_i64().unwrap_or(1);
                let now = ledger.now();
                let mut item = documents::item(
                    text(change, "new_id").to_owned(),
                    &sub_id,
                    &price,
                    quantity,
                    now,
                );
                patch_metadata(&mut item, change)?;
                items.push(item);
            }
        }
    }
    if items.is_empty() {
        return Err(ApiError::invalid(
            "items",
            "A subscription must have at least one active plan.",
        ));
    }
    check_items_match(&items)?;
    sub["items"]["data"] = Value::Array(items);
    Ok(())
}

/// Cancels a subscription now (`DELETE`, a period-end cancel, the last failed retry):
/// `customer.subscription.deleted`; its unfinished invoices stop being collected.
pub fn cancel(ledger: &mut Ledger<'_>, sub: usize, reason: &str) -> Result<(), ApiError> {
    let now = ledger.now();
    let s = &mut ledger.book.subscriptions[sub];
    s["status"] = "canceled".into();
    s["ended_at"] = now.into();
    if s["canceled_at"].is_null() {
        s["canceled_at"] = now.into();
    }
    s["cancellation_details"]["reason"] = reason.into();
    let id = s["id"].clone();
    let canceled = s.clone();
    ledger.emit("customer.subscription.deleted", &canceled, None)?;
    for at in 0..ledger.book.invoices.len() {
        let invoice = &ledger.book.invoices[at];
        let collecting =
            invoice["auto_advance"] == true || !invoice["next_payment_attempt"].is_null();
        if invoice["subscription"] == id && collecting {
            let before = invoice.clone();
            let invoice = &mut ledger.book.invoices[at];
            invoice["auto_advance"] = false.into();
            invoice["next_payment_attempt"] = Value::Null;
            let after = invoice.clone();
            ledger.emit_change("invoice.updated", &before, &after)?;
        }
    }
    Ok(())
}

/// An automatic retry of open invoice `at` (its `next_payment_attempt` came). After the
/// last one fails, the subscription goes where the account's setting says.
pub fn retry(ledger: &mut Ledger<'_>, at: usize) -> Result<(), ApiError> {
    let id = text(&ledger.book.invoices[at], "id").to_owned();
    let retries = ledger.book.note_int(&id, "retries").unwrap_or(0) + 1;
    ledger.book.note(&id)["retries"] = retries.into();
    if invoicing::attempt(ledger, at, None, true)?.is_ok() {
        return Ok(());
    }
    if ledger.book.invoices[at]["next_payment_attempt"].is_null() {
        after_final_retry(ledger, at)?;
    }
    Ok(())
}

/// After the last retry of invoice `at` failed: the subscription is canceled, marked
/// `unpaid` or left `past_due`, as the account's setting says.
pub fn after_final_retry(ledger: &mut Ledger<'_>, at: usize) -> Result<(), ApiError> {
    let invoice = ledger.book.invoices[at].clone();
    let Some(sub) = invoicing::subscription_of(ledger, &invoice) else {
        return Ok(());
    };
    if ledger.book.subscriptions[sub]["latest_invoice"] != invoice["id"] {
        return Ok(());
    }
    match ledger.context.after_retries {
        AfterRetries::Cancel => cancel(ledger, sub, "payment_failed"),
        AfterRetries::Unpaid => ledger.set_status(sub, "unpaid"),
        AfterRetries::PastDue => Ok(()),
    }
}

/// The period end came: canceled if it was to be, otherwise the next period begins
/// (a trial ends into `active`) with its draft invoice, finalized an hour later.
pub fn renew(ledger: &mut Ledger<'_>, sub: usize) -> Result<(), ApiError> {
    let s = ledger.book.subscriptions[sub].clone();
    let end = int(&s, "current_period_end");
    if s["cancel_at_period_end"] == true || s["cancel_at"].as_i64().is_some_and(|at| at <= end) {
        return cancel(ledger, sub, "cancellation_requested");
    }
    let (interval, count) = interval_of(&s);
    let anchor = int(&s, "billing_cycle_anchor");
    let next_end = period_end(anchor, end, &interval, count);
    let old_start = int(&s, "current_period_start");
    {
        let s = &mut ledger.book.subscriptions[sub];
        s["current_period_start"] = end.into();
        s["current_period_end"] = next_end.into();
        if s["status"] == "trialing" {
            s["status"] = "active".into();
        }
    }
    let period = Period {
        service: (end, next_end),
        invoice: (old_start, end),
        trial: false,
    };
    let at = invoicing::draft(ledger, sub, "subscription_cycle", &period, true)?;
    let after = ledger.book.subscriptions[sub].clone();
    ledger.emit_change("customer.subscription.updated", &s, &after)?;
    let invoice = ledger.book.invoices[at].clone();
    ledger.emit("invoice.created", &invoice, None)
}

/// An `incomplete` subscription whose first invoice was not paid in time: it becomes
/// `incomplete_expired` and that invoice is voided.
pub fn expire(ledger: &mut Ledger<'_>, sub: usize) -> Result<(), ApiError> {
    let latest = text(&ledger.book.subscriptions[sub], "latest_invoice").to_owned();
    if let Some(at) = ledger.book.invoice(&latest) {
        if ledger.book.invoices[at]["status"] == "open" {
            invoicing::void(ledger, at)?;
        }
    }
    let now = ledger.now();
    let before = ledger.book.subscriptions[sub].clone();
    let s = &mut ledger.book.subscriptions[sub];
    s["status"] = "incomplete_expired".into();
    s["ended_at"] = now.into();
    s["canceled_at"] = now.into();
    let after = s.clone();
    ledger.emit_change("customer.subscription.updated", &before, &after)
}

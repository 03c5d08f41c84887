//! The billing documents as Stripe's 2023-08-16 schema has them: subscription, its
//! items, invoice and invoice line (the legacy `plan` and top-level `quantity` that
//! real payloads also carry are not in that schema, and are left out). Built from JSON
//! templates (see `objects::template`) with the varying fields set.

use serde_json::Value;

use crate::resources::objects::{int, object, opt, set, template, text};
use crate::wire::error::ApiError;

const SUBSCRIPTION: &str = r#"{"object":"subscription","application":null,"application_fee_percent":null,"automatic_tax":{"enabled":false},"billing_thresholds":null,"cancel_at":null,"cancel_at_period_end":false,"canceled_at":null,"cancellation_details":{"comment":null,"feedback":null,"reason":null},"collection_method":"charge_automatically","days_until_due":null,"default_payment_method":null,"default_source":null,"default_tax_rates":[],"description":null,"discount":null,"ended_at":null,"latest_invoice":null,"metadata":{},"next_pending_invoice_item_invoice":null,"on_behalf_of":null,"pause_collection":null,"payment_settings":{"payment_method_options":null,"payment_method_types":null,"save_default_payment_method":"off"},"pending_invoice_item_interval":null,"pending_setup_intent":null,"pending_update":null,"schedule":null,"test_clock":null,"transfer_data":null,"trial_end":null,"trial_settings":{"end_behavior":{"missing_payment_method":"create_invoice"}},"trial_start":null}"#;

const ITEM: &str =
    r#"{"object":"subscription_item","billing_thresholds":null,"metadata":{},"tax_rates":[]}"#;

const INVOICE: &str = r#"{"object":"invoice","account_country":"US","account_name":null,"account_tax_ids":null,"amount_paid":0,"amount_shipping":0,"application":null,"application_fee_amount":null,"attempt_count":0,"attempted":false,"automatic_tax":{"enabled":false,"status":null},"charge":null,"custom_fields":null,"customer_address":null,"customer_shipping":null,"customer_tax_exempt":"none","customer_tax_ids":[],"default_payment_method":null,"default_source":null,"default_tax_rates":[],"description":null,"discount":null,"discounts":[],"due_date":null,"effective_at":null,"ending_balance":null,"footer":null,"from_invoice":null,"hosted_invoice_url":null,"invoice_pdf":null,"last_finalization_error":null,"latest_revision":null,"metadata":{},"next_payment_attempt":null,"number":null,"on_behalf_of":null,"paid":false,"paid_out_of_band":false,"payment_intent":null,"payment_settings":{"default_mandate":null,"payment_method_options":null,"payment_method_types":null},"post_payment_credit_notes_amount":0,"pre_payment_credit_notes_amount":0,"quote":null,"receipt_number":null,"rendering_options":null,"shipping_cost":null,"shipping_details":null,"statement_descriptor":null,"status":"draft","status_transitions":{"finalized_at":null,"marked_uncollectible_at":null,"paid_at":null,"voided_at":null},"subscription_details":{"metadata":{}},"tax":null,"total_tax_amounts":[],"transfer_data":null,"webhooks_delivered_at":null}"#;

const LINE: &str = r#"{"object":"line_item","discount_amounts":[],"discountable":true,"discounts":[],"metadata":{},"proration":false,"proration_details":{"credited_items":null},"tax_amounts":[],"tax_rates":[],"type":"subscription"}"#;

/// A subscription item of `quantity` × `price`.
pub fn item(id: String, subscription: &str, price: &Value, quantity: i64, created: i64) -> Value {
    let mut item = template(ITEM);
    set(
        &mut item,
        vec![
            ("id", id.into()),
            ("created", created.into()),
            ("price", price.clone()),
            ("quantity", quantity.into()),
            ("subscription", subscription.into()),
        ],
    );
    item
}

/// The fields of a new subscription that vary.
pub struct NewSubscription {
    pub id: String,
    pub customer: String,
    pub items: Vec<Value>,
    pub created: i64,
    pub livemode: bool,
    pub test_clock: Option<String>,
}

pub fn subscription(new: NewSubscription) -> Value {
    let mut sub = template(SUBSCRIPTION);
    let currency = new.items[0]["price"]["currency"].clone();
    let url = format!("/v1/subscription_items?subscription={}", new.id);
    let items = embedded_list(url, new.items);
    set(
        &mut sub,
        vec![
            ("id", new.id.into()),
            ("billing_cycle_anchor", new.created.into()),
            ("created", new.created.into()),
            ("currency", currency),
            ("current_period_start", new.created.into()),
            ("current_period_end", new.created.into()),
            ("customer", new.customer.into()),
            ("items", items),
            ("livemode", new.livemode.into()),
            ("start_date", new.created.into()),
            ("status", "incomplete".into()),
            ("test_clock", opt(new.test_clock)),
        ],
    );
    sub
}

/// A whole list embedded in an object, as `wire::envelope::EmbeddedList` shows one.
pub fn embedded_list(url: String, data: Vec<Value>) -> Value {
    object(vec![
        ("object", "list".into()),
        ("data", Value::Array(data)),
        ("has_more", false.into()),
        ("url", url.into()),
    ])
}

/// The items of a subscription.
pub fn items(sub: &Value) -> Vec<Value> {
    sub["items"]["data"].as_array().cloned().unwrap_or_default()
}

/// The fields of a new invoice that vary.
pub struct NewInvoice<'a> {
    pub id: String,
    pub customer: &'a crate::resources::customers::model::Customer,
    pub subscription: Option<&'a Value>,
    pub billing_reason: &'a str,
    pub currency: String,
    pub created: i64,
    pub period: (i64, i64),
    pub lines: Vec<Value>,
}

/// A draft invoice with its lines; totals are set by `invoicing::total`.
pub fn invoice(new: NewInvoice<'_>) -> Value {
    let mut inv = template(INVOICE);
    let c = new.customer;
    let url = format!("/v1/invoices/{}/lines", new.id);
    let lines = embedded_list(url, new.lines);
    let sub = new.subscription;
    let collection = sub.map_or(Value::from("charge_automatically"), |s| {
        s["collection_method"].clone()
    });
    set(
        &mut inv,
        vec![
            ("id", new.id.into()),
            ("amount_due", 0.into()),
            ("amount_remaining", 0.into()),
            ("auto_advance", true.into()),
            ("billing_reason", new.billing_reason.into()),
            ("collection_method", collection),
            ("created", new.created.into()),
            ("currency", new.currency.into()),
            ("customer", c.id.clone().into()),
            ("customer_email", opt(c.email.clone())),
            ("customer_name", opt(c.name.clone())),
            ("customer_phone", opt(c.phone.clone())),
            ("customer_tax_exempt", c.tax_exempt.clone().into()),
            ("lines", lines),
            ("livemode", c.livemode.into()),
            ("period_end", new.period.1.into()),
            ("period_start", new.period.0.into()),
            ("starting_balance", c.balance.into()),
            ("subscription", sub.map_or(Value::Null, |s| s["id"].clone())),
            ("subtotal", 0.into()),
            ("subtotal_excluding_tax", 0.into()),
            ("test_clock", c.test_clock.clone().unwrap_or(Value::Null)),
            ("total", 0.into()),
            ("total_discount_amounts", Value::Array(Vec::new())),
            ("total_excluding_tax", 0.into()),
        ],
    );
    if let Some(sub) = sub {
        inv["subscription_details"]["metadata"] = sub["metadata"].clone();
    }
    inv
}

/// An invoice line for one subscription item over `period`; `trial` makes it free.
pub fn line(
    id: String,
    item: &Value,
    subscription: &str,
    period: (i64, i64),
    trial: bool,
    livemode: bool,
) -> Result<Value, ApiError> {
    let price = &item["price"];
    let quantity = int(item, "quantity");
    let unit = if trial { 0 } else { int(price, "unit_amount") };
    let amount = unit
        .checked_mul(quantity)
        .ok_or_else(|| ApiError::bad_request("The amount of this invoice line is too large."))?;
    let mut line = template(LINE);
    set(
        &mut line,
        vec![
            ("id", id.into()),
            ("amount", amount.into()),
            ("amount_excluding_tax", amount.into()),
            ("currency", price["currency"].clone()),
            ("description", describe(item, trial).into()),
            ("livemode", livemode.into()),
            (
                "period",
                object(vec![("end", period.1.into()), ("start", period.0.into())]),
            ),
            ("price", price.clone()),
            ("quantity", quantity.into()),
            ("subscription", subscription.into()),
            ("subscription_item", item["id"].clone()),
            ("unit_amount_excluding_tax", unit.to_string().into()),
        ],
    );
    Ok(line)
}

/// `1 × Gold (at $20.00 / month)`, or `Trial period for Gold`.
fn describe(item: &Value, trial: bool) -> String {
    let price = &item["price"];
    let product = match text(price, "nickname") {
        "" => text(price, "product").to_owned(),
        nickname => nickname.to_owned(),
    };
    if trial {
        return format!("Trial period for {product}");
    }
    let unit = int(price, "unit_amount");
    format!(
        "{} × {product} (at {} / {})",
        int(item, "quantity"),
        money(unit, text(price, "currency")),
        text(&price["recurring"], "interval")
    )
}

/// `$20.00` for 2000 usd; other currencies as `20.00 EUR`.
pub fn money(amount: i64, currency: &str) -> String {
    let whole = format!("{}.{:02}", amount / 100, (amount % 100).abs());
    match currency {
        "usd" => format!("${whole}"),
        other => format!("{whole} {}", other.to_ascii_uppercase()),
    }
}

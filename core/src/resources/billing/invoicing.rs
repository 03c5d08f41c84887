//! An invoice's life: a draft with its lines and the customer's discount, finalization
//! (its number from the customer's sequence, the customer's balance applied), payment
//! attempts and their retries, and `/pay`, `/void` and `/mark_uncollectible`.

use serde_json::Value;

use super::context::RETRY_DAYS;
use super::documents::{self, NewInvoice};
use super::payment::{self, Card};
use super::periods::{interval_of, period_end};
use super::Ledger;
use crate::resources::objects::{int, text};
use crate::resources::promotion_codes::meets_minimum;
use crate::wire::error::ApiError;
use crate::wire::ids;

/// How long after its creation a renewal draft is finalized and charged (Stripe: about
/// an hour, once its webhooks are delivered).
pub const FINALIZE_AFTER_SECONDS: i64 = 3_600;
/// Below this `amount_due` (in the currency's minor unit) nothing is charged: the amount
/// moves to the customer's balance and the invoice is paid (Stripe's `usd` minimum).
const MINIMUM_CHARGE: i64 = 50;

/// What a subscription invoice covers.
pub struct Period {
    /// The service period of its lines.
    pub service: (i64, i64),
    /// The invoice's own `period_start`/`period_end`.
    pub invoice: (i64, i64),
    pub trial: bool,
}

/// Creates a draft invoice for subscription `sub` (its index) with one line per item,
/// and makes it the subscription's `latest_invoice`; answers the invoice's index. The
/// draft is finalized by the caller at once, or by the timeline an hour later
/// (`finalize_later`). The caller records the events.
pub fn draft(
    ledger: &mut Ledger<'_>,
    sub: usize,
    reason: &str,
    period: &Period,
    finalize_later: bool,
) -> Result<usize, ApiError> {
    let id = ids::random_id("in")?;
    let subscription = ledger.book.subscriptions[sub].clone();
    let sub_id = text(&subscription, "id").to_owned();
    let mut lines = Vec::new();
    for item in documents::items(&subscription) {
        let line_id = ids::random_id("il")?;
        let livemode = ledger.customer.livemode;
        lines.push(documents::line(
            line_id,
            &item,
            &sub_id,
            period.service,
            period.trial,
            livemode,
        )?);
    }
    let mut invoice = documents::invoice(NewInvoice {
        id: id.clone(),
        customer: ledger.customer,
        subscription: Some(&subscription),
        billing_reason: reason,
        currency: text(&subscription, "currency").to_owned(),
        created: ledger.now(),
        period: period.invoice,
        lines,
    });
    invoice["default_payment_method"] = Value::Null;
    if !period.trial {
        apply_discount(ledger, &mut invoice)?;
    }
    total(&mut invoice);
    let collects = subscription["status"] != "unpaid";
    invoice["auto_advance"] = (finalize_later && collects).into();
    if finalize_later && collects {
        invoice["next_payment_attempt"] = (ledger.now() + FINALIZE_AFTER_SECONDS).into();
    }
    ledger.book.invoices.push(invoice);
    ledger.book.subscriptions[sub]["latest_invoice"] = id.into();
    Ok(ledger.book.invoices.len() - 1)
}

/// The next renewal of subscription `at` as it would be billed now (Stripe's upcoming
/// invoice): no `id`, `il_tmp_` lines, the discount and the balance applied. Made on
/// copies: nothing of the ledger changes.
pub fn preview(ledger: &Ledger<'_>, at: usize) -> Result<Value, ApiError> {
    let mut customer = ledger.customer.clone();
    let mut book = ledger.book.clone();
    let mut scratch = Ledger {
        customer: &mut customer,
        sources: ledger.sources,
        book: &mut book,
        context: ledger.context,
        origin: ledger.origin.clone(),
        events: Vec::new(),
    };
    let sub = scratch.book.subscriptions[at].clone();
    let end = int(&sub, "current_period_end");
    let (interval, count) = interval_of(&sub);
    let next_end = period_end(int(&sub, "billing_cycle_anchor"), end, &interval, count);
    scratch.at(end);
    let period = Period {
        service: (end, next_end),
        invoice: (int(&sub, "current_period_start"), end),
        trial: false,
    };
    let draft = draft(&mut scratch, at, "upcoming", &period, true)?;
    let mut preview = scratch.book.invoices.remove(draft);
    let (amount_due, _) = apply_balance(int(&preview, "total"), scratch.customer.balance);
    preview["amount_due"] = amount_due.into();
    preview["amount_remaining"] = amount_due.into();
    if let Some(doc) = preview.as_object_mut() {
        doc.remove("id");
    }
    for line in preview["lines"]["data"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        line["id"] = format!("il_tmp_{}", ids::random_base62(24)?).into();
    }
    let url = format!(
        "/v1/invoices/upcoming/lines?customer={}",
        ledger.customer.id
    );
    preview["lines"]["url"] = url.into();
    Ok(preview)
}

/// The customer's discount on a new invoice, if it applies at the invoice's creation:
/// a `once` coupon is used up by it (the customer's discount is removed), a `repeating`
/// one lasts until its `end`, a `forever` one always applies.
fn apply_discount(ledger: &mut Ledger<'_>, invoice: &mut Value) -> Result<(), ApiError> {
    let Some(discount) = ledger.customer.discount.clone() else {
        return Ok(());
    };
    let created = int(invoice, "created");
    let ended = discount["end"].as_i64().is_some_and(|end| created >= end);
    let subtotal = subtotal(invoice);
    let currency = text(invoice, "currency").to_owned();
    if !ended && !meets_minimum(&ledger.context.restrictions, subtotal, &currency) {
        // Below the promotion code's minimum: this invoice gets no discount, and a
        // `once` coupon is kept for the next one.
        return Ok(());
    }
    if !ended {
        invoice["discount"] = discount.clone();
        invoice["discounts"] = Value::Array(vec![discount["id"].clone()]);
    }
    let used_up = ended || discount["coupon"]["duration"] == "once";
    if used_up {
        ledger.customer.discount = None;
        ledger.emit("customer.discount.deleted", &discount, None)?;
    }
    Ok(())
}

/// The sum of an invoice's lines.
fn subtotal(invoice: &Value) -> i64 {
    invoice["lines"]["data"]
        .as_array()
        .map_or(0, |lines| lines.iter().map(|l| int(l, "amount")).sum())
}

/// Sets `subtotal`, the discount's amount, `total` and `amount_due` from the lines.
pub fn total(invoice: &mut Value) {
    let subtotal = subtotal(invoice);
    let coupon = &invoice["discount"]["coupon"];
    let off = if let Some(percent) = coupon["percent_off"].as_f64() {
        // Rounded to the nearest minor unit, as Stripe rounds.
        ((subtotal as f64) * percent / 100.0).round() as i64
    } else if coupon["currency"] == invoice["currency"] {
        int(coupon, "amount_off")
    } else {
        0
    }
    .clamp(0, subtotal.max(0));
    let discounts = match invoice["discount"]["id"].as_str() {
        Some(id) if off > 0 => {
            let mut amount = serde_json::Map::new();
            amount.insert("amount".into(), off.into());
            amount.insert("discount".into(), id.into());
            vec![Value::Object(amount)]
        }
        _ => Vec::new(),
    };
    let total = subtotal - off;
    let paid = int(invoice, "amount_paid");
    for (key, value) in [
        ("subtotal", subtotal),
        ("subtotal_excluding_tax", subtotal),
        ("total", total),
        ("total_excluding_tax", total),
        ("amount_due", total),
        ("amount_remaining", total - paid),
    ] {
        invoice[key] = value.into();
    }
    invoice["total_discount_amounts"] = Value::Array(discounts);
}

/// Finalizes draft `at`: numbered from the customer's sequence (which advances), the
/// balance applied (a credit lowers `amount_due`, a debit raises it; the customer's
/// balance becomes `ending_balance`); `invoice.finalized`. An invoice with nothing to
/// charge is paid at once.
pub fn finalize(ledger: &mut Ledger<'_>, at: usize) -> Result<(), ApiError> {
    finalize_as(ledger, at, false)
}

/// [`finalize`] in the create call of a subscription: `invoice.created` comes first,
/// already showing the invoice open and numbered, as Stripe's does.
pub fn finalize_announced(ledger: &mut Ledger<'_>, at: usize) -> Result<(), ApiError> {
    finalize_as(ledger, at, true)
}

/// What is left to pay of `total` once a customer `balance` is applied (a credit is
/// negative), and the balance after it.
pub fn apply_balance(total: i64, balance: i64) -> (i64, i64) {
    if balance < 0 {
        let applied = (-balance).min(total.max(0));
        (total - applied, balance + applied)
    } else {
        (total + balance, 0)
    }
}

fn finalize_as(ledger: &mut Ledger<'_>, at: usize, announce: bool) -> Result<(), ApiError> {
    let now = ledger.now();
    let sequence = ledger.customer.next_invoice_sequence.unwrap_or(1);
    let prefix = ledger.customer.invoice_prefix.clone().unwrap_or_default();
    ledger.customer.next_invoice_sequence = Some(sequence + 1);
    let balance = ledger.customer.balance;
    let invoice = &mut ledger.book.invoices[at];
    let total = int(invoice, "total");
    let (amount_due, ending) = apply_balance(total, balance);
    let collects = invoice["collection_method"] == "charge_automatically";
    let auto = invoice["auto_advance"] == true;
    let fields: [(&str, Value); 10] = [
        ("number", format!("{prefix}-{sequence:04}").into()),
        ("status", "open".into()),
        ("starting_balance", balance.into()),
        ("ending_balance", ending.into()),
        ("amount_due", amount_due.into()),
        ("amount_remaining", amount_due.into()),
        ("effective_at", now.into()),
        ("next_payment_attempt", Value::Null),
        ("webhooks_delivered_at", now.into()),
        (
            "hosted_invoice_url",
            format!("https://invoice.stripe.com/i/{}", text(invoice, "id")).into(),
        ),
    ];
    for (key, value) in fields {
        invoice[key] = value;
    }
    invoice["status_transitions"]["finalized_at"] = now.into();
    if !collects {
        let days = int(invoice, "days_until_due");
        invoice["due_date"] = (now + days * 86_400).into();
    }
    invoice["auto_advance"] = (auto && collects).into();
    ledger.customer.balance = ending;
    let invoice = ledger.book.invoices[at].clone();
    if announce {
        ledger.emit("invoice.created", &invoice, None)?;
    }
    ledger.emit("invoice.finalized", &invoice, None)?;
    if amount_due <= 0 {
        return mark_paid(ledger, at, None, false);
    }
    if amount_due < MINIMUM_CHARGE && collects {
        // Too small to charge: carried to the customer's balance instead.
        ledger.customer.balance += amount_due;
        ledger.book.invoices[at]["ending_balance"] = ledger.customer.balance.into();
        return mark_paid(ledger, at, None, false);
    }
    Ok(())
}

/// The outcome of a payment attempt that was made: paid, or declined with this error.
pub type Attempt = Result<(), ApiError>;

/// Tries to collect open invoice `at` with `explicit` (from `/pay`) or the card Stripe
/// would choose. `automatic`: a collection of the billing cycle (it counts an attempt
/// and schedules retries) rather than a manual `/pay`.
pub fn attempt(
    ledger: &mut Ledger<'_>,
    at: usize,
    explicit: Option<&str>,
    automatic: bool,
) -> Result<Attempt, ApiError> {
    let invoice = ledger.book.invoices[at].clone();
    let sub = subscription_of(ledger, &invoice);
    let subscription = sub.map(|s| ledger.book.subscriptions[s].clone());
    let card = payment::choose(ledger, &invoice, subscription.as_ref(), explicit)?;
    let outcome = match &card {
        Some(card) => payment::charge(card),
        None => Err(payment::no_payment_source()),
    };
    match outcome {
        Ok(()) => {
            mark_paid(ledger, at, card.as_ref(), automatic)?;
            Ok(Ok(()))
        }
        Err(decline) => {
            failed(ledger, at, card.is_some(), automatic)?;
            Ok(Err(decline))
        }
    }
}

/// A failed attempt: counted (a manual one only if it is the first), the next retry
/// scheduled for an automatic one, `invoice.payment_failed` and `invoice.updated`; a
/// renewal's subscription goes `past_due`.
fn failed(
    ledger: &mut Ledger<'_>,
    at: usize,
    has_card: bool,
    automatic: bool,
) -> Result<(), ApiError> {
    let now = ledger.now();
    let before = ledger.book.invoices[at].clone();
    let id = text(&before, "id").to_owned();
    let first_try = int(&before, "attempt_count") == 0;
    let retries_allowed =
        automatic && has_card && before["billing_reason"] != "subscription_create";
    let failed_at = match ledger.book.note_int(&id, "failed_at") {
        Some(at) => at,
        None => {
            ledger.book.note(&id)["failed_at"] = now.into();
            now
        }
    };
    let retries = ledger.book.note_int(&id, "retries").unwrap_or(0);
    let next = match RETRY_DAYS.get(retries as usize) {
        Some(days) if retries_allowed => Value::from(failed_at + days * 86_400),
        _ => Value::Null,
    };
    let invoice = &mut ledger.book.invoices[at];
    if automatic || first_try {
        invoice["attempt_count"] = (int(&before, "attempt_count") + 1).into();
    }
    invoice["attempted"] = true.into();
    invoice["next_payment_attempt"] = next;
    let after = invoice.clone();
    ledger.emit("invoice.payment_failed", &after, None)?;
    ledger.emit_change("invoice.updated", &before, &after)?;
    follow_latest(ledger, &after, &["active", "trialing"], "past_due")
}

/// Marks invoice `at` paid (by `card`, or with nothing to charge): `invoice.updated`,
/// `invoice.paid`, `invoice.payment_succeeded`; its subscription, if this is its
/// latest invoice and it was waiting for it, becomes `active`.
pub fn mark_paid(
    ledger: &mut Ledger<'_>,
    at: usize,
    card: Option<&Card>,
    automatic: bool,
) -> Result<(), ApiError> {
    let now = ledger.now();
    let before = ledger.book.invoices[at].clone();
    let invoice = &mut ledger.book.invoices[at];
    let due = int(invoice, "amount_due").max(0);
    let charged = card.is_some();
    let paid = if charged { due } else { 0 };
    invoice["amount_paid"] = paid.into();
    invoice["amount_remaining"] = 0.into();
    invoice["paid"] = true.into();
    invoice["status"] = "paid".into();
    invoice["auto_advance"] = false.into();
    invoice["next_payment_attempt"] = Value::Null;
    invoice["status_transitions"]["paid_at"] = now.into();
    if charged {
        invoice["attempted"] = true.into();
        // Manual attempts after the first do not count (Stripe).
        let count = int(&before, "attempt_count");
        if automatic || count == 0 {
            invoice["attempt_count"] = (count + 1).into();
        }
    }
    let after = invoice.clone();
    ledger.emit_change("invoice.updated", &before, &after)?;
    ledger.emit("invoice.paid", &after, None)?;
    if charged {
        ledger.emit("invoice.payment_succeeded", &after, None)?;
    }
    follow_latest(
        ledger,
        &after,
        &["incomplete", "past_due", "unpaid"],
        "active",
    )
}

/// The subscription whose latest invoice is `invoice` moves from one of `from` to `to`
/// (a failed renewal makes it `past_due`, a paid latest invoice `active` again).
fn follow_latest(
    ledger: &mut Ledger<'_>,
    invoice: &Value,
    from: &[&str],
    to: &str,
) -> Result<(), ApiError> {
    let Some(sub) = subscription_of(ledger, invoice) else {
        return Ok(());
    };
    let s = &ledger.book.subscriptions[sub];
    if s["latest_invoice"] == invoice["id"] && from.contains(&text(s, "status")) {
        ledger.set_status(sub, to)?;
    }
    Ok(())
}

/// The index of the invoice's subscription in the book.
pub fn subscription_of(ledger: &Ledger<'_>, invoice: &Value) -> Option<usize> {
    invoice["subscription"]
        .as_str()
        .and_then(|id| ledger.book.subscription(id))
}

/// `POST /v1/invoices/{id}/finalize`.
pub fn finalize_now(ledger: &mut Ledger<'_>, at: usize) -> Result<(), ApiError> {
    let invoice = &ledger.book.invoices[at];
    if invoice["status"] != "draft" {
        return Err(ApiError::bad_request(
            "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
        ));
    }
    let auto = invoice["auto_advance"] == true;
    finalize(ledger, at)?;
    if auto && ledger.book.invoices[at]["status"] == "open" {
        attempt(ledger, at, None, true)?.ok();
    }
    Ok(())
}

/// `POST /v1/invoices/{id}/pay`: `paid_out_of_band`, or a charge of `payment_method`
/// (or the card Stripe chooses). A decline answers the card error (the failed attempt
/// is recorded all the same).
pub fn pay(
    ledger: &mut Ledger<'_>,
    at: usize,
    payment_method: Option<&str>,
    out_of_band: bool,
) -> Result<Attempt, ApiError> {
    let status = text(&ledger.book.invoices[at], "status").to_owned();
    match status.as_str() {
        "paid" => return Err(ApiError::bad_request("Invoice is already paid")),
        "void" => return Err(ApiError::bad_request("Voided invoices cannot be paid.")),
        "draft" => finalize(ledger, at)?,
        _ => {}
    }
    if ledger.book.invoices[at]["status"] == "paid" {
        return Ok(Ok(()));
    }
    if out_of_band {
        ledger.book.invoices[at]["paid_out_of_band"] = true.into();
        mark_paid(ledger, at, None, false)?;
        return Ok(Ok(()));
    }
    attempt(ledger, at, payment_method, false)
}

/// `POST /v1/invoices/{id}/void`: only a finalized, unpaid invoice.
pub fn void(ledger: &mut Ledger<'_>, at: usize) -> Result<(), ApiError> {
    let status = text(&ledger.book.invoices[at], "status").to_owned();
    if !matches!(status.as_str(), "open" | "uncollectible") {
        return Err(ApiError::bad_request(format!(
            "You can only pass in open or uncollectible invoices. This invoice is {status}."
        )));
    }
    close(ledger, at, "void", "voided_at", "invoice.voided")
}

/// `POST /v1/invoices/{id}/mark_uncollectible`: only an open invoice.
pub fn mark_uncollectible(ledger: &mut Ledger<'_>, at: usize) -> Result<(), ApiError> {
    let status = text(&ledger.book.invoices[at], "status").to_owned();
    if status != "open" {
        return Err(ApiError::bad_request(format!(
            "You can only mark open invoices as uncollectible. This invoice is {status}."
        )));
    }
    close(
        ledger,
        at,
        "uncollectible",
        "marked_uncollectible_at",
        "invoice.marked_uncollectible",
    )
}

/// Moves invoice `at` to a terminal-ish `status`, stamping `transition`; records `kind`
/// and `invoice.updated`. A void gives back the balance the invoice had taken.
fn close(
    ledger: &mut Ledger<'_>,
    at: usize,
    status: &str,
    transition: &str,
    kind: &str,
) -> Result<(), ApiError> {
    let now = ledger.now();
    let before = ledger.book.invoices[at].clone();
    let invoice = &mut ledger.book.invoices[at];
    invoice["status"] = status.into();
    invoice["auto_advance"] = false.into();
    invoice["next_payment_attempt"] = Value::Null;
    invoice["status_transitions"][transition] = now.into();
    if status == "void" {
        invoice["amount_remaining"] = 0.into();
        let taken = int(&before, "ending_balance") - int(&before, "starting_balance");
        ledger.customer.balance -= taken;
    }
    let after = ledger.book.invoices[at].clone();
    ledger.emit(kind, &after, None)?;
    ledger.emit_change("invoice.updated", &before, &after)?;
    Ok(())
}

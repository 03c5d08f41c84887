//! The billing flows end to end over the pure code: a customer record and its book, the
//! commands and the timeline, with the events each step records.

use serde_json::{json, Value};

use super::book::Book;
use super::context::{AfterRetries, Context};
use super::execute::{apply, TICK, UPCOMING};
use crate::resources::customers::events::Origin;
use crate::resources::customers::model::{Customer, CustomerRecord};
use crate::resources::events::model::EventRequest;
use crate::wire::error::ApiError;

const DAY: i64 = 86_400;
/// 2024-01-15 00:00:00 UTC.
const T0: i64 = 1_705_276_800;

struct Fixture {
    record: CustomerRecord,
    book: Book,
    context: Context,
    events: Vec<String>,
}

fn price(id: &str, amount: i64, interval: &str) -> Value {
    json!({"id": id, "object": "price", "active": true, "currency": "usd", "created": 1,
        "livemode": false, "product": "prod_1", "type": "recurring", "unit_amount": amount,
        "unit_amount_decimal": amount.to_string(), "nickname": null,
        "recurring": {"interval": interval, "interval_count": 1, "usage_type": "licensed"}})
}

fn pm(id: &str, last4: &str) -> Value {
    json!({"id": id, "object": "payment_method", "card": {"last4": last4}})
}

impl Fixture {
    fn new(default_pm: Option<&str>) -> Fixture {
        let mut customer = Customer::blank("cus_1".into(), T0, false, "ABCD1234".into());
        customer.invoice_settings.default_payment_method = default_pm.map(str::to_owned);
        let mut prices = serde_json::Map::new();
        prices.insert("price_m".into(), price("price_m", 2000, "month"));
        prices.insert("price_y".into(), price("price_y", 9000, "year"));
        Fixture {
            record: CustomerRecord::new(customer),
            book: Book::default(),
            context: Context {
                payment_methods: vec![pm("pm_visa", "4242"), pm("pm_fail", "0341")],
                prices,
                clock: None,
                restrictions: Value::Null,
                after_retries: AfterRetries::Cancel,
            },
            events: Vec::new(),
        }
    }

    fn run(&mut self, op: &str, args: Value, now: i64) -> Result<Value, ApiError> {
        let origin = Origin {
            request: EventRequest::default(),
            now,
        };
        // As the object does: an error commits nothing, a decline commits its attempt.
        let (mut record, mut book) = (self.record.clone(), self.book.clone());
        let (answer, events) = apply(&mut record, &mut book, op, &args, &origin, &self.context)?;
        (self.record, self.book) = (record, book);
        self.events.extend(events.iter().map(|e| e.kind.clone()));
        let body = answer?;
        Ok(serde_json::from_str(&body).unwrap_or(Value::Null))
    }

    fn subscribe(&mut self, extra: Value) -> Result<Value, ApiError> {
        let mut args =
            json!({"id": "sub_1", "items": [{"id": "si_1", "price": "price_m", "quantity": 2}]});
        for (k, v) in extra.as_object().unwrap() {
            args[k] = v.clone();
        }
        self.run("subscription.create", args, T0)
    }

    fn tick(&mut self, to: i64) {
        self.run(TICK, json!({"to": to}), to).unwrap();
    }

    fn invoice(&self, i: usize) -> &Value {
        &self.book.invoices[i]
    }

    fn take_events(&mut self) -> Vec<String> {
        std::mem::take(&mut self.events)
    }
}

#[test]
fn a_subscription_paid_by_card_is_active_with_its_first_invoice_paid_and_numbered() {
    let mut f = Fixture::new(Some("pm_visa"));
    let sub = f.subscribe(json!({})).unwrap();
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["current_period_end"], T0 + 31 * DAY);
    let inv = f.invoice(0);
    assert_eq!(
        (inv["status"].as_str(), inv["number"].as_str()),
        (Some("paid"), Some("ABCD1234-0001"))
    );
    assert_eq!(
        (inv["amount_due"].as_i64(), inv["amount_paid"].as_i64()),
        (Some(4000), Some(4000))
    );
    assert_eq!(inv["billing_reason"], "subscription_create");
    assert_eq!(sub["latest_invoice"], inv["id"]);
    assert_eq!(f.record.customer.next_invoice_sequence, Some(2));
    assert_eq!(
        f.take_events(),
        [
            "customer.subscription.created",
            "invoice.created",
            "invoice.finalized",
            "invoice.updated",
            "invoice.paid",
            "invoice.payment_succeeded",
            "customer.subscription.updated",
            "customer.updated"
        ]
    );
}

#[test]
fn a_declining_card_leaves_the_subscription_incomplete_and_its_invoice_open() {
    let mut f = Fixture::new(Some("pm_fail"));
    let sub = f.subscribe(json!({})).unwrap();
    assert_eq!(sub["status"], "incomplete");
    let inv = f.invoice(0).clone();
    assert_eq!(
        (inv["status"].as_str(), inv["attempt_count"].as_i64()),
        (Some("open"), Some(1))
    );
    assert!(
        inv["next_payment_attempt"].is_null(),
        "a first invoice is not retried"
    );
    // 23 hours later it expires, and its invoice is voided.
    f.tick(T0 + 23 * 3600);
    assert_eq!(f.book.subscriptions[0]["status"], "incomplete_expired");
    assert_eq!(f.invoice(0)["status"], "void");
    assert!(!f.record.customer.delinquent);
    // error_if_incomplete: a 402 and nothing made.
    let mut f = Fixture::new(Some("pm_fail"));
    let err = f
        .subscribe(json!({"payment_behavior": "error_if_incomplete"}))
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (402, Some("card_declined")));
}

#[test]
fn without_a_card_a_subscription_is_refused_unless_default_incomplete() {
    let mut f = Fixture::new(None);
    let err = f.subscribe(json!({})).unwrap_err();
    assert!(err
        .to_string()
        .starts_with("This customer has no attached payment source"));
    assert!(f.book.subscriptions.is_empty());
    let sub = f
        .subscribe(json!({"payment_behavior": "default_incomplete"}))
        .unwrap();
    assert_eq!(
        (sub["status"].as_str(), f.invoice(0)["status"].as_str()),
        (Some("incomplete"), Some("open"))
    );
    assert_eq!(f.invoice(0)["attempt_count"], 0);
}

#[test]
fn renewals_come_at_period_end_as_drafts_and_are_charged_an_hour_later() {
    let mut f = Fixture::new(Some("pm_visa"));
    f.subscribe(json!({})).unwrap();
    f.take_events();
    let end = T0 + 31 * DAY;
    // Three days before: the upcoming invoice, as an event (no id, nothing stored).
    f.tick(end - 3 * DAY);
    assert_eq!(f.take_events(), ["invoice.upcoming"]);
    assert_eq!(f.book.invoices.len(), 1);
    f.tick(end);
    assert_eq!(f.invoice(1)["status"], "draft");
    assert_eq!(f.invoice(1)["next_payment_attempt"], end + 3600);
    assert_eq!(
        f.take_events(),
        ["customer.subscription.updated", "invoice.created"]
    );
    f.tick(end + 3600);
    let inv = f.invoice(1);
    assert_eq!(
        (inv["status"].as_str(), inv["number"].as_str()),
        (Some("paid"), Some("ABCD1234-0002"))
    );
    assert_eq!(
        (inv["period_start"].as_i64(), inv["period_end"].as_i64()),
        (Some(T0), Some(end))
    );
    assert_eq!(inv["lines"]["data"][0]["period"]["start"], end);
    // Twelve months on: twelve renewals, each with one invoice, numbered in order.
    f.tick(T0 + 366 * DAY + 7200);
    assert_eq!(f.book.invoices.len(), 13);
    assert_eq!(f.invoice(12)["number"], "ABCD1234-0013");
    assert!(f.book.invoices.iter().all(|i| i["status"] == "paid"));
    // A second tick to the same moment changes nothing.
    f.take_events();
    f.tick(T0 + 366 * DAY + 7200);
    assert!(f.take_events().is_empty());
}

#[test]
fn a_failed_renewal_goes_past_due_and_delinquent_until_paid_with_another_card() {
    let mut f = Fixture::new(Some("pm_visa"));
    f.subscribe(json!({})).unwrap();
    f.record.customer.invoice_settings.default_payment_method = Some("pm_fail".into());
    let end = T0 + 31 * DAY;
    f.take_events();
    f.tick(end + 3600);
    assert_eq!(f.book.subscriptions[0]["status"], "past_due");
    assert!(f.record.customer.delinquent);
    let inv = f.invoice(1).clone();
    assert_eq!(
        (
            inv["attempt_count"].as_i64(),
            inv["next_payment_attempt"].as_i64()
        ),
        (Some(1), Some(end + 3600 + DAY))
    );
    let events = f.take_events();
    let failed = events
        .iter()
        .position(|e| e == "invoice.payment_failed")
        .unwrap();
    assert_eq!(
        events[failed..],
        [
            "invoice.payment_failed",
            "invoice.updated",
            "customer.subscription.updated",
            "customer.updated"
        ]
    );
    // Paid with another card: active, not delinquent.
    let id = inv["id"].as_str().unwrap();
    let paid = f
        .run(
            "invoice.pay",
            json!({"target": id, "payment_method": "pm_visa"}),
            end + 7200,
        )
        .unwrap();
    assert_eq!(paid["status"], "paid");
    assert_eq!(f.book.subscriptions[0]["status"], "active");
    assert!(!f.record.customer.delinquent);
}

#[test]
fn retries_follow_the_schedule_and_the_last_failure_cancels() {
    let mut f = Fixture::new(Some("pm_visa"));
    f.subscribe(json!({})).unwrap();
    f.record.customer.invoice_settings.default_payment_method = Some("pm_fail".into());
    let failed_at = T0 + 31 * DAY + 3600;
    f.tick(failed_at + 13 * DAY);
    assert_eq!(f.invoice(1)["attempt_count"], 7);
    assert_eq!(f.invoice(1)["next_payment_attempt"], failed_at + 14 * DAY);
    f.tick(failed_at + 14 * DAY);
    assert_eq!(f.invoice(1)["attempt_count"], 8);
    assert!(f.invoice(1)["next_payment_attempt"].is_null());
    let sub = &f.book.subscriptions[0];
    assert_eq!(
        (
            sub["status"].as_str(),
            sub["cancellation_details"]["reason"].as_str()
        ),
        (Some("canceled"), Some("payment_failed"))
    );
    // The invoice stays open and in dunning: the customer is still delinquent.
    assert!(f.record.customer.delinquent);
    let mut f = Fixture::new(Some("pm_visa"));
    f.context.after_retries = AfterRetries::Unpaid;
    f.subscribe(json!({})).unwrap();
    f.record.customer.invoice_settings.default_payment_method = Some("pm_fail".into());
    f.tick(failed_at + 14 * DAY);
    assert_eq!(f.book.subscriptions[0]["status"], "unpaid");
}

#[test]
fn a_trial_starts_free_warns_three_days_before_and_ends_into_a_paid_invoice() {
    let mut f = Fixture::new(Some("pm_visa"));
    let sub = f.subscribe(json!({"trial_period_days": 7})).unwrap();
    assert_eq!(
        (sub["status"].as_str(), sub["trial_end"].as_i64()),
        (Some("trialing"), Some(T0 + 7 * DAY))
    );
    assert_eq!(
        (
            f.invoice(0)["amount_due"].as_i64(),
            f.invoice(0)["status"].as_str()
        ),
        (Some(0), Some("paid"))
    );
    f.take_events();
    f.tick(T0 + 4 * DAY);
    assert_eq!(f.take_events(), ["customer.subscription.trial_will_end"]);
    f.tick(T0 + 7 * DAY + 3600);
    assert_eq!(f.book.subscriptions[0]["status"], "active");
    assert_eq!(
        (
            f.invoice(1)["status"].as_str(),
            f.invoice(1)["amount_paid"].as_i64()
        ),
        (Some("paid"), Some(4000))
    );
    assert_eq!(
        f.book.subscriptions[0]["current_period_end"],
        T0 + 7 * DAY + 31 * DAY
    );
}

#[test]
fn credit_and_a_coupon_apply_and_the_upcoming_invoice_matches_the_renewal() {
    let mut f = Fixture::new(Some("pm_visa"));
    f.record.customer.balance = -1500;
    f.record.customer.discount = Some(json!({"id": "di_1", "object": "discount", "end": null,
        "coupon": {"id": "SAVE", "percent_off": 25.0, "duration": "forever"}}));
    f.subscribe(json!({})).unwrap();
    let first = f.invoice(0).clone();
    // 4000 - 25% = 3000; the credit of 1500 leaves 1500 to charge.
    assert_eq!(
        (first["total"].as_i64(), first["amount_due"].as_i64()),
        (Some(3000), Some(1500))
    );
    assert_eq!(first["total_discount_amounts"][0]["amount"], 1000);
    assert_eq!(
        (
            first["starting_balance"].as_i64(),
            first["ending_balance"].as_i64()
        ),
        (Some(-1500), Some(0))
    );
    assert_eq!(f.record.customer.balance, 0);
    f.record.customer.balance = -500;
    let upcoming = f.run(UPCOMING, json!({}), T0 + DAY).unwrap();
    assert!(upcoming.get("id").is_none());
    assert_eq!(
        (upcoming["total"].as_i64(), upcoming["amount_due"].as_i64()),
        (Some(3000), Some(2500))
    );
    f.tick(T0 + 31 * DAY + 3600);
    let renewal = f.invoice(1);
    assert_eq!(
        (renewal["total"].as_i64(), renewal["amount_due"].as_i64()),
        (Some(3000), Some(2500))
    );
    assert_eq!(
        renewal["lines"]["data"][0]["period"],
        upcoming["lines"]["data"][0]["period"]
    );
}

#[test]
fn a_once_coupon_is_used_up_by_the_first_invoice() {
    let mut f = Fixture::new(Some("pm_visa"));
    f.record.customer.discount = Some(json!({"id": "di_1", "object": "discount", "end": null,
        "coupon": {"id": "ONCE", "amount_off": 500, "currency": "usd", "duration": "once"}}));
    f.subscribe(json!({})).unwrap();
    assert_eq!(f.invoice(0)["total"], 3500);
    assert!(f.record.customer.discount.is_none());
    assert!(f.events.iter().any(|e| e == "customer.discount.deleted"));
    f.tick(T0 + 31 * DAY + 3600);
    assert_eq!(f.invoice(1)["total"], 4000);
}

#[test]
fn cancel_now_or_at_period_end_and_nothing_renews_after() {
    let mut f = Fixture::new(Some("pm_visa"));
    f.subscribe(json!({})).unwrap();
    let sub = f
        .run(
            "subscription.update",
            json!({"target": "sub_1", "cancel_at_period_end": true}),
            T0 + DAY,
        )
        .unwrap();
    assert_eq!(
        (sub["cancel_at"].as_i64(), sub["canceled_at"].as_i64()),
        (Some(T0 + 31 * DAY), Some(T0 + DAY))
    );
    f.take_events();
    f.tick(T0 + 62 * DAY);
    assert_eq!(f.book.subscriptions[0]["status"], "canceled");
    assert_eq!(f.book.invoices.len(), 1);
    assert_eq!(f.take_events(), ["customer.subscription.deleted"]);
    let err = f
        .run(
            "subscription.cancel",
            json!({"target": "sub_1"}),
            T0 + 63 * DAY,
        )
        .unwrap_err();
    assert_eq!(
        (err.status(), err.to_string()),
        (404, "No such subscription: 'sub_1'".into())
    );
    let err = f
        .run(
            "subscription.update",
            json!({"target": "sub_1", "metadata": {"a": "1"}}),
            T0 + 63 * DAY,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "A canceled subscription can only update its cancellation_details."
    );
}

#[test]
fn prices_are_checked_and_must_share_an_interval() {
    let mut f = Fixture::new(Some("pm_visa"));
    let mixed = json!({"id": "sub_2", "items": [{"id": "si_1", "price": "price_m"}, {"id": "si_2", "price": "price_y"}]});
    let err = f.run("subscription.create", mixed, T0).unwrap_err();
    assert!(err
        .to_string()
        .ends_with("Found mismatch in interval field."));
    let missing = json!({"id": "sub_2", "items": [{"id": "si_1", "price": "price_nope"}]});
    let err = f.run("subscription.create", missing, T0).unwrap_err();
    assert_eq!(
        (err.param(), err.to_string()),
        (
            Some("items[0][price]"),
            "No such price: 'price_nope'".into()
        )
    );
    let foreign = json!({"id": "sub_2", "items": [{"id": "si_1", "price": "price_m"}], "default_payment_method": "pm_other"});
    assert_eq!(
        f.run("subscription.create", foreign, T0)
            .unwrap_err()
            .param(),
        Some("default_payment_method")
    );
    assert!(f.book.subscriptions.is_empty() && f.events.is_empty());
}

#[test]
fn a_promotion_codes_minimum_amount_keeps_its_discount_off_smaller_invoices() {
    let mut f = Fixture::new(Some("pm_visa"));
    f.record.customer.discount = Some(json!({"id": "di_1", "object": "discount", "end": null,
        "promotion_code": "promo_1",
        "coupon": {"id": "ONCE", "amount_off": 500, "currency": "usd", "duration": "once"}}));
    f.context.restrictions = json!({"minimum_amount": 5000, "minimum_amount_currency": "usd"});
    f.subscribe(json!({})).unwrap();
    assert_eq!(
        f.invoice(0)["total"],
        4000,
        "4000 is under the 5000 minimum"
    );
    assert!(
        f.record.customer.discount.is_some(),
        "the once coupon is kept"
    );
    f.context.restrictions = json!({"minimum_amount": 4000, "minimum_amount_currency": "usd"});
    f.tick(T0 + 31 * DAY + 3600);
    assert_eq!(f.invoice(1)["total"], 3500);
    assert!(f.record.customer.discount.is_none());
}

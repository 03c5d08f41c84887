//! The time-driven work of billing, as one pure function of a moment and the state:
//! what is due (renewals at period ends and their `invoice.upcoming` notice, drafts
//! finalized and charged an hour after they are made, retries, trial ends and their
//! warning, expiries of unpaid first invoices, overdue `send_invoice` invoices), done
//! in time order up to a moment.
//! Without a test clock the CustomerObject's alarm runs it at the real times; with
//! one, the clock's advance runs it up to the new frozen time.

use serde_json::Value;

use super::book::{is_live, Book};
use super::invoicing;
use super::subscribing::{self, EXPIRE_AFTER_SECONDS, TRIAL_WILL_END_SECONDS};
use super::{customer_json, Ledger};
use crate::resources::objects::{int, text};
use crate::wire::error::ApiError;

/// One piece of due work, in the order work due at the same moment is done.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Due {
    TrialWillEnd(String),
    UpcomingNotice(String),
    PeriodEnd(String),
    Finalize(String),
    Retry(String),
    Overdue(String),
    Expire(String),
}

/// `invoice.upcoming` comes this long before a renewal (Stripe's Dashboard setting
/// "Upcoming renewal events"; its default is not documented: ours is 3 days).
pub const UPCOMING_NOTICE_SECONDS: i64 = 3 * 86_400;

/// The most steps one run takes (a safety net: a year of monthly renewals with every
/// retry is about a hundred).
const MAX_STEPS: usize = 10_000;

/// Everything the book has due, with when.
pub fn due_work(book: &Book) -> Vec<(i64, Due)> {
    let mut due = Vec::new();
    for sub in &book.subscriptions {
        let id = text(sub, "id").to_owned();
        match text(sub, "status") {
            "incomplete" => due.push((int(sub, "created") + EXPIRE_AFTER_SECONDS, Due::Expire(id))),
            status if is_live(sub) => {
                if status == "trialing" {
                    let end = int(sub, "trial_end");
                    if book
                        .notes
                        .get(&id)
                        .and_then(|n| n["trial_will_end"].as_i64())
                        != Some(end)
                    {
                        let warn = (end - TRIAL_WILL_END_SECONDS).max(int(sub, "trial_start"));
                        due.push((warn, Due::TrialWillEnd(id.clone())));
                    }
                }
                let end = int(sub, "current_period_end");
                let notice = end - UPCOMING_NOTICE_SECONDS;
                let noticed = book.notes.get(&id).and_then(|n| n["upcoming"].as_i64());
                let renews = sub["cancel_at_period_end"] != true && status != "trialing";
                if renews && notice > int(sub, "current_period_start") && noticed != Some(end) {
                    due.push((notice, Due::UpcomingNotice(id.clone())));
                }
                due.push((end, Due::PeriodEnd(id)));
            }
            _ => {}
        }
    }
    for invoice in &book.invoices {
        let id = text(invoice, "id").to_owned();
        let next = invoice["next_payment_attempt"].as_i64();
        match (text(invoice, "status"), next) {
            ("draft", Some(at)) => due.push((at, Due::Finalize(id))),
            ("open", Some(at)) => due.push((at, Due::Retry(id))),
            ("open", None) if invoice["collection_method"] == "send_invoice" => {
                if let Some(at) = invoice["due_date"].as_i64() {
                    if book.notes.get(&id).and_then(|n| n["overdue"].as_bool()) != Some(true) {
                        due.push((at, Due::Overdue(id)));
                    }
                }
            }
            _ => {}
        }
    }
    due
}

/// When the next piece of work is due, if any.
pub fn next_due(book: &Book) -> Option<i64> {
    due_work(book).into_iter().map(|(at, _)| at).min()
}

/// Does, in time order, everything due up to `to`; each step's events are dated at its
/// moment and carry no request, and the customer's changes of a step (balance,
/// `delinquent`, …) are recorded as `customer.updated` at that moment.
pub fn run_until(ledger: &mut Ledger<'_>, to: i64) -> Result<(), ApiError> {
    for _ in 0..MAX_STEPS {
        let Some((at, due)) = due_work(ledger.book)
            .into_iter()
            .filter(|(at, _)| *at <= to)
            .min()
        else {
            return Ok(());
        };
        ledger.at(at);
        let before = customer_json(ledger.customer)?;
        step(ledger, due)?;
        ledger.settle_customer(&before)?;
    }
    Err(ApiError::internal("billing: too many steps in one run"))
}

fn step(ledger: &mut Ledger<'_>, due: Due) -> Result<(), ApiError> {
    let sub = |ledger: &Ledger<'_>, id: &str| {
        ledger
            .book
            .subscription(id)
            .ok_or_else(|| ApiError::internal(format!("billing: no subscription {id}")))
    };
    let invoice = |ledger: &Ledger<'_>, id: &str| {
        ledger
            .book
            .invoice(id)
            .ok_or_else(|| ApiError::internal(format!("billing: no invoice {id}")))
    };
    match due {
        Due::TrialWillEnd(id) => {
            let at = sub(ledger, &id)?;
            let s = ledger.book.subscriptions[at].clone();
            ledger.book.note(&id)["trial_will_end"] = s["trial_end"].clone();
            ledger.emit("customer.subscription.trial_will_end", &s, None)
        }
        Due::UpcomingNotice(id) => {
            let at = sub(ledger, &id)?;
            let end = ledger.book.subscriptions[at]["current_period_end"].clone();
            ledger.book.note(&id)["upcoming"] = end;
            let preview = invoicing::preview(ledger, at)?;
            ledger.emit("invoice.upcoming", &preview, None)
        }
        Due::PeriodEnd(id) => {
            let at = sub(ledger, &id)?;
            subscribing::renew(ledger, at)
        }
        Due::Finalize(id) => {
            let at = invoice(ledger, &id)?;
            invoicing::finalize(ledger, at)?;
            if ledger.book.invoices[at]["status"] == "open"
                && ledger.book.invoices[at]["collection_method"] == "charge_automatically"
            {
                invoicing::attempt(ledger, at, None, true)?.ok();
            }
            Ok(())
        }
        Due::Retry(id) => {
            let at = invoice(ledger, &id)?;
            subscribing::retry(ledger, at)
        }
        Due::Overdue(id) => {
            let at = invoice(ledger, &id)?;
            ledger.book.note(&id)["overdue"] = true.into();
            let inv: Value = ledger.book.invoices[at].clone();
            match invoicing::subscription_of(ledger, &inv) {
                Some(s) if ledger.book.subscriptions[s]["status"] == "active" => {
                    ledger.set_status(s, "past_due")
                }
                _ => Ok(()),
            }
        }
        Due::Expire(id) => {
            let at = sub(ledger, &id)?;
            subscribing::expire(ledger, at)
        }
    }
}

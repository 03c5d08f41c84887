//! The billing commands a CustomerObject runs, in its synchronous block: the customer
//! record and its book are read, the command (or the time-driven work it catches up
//! on) changes them, and both are written with their events in one commit.

use serde_json::Value;

use super::book::{is_live, Book};
use super::context::{AfterRetries, Context};
use super::invoicing;
use super::subscribing;
use super::{customer_json, timeline, Ledger};
use crate::resources::customers::events::Origin;
use crate::resources::customers::expand::Expand;
use crate::resources::customers::model::CustomerRecord;
use crate::resources::customers::store::{next_version, CustomerStore, PurgeJob, Reply};
use crate::resources::events::model::{Event, EventRequest};
use crate::resources::objects::{expands, int, text};
use crate::wire::error::ApiError;
use crate::wire::render::compact;

/// The op that runs only the time-driven work, up to `args.to`.
pub const TICK: &str = "billing.tick";
/// The op of a preview that changes nothing.
pub const UPCOMING: &str = "invoice.upcoming";

/// Runs billing command `op` on the customer `id` of `store`. The answer is the object
/// the op shows; a declined `/pay` answers its card error and still commits the failed
/// attempt; an upcoming invoice commits nothing.
pub fn run(
    store: &mut impl CustomerStore,
    id: &str,
    op: &str,
    args: &Value,
    origin: &Origin,
) -> Result<Reply, ApiError> {
    let stored = match store.load()? {
        Some(stored) if !stored.record.is_deleted() => stored,
        Some(_) if op == TICK => return Ok(unchanged("{}")),
        // A parameter naming no customer is a 400; a path naming none, a 404.
        _ if op == "subscription.create" => {
            return Err(ApiError::missing_reference("customer", id, "customer"))
        }
        _ => return Err(ApiError::not_found_as("customer", id, "customer")),
    };
    let mut record = stored.record.clone();
    let mut book = Book::parse(store.load_book()?.as_deref())?;
    let context = Context::from_json(
        &args["context"],
        AfterRetries::from_var(args["after_retries"].as_str()),
    );
    let (answer, events) = apply(&mut record, &mut book, op, args, origin, &context)?;
    if op == UPCOMING || (op == TICK && events.is_empty()) {
        return Ok(unchanged(&answer.unwrap_or_default()));
    }
    store.save_book(&book.to_json()?)?;
    let reply = next_version(store, stored.version, record, events)?;
    Ok(match answer {
        Ok(body) => Reply { body, ..reply },
        Err(err) => Reply {
            status: err.status(),
            body: serde_json::to_string(&err)?,
            ..reply
        },
    })
}

fn unchanged(body: &str) -> Reply {
    Reply {
        status: 200,
        body: body.to_owned(),
        replayed: false,
        committed: None,
        purge: PurgeJob::Keep,
    }
}

/// A command against the record and book in memory: the answer (`Err` for a decline
/// that still changed state) and the events, in order.
pub fn apply(
    record: &mut CustomerRecord,
    book: &mut Book,
    op: &str,
    args: &Value,
    origin: &Origin,
    context: &Context,
) -> Result<(Result<String, ApiError>, Vec<Event>), ApiError> {
    let moment = match (op, &context.clock) {
        (TICK, _) => int(args, "to"),
        (_, Some((_, frozen))) => *frozen,
        _ => origin.now,
    };
    let mut ledger = Ledger {
        customer: &mut record.customer,
        sources: &record.sources,
        book,
        context,
        origin: Origin {
            request: EventRequest::default(),
            now: moment,
        },
        events: Vec::new(),
    };
    // Work that came due before this moment is done first (an alarm may be late).
    timeline::run_until(&mut ledger, moment)?;
    ledger.origin = Origin {
        request: origin.request.clone(),
        now: moment,
    };
    let before = customer_json(ledger.customer)?;
    let answer = command(&mut ledger, op, args)?;
    ledger.settle_customer(&before)?;
    // What the command itself made due at once (a short trial's warning).
    timeline::run_until(&mut ledger, moment)?;
    Ok((answer, ledger.events))
}

/// The op itself: the JSON it answers.
fn command(
    ledger: &mut Ledger<'_>,
    op: &str,
    args: &Value,
) -> Result<Result<String, ApiError>, ApiError> {
    let target = text(args, "target");
    let shown = match op {
        TICK => return Ok(Ok("{}".into())),
        "subscription.create" => {
            let at = subscribing::create(ledger, args)?;
            subscription_json(ledger.book, at, args)?
        }
        "subscription.update" => {
            let at = subscription(ledger.book, target)?;
            subscribing::update(ledger, at, args)?;
            subscription_json(ledger.book, at, args)?
        }
        "subscription.cancel" => {
            let at = subscription(ledger.book, target)?;
            if !is_live(&ledger.book.subscriptions[at]) {
                return Err(ApiError::not_found_as("subscription", target, "id"));
            }
            subscribing::cancel(ledger, at, "cancellation_requested")?;
            subscription_json(ledger.book, at, args)?
        }
        UPCOMING => upcoming(ledger, args)?,
        "invoice.finalize" | "invoice.pay" | "invoice.void" | "invoice.mark_uncollectible" => {
            let at = ledger
                .book
                .invoice(target)
                .ok_or_else(|| ApiError::not_found_as("invoice", target, "invoice"))?;
            let outcome = match op {
                "invoice.finalize" => invoicing::finalize_now(ledger, at).map(Ok),
                "invoice.pay" => invoicing::pay(
                    ledger,
                    at,
                    args["payment_method"].as_str(),
                    args["paid_out_of_band"] == true,
                ),
                "invoice.void" => invoicing::void(ledger, at).map(Ok),
                _ => invoicing::mark_uncollectible(ledger, at).map(Ok),
            }?;
            if let Err(decline) = outcome {
                return Ok(Err(decline));
            }
            compact(&ledger.book.invoices[at])
        }
        _ => return Err(ApiError::internal(format!("unknown billing op {op}"))),
    };
    Ok(Ok(shown))
}

fn subscription(book: &Book, id: &str) -> Result<usize, ApiError> {
    book.subscription(id)
        .ok_or_else(|| ApiError::not_found_as("subscription", id, "id"))
}

/// A subscription as a write answers it: `latest_invoice` expanded when asked (the
/// other expansions are the handler's, from the account's index).
fn subscription_json(book: &Book, at: usize, args: &Value) -> Result<String, ApiError> {
    let mut sub = book.subscriptions[at].clone();
    if expands(args, "latest_invoice") {
        if let Some(invoice) = sub["latest_invoice"]
            .as_str()
            .and_then(|id| book.invoice(id))
        {
            sub["latest_invoice"] = book.invoices[invoice].clone();
        }
    }
    Ok(compact(&sub))
}

/// `GET /v1/invoices/upcoming`: the next renewal of `args.subscription` (or of the
/// customer's first subscription that renews) as it would be made now, the discount
/// and the balance applied; Stripe's 404 `invoice_upcoming_none` when nothing renews.
fn upcoming(ledger: &mut Ledger<'_>, args: &Value) -> Result<String, ApiError> {
    let wanted = args["subscription"].as_str();
    let renews = |s: &&Value| {
        is_live(s)
            && s["status"] != "incomplete"
            && s["cancel_at_period_end"] != true
            && wanted.is_none_or(|id| text(s, "id") == id)
    };
    let Some(sub) = ledger.book.subscriptions.iter().find(renews).cloned() else {
        return Err(ApiError::coded(
            404,
            "invoice_upcoming_none",
            format!("No upcoming invoices for customer: {}", ledger.customer.id),
        ));
    };
    let at = subscription(ledger.book, text(&sub, "id"))?;
    Ok(compact(&invoicing::preview(ledger, at)?))
}

/// Deleting a customer cancels its subscriptions (Stripe does), in the delete's commit:
/// the events to add to it.
pub fn cancel_all(
    record: &mut CustomerRecord,
    store: &mut impl CustomerStore,
    origin: &Origin,
) -> Result<Vec<Event>, ApiError> {
    let Some(text) = store.load_book()? else {
        return Ok(Vec::new());
    };
    let mut book = Book::parse(Some(&text))?;
    let context = Context::default();
    let mut ledger = Ledger {
        customer: &mut record.customer,
        sources: &record.sources,
        book: &mut book,
        context: &context,
        origin: origin.clone(),
        events: Vec::new(),
    };
    for at in 0..ledger.book.subscriptions.len() {
        if is_live(&ledger.book.subscriptions[at]) {
            subscribing::cancel(&mut ledger, at, "cancellation_requested")?;
        }
    }
    let events = ledger.events;
    if !events.is_empty() {
        store.save_book(&book.to_json()?)?;
    }
    Ok(events)
}

/// A shown customer (compact JSON) with `expand[]=subscriptions` answered from its
/// book: the subscriptions that are not canceled, newest first.
pub fn with_subscriptions(
    store: &impl CustomerStore,
    shown: String,
    expand: &Expand,
) -> Result<String, ApiError> {
    if !expand.contains("subscriptions") {
        return Ok(shown);
    }
    let mut customer: Value = serde_json::from_str(&shown)?;
    if customer.get("subscriptions").is_none() {
        return Ok(shown); // the deleted stub
    }
    let book = Book::parse(store.load_book()?.as_deref())?;
    let mut live: Vec<Value> = book.live_subscriptions().cloned().collect();
    live.reverse();
    customer["subscriptions"]["data"] = Value::Array(live);
    Ok(compact(&customer))
}

/// When the customer's next time-driven work is due (unix seconds), for its alarm.
pub fn next_due(store: &impl CustomerStore) -> Result<Option<i64>, ApiError> {
    let book = Book::parse(store.load_book()?.as_deref())?;
    Ok(timeline::next_due(&book))
}

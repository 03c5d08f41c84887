//! Billing: a customer's subscriptions and invoices. They live with the customer in its
//! CustomerObject (one `Book` beside the record), so an invoice, the customer's
//! `next_invoice_sequence`, balance, discount and `delinquent` change in one commit.
//! Everything here is pure: a [`Ledger`] is the state one command changes, and the
//! events it records; the object commits them (`execute`).

pub mod account;
pub mod book;
pub mod calls;
pub mod context;
pub mod documents;
pub mod execute;
pub mod expand;
pub mod invoicing;
pub mod payment;
pub mod periods;
pub mod subscribing;
pub mod timeline;

use serde_json::{Map, Value};

use self::book::Book;
use self::context::Context;
use crate::resources::customers::events::Origin;
use crate::resources::customers::model::Customer;
use crate::resources::events::model::{Event, EventRequest};
use crate::resources::events::previous_attributes::previous_attributes;
use crate::wire::error::ApiError;

/// The state one billing command changes: the customer's billing fields, its book, what
/// the account told us (payment methods, prices, the clock), and the events so far.
pub struct Ledger<'a> {
    pub customer: &'a mut Customer,
    /// The customer's card sources (for `default_source` payments).
    pub sources: &'a [Value],
    pub book: &'a mut Book,
    pub context: &'a Context,
    /// The moment the work happens (clock time for a clock's customer) and its request.
    pub origin: Origin,
    pub events: Vec<Event>,
}

impl Ledger<'_> {
    /// Records an event about `object` at the ledger's moment.
    #[inline(never)]
    pub fn emit(
        &mut self,
        kind: &str,
        object: &Value,
        previous: Option<Map<String, Value>>,
    ) -> Result<(), ApiError> {
        let event = self
            .origin
            .event(kind, object.clone(), self.customer.livemode, previous)?;
        self.events.push(event);
        Ok(())
    }

    /// `kind`, with the attributes of `before` that `after` changed (Stripe's
    /// `previous_attributes`); nothing when nothing changed.
    pub fn emit_change(
        &mut self,
        kind: &str,
        before: &Value,
        after: &Value,
    ) -> Result<(), ApiError> {
        match previous_attributes(before, after) {
            Some(previous) => self.emit(kind, after, Some(previous)),
            None => Ok(()),
        }
    }

    /// Sets subscription `sub`'s status: `customer.subscription.updated`.
    pub fn set_status(&mut self, sub: usize, status: &str) -> Result<(), ApiError> {
        let before = self.book.subscriptions[sub].clone();
        self.book.subscriptions[sub]["status"] = status.into();
        let after = self.book.subscriptions[sub].clone();
        self.emit_change("customer.subscription.updated", &before, &after)
    }

    /// The moment of the work.
    pub fn now(&self) -> i64 {
        self.origin.now
    }

    /// Moves to a later moment of time-driven work: its events carry no request.
    pub fn at(&mut self, moment: i64) {
        self.origin = Origin {
            request: EventRequest::default(),
            now: moment,
        };
    }

    /// Brings `delinquent` up to date (seed 004's rule over the book) and records
    /// `customer.updated` if the customer changed since `before` (its JSON).
    pub fn settle_customer(&mut self, before: &Value) -> Result<(), ApiError> {
        self.customer.delinquent = self.book.is_delinquent();
        let after = customer_json(self.customer)?;
        self.emit_change("customer.updated", before, &after)
    }
}

/// A customer as the JSON its events show.
pub fn customer_json(customer: &Customer) -> Result<Value, ApiError> {
    Ok(serde_json::from_str(&serde_json::to_string(customer)?)?)
}

#[cfg(test)]
mod tests;

//! The book: a customer's subscriptions and invoices as the JSON we return, plus the
//! notes only we read (when a draft is finalized, how many retries were made), stored as
//! one document beside the customer record in its CustomerObject.

use serde_json::{Map, Value};

use crate::resources::customers::delinquency;
use crate::resources::objects::{int, text};
use crate::wire::error::ApiError;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Book {
    /// Oldest first.
    pub subscriptions: Vec<Value>,
    /// Oldest first.
    pub invoices: Vec<Value>,
    /// Per object id: fields of ours that are never shown.
    pub notes: Map<String, Value>,
}

impl Book {
    /// The stored book (`None`: the customer never had one).
    pub fn parse(stored: Option<&str>) -> Result<Book, ApiError> {
        let Some(text) = stored else {
            return Ok(Book::default());
        };
        let mut doc: Value = serde_json::from_str(text)?;
        let list = |v: Value| match v {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        Ok(Book {
            subscriptions: list(doc["subscriptions"].take()),
            invoices: list(doc["invoices"].take()),
            notes: match doc["notes"].take() {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        })
    }

    pub fn to_json(&self) -> Result<String, ApiError> {
        let mut doc = Map::new();
        doc.insert(
            "subscriptions".into(),
            Value::Array(self.subscriptions.clone()),
        );
        doc.insert("invoices".into(), Value::Array(self.invoices.clone()));
        doc.insert("notes".into(), Value::Object(self.notes.clone()));
        Ok(serde_json::to_string(&doc)?)
    }

    pub fn subscription(&self, id: &str) -> Option<usize> {
        self.subscriptions.iter().position(|s| text(s, "id") == id)
    }

    pub fn invoice(&self, id: &str) -> Option<usize> {
        self.invoices.iter().position(|i| text(i, "id") == id)
    }

    /// Our notes on object `id` (an empty object at first).
    pub fn note(&mut self, id: &str) -> &mut Value {
        self.notes
            .entry(id.to_owned())
            .or_insert_with(|| Value::Object(Map::new()))
    }

    /// A note's integer field, if set.
    pub fn note_int(&self, id: &str, key: &str) -> Option<i64> {
        self.notes
            .get(id)
            .and_then(|n| n.get(key))
            .and_then(Value::as_i64)
    }

    /// Seed 004's `delinquent`: any subscription `past_due`, or any invoice in dunning
    /// (open, collected automatically, with a failed attempt).
    pub fn is_delinquent(&self) -> bool {
        let past_due = self
            .subscriptions
            .iter()
            .filter(|s| s["status"] == "past_due")
            .count();
        let in_dunning = self.invoices.iter().filter(|i| in_dunning(i)).count();
        delinquency::is_delinquent(past_due, in_dunning)
    }

    /// Subscriptions that still bill (not canceled or expired).
    pub fn live_subscriptions(&self) -> impl Iterator<Item = &Value> {
        self.subscriptions.iter().filter(|s| is_live(s))
    }
}

/// An open invoice collected automatically whose payment failed at least once.
pub fn in_dunning(invoice: &Value) -> bool {
    invoice["status"] == "open"
        && invoice["collection_method"] == "charge_automatically"
        && int(invoice, "attempt_count") > 0
}

/// A subscription that is neither canceled nor `incomplete_expired`.
pub fn is_live(subscription: &Value) -> bool {
    !matches!(
        text(subscription, "status"),
        "canceled" | "incomplete_expired"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_book_round_trips_and_knows_delinquency() {
        let mut book = Book::default();
        assert!(!book.is_delinquent());
        book.invoices.push(json!({"id": "in_1", "status": "open",
            "collection_method": "charge_automatically", "attempt_count": 1}));
        assert!(book.is_delinquent());
        book.invoices[0]["status"] = "paid".into();
        assert!(!book.is_delinquent());
        book.subscriptions
            .push(json!({"id": "sub_1", "status": "past_due"}));
        assert!(book.is_delinquent());
        book.note("in_1")["retries"] = 2.into();
        let back = Book::parse(Some(&book.to_json().unwrap())).unwrap();
        assert_eq!(back, book);
        assert_eq!(back.note_int("in_1", "retries"), Some(2));
        assert_eq!(Book::parse(None).unwrap(), Book::default());
    }
}

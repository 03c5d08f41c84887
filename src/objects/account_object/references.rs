//! The AccountObject's tables of the objects customers reference (coupons, promotion
//! codes, payment methods, test clocks, products, prices) behind `api-core`'s [`ObjectStore`]: one JSON
//! document per row, with its owning customer and creation time for lists. Card sources
//! are not here: they live in their customer's record.

use api_core::resources::customers::expand::Expand;
use api_core::resources::customers::view::customer_json;
use api_core::resources::events::model::Event;
use api_core::resources::objects::{ObjectStore, Table};
use api_core::wire::error::ApiError;
use serde_json::Value;
use worker::{SqlStorage, SqlStorageValue};

use super::deliveries::Target;
use super::events_log::EventsCap;
use crate::objects::sql::{query, run_statement};

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS coupons (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS promotion_codes (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS payment_methods (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS payment_methods_by_customer ON payment_methods (customer, created DESC, seq DESC)",
    "CREATE TABLE IF NOT EXISTS test_clocks (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS products (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    // A price's `customer` column holds its product: a product's prices are one lookup.
    "CREATE TABLE IF NOT EXISTS prices (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS prices_by_product ON prices (customer, created DESC, seq DESC)",
    // What the object knows of itself: its `namespace` (to call its customers' objects).
    "CREATE TABLE IF NOT EXISTS account_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // Copies of the customers' subscriptions and invoices, from their events.
    "CREATE TABLE IF NOT EXISTS subscriptions (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS subscriptions_by_customer ON subscriptions (customer, created DESC, seq DESC)",
    "CREATE TABLE IF NOT EXISTS invoices (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, customer TEXT, created INTEGER NOT NULL, document TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS invoices_by_customer ON invoices (customer, created DESC, seq DESC)",
];

/// [`ObjectStore`] over the AccountObject's SQLite database; its events go to the
/// account's event log, owed to the endpoints (`owed` counts the deliveries).
pub struct SqlObjectStore<'a> {
    pub sql: &'a SqlStorage,
    pub static_target: Option<&'a Target>,
    /// Sandbox cap on the events the account keeps.
    pub events_cap: &'a EventsCap,
    pub owed: usize,
}

impl SqlObjectStore<'_> {
    /// The documents (column 0) a statement answers, parsed.
    fn documents(
        &self,
        statement: &str,
        args: Vec<SqlStorageValue>,
    ) -> Result<Vec<Value>, ApiError> {
        let rows = query(self.sql, statement, args)?;
        // Loops rather than `collect`: each fallible collect is an adapter in the wasm.
        let mut documents = Vec::with_capacity(rows.len());
        for row in &rows {
            documents.push(serde_json::from_str(row.str(0))?);
        }
        Ok(documents)
    }

    /// The ids (column 0) a statement with one argument answers.
    fn ids(&self, statement: &str, arg: &str) -> Result<Vec<String>, ApiError> {
        let rows = query(self.sql, statement, vec![arg.into()])?;
        let mut ids = Vec::with_capacity(rows.len());
        for mut row in rows {
            ids.push(row.text(0));
        }
        Ok(ids)
    }
}

/// Keeps the subscription or invoice an event carries (its newest state: a customer's
/// events arrive in order) in the account's copy, if the event is about one.
pub fn index_billing_object(sql: &SqlStorage, kind: &str, event: &str) -> Result<(), ApiError> {
    let Some(table) = api_core::resources::billing::account::indexed_table(kind) else {
        return Ok(());
    };
    let event: Value = serde_json::from_str(event)?;
    let doc = &event["data"]["object"];
    let id = doc["id"].as_str().unwrap_or_default();
    put_document(
        sql,
        table,
        id,
        doc["customer"].as_str(),
        doc["created"].as_i64().unwrap_or(0),
        doc,
    )
}

/// Inserts or replaces a document (a replaced one keeps its place in list order).
fn put_document(
    sql: &SqlStorage,
    table: Table,
    id: &str,
    customer: Option<&str>,
    created: i64,
    document: &Value,
) -> Result<(), ApiError> {
    let query = format!(
        "INSERT INTO {} (id, customer, created, document) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET customer = excluded.customer, document = excluded.document",
        table.name()
    );
    run_statement(
        sql,
        &query,
        vec![
            id.into(),
            customer.map(str::to_owned).into(),
            SqlStorageValue::Integer(created),
            serde_json::to_string(document)?.into(),
        ],
    )?;
    Ok(())
}

impl ObjectStore for SqlObjectStore<'_> {
    fn get(&self, table: Table, id: &str) -> Result<Option<Value>, ApiError> {
        let query = format!("SELECT document FROM {} WHERE id = ?", table.name());
        Ok(self.documents(&query, vec![id.into()])?.into_iter().next())
    }

    fn put(
        &mut self,
        table: Table,
        id: &str,
        customer: Option<&str>,
        created: i64,
        document: &Value,
    ) -> Result<(), ApiError> {
        put_document(self.sql, table, id, customer, created, document)
    }

    fn remove(&mut self, table: Table, id: &str) -> Result<(), ApiError> {
        let query = format!("DELETE FROM {} WHERE id = ?", table.name());
        run_statement(self.sql, &query, vec![id.into()])?;
        Ok(())
    }

    fn owner(&self, table: Table, id: &str) -> Result<Option<String>, ApiError> {
        let statement = format!("SELECT customer FROM {} WHERE id = ?", table.name());
        let mut rows = query(self.sql, &statement, vec![id.into()])?;
        Ok(rows.pop().and_then(|mut row| row.opt_text(0)))
    }

    fn all(&self, table: Table, customer: Option<&str>) -> Result<Vec<Value>, ApiError> {
        let order = "ORDER BY created DESC, seq DESC";
        match customer {
            Some(customer) => self.documents(
                &format!(
                    "SELECT document FROM {} WHERE customer = ? {order}",
                    table.name()
                ),
                vec![customer.into()],
            ),
            None => self.documents(
                &format!("SELECT document FROM {} {order}", table.name()),
                Vec::new(),
            ),
        }
    }

    fn customer_is_live(&self, id: &str) -> Result<bool, ApiError> {
        Ok(!self
            .ids("SELECT id FROM customers WHERE id = ? AND deleted = 0", id)?
            .is_empty())
    }

    fn customer(&self, id: &str) -> Result<Option<Value>, ApiError> {
        let rows = query(
            self.sql,
            "SELECT document FROM customers WHERE id = ?",
            vec![id.into()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let shown = customer_json(row.str(0), id, &Expand::default(), true)?;
        Ok(Some(serde_json::from_str(&shown)?))
    }

    fn emit(&mut self, key: &str, event: &Event) -> Result<(), ApiError> {
        let text = serde_json::to_string(event)?;
        self.owed +=
            super::record_events(self.sql, key, &[text], self.static_target, self.events_cap)?;
        Ok(())
    }

    fn clock_customers(&self, clock: &str) -> Result<Vec<String>, ApiError> {
        self.ids(
            "SELECT id FROM customers WHERE test_clock = ? AND deleted = 0",
            clock,
        )
    }
}

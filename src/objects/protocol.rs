//! The messages the Worker sends to the Durable Objects, as JSON bodies of an
//! internal `fetch`. Plain serde types, so both sides and the tests share them.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::model::apply::NewCustomer;
use crate::model::customer::CustomerRecord;
use crate::model::list::ListCustomers;
use crate::model::params::{CustomerParams, Reference};
use crate::search::SearchCustomers;

/// A request to one CustomerObject, the authority for one customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerCommand {
    Create {
        namespace: String,
        new: NewCustomer,
        params: CustomerParams,
        idempotency: Option<IdempotencyClaim>,
    },
    Update {
        namespace: String,
        id: String,
        params: CustomerParams,
        idempotency: Option<IdempotencyClaim>,
    },
    Delete {
        namespace: String,
        id: String,
        now: i64,
    },
    Retrieve {
        id: String,
    },
}

impl CustomerCommand {
    /// The account namespace of a command that writes; reads carry none.
    pub fn namespace(&self) -> Option<&str> {
        match self {
            CustomerCommand::Create { namespace, .. }
            | CustomerCommand::Update { namespace, .. }
            | CustomerCommand::Delete { namespace, .. } => Some(namespace),
            CustomerCommand::Retrieve { .. } => None,
        }
    }
}

/// An `Idempotency-Key` with the fingerprint of the request that carries it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdempotencyClaim {
    pub key: String,
    pub fingerprint: String,
    pub now: i64,
}

/// A customer record with its version, as stored in SQL and copied to KV and the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCustomer {
    pub version: i64,
    pub record: CustomerRecord,
}

/// The JSON of a [`StoredCustomer`] built from its parts, without parsing the record:
/// the same text `serde_json::to_string` writes for it.
pub fn stored_customer_json(version: i64, record_json: &str) -> String {
    format!("{{\"version\":{version},\"record\":{record_json}}}")
}

/// A request to an account's AccountObject, which indexes its customers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountCommand {
    /// Insert or refresh one customer's index row, ignoring versions older than the row's.
    Upsert {
        entry: IndexEntry,
    },
    List {
        list: ListCustomers,
    },
    Search {
        search: SearchCustomers,
    },
    /// Checks that every referenced object exists; answers with the first that does not.
    Resolve {
        references: Vec<Reference>,
    },
}

/// One customer's row in the account index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexEntry {
    pub id: String,
    pub created: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub metadata: String,
    pub test_clock: Option<String>,
    pub deleted: bool,
    pub version: i64,
    /// The `StoredCustomer` JSON, served to list without another hop.
    pub document: String,
}

impl IndexEntry {
    pub fn of(stored: &StoredCustomer, document: String) -> Self {
        let c = &stored.record.customer;
        IndexEntry {
            id: c.id.clone(),
            created: c.created,
            email: c.email.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            metadata: serde_json::to_string(&c.metadata).unwrap_or_else(|_| "{}".into()),
            test_clock: c
                .test_clock
                .as_ref()
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            deleted: stored.record.is_deleted(),
            version: stored.version,
            document,
        }
    }
}

/// A page of the account index: `StoredCustomer` documents (JSON, borrowed as they
/// came), newest first, and for a search the token of the next page.
#[derive(Debug, Deserialize)]
pub struct IndexPage<'a> {
    pub has_more: bool,
    /// For a search: the `page` token that continues after this page.
    #[serde(default)]
    pub next_page: Option<String>,
    #[serde(borrow)]
    pub documents: Vec<&'a RawValue>,
}

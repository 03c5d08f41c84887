//! The messages the Worker sends to the Durable Objects about customers, as JSON
//! bodies of an internal `fetch`: plain serde types that both sides and the tests share.
//! Every message carries the account namespace and the request id it serves.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::apply::NewCustomer;
use super::changes::{CustomerParams, Reference};
use super::claims::{claim_command, is_account_reference, Claimed};
use super::list::ListCustomers;
use super::search::SearchCustomers;
use super::stored::StoredCustomer;
use crate::resources::objects::ObjectCommand;
use crate::wire::idempotency::IdempotencyClaim;

/// A command for one CustomerObject, the authority for one customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerEnvelope {
    /// The account namespace: recorded with the customer, named by every copy.
    pub namespace: String,
    /// The `req_…` id of the API request, for logs.
    pub request_id: String,
    pub command: CustomerCommand,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerCommand {
    Create {
        new: NewCustomer,
        params: CustomerParams,
        idempotency: Option<IdempotencyClaim>,
        /// Filled in by the CustomerObject from the AccountObject's claim.
        #[serde(skip)]
        claimed: Claimed,
    },
    Update {
        id: String,
        params: CustomerParams,
        idempotency: Option<IdempotencyClaim>,
        now: i64,
        #[serde(skip)]
        claimed: Claimed,
    },
    /// A command on the customer's own sub-objects, answered with that object: `op` is
    /// `delete_discount`, `forget_payment_method` (a detached payment method stops being
    /// the default) or `source.create|list|retrieve|update|delete`; `args` as JSON.
    Nested {
        id: String,
        now: i64,
        op: String,
        #[serde(default)]
        args: serde_json::Value,
    },
    Delete {
        id: String,
        now: i64,
    },
    Retrieve {
        id: String,
    },
}

impl CustomerCommand {
    /// The objects of other kinds the command's parameters name.
    pub fn references(&self) -> &[Reference] {
        match self {
            CustomerCommand::Create { params, .. } | CustomerCommand::Update { params, .. } => {
                &params.references
            }
            _ => &[],
        }
    }

    /// The references the AccountObject must claim (all but sources, which are the customer's).
    pub fn account_references(&self) -> Vec<Reference> {
        self.references()
            .iter()
            .filter(|r| is_account_reference(r))
            .cloned()
            .collect()
    }

    /// The claim request for this command: the customer, the time and the mode.
    pub fn claim_command(&self) -> Option<AccountCommand> {
        let (customer, now, livemode) = match self {
            CustomerCommand::Create { new, .. } => (new.id.as_str(), new.created, new.livemode),
            CustomerCommand::Update { id, now, .. } => (id.as_str(), *now, false),
            _ => return None,
        };
        let references = self.account_references();
        Some(AccountCommand::Objects(claim_command(
            customer,
            &references,
            now,
            livemode,
        )))
    }

    /// Hands the claimed objects to the command before it runs.
    pub fn set_claimed(&mut self, taken: Claimed) {
        if let CustomerCommand::Create { claimed, .. } | CustomerCommand::Update { claimed, .. } =
            self
        {
            *claimed = taken;
        }
    }
}

/// A command for an account's AccountObject, which indexes its customers and holds
/// the objects customers reference.
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
    /// A command on the account's coupons, promotion codes, payment methods and test
    /// clocks, or the claim/release of a customer write (`resources::account`).
    Objects(ObjectCommand),
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
    pub fn of(stored: &StoredCustomer, document: String) -> Result<Self, serde_json::Error> {
        let c = &stored.record.customer;
        Ok(IndexEntry {
            id: c.id.clone(),
            created: c.created,
            email: c.email.clone(),
            name: c.name.clone(),
            phone: c.phone.clone(),
            metadata: serde_json::to_string(&c.metadata)?,
            test_clock: c
                .test_clock
                .as_ref()
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            deleted: stored.record.is_deleted(),
            version: stored.version,
            document,
        })
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

/// Writes the JSON of an [`IndexPage`] from stored documents, without parsing them.
pub fn index_page_json(has_more: bool, next_page: Option<&str>, documents: &[&str]) -> String {
    let next_page = match next_page {
        Some(token) => serde_json::Value::from(token).to_string(),
        None => "null".to_owned(),
    };
    format!(
        "{{\"has_more\":{has_more},\"next_page\":{next_page},\"documents\":[{}]}}",
        documents.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_written_from_documents_reads_back() {
        let text = index_page_json(true, Some("page_1_2"), &["{\"a\":1}", "{\"b\":2}"]);
        let page: IndexPage = serde_json::from_str(&text).unwrap();
        assert!(page.has_more);
        assert_eq!(page.next_page.as_deref(), Some("page_1_2"));
        assert_eq!(page.documents[1].get(), "{\"b\":2}");
        let text = index_page_json(false, None, &[]);
        let empty: IndexPage = serde_json::from_str(&text).unwrap();
        assert!(empty.documents.is_empty() && empty.next_page.is_none());
    }
}

//! The messages the Worker sends to the Durable Objects about customers, as JSON
//! bodies of an internal `fetch`: plain serde types that both sides and the tests share.
//! Every message carries the account namespace and the request id it serves.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::apply::NewCustomer;
use super::changes::{CustomerParams, Reference};
use super::claims::{claim_command, is_account_reference, Claimed};
use super::events::Origin;
use super::expand::Expand;
use super::list::ListCustomers;
use super::search::SearchCustomers;
use super::stored::StoredCustomer;
use crate::resources::events::model::EventRequest;
use crate::resources::objects::ObjectCommand;
use crate::resources::tax_ids::model::TaxIdData;
use crate::wire::idempotency::IdempotencyClaim;
pub use crate::wire::pagination::{index_page_json, IndexPage};

/// A command for one CustomerObject, the authority for one customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerEnvelope {
    /// The account namespace: recorded with the customer, named by every copy.
    pub namespace: String,
    /// The `req_…` id of the API request, for logs and events.
    pub request_id: String,
    /// Unix seconds when the request arrived.
    pub now: i64,
    pub command: CustomerCommand,
}

impl CustomerEnvelope {
    /// The origin of the events this command causes: its request, key and time.
    pub fn origin(&self) -> Origin {
        Origin {
            request: EventRequest {
                id: Some(self.request_id.clone()),
                idempotency_key: self.command.idempotency().map(|c| c.key.clone()),
            },
            now: self.now,
        }
    }
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
    /// A soft delete; the object schedules the purge at `now + retention_seconds`.
    Delete(Lifecycle),
    /// The stored customer, for the Worker's own use (edge copies, sub-resources).
    Retrieve { id: String },
    /// GET /v1/customers/{id}: the customer as the client gets it (shown with `expand`,
    /// indented), which the Worker sends on unread.
    Show {
        id: String,
        expand: Expand,
        include_deleted: bool,
    },
    /// Seed 004's undelete, allowed for `retention_seconds` after the delete.
    Undelete(Lifecycle),
    /// Adds tax id `tax_id` (with its `data`) to customer `id`.
    CreateTaxId(TaxIdChange),
    /// Removes tax id `tax_id` of customer `id` (`data` is not used).
    DeleteTaxId(TaxIdChange),
    /// The object's own alarm job, never sent by the Worker (so it has no wire form):
    /// purges the personal data of a customer deleted `retention_seconds` before `now`.
    #[serde(skip)]
    Purge { now: i64, retention_seconds: i64 },
}

// The commands below share their payload types: each struct shape costs the wasm a
// deserializer of its own, so a delete and an undelete (and the two tax id changes)
// carry one type each.

/// A delete or undelete of customer `id` at `now`, under a retention window.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lifecycle {
    pub id: String,
    pub now: i64,
    pub retention_seconds: i64,
    pub idempotency: Option<IdempotencyClaim>,
}

/// A change to tax id `tax_id` of customer `id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaxIdChange {
    pub id: String,
    pub tax_id: String,
    pub data: Option<TaxIdData>,
    pub now: i64,
    pub idempotency: Option<IdempotencyClaim>,
}

impl CustomerCommand {
    /// The idempotency claim of a command that writes, if its request had a key.
    pub fn idempotency(&self) -> Option<&IdempotencyClaim> {
        match self {
            CustomerCommand::Create { idempotency, .. }
            | CustomerCommand::Update { idempotency, .. } => idempotency.as_ref(),
            _ => None,
        }
    }

    /// The objects of other kinds the command's parameters name, to be checked first.
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
    /// Insert or refresh one customer's index row (ignoring versions older than the
    /// row's) and record the events of the changes that led to it.
    Upsert {
        entry: IndexEntry,
        events: Vec<Box<RawValue>>,
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
    /// A purged customer leaves the index: its row and metadata rows are removed.
    #[serde(default)]
    pub purged: bool,
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
            purged: stored.record.purged,
            version: stored.version,
            document,
        })
    }
}

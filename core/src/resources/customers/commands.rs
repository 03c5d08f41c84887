//! The messages the Worker sends to the Durable Objects about customers, as bodies of
//! an internal `fetch` in the compact form of `wire::codec` (parameters cross as they
//! were received and are parsed again by the object). Every message carries the
//! account namespace and the request id it serves.

use super::apply::NewCustomer;
use super::changes::{CustomerParams, Operation, Reference, ReferenceKind};
use super::claims::{claim_command, is_account_reference, Claimed};
use super::events::Origin;
use super::expand::Expand;
use super::list::ListCustomers;
use super::search::SearchCustomers;
use super::stored::StoredCustomer;
use crate::resources::events::model::EventRequest;
use crate::resources::objects::ObjectCommand;
use crate::resources::tax_ids::model::TaxIdData;
use crate::wire::codec::{read_opt, write_opt, Message, Reader, Writer};
use crate::wire::idempotency::IdempotencyClaim;
pub use crate::wire::pagination::{index_page_json, IndexPage};

/// A command for one CustomerObject, the authority for one customer.
#[derive(Debug, Clone)]
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

#[derive(Debug, Clone)]
pub enum CustomerCommand {
    Create {
        new: NewCustomer,
        params: CustomerParams,
        idempotency: Option<IdempotencyClaim>,
        /// Filled in by the CustomerObject from the AccountObject's claim (never sent).
        claimed: Claimed,
    },
    Update {
        id: String,
        params: CustomerParams,
        idempotency: Option<IdempotencyClaim>,
        now: i64,
        claimed: Claimed,
    },
    /// A command on the customer's own sub-objects, answered with that object: `op` is
    /// `delete_discount`, `forget_payment_method` (a detached payment method stops being
    /// the default) or `source.create|list|retrieve|update|delete`; `args` as JSON.
    Nested {
        id: String,
        now: i64,
        op: String,
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
    /// A billing command on the customer's subscriptions and invoices
    /// (`billing::execute`): `op` names it, `args` as JSON. The CustomerObject adds the
    /// account's `context` to `args` before it runs.
    Billing {
        id: String,
        now: i64,
        op: String,
        args: serde_json::Value,
    },
    /// The object's own alarm job, never sent by the Worker (no object reads it):
    /// purges the personal data of a customer deleted `retention_seconds` before `now`.
    Purge { now: i64, retention_seconds: i64 },
}

// A delete and an undelete (and the two tax id changes) share their payload types.

/// A delete or undelete of customer `id` at `now`, under a retention window.
#[derive(Debug, Clone)]
pub struct Lifecycle {
    pub id: String,
    pub now: i64,
    pub retention_seconds: i64,
    pub idempotency: Option<IdempotencyClaim>,
}

/// A change to tax id `tax_id` of customer `id`.
#[derive(Debug, Clone)]
pub struct TaxIdChange {
    pub id: String,
    pub tax_id: String,
    pub data: Option<TaxIdData>,
    pub now: i64,
    pub idempotency: Option<IdempotencyClaim>,
}

impl Message for CustomerEnvelope {
    fn write(&self, w: &mut Writer) {
        w.str(&self.namespace);
        w.str(&self.request_id);
        w.int(self.now);
        self.command.write(w);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(CustomerEnvelope {
            namespace: r.string()?,
            request_id: r.string()?,
            now: r.int()?,
            command: Message::read(r)?,
        })
    }
}

impl Message for CustomerCommand {
    fn write(&self, w: &mut Writer) {
        match self {
            CustomerCommand::Create {
                new,
                params,
                idempotency,
                ..
            } => {
                w.str("create");
                new.write(w);
                write_params(w, params);
                write_opt(w, idempotency);
            }
            CustomerCommand::Update {
                id,
                params,
                idempotency,
                now,
                ..
            } => {
                w.str("update");
                w.str(id);
                write_params(w, params);
                write_opt(w, idempotency);
                w.int(*now);
            }
            CustomerCommand::Nested { id, now, op, args }
            | CustomerCommand::Billing { id, now, op, args } => {
                w.str(match self {
                    CustomerCommand::Nested { .. } => "nested",
                    _ => "billing",
                });
                w.str(id);
                w.int(*now);
                w.str(op);
                w.str(&crate::wire::render::compact(args));
            }
            CustomerCommand::Delete(lifecycle) | CustomerCommand::Undelete(lifecycle) => {
                w.str(match self {
                    CustomerCommand::Delete(_) => "delete",
                    _ => "undelete",
                });
                w.str(&lifecycle.id);
                w.int(lifecycle.now);
                w.int(lifecycle.retention_seconds);
                write_opt(w, &lifecycle.idempotency);
            }
            CustomerCommand::Retrieve { id } => {
                w.str("retrieve");
                w.str(id);
            }
            CustomerCommand::Show {
                id,
                expand,
                include_deleted,
            } => {
                w.str("show");
                w.str(id);
                expand.write(w);
                w.bool(*include_deleted);
            }
            CustomerCommand::CreateTaxId(change) | CustomerCommand::DeleteTaxId(change) => {
                w.str(match self {
                    CustomerCommand::CreateTaxId(_) => "create_tax_id",
                    _ => "delete_tax_id",
                });
                w.str(&change.id);
                w.str(&change.tax_id);
                write_opt(w, &change.data);
                w.int(change.now);
                write_opt(w, &change.idempotency);
            }
            CustomerCommand::Purge { .. } => w.str("purge"),
        }
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let tag = r.str()?;
        Some(match tag {
            "create" => CustomerCommand::Create {
                new: Message::read(r)?,
                params: read_params(r, Operation::Create)?,
                idempotency: read_opt(r)?,
                claimed: Claimed::default(),
            },
            "update" => CustomerCommand::Update {
                id: r.string()?,
                params: read_params(r, Operation::Update)?,
                idempotency: read_opt(r)?,
                now: r.int()?,
                claimed: Claimed::default(),
            },
            "nested" => CustomerCommand::Nested {
                id: r.string()?,
                now: r.int()?,
                op: r.string()?,
                args: serde_json::from_str(r.str()?).ok()?,
            },
            "billing" => CustomerCommand::Billing {
                id: r.string()?,
                now: r.int()?,
                op: r.string()?,
                args: serde_json::from_str(r.str()?).ok()?,
            },
            "delete" | "undelete" => {
                let lifecycle = Lifecycle {
                    id: r.string()?,
                    now: r.int()?,
                    retention_seconds: r.int()?,
                    idempotency: read_opt(r)?,
                };
                match tag {
                    "delete" => CustomerCommand::Delete(lifecycle),
                    _ => CustomerCommand::Undelete(lifecycle),
                }
            }
            "retrieve" => CustomerCommand::Retrieve { id: r.string()? },
            "show" => CustomerCommand::Show {
                id: r.string()?,
                expand: Message::read(r)?,
                include_deleted: r.bool()?,
            },
            "create_tax_id" | "delete_tax_id" => {
                let change = TaxIdChange {
                    id: r.string()?,
                    tax_id: r.string()?,
                    data: read_opt(r)?,
                    now: r.int()?,
                    idempotency: read_opt(r)?,
                };
                match tag {
                    "create_tax_id" => CustomerCommand::CreateTaxId(change),
                    _ => CustomerCommand::DeleteTaxId(change),
                }
            }
            _ => return None,
        })
    }
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
        let mut references = Vec::new();
        for reference in self.references() {
            if is_account_reference(reference) {
                references.push(reference.clone());
            }
        }
        references
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

/// Parameters cross as received, with the references they name: a handler may name
/// references of its own (`POST …/discounts` does).
fn write_params(w: &mut Writer, params: &CustomerParams) {
    w.form(&params.source);
    w.items(params.references.len());
    for reference in &params.references {
        w.str(reference.kind.as_str());
        w.str(&reference.id);
        w.str(&reference.param);
    }
}

fn read_params(r: &mut Reader<'_>, call: Operation) -> Option<CustomerParams> {
    let mut params = CustomerParams::reparse(r.form()?, call)?;
    params.references = Vec::new();
    for _ in 0..r.items()? {
        params.references.push(Reference {
            kind: ReferenceKind::parse(r.str()?)?,
            id: r.string()?,
            param: r.string()?,
        });
    }
    Some(params)
}

/// A command for an account's AccountObject, which indexes its customers and holds
/// the objects customers reference.
#[derive(Debug, Clone)]
pub enum AccountCommand {
    /// Insert or refresh one customer's index row (ignoring versions older than the
    /// row's) and record the events of the changes that led to it. `kept_key`: the
    /// idempotency key the write ran under, whose response the customer's object keeps
    /// (the registry then needs no `Finish` from the Worker). `events`: each event's
    /// JSON text, as the customer's object committed it (read once, by the account).
    Upsert {
        entry: IndexEntry,
        events: Vec<String>,
        kept_key: Option<String>,
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

impl Message for AccountCommand {
    fn write(&self, w: &mut Writer) {
        match self {
            AccountCommand::Upsert {
                entry,
                events,
                kept_key,
            } => {
                w.str("upsert");
                entry.write(w);
                w.items(events.len());
                for event in events {
                    w.str(event);
                }
                w.opt_str(kept_key.as_deref());
            }
            AccountCommand::List { list } => {
                w.str("list");
                list.write(w);
            }
            AccountCommand::Search { search } => {
                w.str("search");
                search.write(w);
            }
            AccountCommand::Objects(command) => {
                w.str("objects");
                command.write(w);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.str()? {
            "upsert" => {
                let entry = Message::read(r)?;
                let mut events = Vec::new();
                for _ in 0..r.items()? {
                    events.push(r.string()?);
                }
                AccountCommand::Upsert {
                    entry,
                    events,
                    kept_key: r.opt_string()?,
                }
            }
            "list" => AccountCommand::List {
                list: Message::read(r)?,
            },
            "search" => AccountCommand::Search {
                search: Message::read(r)?,
            },
            "objects" => AccountCommand::Objects(Message::read(r)?),
            _ => return None,
        })
    }
}

/// One customer's row in the account index.
#[derive(Debug, Clone, PartialEq)]
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
    pub purged: bool,
    pub version: i64,
    /// The `StoredCustomer` JSON, served to list without another hop.
    pub document: String,
}

impl Message for IndexEntry {
    fn write(&self, w: &mut Writer) {
        w.str(&self.id);
        w.int(self.created);
        w.opt_str(self.email.as_deref());
        w.opt_str(self.name.as_deref());
        w.opt_str(self.phone.as_deref());
        w.str(&self.metadata);
        w.opt_str(self.test_clock.as_deref());
        w.bool(self.deleted);
        w.bool(self.purged);
        w.int(self.version);
        w.str(&self.document);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(IndexEntry {
            id: r.string()?,
            created: r.int()?,
            email: r.opt_string()?,
            name: r.opt_string()?,
            phone: r.opt_string()?,
            metadata: r.string()?,
            test_clock: r.opt_string()?,
            deleted: r.bool()?,
            purged: r.bool()?,
            version: r.int()?,
            document: r.string()?,
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::changes::test_support::test_params as params;
    use crate::resources::objects::ObjectCommand;
    use crate::wire::form::decode_form;
    use crate::wire::params::Params;

    fn claim() -> Option<IdempotencyClaim> {
        Some(IdempotencyClaim {
            key: "k:1,~".into(),
            fingerprint: "fp".into(),
            now: 7,
        })
    }

    /// Reads the wire form back and checks it writes the same text again.
    fn crossed(command: CustomerCommand) -> CustomerCommand {
        let envelope = CustomerEnvelope {
            namespace: "acct_1:test".into(),
            request_id: "req_1".into(),
            now: 5,
            command,
        };
        let text = envelope.encode();
        let back = CustomerEnvelope::decode(&text).unwrap();
        assert_eq!(back.encode(), text);
        assert_eq!(
            (back.namespace.as_str(), back.request_id.as_str(), back.now),
            ("acct_1:test", "req_1", 5)
        );
        back.command
    }

    #[test]
    fn every_command_crosses_to_the_object_intact() {
        let body = "name=Jo+%C3%A9&email=jo%40example.com&metadata[k]=&address[line1]=1+Main\
            &preferred_locales[]=en&tax_id_data[0][type]=eu_vat\
            &tax_id_data[0][value]=DE123456789&coupon=SPRING\
            &invoice_settings[default_payment_method]=pm_1";
        let create = params(Operation::Create, body);
        let CustomerCommand::Create {
            new,
            params: got,
            idempotency,
            ..
        } = crossed(CustomerCommand::Create {
            new: NewCustomer {
                id: "cus_1".into(),
                created: 10,
                livemode: true,
            },
            params: create.clone(),
            idempotency: claim(),
            claimed: Claimed::default(),
        })
        else {
            panic!("not a create")
        };
        assert_eq!(
            (new.id.as_str(), new.created, new.livemode),
            ("cus_1", 10, true)
        );
        assert_eq!(got, create);
        assert_eq!(idempotency, claim());
        let update = params(Operation::Update, "default_source=src_1&metadata=");
        let CustomerCommand::Update {
            params: got,
            idempotency,
            now,
            ..
        } = crossed(CustomerCommand::Update {
            id: "cus_1".into(),
            params: update.clone(),
            idempotency: None,
            now: -3,
            claimed: Claimed::default(),
        })
        else {
            panic!("not an update")
        };
        assert_eq!((got, idempotency, now), (update, None, -3));
        for command in [
            CustomerCommand::Retrieve { id: "cus_1".into() },
            CustomerCommand::Show {
                id: "cus_1".into(),
                expand: Expand::default(),
                include_deleted: true,
            },
            CustomerCommand::Nested {
                id: "cus_1".into(),
                now: 1,
                op: "source.create".into(),
                args: serde_json::json!({"source": "tok_visa", "metadata": {"a": "b"}}),
            },
            CustomerCommand::Delete(Lifecycle {
                id: "cus_1".into(),
                now: 2,
                retention_seconds: 30,
                idempotency: None,
            }),
            CustomerCommand::Undelete(Lifecycle {
                id: "cus_1".into(),
                now: 2,
                retention_seconds: 30,
                idempotency: claim(),
            }),
            CustomerCommand::CreateTaxId(TaxIdChange {
                id: "cus_1".into(),
                tax_id: "txi_1".into(),
                data: Some(TaxIdData {
                    kind: "eu_vat".into(),
                    value: "DE123456789".into(),
                }),
                now: 3,
                idempotency: claim(),
            }),
            CustomerCommand::DeleteTaxId(TaxIdChange {
                id: "cus_1".into(),
                tax_id: "txi_1".into(),
                data: None,
                now: 3,
                idempotency: None,
            }),
        ] {
            let text = format!("{command:?}");
            assert_eq!(format!("{:?}", crossed(command)), text);
        }
    }

    #[test]
    fn references_a_handler_named_itself_cross_too() {
        // `POST …/discounts` names its coupon outside the parsed parameters.
        let mut update = params(Operation::Update, "");
        update.references = vec![Reference {
            kind: ReferenceKind::PromotionCode,
            id: "PROMO".into(),
            param: "promotion_code".into(),
        }];
        let CustomerCommand::Update { params: got, .. } = crossed(CustomerCommand::Update {
            id: "cus_1".into(),
            params: update.clone(),
            idempotency: None,
            now: 1,
            claimed: Claimed::default(),
        }) else {
            panic!("not an update")
        };
        assert_eq!(got, update);
    }

    #[test]
    fn account_commands_cross_intact() {
        let entry = IndexEntry {
            id: "cus_1".into(),
            created: 1,
            email: Some("a@b.c".into()),
            name: None,
            phone: Some("".into()),
            metadata: "{\"k\":\"v\"}".into(),
            test_clock: None,
            deleted: false,
            purged: true,
            version: 3,
            document: "{\"version\":3}".into(),
        };
        let events = vec!["{\"id\":\"evt_1\"}".to_owned()];
        let list = |query: &str| {
            let mut p = Params::new(decode_form(query.as_bytes()).unwrap());
            ListCustomers::parse(&mut p).unwrap()
        };
        let search = |query: &str| {
            let mut p = Params::new(decode_form(query.as_bytes()).unwrap());
            SearchCustomers::parse(&mut p).unwrap()
        };
        for command in [
            AccountCommand::Upsert {
                entry: entry.clone(),
                events: events.clone(),
                kept_key: None,
            },
            AccountCommand::Upsert {
                entry,
                events,
                kept_key: Some("k-1".into()),
            },
            AccountCommand::List {
                list: list("limit=3&ending_before=cus_x&email=a%40b.c&created[gt]=-1&test_clock=c&expand[]=data.tax"),
            },
            AccountCommand::List { list: list("") },
            AccountCommand::Search {
                search: search("query=name%3A%27Jane%27+AND+metadata%5B%27k%27%5D%3A%27v%27&page=page_a_b&limit=2"),
            },
            AccountCommand::Objects(ObjectCommand::new(
                "coupon.create",
                "TEN",
                serde_json::json!({"percent_off": 10}),
            )),
        ] {
            let text = command.encode();
            let back = AccountCommand::decode(&text).unwrap();
            assert_eq!(back.encode(), text);
            assert_eq!(format!("{back:?}"), format!("{command:?}"));
        }
        assert!(AccountCommand::decode("6:upsert").is_err());
        assert!(
            AccountCommand::decode("4:list~~~~~~~~0,").is_err(),
            "no limit"
        );
    }
}

//! How the customer handlers reach storage: a small trait over the CustomerObject, the
//! AccountObject and the edge copy, and the account's commands stamped with their request. The Worker implements it with Durable Object stubs
//! and KV (`src/edge/backend.rs`); the tests below implement it in memory.

use std::rc::Rc;

use super::commands::{AccountCommand, CustomerEnvelope};
use crate::resources::events::model::EventRequest;
use crate::resources::objects::ObjectCommand;
use crate::wire::error::ApiError;
use crate::wire::render::Rendered;

/// The command as the AccountObject gets it: with the request that sent it, for events.
pub fn stamped(
    req: &crate::wire::request::ApiRequest,
    mut command: ObjectCommand,
) -> AccountCommand {
    command.request = EventRequest {
        id: Some(req.request_id.clone()),
        idempotency_key: req.idempotency.as_ref().map(|c| c.key.clone()),
    };
    command.now = req.now;
    AccountCommand::Objects(command)
}

/// Sends one command to the account's object and shows the JSON it answers.
pub async fn call(
    req: &crate::wire::request::ApiRequest,
    db: &impl CustomerBackend,
    command: ObjectCommand,
) -> Result<crate::wire::render::Rendered, ApiError> {
    let command = stamped(req, command);
    let body = db.account_object(&req.namespace, &command).await?;
    Ok(crate::wire::render::Rendered::ok_compact(&body))
}

/// A success answer of an object: the body, whether it was an idempotent replay, and
/// whether the object keeps the response of the request's idempotency key (then the
/// Worker records no outcome for it).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectAnswer {
    pub body: String,
    pub replayed: bool,
    pub key_kept: bool,
}

/// Storage as the customer handlers see it. Failures of an object arrive as the
/// typed `ApiError` the object raised.
// The Worker runs on one thread, so these futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait CustomerBackend {
    /// Runs a command in the CustomerObject of customer `id`.
    async fn customer_object(
        &self,
        id: &str,
        envelope: &CustomerEnvelope,
    ) -> Result<ObjectAnswer, ApiError>;

    /// Runs a command in the account's AccountObject; answers its body.
    async fn account_object(
        &self,
        namespace: &str,
        command: &AccountCommand,
    ) -> Result<String, ApiError>;

    /// Runs a read in the CustomerObject of customer `id` whose answer is the client's
    /// body as is (`CustomerCommand::Show`). A backend that can send an object's answer
    /// on without reading it answers `Rendered::forwarded()` and holds the answer.
    async fn customer_read(
        &self,
        id: &str,
        envelope: &CustomerEnvelope,
    ) -> Result<Rendered, ApiError> {
        let answer = self.customer_object(id, envelope).await?;
        Ok(Rendered::ok_pretty(answer.body))
    }

    /// The same for a read of the account's AccountObject (a list or search page).
    async fn account_read(
        &self,
        namespace: &str,
        command: &AccountCommand,
    ) -> Result<Rendered, ApiError> {
        Ok(Rendered::ok_pretty(
            self.account_object(namespace, command).await?,
        ))
    }

    /// The edge copy of a stored customer: this isolate's memo, else KV.
    async fn edge_copy(&self, namespace: &str, id: &str, ttl_ms: u64) -> Option<Rc<str>>;

    /// Keeps a stored customer this isolate wrote or read, for edge reads.
    fn remember_edge_copy(&self, namespace: &str, id: &str, stored: Rc<str>, ttl_ms: u64);
}

/// A [`CustomerBackend`] in memory: each customer's object runs the real `execute`
/// over a memory store, so handler tests exercise the same logic as the Worker.
#[cfg(test)]
pub mod memory {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use super::*;
    use crate::resources::customers::claims::Claimed;
    use crate::resources::customers::commands::CustomerCommand;
    use crate::resources::customers::execute::{execute, needs_reference_check, MemoryStore};
    use crate::resources::customers::view::{customer_page_body, PageEnvelope};
    use crate::resources::objects::{MemoryObjectStore, ObjectStore, Table};
    use crate::wire::codec::Message;

    #[derive(Default)]
    pub struct MemoryBackend {
        pub objects: RefCell<BTreeMap<String, MemoryStore>>,
        pub edge: RefCell<BTreeMap<String, Rc<str>>>,
        /// The AccountObject's tables (one account is enough for these tests).
        pub account: RefCell<MemoryObjectStore>,
        /// How many times each object was called, by kind.
        pub calls: RefCell<Vec<&'static str>>,
    }

    impl CustomerBackend for MemoryBackend {
        async fn customer_object(
            &self,
            id: &str,
            envelope: &CustomerEnvelope,
        ) -> Result<ObjectAnswer, ApiError> {
            self.calls.borrow_mut().push("customer");
            // The command crosses in its wire form, as it does to a real object.
            let envelope = &CustomerEnvelope::decode(&envelope.encode())?;
            let key = format!("{}/{id}", envelope.namespace);
            let mut objects = self.objects.borrow_mut();
            let store = objects.entry(key).or_default();
            let mut command = envelope.command.clone();
            if let CustomerCommand::Billing { id, args, .. } = &mut command {
                // As the CustomerObject does: the account's context first.
                let customer = store.stored.as_ref().map(|s| &s.record.customer);
                let clock = customer.and_then(|c| c.test_clock.as_ref()?.as_str());
                let promotion_code =
                    customer.and_then(|c| c.discount.as_ref()?["promotion_code"].as_str());
                let request =
                    crate::resources::billing::context::request(id, clock, promotion_code, args);
                let answer =
                    crate::resources::account::execute(&mut *self.account.borrow_mut(), request)?;
                args["context"] = serde_json::from_str(&answer)?;
            }
            let events_before = store.outbox.len();
            let mut claimed = Claimed::default();
            if needs_reference_check(store, &command)? {
                if let Some(claim) = command.claim_command() {
                    let AccountCommand::Objects(claim) = claim else {
                        return Err(ApiError::internal("not a claim"));
                    };
                    let answer =
                        crate::resources::account::execute(&mut *self.account.borrow_mut(), claim)?;
                    claimed = Claimed::from_json(&serde_json::from_str(&answer)?);
                    command.set_claimed(claimed.clone());
                }
            }
            let reply = execute(store, command, &envelope.origin());
            if let Some(stored) = &reply.committed {
                let mut account = self.account.borrow_mut();
                let id = stored.record.customer.id.clone();
                account.live_customers.retain(|c| *c != id);
                if !stored.record.is_deleted() {
                    account.live_customers.push(id.clone());
                }
                if let Some(clock) = stored
                    .record
                    .customer
                    .test_clock
                    .as_ref()
                    .and_then(|c| c.as_str())
                {
                    account.clock_customers.push((clock.to_owned(), id));
                }
            }
            // As the AccountObject does: subscriptions and invoices indexed from events.
            for event in &store.outbox[events_before..] {
                if let Some(table) = crate::resources::billing::account::indexed_table(&event.kind)
                {
                    let doc = event.data.object_value()?;
                    crate::resources::objects::save(&mut *self.account.borrow_mut(), table, &doc)?;
                }
            }
            if !claimed.is_empty() && reply.committed.is_none() {
                let mut account = self.account.borrow_mut();
                crate::resources::customers::claims::release(&mut *account, &claimed, 0)?;
            }
            match reply.error_value() {
                Some(err) => Err(err),
                None => Ok(ObjectAnswer {
                    body: reply.body,
                    replayed: reply.replayed,
                    key_kept: false,
                }),
            }
        }

        async fn account_object(
            &self,
            namespace: &str,
            command: &AccountCommand,
        ) -> Result<String, ApiError> {
            self.calls.borrow_mut().push("account");
            let command = &AccountCommand::decode(&command.encode())?;
            if let AccountCommand::Objects(command) = command {
                let mut account = self.account.borrow_mut();
                return crate::resources::account::execute(&mut *account, command.clone());
            }
            let prefix = format!("{namespace}/");
            let objects = self.objects.borrow();
            let documents: Vec<String> = objects
                .iter()
                .filter(|(key, _)| key.starts_with(&prefix))
                .filter_map(|(_, store)| store.stored.as_ref()?.to_json().ok())
                .collect();
            let borrowed: Vec<&str> = documents.iter().map(String::as_str).collect();
            let account = self.account.borrow();
            let account_object = |wanted: &crate::resources::customers::account_expand::Wanted| {
                let table = match wanted.kind {
                    "payment_method" => Table::PaymentMethods,
                    "test_clock" => Table::TestClocks,
                    _ => Table::PromotionCodes,
                };
                let found = account.get(table, &wanted.id)?;
                Ok(found.map(|object| crate::wire::render::compact(&object)))
            };
            match command {
                AccountCommand::List { list } => customer_page_body(
                    &borrowed,
                    false,
                    &list.expand,
                    PageEnvelope::List,
                    account_object,
                ),
                AccountCommand::Search { search } => customer_page_body(
                    &borrowed,
                    false,
                    &search.expand,
                    PageEnvelope::Search { next_page: None },
                    account_object,
                ),
                _ => Err(ApiError::internal("not a page command")),
            }
        }

        async fn edge_copy(&self, namespace: &str, id: &str, _ttl_ms: u64) -> Option<Rc<str>> {
            self.calls.borrow_mut().push("edge");
            self.edge
                .borrow()
                .get(&format!("{namespace}/{id}"))
                .cloned()
        }

        fn remember_edge_copy(&self, namespace: &str, id: &str, stored: Rc<str>, _ttl_ms: u64) {
            self.edge
                .borrow_mut()
                .insert(format!("{namespace}/{id}"), stored);
        }
    }

    impl MemoryBackend {
        /// Whether the customer object of `id` in `namespace` holds a customer.
        pub fn holds(&self, namespace: &str, id: &str) -> bool {
            self.objects
                .borrow()
                .get(&format!("{namespace}/{id}"))
                .is_some_and(|s| s.stored.is_some())
        }
    }

    /// Creates a customer with the form `query` through the real create handler, and
    /// answers its id: the setup of most handler tests.
    pub fn create_customer(db: &MemoryBackend, query: &str) -> String {
        let req = crate::wire::test_support::request(query);
        let created =
            run(crate::resources::customers::handlers::create(req, db)).expect("a valid create");
        let body: serde_json::Value =
            serde_json::from_str(&created.body).expect("the create answers JSON");
        body["id"].as_str().unwrap_or_default().to_owned()
    }

    /// Drives a future that never waits on anything (every memory call is ready at once).
    pub fn run<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}

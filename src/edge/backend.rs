//! The storage the handlers call through, as the Worker provides it: Durable Object
//! stubs for the objects, KV and the isolate's memo for edge reads. Each resource's
//! backend trait (from `api-core`) is implemented here.

use std::cell::RefCell;
use std::rc::Rc;

use api_core::resources::customers::backend::{CustomerBackend, ObjectAnswer};
use api_core::resources::customers::commands::{AccountCommand, CustomerEnvelope};
use api_core::resources::customers::view::version_and_deleted;
use api_core::resources::events::commands::{self as events, EventBackend, EventCommand};
use api_core::resources::webhook_endpoints::commands::{
    self as endpoints, EndpointBackend, EndpointCommand,
};
use api_core::wire::codec::Message;
use api_core::wire::error::ApiError;
use api_core::wire::render::Rendered;
use worker::js_sys::Promise;
use worker::wasm_bindgen::prelude::wasm_bindgen;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::Env;

use super::bindings::{
    account_stub, binding, call_object, customer_stub, kv_key, platform_error, send_for_body,
    ACCOUNT_CUSTOMERS_PATH, CUSTOMERS_KV,
};
use super::{memo, now_millis};
use crate::promise::settled;

/// The `CUSTOMERS` KV namespace, called directly: worker's `KvStore` looks up five
/// methods for every handle and builds its options through serde_wasm_bindgen, time and
/// wasm spent for nothing here.
pub struct Kv(KvNamespace);

#[wasm_bindgen]
extern "C" {
    /// The runtime's KV namespace binding, with the three calls made of it.
    type KvNamespace;

    #[wasm_bindgen(method, catch, js_name = get)]
    fn get_as(this: &KvNamespace, key: &str, kind: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn put(this: &KvNamespace, key: &str, value: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    fn delete(this: &KvNamespace, key: &str) -> Result<Promise, JsValue>;
}

impl Kv {
    pub fn of(env: &Env) -> Option<Kv> {
        binding(env, CUSTOMERS_KV).map(|kv| Kv(kv.unchecked_into()))
    }

    /// The text stored under `key`, if any.
    pub async fn text(&self, key: &str) -> Result<Option<String>, JsValue> {
        let found = settled(&self.0.get_as(key, "text")?).await?;
        Ok(found.as_string())
    }

    pub async fn put(&self, key: &str, text: &str) -> Result<(), JsValue> {
        settled(&self.0.put(key, text)?).await.map(|_| ())
    }

    pub async fn delete(&self, key: &str) -> Result<(), JsValue> {
        settled(&self.0.delete(key)?).await.map(|_| ())
    }
}

/// The Worker's storage, for one request.
pub struct WorkerBackend<'a> {
    pub env: &'a Env,
    /// The pending answer of the object a read was sent to (`Rendered::forwarded`):
    /// `serve` makes the response of it when it settles, without reading its body.
    forwarded: RefCell<Option<Promise>>,
}

impl<'a> WorkerBackend<'a> {
    pub fn new(env: &'a Env) -> Self {
        WorkerBackend {
            env,
            forwarded: RefCell::default(),
        }
    }

    /// The answer a forwarded read left, once.
    pub fn take_forwarded(&self) -> Option<Promise> {
        self.forwarded.borrow_mut().take()
    }

    /// Holds `answer` for `serve` and says so.
    fn forward(&self, answer: Promise) -> Rendered {
        *self.forwarded.borrow_mut() = Some(answer);
        Rendered::forwarded()
    }
}

impl CustomerBackend for WorkerBackend<'_> {
    async fn customer_object(
        &self,
        id: &str,
        envelope: &CustomerEnvelope,
    ) -> Result<ObjectAnswer, ApiError> {
        let stub = customer_stub(self.env, &envelope.namespace, id).map_err(platform_error)?;
        let answer = call_object(&stub, "/", envelope).await?;
        Ok(ObjectAnswer {
            body: answer.body,
            replayed: answer.replayed,
            key_kept: answer.key_kept,
        })
    }

    async fn account_object(
        &self,
        namespace: &str,
        command: &AccountCommand,
    ) -> Result<String, ApiError> {
        self.account(namespace, ACCOUNT_CUSTOMERS_PATH, command)
            .await
    }

    async fn customer_read(
        &self,
        id: &str,
        envelope: &CustomerEnvelope,
    ) -> Result<Rendered, ApiError> {
        let stub = customer_stub(self.env, &envelope.namespace, id).map_err(platform_error)?;
        Ok(self.forward(send_for_body(&stub, "/", envelope)?))
    }

    async fn account_read(
        &self,
        namespace: &str,
        command: &AccountCommand,
    ) -> Result<Rendered, ApiError> {
        let stub = account_stub(self.env, namespace).map_err(platform_error)?;
        Ok(self.forward(send_for_body(&stub, ACCOUNT_CUSTOMERS_PATH, command)?))
    }

    async fn edge_copy(&self, namespace: &str, id: &str, ttl_ms: u64) -> Option<Rc<str>> {
        let key = kv_key(namespace, id);
        if let Some(stored) = memo::lookup(&key, now_millis()) {
            return Some(stored);
        }
        let stored = Kv::of(self.env)?.text(&key).await.ok()??;
        let (version, _) = version_and_deleted(&stored).ok()?;
        let stored: Rc<str> = Rc::from(stored);
        memo::remember(key, version, Rc::clone(&stored), now_millis(), ttl_ms);
        Some(stored)
    }

    fn remember_edge_copy(&self, namespace: &str, id: &str, stored: Rc<str>, ttl_ms: u64) {
        if let Ok((version, _)) = version_and_deleted(&stored) {
            memo::remember(kv_key(namespace, id), version, stored, now_millis(), ttl_ms);
        }
    }
}

impl EventBackend for WorkerBackend<'_> {
    async fn event_command(
        &self,
        namespace: &str,
        command: &EventCommand,
    ) -> Result<String, ApiError> {
        self.account(namespace, events::PATH, command).await
    }
}

impl EndpointBackend for WorkerBackend<'_> {
    async fn endpoint_command(
        &self,
        namespace: &str,
        command: &EndpointCommand,
    ) -> Result<String, ApiError> {
        self.account(namespace, endpoints::PATH, command).await
    }
}

impl WorkerBackend<'_> {
    /// Sends a command to `path` of the account's AccountObject; answers its body.
    async fn account<T: Message>(
        &self,
        namespace: &str,
        path: &str,
        command: &T,
    ) -> Result<String, ApiError> {
        let stub = account_stub(self.env, namespace).map_err(platform_error)?;
        Ok(call_object(&stub, path, command).await?.body)
    }
}

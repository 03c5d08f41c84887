//! The platform's stores as the Worker and the objects name them: binding names, the
//! naming of Durable Objects and KV keys per account, and the calls to an object (its
//! `answer` method, by Durable Object RPC, with the command in its compact text). Every
//! name starts with the account namespace, so no key reaches another account.

use api_core::wire::codec::Message;
use api_core::wire::error::ApiError;
use wasm_bindgen::prelude::*;
use worker::js_sys::{Array, Promise, Reflect};
use worker::wasm_bindgen::JsCast;
use worker::worker_sys::DurableObjectNamespace;
use worker::{web_sys, Env, Error, Result};

use crate::promise::settled;

pub const CUSTOMER_OBJECT: &str = "CUSTOMER_OBJECT";
pub const ACCOUNT_OBJECT: &str = "ACCOUNT_OBJECT";
pub const CUSTOMERS_KV: &str = "CUSTOMERS";

/// The CustomerObject of one customer of one account.
pub fn customer_stub(env: &Env, namespace: &str, customer_id: &str) -> Result<ObjectStub> {
    let name = format!("{namespace}/{customer_id}");
    Ok(object_namespace(env, CUSTOMER_OBJECT)?
        .get_by_name(&name)?
        .unchecked_into())
}

/// The AccountObject of one account.
pub fn account_stub(env: &Env, namespace: &str) -> Result<ObjectStub> {
    Ok(object_namespace(env, ACCOUNT_OBJECT)?
        .get_by_name(namespace)?
        .unchecked_into())
}

/// A binding of the Worker's environment, read directly (worker's `Env` getters also
/// compare each binding's constructor name, calls out to JavaScript that every request
/// paid for; a wrong binding still fails, on its first call). `None` when not bound.
/// Read once per isolate, then kept (see [`BINDINGS`]).
pub fn binding(env: &Env, name: &'static str) -> Option<JsValue> {
    let kept = BINDINGS.with_borrow(|kept| {
        kept.iter()
            .find(|(kept_name, _)| *kept_name == name)
            .map(|(_, value)| value.clone())
    });
    if kept.is_some() {
        return kept;
    }
    let value = Reflect::get(env.as_ref(), &JsValue::from_str(name)).ok()?;
    if value.is_undefined() {
        return None;
    }
    BINDINGS.with_borrow_mut(|kept| kept.push((name, value.clone())));
    Some(value)
}

thread_local! {
    /// The bindings read so far, by name. One wasm instance serves one Worker script in
    /// one isolate, whose `env` (the Worker's and its objects') is the same set of
    /// bindings for the isolate's life, and a Durable Object namespace or KV binding
    /// is not tied to the request that read it; so each is read from `env` once, not
    /// once or twice per request (about 50 µs of a keyed update in the V8 profile).
    static BINDINGS: std::cell::RefCell<Vec<(&'static str, JsValue)>> =
        std::cell::RefCell::default();
}

/// A Durable Object namespace binding.
fn object_namespace(env: &Env, name: &'static str) -> Result<DurableObjectNamespace> {
    binding(env, name)
        .map(JsCast::unchecked_into)
        .ok_or_else(|| Error::RustError(format!("no binding {name}")))
}

/// The static assets binding (`[assets]` in wrangler.toml), if the Worker has one.
pub fn assets(env: &Env, name: &'static str) -> Option<AssetsFetcher> {
    binding(env, name).map(JsCast::unchecked_into)
}

/// The assets' answer to `request`, as the runtime's own Response: no conversion into
/// worker's `Request` and `Response` (whose body streams cost the wasm more than this).
pub async fn fetch_asset(
    assets: &AssetsFetcher,
    request: &web_sys::Request,
) -> Result<web_sys::Response> {
    let answer = settled(&assets.fetch(request)?).await?;
    Ok(answer.unchecked_into())
}

/// The KV key of a customer's edge copy.
pub fn kv_key(namespace: &str, customer_id: &str) -> String {
    format!("{namespace}/customers/{customer_id}")
}

/// What an object answered: its body, or the typed error it raised.
pub struct ObjectResponse {
    pub body: String,
    pub replayed: bool,
    /// The object ran a keyed write and its index call marked the key as kept by the
    /// object ([`KEY_KEPT_STATUS`]): the Worker records no outcome for the key.
    pub key_kept: bool,
}

/// The AccountObject's path for the customer index and reference checks.
pub const ACCOUNT_CUSTOMERS_PATH: &str = "/customers";

/// The status an object answers a replayed request with (a success whose body is the
/// saved response). Internal to the Worker and its objects: a status instead of a
/// header, so reading an answer costs no header lookup.
pub const REPLAYED_STATUS: u16 = 208;

/// The status an object answers a keyed write with once the account's registry has
/// the key as kept by the object (`api_core::wire::idempotency::KEPT_BY_OBJECT`).
pub const KEY_KEPT_STATUS: u16 = 209;

#[wasm_bindgen]
extern "C" {
    /// A Durable Object stub, called by Durable Object RPC: the objects' `answer(path,
    /// body)` method (exported beside `fetch`, see scripts/fast-shim.mjs), which takes
    /// and answers strings. No Request, no Response and no body stream is built on
    /// either side, which a `fetch` to an object costs.
    pub type ObjectStub;

    #[wasm_bindgen(method, catch, js_name = answer)]
    fn answer(this: &ObjectStub, path: &str, body: &str) -> std::result::Result<Promise, JsValue>;

    /// The static assets binding: a Fetcher, called with the request as it came.
    pub type AssetsFetcher;

    #[wasm_bindgen(method, catch, js_name = fetch)]
    fn fetch(
        this: &AssetsFetcher,
        request: &web_sys::Request,
    ) -> std::result::Result<Promise, JsValue>;

    /// The response to a forwarded read, once the object's `answer` settles: a 200's body
    /// as the JavaScript string it is, with the headers `edgeRespond` gives
    /// (src/edge/mod.rs, `response_flags`); any other answer, or a failed call, goes back
    /// to the wasm (`edgeForwardError`, src/edge/mod.rs) to be rendered as an error. In
    /// JavaScript (scripts/fast-shim.mjs, `edgeForward`), so that a read waits for its
    /// object with no future of the wasm's in between.
    #[wasm_bindgen(js_name = edgeForward)]
    pub fn forward_response(
        answer: &Promise,
        request_id: &str,
        stripe_version: Option<&str>,
        flags: u8,
    ) -> Promise;
}

/// Sends `command` in its compact text (`api_core::wire::codec`) to `path` of a Durable
/// Object. A success is a 200 (or [`REPLAYED_STATUS`]); any other status carries the
/// object's `ApiError` as JSON.
pub async fn call_object<T: Message>(
    stub: &ObjectStub,
    path: &str,
    command: &T,
) -> std::result::Result<ObjectResponse, ApiError> {
    call_object_with_text(stub, path, command.encode()).await
}

/// Sends `text` as it is to `path` of a Durable Object; answers as [`call_object`].
pub async fn call_object_with_text(
    stub: &ObjectStub,
    path: &str,
    text: String,
) -> std::result::Result<ObjectResponse, ApiError> {
    let (status, answer) = call(stub, path, text).await?;
    let text = answer.as_string().unwrap_or_default();
    if status == 200 || status == REPLAYED_STATUS || status == KEY_KEPT_STATUS {
        return Ok(ObjectResponse {
            body: text,
            replayed: status == REPLAYED_STATUS,
            key_kept: status == KEY_KEPT_STATUS,
        });
    }
    Err(object_error(status, &text))
}

/// Sends a read to `path` of a Durable Object whose success (a 200) is the client's
/// response body, without waiting for it: the object's pending answer, which
/// [`forward_response`] turns into the response when it settles.
pub fn send_for_body<T: Message>(
    stub: &ObjectStub,
    path: &str,
    command: &T,
) -> std::result::Result<Promise, ApiError> {
    stub.answer(path, &command.encode()).map_err(js_error)
}

/// The typed error of an answer [`forward_response`] did not send: the object's, or,
/// with status 0, the failed call's.
pub fn forwarded_error(status: u16, text: &str) -> ApiError {
    if status == 0 {
        return platform_error(Error::JsError(text.to_owned()));
    }
    object_error(status, text)
}

/// Calls the object's `answer` method with `text`: its status and its body.
async fn call(
    stub: &ObjectStub,
    path: &str,
    text: String,
) -> std::result::Result<(u16, JsValue), ApiError> {
    let promise = stub.answer(path, &text).map_err(js_error)?;
    let answer: Array = settled(&promise).await.map_err(js_error)?.unchecked_into();
    let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
    Ok((status, answer.get(1)))
}

/// The typed error an object answered with `status`.
fn object_error(status: u16, text: &str) -> ApiError {
    serde_json::from_str(text)
        .unwrap_or_else(|_| ApiError::internal(format!("object answered {status}: {text}")))
}

/// A JavaScript exception from the runtime, as an internal error.
fn js_error(e: JsValue) -> ApiError {
    platform_error(Error::from(e))
}

/// A failure of the platform itself (a binding, a stub, a fetch), as an internal error.
pub fn platform_error(e: Error) -> ApiError {
    ApiError::internal(format!("platform: {e}"))
}

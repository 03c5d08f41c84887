//! The platform's stores as the Worker and the objects name them: binding names, the
//! naming of Durable Objects and KV keys per account, and the internal JSON `fetch` to
//! a stub. Every name starts with the account namespace, so no key reaches another account.

use api_core::wire::error::ApiError;
use serde::Serialize;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::{web_sys, Env, Error, Result, Stub};

pub const CUSTOMER_OBJECT: &str = "CUSTOMER_OBJECT";
pub const ACCOUNT_OBJECT: &str = "ACCOUNT_OBJECT";
pub const CUSTOMERS_KV: &str = "CUSTOMERS";

/// The CustomerObject of one customer of one account.
pub fn customer_stub(env: &Env, namespace: &str, customer_id: &str) -> Result<ObjectStub> {
    let stub = env
        .durable_object(CUSTOMER_OBJECT)?
        .get_by_name(&format!("{namespace}/{customer_id}"))?;
    Ok(stub.into())
}

/// The AccountObject of one account.
pub fn account_stub(env: &Env, namespace: &str) -> Result<ObjectStub> {
    Ok(env
        .durable_object(ACCOUNT_OBJECT)?
        .get_by_name(namespace)?
        .into())
}

/// The KV key of a customer's edge copy.
pub fn kv_key(namespace: &str, customer_id: &str) -> String {
    format!("{namespace}/customers/{customer_id}")
}

/// What an object answered: its body, or the typed error it raised.
pub struct ObjectResponse {
    pub body: String,
    pub replayed: bool,
}

/// The AccountObject's path for the customer index and reference checks.
pub const ACCOUNT_CUSTOMERS_PATH: &str = "/customers";

/// The status an object answers a replayed request with (a success whose body is the
/// saved response). Internal to the Worker and its objects: a status instead of a
/// header, so reading an answer costs no header lookup.
pub const REPLAYED_STATUS: u16 = 208;

/// A Durable Object stub, called through the runtime's own `fetch` and `Response`
/// types: worker's `Response::text` reads a body chunk by chunk through a stream reader,
/// several times slower than the runtime's `text()` on these small bodies.
pub struct ObjectStub(worker::worker_sys::DurableObject);

impl From<Stub> for ObjectStub {
    fn from(stub: Stub) -> Self {
        ObjectStub(stub.into_rpc())
    }
}

/// Sends `body` as JSON to `path` of a Durable Object. A success is a 200 (or
/// [`REPLAYED_STATUS`]); any other status carries the object's `ApiError` as JSON.
pub async fn call_object<T: Serialize>(
    stub: &ObjectStub,
    path: &str,
    body: &T,
) -> std::result::Result<ObjectResponse, ApiError> {
    let response = post_json(stub, path, body).await?;
    let status = response.status();
    let text = text_of(&response).await?;
    if status == 200 || status == REPLAYED_STATUS {
        return Ok(ObjectResponse {
            body: text,
            replayed: status == REPLAYED_STATUS,
        });
    }
    Err(object_error(status, &text))
}

/// Sends a read to `path` of a Durable Object whose success (a 200) is the client's
/// response body: the runtime's `Response`, unread, so that its body can be sent on.
pub async fn call_object_for_body<T: Serialize>(
    stub: &ObjectStub,
    path: &str,
    body: &T,
) -> std::result::Result<web_sys::Response, ApiError> {
    let response = post_json(stub, path, body).await?;
    match response.status() {
        200 => Ok(response),
        status => Err(object_error(status, &text_of(&response).await?)),
    }
}

/// POSTs `body` as JSON to `path` of a Durable Object; answers its response.
async fn post_json<T: Serialize>(
    stub: &ObjectStub,
    path: &str,
    body: &T,
) -> std::result::Result<web_sys::Response, ApiError> {
    let json = serde_json::to_string(body).map_err(|e| platform_error(e.into()))?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&json));
    let url = format!("https://object.internal{path}");
    let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(js_error)?;
    let promise = stub.0.fetch_with_request(&request).map_err(js_error)?;
    let response = JsFuture::from(promise).await.map_err(js_error)?;
    response.dyn_into().map_err(js_error)
}

/// The body of an object's response, as text.
async fn text_of(response: &web_sys::Response) -> std::result::Result<String, ApiError> {
    let promise = response.text().map_err(js_error)?;
    let text = JsFuture::from(promise).await.map_err(js_error)?;
    Ok(text.as_string().unwrap_or_default())
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

//! The platform's stores as the Worker and the objects name them: binding names, the
//! naming of Durable Objects and KV keys per account, and the internal JSON `fetch` to
//! a stub. Every name starts with the account namespace, so no key reaches another account.

use api_core::wire::error::ApiError;
use serde::Serialize;
use worker::{web_sys, Env, Error, Request, Response, Result, Stub};

pub const CUSTOMER_OBJECT: &str = "CUSTOMER_OBJECT";
pub const ACCOUNT_OBJECT: &str = "ACCOUNT_OBJECT";
pub const CUSTOMERS_KV: &str = "CUSTOMERS";

/// The CustomerObject of one customer of one account.
pub fn customer_stub(env: &Env, namespace: &str, customer_id: &str) -> Result<Stub> {
    env.durable_object(CUSTOMER_OBJECT)?
        .get_by_name(&format!("{namespace}/{customer_id}"))
}

/// The AccountObject of one account.
pub fn account_stub(env: &Env, namespace: &str) -> Result<Stub> {
    env.durable_object(ACCOUNT_OBJECT)?.get_by_name(namespace)
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

/// Sends `body` as JSON to `path` of a Durable Object. A success is any 200; any other
/// status carries the object's `ApiError` as JSON.
pub async fn call_object<T: Serialize>(
    stub: &Stub,
    path: &str,
    body: &T,
) -> std::result::Result<ObjectResponse, ApiError> {
    let mut response = post_json(stub, path, body).await.map_err(platform_error)?;
    let status = response.status_code();
    let replayed = response
        .headers()
        .get("Idempotent-Replayed")
        .ok()
        .flatten()
        .is_some();
    let text = response.text().await.map_err(platform_error)?;
    if status == 200 {
        return Ok(ObjectResponse {
            body: text,
            replayed,
        });
    }
    Err(serde_json::from_str(&text)
        .unwrap_or_else(|_| ApiError::internal(format!("object answered {status}: {text}"))))
}

/// Sends `body` as JSON to `path` of a Durable Object and returns its response.
async fn post_json<T: Serialize>(stub: &Stub, path: &str, body: &T) -> Result<Response> {
    // A plain `web_sys::RequestInit`: converting worker's `RequestInit` links the
    // serializer of every `cf` property, which these internal requests never set.
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&serde_json::to_string(body)?.into());
    let url = format!("https://object.internal{path}");
    let request = web_sys::Request::new_with_str_and_init(&url, &init).map_err(|e| {
        Error::JsError(
            e.as_string()
                .unwrap_or_else(|| "invalid URL or options for Request".to_string()),
        )
    })?;
    stub.fetch_with_request(Request::from(request)).await
}

/// A failure of the platform itself (a binding, a stub, a fetch), as an internal error.
pub fn platform_error(e: Error) -> ApiError {
    ApiError::internal(format!("platform: {e}"))
}

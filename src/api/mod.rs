//! The Worker's request path: read the request once (auth, body, query), route it,
//! and hand a [`Call`] to the handler of the route. Errors of any stage come back as
//! `ApiError` and are rendered in one place, in `lib.rs`.

pub mod customers;

use worker::{Env, Request};

use crate::auth::{Account, KeyPolicy};
use crate::edge_cache;
use crate::error::ApiError;
use crate::form::{decode_form, decode_json, merge, FormMap};
use crate::idempotency::{fingerprint, IdempotencyKey};
use crate::model::ids;
use crate::objects::protocol::IdempotencyClaim;
use crate::params::Params;
use crate::render::Rendered;
use crate::router::{route, Route};

/// The largest request body accepted; larger ones get a 413.
pub const MAX_BODY_BYTES: usize = 128 * 1024;
/// A too-large body up to this size is still read before the 413, so that the client's
/// keep-alive connection stays usable; a larger one is refused without reading it.
const DRAIN_LIMIT_BYTES: usize = 1024 * 1024;

/// Where `GET /v1/customers/{id}` reads from (the `READ_CONSISTENCY` var).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadConsistency {
    /// The CustomerObject, the authority.
    Strong,
    /// The isolate's memo, then the KV copy, then the CustomerObject.
    Edge,
}

/// One authenticated, decoded API call.
pub struct Call<'a> {
    pub env: &'a Env,
    pub account: Account,
    pub namespace: String,
    pub params: FormMap,
    pub idempotency: Option<IdempotencyClaim>,
    pub now: i64,
    pub consistency: ReadConsistency,
    /// How long edge reads may serve the isolate's memo (`EDGE_CACHE_TTL_MS`).
    pub edge_cache_ttl_ms: u64,
}

impl Call<'_> {
    /// The request's parameters, handed to the handler's parameter cursor.
    pub fn take_params(&mut self) -> Params {
        Params::new(std::mem::take(&mut self.params))
    }
}

/// Serves one request end to end.
pub async fn handle(mut req: Request, env: &Env) -> Result<Rendered, ApiError> {
    let method = req.method().to_string();
    let path = req.path();
    let route = route(&method, &path)?;
    let account = policy(env).authenticate(header(&req, "Authorization").as_deref())?;
    // One check for every route that names a customer: an id that cannot be ours is
    // a 404 before any parameter is read or any object is touched.
    if let Some(id) = route.customer_id() {
        if !ids::is_well_formed(id, "cus") {
            return Err(ApiError::not_found("customer", id));
        }
    }
    let mut params = decode_form(query_of(&req.inner().url()).as_bytes())?;
    if route.reads_body() {
        merge(&mut params, read_body(&mut req).await?);
    }
    let now = now_seconds();
    // PATCH is an alias of POST, so both share one fingerprint.
    let idempotency = match IdempotencyKey::parse(header(&req, "Idempotency-Key").as_deref())? {
        Some(key) if method == "POST" || method == "PATCH" => Some(IdempotencyClaim {
            key: key.as_str().to_owned(),
            fingerprint: fingerprint("POST", &path, &params),
            now,
        }),
        _ => None,
    };
    let call = Call {
        env,
        namespace: account.namespace(),
        account,
        params,
        idempotency,
        now,
        consistency: consistency(env),
        edge_cache_ttl_ms: var(env, "EDGE_CACHE_TTL_MS")
            .and_then(|v| v.parse().ok())
            .unwrap_or(edge_cache::TTL_MS),
    };
    match route {
        Route::CreateCustomer => customers::create(call).await,
        Route::ListCustomers => customers::list(call).await,
        Route::SearchCustomers => customers::search(call).await,
        Route::RetrieveCustomer { id } => customers::retrieve(call, &id).await,
        Route::UpdateCustomer { id } => customers::update(call, &id).await,
        Route::DeleteCustomer { id } => customers::delete(call, &id).await,
    }
}

/// The query of a serialized WHATWG URL (`web_sys::Request::url()`), without the `?`:
/// what `url::Url::query` returns for it, without linking the `url` crate (and its
/// IDNA tables) into the Worker.
fn query_of(url: &str) -> &str {
    let url = url.split('#').next().unwrap_or("");
    url.split_once('?').map_or("", |(_, query)| query)
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string())
}

fn policy(env: &Env) -> KeyPolicy {
    let keys = env
        .secret("API_KEYS")
        .ok()
        .map(|s| s.to_string())
        .unwrap_or_default();
    let sandbox = var(env, "SANDBOX_KEYS").is_some_and(|v| v == "true");
    KeyPolicy::new(&keys, sandbox)
}

fn consistency(env: &Env) -> ReadConsistency {
    match var(env, "READ_CONSISTENCY").as_deref() {
        Some("edge") => ReadConsistency::Edge,
        _ => ReadConsistency::Strong,
    }
}

/// Reads and decodes the body: JSON when the client says so, else the form encoding.
async fn read_body(req: &mut Request) -> Result<FormMap, ApiError> {
    let too_large = ApiError::BodyTooLarge {
        limit: MAX_BODY_BYTES,
    };
    let declared = header(req, "Content-Length").and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > DRAIN_LIMIT_BYTES) {
        return Err(too_large);
    }
    let body = req
        .bytes()
        .await
        .map_err(|e| ApiError::bad_request(format!("The request body could not be read: {e}")))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(too_large);
    }
    let content_type = header(req, "Content-Type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        Ok(decode_json(&body)?)
    } else {
        Ok(decode_form(&body)?)
    }
}

pub fn now_seconds() -> i64 {
    (worker::Date::now().as_millis() / 1000) as i64
}

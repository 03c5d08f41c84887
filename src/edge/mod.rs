//! The Worker's request path: read the request once (route, key, query and body),
//! hand an `ApiRequest` to the dispatch table of `api-core`, and write the response.
//! Every response, error or not, carries a `Request-Id`; errors are rendered here only.
//! `/dashboard` goes to the static assets instead, when the `DASHBOARD` var turns it on.

pub mod backend;
pub mod bindings;
pub mod memo;

use std::rc::Rc;

use api_core::config::Config;
use api_core::routes::{dispatch, is_dashboard_path, route, Route};
use api_core::wire::error::ApiError;
use api_core::wire::form::{decode_form, decode_json, merge, FormMap};
use api_core::wire::idempotency::{fingerprint, IdempotencyClaim, IdempotencyKey};
use api_core::wire::ids;
use api_core::wire::render::Rendered;
use api_core::wire::request::ApiRequest;
use worker::{Env, Request, Response, Result};

use backend::WorkerBackend;

/// The largest request body accepted; larger ones get a 413.
pub const MAX_BODY_BYTES: usize = 128 * 1024;
/// A too-large body up to this size is still read before the 413, so that the client's
/// keep-alive connection stays usable; a larger one is refused without reading it.
const DRAIN_LIMIT_BYTES: usize = 1024 * 1024;

/// The binding of the static assets (`[assets]` in wrangler.toml: the dashboard).
const ASSETS: &str = "ASSETS";

/// Serves one request end to end.
pub async fn serve(req: Request, env: Env) -> Result<Response> {
    // Every request reaches the Worker first (`run_worker_first`), so the dashboard is
    // served only when the var says so; otherwise its paths are unknown API paths (404).
    if config(&env).dashboard && is_dashboard_path(&req.path()) {
        if let Ok(assets) = env.assets(ASSETS) {
            return assets.fetch_request(req).await;
        }
    }
    let request_id = ids::random_id("req").unwrap_or_else(|_| "req_unavailable".to_owned());
    let stripe_version = header(&req, "Stripe-Version");
    let rendered = match handle(req, &env, &request_id).await {
        Ok(rendered) => rendered,
        Err(err) => {
            if let ApiError::Internal { detail } = &err {
                worker::console_error!("{request_id}: {detail}");
            }
            Rendered::error(&err)
        }
    };
    let mut response = Response::ok(rendered.body)?.with_status(rendered.status);
    let headers = response.headers_mut();
    headers.set("Content-Type", "application/json")?;
    headers.set("Request-Id", &request_id)?;
    headers.set("Cache-Control", "no-cache, no-store")?;
    if let Some(version) = stripe_version {
        headers.set("Stripe-Version", &version)?;
    }
    if rendered.replayed {
        headers.set("Idempotent-Replayed", "true")?;
    }
    Ok(response)
}

async fn handle(mut req: Request, env: &Env, request_id: &str) -> Result<Rendered, ApiError> {
    let config = config(env);
    let method = req.method().to_string();
    let path = req.path();
    let route = route(&method, &path)?;
    let account = config
        .keys
        .authenticate(header(&req, "Authorization").as_deref())?;
    route.check_ids()?;
    let params = read_params(&mut req, &route).await?;
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
    let request = ApiRequest {
        request_id: request_id.to_owned(),
        namespace: account.namespace(),
        account,
        params,
        idempotency,
        now,
        read_consistency: config.read_consistency,
        edge_cache_ttl_ms: config.edge_cache_ttl_ms,
        deleted_retention_seconds: config.deleted_retention_seconds,
    };
    dispatch(route, request, &WorkerBackend { env }).await
}

thread_local! {
    /// The vars and secrets, read once per isolate: they cannot change while it lives.
    static CONFIG: std::cell::OnceCell<Rc<Config>> = const { std::cell::OnceCell::new() };
}

fn config(env: &Env) -> Rc<Config> {
    CONFIG.with(|cell| {
        Rc::clone(cell.get_or_init(|| {
            Rc::new(Config::from_lookup(|name| {
                env.var(name)
                    .ok()
                    .map(|v| v.to_string())
                    .or_else(|| env.secret(name).ok().map(|s| s.to_string()))
            }))
        }))
    })
}

/// The query and, for routes that take one, the body, merged as Stripe merges them.
async fn read_params(req: &mut Request, route: &Route) -> Result<FormMap, ApiError> {
    let mut params = decode_form(query_of(&req.inner().url()).as_bytes())?;
    if route.reads_body() {
        merge(&mut params, read_body(req).await?);
    }
    Ok(params)
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

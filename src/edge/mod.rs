//! The Worker's request path: read the request once (route, key, query and body),
//! hand an `ApiRequest` to the dispatch table of `api-core`, and write the response.
//! Every response, error or not, carries a `Request-Id`; errors are rendered here only.
//! `/dashboard` goes to the static assets instead, when the `DASHBOARD` var turns it on.

pub mod backend;
pub mod bindings;
pub mod memo;
pub mod rate_limit;

use std::rc::Rc;

use api_core::config::Config;
use api_core::routes::{dispatch, is_dashboard_path, route, CustomerRoute, Route};
use api_core::wire::error::ApiError;
use api_core::wire::form::{decode_form, decode_json, merge, FormMap};
use api_core::wire::idempotency::{
    self as keys, fingerprint, IdempotencyClaim, IdempotencyKey, KeyCommand, KeyState,
};
use api_core::wire::ids;
use api_core::wire::render::Rendered;
use api_core::wire::request::ApiRequest;
use wasm_bindgen::prelude::wasm_bindgen;
use worker::js_sys::Promise;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{web_sys, Context, Env, Result};

use backend::WorkerBackend;
use bindings::{account_stub, call_object, platform_error};

use crate::promise::settled;

/// The largest request body accepted; larger ones get a 413.
pub const MAX_BODY_BYTES: usize = 128 * 1024;
/// A too-large body up to this size is still read before the 413, so that the client's
/// keep-alive connection stays usable; a larger one is refused without reading it.
const DRAIN_LIMIT_BYTES: usize = 1024 * 1024;

/// How long a retry waits for the request that holds its idempotency key.
const KEY_WAIT_MS: u64 = 2_000;
/// How often it asks again meanwhile.
const KEY_POLL_MS: u64 = 100;

/// The binding of the static assets (`[assets]` in wrangler.toml: the dashboard).
const ASSETS: &str = "ASSETS";

/// Serves one request end to end, over the runtime's own `Request` and `Response`:
/// worker's wrappers read the method, URL, headers and `cf` of every request and copy
/// bodies through streams, which costs more than the rest of a retrieve.
pub async fn serve(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    let req = Incoming::new(req);
    // Every request reaches the Worker first (`run_worker_first`), so the dashboard is
    // served only when the var says so; otherwise its paths are unknown API paths (404).
    if config(&env).dashboard && is_dashboard_path(req.path()) {
        if let Some(assets) = bindings::assets(&env, ASSETS) {
            return bindings::fetch_asset(&assets, &req.inner).await;
        }
    }
    if config(&env).trap_on_request && req.has_test_trap() {
        // Test-only (see Config::trap_on_request): a wasm trap, as a panic would be.
        std::process::abort();
    }
    let request_id = ids::random_id("req").unwrap_or_else(|_| "req_unavailable".to_owned());
    let stripe_version = req.header(Header::StripeVersion).map(str::to_owned);
    let backend = WorkerBackend::new(&env);
    let outcome = handle(req, &backend, &ctx, &request_id).await;
    let written = Written {
        request_id,
        stripe_version,
    };
    written.response(outcome, backend.take_forwarded())
}

/// The response to a forwarded read whose object did not answer a 200 (or whose call
/// failed: `status` 0): its error, as `serve` renders every error. Called from
/// JavaScript, `edgeForward` (scripts/fast-shim.mjs, [`bindings::forward_response`]).
#[wasm_bindgen(js_name = edgeForwardError)]
pub fn forward_error(
    status: u16,
    text: String,
    request_id: String,
    stripe_version: Option<String>,
) -> Result<web_sys::Response> {
    let written = Written {
        request_id,
        stripe_version,
    };
    written.response(Err(bindings::forwarded_error(status, &text)), None)
}

/// What the response says beside its body.
struct Written {
    request_id: String,
    stripe_version: Option<String>,
}

impl Written {
    /// The response to a request's outcome: what it rendered, or its error (an internal
    /// one logged with the request id); for a forwarded read, the promise of it, made
    /// from the object's answer when it settles (a 200's body, a JavaScript string, goes
    /// out as it came: [`bindings::forward_response`]). The runtime takes either.
    fn response(
        self,
        outcome: Result<Rendered, ApiError>,
        forwarded: Option<Promise>,
    ) -> Result<web_sys::Response> {
        let (rendered, should_retry) = match outcome {
            Ok(rendered) => (rendered, false),
            Err(err) => {
                if let ApiError::Internal { detail } = &err {
                    worker::console_error!("{}: {detail}", self.request_id);
                }
                (Rendered::error(&err), err.should_retry())
            }
        };
        let flags = response_flags(rendered.replayed, should_retry);
        let version = self.stripe_version.as_deref();
        if rendered.forwarded {
            let Some(answer) = forwarded else {
                return Err(worker::Error::RustError(
                    "a forwarded read with no answer".into(),
                ));
            };
            let pending = bindings::forward_response(&answer, &self.request_id, version, flags);
            return Ok(pending.unchecked_into());
        }
        Ok(respond(
            rendered.status,
            rendered.body.as_bytes(),
            &self.request_id,
            version,
            flags,
        )?)
    }
}

/// The headers a response carries beside those every response does (scripts/fast-shim.mjs,
/// `edgeRespond`): bit 0 `Idempotent-Replayed: true`; bit 1 `Stripe-Should-Retry: true`,
/// what Stripe asks the SDKs to retry on (a 409 in-progress key, a 429).
fn response_flags(replayed: bool, should_retry: bool) -> u8 {
    u8::from(replayed) | (u8::from(should_retry) << 1)
}

#[wasm_bindgen]
extern "C" {
    /// scripts/fast-shim.mjs: a response with `body` (copied) and its headers: the JSON
    /// content type, `Cache-Control`, `Request-Id`, `Stripe-Version` when the request named
    /// one, and what `flags` says ([`response_flags`]). One call: the `Headers`, each of
    /// its values and the `ResponseInit` had been a call each from the wasm.
    #[wasm_bindgen(catch, js_name = edgeRespond)]
    fn respond(
        status: u16,
        body: &[u8],
        request_id: &str,
        stripe_version: Option<&str>,
        flags: u8,
    ) -> std::result::Result<web_sys::Response, JsValue>;
}

/// The request headers the API reads: a GET or HEAD reads the first two only.
#[derive(Clone, Copy)]
enum Header {
    Authorization,
    StripeVersion,
    IdempotencyKey,
    ContentType,
    ContentLength,
}

/// Their names in the order of [`Header`], one a line: what a GET or HEAD reads, and
/// what any other request reads.
const READ_HEADER_NAMES: &str = "authorization\nstripe-version";
const WRITE_HEADER_NAMES: &str =
    "authorization\nstripe-version\nidempotency-key\ncontent-type\ncontent-length";

#[wasm_bindgen]
extern "C" {
    /// scripts/fast-shim.mjs: the request's method and URL, a line each, then the values
    /// of the headers it reads (`read_names` for a GET or HEAD, else `write_names`,
    /// newline-separated), each `1` and the value or `0` when absent, and a newline. One
    /// call for all of it: a call per header, each name and value crossing on its own,
    /// cost an update about 50 µs of isolate CPU (bench/profile.mjs), and the method and
    /// the URL were a call each.
    #[wasm_bindgen(js_name = edgeRequest)]
    fn read_request(
        request: &web_sys::Request,
        read_names: &JsValue,
        write_names: &JsValue,
    ) -> String;
}

thread_local! {
    /// The header names as the JavaScript strings the calls pass: a read's, a write's.
    static HEADER_NAMES_TEXT: (JsValue, JsValue) = (
        JsValue::from_str(READ_HEADER_NAMES),
        JsValue::from_str(WRITE_HEADER_NAMES),
    );
}

/// The parts of an incoming request the API reads, each read from the runtime once.
struct Incoming {
    inner: web_sys::Request,
    method: String,
    url: String,
    headers: [Option<String>; 5],
}

impl Incoming {
    fn new(inner: web_sys::Request) -> Self {
        let text = HEADER_NAMES_TEXT.with(|(read, write)| read_request(&inner, read, write));
        let mut lines = text.split('\n');
        let method = lines.next().unwrap_or_default().to_owned();
        let url = lines.next().unwrap_or_default().to_owned();
        let mut headers: [Option<String>; 5] = Default::default();
        for (value, line) in headers.iter_mut().zip(lines) {
            *value = line.strip_prefix('1').map(str::to_owned);
        }
        Incoming {
            method,
            url,
            headers,
            inner,
        }
    }

    /// Test-only (`Config::trap_on_request`): whether the request asks for a trap.
    fn has_test_trap(&self) -> bool {
        self.inner.headers().has("X-Test-Trap").unwrap_or(false)
    }

    /// The path of the URL, as sent (not percent-decoded).
    fn path(&self) -> &str {
        path_of(&self.url)
    }

    fn header(&self, header: Header) -> Option<&str> {
        self.headers.get(header as usize).and_then(Option::as_deref)
    }

    async fn bytes(&self) -> Result<Vec<u8>> {
        let buffer = settled(&self.inner.array_buffer()?).await?;
        Ok(worker::js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

async fn handle(
    req: Incoming,
    backend: &WorkerBackend<'_>,
    ctx: &Context,
    request_id: &str,
) -> Result<Rendered, ApiError> {
    let env = backend.env;
    let config = config(env);
    let method = req.method.clone();
    let path = req.path().to_owned();
    let route = route(&method, &path)?;
    let account = config
        .keys
        .authenticate(req.header(Header::Authorization))?;
    let namespace = account.namespace();
    route.check_ids()?;
    if let Some(limits) = &config.rate_limits {
        rate_limit::admit(&account, &namespace, limits, now_millis())?;
    }
    let params = read_params(&req, &route).await?;
    let now = now_seconds();
    // PATCH is an alias of POST, so both share one fingerprint.
    let method = if method == "PATCH" {
        "POST".to_owned()
    } else {
        method
    };
    // GETs ignore the key, so they do not read it.
    let key_header = if method == "POST" || method == "DELETE" {
        req.header(Header::IdempotencyKey)
    } else {
        None
    };
    let idempotency = IdempotencyKey::parse(key_header)?.map(|key| IdempotencyClaim {
        key: key.as_str().to_owned(),
        fingerprint: fingerprint(&method, &path, &params),
        now,
    });
    let customer_cap = match route {
        Route::Customers(CustomerRoute::Create) => config.customer_cap,
        _ => None,
    };
    if idempotency.is_some() || customer_cap.is_some() {
        if let Some(replay) = claim(env, &namespace, idempotency.as_ref(), customer_cap).await? {
            return Ok(replay);
        }
    }
    let key = idempotency.as_ref().map(|claim| claim.key.clone());
    let request = ApiRequest {
        request_id: request_id.to_owned(),
        namespace: namespace.clone(),
        account,
        params,
        idempotency,
        now,
        read_consistency: config.read_consistency,
        edge_cache_ttl_ms: config.edge_cache_ttl_ms,
        deleted_retention_seconds: config.deleted_retention_seconds,
        webhook_host_allowlist: config.webhook_host_allowlist.clone(),
    };
    let result = dispatch(route, request, backend).await;
    let kept = result.as_ref().is_ok_and(|rendered| rendered.key_kept);
    if let (Some(key), false) = (key, kept) {
        finish(ctx, env, namespace, key, &result);
    }
    result
}

/// Claims the request's idempotency key in the account's registry (and checks the
/// sandbox cap on customers): `None` to run the request, `Some` to replay a finished
/// one. A retry that finds its key still running waits for it (`KEY_WAIT_MS`), then
/// gets a 409 that the SDKs retry.
async fn claim(
    env: &Env,
    namespace: &str,
    claim: Option<&IdempotencyClaim>,
    customer_cap: Option<u64>,
) -> Result<Option<Rendered>, ApiError> {
    let stub = account_stub(env, namespace).map_err(platform_error)?;
    let command = KeyCommand::Claim {
        key: claim.map(|c| c.key.clone()),
        fingerprint: claim.map(|c| c.fingerprint.clone()).unwrap_or_default(),
        now: claim.map_or_else(now_seconds, |c| c.now),
        customer_cap,
    };
    let started = now_millis();
    loop {
        let answer = call_object(&stub, keys::PATH, &command).await?;
        match KeyState::from_text(&answer.body)? {
            KeyState::New => return Ok(None),
            KeyState::Done { status, body } => {
                return Ok(Some(Rendered {
                    status,
                    replayed: true,
                    ..Rendered::ok_pretty(body)
                }))
            }
            KeyState::Executing if now_millis() - started < KEY_WAIT_MS => {
                worker::Delay::from(std::time::Duration::from_millis(KEY_POLL_MS)).await;
            }
            KeyState::Executing => return Err(ApiError::IdempotencyInProgress),
        }
    }
}

/// Records the outcome of a keyed request after the response: a success is kept for
/// replays; a failure releases the key, so that a retry runs the request again. Off
/// the response's path (`wait_until`); a key never finished counts as abandoned after
/// `ABANDONED_AFTER_SECONDS`.
fn finish(
    ctx: &Context,
    env: &Env,
    namespace: String,
    key: String,
    result: &Result<Rendered, ApiError>,
) {
    let (status, body) = match result {
        Ok(rendered) if rendered.status < 300 => (rendered.status, rendered.body.clone()),
        _ => (0, String::new()),
    };
    let env = env.clone();
    ctx.wait_until(async move {
        let command = KeyCommand::Finish { key, status, body };
        let done = match account_stub(&env, &namespace) {
            Ok(stub) => call_object(&stub, keys::PATH, &command).await.map(|_| ()),
            Err(e) => Err(platform_error(e)),
        };
        if let Err(err) = done {
            worker::console_error!("finishing an idempotency key: {err:?}");
        }
    });
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
async fn read_params(req: &Incoming, route: &Route) -> Result<FormMap, ApiError> {
    let mut params = decode_form(query_of(&req.url).as_bytes())?;
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

/// The path of a serialized WHATWG URL: from the first `/` after the authority up to
/// the query or fragment (`/` when there is none).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let from_path = rest
        .find(['/', '?', '#'])
        .and_then(|start| rest.get(start..))
        .unwrap_or("");
    match from_path.split(['?', '#']).next() {
        Some(path) if !path.is_empty() => path,
        _ => "/",
    }
}

/// Reads and decodes the body: JSON when the client says so, else the form encoding.
async fn read_body(req: &Incoming) -> Result<FormMap, ApiError> {
    let too_large = ApiError::BodyTooLarge {
        limit: MAX_BODY_BYTES,
    };
    let declared = req
        .header(Header::ContentLength)
        .and_then(|v| v.trim().parse::<usize>().ok());
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
    let content_type = req
        .header(Header::ContentType)
        .unwrap_or_default()
        .to_ascii_lowercase();
    if content_type.starts_with("application/json") {
        Ok(decode_json(&body)?)
    } else {
        Ok(decode_form(&body)?)
    }
}

/// Milliseconds since the epoch, without allocating a JavaScript `Date`.
pub fn now_millis() -> u64 {
    worker::js_sys::Date::now() as u64
}

pub fn now_seconds() -> i64 {
    (now_millis() / 1000) as i64
}

#[cfg(test)]
mod tests {
    use super::{path_of, query_of};

    #[test]
    fn path_of_a_serialized_url() {
        for (url, path) in [
            ("https://example.com/", "/"),
            ("https://example.com/v1/customers", "/v1/customers"),
            (
                "https://example.com/v1/customers?limit=3&x=/y",
                "/v1/customers",
            ),
            ("https://example.com/v1/c#/frag?x", "/v1/c"),
            (
                "http://127.0.0.1:8787/v1/customers/cus_1",
                "/v1/customers/cus_1",
            ),
            ("https://example.com/a%3F%23%2Fb?c", "/a%3F%23%2Fb"),
            ("https://example.com?query", "/"),
            ("https://example.com#frag", "/"),
            ("https://example.com", "/"),
        ] {
            assert_eq!(path_of(url), path, "{url}");
        }
    }

    #[test]
    fn query_of_a_serialized_url() {
        assert_eq!(query_of("https://e.com/v1/customers?limit=3#x"), "limit=3");
        assert_eq!(query_of("https://e.com/v1/customers"), "");
        assert_eq!(query_of("https://e.com/p#a?b"), "");
    }
}

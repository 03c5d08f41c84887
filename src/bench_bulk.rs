//! Bench only: `POST /bench/bulk` (JSON body, the account's API key) hands a bulk-seeding
//! command to the account's AccountObject (`objects::account_object::bench_bulk`), and
//! `POST /bench/bill` (`{"customer": id, "to": unix seconds}`) sends one customer's
//! object the `billing.tick` its alarm sends when billing work comes due, run to `to`
//! (bench/billing.mjs: a renewal's cost without waiting a month). Both exist only when
//! the var `BENCH_BULK` is "true", which bench/scale.mjs and bench/billing.mjs set and
//! wrangler.toml never does; elsewhere they are unknown URLs (404) like any other.

use api_core::wire::auth::KeyPolicy;
use worker::{web_sys, Env, Result};

use api_core::wire::error::ApiError;

use crate::edge::bindings::{account_stub, call_object_with_text, customer_stub, platform_error};
use crate::objects::account_object::bench_bulk::PATH;
use crate::objects::account_object::clock_advance;
use crate::objects::customer_object::bench_seed;

/// The path of the bench's billing tick.
const BILL_PATH: &str = "/bench/bill";

/// CustomerObjects seeded at once, unless the command says (`in_flight`).
const OBJECTS_IN_FLIGHT: u64 = 32;

thread_local! {
    /// The var, read once per isolate (it cannot change while the isolate lives), so
    /// that every other request pays one flag test for this path.
    static ENABLED: std::cell::OnceCell<bool> = const { std::cell::OnceCell::new() };
}

/// Whether this request is one of the bench's commands on a worker that allows them.
pub fn wants(req: &web_sys::Request, env: &Env) -> bool {
    let enabled = ENABLED.with(|cell| {
        *cell.get_or_init(|| env.var("BENCH_BULK").is_ok_and(|v| v.to_string() == "true"))
    });
    enabled && req.method() == "POST" && {
        let url = req.url();
        url.ends_with(PATH) || url.ends_with(BILL_PATH)
    }
}

/// Authenticates the key as the API does and forwards the body to the AccountObject.
pub async fn serve(req: web_sys::Request, env: &Env) -> Result<web_sys::Response> {
    let var = |name: &str| env.var(name).map(|v| v.to_string()).unwrap_or_default();
    let api_keys = env
        .secret("API_KEYS")
        .map(|v| v.to_string())
        .unwrap_or_else(|_| var("API_KEYS"));
    let keys = KeyPolicy::new(&api_keys, var("SANDBOX_KEYS") == "true");
    let authorization = req.headers().get("Authorization").ok().flatten();
    let answer = match keys.authenticate(authorization.as_deref()) {
        Ok(account) => {
            let text = crate::promise::settled(&req.text()?).await?;
            let text = text.as_string().unwrap_or_default();
            let body: serde_json::Value = serde_json::from_str(&text)?;
            let namespace = account.namespace();
            if req.url().ends_with(BILL_PATH) {
                bill(env, &namespace, &body).await
            } else if body["op"] == "objects" {
                seed_objects(env, &namespace, &body).await
            } else {
                let stub = account_stub(env, &namespace)?;
                call_object_with_text(&stub, PATH, text)
                    .await
                    .map(|a| a.body)
            }
        }
        Err(err) => Err(err),
    };
    let (status, body) = match answer {
        Ok(answer) => (200, answer),
        Err(err) => (err.status(), format!("{err:?}")),
    };
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    web_sys::Response::new_with_opt_str_and_init(Some(&body), &init).map_err(Into::into)
}

/// Runs customer `body.customer`'s billing up to `body.to` in its object: the command
/// its `billing` alarm job sends (`customer_object::billing_tick`), through the Worker →
/// object call a test clock's advance makes. Answers the object's answer.
async fn bill(
    env: &Env,
    namespace: &str,
    body: &serde_json::Value,
) -> std::result::Result<String, ApiError> {
    let customer = body.get("customer").and_then(serde_json::Value::as_str);
    let to = body.get("to").and_then(serde_json::Value::as_i64);
    let (Some(customer), Some(to)) = (customer, to) else {
        return Err(ApiError::bad_request(
            "bench bill: the body is {\"customer\": id, \"to\": unix seconds}",
        ));
    };
    clock_advance::tick(env, namespace, customer, to).await
}

/// Gives seeded customers `from..to` their CustomerObjects: their records from the
/// index (a line each: id, version, record, separated by tabs), each sent to its object
/// as `[namespace, version, record]`, `in_flight` at a time.
async fn seed_objects(
    env: &Env,
    namespace: &str,
    body: &serde_json::Value,
) -> std::result::Result<String, ApiError> {
    let mut ask = body.clone();
    ask["op"] = "records".into();
    let stub = account_stub(env, namespace).map_err(platform_error)?;
    let answer = call_object_with_text(&stub, PATH, serde_json::to_string(&ask)?).await?;
    let records: Vec<(&str, &str, &str)> = answer
        .body
        .lines()
        .filter_map(|line| {
            let mut fields = line.splitn(3, '\t');
            Some((fields.next()?, fields.next()?, fields.next()?))
        })
        .collect();
    let in_flight = body["in_flight"]
        .as_u64()
        .unwrap_or(OBJECTS_IN_FLIGHT)
        .max(1);
    let quoted = serde_json::to_string(namespace)?;
    for chunk in records.chunks(in_flight as usize) {
        let calls = chunk.iter().map(|(id, version, record)| {
            let seed = format!("[{quoted},{version},{record}]");
            async move {
                let stub = customer_stub(env, namespace, id).map_err(platform_error)?;
                call_object_with_text(&stub, bench_seed::PATH, seed).await
            }
        });
        for result in futures_util::future::join_all(calls).await {
            result?;
        }
    }
    Ok(format!("{{\"objects\":{}}}", records.len()))
}

//! Webhook deliveries: one row per (event, endpoint) owed, sent by the alarm, never on
//! the request's path. At least once (rows live in SQLite), in order per customer and
//! endpoint (a later event waits while an earlier one is owed), retried with backoff.

use api_core::resources::webhook_endpoints::attempts::ListAttempts;
use api_core::resources::webhook_endpoints::delivery::{
    after_failure, headers, is_success, payload, AfterFailure,
};
use api_core::resources::webhook_endpoints::retry_schedule::RetrySchedule;
use api_core::wire::error::ApiError;
use api_core::wire::ids::random_bytes;
use api_core::wire::pagination::{finish_page, index_page_json};
use futures_util::future::{select, Either};
use worker::js_sys::{self, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::{web_sys, AbortController, Delay, SqlStorage, SqlStorageValue};

use super::events_log;
use crate::objects::sql::{bind, first, query, run_statement};
use crate::promise::settled;

/// Where one delivery goes: an endpoint's id, URL and signing secret.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub url: String,
    pub secret: String,
}

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS deliveries (
        event_seq INTEGER NOT NULL,
        endpoint_id TEXT NOT NULL,
        object_id TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        first_attempt_ms INTEGER,
        next_attempt_ms INTEGER NOT NULL,
        PRIMARY KEY (endpoint_id, event_seq))",
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (state, next_attempt_ms)",
    "CREATE TABLE IF NOT EXISTS delivery_attempts (
        seq INTEGER PRIMARY KEY,
        endpoint_id TEXT NOT NULL,
        event_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        status INTEGER,
        duration_ms INTEGER NOT NULL,
        response_excerpt TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS delivery_attempts_by_endpoint ON delivery_attempts (endpoint_id, seq)",
];

/// Bytes of a receiver's answer kept with each attempt.
const EXCERPT_BYTES: usize = 200;
/// Deliveries taken per round of the alarm.
const BATCH: i64 = 20;

/// How deliveries are sent: the retry schedule and the time-out of one attempt.
#[derive(Debug, Clone)]
pub struct DeliveryPolicy {
    pub schedule: RetrySchedule,
    pub timeout_ms: u64,
}

/// Owes the event at `event_seq` (about `object_id`) to `target`, due now.
pub fn enqueue(
    sql: &SqlStorage,
    event_seq: i64,
    object_id: &str,
    target: &Target,
    now_ms: i64,
) -> Result<(), ApiError> {
    run_statement(
        sql,
        "INSERT OR IGNORE INTO deliveries (event_seq, endpoint_id, object_id, next_attempt_ms) VALUES (?, ?, ?, ?)",
        vec![
            SqlStorageValue::Integer(event_seq),
            target.id.as_str().into(),
            object_id.into(),
            SqlStorageValue::Integer(now_ms),
        ],
    )?;
    Ok(())
}

/// Owes the event at `event_seq` to the endpoint `endpoint_id` again, due now, with a
/// fresh retry schedule, whatever became of its earlier delivery (the dashboard's resend).
/// An event not owed before is counted in its `pending_webhooks` again.
pub fn resend(
    sql: &SqlStorage,
    event_seq: i64,
    object_id: &str,
    endpoint_id: &str,
    now_ms: i64,
) -> Result<(), ApiError> {
    run_statement(
        sql,
        "UPDATE events SET pending_webhooks = pending_webhooks + 1 WHERE seq = ?
         AND NOT EXISTS (SELECT 1 FROM deliveries
                         WHERE endpoint_id = ? AND event_seq = ? AND state = 'pending')",
        vec![
            SqlStorageValue::Integer(event_seq),
            endpoint_id.into(),
            SqlStorageValue::Integer(event_seq),
        ],
    )?;
    run_statement(
        sql,
        "INSERT INTO deliveries (event_seq, endpoint_id, object_id, next_attempt_ms) VALUES (?, ?, ?, ?)
         ON CONFLICT (endpoint_id, event_seq) DO UPDATE SET state = 'pending', attempts = 0,
           first_attempt_ms = NULL, next_attempt_ms = excluded.next_attempt_ms",
        vec![
            SqlStorageValue::Integer(event_seq),
            endpoint_id.into(),
            object_id.into(),
            SqlStorageValue::Integer(now_ms),
        ],
    )?;
    Ok(())
}

/// One page of an endpoint's delivery attempts, newest first (SQLite writes the JSON).
pub fn attempts_page(
    sql: &SqlStorage,
    endpoint_id: &str,
    list: &ListAttempts,
) -> Result<String, ApiError> {
    let at = list.cursor_seq()?;
    if let Some(seq) = at {
        let found = first(
            sql,
            "SELECT seq FROM delivery_attempts WHERE seq = ? AND endpoint_id = ?",
            vec![SqlStorageValue::Integer(seq), endpoint_id.into()],
        )?;
        if found.is_none() {
            return Err(list.missing_cursor());
        }
    }
    let page = list.page_query(endpoint_id, at);
    let rows = query(sql, &page.sql, bind(page.args))?;
    let (rows, has_more) = finish_page(rows, list.limit, page.reversed);
    let documents: Vec<&str> = rows.iter().map(|r| r.str(0)).collect();
    Ok(index_page_json(has_more, None, &documents))
}

/// Stops every delivery still owed to an endpoint that was disabled or deleted.
pub fn cancel_for(sql: &SqlStorage, endpoint_id: &str) -> Result<(), ApiError> {
    run_statement(
        sql,
        "UPDATE events SET pending_webhooks = max(0, pending_webhooks - 1)
         WHERE seq IN (SELECT event_seq FROM deliveries WHERE endpoint_id = ? AND state = 'pending')",
        vec![endpoint_id.into()],
    )?;
    run_statement(
        sql,
        "UPDATE deliveries SET state = 'cancelled' WHERE endpoint_id = ? AND state = 'pending'",
        vec![endpoint_id.into()],
    )?;
    Ok(())
}

/// One delivery that may be attempted now.
#[derive(Debug)]
pub struct Due {
    pub event_seq: i64,
    pub endpoint_id: String,
    pub attempts: i64,
    pub first_attempt_ms: Option<i64>,
}

/// A pending delivery that heads its chain: its endpoint owes no earlier event of the
/// same object. Only heads are sent, which keeps the order per customer and endpoint.
const HEAD: &str = "d.state = 'pending'
    AND NOT EXISTS (SELECT 1 FROM deliveries e
                    WHERE e.endpoint_id = d.endpoint_id AND e.object_id = d.object_id
                      AND e.state = 'pending' AND e.event_seq < d.event_seq)";

/// The chain heads due at `now_ms`, oldest event first.
pub fn due(sql: &SqlStorage, now_ms: i64) -> Result<Vec<Due>, ApiError> {
    let rows = query(
        sql,
        &format!(
            "SELECT d.event_seq, d.endpoint_id, d.attempts, d.first_attempt_ms FROM deliveries d
             WHERE {HEAD} AND d.next_attempt_ms <= ? ORDER BY d.event_seq LIMIT ?"
        ),
        vec![
            SqlStorageValue::Integer(now_ms),
            SqlStorageValue::Integer(BATCH),
        ],
    )?;
    Ok(rows
        .into_iter()
        .map(|mut r| Due {
            event_seq: r.int(0),
            endpoint_id: r.text(1),
            attempts: r.int(2),
            first_attempt_ms: r.opt_int(3),
        })
        .collect())
}

/// When the next chain head is due, if any is.
pub fn next_due_ms(sql: &SqlStorage) -> Result<Option<i64>, ApiError> {
    let row = first(
        sql,
        &format!("SELECT min(d.next_attempt_ms) AS due FROM deliveries d WHERE {HEAD}"),
        Vec::new(),
    )?;
    Ok(row.and_then(|r| r.opt_int(0)))
}

/// What one attempt got back: a status (or none: a network error or time-out), how
/// long it took, and the start of the answer.
pub struct Attempt {
    pub status: Option<u16>,
    pub duration_ms: i64,
    pub excerpt: String,
}

/// Sends the event at `due.event_seq` to `target` once.
pub async fn attempt(
    sql: &SqlStorage,
    due: &Due,
    target: &Target,
    policy: &DeliveryPolicy,
    fault: bool,
) -> Result<Option<(String, Attempt)>, ApiError> {
    let Some((document, pending)) = events_log::document(sql, due.event_seq)? else {
        return Ok(None);
    };
    let body = payload(&document, pending)?;
    let event_id = serde_json::from_str::<events_log::EventHead>(&document)?
        .id
        .to_owned();
    let started = crate::edge::now_millis() as i64;
    let outcome = if fault {
        Err("fault injected (FAULTS): webhook_send".to_owned())
    } else {
        post(target, &body, started / 1000, policy.timeout_ms).await
    };
    let duration_ms = crate::edge::now_millis() as i64 - started;
    let attempt = match outcome {
        Ok((status, text)) => Attempt {
            status: Some(status),
            duration_ms,
            excerpt: excerpt(&text),
        },
        Err(why) => Attempt {
            status: None,
            duration_ms,
            excerpt: why,
        },
    };
    Ok(Some((event_id, attempt)))
}

/// Records an attempt and moves the delivery on: done, retried later, or given up.
pub fn settle(
    sql: &SqlStorage,
    due: &Due,
    event_id: &str,
    attempt: &Attempt,
    policy: &DeliveryPolicy,
    now_ms: i64,
) -> Result<(), ApiError> {
    run_statement(
        sql,
        "INSERT INTO delivery_attempts (endpoint_id, event_id, at_ms, status, duration_ms, response_excerpt) VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            due.endpoint_id.as_str().into(),
            event_id.into(),
            SqlStorageValue::Integer(now_ms - attempt.duration_ms),
            attempt.status.map(i64::from).into(),
            SqlStorageValue::Integer(attempt.duration_ms),
            attempt.excerpt.as_str().into(),
        ],
    )?;
    let first = due.first_attempt_ms.unwrap_or(now_ms - attempt.duration_ms);
    let attempts = due.attempts + 1;
    let (state, next) = if attempt.status.is_some_and(is_success) {
        ("succeeded", now_ms)
    } else {
        let jitter = random_bytes(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0);
        let failures = u32::try_from(attempts).unwrap_or(u32::MAX);
        match after_failure(&policy.schedule, failures, first, now_ms, jitter) {
            AfterFailure::RetryAt(at) => ("pending", at),
            AfterFailure::GiveUp => ("failed", now_ms),
        }
    };
    let written = run_statement(
        sql,
        "UPDATE deliveries SET state = ?, attempts = ?, first_attempt_ms = ?, next_attempt_ms = ?
             WHERE endpoint_id = ? AND event_seq = ? AND state = 'pending'",
        vec![
            state.into(),
            SqlStorageValue::Integer(attempts),
            SqlStorageValue::Integer(first),
            SqlStorageValue::Integer(next),
            due.endpoint_id.as_str().into(),
            SqlStorageValue::Integer(due.event_seq),
        ],
    )?;
    // Cancelled meanwhile (the endpoint was disabled): its count was already taken off.
    if written > 0 && state == "succeeded" {
        events_log::add_pending(sql, due.event_seq, -1)?;
    }
    Ok(())
}

fn excerpt(text: &str) -> String {
    let mut end = text.len().min(EXCERPT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// POSTs `body` to the target, signed; a redirect is not followed (it is a failure, as
/// at Stripe). Answers the status and body, or why there was none.
async fn post(
    target: &Target,
    body: &str,
    timestamp: i64,
    timeout_ms: u64,
) -> Result<(u16, String), String> {
    let request = signed_request(target, body, timestamp).map_err(|e| format!("request: {e}"))?;
    let controller = AbortController::default();
    let signal = controller.signal();
    let sending = std::pin::pin!(send(&request, &signal));
    let timer = std::pin::pin!(Delay::from(std::time::Duration::from_millis(timeout_ms)));
    match select(sending, timer).await {
        Either::Left((Ok(answer), _)) => Ok(answer),
        Either::Left((Err(e), _)) => Err(format!("network error: {}", worker::Error::from(e))),
        Either::Right(_) => {
            controller.abort();
            Err(format!("timed out after {timeout_ms} ms"))
        }
    }
}

/// The runtime's `fetch` of `request`, and the answer's status and body (empty unless it
/// is UTF-8), read as one buffer: worker's `Fetch` and `Response::text` read the body
/// through a stream of chunks, code the wasm needs for nothing else.
async fn send(
    request: &web_sys::Request,
    signal: &web_sys::AbortSignal,
) -> Result<(u16, String), JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_signal(Some(signal));
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let response: web_sys::Response = settled(&global.fetch_with_request_and_init(request, &init))
        .await?
        .dyn_into()?;
    let status = response.status();
    let body = match response.array_buffer() {
        Ok(buffer) => settled(&buffer).await.ok(),
        Err(_) => None,
    };
    let text = body
        .map(|buffer| Uint8Array::new(&buffer).to_vec())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_default();
    Ok((status, text))
}

fn signed_request(target: &Target, body: &str, timestamp: i64) -> worker::Result<web_sys::Request> {
    let js_headers = web_sys::Headers::new().map_err(worker::Error::from)?;
    for (name, value) in headers(&target.secret, timestamp, body) {
        js_headers.set(name, &value).map_err(worker::Error::from)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&js_headers);
    init.set_body(&body.into());
    init.set_redirect(web_sys::RequestRedirect::Manual);
    web_sys::Request::new_with_str_and_init(&target.url, &init).map_err(worker::Error::from)
}

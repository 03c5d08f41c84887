//! The account's webhook endpoints in SQL: create, retrieve, update, list and delete,
//! the targets an event of a given type is delivered to, and (ours, for the dashboard)
//! an endpoint's delivery attempts and the resend of one event.

use api_core::resources::events::types::endpoint_wants;
use api_core::resources::webhook_endpoints::attempts::{
    check_resend, no_such_event, resend_json, ListAttempts,
};
use api_core::resources::webhook_endpoints::commands::EndpointCommand;
use api_core::resources::webhook_endpoints::model::{
    DeletedWebhookEndpoint, EndpointStatus, WebhookEndpoint,
};
use api_core::wire::error::ApiError;
use api_core::wire::pagination::{finish_page, index_page_json, Conditions};
use worker::{SqlStorage, SqlStorageValue};

use super::deliveries::{self, Target};
use super::events_log;
use crate::objects::scheduler::now_ms;
use crate::objects::sql::{bind, count, first, position_of, query, run_statement};

pub const SCHEMA: &[&str] = &["CREATE TABLE IF NOT EXISTS webhook_endpoints (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created INTEGER NOT NULL,
        secret TEXT NOT NULL,
        document TEXT NOT NULL)"];

/// The columns an endpoint is read from, in this order everywhere: secret (0), document (1).
const COLUMNS: &str = "secret, document";

/// Runs one endpoint command; answers the JSON the API shows.
pub fn execute(sql: &SqlStorage, command: EndpointCommand) -> Result<String, ApiError> {
    match command {
        EndpointCommand::Create { endpoint } => create(sql, endpoint),
        EndpointCommand::Retrieve { id } => Ok(serde_json::to_string(&load(sql, &id)?.0)?),
        EndpointCommand::Update { id, changes } => {
            let (mut endpoint, _) = load(sql, &id)?;
            changes.apply_to(&mut endpoint)?;
            save(sql, &endpoint)?;
            Ok(serde_json::to_string(&endpoint)?)
        }
        EndpointCommand::List { limit, cursor } => {
            let at = match cursor.named() {
                Some((id, param)) => Some(position_of(
                    sql,
                    "webhook_endpoints",
                    "webhook endpoint",
                    id,
                    param,
                )?),
                None => None,
            };
            let page = Conditions::new("1 = 1").page(
                COLUMNS,
                "webhook_endpoints",
                at,
                cursor.is_reversed(),
                limit,
            );
            let rows = query(sql, &page.sql, bind(page.args))?;
            let (rows, has_more) = finish_page(rows, limit, page.reversed);
            let documents: Vec<&str> = rows.iter().map(|r| r.str(1)).collect();
            Ok(index_page_json(has_more, None, &documents))
        }
        EndpointCommand::Delete { id } => {
            load(sql, &id)?;
            run_statement(
                sql,
                "DELETE FROM webhook_endpoints WHERE id = ?",
                vec![id.as_str().into()],
            )?;
            Ok(serde_json::to_string(&DeletedWebhookEndpoint::new(id))?)
        }
        EndpointCommand::ListAttempts { id, limit, cursor } => {
            load(sql, &id)?;
            deliveries::attempts_page(sql, &id, &ListAttempts { limit, cursor })
        }
        EndpointCommand::Resend { id, event } => {
            let (endpoint, _) = load(sql, &id)?;
            let found = events_log::find(sql, &event)?.ok_or_else(|| no_such_event(&event))?;
            check_resend(&endpoint, found.kind())?;
            deliveries::resend(sql, found.seq, found.object_id(), &id, now_ms())?;
            Ok(resend_json(&event, &id))
        }
    }
}

/// Stripe allows an account 16 webhook endpoints.
pub const MAX_ENDPOINTS: i64 = 16;

/// Stores a new endpoint; its secret is kept apart and never shown again.
fn create(sql: &SqlStorage, mut endpoint: WebhookEndpoint) -> Result<String, ApiError> {
    if count(
        sql,
        "SELECT count(*) AS n FROM webhook_endpoints",
        Vec::new(),
    )? >= MAX_ENDPOINTS
    {
        return Err(ApiError::bad_request(format!(
            "This account already has {MAX_ENDPOINTS} webhook endpoints, the most it can have; delete one before adding another."
        )));
    }
    let shown = serde_json::to_string(&endpoint)?;
    let secret = endpoint.secret.take().unwrap_or_default();
    run_statement(
        sql,
        "INSERT INTO webhook_endpoints (id, created, secret, document) VALUES (?, ?, ?, ?)",
        vec![
            endpoint.id.as_str().into(),
            SqlStorageValue::Integer(endpoint.created),
            secret.into(),
            serde_json::to_string(&endpoint)?.into(),
        ],
    )?;
    Ok(shown)
}

fn save(sql: &SqlStorage, endpoint: &WebhookEndpoint) -> Result<(), ApiError> {
    run_statement(
        sql,
        "UPDATE webhook_endpoints SET document = ? WHERE id = ?",
        vec![
            serde_json::to_string(endpoint)?.into(),
            endpoint.id.as_str().into(),
        ],
    )?;
    Ok(())
}

/// The endpoint and its secret; 404 if the account has no such endpoint.
fn load(sql: &SqlStorage, id: &str) -> Result<(WebhookEndpoint, String), ApiError> {
    let mut row = first(
        sql,
        "SELECT secret, document FROM webhook_endpoints WHERE id = ?",
        vec![id.into()],
    )?
    .ok_or_else(|| ApiError::not_found("webhook endpoint", id))?;
    Ok((serde_json::from_str(row.str(1))?, row.text(0)))
}

/// Every enabled endpoint, with what it subscribes to.
pub fn enabled(sql: &SqlStorage) -> Result<Vec<(Target, Vec<String>)>, ApiError> {
    let rows = query(
        sql,
        "SELECT secret, document FROM webhook_endpoints",
        Vec::new(),
    )?;
    let mut targets = Vec::new();
    for mut row in rows {
        let endpoint: WebhookEndpoint = serde_json::from_str(row.str(1))?;
        if endpoint.status == EndpointStatus::Enabled {
            let target = Target {
                id: endpoint.id,
                url: endpoint.url,
                secret: row.text(0),
            };
            targets.push((target, endpoint.enabled_events));
        }
    }
    Ok(targets)
}

/// The enabled endpoint `id`, if it still exists and is enabled.
pub fn enabled_target(sql: &SqlStorage, id: &str) -> Result<Option<Target>, ApiError> {
    match load(sql, id) {
        Ok((endpoint, secret)) if endpoint.status == EndpointStatus::Enabled => Ok(Some(Target {
            id: endpoint.id,
            url: endpoint.url,
            secret,
        })),
        Ok(_) => Ok(None),
        Err(ApiError::NoSuchObject { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The endpoints (of `targets`) that want events of `kind`.
pub fn wanting<'a>(
    targets: &'a [(Target, Vec<String>)],
    kind: &'a str,
) -> impl Iterator<Item = &'a Target> {
    targets
        .iter()
        .filter(move |(_, events)| endpoint_wants(events, kind))
        .map(|(target, _)| target)
}

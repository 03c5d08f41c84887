//! The `/v1/webhook_endpoints` handlers: create (the only answer that shows the
//! `secret`), retrieve, update, list and delete, each one command to the AccountObject;
//! and our extensions for the dashboard: an endpoint's delivery attempts, and resend.

use serde_json::value::RawValue;

use super::attempts::{parse_resend, ListAttempts};
use super::commands::{EndpointBackend, EndpointCommand};
use super::model::{host_allowed, EndpointStatus, WebhookEndpoint, WEBHOOK_ENDPOINT_OBJECT};
use super::params::{CreateEndpoint, EndpointChanges};
use crate::wire::envelope::List;
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::metadata::Metadata;
use crate::wire::pagination::{Cursor, IndexPage, Limit};
use crate::wire::params::{expand_paths, Params};
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

const LIST_URL: &str = "/v1/webhook_endpoints";

/// Reads `expand[]`: a webhook endpoint has no expandable field (its
/// `x-expandableFields` in Stripe's 2023-08-16 schema is empty), so any path is
/// Stripe's 400 on `expand`; none given is fine.
fn ignore_expand(p: &mut Params) -> Result<(), ApiError> {
    expand_paths(p, |_| false).map(|_| ())
}

/// POST /v1/webhook_endpoints
pub async fn create(mut req: ApiRequest, db: &impl EndpointBackend) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    ignore_expand(&mut p)?;
    let params = CreateEndpoint::parse(&mut p)?;
    p.finish()?;
    check_host(&params.url, &req)?;
    let mut metadata = Metadata::new();
    params.metadata.apply_to(&mut metadata)?;
    let endpoint = WebhookEndpoint {
        id: ids::random_id("we")?,
        object: WEBHOOK_ENDPOINT_OBJECT.to_owned(),
        api_version: params.api_version,
        application: None,
        created: req.now,
        description: params.description,
        enabled_events: params.enabled_events,
        livemode: req.account.livemode,
        metadata,
        secret: Some(new_secret()?),
        status: EndpointStatus::Enabled,
        url: params.url,
    };
    let body = serde_json::to_string(&endpoint)?;
    db.endpoint_command(&req.namespace, &EndpointCommand::Create { endpoint })
        .await?;
    Ok(Rendered::ok_compact(&body))
}

/// With `WEBHOOK_HOST_ALLOWLIST` set, an endpoint URL must name one of its hosts.
fn check_host(url: &str, req: &ApiRequest) -> Result<(), ApiError> {
    if host_allowed(url, &req.webhook_host_allowlist) {
        return Ok(());
    }
    Err(ApiError::invalid(
        "url",
        format!(
            "Invalid URL: {url}: webhook endpoints of this deployment may only send to these hosts: {}.",
            crate::wire::render::join(&req.webhook_host_allowlist, ", ")
        ),
    ))
}

/// A signing secret: `whsec_` and 32 base62 characters.
fn new_secret() -> Result<String, ApiError> {
    Ok(format!("whsec_{}", ids::random_base62(32)?))
}

/// GET /v1/webhook_endpoints/{id}
pub async fn retrieve(
    mut req: ApiRequest,
    db: &impl EndpointBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    ignore_expand(&mut p)?;
    p.finish()?;
    let command = EndpointCommand::Retrieve { id: id.to_owned() };
    let body = db.endpoint_command(&req.namespace, &command).await?;
    Ok(Rendered::ok_compact(&body))
}

/// POST /v1/webhook_endpoints/{id}
pub async fn update(
    mut req: ApiRequest,
    db: &impl EndpointBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    ignore_expand(&mut p)?;
    let changes = EndpointChanges::parse(&mut p)?;
    p.finish()?;
    if let Some(url) = &changes.url {
        check_host(url, &req)?;
    }
    let command = EndpointCommand::Update {
        id: id.to_owned(),
        changes,
    };
    let body = db.endpoint_command(&req.namespace, &command).await?;
    Ok(Rendered::ok_compact(&body))
}

/// GET /v1/webhook_endpoints
pub async fn list(mut req: ApiRequest, db: &impl EndpointBackend) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    ignore_expand(&mut p)?;
    let command = EndpointCommand::List {
        limit: Limit::parse(&mut p)?,
        cursor: Cursor::parse(&mut p)?,
    };
    p.finish()?;
    let body = db.endpoint_command(&req.namespace, &command).await?;
    let page: IndexPage = serde_json::from_str(&body)?;
    let data: Vec<&RawValue> = page.documents;
    let envelope = List::new(LIST_URL, data, page.has_more);
    Ok(Rendered::ok_compact(&serde_json::to_string(&envelope)?))
}

/// DELETE /v1/webhook_endpoints/{id}
pub async fn delete(
    mut req: ApiRequest,
    db: &impl EndpointBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    req.take_params().finish()?;
    let command = EndpointCommand::Delete { id: id.to_owned() };
    let body = db.endpoint_command(&req.namespace, &command).await?;
    Ok(Rendered::ok_compact(&body))
}

/// GET /v1/webhook_endpoints/{id}/delivery_attempts (ours): newest first.
pub async fn list_attempts(
    mut req: ApiRequest,
    db: &impl EndpointBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let list = ListAttempts::parse(&mut p)?;
    p.finish()?;
    list.cursor_seq()?;
    let command = EndpointCommand::ListAttempts {
        id: id.to_owned(),
        limit: list.limit,
        cursor: list.cursor,
    };
    let body = db.endpoint_command(&req.namespace, &command).await?;
    let page: IndexPage = serde_json::from_str(&body)?;
    let url = format!("{LIST_URL}/{id}/delivery_attempts");
    let envelope = List::new(&url, page.documents, page.has_more);
    Ok(Rendered::ok_compact(&serde_json::to_string(&envelope)?))
}

/// POST /v1/webhook_endpoints/{id}/resend (ours): `event=evt_…`, sent again by the alarm.
pub async fn resend(
    mut req: ApiRequest,
    db: &impl EndpointBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let event = parse_resend(&mut p)?;
    p.finish()?;
    let command = EndpointCommand::Resend {
        id: id.to_owned(),
        event,
    };
    let body = db.endpoint_command(&req.namespace, &command).await?;
    Ok(Rendered::ok_compact(&body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_whsec_and_thirty_two_base62_characters() {
        let secret = new_secret().unwrap();
        let body = secret.strip_prefix("whsec_").unwrap();
        assert_eq!(body.len(), 32, "{secret}");
        assert!(body.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}

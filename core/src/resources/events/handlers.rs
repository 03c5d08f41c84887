//! The `/v1/events` handlers: list (with the type, created and delivery filters) and
//! retrieve, both answered from the account's event log in its AccountObject.

use serde_json::value::RawValue;

use super::commands::{EventBackend, EventCommand};
use super::list::ListEvents;
use crate::resources::objects::check_expand;
use crate::wire::envelope::List;
use crate::wire::error::ApiError;
use crate::wire::pagination::IndexPage;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

const LIST_URL: &str = "/v1/events";

/// `expand[]` on an event: its `x-expandableFields` in Stripe's 2023-08-16 schema, both
/// objects already (`data`, `request`), so a checked path changes nothing shown.
const EXPANDABLE: &[&str] = &["data", "request"];

/// GET /v1/events
pub async fn list(mut req: ApiRequest, db: &impl EventBackend) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let list = ListEvents::parse(&mut p)?;
    check_expand(&mut p, true, EXPANDABLE)?;
    p.finish()?;
    let body = db
        .event_command(&req.namespace, &EventCommand::List { list })
        .await?;
    let page: IndexPage = serde_json::from_str(&body)?;
    let data: Vec<&RawValue> = page.documents;
    let envelope = List::new(LIST_URL, data, page.has_more);
    Ok(Rendered::ok_compact(&serde_json::to_string(&envelope)?))
}

/// GET /v1/events/{id}
pub async fn retrieve(
    mut req: ApiRequest,
    db: &impl EventBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    check_expand(&mut p, false, EXPANDABLE)?;
    p.finish()?;
    let command = EventCommand::Retrieve { id: id.to_owned() };
    let body = db.event_command(&req.namespace, &command).await?;
    Ok(Rendered::ok_compact(&body))
}

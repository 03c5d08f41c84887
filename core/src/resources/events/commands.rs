//! What the Worker asks the AccountObject about events (path `/events`), and the
//! backend trait the event handlers reach it through.

use serde::{Deserialize, Serialize};

use super::list::ListEvents;
use crate::wire::error::ApiError;

/// The AccountObject's internal path for event commands.
pub const PATH: &str = "/events";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventCommand {
    /// A page of events; answers the list envelope's JSON without `url`-level changes.
    List { list: ListEvents },
    /// One event's JSON, or `resource_missing`.
    Retrieve { id: String },
}

/// Storage as the event handlers see it.
// The Worker runs on one thread, so these futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait EventBackend {
    /// Runs an event command in the account's AccountObject; answers its body.
    async fn event_command(
        &self,
        namespace: &str,
        command: &EventCommand,
    ) -> Result<String, ApiError>;
}

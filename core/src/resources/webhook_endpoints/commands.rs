//! What the Worker asks the AccountObject about webhook endpoints (path
//! `/webhook_endpoints`), and the backend trait the endpoint handlers reach it through.

use serde::{Deserialize, Serialize};

use super::model::WebhookEndpoint;
use super::params::EndpointChanges;
use crate::wire::error::ApiError;
use crate::wire::pagination::{Cursor, Limit};

/// The AccountObject's internal path for endpoint commands.
pub const PATH: &str = "/webhook_endpoints";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointCommand {
    /// Stores a new endpoint (built, with its id and secret, by the handler).
    Create {
        endpoint: WebhookEndpoint,
    },
    Retrieve {
        id: String,
    },
    Update {
        id: String,
        changes: EndpointChanges,
    },
    List {
        limit: Limit,
        cursor: Cursor,
    },
    /// Deletes the endpoint; its deliveries still owed are cancelled.
    Delete {
        id: String,
    },
    /// A page of the endpoint's delivery attempts (our extension).
    ListAttempts {
        id: String,
        limit: Limit,
        cursor: Cursor,
    },
    /// Owes the account's event `event` to the endpoint again, due now (our extension).
    Resend {
        id: String,
        event: String,
    },
}

/// Storage as the endpoint handlers see it.
// The Worker runs on one thread, so these futures need not be `Send`.
#[allow(async_fn_in_trait)]
pub trait EndpointBackend {
    /// Runs an endpoint command in the account's AccountObject; answers its body.
    async fn endpoint_command(
        &self,
        namespace: &str,
        command: &EndpointCommand,
    ) -> Result<String, ApiError>;
}

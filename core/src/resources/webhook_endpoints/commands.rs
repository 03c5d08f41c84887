//! What the Worker asks the AccountObject about webhook endpoints (path
//! `/webhook_endpoints`, in the compact form of `wire::codec`), and the backend trait
//! the endpoint handlers reach it through.

use super::model::WebhookEndpoint;
use super::params::EndpointChanges;
use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::pagination::{Cursor, Limit};

/// The AccountObject's internal path for endpoint commands.
pub const PATH: &str = "/webhook_endpoints";

#[derive(Debug, Clone)]
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

impl Message for EndpointCommand {
    fn write(&self, w: &mut Writer) {
        match self {
            EndpointCommand::Create { endpoint } => {
                w.str("create");
                // The stored JSON of the endpoint, which the object keeps as it is.
                w.str(&serde_json::to_string(endpoint).unwrap_or_default());
            }
            EndpointCommand::Retrieve { id } => {
                w.str("retrieve");
                w.str(id);
            }
            EndpointCommand::Update { id, changes } => {
                w.str("update");
                w.str(id);
                w.form(&changes.source);
            }
            EndpointCommand::List { limit, cursor } => {
                w.str("list");
                limit.write(w);
                cursor.write(w);
            }
            EndpointCommand::Delete { id } => {
                w.str("delete");
                w.str(id);
            }
            EndpointCommand::ListAttempts { id, limit, cursor } => {
                w.str("list_attempts");
                w.str(id);
                limit.write(w);
                cursor.write(w);
            }
            EndpointCommand::Resend { id, event } => {
                w.str("resend");
                w.str(id);
                w.str(event);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.str()? {
            "create" => EndpointCommand::Create {
                endpoint: serde_json::from_str(r.str()?).ok()?,
            },
            "retrieve" => EndpointCommand::Retrieve { id: r.string()? },
            "update" => EndpointCommand::Update {
                id: r.string()?,
                changes: EndpointChanges::reparse(r.form()?)?,
            },
            "list" => EndpointCommand::List {
                limit: Message::read(r)?,
                cursor: Message::read(r)?,
            },
            "delete" => EndpointCommand::Delete { id: r.string()? },
            "list_attempts" => EndpointCommand::ListAttempts {
                id: r.string()?,
                limit: Message::read(r)?,
                cursor: Message::read(r)?,
            },
            "resend" => EndpointCommand::Resend {
                id: r.string()?,
                event: r.string()?,
            },
            _ => return None,
        })
    }
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

//! What the Worker asks the AccountObject about events (path `/events`, in the compact
//! form of `wire::codec`), and the backend trait the event handlers reach it through.

use super::list::ListEvents;
use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;

/// The AccountObject's internal path for event commands.
pub const PATH: &str = "/events";

#[derive(Debug, Clone)]
pub enum EventCommand {
    /// A page of events; answers the list envelope's JSON without `url`-level changes.
    List { list: ListEvents },
    /// One event's JSON, or `resource_missing`.
    Retrieve { id: String },
}

impl Message for EventCommand {
    fn write(&self, w: &mut Writer) {
        match self {
            EventCommand::List { list } => {
                w.str("list");
                list.write(w);
            }
            EventCommand::Retrieve { id } => {
                w.str("retrieve");
                w.str(id);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.str()? {
            "list" => EventCommand::List {
                list: Message::read(r)?,
            },
            "retrieve" => EventCommand::Retrieve { id: r.string()? },
            _ => return None,
        })
    }
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

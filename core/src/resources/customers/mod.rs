//! The Customer resource (seeds 000–004): the object and its stored record, the
//! parameters of each call and their rules, the view a response shows, the list and
//! search queries, what its Durable Object executes, and the handlers.
//!
//! ```text
//! handlers ─► changes (parse) ─► commands ─► [CustomerObject] execute ─► apply ─► stored
//!          ◄─ view (expand, deleted stub) ◄──────────────────────────── answer
//! ```

pub mod account_expand;
pub mod apply;
pub mod backend;
pub mod changes;
pub mod claims;
pub mod commands;
pub mod delinquency;
pub mod email;
pub mod events;
pub mod execute;
pub mod expand;
pub mod handlers;
pub mod limits;
pub mod list;
pub mod model;
pub mod nested;
pub mod route;
pub mod search;
pub mod sources;
pub mod store;
pub mod stored;
pub mod view;

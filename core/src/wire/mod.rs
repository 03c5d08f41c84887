//! Stripe's wire format, shared by every resource: decoding (`form`), the parameter
//! cursor (`params`), errors, rendering and envelopes, pagination, ids, API keys,
//! idempotency keys, the decoded request every handler takes (`request`), the compact
//! form of the commands sent to the Durable Objects (`codec`), the reading of
//! stored JSON documents field by field (`fields`), and the one-string form of SQL
//! arguments and rows between the wasm and the runtime's SQLite (`sql_text`).

pub mod auth;
pub mod codec;
pub mod dates;
pub mod envelope;
pub mod error;
pub mod fields;
pub mod form;
pub mod idempotency;
pub mod ids;
pub mod metadata;
pub mod pagination;
pub mod params;
pub mod rate_limit;
pub mod render;
pub mod request;
pub mod sql_text;
#[cfg(test)]
pub mod test_support;
pub mod text;

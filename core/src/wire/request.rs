//! `ApiRequest`: one authenticated, decoded API call, as every handler takes it. It
//! carries no runtime type, so handlers run under `cargo test` as they do in the Worker.

use crate::config::ReadConsistency;
use crate::wire::auth::Account;
use crate::wire::form::FormMap;
use crate::wire::idempotency::IdempotencyClaim;
use crate::wire::params::Params;

/// One authenticated, decoded API call.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// `req_…`, also sent as the `Request-Id` header.
    pub request_id: String,
    pub account: Account,
    /// The storage namespace of the account and mode (see [`Account::namespace`]).
    pub namespace: String,
    /// Query and body parameters, merged.
    pub params: FormMap,
    pub idempotency: Option<IdempotencyClaim>,
    /// Unix seconds when the request arrived.
    pub now: i64,
    pub read_consistency: ReadConsistency,
    pub edge_cache_ttl_ms: u64,
    /// How long a deleted customer can be undeleted (see `Config`).
    pub deleted_retention_seconds: i64,
    /// Hosts webhook endpoint URLs may name; empty: any (see `Config`).
    pub webhook_host_allowlist: Vec<String>,
}

impl ApiRequest {
    /// The request's parameters, handed to the handler's parameter cursor.
    pub fn take_params(&mut self) -> Params {
        Params::new(std::mem::take(&mut self.params))
    }
}

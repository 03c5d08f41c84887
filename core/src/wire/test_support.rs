//! Test helpers shared by the handler tests of every resource.

use crate::config::ReadConsistency;
use crate::wire::auth::Account;
use crate::wire::form::decode_form;
use crate::wire::request::ApiRequest;

/// A request of account `acct_1` in test mode, at 1_700_000_000, with `query` as its
/// parameters and seed 004's 30-day retention.
pub fn request(query: &str) -> ApiRequest {
    ApiRequest {
        request_id: "req_1".into(),
        account: Account {
            id: "acct_1".into(),
            livemode: false,
        },
        namespace: "acct_1:test".into(),
        params: decode_form(query.as_bytes()).unwrap(),
        idempotency: None,
        now: 1_700_000_000,
        read_consistency: ReadConsistency::Strong,
        edge_cache_ttl_ms: 0,
        deleted_retention_seconds: 30 * 86_400,
        webhook_host_allowlist: Vec::new(),
    }
}

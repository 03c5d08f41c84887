//! The Worker's configuration: its vars and secrets, read once into typed values.
//! The edge reads them from the runtime; tests build them from a closure.

use crate::wire::auth::KeyPolicy;
use crate::wire::rate_limit::RateLimits;

/// Default lifetime of an isolate's memo of a customer document in edge mode.
pub const EDGE_CACHE_TTL_MS: u64 = 5_000;

/// Default retention of a deleted customer before its personal data is purged: 30 days.
pub const DELETED_RETENTION_SECONDS: i64 = 30 * 86_400;

/// Sandbox cap on an account's live customers (`SANDBOX_MAX_CUSTOMERS`, `0` = none).
pub const SANDBOX_MAX_CUSTOMERS: u64 = 10_000;

/// Where `GET /v1/customers/{id}` reads from (the `READ_CONSISTENCY` var).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadConsistency {
    /// The CustomerObject, the authority.
    Strong,
    /// The isolate's memo, then the KV copy, then the CustomerObject.
    Edge,
}

/// Every setting a request may consult.
#[derive(Debug, Clone)]
pub struct Config {
    /// Which API keys open which account (`API_KEYS` secret, `SANDBOX_KEYS` var).
    pub keys: KeyPolicy,
    pub read_consistency: ReadConsistency,
    /// How long edge reads may serve the isolate's memo (`EDGE_CACHE_TTL_MS`).
    pub edge_cache_ttl_ms: u64,
    /// How long a deleted customer can be undeleted before it is purged
    /// (`DELETED_RETENTION_SECONDS`; seed 004's 30 days by default).
    pub deleted_retention_seconds: i64,
    /// Per-account rate limits, or `None` when off (`RATE_LIMITS=off`).
    pub rate_limits: Option<RateLimits>,
    /// Hosts webhook endpoint URLs may name (`WEBHOOK_HOST_ALLOWLIST`); empty: any.
    pub webhook_host_allowlist: Vec<String>,
    /// Sandbox mode only: at most this many live customers per account.
    pub customer_cap: Option<u64>,
    /// Whether `/dashboard` serves the dashboard's static assets (`DASHBOARD` = `true`;
    /// off unless set, so production stays dark).
    pub dashboard: bool,
    /// Test-only, sandbox mode only (`FAULTS` naming `worker_trap`): a request with the
    /// header `X-Test-Trap` traps the wasm, so a test can watch the entry recover from
    /// a trap (scripts/fast-shim.mjs).
    pub trap_on_request: bool,
}

impl Config {
    /// Reads every setting through `lookup` (a var or secret by name).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let sandbox = lookup("SANDBOX_KEYS").is_some_and(|v| v == "true");
        let api_keys = lookup("API_KEYS").unwrap_or_default();
        let read_consistency = match lookup("READ_CONSISTENCY").as_deref() {
            Some("edge") => ReadConsistency::Edge,
            _ => ReadConsistency::Strong,
        };
        let rate_limits = RateLimits::from_vars(
            lookup("RATE_LIMITS").as_deref(),
            lookup("RATE_LIMIT_TEST_PER_SECOND").as_deref(),
            lookup("RATE_LIMIT_LIVE_PER_SECOND").as_deref(),
        );
        let webhook_host_allowlist = lookup("WEBHOOK_HOST_ALLOWLIST")
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|h| !h.is_empty())
            .map(str::to_owned)
            .collect();
        let customer_cap = sandbox_cap(
            sandbox,
            lookup("SANDBOX_MAX_CUSTOMERS"),
            SANDBOX_MAX_CUSTOMERS,
        );
        Config {
            rate_limits,
            webhook_host_allowlist,
            customer_cap,
            keys: KeyPolicy::new(&api_keys, sandbox),
            read_consistency,
            edge_cache_ttl_ms: lookup("EDGE_CACHE_TTL_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(EDGE_CACHE_TTL_MS),
            deleted_retention_seconds: deleted_retention_seconds(lookup(
                "DELETED_RETENTION_SECONDS",
            )),
            dashboard: lookup("DASHBOARD").is_some_and(|v| v == "true"),
            trap_on_request: sandbox
                && lookup("FAULTS")
                    .is_some_and(|v| v.split(',').any(|f| f.trim() == "worker_trap")),
        }
    }
}

/// A sandbox cap from its var: `None` outside sandbox mode or when the var is `0`,
/// else the var's number, `default` when unset or not a number.
pub fn sandbox_cap(sandbox: bool, var: Option<String>, default: u64) -> Option<u64> {
    if !sandbox {
        return None;
    }
    let cap = var
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(default);
    (cap > 0).then_some(cap)
}

/// The retention window from the `DELETED_RETENTION_SECONDS` var: whole seconds, 30
/// days when unset or not a number. (The CustomerObject's purge job reads it too.)
pub fn deleted_retention_seconds(var: Option<String>) -> i64 {
    // Parsed as u64, the parser the other vars use, so no second one is linked.
    var.and_then(|v| v.trim().parse::<u64>().ok())
        .and_then(|s| i64::try_from(s).ok())
        .unwrap_or(DELETED_RETENTION_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_vars_mean_production_defaults() {
        let config = Config::from_lookup(|_| None);
        assert_eq!(config.read_consistency, ReadConsistency::Strong);
        assert_eq!(config.edge_cache_ttl_ms, EDGE_CACHE_TTL_MS);
        assert_eq!(config.deleted_retention_seconds, 2_592_000);
        assert_eq!(config.customer_cap, None, "caps apply to sandbox mode only");
        assert!(config.webhook_host_allowlist.is_empty());
        assert!(!config.dashboard);
        assert!(!config.trap_on_request);
        assert!(config
            .keys
            .authenticate(Some("Bearer sk_test_abc"))
            .is_err());
    }

    #[test]
    fn the_trap_fault_needs_sandbox_mode() {
        let faults = |sandbox: &'static str| {
            Config::from_lookup(move |name| match name {
                "FAULTS" => Some("kv_put:2, worker_trap".into()),
                "SANDBOX_KEYS" => Some(sandbox.into()),
                _ => None,
            })
        };
        assert!(faults("true").trap_on_request);
        assert!(!faults("false").trap_on_request);
    }

    #[test]
    fn vars_select_edge_reads_and_sandbox_keys() {
        let config = Config::from_lookup(|name| match name {
            "READ_CONSISTENCY" => Some("edge".into()),
            "EDGE_CACHE_TTL_MS" => Some("10".into()),
            "SANDBOX_KEYS" => Some("true".into()),
            "DELETED_RETENTION_SECONDS" => Some("2".into()),
            "DASHBOARD" => Some("true".into()),
            _ => None,
        });
        assert!(config.dashboard);
        assert_eq!(config.deleted_retention_seconds, 2);
        assert_eq!(config.read_consistency, ReadConsistency::Edge);
        assert_eq!(config.edge_cache_ttl_ms, 10);
        assert_eq!(config.customer_cap, Some(SANDBOX_MAX_CUSTOMERS));
        assert!(
            config.rate_limits.is_some(),
            "rate limits are on unless switched off"
        );
        assert!(config.keys.authenticate(Some("Bearer sk_test_abc")).is_ok());
    }
}

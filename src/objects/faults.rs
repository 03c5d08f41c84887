//! Test-only fault injection: the `FAULTS` var (honoured only with `SANDBOX_KEYS=true`)
//! names steps that fail on purpose, `kv_put:2,index_upsert:1,webhook_send:3`: each
//! object fails its first N attempts of that step, as if the platform had, so the tests
//! can watch the retries (the `propagate` job, delivery back-off, a clock advance whose
//! customer's answer `clock_tick` lost) converge.

use std::cell::RefCell;

use worker::Env;

/// The injected failures one object has left, by step name.
#[derive(Debug, Default)]
pub struct Faults {
    left: RefCell<Vec<(String, u32)>>,
}

impl Faults {
    /// Reads `FAULTS`; nothing outside sandbox mode.
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).ok().map(|v| v.to_string());
        if var("SANDBOX_KEYS").as_deref() != Some("true") {
            return Faults::default();
        }
        Faults::parse(&var("FAULTS").unwrap_or_default())
    }

    /// `name:N` entries separated by commas; a bare `name` fails without end.
    fn parse(spec: &str) -> Self {
        let left = spec
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| match entry.split_once(':') {
                Some((name, n)) => (name.to_owned(), n.trim().parse().unwrap_or(0)),
                None => (entry.to_owned(), u32::MAX),
            })
            .collect();
        Faults {
            left: RefCell::new(left),
        }
    }

    /// Whether this attempt of `step` must fail (and counts it).
    pub fn hit(&self, step: &str) -> bool {
        let mut left = self.left.borrow_mut();
        match left.iter_mut().find(|(name, n)| name == step && *n > 0) {
            Some((_, n)) => {
                *n = n.saturating_sub(1);
                true
            }
            None => false,
        }
    }
}

/// The error an injected failure reports.
pub fn injected(step: &str) -> api_core::wire::error::ApiError {
    api_core::wire::error::ApiError::internal(format!("fault injected (FAULTS): {step}"))
}

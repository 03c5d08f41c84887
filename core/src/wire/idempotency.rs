//! Idempotency keys: the `Idempotency-Key` header as a type, and the fingerprint of a
//! request that decides whether a reused key is a replay (same fingerprint) or an
//! `idempotency_error` (different parameters). Records live in the CustomerObject.

use sha2::{Digest, Sha256};

use crate::wire::error::ApiError;
use crate::wire::form::{FormMap, FormValue};

/// Stripe accepts keys of up to 255 characters.
pub const MAX_KEY_LEN: usize = 255;
/// How long update records are kept; Stripe promises at least 24 hours.
pub const RETENTION_SECONDS: i64 = 48 * 3600;

/// A validated `Idempotency-Key` header value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `None` when the header is absent; an error when it is empty, too long or has control characters.
    pub fn parse(header: Option<&str>) -> Result<Option<Self>, ApiError> {
        let Some(key) = header else { return Ok(None) };
        let valid = !key.is_empty()
            && key.chars().count() <= MAX_KEY_LEN
            && !key.chars().any(char::is_control);
        if !valid {
            return Err(ApiError::IdempotencyKeyInvalid {
                message: format!(
                    "Invalid idempotency key: keys must be 1 to {MAX_KEY_LEN} characters long, without control characters."
                ),
            });
        }
        Ok(Some(IdempotencyKey(key.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An `Idempotency-Key` with the fingerprint of the request that carries it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct IdempotencyClaim {
    pub key: String,
    pub fingerprint: String,
    pub now: i64,
}

/// What a stored idempotency record is compared against: the operation and its parameters.
pub fn fingerprint(method: &str, path: &str, params: &FormMap) -> String {
    let mut lines = Vec::new();
    for (key, value) in params {
        flatten(key, value, &mut lines);
    }
    lines.sort();
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update(b" ");
    hasher.update(path.as_bytes());
    for line in lines {
        hasher.update(b"\n");
        hasher.update(line.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Flattens a parameter tree into `path=value` lines, independent of key order in maps.
fn flatten(path: &str, value: &FormValue, out: &mut Vec<String>) {
    match value {
        FormValue::Str(s) => out.push(format!("{path}={s}")),
        FormValue::Map(entries) => {
            for (k, v) in entries {
                flatten(&format!("{path}[{k}]"), v, out);
            }
        }
        FormValue::List(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn fp(body: &str) -> String {
        fingerprint(
            "POST",
            "/v1/customers",
            &decode_form(body.as_bytes()).unwrap(),
        )
    }

    #[test]
    fn the_same_parameters_in_another_order_have_the_same_fingerprint() {
        assert_eq!(
            fp("name=a&metadata[x]=1&metadata[y]=2"),
            fp("metadata[y]=2&name=a&metadata[x]=1")
        );
    }

    #[test]
    fn other_parameters_or_another_path_change_the_fingerprint() {
        assert_ne!(fp("name=a"), fp("name=b"));
        let params = decode_form(b"name=a").unwrap();
        assert_ne!(
            fingerprint("POST", "/v1/customers", &params),
            fingerprint("POST", "/v1/customers/cus_1", &params)
        );
    }

    #[test]
    fn keys_must_be_short_and_printable() {
        assert_eq!(IdempotencyKey::parse(None).unwrap(), None);
        assert!(IdempotencyKey::parse(Some("abc-123")).unwrap().is_some());
        assert!(IdempotencyKey::parse(Some("")).is_err());
        assert!(IdempotencyKey::parse(Some("a\u{7}b")).is_err());
        assert!(IdempotencyKey::parse(Some(&"k".repeat(256))).is_err());
    }
}

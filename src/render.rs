//! Response bodies as Stripe prints them: JSON with two-space indentation, and the
//! `list` envelope. Pure, so the exact bytes are testable natively.

use serde::Serialize;

use crate::error::ApiError;

/// A status and a body ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub status: u16,
    pub body: String,
    /// Set on an idempotent replay (`Idempotent-Replayed: true`).
    pub replayed: bool,
}

impl Rendered {
    pub fn ok<T: Serialize>(value: &T) -> Result<Self, ApiError> {
        Ok(Rendered {
            status: 200,
            body: serde_json::to_string_pretty(value)?,
            replayed: false,
        })
    }

    pub fn error(err: &ApiError) -> Self {
        Rendered {
            status: err.status(),
            body: serde_json::to_string_pretty(&err.body()).unwrap_or_default(),
            replayed: false,
        }
    }
}

/// Stripe's list envelope: `{"object": "list", "data", "has_more", "url"}`; lists
/// embedded in an object (`tax_ids`, `sources`, …) also carry `total_count`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct List<T> {
    pub object: &'static str,
    pub data: Vec<T>,
    pub has_more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_count: Option<usize>,
    pub url: String,
}

impl<T> List<T> {
    pub fn new(url: &str, data: Vec<T>, has_more: bool) -> Self {
        List {
            object: "list",
            data,
            has_more,
            total_count: None,
            url: url.to_owned(),
        }
    }

    /// A whole list embedded in an object: no more pages, and its count.
    pub fn embedded(url: String, data: Vec<T>) -> Self {
        List {
            object: "list",
            total_count: Some(data.len()),
            data,
            has_more: false,
            url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_indented_with_two_spaces() {
        let r = Rendered::ok(&serde_json::json!({"a": {"b": 1}})).unwrap();
        assert_eq!(r.body, "{\n  \"a\": {\n    \"b\": 1\n  }\n}");
    }

    #[test]
    fn a_list_has_stripes_keys_in_order() {
        let body = serde_json::to_string(&List::new("/v1/customers", vec![1], true)).unwrap();
        assert_eq!(
            body,
            r#"{"object":"list","data":[1],"has_more":true,"url":"/v1/customers"}"#
        );
    }
}

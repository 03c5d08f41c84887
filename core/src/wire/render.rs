//! Response bodies as Stripe prints them: JSON with two-space indentation. Pure, so
//! the exact bytes are testable natively. [`pretty`] indents stored compact JSON
//! directly, so a stored object is served without being parsed.

use serde::Serialize;

use crate::wire::error::ApiError;
pub use crate::wire::text::{compact, join, pretty};

/// A status and a body ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub status: u16,
    pub body: String,
    /// Set on an idempotent replay (`Idempotent-Replayed: true`).
    pub replayed: bool,
    /// The body is not in `body`: the backend holds an object's answer that already is
    /// the client's body, and the Worker sends it on unread (`CustomerBackend::read`).
    pub forwarded: bool,
    /// The object that ran this keyed write keeps its response for the key (see
    /// `wire::idempotency::KEPT_BY_OBJECT`): the Worker records no outcome.
    pub key_kept: bool,
}

impl Rendered {
    /// A 200 with `value` as its body. Written compact and indented by [`pretty`] (the
    /// same text as `to_string_pretty`): a pretty serializer of each type would double
    /// the serialisation code in the wasm.
    pub fn ok<T: Serialize>(value: &T) -> Result<Self, ApiError> {
        Ok(Rendered::ok_compact(&serde_json::to_string(value)?))
    }

    /// A 200 whose body is `compact` JSON, indented as `to_string_pretty` would.
    pub fn ok_compact(compact: &str) -> Self {
        Rendered {
            status: 200,
            body: pretty(compact),
            replayed: false,
            forwarded: false,
            key_kept: false,
        }
    }

    /// A 200 whose body is already indented as Stripe prints it.
    pub fn ok_pretty(body: String) -> Self {
        Rendered {
            status: 200,
            body,
            replayed: false,
            forwarded: false,
            key_kept: false,
        }
    }

    /// A 200 whose body the backend holds and the Worker forwards unread.
    pub fn forwarded() -> Self {
        Rendered {
            status: 200,
            body: String::new(),
            replayed: false,
            forwarded: true,
            key_kept: false,
        }
    }

    pub fn error(err: &ApiError) -> Self {
        Rendered {
            status: err.status(),
            body: err.body().to_pretty_json(),
            replayed: false,
            forwarded: false,
            key_kept: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_matches_serde_json_pretty_printing_exactly() {
        let customer = crate::resources::customers::model::Customer::blank(
            "cus_1".into(),
            1,
            false,
            "ABCDEF12".into(),
        );
        let values = vec![
            serde_json::to_value(&customer).unwrap(),
            serde_json::json!({}),
            serde_json::json!([]),
            serde_json::json!({"a": [], "b": {}, "c": [1, 2.5, -3], "d": null, "e": true}),
            serde_json::json!({"s": "quote \" backslash \\ colon: comma, {brace} [bracket] é 😀 \n tab\t"}),
            serde_json::json!([[[]], [{}], [{"x": [{"y": {}}]}]]),
            serde_json::json!({"object": "list", "url": "/v1/customers", "has_more": false, "data": [{"id": "cus_1", "metadata": {"k:": "v,"}}]}),
            serde_json::json!("just a string"),
            serde_json::json!(42),
        ];
        for value in values {
            let compact = serde_json::to_string(&value).unwrap();
            let expected = serde_json::to_string_pretty(&value).unwrap();
            assert_eq!(pretty(&compact), expected, "{compact}");
        }
    }

    #[test]
    fn bodies_are_indented_with_two_spaces() {
        let r = Rendered::ok(&serde_json::json!({"a": {"b": 1}})).unwrap();
        assert_eq!(r.body, "{\n  \"a\": {\n    \"b\": 1\n  }\n}");
    }
}

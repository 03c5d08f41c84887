//! Response bodies as Stripe prints them: JSON with two-space indentation. Pure, so
//! the exact bytes are testable natively. [`pretty`] indents stored compact JSON
//! directly, so a stored object is served without being parsed.

use serde::Serialize;

use crate::wire::error::ApiError;

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

/// A JSON value's compact text, the one `Value::to_string` gives, written by the
/// serializer to text the wasm has anyway (`Value`'s `Display` would add its own).
pub fn compact(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// `parts` joined with `separator`: `[String]::join` would add a second copy of the
/// join code beside the one for `[&str]`.
pub fn join(parts: &[String], separator: &str) -> String {
    let mut joined = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            joined.push_str(separator);
        }
        joined.push_str(part);
    }
    joined
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

/// Indents compact JSON (as `serde_json::to_string` writes it) exactly as
/// `serde_json::to_string_pretty` would: two spaces, `": "` after keys, and `{}`/`[]`
/// for empty containers. Strings are copied byte for byte.
pub fn pretty(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b'"' => {
                let end = string_end(bytes, at);
                out.push_str(&compact[at..end]);
                at = end;
                continue;
            }
            b'{' | b'[' => {
                let close = if byte == b'{' { b'}' } else { b']' };
                if bytes.get(at + 1) == Some(&close) {
                    out.push(byte as char);
                    out.push(close as char);
                    at += 2;
                    continue;
                }
                depth += 1;
                out.push(byte as char);
                newline(&mut out, depth);
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(byte as char);
            }
            b',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            b':' => out.push_str(": "),
            _ => {
                // Numbers, literals: copy the run up to the next structural byte.
                let end = bytes[at..]
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b':'))
                    .map_or(bytes.len(), |n| at + n);
                out.push_str(&compact[at..end]);
                at = end;
                continue;
            }
        }
        at += 1;
    }
    out
}

/// The index just past the closing quote of the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
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

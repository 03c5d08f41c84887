//! Response bodies as Stripe prints them: JSON with two-space indentation, and the
//! `list` envelope. Pure, so the exact bytes are testable natively. [`pretty`] indents
//! stored compact JSON directly, so a stored customer is served without being parsed.

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

    /// A 200 whose body is `compact` JSON, indented as `to_string_pretty` would.
    pub fn ok_compact(compact: &str) -> Self {
        Rendered {
            status: 200,
            body: pretty(compact),
            replayed: false,
        }
    }

    pub fn error(err: &ApiError) -> Self {
        Rendered {
            status: err.status(),
            body: serde_json::to_string_pretty(&err.body()).unwrap_or_default(),
            replayed: false,
        }
    }
}

/// Stripe's list envelope, in the order seed 001 prints it:
/// `{"object": "list", "url", "has_more", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct List<T> {
    pub object: &'static str,
    pub url: String,
    pub has_more: bool,
    pub data: Vec<T>,
}

impl<T> List<T> {
    pub fn new(url: &str, data: Vec<T>, has_more: bool) -> Self {
        List {
            object: "list",
            url: url.to_owned(),
            has_more,
            data,
        }
    }
}

/// A whole list embedded in an object (`tax_ids`, `sources`, …), as Stripe prints one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbeddedList<T> {
    pub object: &'static str,
    pub data: Vec<T>,
    pub has_more: bool,
    pub total_count: usize,
    pub url: String,
}

impl<T> EmbeddedList<T> {
    pub fn new(url: String, data: Vec<T>) -> Self {
        EmbeddedList {
            object: "list",
            total_count: data.len(),
            data,
            has_more: false,
            url,
        }
    }
}

/// The envelope of a search: `{"object": "search_result", "url", "has_more", "data", "next_page"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult<T> {
    pub object: &'static str,
    pub url: String,
    pub has_more: bool,
    pub data: Vec<T>,
    pub next_page: Option<String>,
}

impl<T> SearchResult<T> {
    pub fn new(url: &str, data: Vec<T>, next_page: Option<String>) -> Self {
        SearchResult {
            object: "search_result",
            url: url.to_owned(),
            has_more: next_page.is_some(),
            data,
            next_page,
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
        let customer =
            crate::model::customer::Customer::blank("cus_1".into(), 1, false, "ABCDEF12".into());
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

    #[test]
    fn a_list_has_the_seed_keys_in_the_seed_order() {
        let body = serde_json::to_string(&List::new("/v1/customers", vec![1], true)).unwrap();
        assert_eq!(
            body,
            r#"{"object":"list","url":"/v1/customers","has_more":true,"data":[1]}"#
        );
    }

    #[test]
    fn a_search_result_has_more_exactly_when_it_has_a_next_page() {
        let last = SearchResult::new("/v1/customers/search", vec![1], None);
        assert!(!last.has_more);
        let body =
            serde_json::to_string(&SearchResult::new("/u", vec![2], Some("p".into()))).unwrap();
        assert_eq!(
            body,
            r#"{"object":"search_result","url":"/u","has_more":true,"data":[2],"next_page":"p"}"#
        );
    }
}

//! Request parameter decoding: turns a form body or query string written in
//! Stripe's bracket notation (or a JSON body) into one ordered parameter tree.
//! Handlers read that tree and never care which encoding the client used.
//!
//! ```text
//! body  = [ pair *( "&" pair ) ]        ; empty pairs are skipped
//! pair  = name [ "=" value ]            ; no "=" means value ""
//! name  = base *( "[" [ key ] "]" )     ; "[key]" nests a map, "[]" appends to a list
//! ```

mod decode;
mod json;
mod name;
mod tree;

#[cfg(test)]
mod fixtures;

pub use decode::decode_form;
pub use json::decode_json;

/// Bracket levels allowed after the top-level name (`a[b][c][d][e][f]` is the deepest).
pub const MAX_DEPTH: usize = 5;
/// Pairs allowed in one form body or query string (leaf values, for JSON).
pub const MAX_PARAMS: usize = 1000;

/// One node of a decoded parameter tree.
#[derive(Debug, Clone, PartialEq)]
pub enum FormValue {
    Str(String),
    /// insertion-ordered, keys unique (a repeated key replaces the earlier value in place: last wins)
    Map(Vec<(String, FormValue)>),
    /// from `a[]=x` (or a JSON array)
    List(Vec<FormValue>),
}

/// Top-level parameters: an insertion-ordered map.
pub type FormMap = Vec<(String, FormValue)>;

/// Why a request's parameters could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormError {
    #[error("Invalid URL encoding in parameter `{param}`")]
    BadPercentEncoding { param: String },
    #[error("Request body is not valid UTF-8 (parameter `{param}`)")]
    NotUtf8 { param: String },
    #[error("Invalid parameter name: {param}")]
    BadName { param: String },
    #[error("Parameter `{param}` is nested too deeply")]
    TooDeep { param: String },
    #[error("Too many parameters")]
    TooMany,
    #[error("Conflicting values for parameter `{param}`")]
    Conflict { param: String },
    #[error("Invalid JSON body: {0}")]
    BadJson(String),
    #[error("JSON body must be an object")]
    JsonNotObject,
}

impl FormValue {
    /// The text of a `Str` node; `None` for maps and lists.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FormValue::Str(text) => Some(text),
            FormValue::Map(_) | FormValue::List(_) => None,
        }
    }
}

/// Merges `overlay` (body params) into `base` (query params): for each
/// top-level key the overlay's value replaces the base's, keeping its position.
pub fn merge(base: &mut FormMap, overlay: FormMap) {
    for (key, value) in overlay {
        set_entry(base, key, value);
    }
}

/// Replaces `key`'s value in place, or appends the entry when `key` is new.
fn set_entry(map: &mut FormMap, key: String, value: FormValue) {
    match map.iter_mut().find(|(existing, _)| *existing == key) {
        Some((_, slot)) => *slot = value,
        None => map.push((key, value)),
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{l, m, params, s};
    use super::*;

    #[test]
    fn merge_lets_the_overlay_win_per_top_level_key() {
        let cases = [
            (
                params(vec![("a", s("1"))]),
                params(vec![("b", s("2"))]),
                params(vec![("a", s("1")), ("b", s("2"))]),
                "disjoint keys are all kept, base first",
            ),
            (
                params(vec![("a", s("q")), ("b", s("2"))]),
                params(vec![("a", s("body"))]),
                params(vec![("a", s("body")), ("b", s("2"))]),
                "the overlay replaces a shared key in its original position",
            ),
            (
                params(vec![("metadata", m(vec![("x", s("1"))]))]),
                params(vec![("metadata", m(vec![("y", s("2"))]))]),
                params(vec![("metadata", m(vec![("y", s("2"))]))]),
                "whole top-level values are replaced, nested maps are not merged",
            ),
            (
                params(vec![("a", l(vec![s("1")]))]),
                params(vec![("a", s(""))]),
                params(vec![("a", s(""))]),
                "an overlay value may change the shape of a key",
            ),
            (
                FormMap::new(),
                FormMap::new(),
                FormMap::new(),
                "merging two empty maps stays empty",
            ),
        ];
        for (mut base, overlay, expected, reason) in cases {
            merge(&mut base, overlay);
            assert_eq!(base, expected, "{reason}");
        }
    }

    #[test]
    fn as_str_only_reads_string_nodes() {
        let cases = [
            (s("x"), Some("x"), "a Str node exposes its text"),
            (s(""), Some(""), "an empty Str is still a string"),
            (m(vec![("k", s("v"))]), None, "a Map is not a string"),
            (l(vec![s("v")]), None, "a List is not a string"),
        ];
        for (value, expected, reason) in cases {
            assert_eq!(value.as_str(), expected, "{reason}");
        }
    }

    #[test]
    fn errors_render_the_parameter_path() {
        let cases = [
            (
                FormError::BadPercentEncoding {
                    param: "a[b]".into(),
                },
                "Invalid URL encoding in parameter `a[b]`",
                "percent errors name the parameter",
            ),
            (
                FormError::NotUtf8 { param: "a".into() },
                "Request body is not valid UTF-8 (parameter `a`)",
                "UTF-8 errors name the parameter",
            ),
            (
                FormError::BadName {
                    param: "a[b".into(),
                },
                "Invalid parameter name: a[b",
                "name errors show the name as written",
            ),
            (
                FormError::TooDeep {
                    param: "a[b]".into(),
                },
                "Parameter `a[b]` is nested too deeply",
                "depth errors name the parameter",
            ),
            (FormError::TooMany, "Too many parameters", "count errors"),
            (
                FormError::Conflict {
                    param: "a[]".into(),
                },
                "Conflicting values for parameter `a[]`",
                "conflicts name the later parameter",
            ),
            (
                FormError::BadJson("oops".into()),
                "Invalid JSON body: oops",
                "JSON errors carry the parser message",
            ),
            (
                FormError::JsonNotObject,
                "JSON body must be an object",
                "non-object JSON bodies",
            ),
        ];
        for (error, expected, reason) in cases {
            assert_eq!(error.to_string(), expected, "{reason}");
        }
    }
}

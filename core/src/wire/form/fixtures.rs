//! Test-only builders for expected parameter trees, plus an encoder that
//! writes a tree back out in bracket notation (the inverse of `decode_form`).
//!
//! ```text
//! s("v")  m(vec![("k", v)])  l(vec![v])  params(vec![("k", v)])
//! ```

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

use super::{FormMap, FormValue};

pub(super) fn s(text: &str) -> FormValue {
    FormValue::Str(text.to_owned())
}

pub(super) fn m(entries: Vec<(&str, FormValue)>) -> FormValue {
    FormValue::Map(params(entries))
}

pub(super) fn l(items: Vec<FormValue>) -> FormValue {
    FormValue::List(items)
}

pub(super) fn params(entries: Vec<(&str, FormValue)>) -> FormMap {
    entries
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .collect()
}

/// Encodes `map` as `name=value` pairs joined by `&`, every byte but
/// alphanumerics percent-escaped. Empty maps/lists and lists of lists have no
/// bracket form and are not supported.
pub(super) fn encode_form(map: &FormMap) -> String {
    let mut pairs = Vec::new();
    for (key, value) in map {
        push_pairs(&mut pairs, &escape(key), value);
    }
    pairs.join("&")
}

fn push_pairs(pairs: &mut Vec<String>, name: &str, value: &FormValue) {
    match value {
        FormValue::Str(text) => pairs.push(format!("{name}={}", escape(text))),
        FormValue::Map(entries) => {
            for (key, child) in entries {
                push_pairs(pairs, &format!("{name}[{}]", escape(key)), child);
            }
        }
        FormValue::List(items) => {
            for item in items {
                push_pairs(pairs, &format!("{name}[]"), item);
            }
        }
    }
}

fn escape(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// Encodes `map` as a JSON object text, keeping key order.
pub(super) fn encode_json(map: &FormMap) -> String {
    let fields: Vec<String> = map.iter().map(|(k, v)| json_field(k, v)).collect();
    format!("{{{}}}", fields.join(","))
}

fn json_field(key: &str, value: &FormValue) -> String {
    format!("{}:{}", json_string(key), json_value(value))
}

fn json_value(value: &FormValue) -> String {
    match value {
        FormValue::Str(text) => json_string(text),
        FormValue::Map(entries) => encode_json(entries),
        FormValue::List(items) => {
            let items: Vec<String> = items.iter().map(json_value).collect();
            format!("[{}]", items.join(","))
        }
    }
}

fn json_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

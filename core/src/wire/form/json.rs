//! JSON body decoding: maps a JSON object onto the same tree the form decoder
//! builds, so `{"metadata":{"k":"v"}}` and `metadata[k]=v` look identical.
//!
//! ```text
//! object -> Map (key order kept; a duplicate key replaces in place)
//! array  -> List           string -> Str
//! number -> Str(text)      true/false -> Str("true"/"false")   null -> Str("")
//! ```

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{set_entry, FormError, FormMap, FormValue, MAX_DEPTH, MAX_PARAMS};

/// Decodes an `application/json` body. Empty (or all-whitespace) bodies give
/// no parameters; otherwise the top level must be an object.
pub fn decode_json(input: &[u8]) -> Result<FormMap, FormError> {
    if input.iter().all(u8::is_ascii_whitespace) {
        return Ok(FormMap::new());
    }
    let leaves = Cell::new(0);
    let root = parse(input, &leaves).map_err(|error| {
        if leaves.get() > MAX_PARAMS {
            FormError::TooMany
        } else {
            FormError::BadJson(error.to_string())
        }
    })?;
    let FormValue::Map(params) = root else {
        return Err(FormError::JsonNotObject);
    };
    match too_deep(&params) {
        Some(param) => Err(FormError::TooDeep { param }),
        None => Ok(params),
    }
}

/// Parses one JSON document (and nothing after it), counting leaves.
fn parse(input: &[u8], leaves: &Cell<usize>) -> Result<FormValue, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(input);
    let root = Node { leaves }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(root)
}

/// Builds a `FormValue` from any JSON value. Scalars and empty containers
/// count as leaves; more than `MAX_PARAMS` leaves stops the parse, which
/// also bounds the cost of duplicate-key lookups.
#[derive(Clone, Copy)]
struct Node<'a> {
    leaves: &'a Cell<usize>,
}

impl Node<'_> {
    fn leaf<E: de::Error>(self, value: FormValue) -> Result<FormValue, E> {
        let count = self.leaves.get().saturating_add(1);
        self.leaves.set(count);
        if count > MAX_PARAMS {
            return Err(E::custom("too many parameters"));
        }
        Ok(value)
    }

    fn text<E: de::Error>(self, text: String) -> Result<FormValue, E> {
        self.leaf(FormValue::Str(text))
    }

    /// Empty containers count as leaves; filled ones are paid for by their children.
    fn container<E: de::Error>(self, empty: bool, value: FormValue) -> Result<FormValue, E> {
        if empty {
            self.leaf(value)
        } else {
            Ok(value)
        }
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = FormValue;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<FormValue, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = FormValue;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<FormValue, E> {
        self.text(value.to_string())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<FormValue, E> {
        self.text(value.to_string())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<FormValue, E> {
        self.text(value.to_string())
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<FormValue, E> {
        self.text(float_text(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<FormValue, E> {
        self.text(value.to_owned())
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<FormValue, E> {
        self.text(value)
    }

    fn visit_unit<E: de::Error>(self) -> Result<FormValue, E> {
        self.text(String::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<FormValue, E> {
        self.text(String::new())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FormValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        self.container(items.is_empty(), FormValue::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FormValue, A::Error> {
        let mut entries = FormMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            set_entry(&mut entries, key, value);
        }
        self.container(entries.is_empty(), FormValue::Map(entries))
    }
}

/// Shortest round-tripping text of a float, as serde_json writes it
/// (`1.5`, `100.0`, `1e+300`). A parsed JSON number is always finite, so `from_f64`
/// never refuses it (and `f64`'s own `Display` is not needed).
fn float_text(value: f64) -> String {
    serde_json::Number::from_f64(value).map_or_else(String::new, |n| n.to_string())
}

/// The bracket-form path of the first node nested deeper than `MAX_DEPTH`.
fn too_deep(params: &FormMap) -> Option<String> {
    params
        .iter()
        .find_map(|(key, value)| overflow(value, MAX_DEPTH).map(|tail| format!("{key}{tail}")))
}

/// The bracket suffix (e.g. `[b][]`) leading to the first child of `value`
/// that sits more than `room` levels below it.
fn overflow(value: &FormValue, room: usize) -> Option<String> {
    match value {
        FormValue::Str(_) => None,
        FormValue::Map(entries) => entries
            .iter()
            .find_map(|(key, child)| descend(Some(key), child, room)),
        FormValue::List(items) => items.iter().find_map(|child| descend(None, child, room)),
    }
}

fn descend(key: Option<&str>, child: &FormValue, room: usize) -> Option<String> {
    let step = || format!("[{}]", key.unwrap_or_default());
    match room.checked_sub(1) {
        None => Some(step()),
        Some(left) => overflow(child, left).map(|tail| format!("{}{tail}", step())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode_form;
    use super::super::fixtures::{encode_json, l, m, params, s};
    use super::*;

    fn decoded(json: &str) -> Result<FormMap, FormError> {
        decode_json(json.as_bytes())
    }

    #[test]
    fn json_scalars_become_strings() {
        let cases = [
            (r#"{"a":"x"}"#, s("x"), "strings stay strings"),
            (
                r#"{"a":"caf\u00e9 \"q\""}"#,
                s("café \"q\""),
                "escapes decode",
            ),
            (
                r#"{"a":42}"#,
                s("42"),
                "positive integers keep their digits",
            ),
            (r#"{"a":-7}"#, s("-7"), "negative integers keep their sign"),
            (r#"{"a":0}"#, s("0"), "zero"),
            (r#"{"a":1.5}"#, s("1.5"), "floats keep their text"),
            (
                r#"{"a":-1E300}"#,
                s("-1e+300"),
                "large floats as serde_json writes them",
            ),
            (
                r#"{"a":2.0}"#,
                s("2.0"),
                "integral floats keep the fraction",
            ),
            (
                r#"{"a":18446744073709551615}"#,
                s("18446744073709551615"),
                "u64::MAX is exact",
            ),
            (r#"{"a":true}"#, s("true"), "true"),
            (r#"{"a":false}"#, s("false"), "false"),
            (
                r#"{"a":null}"#,
                s(""),
                "null means unset, like an empty value",
            ),
            (r#"{"a":""}"#, s(""), "empty strings are kept"),
        ];
        for (json, expected, reason) in cases {
            assert_eq!(decoded(json), Ok(params(vec![("a", expected)])), "{reason}");
        }
    }

    #[test]
    fn json_objects_and_arrays_become_maps_and_lists() {
        let cases = [
            (
                r#"{"z":"1","a":"2","m":"3"}"#,
                params(vec![("z", s("1")), ("a", s("2")), ("m", s("3"))]),
                "key order is kept, not sorted",
            ),
            (
                r#"{"address":{"line1":"1 Main","city":"Paris"}}"#,
                params(vec![(
                    "address",
                    m(vec![("line1", s("1 Main")), ("city", s("Paris"))]),
                )]),
                "nested objects become nested maps",
            ),
            (
                r#"{"tags":["a",1,true,null]}"#,
                params(vec![("tags", l(vec![s("a"), s("1"), s("true"), s("")]))]),
                "arrays become lists of stringified scalars",
            ),
            (
                r#"{"tax_ids":[{"type":"eu_vat","value":"X"},{"type":"gb_vat","value":"Y"}]}"#,
                params(vec![(
                    "tax_ids",
                    l(vec![
                        m(vec![("type", s("eu_vat")), ("value", s("X"))]),
                        m(vec![("type", s("gb_vat")), ("value", s("Y"))]),
                    ]),
                )]),
                "arrays of objects become lists of maps",
            ),
            (
                r#"{"a":{},"b":[]}"#,
                params(vec![("a", m(vec![])), ("b", l(vec![]))]),
                "empty containers are kept",
            ),
            (
                r#"{"a":[[1],[2]]}"#,
                params(vec![("a", l(vec![l(vec![s("1")]), l(vec![s("2")])]))]),
                "JSON may nest lists directly, unlike bracket names",
            ),
            (
                r#"{"metadata[k]":"v"}"#,
                params(vec![("metadata[k]", s("v"))]),
                "brackets in JSON keys are literal text",
            ),
            (
                " {\"a\" : \"b\"}\n",
                params(vec![("a", s("b"))]),
                "surrounding whitespace is fine",
            ),
        ];
        for (json, expected, reason) in cases {
            assert_eq!(decoded(json), Ok(expected), "{reason}");
        }
    }

    #[test]
    fn duplicate_json_keys_keep_the_last_value_in_place() {
        let cases = [
            (
                r#"{"a":"1","b":"2","a":"3"}"#,
                params(vec![("a", s("3")), ("b", s("2"))]),
                "top-level duplicate",
            ),
            (
                r#"{"m":{"k":"1","k":{"x":"2"}}}"#,
                params(vec![("m", m(vec![("k", m(vec![("x", s("2"))]))]))]),
                "nested duplicate may change shape; last wins",
            ),
        ];
        for (json, expected, reason) in cases {
            assert_eq!(decoded(json), Ok(expected), "{reason}");
        }
    }

    #[test]
    fn empty_json_bodies_are_empty_maps() {
        for (json, reason) in [("", "no bytes"), (" \r\n\t", "only whitespace")] {
            assert_eq!(decoded(json), Ok(FormMap::new()), "{reason}");
        }
    }

    #[test]
    fn json_nesting_is_limited_to_max_depth() {
        let ok = [
            (
                r#"{"a":{"b":{"c":{"d":{"e":{"f":"x"}}}}}}"#,
                "five map levels",
            ),
            (r#"{"a":[[[[["x"]]]]]}"#, "five list levels"),
            (
                r#"{"a":{"b":{"c":{"d":{"e":{"f":{}}}}}}}"#,
                "empty map at level five",
            ),
        ];
        for (json, reason) in ok {
            assert!(decoded(json).is_ok(), "{reason}");
        }
        let too_deep = [
            (
                r#"{"a":{"b":{"c":{"d":{"e":{"f":{"g":"x"}}}}}}}"#,
                "a[b][c][d][e][f][g]",
                "six map levels",
            ),
            (
                r#"{"a":[[[[[["x"]]]]]]}"#,
                "a[][][][][][]",
                "six list levels",
            ),
            (
                r#"{"ok":"1","a":[{"b":{"c":{"d":{"e":["x"]}}}}]}"#,
                "a[][b][c][d][e][]",
                "mixed levels name the path with [] for arrays",
            ),
        ];
        for (json, param, reason) in too_deep {
            let expected = FormError::TooDeep {
                param: param.into(),
            };
            assert_eq!(decoded(json), Err(expected), "{reason}");
        }
    }

    #[test]
    fn json_top_level_must_be_an_object() {
        let cases = [
            ("[]", "an array"),
            (r#"[{"a":1}]"#, "an array of objects"),
            (r#""x""#, "a string"),
            ("1", "a number"),
            ("true", "a bool"),
            ("null", "null"),
        ];
        for (json, reason) in cases {
            assert_eq!(decoded(json), Err(FormError::JsonNotObject), "{reason}");
        }
    }

    #[test]
    fn invalid_json_is_rejected_with_the_parser_message() {
        let cases: [(&[u8], &str); 6] = [
            (b"{", "unterminated object"),
            (br#"{"a":}"#, "missing value"),
            (br#"{"a":1}x"#, "trailing characters"),
            (b"{a:1}", "unquoted key"),
            (b"{\"a\":\"\xff\"}", "invalid UTF-8 inside a string"),
            (b"a=1", "a form body sent as JSON"),
        ];
        for (json, reason) in cases {
            let result = decode_json(json);
            assert!(
                matches!(result, Err(FormError::BadJson(ref m)) if !m.is_empty()),
                "{reason}: {result:?}"
            );
        }
        assert_eq!(
            decoded("{"),
            Err(FormError::BadJson(
                "EOF while parsing an object at line 1 column 1".into()
            )),
            "the message is serde_json's own"
        );
    }

    #[test]
    fn json_with_more_than_max_params_leaves_is_rejected() {
        let leaves = |n: usize| format!("{{\"a\":[{}]}}", vec!["1"; n].join(","));
        assert!(
            decoded(&leaves(MAX_PARAMS)).is_ok(),
            "exactly MAX_PARAMS leaves is fine"
        );
        assert_eq!(
            decoded(&leaves(MAX_PARAMS + 1)),
            Err(FormError::TooMany),
            "one leaf too many"
        );
        let keys: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("\"k{i}\":{{}}")).collect();
        assert_eq!(
            decoded(&format!("{{{}}}", keys.join(","))),
            Err(FormError::TooMany),
            "empty objects count as leaves, so key counts are bounded too"
        );
    }

    #[test]
    fn json_and_form_bodies_decode_to_the_same_tree() {
        let cases = [
            (
                "metadata[order_id]=6735",
                r#"{"metadata":{"order_id":"6735"}}"#,
                "Stripe seed example",
            ),
            (
                "balance=-7&tax_exempt=none",
                r#"{"balance":-7,"tax_exempt":"none"}"#,
                "numbers become text",
            ),
            (
                "description=",
                r#"{"description":null}"#,
                "null equals an empty value",
            ),
            ("flag=true", r#"{"flag":true}"#, "bools become text"),
            ("a[]=1&a[]=2", r#"{"a":[1,"2"]}"#, "lists"),
            (
                "t[][type]=eu_vat&t[][value]=X&t[][type]=gb_vat&t[][value]=Y",
                r#"{"t":[{"type":"eu_vat","value":"X"},{"type":"gb_vat","value":"Y"}]}"#,
                "lists of maps",
            ),
        ];
        for (form, json, reason) in cases {
            assert_eq!(decode_form(form.as_bytes()), decoded(json), "{reason}");
        }
    }

    #[test]
    fn trees_round_trip_through_the_json_encoder() {
        let trees = [
            params(vec![("a", s("x"))]),
            params(vec![
                ("m", m(vec![("k", s("v \" \\ é"))])),
                ("b", l(vec![])),
            ]),
            params(vec![("l", l(vec![l(vec![s("1")]), m(vec![])]))]),
        ];
        for tree in trees {
            let json = encode_json(&tree);
            assert_eq!(decoded(&json), Ok(tree), "round trip of {json}");
        }
    }
}

//! Reading a stored JSON object field by field: the stored documents (customers, tax
//! ids, events, webhook endpoints) are parsed to a `serde_json::Value` and read with
//! these non-generic calls, where a derived `Deserialize` cost the wasm kilobytes per
//! struct. The rules are serde's: unknown fields are ignored; an `Option` is `None`
//! when absent or `null`; any other field must be present with the right type.
//!
//! ```text
//! Fields::of(value)?.string("id")?     // required, owned out of the map
//! f.opt_string("email")?               // Some(None) when absent or null
//! f.object("shipping", Shipping::read)? / f.list("tax_ids", TaxId::read)?
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// The fields of one JSON object, each taken out once (by value, nothing is copied).
/// Every read answers `None` when the object does not have that field as described.
#[derive(Debug)]
pub struct Fields(Map<String, Value>);

impl Fields {
    /// The fields of `value`, which must be an object.
    pub fn of(value: Value) -> Option<Fields> {
        match value {
            Value::Object(map) => Some(Fields(map)),
            _ => None,
        }
    }

    /// Any value, which must be present (`null` included).
    pub fn value(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// An optional value: absent and `null` are `None`.
    pub fn opt_value(&mut self, key: &str) -> Option<Option<Value>> {
        Some(self.0.remove(key).filter(|v| !v.is_null()))
    }

    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.0.remove(key)? {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn opt_string(&mut self, key: &str) -> Option<Option<String>> {
        match self.opt_value(key)? {
            None => Some(None),
            Some(Value::String(s)) => Some(Some(s)),
            Some(_) => None,
        }
    }

    pub fn int(&mut self, key: &str) -> Option<i64> {
        self.0.remove(key)?.as_i64()
    }

    pub fn opt_int(&mut self, key: &str) -> Option<Option<i64>> {
        match self.opt_value(key)? {
            None => Some(None),
            Some(v) => v.as_i64().map(Some),
        }
    }

    pub fn bool(&mut self, key: &str) -> Option<bool> {
        self.0.remove(key)?.as_bool()
    }

    /// An array of strings.
    pub fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        strings(self.0.remove(key)?)
    }

    /// An object whose values are all strings (metadata).
    pub fn string_map(&mut self, key: &str) -> Option<BTreeMap<String, String>> {
        let Value::Object(map) = self.0.remove(key)? else {
            return None;
        };
        // Inserted one by one: collecting into a map would bring a sort into the wasm.
        let mut strings = BTreeMap::new();
        for (k, v) in map {
            let Value::String(s) = v else { return None };
            strings.insert(k, s);
        }
        Some(strings)
    }

    /// A nested object, read by `read`.
    pub fn object<T>(&mut self, key: &str, read: fn(Fields) -> Option<T>) -> Option<T> {
        read(Fields::of(self.0.remove(key)?)?)
    }

    /// An optional nested object: absent and `null` are `None`.
    pub fn opt_object<T>(&mut self, key: &str, read: fn(Fields) -> Option<T>) -> Option<Option<T>> {
        match self.opt_value(key)? {
            None => Some(None),
            Some(v) => read(Fields::of(v)?).map(Some),
        }
    }

    /// An array of objects, each read by `read`.
    pub fn list<T>(&mut self, key: &str, read: fn(Fields) -> Option<T>) -> Option<Vec<T>> {
        list(self.0.remove(key)?, read)
    }

    /// An optional array of objects: absent and `null` are `None`.
    pub fn opt_list<T>(
        &mut self,
        key: &str,
        read: fn(Fields) -> Option<T>,
    ) -> Option<Option<Vec<T>>> {
        match self.opt_value(key)? {
            None => Some(None),
            Some(v) => list(v, read).map(Some),
        }
    }

    /// An array of any values.
    pub fn values(&mut self, key: &str) -> Option<Vec<Value>> {
        match self.0.remove(key)? {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Whether the object has `key` (for `#[serde(default)]` fields, read only when
    /// present).
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
}

// Arrays are read with loops: `collect` into `Option<Vec<_>>` costs the wasm an adapter
// of its own per element type.

fn list<T>(value: Value, read: fn(Fields) -> Option<T>) -> Option<Vec<T>> {
    let Value::Array(items) = value else {
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(read(Fields::of(item)?)?);
    }
    Some(out)
}

/// An array of strings.
pub fn strings(value: Value) -> Option<Vec<String>> {
    let Value::Array(items) = value else {
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let Value::String(s) = item else { return None };
        out.push(s);
    }
    Some(out)
}

/// `Deserialize` for a type with `fn read(Fields) -> Option<Self>`: the JSON is parsed to
/// a `Value` and read field by field (see the module's documentation).
#[macro_export]
macro_rules! read_serde {
    ($($t:ty),* $(,)?) => {$(
        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                $crate::wire::fields::Fields::of(value)
                    .and_then(<$t>::read)
                    .ok_or_else(|| serde::de::Error::custom(concat!("not a stored ", stringify!($t))))
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_follow_serdes_rules() {
        let doc = json!({"s": "x", "n": null, "i": -3, "b": true, "l": ["a", "b"],
            "m": {"k": "v"}, "o": {"s": "y"}, "bad": 1.5});
        let mut f = Fields::of(doc).unwrap();
        assert_eq!(f.string("s"), Some("x".into()));
        assert_eq!(f.string("s"), None, "each field is taken once");
        assert_eq!(f.opt_string("n"), Some(None));
        assert_eq!(f.opt_string("absent"), Some(None));
        assert_eq!(f.opt_int("i"), Some(Some(-3)));
        assert_eq!(f.bool("b"), Some(true));
        assert_eq!(f.strings("l"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(f.string_map("m").unwrap()["k"], "v");
        assert_eq!(f.object("o", |mut o| o.string("s")), Some("y".to_owned()));
        assert_eq!(f.int("bad"), None, "a float is not an integer");
        assert_eq!(f.string("absent"), None, "a required field must be present");
        assert_eq!(f.value("absent"), None);
        assert!(Fields::of(json!([1])).is_none());
        let mut f = Fields::of(json!({"s": 1, "m": {"k": 1}})).unwrap();
        assert_eq!(
            f.opt_string("s"),
            None,
            "a present option has the right type"
        );
        assert_eq!(f.string_map("m"), None);
    }
}

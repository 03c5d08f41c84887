//! A cursor over decoded request parameters, in the style of mini-redis's `Parse`:
//! handlers `take_*` each parameter they know, typed and checked, then call
//! `finish()`, which turns anything left over into `parameter_unknown`.
//!
//! ```text
//! value   = ""            -> Field::Unset   (Stripe: an empty value unsets)
//!         | string        -> Field::Set(T)
//! absent                  -> Field::Absent  (update leaves the field as it is)
//! ```

use crate::wire::error::ApiError;
use crate::wire::form::{FormMap, FormValue};

/// Stripe's default cap on free-text string parameters.
pub const DEFAULT_MAX_STRING: usize = 5000;

/// What a request said about one optional parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    Absent,
    Unset,
    Set(T),
}

impl<T> Field<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// Applies the field to an `Option` slot: absent keeps, unset clears, set replaces.
    pub fn apply_to(self, slot: &mut Option<T>) {
        match self {
            Field::Absent => {}
            Field::Unset => *slot = None,
            Field::Set(v) => *slot = Some(v),
        }
    }

    /// The value, treating unset as "not given" (for create, where nothing is there to unset).
    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Set(v) => Some(v),
            _ => None,
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Unset => Field::Unset,
            Field::Set(v) => Field::Set(f(v)),
        }
    }

    pub fn try_map<U>(
        self,
        f: impl FnOnce(T) -> Result<U, ApiError>,
    ) -> Result<Field<U>, ApiError> {
        Ok(match self {
            Field::Absent => Field::Absent,
            Field::Unset => Field::Unset,
            Field::Set(v) => Field::Set(f(v)?),
        })
    }
}

/// The parameters of one request (or of one nested object), consumed key by key.
#[derive(Debug, Clone, Default)]
pub struct Params {
    entries: FormMap,
    /// The bracket path of this object, e.g. `shipping[address]`; empty at top level.
    path: String,
}

impl Params {
    pub fn new(entries: FormMap) -> Self {
        Params {
            entries,
            path: String::new(),
        }
    }

    /// A reader for a nested object whose bracket path is `path`.
    pub fn nested(entries: FormMap, path: String) -> Self {
        Params { entries, path }
    }

    /// The bracket-form name of `key` under this object: `key` or `path[key]`.
    pub fn name_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}[{key}]", self.path)
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries not taken yet.
    pub fn entries(&self) -> &FormMap {
        &self.entries
    }

    /// Removes and returns the raw value of `key`.
    pub fn take_raw(&mut self, key: &str) -> Option<FormValue> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// A string parameter of at most `max_chars` characters.
    pub fn string(&mut self, key: &str, max_chars: usize) -> Result<Field<String>, ApiError> {
        match self.take_raw(key) {
            None => Ok(Field::Absent),
            Some(value) => {
                let name = self.name_of(key);
                scalar(&name, value).and_then(|s| check_length(&name, s, max_chars))
            }
        }
    }

    /// A string that may not be unset: an empty value is an error.
    pub fn required_string(
        &mut self,
        key: &str,
        max_chars: usize,
    ) -> Result<Option<String>, ApiError> {
        match self.string(key, max_chars)? {
            Field::Absent => Ok(None),
            Field::Unset => Err(empty_value(&self.name_of(key))),
            Field::Set(s) => Ok(Some(s)),
        }
    }

    /// An integer parameter.
    pub fn integer(&mut self, key: &str) -> Result<Field<i64>, ApiError> {
        self.string(key, 64)?
            .try_map(|s| parse_integer(&self.name_of(key), &s))
    }

    /// A boolean parameter (`true` or `false`).
    pub fn boolean(&mut self, key: &str) -> Result<Field<bool>, ApiError> {
        self.string(key, 16)?.try_map(|s| match s.as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(ApiError::invalid_with_code(
                self.name_of(key),
                "parameter_invalid_boolean",
                format!("Invalid boolean: {s}"),
            )),
        })
    }

    /// One of a fixed set of values.
    pub fn one_of(&mut self, key: &str, allowed: &[&str]) -> Result<Field<String>, ApiError> {
        self.string(key, 255)?
            .try_map(|s| check_one_of(&self.name_of(key), s, allowed))
    }

    /// A nested object (`key[sub]=…`). `key=` unsets it.
    pub fn object(&mut self, key: &str) -> Result<Field<Params>, ApiError> {
        let value = match self.take_container(key) {
            Ok(value) => value,
            Err(field) => return Ok(field),
        };
        let name = self.name_of(key);
        match value {
            FormValue::Map(entries) => Ok(Field::Set(Params::nested(entries, name))),
            _ => Err(ApiError::invalid_with_code(
                name.clone(),
                "parameter_invalid_object",
                format!("Invalid object: {name} must be an object"),
            )),
        }
    }

    /// An array (`key[]=…`, `key[0]=…`, or a JSON array). `key=` unsets it.
    pub fn list(&mut self, key: &str) -> Result<Field<Vec<(String, FormValue)>>, ApiError> {
        let value = match self.take_container(key) {
            Ok(value) => value,
            Err(field) => return Ok(field),
        };
        let name = self.name_of(key);
        match value {
            FormValue::List(items) => {
                let mut named = Vec::with_capacity(items.len());
                for (i, v) in items.into_iter().enumerate() {
                    named.push((format!("{name}[{i}]"), v));
                }
                Ok(Field::Set(named))
            }
            FormValue::Map(entries) => indexed_map_as_list(&name, entries).map(Field::Set),
            FormValue::Str(_) => Err(ApiError::invalid_with_code(
                name.clone(),
                "parameter_invalid_array",
                format!("Invalid array: {name} must be an array"),
            )),
        }
    }

    /// The raw value of an object or array parameter, or the field to answer without one:
    /// absent, or unset by `key=`.
    fn take_container<T>(&mut self, key: &str) -> Result<FormValue, Field<T>> {
        match self.take_raw(key) {
            None => Err(Field::Absent),
            Some(FormValue::Str(s)) if s.is_empty() => Err(Field::Unset),
            Some(value) => Ok(value),
        }
    }

    /// Drains the remaining entries as raw key/value pairs (for free-form maps such as metadata).
    pub fn drain(&mut self) -> FormMap {
        std::mem::take(&mut self.entries)
    }

    /// Rejects whatever the handler did not take, naming every leftover parameter.
    pub fn finish(self) -> Result<(), ApiError> {
        let mut names = Vec::new();
        for (key, value) in &self.entries {
            names.push(first_leaf_name(&self.name_of(key), value));
        }
        if names.is_empty() {
            return Ok(());
        }
        let param = names.remove(0);
        Err(ApiError::UnknownParameter {
            param,
            others: names,
        })
    }

    /// Like [`Params::object`], for an object that cannot be unset: `key=` is an error.
    pub fn object_not_empty(&mut self, key: &str) -> Result<Option<Params>, ApiError> {
        match self.object(key)? {
            Field::Absent => Ok(None),
            Field::Unset => Err(empty_value(&self.name_of(key))),
            Field::Set(p) => Ok(Some(p)),
        }
    }
}

/// Wraps one element of a list as a nested object so that it can be read field by field.
pub fn element_object(name: &str, value: FormValue) -> Result<Params, ApiError> {
    match value {
        FormValue::Map(entries) => Ok(Params::nested(entries, name.to_owned())),
        _ => Err(ApiError::invalid_with_code(
            name.to_owned(),
            "parameter_invalid_object",
            format!("Invalid object: {name} must be an object"),
        )),
    }
}

/// Reads one element of a list as a string.
pub fn element_string(name: &str, value: FormValue, max_chars: usize) -> Result<String, ApiError> {
    match scalar(name, value)? {
        Field::Set(s) => match check_length(name, Field::Set(s), max_chars)? {
            Field::Set(s) => Ok(s),
            _ => Err(empty_value(name)),
        },
        _ => Err(empty_value(name)),
    }
}

/// The bracket name of the first leaf under `name`, so that an unknown nested key
/// is reported as `address[planet]` rather than `address`.
fn first_leaf_name(name: &str, value: &FormValue) -> String {
    match value {
        FormValue::Map(entries) => match entries.first() {
            Some((k, v)) => first_leaf_name(&format!("{name}[{k}]"), v),
            None => name.to_owned(),
        },
        _ => name.to_owned(),
    }
}

fn scalar(name: &str, value: FormValue) -> Result<Field<String>, ApiError> {
    match value {
        FormValue::Str(s) if s.is_empty() => Ok(Field::Unset),
        FormValue::Str(s) => Ok(Field::Set(s)),
        FormValue::Map(_) => Err(ApiError::invalid_with_code(
            name.to_owned(),
            "parameter_invalid_string",
            format!("Invalid string: {name} must be a string, not an object"),
        )),
        FormValue::List(_) => Err(ApiError::invalid_with_code(
            name.to_owned(),
            "parameter_invalid_string",
            format!("Invalid string: {name} must be a string, not an array"),
        )),
    }
}

fn check_length(
    name: &str,
    field: Field<String>,
    max_chars: usize,
) -> Result<Field<String>, ApiError> {
    if let Field::Set(s) = &field {
        if s.chars().count() > max_chars {
            return Err(ApiError::invalid_with_code(
                name.to_owned(),
                "parameter_invalid_string",
                format!(
                    "Invalid string: {}; must be at most {max_chars} characters",
                    abbreviate(s)
                ),
            ));
        }
    }
    Ok(field)
}

/// Stripe echoes a long invalid value as its first and last ten characters.
fn abbreviate(s: &str) -> String {
    const SHOWN: usize = 10;
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 2 * SHOWN + 3 {
        return s.to_owned();
    }
    let head: String = chars[..SHOWN].iter().collect();
    let tail: String = chars[chars.len() - SHOWN..].iter().collect();
    format!("{head}...{tail}")
}

pub fn parse_integer(name: &str, s: &str) -> Result<i64, ApiError> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let well_formed = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    match s.parse::<i64>() {
        Ok(n) if well_formed => Ok(n),
        _ => Err(ApiError::invalid_with_code(
            name.to_owned(),
            "parameter_invalid_integer",
            format!("Invalid integer: {s}"),
        )),
    }
}

pub fn check_one_of(name: &str, value: String, allowed: &[&str]) -> Result<String, ApiError> {
    if allowed.contains(&value.as_str()) {
        return Ok(value);
    }
    Err(ApiError::invalid(
        name.to_owned(),
        format!(
            "Invalid {name}: must be one of {}",
            join_alternatives(allowed)
        ),
    ))
}

/// `a, b, or c`, as Stripe phrases enum errors.
fn join_alternatives(allowed: &[&str]) -> String {
    match allowed {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

/// Reads `expand[]` where `accept` says which paths can be expanded; answers whether
/// any path was given. A path it refuses is Stripe's 400 on `expand`.
pub fn expand_paths(p: &mut Params, accept: fn(&str) -> bool) -> Result<bool, ApiError> {
    let Field::Set(items) = p.list("expand")? else {
        return Ok(false);
    };
    for (name, value) in items {
        let path = element_string(&name, value, 500)?;
        if !accept(&path) {
            return Err(not_expandable(&path));
        }
    }
    Ok(true)
}

/// Stripe's 400 on `expand` for a path that names no expandable field.
pub fn not_expandable(path: &str) -> ApiError {
    let field = path.rsplit('.').next().unwrap_or(path);
    ApiError::invalid(
        "expand",
        format!("This property cannot be expanded ({field})."),
    )
}

pub fn empty_value(name: &str) -> ApiError {
    ApiError::invalid_with_code(
        name.to_owned(),
        "parameter_invalid_empty",
        format!(
            "You passed an empty string for '{name}'. We assume empty values are an attempt to unset a parameter; however '{name}' cannot be unset. You should remove '{name}' from your request or supply a non-empty value."
        ),
    )
}

/// `a[0]=x&a[1]=y` arrives as a map with integer keys; Stripe reads it as an array.
fn indexed_map_as_list(name: &str, entries: FormMap) -> Result<Vec<(String, FormValue)>, ApiError> {
    let mut order = Vec::with_capacity(entries.len());
    let mut values = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let index: usize = key.parse().map_err(|_| {
            ApiError::invalid_with_code(
                name.to_owned(),
                "parameter_invalid_array",
                format!("Invalid array: {name} must be an array"),
            )
        })?;
        // Sorted as text: the index zero-padded to 20 digits (as wide as any usize), then
        // the arrival position, so that equal indices (`0` and `00`) keep their order.
        // Sorting `String`s reuses the sort the wasm has for fingerprints; a sort of
        // `(usize, FormValue)` would add its own 3.5 KB.
        order.push(format!("{index:020}{:010}", values.len()));
        values.push(Some(value));
    }
    order.sort();
    Ok(order
        .iter()
        .filter_map(|key| {
            let (index, at) = key.split_at_checked(20)?;
            let index = index.trim_start_matches('0');
            let value = values.get_mut(at.parse::<usize>().ok()?)?.take()?;
            Some((
                format!("{name}[{}]", if index.is_empty() { "0" } else { index }),
                value,
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn params(query: &str) -> Params {
        Params::new(decode_form(query.as_bytes()).unwrap())
    }

    #[test]
    fn an_empty_value_means_unset_and_a_missing_key_means_absent() {
        let mut p = params("name=&email=a%40b.c");
        assert_eq!(p.string("name", 10).unwrap(), Field::Unset);
        assert_eq!(p.string("email", 10).unwrap(), Field::Set("a@b.c".into()));
        assert_eq!(p.string("phone", 10).unwrap(), Field::Absent);
        p.finish().unwrap();
    }

    #[test]
    fn leftover_nested_keys_are_reported_in_bracket_form() {
        let mut p = params("address[line1]=x&address[planet]=mars");
        let Field::Set(mut address) = p.object("address").unwrap() else {
            panic!("address should be an object")
        };
        address.string("line1", 100).unwrap();
        let err = address.finish().unwrap_err();
        assert_eq!(err.param(), Some("address[planet]"));
        assert_eq!(
            err.to_string(),
            "Received unknown parameter: address[planet]"
        );
    }

    #[test]
    fn several_unknown_parameters_are_named_together() {
        let err = params("planet=mars&moon=io").finish().unwrap_err();
        assert_eq!(err.param(), Some("planet"));
        assert_eq!(err.to_string(), "Received unknown parameters: planet, moon");
    }

    #[test]
    fn an_unknown_nested_top_level_key_names_its_first_leaf() {
        let err = params("foo[bar][baz]=1").finish().unwrap_err();
        assert_eq!(err.param(), Some("foo[bar][baz]"));
    }

    #[test]
    fn integers_reject_everything_but_optional_minus_and_digits() {
        let cases = [
            ("12", Some(12)),
            ("-7", Some(-7)),
            ("+7", None),
            ("1.5", None),
            ("abc", None),
            ("99999999999999999999", None),
        ];
        for (input, expected) in cases {
            let got = parse_integer("balance", input).ok();
            assert_eq!(got, expected, "input {input:?}");
        }
    }

    #[test]
    fn strings_longer_than_the_limit_are_rejected_with_their_param() {
        let long = "a".repeat(513);
        let mut p = params(&format!("email={long}"));
        let err = p.string("email", 512).unwrap_err();
        assert_eq!(err.param(), Some("email"));
        assert!(err.to_string().contains("must be at most 512 characters"));
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut p = params("name=%C3%A9%C3%A9%C3%A9");
        assert_eq!(p.string("name", 3).unwrap(), Field::Set("ééé".into()));
    }

    #[test]
    fn enum_errors_list_the_allowed_values() {
        let mut p = params("tax_exempt=maybe");
        let err = p
            .one_of("tax_exempt", &["none", "reverse", "exempt"])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Invalid tax_exempt: must be one of none, reverse, or exempt"
        );
    }

    #[test]
    fn lists_accept_brackets_and_integer_indices_in_order() {
        let mut p = params("a[]=x&a[]=y&b[1]=second&b[0]=first");
        let a: Vec<_> = match p.list("a").unwrap() {
            Field::Set(items) => items.into_iter().map(|(_, v)| v).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            a,
            vec![FormValue::Str("x".into()), FormValue::Str("y".into())]
        );
        let b: Vec<_> = match p.list("b").unwrap() {
            Field::Set(items) => items.into_iter().map(|(n, _)| n).collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(b, vec!["b[0]".to_string(), "b[1]".to_string()]);
    }

    #[test]
    fn indexed_lists_come_in_index_order_and_equal_indices_in_arrival_order() {
        let mut p = params("b[10]=x&b[2]=y&b[00]=z&b[0]=w&b[3]=v");
        let Field::Set(items) = p.list("b").unwrap() else {
            panic!("b is a list")
        };
        let got: Vec<(String, String)> = items
            .into_iter()
            .map(|(n, v)| (n, v.as_str().unwrap().to_owned()))
            .collect();
        let expected = [
            ("b[0]", "z"),
            ("b[0]", "w"),
            ("b[2]", "y"),
            ("b[3]", "v"),
            ("b[10]", "x"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, expected);
        let big = format!("c[{}]=x&c[1]=y", usize::MAX);
        let Field::Set(items) = params(&big).list("c").unwrap() else {
            panic!("c is a list")
        };
        let names: Vec<String> = items.into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["c[1]".to_owned(), format!("c[{}]", usize::MAX)]);
    }

    #[test]
    fn a_map_with_non_integer_keys_is_not_a_list() {
        let mut p = params("a[x]=1");
        assert_eq!(p.list("a").unwrap_err().param(), Some("a"));
    }

    #[test]
    fn a_scalar_where_an_object_belongs_is_rejected() {
        let mut p = params("address=main+street");
        assert_eq!(p.object("address").unwrap_err().param(), Some("address"));
    }
}

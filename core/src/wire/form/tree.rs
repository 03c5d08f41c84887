//! Tree building: places one decoded `name=value` pair into the parameter
//! tree, following Rack's rules and refusing pairs that change a node's shape.
//!
//! ```text
//! a=v           set Str (a repeated key replaces in place: last wins)
//! a[k]...=v     descend into Map a, creating it
//! a[]=v         push Str v onto List a
//! a[][k]...=v   extend the last Map in List a unless it already has k...,
//!               else push a new Map
//! ```

use super::name::{Path, Segment};
use super::{FormMap, FormValue};

/// The pair disagrees with the shape earlier pairs gave the same path
/// (scalar vs map vs list).
#[derive(Debug, PartialEq)]
pub(super) struct Clash;

/// Stores `value` at `path` inside `params`.
pub(super) fn insert(params: &mut FormMap, path: &Path<'_>, value: String) -> Result<(), Clash> {
    insert_at(params, path.base, &path.segments, value)
}

fn insert_at(
    map: &mut FormMap,
    key: &str,
    rest: &[Segment<'_>],
    value: String,
) -> Result<(), Clash> {
    match rest.split_first() {
        None => set_scalar(map, key, value),
        Some((Segment::Key(child_key), tail)) => {
            insert_at(child_map(map, key)?, child_key, tail, value)
        }
        Some((Segment::Append, tail)) => append(child_list(map, key)?, tail, value),
    }
}

/// Handles the part of a name after `[]`.
fn append(list: &mut Vec<FormValue>, rest: &[Segment<'_>], value: String) -> Result<(), Clash> {
    match rest.split_first() {
        None => {
            list.push(FormValue::Str(value));
            Ok(())
        }
        Some((Segment::Key(key), tail)) => insert_at(element_for(list, rest)?, key, tail, value),
        // `[][]` is rejected by the name parser; refuse it here too.
        Some((Segment::Append, _)) => Err(Clash),
    }
}

/// Rack's rule: reuse the last element when it is a Map that does not hold
/// `rest` yet, otherwise start a new Map element.
fn element_for<'l>(
    list: &'l mut Vec<FormValue>,
    rest: &[Segment<'_>],
) -> Result<&'l mut FormMap, Clash> {
    let reuse = matches!(list.last(), Some(FormValue::Map(last)) if !has_path(last, rest));
    if !reuse {
        list.push(FormValue::Map(FormMap::new()));
    }
    match list.last_mut() {
        Some(FormValue::Map(element)) => Ok(element),
        _ => Err(Clash),
    }
}

/// Whether every key of `path` already exists in `map` (a path with `[]`
/// never counts as present, as in Rack).
fn has_path(map: &FormMap, path: &[Segment<'_>]) -> bool {
    match path.split_first() {
        None => true,
        Some((Segment::Append, _)) => false,
        Some((Segment::Key(key), tail)) => match lookup(map, key) {
            None => false,
            Some(FormValue::Map(child)) => has_path(child, tail),
            Some(_) => tail.is_empty(),
        },
    }
}

fn lookup<'m>(map: &'m FormMap, key: &str) -> Option<&'m FormValue> {
    map.iter()
        .find(|(existing, _)| existing == key)
        .map(|(_, value)| value)
}

fn set_scalar(map: &mut FormMap, key: &str, value: String) -> Result<(), Clash> {
    match slot(map, key, || FormValue::Str(String::new())) {
        FormValue::Str(text) => {
            *text = value;
            Ok(())
        }
        FormValue::Map(_) | FormValue::List(_) => Err(Clash),
    }
}

fn child_map<'m>(map: &'m mut FormMap, key: &str) -> Result<&'m mut FormMap, Clash> {
    match slot(map, key, || FormValue::Map(FormMap::new())) {
        FormValue::Map(child) => Ok(child),
        FormValue::Str(_) | FormValue::List(_) => Err(Clash),
    }
}

fn child_list<'m>(map: &'m mut FormMap, key: &str) -> Result<&'m mut Vec<FormValue>, Clash> {
    match slot(map, key, || FormValue::List(Vec::new())) {
        FormValue::List(child) => Ok(child),
        FormValue::Str(_) | FormValue::Map(_) => Err(Clash),
    }
}

/// The value stored under `key`, first inserting `make()` when `key` is new.
fn slot<'m>(
    map: &'m mut FormMap,
    key: &str,
    make: impl FnOnce() -> FormValue,
) -> &'m mut FormValue {
    let index = match map.iter().position(|(existing, _)| existing == key) {
        Some(index) => index,
        None => {
            map.push((key.to_owned(), make()));
            map.len() - 1
        }
    };
    &mut map[index].1
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{m, params, s};
    use super::super::name::parse;
    use super::*;

    #[test]
    fn has_path_only_sees_fully_present_key_paths() {
        let element = params(vec![("x", m(vec![("y", s("1"))])), ("k", s("2"))]);
        let cases = [
            ("a[][k]", true, "a present scalar key"),
            ("a[][x]", true, "a present map key"),
            ("a[][x][y]", true, "a present nested key"),
            ("a[][x][z]", false, "a missing nested key"),
            ("a[][k][z]", false, "a scalar cannot hold deeper keys"),
            ("a[][q]", false, "a missing key"),
            ("a[][x][]", false, "paths with [] never count as present"),
        ];
        for (name, expected, reason) in cases {
            let path = parse(name).expect("test names are valid");
            let rest = path.segments.get(1..).unwrap_or_default();
            assert_eq!(has_path(&element, rest), expected, "{reason}");
        }
    }

    #[test]
    fn a_list_inside_a_list_clashes_even_without_the_parser() {
        let mut list = Vec::new();
        let rest = [Segment::Append];
        assert_eq!(
            append(&mut list, &rest, "x".into()),
            Err(Clash),
            "the tree refuses [][] as a second line of defence"
        );
    }
}

//! Metadata, as every Stripe object has it: at most 50 keys of up to 40 characters,
//! values of up to 500; `metadata=` clears it and `metadata[k]=` removes one key.

use std::collections::BTreeMap;

use crate::wire::error::ApiError;
use crate::wire::params::{element_string, Field, Params};

pub type Metadata = BTreeMap<String, String>;

pub const METADATA_KEYS_MAX: usize = 50;
pub const METADATA_KEY_MAX: usize = 40;
pub const METADATA_VALUE_MAX: usize = 500;

/// Metadata changes: `metadata=` clears all keys; `metadata[k]=` removes one key.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataPatch {
    Keep,
    Clear,
    Merge(Vec<(String, Option<String>)>),
}

impl MetadataPatch {
    /// Reads `metadata` from the parameters: absent, `metadata=`, or `metadata[k]=v`.
    pub fn parse(p: &mut Params) -> Result<MetadataPatch, ApiError> {
        let mut metadata = match p.object("metadata")? {
            Field::Absent => return Ok(MetadataPatch::Keep),
            Field::Unset => return Ok(MetadataPatch::Clear),
            Field::Set(m) => m,
        };
        let entries = metadata.drain();
        if entries.len() > METADATA_KEYS_MAX {
            return Err(too_many_metadata_keys(entries.len()));
        }
        let mut merge = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let name = metadata.name_of(&key);
            check_metadata_key(&name, &key)?;
            let value = match element_string(&name, value, usize::MAX) {
                Ok(v) => Some(check_metadata_value(&name, v)?),
                Err(e) if e.code() == Some("parameter_invalid_empty") => None,
                Err(e) => return Err(e),
            };
            merge.push((key, value));
        }
        Ok(MetadataPatch::Merge(merge))
    }
}

fn check_metadata_key(name: &str, key: &str) -> Result<(), ApiError> {
    let length = key.chars().count();
    if length > METADATA_KEY_MAX {
        return Err(ApiError::invalid(
            name,
            format!("Metadata keys can have up to {METADATA_KEY_MAX} characters, but you passed in a key that is {length} characters. Invalid key: {key}"),
        ));
    }
    if key.is_empty() || key.contains(['[', ']']) {
        return Err(ApiError::invalid(
            name,
            format!("Invalid metadata key: '{key}'. Keys must be non-empty and may not contain square brackets."),
        ));
    }
    Ok(())
}

fn check_metadata_value(name: &str, value: String) -> Result<String, ApiError> {
    let length = value.chars().count();
    if length > METADATA_VALUE_MAX {
        return Err(ApiError::invalid(
            name,
            format!("Metadata values can have up to {METADATA_VALUE_MAX} characters, but you passed in a value that is {length} characters. Invalid value: {value}"),
        ));
    }
    Ok(value)
}

/// Stripe's error for a metadata object with more than 50 keys (`count` after merging).
pub fn too_many_metadata_keys(count: usize) -> ApiError {
    ApiError::invalid(
        "metadata",
        format!("Metadata can have up to {METADATA_KEYS_MAX} keys, but you've set {count}. Email us at support+metadata@stripe.com for more information."),
    )
}

impl MetadataPatch {
    /// Applies the change to `metadata`; more than 50 keys afterwards is Stripe's 400.
    pub fn apply_to(self, metadata: &mut Metadata) -> Result<(), ApiError> {
        match self {
            MetadataPatch::Keep => {}
            MetadataPatch::Clear => metadata.clear(),
            MetadataPatch::Merge(entries) => {
                for (key, value) in entries {
                    match value {
                        Some(v) => metadata.insert(key, v),
                        None => metadata.remove(&key),
                    };
                }
            }
        }
        if metadata.len() > METADATA_KEYS_MAX {
            return Err(too_many_metadata_keys(metadata.len()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn patch(query: &str) -> Result<MetadataPatch, ApiError> {
        MetadataPatch::parse(&mut Params::new(decode_form(query.as_bytes()).unwrap()))
    }

    #[test]
    fn keys_are_merged_removed_or_all_cleared() {
        let mut m = Metadata::new();
        patch("metadata[a]=1&metadata[b]=2")
            .unwrap()
            .apply_to(&mut m)
            .unwrap();
        patch("metadata[a]=").unwrap().apply_to(&mut m).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["b"]);
        patch("metadata=").unwrap().apply_to(&mut m).unwrap();
        assert!(m.is_empty());
        assert_eq!(patch("").unwrap(), MetadataPatch::Keep);
    }

    #[test]
    fn limits_are_stripes() {
        let long_key = format!("metadata[{}]=v", "k".repeat(41));
        assert!(patch(&long_key).is_err());
        let long_value = format!("metadata[k]={}", "v".repeat(501));
        assert_eq!(patch(&long_value).unwrap_err().param(), Some("metadata[k]"));
        let mut m: Metadata = (0..50).map(|i| (format!("k{i}"), "v".into())).collect();
        let err = patch("metadata[extra]=v")
            .unwrap()
            .apply_to(&mut m)
            .unwrap_err();
        assert_eq!(err.param(), Some("metadata"));
    }
}

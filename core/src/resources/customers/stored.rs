//! The stored form of a customer, the one format the CustomerObject's SQL row, the
//! account index and the KV copy all hold: `{"version": N, "record": CustomerRecord}`.
//! Built and read here only, so its text is never parsed where a borrow will do.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::model::CustomerRecord;
use crate::wire::error::ApiError;
use crate::wire::fields::Fields;

/// A customer record with its version, as stored in SQL and copied to KV and the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredCustomer {
    pub version: i64,
    pub record: CustomerRecord,
}

crate::read_serde!(StoredCustomer);

impl StoredCustomer {
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(StoredCustomer {
            version: f.int("version")?,
            record: f.object("record", CustomerRecord::read)?,
        })
    }
}

impl StoredCustomer {
    /// The stored JSON text.
    pub fn to_json(&self) -> Result<String, ApiError> {
        Ok(serde_json::to_string(self)?)
    }
}

/// The JSON of a [`StoredCustomer`] built from its parts, without parsing the record:
/// the same text [`StoredCustomer::to_json`] writes for it.
pub fn stored_json(version: i64, record_json: &str) -> String {
    format!("{{\"version\":{version},\"record\":{record_json}}}")
}

/// The parts of a stored customer's JSON that the plain view needs, borrowed.
#[derive(Deserialize)]
pub struct StoredHead<'a> {
    pub version: i64,
    #[serde(borrow)]
    pub record: RecordHead<'a>,
}

#[derive(Deserialize)]
pub struct RecordHead<'a> {
    /// The public customer object, as stored.
    #[serde(borrow)]
    pub customer: &'a RawValue,
    #[serde(default)]
    pub deleted_at: Option<i64>,
}

impl<'a> StoredHead<'a> {
    pub fn read(stored: &'a str) -> Result<Self, ApiError> {
        Ok(serde_json::from_str(stored)?)
    }

    pub fn is_deleted(&self) -> bool {
        self.record.deleted_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::model::Customer;

    #[test]
    fn the_text_built_from_parts_is_the_serialised_text() {
        let record = CustomerRecord::new(Customer::blank("cus_1".into(), 1, false, "A".into()));
        let stored = StoredCustomer { version: 7, record };
        let record_json = serde_json::to_string(&stored.record).unwrap();
        assert_eq!(stored_json(7, &record_json), stored.to_json().unwrap());
        let head = StoredHead::read(&record_json).err();
        assert!(head.is_some(), "a bare record is not a stored customer");
        let text = stored.to_json().unwrap();
        let head = StoredHead::read(&text).unwrap();
        assert_eq!(head.version, 7);
        assert!(!head.is_deleted());
    }
}

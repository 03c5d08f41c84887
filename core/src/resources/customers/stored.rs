//! The stored form of a customer, the one format the CustomerObject's SQL row, the
//! account index and the KV copy all hold: `{"version": N, "record": CustomerRecord}`.
//! Built and read here only, so its text is never parsed where a borrow will do.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::model::CustomerRecord;
use crate::wire::error::ApiError;
use crate::wire::fields::Fields;
use crate::wire::text::{member, object_members};

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
pub struct StoredHead<'a> {
    pub version: i64,
    pub record: RecordHead<'a>,
}

pub struct RecordHead<'a> {
    /// The public customer object's JSON text, as stored.
    pub customer: &'a str,
    pub deleted_at: Option<i64>,
}

/// [`StoredHead`] as serde reads it, from text that is not compact.
#[derive(Deserialize)]
struct ParsedHead<'a> {
    version: i64,
    #[serde(borrow)]
    record: ParsedRecord<'a>,
}

#[derive(Deserialize)]
struct ParsedRecord<'a> {
    #[serde(borrow)]
    customer: &'a RawValue,
    #[serde(default)]
    deleted_at: Option<i64>,
}

impl<'a> StoredHead<'a> {
    /// The head of a stored customer's JSON. The text this crate stores (in the object,
    /// the index and KV) is compact: its members are found by a scan of the text, with
    /// no parse of the record (about half of a list page's wasm time went to parsing
    /// ten records to find their customers). Any other text is parsed.
    pub fn read(stored: &'a str) -> Result<Self, ApiError> {
        if let Some(head) = Self::scan(stored) {
            return Ok(head);
        }
        let parsed: ParsedHead<'a> = serde_json::from_str(stored)?;
        Ok(StoredHead {
            version: parsed.version,
            record: RecordHead {
                customer: parsed.record.customer.get(),
                deleted_at: parsed.record.deleted_at,
            },
        })
    }

    /// The head read from compact text by its members; `None` if the text is not an
    /// object of that shape (the caller then parses it).
    fn scan(stored: &'a str) -> Option<Self> {
        let members = object_members(stored)?;
        let version = member(&members, "version")?.parse().ok()?;
        let record = object_members(member(&members, "record")?)?;
        let customer = member(&record, "customer")?;
        if !customer.starts_with('{') {
            return None;
        }
        let deleted_at = match member(&record, "deleted_at") {
            None | Some("null") => None,
            Some(at) => Some(at.parse().ok()?),
        };
        Some(StoredHead {
            version,
            record: RecordHead {
                customer,
                deleted_at,
            },
        })
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

    /// What serde reads of `text`: version, the customer's text, deleted_at.
    fn parsed(text: &str) -> (i64, String, Option<i64>) {
        let head: ParsedHead = serde_json::from_str(text).unwrap();
        let customer = head.record.customer.get().to_owned();
        (head.version, customer, head.record.deleted_at)
    }

    #[test]
    fn the_scanned_head_is_the_parsed_head_and_other_text_is_parsed() {
        let mut customer = Customer::blank("cus_1".into(), 1, false, "A".into());
        customer.name = Some(r#"Ann "},"deleted_at":5,"x":{" [\"#.into());
        customer.metadata.insert(r#"k"}"#.into(), "v,]".into());
        let mut record = CustomerRecord::new(customer);
        let live = StoredCustomer {
            version: 3,
            record: record.clone(),
        }
        .to_json()
        .unwrap();
        record.deleted_at = Some(9);
        let deleted = StoredCustomer { version: 4, record }.to_json().unwrap();
        let pretty = crate::wire::text::pretty(&deleted);
        for text in [&live, &deleted, &pretty] {
            let head = StoredHead::read(text).unwrap();
            let read = (
                head.version,
                head.record.customer.to_owned(),
                head.record.deleted_at,
            );
            assert_eq!(read, parsed(text));
        }
        assert!(StoredHead::scan(&live).is_some(), "compact text is scanned");
        assert!(StoredHead::scan(&pretty).is_none(), "other text is parsed");
        assert_eq!(
            StoredHead::read(&deleted).unwrap().record.deleted_at,
            Some(9)
        );
        assert!(StoredHead::read("{\"version\":1}").is_err());
    }
}

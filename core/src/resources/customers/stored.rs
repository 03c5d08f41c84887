//! The stored form of a customer, the one format the CustomerObject's SQL row, the
//! account index and the KV copy all hold: `{"version": N, "record": CustomerRecord}`.
//! Built and read here only, so its text is never parsed where a borrow will do.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::model::CustomerRecord;
use crate::wire::error::ApiError;
use crate::wire::fields::Fields;
use crate::wire::text::split_first_value;

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
    /// the index and KV) is read by a scan of the customer's text, with no parse of the
    /// record (about half of a list page's wasm time went to parsing ten records to find
    /// their customers). Any other text (an older record's shape, pretty text) is parsed.
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

    /// The head of the text exactly as [`stored_json`] writes a serialised record:
    /// `{"version":N,"record":{"customer":{…},…,"deleted_at":D}}` (and `,"purged":true`
    /// after `D`), the customer first and `deleted_at` last among the record's members
    /// (`CustomerRecord`'s field order). Only the customer's own text is scanned, to find
    /// its end, not the record's other members (a list page's text work, per customer;
    /// the whole text was scanned twice until stop 30). `D` is found at the end: a member
    /// right before its object's closing brace is that object's, and a quote inside a
    /// string is escaped, so the `,"deleted_at":` found is the record's own. `None` for
    /// any other shape (an older record without `deleted_at`, other text: the caller then
    /// parses it).
    fn scan(stored: &'a str) -> Option<Self> {
        let rest = stored.strip_prefix(r#"{"version":"#)?;
        let (version, rest) = rest.split_once(r#","record":{"customer":"#)?;
        let version = version.parse().ok()?;
        let members = rest.strip_suffix("}}")?;
        if !members.starts_with('{') {
            return None;
        }
        let (customer, after) = split_first_value(members)?;
        let after = after.strip_suffix(r#","purged":true"#).unwrap_or(after);
        let (_, deleted_at) = after.rsplit_once(r#","deleted_at":"#)?;
        let deleted_at = match deleted_at {
            "null" => None,
            at => Some(at.parse().ok()?),
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

    /// What `head` read: version, the customer's text, deleted_at.
    fn owned(head: StoredHead) -> (i64, String, Option<i64>) {
        let customer = head.record.customer.to_owned();
        (head.version, customer, head.record.deleted_at)
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
            assert_eq!(owned(StoredHead::read(text).unwrap()), parsed(text));
        }
        assert!(StoredHead::scan(&live).is_some(), "compact text is scanned");
        assert!(StoredHead::scan(&pretty).is_none(), "other text is parsed");
        assert_eq!(
            StoredHead::read(&deleted).unwrap().record.deleted_at,
            Some(9)
        );
        assert!(StoredHead::read("{\"version\":1}").is_err());
    }

    #[test]
    fn the_head_as_written_is_the_parsed_head_and_other_shapes_fall_back() {
        let mut customer = Customer::blank("cus_1".into(), 1, false, "A".into());
        customer.name = Some(r#"Ann "},"deleted_at":5}}" \"#.into());
        let mut record = CustomerRecord::new(customer);
        // A member named deleted_at deeper in the record is not the record's own.
        record.sources = vec![serde_json::json!({ "a": 1, "deleted_at": 77 })];
        let mut texts = Vec::new();
        for (deleted_at, purged) in [(None, false), (Some(9), false), (Some(9), true)] {
            record.deleted_at = deleted_at;
            record.purged = purged;
            let stored = StoredCustomer {
                version: 12,
                record: record.clone(),
            };
            texts.push(stored.to_json().unwrap());
        }
        for text in &texts {
            let head = StoredHead::scan(text).expect("our own text is scanned");
            assert_eq!(owned(head), parsed(text), "{text}");
        }
        assert_eq!(StoredHead::scan(&texts[0]).unwrap().record.deleted_at, None);
        assert_eq!(
            StoredHead::scan(&texts[2]).unwrap().record.deleted_at,
            Some(9)
        );
        // An older record without deleted_at, and pretty text: another path reads them.
        let older = texts[0].replace(r#","deleted_at":null"#, "");
        let pretty = crate::wire::text::pretty(&texts[1]);
        for text in [&older, &pretty] {
            assert!(StoredHead::scan(text).is_none(), "{text}");
            assert_eq!(owned(StoredHead::read(text).unwrap()), parsed(text));
        }
    }
}

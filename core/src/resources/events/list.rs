//! `ListEvents`: the parameters of `GET /v1/events` (pagination, `created`, `type`
//! with `*` wildcards, `types[]`, `delivery_success`) and the page query over the
//! account's `events` table, newest first.
//!
//! ```text
//! type=customer.*        type GLOB 'customer.*'    (names hold only [a-z0-9_.], so GLOB is exact)
//! types[]=a&types[]=b    type IN (?, ?)            (at most 20; `type` and `types` exclude each other)
//! delivery_success=false pending_webhooks > 0      (some endpoint is still owed a 2xx)
//! ```

use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::pagination::{
    Conditions, CreatedRange, Cursor, Limit, Position, SqlArg, SqlQuery,
};
use crate::wire::params::{element_string, Field, Params};

/// `types[]` takes at most this many names.
pub const MAX_TYPES: usize = 20;
const TYPE_MAX_CHARS: usize = 200;

/// Which event types a list selects.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeFilter {
    All,
    /// `type`, possibly with `*` wildcards.
    Pattern(String),
    /// `types[]`, exact names.
    Exact(Vec<String>),
}

/// The validated parameters of `GET /v1/events`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListEvents {
    pub limit: Limit,
    pub cursor: Cursor,
    pub created: CreatedRange,
    pub types: TypeFilter,
    pub delivery_success: Option<bool>,
}

impl ListEvents {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let limit = Limit::parse(p)?;
        let cursor = Cursor::parse(p)?;
        let created = CreatedRange::parse(p)?;
        let pattern = p.required_string("type", TYPE_MAX_CHARS)?;
        let exact = parse_types(p)?;
        let types = match (pattern, exact) {
            (Some(_), Some(_)) => {
                return Err(ApiError::invalid(
                    "types",
                    "You may only specify one of these parameters: type, types.",
                ))
            }
            (Some(pattern), None) => TypeFilter::Pattern(check_type_name("type", pattern)?),
            (None, Some(names)) => TypeFilter::Exact(names),
            (None, None) => TypeFilter::All,
        };
        let delivery_success = p.boolean("delivery_success")?.into_option();
        Ok(ListEvents {
            limit,
            cursor,
            created,
            types,
            delivery_success,
        })
    }

    /// The page query over the `events` table, `at` being the cursor's position.
    pub fn page_query(&self, columns: &str, at: Option<Position>) -> SqlQuery {
        let mut conditions = Conditions::new("1 = 1");
        conditions.created(&self.created);
        match &self.types {
            TypeFilter::All => {}
            TypeFilter::Pattern(pattern) => {
                conditions.and("type GLOB ?", [SqlArg::Text(pattern.clone())])
            }
            TypeFilter::Exact(names) => {
                let marks = vec!["?"; names.len()].join(", ");
                let args = names.iter().cloned().map(SqlArg::Text);
                conditions.and(format!("type IN ({marks})"), args);
            }
        }
        match self.delivery_success {
            Some(true) => conditions.and("pending_webhooks = 0", []),
            Some(false) => conditions.and("pending_webhooks > 0", []),
            None => {}
        }
        conditions.page(columns, "events", at, self.cursor.is_reversed(), self.limit)
    }
}

impl Message for ListEvents {
    fn write(&self, w: &mut Writer) {
        self.limit.write(w);
        self.cursor.write(w);
        self.created.write(w);
        match &self.types {
            TypeFilter::All => w.str("a"),
            TypeFilter::Pattern(pattern) => {
                w.str("p");
                w.str(pattern);
            }
            TypeFilter::Exact(names) => {
                w.str("e");
                w.strs(names);
            }
        }
        w.opt_bool(self.delivery_success);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(ListEvents {
            limit: Message::read(r)?,
            cursor: Message::read(r)?,
            created: Message::read(r)?,
            types: match r.str()? {
                "a" => TypeFilter::All,
                "p" => TypeFilter::Pattern(r.string()?),
                "e" => TypeFilter::Exact(r.strings()?),
                _ => return None,
            },
            delivery_success: r.opt_bool()?,
        })
    }
}

/// `types[]`: 1 to 20 event names.
fn parse_types(p: &mut Params) -> Result<Option<Vec<String>>, ApiError> {
    let Field::Set(items) = p.list("types")? else {
        return Ok(None);
    };
    if items.len() > MAX_TYPES {
        return Err(ApiError::invalid(
            "types",
            format!("You may pass at most {MAX_TYPES} types."),
        ));
    }
    let mut names = Vec::with_capacity(items.len());
    for (name, value) in items {
        let text = element_string(&name, value, TYPE_MAX_CHARS)?;
        names.push(check_type_name(&name, text)?);
    }
    Ok(Some(names))
}

/// Event names (and patterns) are lowercase words, digits, `_` and `.`, with `*` in patterns.
fn check_type_name(param: &str, name: String) -> Result<String, ApiError> {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.*".contains(&b));
    if valid {
        Ok(name)
    } else {
        Err(ApiError::invalid(param, format!("Invalid {param}: {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn list(query: &str) -> Result<ListEvents, ApiError> {
        let mut p = Params::new(decode_form(query.as_bytes()).unwrap());
        let parsed = ListEvents::parse(&mut p)?;
        p.finish()?;
        Ok(parsed)
    }

    #[test]
    fn type_and_types_exclude_each_other() {
        let err = list("type=customer.*&types[]=customer.created").unwrap_err();
        assert_eq!(err.param(), Some("types"));
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn a_type_pattern_becomes_a_glob_and_types_an_in_list() {
        let q = list("type=customer.*")
            .unwrap()
            .page_query("document", None);
        assert!(q.sql.contains("type GLOB ?"), "{}", q.sql);
        assert_eq!(q.args[0], SqlArg::Text("customer.*".into()));
        let q = list("types[]=customer.created&types[]=customer.deleted")
            .unwrap()
            .page_query("document", None);
        assert!(q.sql.contains("type IN (?, ?)"), "{}", q.sql);
    }

    #[test]
    fn delivery_success_selects_on_pending_webhooks() {
        let q = list("delivery_success=false")
            .unwrap()
            .page_query("d", None);
        assert!(q.sql.contains("pending_webhooks > 0"));
        let q = list("delivery_success=true").unwrap().page_query("d", None);
        assert!(q.sql.contains("pending_webhooks = 0"));
    }

    #[test]
    fn malformed_types_are_rejected_on_their_param() {
        assert_eq!(list("type=Customer").unwrap_err().param(), Some("type"));
        assert_eq!(list("type=a'b").unwrap_err().param(), Some("type"));
        assert_eq!(list("types[]=a?b").unwrap_err().param(), Some("types[0]"));
        let many: String = (0..21).map(|i| format!("types[]=t{i}&")).collect();
        assert_eq!(list(&many).unwrap_err().param(), Some("types"));
    }

    #[test]
    fn the_usual_pagination_parameters_apply() {
        let l = list("limit=3&ending_before=evt_1&created[gte]=5").unwrap();
        assert_eq!(l.limit.get(), 3);
        assert!(l.cursor.is_reversed());
        assert_eq!(l.created.gte, Some(5));
        assert_eq!(list("colour=red").unwrap_err().param(), Some("colour"));
    }
}

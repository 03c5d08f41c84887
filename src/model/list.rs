//! `ListCustomers`: the parameters of `GET /v1/customers` (limit, cursors, the
//! `email` and `created` filters) and the SQL window they select from the account
//! index, newest first, with `limit + 1` rows fetched to learn `has_more`.
//!
//! ```text
//! order   = created DESC, seq DESC          (seq breaks ties within one second)
//! starting_after=X  -> rows strictly after X in that order
//! ending_before=X   -> rows strictly before X, read in reverse, then flipped back
//! ```

use serde::{Deserialize, Serialize};

use super::expand::Expand;
use super::limits::EMAIL_MAX;
use crate::error::ApiError;
use crate::params::{parse_integer, Field, Params};

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

/// A page size from 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit(u32);

impl Limit {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let name = p.name_of("limit");
        match p.integer("limit")? {
            Field::Set(n) if (1..=i64::from(MAX_LIMIT)).contains(&n) => Ok(Limit(n as u32)),
            Field::Set(n) if n < 1 => Err(ApiError::invalid_with_code(
                name,
                "parameter_invalid_integer",
                "This value must be greater than or equal to 1.",
            )),
            Field::Set(n) => Err(ApiError::invalid_with_code(
                name,
                "parameter_invalid_integer",
                format!(
                    "This value must be less than or equal to {MAX_LIMIT} (it currently is '{n}')."
                ),
            )),
            _ => Ok(Limit(DEFAULT_LIMIT)),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cursor {
    First,
    StartingAfter(String),
    EndingBefore(String),
}

/// Bounds on `created`: `created=N` or `created[gt|gte|lt|lte]=N`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreatedRange {
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl CreatedRange {
    fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let name = p.name_of("created");
        match p.take_raw("created") {
            None => Ok(CreatedRange::default()),
            Some(crate::form::FormValue::Str(s)) => {
                let at = parse_integer(&name, &s)?;
                Ok(CreatedRange {
                    gte: Some(at),
                    lte: Some(at),
                    ..Default::default()
                })
            }
            Some(crate::form::FormValue::Map(entries)) => {
                let mut range = Params::nested(entries, name);
                let parsed = CreatedRange {
                    gt: range.integer("gt")?.into_option(),
                    gte: range.integer("gte")?.into_option(),
                    lt: range.integer("lt")?.into_option(),
                    lte: range.integer("lte")?.into_option(),
                };
                range.finish()?;
                Ok(parsed)
            }
            Some(_) => Err(ApiError::invalid(
                name.clone(),
                format!("Invalid {name}: must be an integer or an object"),
            )),
        }
    }
}

/// The validated parameters of `GET /v1/customers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListCustomers {
    pub limit: Limit,
    pub cursor: Cursor,
    pub email: Option<String>,
    pub created: CreatedRange,
    pub test_clock: Option<String>,
    pub expand: Expand,
}

impl ListCustomers {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let limit = Limit::parse(p)?;
        let starting_after = p.required_string("starting_after", 5000)?;
        let ending_before = p.required_string("ending_before", 5000)?;
        let cursor =
            match (starting_after, ending_before) {
                (Some(_), Some(_)) => return Err(ApiError::invalid(
                    "ending_before",
                    "You may only specify one of these parameters: ending_before, starting_after.",
                )),
                (Some(id), None) => Cursor::StartingAfter(id),
                (None, Some(id)) => Cursor::EndingBefore(id),
                (None, None) => Cursor::First,
            };
        Ok(ListCustomers {
            limit,
            cursor,
            email: p.string("email", EMAIL_MAX)?.into_option(),
            created: CreatedRange::parse(p)?,
            test_clock: p.required_string("test_clock", 5000)?,
            expand: Expand::parse_for_list(p)?,
        })
    }
}

/// A value bound to a `?` placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlArg {
    Int(i64),
    Text(String),
}

/// One SELECT over the account index, with its bindings.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    pub sql: String,
    pub args: Vec<SqlArg>,
    /// Rows come back oldest first (an `ending_before` page) and must be reversed.
    pub reversed: bool,
}

/// The position of the cursor object in the list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub created: i64,
    pub seq: i64,
}

/// Builds the page query: `columns` from `customers`, live rows only, filters, cursor window.
pub fn page_query(columns: &str, list: &ListCustomers, at: Option<Position>) -> SqlQuery {
    let mut clauses = vec!["deleted = 0".to_owned()];
    let mut args = Vec::new();
    if let Some(email) = &list.email {
        clauses.push("email = ?".into());
        args.push(SqlArg::Text(email.clone()));
    }
    if let Some(clock) = &list.test_clock {
        clauses.push("test_clock = ?".into());
        args.push(SqlArg::Text(clock.clone()));
    }
    let bounds = [
        ("created > ?", list.created.gt),
        ("created >= ?", list.created.gte),
        ("created < ?", list.created.lt),
        ("created <= ?", list.created.lte),
    ];
    for (clause, bound) in bounds {
        if let Some(v) = bound {
            clauses.push(clause.into());
            args.push(SqlArg::Int(v));
        }
    }
    let reversed = matches!(list.cursor, Cursor::EndingBefore(_));
    if let Some(pos) = at {
        clauses.push(beyond(pos, reversed, &mut args));
    }
    let direction = if reversed { "ASC" } else { "DESC" };
    args.push(SqlArg::Int(i64::from(list.limit.get()) + 1));
    SqlQuery {
        sql: format!(
            "SELECT {columns} FROM customers WHERE {} ORDER BY created {direction}, seq {direction} LIMIT ?",
            clauses.join(" AND ")
        ),
        args,
        reversed,
    }
}

/// The clause for rows strictly beyond `pos` in list order (before it when `reversed`),
/// with its three bindings appended to `args`.
pub fn beyond(pos: Position, reversed: bool, args: &mut Vec<SqlArg>) -> String {
    let op = if reversed { ">" } else { "<" };
    args.extend([
        SqlArg::Int(pos.created),
        SqlArg::Int(pos.created),
        SqlArg::Int(pos.seq),
    ]);
    format!("(created {op} ? OR (created = ? AND seq {op} ?))")
}

/// Trims the `limit + 1` rows of a page to `limit`, in newest-first order, and says
/// whether more rows lie beyond the page in the direction of travel.
pub fn finish_page<T>(mut rows: Vec<T>, limit: Limit, reversed: bool) -> (Vec<T>, bool) {
    let has_more = rows.len() > limit.get() as usize;
    rows.truncate(limit.get() as usize);
    if reversed {
        rows.reverse();
    }
    (rows, has_more)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::decode_form;

    fn list(query: &str) -> Result<ListCustomers, ApiError> {
        let mut p = Params::new(decode_form(query.as_bytes()).unwrap());
        let parsed = ListCustomers::parse(&mut p)?;
        p.finish()?;
        Ok(parsed)
    }

    #[test]
    fn limit_defaults_to_ten_and_must_lie_between_one_and_one_hundred() {
        assert_eq!(list("").unwrap().limit.get(), 10);
        assert_eq!(list("limit=1").unwrap().limit.get(), 1);
        assert_eq!(list("limit=100").unwrap().limit.get(), 100);
        for bad in ["limit=0", "limit=101", "limit=-1", "limit=ten"] {
            assert_eq!(list(bad).unwrap_err().param(), Some("limit"), "{bad}");
        }
    }

    #[test]
    fn created_takes_an_integer_or_a_range() {
        let exact = list("created=5").unwrap().created;
        assert_eq!((exact.gte, exact.lte), (Some(5), Some(5)));
        let range = list("created[gt]=1&created[lte]=9").unwrap().created;
        assert_eq!((range.gt, range.lte), (Some(1), Some(9)));
        assert_eq!(
            list("created[gt]=x").unwrap_err().param(),
            Some("created[gt]")
        );
        assert_eq!(
            list("created[after]=1").unwrap_err().param(),
            Some("created[after]")
        );
    }

    #[test]
    fn both_cursors_at_once_are_rejected() {
        assert!(list("starting_after=cus_a&ending_before=cus_b").is_err());
    }

    #[test]
    fn the_page_query_filters_orders_and_fetches_one_extra_row() {
        let l = list("email=a%40b.c&created[gte]=10&limit=3&starting_after=cus_x").unwrap();
        let q = page_query(
            "doc",
            &l,
            Some(Position {
                created: 20,
                seq: 4,
            }),
        );
        assert_eq!(
            q.sql,
            "SELECT doc FROM customers WHERE deleted = 0 AND email = ? AND created >= ? AND (created < ? OR (created = ? AND seq < ?)) ORDER BY created DESC, seq DESC LIMIT ?"
        );
        assert_eq!(
            q.args,
            vec![
                SqlArg::Text("a@b.c".into()),
                SqlArg::Int(10),
                SqlArg::Int(20),
                SqlArg::Int(20),
                SqlArg::Int(4),
                SqlArg::Int(4)
            ]
        );
        assert!(!q.reversed);
    }

    #[test]
    fn an_ending_before_page_reads_upwards_and_is_flipped_back() {
        let l = list("ending_before=cus_x&limit=2").unwrap();
        let q = page_query(
            "doc",
            &l,
            Some(Position {
                created: 20,
                seq: 4,
            }),
        );
        assert!(q.sql.contains("created > ?") && q.sql.contains("ORDER BY created ASC, seq ASC"));
        let (rows, has_more) = finish_page(vec![1, 2, 3], l.limit, q.reversed);
        assert_eq!(rows, vec![2, 1]);
        assert!(has_more);
    }

    #[test]
    fn a_short_page_has_no_more() {
        let (rows, has_more) = finish_page(vec![1, 2], Limit(2), false);
        assert_eq!(rows, vec![1, 2]);
        assert!(!has_more);
    }
}

//! Stripe's pagination, shared by every list: `limit` (1–100), the cursors
//! `starting_after` / `ending_before`, the `created` filter, and the SQL window a page
//! selects from a table ordered newest first, with `limit + 1` rows to learn `has_more`.
//!
//! ```text
//! order   = created DESC, seq DESC          (seq breaks ties within one second)
//! starting_after=X  -> rows strictly after X in that order
//! ending_before=X   -> rows strictly before X, read in reverse, then flipped back
//! page token        = "page_" hex(created) "_" hex(seq)     (search's next_page)
//! ```

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::form::FormValue;
use crate::wire::params::{parse_integer, Field, Params};

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;
/// Longest id accepted as a cursor.
const CURSOR_MAX: usize = 5000;

/// A page size from 1 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// A limit already checked (1–100), e.g. read back from a command's JSON.
    pub fn of(n: u32) -> Self {
        Limit(n)
    }
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    First,
    StartingAfter(String),
    EndingBefore(String),
}

impl Cursor {
    /// `starting_after` or `ending_before`; both at once is Stripe's 400.
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let starting_after = p.required_string("starting_after", CURSOR_MAX)?;
        let ending_before = p.required_string("ending_before", CURSOR_MAX)?;
        match (starting_after, ending_before) {
            (Some(_), Some(_)) => Err(ApiError::invalid(
                "ending_before",
                "You may only specify one of these parameters: ending_before, starting_after.",
            )),
            (Some(id), None) => Ok(Cursor::StartingAfter(id)),
            (None, Some(id)) => Ok(Cursor::EndingBefore(id)),
            (None, None) => Ok(Cursor::First),
        }
    }

    /// The id the cursor names and the parameter that named it.
    pub fn named(&self) -> Option<(&str, &'static str)> {
        match self {
            Cursor::First => None,
            Cursor::StartingAfter(id) => Some((id, "starting_after")),
            Cursor::EndingBefore(id) => Some((id, "ending_before")),
        }
    }

    pub fn is_reversed(&self) -> bool {
        matches!(self, Cursor::EndingBefore(_))
    }
}

/// Bounds on `created`: `created=N` or `created[gt|gte|lt|lte]=N`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreatedRange {
    pub gt: Option<i64>,
    pub gte: Option<i64>,
    pub lt: Option<i64>,
    pub lte: Option<i64>,
}

impl CreatedRange {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let name = p.name_of("created");
        match p.take_raw("created") {
            None => Ok(CreatedRange::default()),
            Some(FormValue::Str(s)) => {
                let at = parse_integer(&name, &s)?;
                Ok(CreatedRange {
                    gte: Some(at),
                    lte: Some(at),
                    ..Default::default()
                })
            }
            Some(FormValue::Map(entries)) => {
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

/// A value bound to a `?` placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlArg {
    Int(i64),
    Text(String),
}

/// One SELECT with its bindings.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlQuery {
    pub sql: String,
    pub args: Vec<SqlArg>,
    /// Rows come back oldest first (an `ending_before` page) and must be reversed.
    pub reversed: bool,
}

/// The position of the cursor object in the list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub created: i64,
    pub seq: i64,
}

impl Message for Limit {
    fn write(&self, w: &mut Writer) {
        w.int(i64::from(self.0));
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(Limit(r.int()?.try_into().ok()?))
    }
}

/// `~`, or `s` (starting after) / `e` (ending before) and the id.
impl Message for Cursor {
    fn write(&self, w: &mut Writer) {
        let (tag, id) = match self {
            Cursor::First => return w.none(),
            Cursor::StartingAfter(id) => ("s", id),
            Cursor::EndingBefore(id) => ("e", id),
        };
        w.str(tag);
        w.str(id);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        if r.none() {
            return Some(Cursor::First);
        }
        Some(match r.str()? {
            "s" => Cursor::StartingAfter(r.string()?),
            "e" => Cursor::EndingBefore(r.string()?),
            _ => return None,
        })
    }
}

impl Message for CreatedRange {
    fn write(&self, w: &mut Writer) {
        for bound in [self.gt, self.gte, self.lt, self.lte] {
            w.opt_int(bound);
        }
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(CreatedRange {
            gt: r.opt_int()?,
            gte: r.opt_int()?,
            lt: r.opt_int()?,
            lte: r.opt_int()?,
        })
    }
}

impl Message for Position {
    fn write(&self, w: &mut Writer) {
        w.int(self.created);
        w.int(self.seq);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(Position {
            created: r.int()?,
            seq: r.int()?,
        })
    }
}

/// The `WHERE` conditions of a page query, each with its bound arguments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Conditions {
    clauses: Vec<String>,
    args: Vec<SqlArg>,
}

impl Conditions {
    pub fn new(clause: impl Into<String>) -> Self {
        Conditions {
            clauses: vec![clause.into()],
            args: Vec::new(),
        }
    }

    /// Adds `clause` (with its `?` placeholders) and the values bound to them.
    pub fn and(&mut self, clause: impl Into<String>, args: impl IntoIterator<Item = SqlArg>) {
        self.clauses.push(clause.into());
        self.args.extend(args);
    }

    /// Adds `column = ?` when a value is given.
    pub fn equal(&mut self, column: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.and(format!("{column} = ?"), [SqlArg::Text(v.to_owned())]);
        }
    }

    pub fn created(&mut self, range: &CreatedRange) {
        let bounds = [
            ("created > ?", range.gt),
            ("created >= ?", range.gte),
            ("created < ?", range.lt),
            ("created <= ?", range.lte),
        ];
        for (clause, bound) in bounds {
            if let Some(v) = bound {
                self.and(clause, [SqlArg::Int(v)]);
            }
        }
    }

    /// The page query: `columns` from `table` under these conditions, beyond `at` in
    /// list order (before it when `reversed`), `limit + 1` rows.
    pub fn page(
        mut self,
        columns: &str,
        table: &str,
        at: Option<Position>,
        reversed: bool,
        limit: Limit,
    ) -> SqlQuery {
        if let Some(pos) = at {
            let clause = beyond(pos, reversed, &mut self.args);
            self.clauses.push(clause);
        }
        let direction = if reversed { "ASC" } else { "DESC" };
        self.args.push(SqlArg::Int(i64::from(limit.get()) + 1));
        SqlQuery {
            sql: format!(
                "SELECT {columns} FROM {table} WHERE {} ORDER BY created {direction}, seq {direction} LIMIT ?",
                crate::wire::render::join(&self.clauses, " AND ")
            ),
            args: self.args,
            reversed,
        }
    }
}

/// The clause for rows strictly beyond `pos` in list order (before it when `reversed`),
/// with its three bindings appended to `args`.
fn beyond(pos: Position, reversed: bool, args: &mut Vec<SqlArg>) -> String {
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

/// A page of `newest_first` (objects held in memory, e.g. a customer's tax ids), with
/// `has_more`. A cursor naming no object of the list is a 400 `resource_missing` on
/// the cursor's parameter, `kind` naming the object (`No such tax id: 'txi_x'`).
pub fn page_in_memory<'a, T>(
    newest_first: &[&'a T],
    id_of: impl Fn(&T) -> &str,
    kind: &str,
    limit: Limit,
    cursor: &Cursor,
) -> Result<(Vec<&'a T>, bool), ApiError> {
    let n = limit.get() as usize;
    let position = |id: &str, param: &str| {
        newest_first
            .iter()
            .position(|item| id_of(item) == id)
            .ok_or_else(|| ApiError::missing_reference(kind, id, param))
    };
    let (page, has_more) = match cursor {
        Cursor::First => (
            &newest_first[..n.min(newest_first.len())],
            newest_first.len() > n,
        ),
        Cursor::StartingAfter(id) => {
            let rest = &newest_first[position(id, "starting_after")? + 1..];
            (&rest[..n.min(rest.len())], rest.len() > n)
        }
        Cursor::EndingBefore(id) => {
            let at = position(id, "ending_before")?;
            let start = at.saturating_sub(n);
            (&newest_first[start..at], start > 0)
        }
    };
    Ok((page.to_vec(), has_more))
}

/// The `next_page` token of a search page that ended at `at`.
pub fn encode_page(at: Position) -> String {
    format!("page_{:x}_{:x}", at.created, at.seq)
}

/// The position a `page` token names; anything else is a 400 on `page`.
pub fn decode_page(token: &str) -> Result<Position, ApiError> {
    let invalid = || ApiError::invalid("page", format!("Invalid page: {token}"));
    let rest = token.strip_prefix("page_").ok_or_else(invalid)?;
    let (created, seq) = rest.split_once('_').ok_or_else(invalid)?;
    Ok(Position {
        created: i64::from_str_radix(created, 16).map_err(|_| invalid())?,
        seq: i64::from_str_radix(seq, 16).map_err(|_| invalid())?,
    })
}

/// A page of stored documents as an object answers it (JSON, borrowed as they came),
/// newest first, and for a search the token of the next page.
#[derive(Debug, Deserialize)]
pub struct IndexPage<'a> {
    pub has_more: bool,
    /// For a search: the `page` token that continues after this page.
    #[serde(default)]
    pub next_page: Option<String>,
    #[serde(borrow)]
    pub documents: Vec<&'a RawValue>,
}

/// Writes the JSON of an [`IndexPage`] from stored documents, without parsing them.
pub fn index_page_json(has_more: bool, next_page: Option<&str>, documents: &[&str]) -> String {
    let next_page = match next_page {
        Some(token) => crate::wire::render::compact(&token.into()),
        None => "null".to_owned(),
    };
    format!(
        "{{\"has_more\":{has_more},\"next_page\":{next_page},\"documents\":[{}]}}",
        documents.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn params(query: &str) -> Params {
        Params::new(decode_form(query.as_bytes()).unwrap())
    }

    #[test]
    fn limit_defaults_to_ten_and_must_lie_between_one_and_one_hundred() {
        assert_eq!(Limit::parse(&mut params("")).unwrap().get(), 10);
        assert_eq!(Limit::parse(&mut params("limit=1")).unwrap().get(), 1);
        assert_eq!(Limit::parse(&mut params("limit=100")).unwrap().get(), 100);
        for bad in ["limit=0", "limit=101", "limit=-1", "limit=ten"] {
            let err = Limit::parse(&mut params(bad)).unwrap_err();
            assert_eq!(err.param(), Some("limit"), "{bad}");
        }
    }

    #[test]
    fn created_takes_an_integer_or_a_range() {
        let exact = CreatedRange::parse(&mut params("created=5")).unwrap();
        assert_eq!((exact.gte, exact.lte), (Some(5), Some(5)));
        let range = CreatedRange::parse(&mut params("created[gt]=1&created[lte]=9")).unwrap();
        assert_eq!((range.gt, range.lte), (Some(1), Some(9)));
        let bad = CreatedRange::parse(&mut params("created[gt]=x")).unwrap_err();
        assert_eq!(bad.param(), Some("created[gt]"));
        let unknown = CreatedRange::parse(&mut params("created[after]=1")).unwrap_err();
        assert_eq!(unknown.param(), Some("created[after]"));
    }

    #[test]
    fn both_cursors_at_once_are_rejected() {
        assert!(Cursor::parse(&mut params("starting_after=a&ending_before=b")).is_err());
        assert_eq!(
            Cursor::parse(&mut params("ending_before=b")).unwrap(),
            Cursor::EndingBefore("b".into())
        );
    }

    #[test]
    fn a_page_query_filters_orders_and_fetches_one_extra_row() {
        let mut conditions = Conditions::new("deleted = 0");
        conditions.equal("email", Some("a@b.c"));
        conditions.created(&CreatedRange {
            gte: Some(10),
            ..Default::default()
        });
        let at = Position {
            created: 20,
            seq: 4,
        };
        let q = conditions.page("doc", "customers", Some(at), false, Limit(3));
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
        let at = Position {
            created: 20,
            seq: 4,
        };
        let q = Conditions::new("1").page("doc", "t", Some(at), true, Limit(2));
        assert!(q.sql.contains("created > ?") && q.sql.contains("ORDER BY created ASC, seq ASC"));
        let (rows, has_more) = finish_page(vec![1, 2, 3], Limit(2), q.reversed);
        assert_eq!(rows, vec![2, 1]);
        assert!(has_more);
    }

    #[test]
    fn a_short_page_has_no_more() {
        let (rows, has_more) = finish_page(vec![1, 2], Limit(2), false);
        assert_eq!(rows, vec![1, 2]);
        assert!(!has_more);
    }

    #[test]
    fn a_page_written_from_documents_reads_back() {
        let text = index_page_json(true, Some("page_1_2"), &["{\"a\":1}", "{\"b\":2}"]);
        let page: IndexPage = serde_json::from_str(&text).unwrap();
        assert!(page.has_more);
        assert_eq!(page.next_page.as_deref(), Some("page_1_2"));
        assert_eq!(page.documents[1].get(), "{\"b\":2}");
        let text = index_page_json(false, None, &[]);
        let empty: IndexPage = serde_json::from_str(&text).unwrap();
        assert!(empty.documents.is_empty() && empty.next_page.is_none());
    }

    #[test]
    fn an_in_memory_list_pages_both_ways_and_refuses_an_unknown_cursor() {
        let items = ["e", "d", "c", "b", "a"];
        let all: Vec<&&str> = items.iter().collect();
        let page = |cursor: Cursor, n: u32| {
            page_in_memory(&all, |s| s, "thing", Limit(n), &cursor)
                .map(|(rows, more)| (rows.into_iter().copied().collect::<Vec<_>>(), more))
        };
        assert_eq!(page(Cursor::First, 2).unwrap(), (vec!["e", "d"], true));
        assert_eq!(page(Cursor::First, 5).unwrap(), (items.to_vec(), false));
        assert_eq!(
            page(Cursor::StartingAfter("d".into()), 2).unwrap(),
            (vec!["c", "b"], true)
        );
        assert_eq!(
            page(Cursor::StartingAfter("b".into()), 2).unwrap(),
            (vec!["a"], false)
        );
        assert_eq!(
            page(Cursor::EndingBefore("b".into()), 2).unwrap(),
            (vec!["d", "c"], true)
        );
        assert_eq!(
            page(Cursor::EndingBefore("d".into()), 2).unwrap(),
            (vec!["e"], false)
        );
        let err = page(Cursor::EndingBefore("z".into()), 2).unwrap_err();
        assert_eq!(
            err,
            ApiError::missing_reference("thing", "z", "ending_before")
        );
        let none: Vec<&&str> = Vec::new();
        let err = page_in_memory(
            &none,
            |s| s,
            "subscription",
            Limit(1),
            &Cursor::StartingAfter("sub_1".into()),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "No such subscription: 'sub_1'");
        assert_eq!(err.param(), Some("starting_after"));
    }

    #[test]
    fn page_tokens_round_trip_and_garbage_is_a_400_on_page() {
        let at = Position {
            created: 1_700_000_000,
            seq: 42,
        };
        assert_eq!(decode_page(&encode_page(at)).unwrap(), at);
        for bad in ["", "page_", "page_zz_1", "nope_1_2", "page_1"] {
            assert_eq!(decode_page(bad).unwrap_err().param(), Some("page"), "{bad}");
        }
    }
}

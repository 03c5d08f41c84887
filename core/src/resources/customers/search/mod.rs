//! Stripe's search query language for customers: the parser from the `query`
//! string to clauses, and the parameters of `GET /v1/customers/search`.
//!
//! ```text
//! query   = clause *( sep clause )            ; at most 10 clauses
//! sep     = 1*SP / SP "AND" SP / SP "OR" SP   ; AND and OR may not be mixed; space means AND
//! clause  = [ "-" ] field op value
//! field   = "email" / "name" / "phone" / "created" / "metadata[" quoted "]"
//! op      = ":" / "~" / ">" / "<" / ">=" / "<="
//! value   = quoted / bare                     ; bare: digits, or the word null
//! quoted  = DQUOTE *( char / "\" any ) DQUOTE / "'" *( char / "\" any ) "'"
//! ```
//!
//! Field rules: `email`, `name` and `phone` are strings (`:` exact and `~` substring
//! of at least 3 characters, both case-insensitive); `metadata['k']` is a token
//! (`:` exact, case-sensitive); `created` is numeric (`:` and the comparisons).
//! `field:null` matches customers where the field is absent.

pub mod sql;
pub mod trigrams;
pub mod upkeep;

use super::expand::Expand;
use crate::wire::codec::{read_opt, write_opt, Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::pagination::{decode_page, Limit, Position};
use crate::wire::params::Params;

pub const MAX_CLAUSES: usize = 10;
pub const MAX_QUERY_LEN: usize = 5000;
const MIN_SUBSTRING_LEN: usize = 3;

/// A searchable field of a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchField {
    Email,
    Name,
    Phone,
    Created,
    Metadata(String),
}

/// How a clause compares its field with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Exact,
    Substring,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Number(i64),
    Null,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub negated: bool,
    pub field: SearchField,
    pub op: Op,
    pub value: Value,
}

/// How the clauses combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    And,
    Or,
}

/// A parsed, checked query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub join: Join,
    pub clauses: Vec<Clause>,
}

/// The validated parameters of `GET /v1/customers/search`.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchCustomers {
    /// The `query` text, which is what crosses to the object (parsed again there).
    pub text: String,
    pub query: Query,
    pub limit: Limit,
    /// Where the previous page ended (decoded from `page`).
    pub after: Option<Position>,
    pub expand: Expand,
}

impl SearchCustomers {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let text = p.required_string("query", MAX_QUERY_LEN)?.ok_or_else(|| {
            ApiError::MissingParameter {
                param: "query".into(),
            }
        })?;
        let after = match p.required_string("page", 5000)? {
            Some(token) => Some(decode_page(&token)?),
            None => None,
        };
        Ok(SearchCustomers {
            query: parse_query(&text)?,
            text,
            limit: Limit::parse(p)?,
            after,
            expand: Expand::parse_for_list(p)?,
        })
    }
}

impl Message for SearchCustomers {
    fn write(&self, w: &mut Writer) {
        w.str(&self.text);
        self.limit.write(w);
        write_opt(w, &self.after);
        self.expand.write(w);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        let text = r.string()?;
        Some(SearchCustomers {
            query: parse_query(&text).ok()?,
            text,
            limit: Message::read(r)?,
            after: read_opt(r)?,
            expand: Message::read(r)?,
        })
    }
}

fn syntax_error(message: impl Into<String>) -> ApiError {
    ApiError::invalid_with_code("query", "search_query_invalid", message)
}

/// Parses a query string into clauses joined by one connective.
pub fn parse_query(text: &str) -> Result<Query, ApiError> {
    let mut lexer = Lexer {
        chars: text.chars().collect(),
        at: 0,
    };
    let mut clauses = vec![lexer.clause()?];
    let mut join = None;
    while lexer.skip_spaces() {
        let next = match lexer.connective() {
            Some(j) => j,
            None => Join::And,
        };
        if join.is_some_and(|j| j != next) {
            return Err(syntax_error("AND and OR cannot be combined in one query."));
        }
        join = Some(next);
        clauses.push(lexer.clause()?);
    }
    if clauses.len() > MAX_CLAUSES {
        return Err(syntax_error(format!(
            "A query may have at most {MAX_CLAUSES} clauses."
        )));
    }
    Ok(Query {
        join: join.unwrap_or(Join::And),
        clauses,
    })
}

/// A cursor over the characters of the query.
struct Lexer {
    chars: Vec<char>,
    at: usize,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let matched = self.peek() == Some(c);
        if matched {
            self.at += 1;
        }
        matched
    }

    /// Skips white space; true if anything is left after it.
    fn skip_spaces(&mut self) -> bool {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
        self.peek().is_some()
    }

    /// `AND` or `OR` (any case) followed by white space, if one stands here.
    fn connective(&mut self) -> Option<Join> {
        for (word, join) in [("and", Join::And), ("or", Join::Or)] {
            let end = self.at + word.len();
            let candidate: String = self.chars.get(self.at..end)?.iter().collect();
            let followed_by_space = self.chars.get(end).is_some_and(|c| c.is_whitespace());
            if candidate.eq_ignore_ascii_case(word) && followed_by_space {
                self.at = end;
                self.skip_spaces();
                return Some(join);
            }
        }
        None
    }

    fn clause(&mut self) -> Result<Clause, ApiError> {
        self.skip_spaces();
        let negated = self.eat('-');
        let field = self.field()?;
        let op = self.op()?;
        let value = self.value()?;
        check_clause(&field, op, &value)?;
        Ok(Clause {
            negated,
            field,
            op,
            value,
        })
    }

    fn field(&mut self) -> Result<SearchField, ApiError> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            self.at += 1;
        }
        let name: String = self.chars[start..self.at].iter().collect();
        match name.as_str() {
            "email" => Ok(SearchField::Email),
            "name" => Ok(SearchField::Name),
            "phone" => Ok(SearchField::Phone),
            "created" => Ok(SearchField::Created),
            "metadata" => self.metadata_key().map(SearchField::Metadata),
            "" => Err(syntax_error(format!(
                "Expected a field name at position {start} of the query."
            ))),
            other => Err(syntax_error(format!(
                "Field '{other}' is an unsupported search field for customers. Supported fields: created, email, metadata, name, phone."
            ))),
        }
    }

    fn metadata_key(&mut self) -> Result<String, ApiError> {
        if !self.eat('[') {
            return Err(syntax_error(
                "Use metadata['key'] to search on a metadata key.",
            ));
        }
        let key = self.quoted()?;
        if !self.eat(']') {
            return Err(syntax_error("Expected ']' after the metadata key."));
        }
        Ok(key)
    }

    fn op(&mut self) -> Result<Op, ApiError> {
        let op = match self.peek() {
            Some(':') => Op::Exact,
            Some('~') => Op::Substring,
            Some('>') => Op::Greater,
            Some('<') => Op::Less,
            _ => {
                return Err(syntax_error(format!(
                    "Expected an operator (:, ~, >, <, >=, <=) at position {} of the query.",
                    self.at
                )))
            }
        };
        self.at += 1;
        Ok(match op {
            Op::Greater if self.eat('=') => Op::GreaterOrEqual,
            Op::Less if self.eat('=') => Op::LessOrEqual,
            op => op,
        })
    }

    fn value(&mut self) -> Result<Value, ApiError> {
        match self.peek() {
            Some('"' | '\'') => self.quoted().map(Value::Text),
            _ => self.bare(),
        }
    }

    fn bare(&mut self) -> Result<Value, ApiError> {
        let start = self.at;
        while self.peek().is_some_and(|c| !c.is_whitespace()) {
            self.at += 1;
        }
        let word: String = self.chars[start..self.at].iter().collect();
        if word == "null" {
            return Ok(Value::Null);
        }
        word.parse().map(Value::Number).map_err(|_| {
            syntax_error(format!(
                "The value at position {start} of the query must be quoted: use field:'value'."
            ))
        })
    }

    /// A string in single or double quotes; a backslash escapes the next character.
    fn quoted(&mut self) -> Result<String, ApiError> {
        let Some(quote) = self.peek().filter(|c| *c == '"' || *c == '\'') else {
            return Err(syntax_error(format!(
                "Expected a quoted string at position {} of the query.",
                self.at
            )));
        };
        self.at += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(syntax_error("The query has an unterminated string.")),
                Some('\\') => {
                    self.at += 1;
                    let escaped = self
                        .peek()
                        .ok_or_else(|| syntax_error("The query has an unterminated string."))?;
                    out.push(escaped);
                }
                Some(c) if c == quote => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
            self.at += 1;
        }
    }
}

/// Which operators and values each field takes.
fn check_clause(field: &SearchField, op: Op, value: &Value) -> Result<(), ApiError> {
    let comparison = matches!(
        op,
        Op::Greater | Op::GreaterOrEqual | Op::Less | Op::LessOrEqual
    );
    match (field, op, value) {
        (_, Op::Exact, Value::Null) => Ok(()),
        (_, _, Value::Null) => Err(syntax_error("null can only be used with ':'.")),
        (SearchField::Created, Op::Substring, _) => Err(syntax_error(
            "The ~ operator is not supported for the numeric field created.",
        )),
        (SearchField::Created, _, Value::Number(_)) => Ok(()),
        (SearchField::Created, _, Value::Text(t)) if t.parse::<i64>().is_ok() => Ok(()),
        (SearchField::Created, _, _) => {
            Err(syntax_error("created must be compared with an integer."))
        }
        (_, _, Value::Number(_)) => Err(syntax_error(
            "String values must be quoted: use field:'value'.",
        )),
        (_, _, _) if comparison => Err(syntax_error(
            "Comparison operators are only supported for the numeric field created.",
        )),
        (SearchField::Metadata(_), Op::Substring, _) => Err(syntax_error(
            "The ~ operator is not supported for metadata; use ':' for an exact match.",
        )),
        (_, Op::Substring, Value::Text(t)) if t.chars().count() < MIN_SUBSTRING_LEN => {
            Err(syntax_error(format!(
                "A substring search (~) needs at least {MIN_SUBSTRING_LEN} characters."
            )))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(negated: bool, field: SearchField, op: Op, value: Value) -> Clause {
        Clause {
            negated,
            field,
            op,
            value,
        }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn the_seed_example_parses_into_two_and_clauses() {
        let q = parse_query("name:'Jane Doe' AND metadata['foo']:'bar'").unwrap();
        assert_eq!(q.join, Join::And);
        assert_eq!(
            q.clauses,
            vec![
                clause(false, SearchField::Name, Op::Exact, text("Jane Doe")),
                clause(
                    false,
                    SearchField::Metadata("foo".into()),
                    Op::Exact,
                    text("bar")
                ),
            ]
        );
    }

    #[test]
    fn each_operator_negation_quote_style_and_null_parses() {
        let cases = [
            (
                "email~\"amy\"",
                clause(false, SearchField::Email, Op::Substring, text("amy")),
            ),
            (
                "-phone:'555'",
                clause(true, SearchField::Phone, Op::Exact, text("555")),
            ),
            (
                "created>10",
                clause(false, SearchField::Created, Op::Greater, Value::Number(10)),
            ),
            (
                "created>=10",
                clause(
                    false,
                    SearchField::Created,
                    Op::GreaterOrEqual,
                    Value::Number(10),
                ),
            ),
            (
                "created<'10'",
                clause(false, SearchField::Created, Op::Less, text("10")),
            ),
            (
                "created<=10",
                clause(
                    false,
                    SearchField::Created,
                    Op::LessOrEqual,
                    Value::Number(10),
                ),
            ),
            (
                "email:null",
                clause(false, SearchField::Email, Op::Exact, Value::Null),
            ),
            (
                r#"name:"O\"Brien""#,
                clause(false, SearchField::Name, Op::Exact, text("O\"Brien")),
            ),
            (
                r#"metadata["a b"]:'x'"#,
                clause(
                    false,
                    SearchField::Metadata("a b".into()),
                    Op::Exact,
                    text("x"),
                ),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_query(input).unwrap().clauses,
                vec![expected],
                "{input}"
            );
        }
    }

    #[test]
    fn spaces_mean_and_and_or_is_case_insensitive() {
        assert_eq!(parse_query("name:'a'   email:'b'").unwrap().join, Join::And);
        let q = parse_query("name:'a' or email:'b' OR phone:'c'").unwrap();
        assert_eq!((q.join, q.clauses.len()), (Join::Or, 3));
    }

    #[test]
    fn malformed_queries_are_rejected_on_the_query_param() {
        let cases = [
            ("", "empty"),
            ("name", "no operator"),
            ("name:", "no value"),
            ("name:Jane", "unquoted string"),
            ("name:'Jane", "unterminated string"),
            ("colour:'red'", "unsupported field"),
            ("metadata:'x'", "metadata without key"),
            ("metadata['k':'x'", "metadata key not closed"),
            ("name:'a' AND email:'b' OR phone:'c'", "AND mixed with OR"),
            ("name~'ab'", "substring too short"),
            ("metadata['k']~'abc'", "substring on a token field"),
            ("name>'a'", "comparison on a string"),
            ("created:'soon'", "non-numeric created"),
            ("created~'123'", "substring on created"),
            ("email>null", "null with a comparison"),
        ];
        for (input, why) in cases {
            let err = parse_query(input).unwrap_err();
            assert_eq!(err.param(), Some("query"), "{why}");
            assert_eq!(err.status(), 400, "{why}");
        }
    }

    #[test]
    fn more_than_ten_clauses_are_rejected() {
        let query = ["name:'abc'"; 11].join(" AND ");
        assert!(parse_query(&query).is_err());
        let query = ["name:'abc'"; 10].join(" AND ");
        assert!(parse_query(&query).is_ok());
    }
}

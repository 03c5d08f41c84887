//! Translates a parsed search into one SELECT over the account index. Every value is
//! a bound `?` argument. A clause is written in one of two forms with the same truth:
//! a positive clause in its indexed form, a negated one in its row form (never NULL,
//! which keeps `-field:…` true for customers where the field is absent).
//!
//! ```text
//!                    positive (an index answers it)         negated: NOT (row form)
//! email:'v'          lower(email) = lower(?)                COALESCE(lower(email) = lower(?), 0)
//! email~'v'          seq IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?)
//!                    AND instr(lower(email), lower(?)) > 0  COALESCE(instr(lower(email), lower(?)) > 0, 0)
//! email:null         email IS NULL
//! metadata['k']:'v'  seq IN (SELECT seq FROM customer_metadata WHERE key = ? AND value = ?)
//! metadata['k']:null seq NOT IN (SELECT seq FROM customer_metadata WHERE key = ?)
//! created>N          created > ?
//! ```
//!
//! Indexes (`customer_index::SCHEMA`): `lower(email|name|phone), created DESC, seq DESC`
//! for exact clauses, the FTS5 trigram table `customer_search` for substrings (a
//! superset that the `instr` test narrows to today's exact answer), the metadata
//! primary key, and `created DESC, seq DESC` for ranges, negations and the page order.
//! In a positive place a NULL and a 0 reject a row alike, so the indexed form drops the
//! COALESCE that would hide the expression from the planner. An OR of clauses that all
//! have an index is answered from the union of their candidates, re-checked row by row.

use super::trigrams::{fts_query, IsDense};
use super::{Clause, Join, Op, SearchCustomers, SearchField, Value};
use crate::wire::pagination::{Conditions, SqlArg, SqlQuery};

/// The page query: `columns` of live customers matching the query, newest first,
/// after the page cursor, `limit + 1` rows. A substring clause leaves out of its index
/// query the trigrams `is_dense` names (`trigrams::fts_query`).
pub fn search_query(columns: &str, search: &SearchCustomers, is_dense: IsDense) -> SqlQuery {
    let mut args = Vec::new();
    let clauses = &search.query.clauses;
    let matched = match search.query.join {
        Join::And => {
            let all = joined(clauses, " AND ", &mut args, |c, a| {
                clause_sql(c, a, is_dense)
            });
            format!("({all})")
        }
        Join::Or if clauses.iter().all(has_candidates) => {
            let candidates = joined(clauses, " UNION ", &mut args, |c, a| {
                candidates_sql(c, a, is_dense)
            });
            let rows = joined(clauses, " OR ", &mut args, |c, a| row_sql(c, a, false));
            format!("(seq IN ({candidates}) AND ({rows}))")
        }
        Join::Or => format!(
            "({})",
            joined(clauses, " OR ", &mut args, |c, a| row_sql(c, a, c.negated))
        ),
    };
    let mut conditions = Conditions::new("deleted = 0");
    conditions.and(matched, args);
    conditions.page(columns, "customers", search.after, false, search.limit)
}

/// `a <joiner> b …`, each clause written by `write`.
fn joined(
    clauses: &[Clause],
    joiner: &str,
    args: &mut Vec<SqlArg>,
    write: impl Fn(&Clause, &mut Vec<SqlArg>) -> String,
) -> String {
    let parts: Vec<String> = clauses.iter().map(|c| write(c, args)).collect();
    parts.join(joiner)
}

/// A clause of an AND: the indexed form when positive, the row form when negated.
fn clause_sql(clause: &Clause, args: &mut Vec<SqlArg>, is_dense: IsDense) -> String {
    if clause.negated {
        return row_sql(clause, args, true);
    }
    match (&clause.field, &clause.value, clause.op) {
        (SearchField::Email | SearchField::Name | SearchField::Phone, Value::Text(v), op) => {
            let col = column(&clause.field);
            if op == Op::Substring {
                args.push(SqlArg::Text(fts_query(col, v, is_dense)));
                args.push(SqlArg::Text(v.clone()));
                format!("(seq IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?) AND instr(lower({col}), lower(?)) > 0)")
            } else {
                args.push(SqlArg::Text(v.clone()));
                format!("lower({col}) = lower(?)")
            }
        }
        _ => row_sql(clause, args, false),
    }
}

/// Whether an index lists the few rows a positive clause can match (a superset).
fn has_candidates(clause: &Clause) -> bool {
    !clause.negated
        && matches!(clause.value, Value::Text(_))
        && !matches!(clause.field, SearchField::Created)
}

/// The seqs an index offers for a clause of `has_candidates`.
fn candidates_sql(clause: &Clause, args: &mut Vec<SqlArg>, is_dense: IsDense) -> String {
    let text = text_of(&clause.value);
    match &clause.field {
        SearchField::Metadata(key) => {
            args.push(SqlArg::Text(key.clone()));
            args.push(SqlArg::Text(text));
            "SELECT seq FROM customer_metadata WHERE key = ? AND value = ?".into()
        }
        field if clause.op == Op::Substring => {
            args.push(SqlArg::Text(fts_query(column(field), &text, is_dense)));
            "SELECT rowid FROM customer_search WHERE customer_search MATCH ?".into()
        }
        field => {
            args.push(SqlArg::Text(text));
            let col = column(field);
            format!("SELECT seq FROM customers WHERE deleted = 0 AND lower({col}) = lower(?)")
        }
    }
}

/// A clause as a test of one row, never NULL, negated if `negated`.
fn row_sql(clause: &Clause, args: &mut Vec<SqlArg>, negated: bool) -> String {
    let positive = positive_sql(clause, args);
    if negated {
        format!("NOT ({positive})")
    } else {
        positive
    }
}

fn column(field: &SearchField) -> &'static str {
    match field {
        SearchField::Email => "email",
        SearchField::Name => "name",
        SearchField::Phone => "phone",
        SearchField::Created => "created",
        SearchField::Metadata(_) => "metadata",
    }
}

fn positive_sql(clause: &Clause, args: &mut Vec<SqlArg>) -> String {
    match (&clause.field, &clause.value) {
        (SearchField::Metadata(key), Value::Null) => {
            args.push(SqlArg::Text(key.clone()));
            "seq NOT IN (SELECT seq FROM customer_metadata WHERE key = ?)".into()
        }
        (SearchField::Metadata(key), value) => {
            args.push(SqlArg::Text(key.clone()));
            args.push(SqlArg::Text(text_of(value)));
            "seq IN (SELECT seq FROM customer_metadata WHERE key = ? AND value = ?)".into()
        }
        (field, Value::Null) => format!("{} IS NULL", column(field)),
        (SearchField::Created, value) => {
            args.push(SqlArg::Int(text_of(value).parse().unwrap_or_default()));
            format!("created {} ?", comparison(clause.op))
        }
        (field, value) => {
            args.push(SqlArg::Text(text_of(value)));
            let col = column(field);
            match clause.op {
                Op::Substring => format!("COALESCE(instr(lower({col}), lower(?)) > 0, 0)"),
                _ => format!("COALESCE(lower({col}) = lower(?), 0)"),
            }
        }
    }
}

fn comparison(op: Op) -> &'static str {
    match op {
        Op::Greater => ">",
        Op::GreaterOrEqual => ">=",
        Op::Less => "<",
        Op::LessOrEqual => "<=",
        Op::Exact | Op::Substring => "=",
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::Text(t) => t.clone(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;
    use crate::wire::params::Params;

    fn search(query: &str) -> SearchCustomers {
        let encoded: String = query.bytes().map(|b| format!("%{b:02X}")).collect();
        let mut p =
            Params::new(decode_form(format!("query={encoded}&limit=5").as_bytes()).unwrap());
        SearchCustomers::parse(&mut p).unwrap()
    }

    /// The page query with no stop trigrams (`trigrams.rs` tests those).
    fn page_query(columns: &str, search: &SearchCustomers) -> SqlQuery {
        search_query(columns, search, &|_| false)
    }

    #[test]
    fn the_seed_example_becomes_two_bound_clauses() {
        let q = page_query(
            "document",
            &search("name:'Jane Doe' AND metadata['foo']:'bar'"),
        );
        assert_eq!(
            q.sql,
            "SELECT document FROM customers WHERE deleted = 0 AND (lower(name) = lower(?) AND seq IN (SELECT seq FROM customer_metadata WHERE key = ? AND value = ?)) ORDER BY created DESC, seq DESC LIMIT ?"
        );
        assert_eq!(
            q.args,
            vec![
                SqlArg::Text("Jane Doe".into()),
                SqlArg::Text("foo".into()),
                SqlArg::Text("bar".into()),
                SqlArg::Int(6)
            ]
        );
    }

    #[test]
    fn negation_null_substring_and_comparisons_translate() {
        let q = page_query(
            "id",
            &search("-email~'exa' OR phone:null OR created>=7 OR -metadata['k']:null"),
        );
        assert!(
            q.sql
                .contains("NOT (COALESCE(instr(lower(email), lower(?)) > 0, 0))"),
            "{}",
            q.sql
        );
        assert!(q.sql.contains("phone IS NULL"));
        assert!(q.sql.contains("created >= ?"));
        assert!(q
            .sql
            .contains("NOT (seq NOT IN (SELECT seq FROM customer_metadata WHERE key = ?))"));
        assert!(q.sql.contains(" OR "));
        assert_eq!(q.args[0], SqlArg::Text("exa".into()));
        assert_eq!(q.args[1], SqlArg::Int(7));
    }

    #[test]
    fn a_positive_substring_asks_the_trigram_index_then_checks_the_row() {
        let q = page_query("id", &search(r#"name~'o"Br'"#));
        assert!(
            q.sql.contains("(seq IN (SELECT rowid FROM customer_search WHERE customer_search MATCH ?) AND instr(lower(name), lower(?)) > 0)"),
            "{}",
            q.sql
        );
        assert_eq!(
            q.args[0],
            SqlArg::Text(r#"name : "o""B" AND name : """Br""#.into())
        );
        assert_eq!(q.args[1], SqlArg::Text(r#"o"Br"#.into()));
    }

    #[test]
    fn an_or_of_indexed_clauses_reads_the_union_of_their_candidates() {
        let q = page_query(
            "id",
            &search("email:'a@b.c' OR phone~'555' OR metadata['k']:'v'"),
        );
        assert!(q.sql.contains(
            "(seq IN (SELECT seq FROM customers WHERE deleted = 0 AND lower(email) = lower(?) UNION SELECT rowid FROM customer_search WHERE customer_search MATCH ? UNION SELECT seq FROM customer_metadata WHERE key = ? AND value = ?) AND (COALESCE(lower(email) = lower(?), 0) OR COALESCE(instr(lower(phone), lower(?)) > 0, 0) OR seq IN (SELECT seq FROM customer_metadata WHERE key = ? AND value = ?)))"
        ), "{}", q.sql);
        let texts: Vec<&SqlArg> = q.args.iter().take(8).collect();
        assert_eq!(texts[1], &SqlArg::Text(r#"phone : "555""#.into()));
        assert_eq!(texts[4], &SqlArg::Text("a@b.c".into()));
        // A negated or a created clause has no candidates: the rows are tested in order.
        let q = page_query("id", &search("email:'a@b.c' OR created>5"));
        assert!(!q.sql.contains("UNION"), "{}", q.sql);
    }

    #[test]
    fn a_page_cursor_continues_after_the_last_row() {
        let mut s = search("name:'abc'");
        s.after = Some(crate::wire::pagination::Position { created: 9, seq: 3 });
        let q = page_query("id", &s);
        assert!(q.sql.contains("(created < ? OR (created = ? AND seq < ?))"));
        assert_eq!(
            q.args[1..4],
            [SqlArg::Int(9), SqlArg::Int(9), SqlArg::Int(3)]
        );
    }
}

//! Translates a parsed search into one SELECT over the account index. Every value is
//! a bound `?` argument; every clause is written so that it is never NULL, which
//! keeps negation (`-field:…`) true for customers where the field is absent.
//!
//! ```text
//! email:'v'          COALESCE(lower(email) = lower(?), 0)
//! email~'v'          COALESCE(instr(lower(email), lower(?)) > 0, 0)
//! email:null         email IS NULL
//! metadata['k']:'v'  seq IN (SELECT seq FROM customer_metadata WHERE key = ? AND value = ?)
//! metadata['k']:null seq NOT IN (SELECT seq FROM customer_metadata WHERE key = ?)
//! created>N          created > ?
//! ```

use super::{Clause, Join, Op, SearchCustomers, SearchField, Value};
use crate::wire::pagination::{Conditions, SqlArg, SqlQuery};

/// The page query: `columns` of live customers matching the query, newest first,
/// after the page cursor, `limit + 1` rows.
pub fn search_query(columns: &str, search: &SearchCustomers) -> SqlQuery {
    let mut args = Vec::new();
    let joiner = match search.query.join {
        Join::And => " AND ",
        Join::Or => " OR ",
    };
    let mut matched = String::from("(");
    for (i, clause) in search.query.clauses.iter().enumerate() {
        if i > 0 {
            matched.push_str(joiner);
        }
        matched.push_str(&clause_sql(clause, &mut args));
    }
    matched.push(')');
    let mut conditions = Conditions::new("deleted = 0");
    conditions.and(matched, args);
    conditions.page(columns, "customers", search.after, false, search.limit)
}

fn clause_sql(clause: &Clause, args: &mut Vec<SqlArg>) -> String {
    let positive = positive_sql(clause, args);
    if clause.negated {
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

    #[test]
    fn the_seed_example_becomes_two_bound_clauses() {
        let q = search_query(
            "document",
            &search("name:'Jane Doe' AND metadata['foo']:'bar'"),
        );
        assert_eq!(
            q.sql,
            "SELECT document FROM customers WHERE deleted = 0 AND (COALESCE(lower(name) = lower(?), 0) AND seq IN (SELECT seq FROM customer_metadata WHERE key = ? AND value = ?)) ORDER BY created DESC, seq DESC LIMIT ?"
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
        let q = search_query(
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
    fn a_page_cursor_continues_after_the_last_row() {
        let mut s = search("name:'abc'");
        s.after = Some(crate::wire::pagination::Position { created: 9, seq: 3 });
        let q = search_query("id", &s);
        assert!(q.sql.contains("(created < ? OR (created = ? AND seq < ?))"));
        assert_eq!(
            q.args[1..4],
            [SqlArg::Int(9), SqlArg::Int(9), SqlArg::Int(3)]
        );
    }
}

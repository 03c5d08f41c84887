//! `ListCustomers`: the parameters of `GET /v1/customers` (the shared pagination, and
//! the `email`, `created` and `test_clock` filters) and the page query they select
//! from the account's customer index: live customers only, newest first.

use super::expand::Expand;
use super::limits::EMAIL_MAX;
use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::pagination::{Conditions, CreatedRange, Cursor, Limit, Position, SqlQuery};
use crate::wire::params::Params;

/// The validated parameters of `GET /v1/customers`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListCustomers {
    pub limit: Limit,
    pub cursor: Cursor,
    pub email: Option<String>,
    pub created: CreatedRange,
    pub test_clock: Option<String>,
    pub expand: Expand,
}

impl Message for ListCustomers {
    fn write(&self, w: &mut Writer) {
        self.limit.write(w);
        self.cursor.write(w);
        w.opt_str(self.email.as_deref());
        self.created.write(w);
        w.opt_str(self.test_clock.as_deref());
        self.expand.write(w);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(ListCustomers {
            limit: Message::read(r)?,
            cursor: Message::read(r)?,
            email: r.opt_string()?,
            created: Message::read(r)?,
            test_clock: r.opt_string()?,
            expand: Message::read(r)?,
        })
    }
}

impl ListCustomers {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        Ok(ListCustomers {
            limit: Limit::parse(p)?,
            cursor: Cursor::parse(p)?,
            email: p.string("email", EMAIL_MAX)?.into_option(),
            created: CreatedRange::parse(p)?,
            test_clock: p.required_string("test_clock", 5000)?,
            expand: Expand::parse_for_list(p)?,
        })
    }

    /// The page query over the index table `customers`, `at` being the cursor's position.
    pub fn page_query(&self, columns: &str, at: Option<Position>) -> SqlQuery {
        let mut conditions = Conditions::new("deleted = 0");
        conditions.equal("email", self.email.as_deref());
        // Stripe leaves customers on a test clock out unless `test_clock` names the clock.
        match self.test_clock.as_deref() {
            Some(clock) => conditions.equal("test_clock", Some(clock)),
            None => conditions.and("test_clock IS NULL", []),
        }
        conditions.created(&self.created);
        conditions.page(
            columns,
            "customers",
            at,
            self.cursor.is_reversed(),
            self.limit,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;
    use crate::wire::pagination::SqlArg;

    fn list(query: &str) -> Result<ListCustomers, ApiError> {
        let mut p = Params::new(decode_form(query.as_bytes()).unwrap());
        let parsed = ListCustomers::parse(&mut p)?;
        p.finish()?;
        Ok(parsed)
    }

    #[test]
    fn every_list_parameter_is_read_and_nothing_else_is_accepted() {
        let l =
            list("limit=3&starting_after=cus_x&email=a%40b.c&created[gte]=10&test_clock=clock_1")
                .unwrap();
        assert_eq!(l.limit.get(), 3);
        assert_eq!(l.cursor, Cursor::StartingAfter("cus_x".into()));
        assert_eq!(l.email.as_deref(), Some("a@b.c"));
        assert_eq!(l.created.gte, Some(10));
        assert_eq!(l.test_clock.as_deref(), Some("clock_1"));
        assert_eq!(list("colour=red").unwrap_err().param(), Some("colour"));
    }

    /// bench/floor-worker.mjs's `list` runs these two texts as they are: the floor must
    /// run the statement ours runs (bench/README.md, "What the floor does").
    #[test]
    fn a_first_page_is_the_statement_the_floor_worker_runs() {
        let by_email = list("email=a%40b.c").unwrap().page_query("document", None);
        assert_eq!(
            by_email.sql,
            "SELECT document FROM customers WHERE deleted = 0 AND email = ? AND test_clock IS NULL ORDER BY created DESC, seq DESC LIMIT ?"
        );
        let all = list("").unwrap().page_query("document", None);
        assert_eq!(
            all.sql,
            "SELECT document FROM customers WHERE deleted = 0 AND test_clock IS NULL ORDER BY created DESC, seq DESC LIMIT ?"
        );
    }

    #[test]
    fn the_page_query_filters_live_customers_newest_first() {
        let l = list("email=a%40b.c&created[gte]=10&limit=3&starting_after=cus_x").unwrap();
        let q = l.page_query(
            "doc",
            Some(Position {
                created: 20,
                seq: 4,
            }),
        );
        assert_eq!(
            q.sql,
            "SELECT doc FROM customers WHERE deleted = 0 AND email = ? AND test_clock IS NULL AND created >= ? AND (created < ? OR (created = ? AND seq < ?)) ORDER BY created DESC, seq DESC LIMIT ?"
        );
        assert_eq!(q.args[0], SqlArg::Text("a@b.c".into()));
        assert!(!q.reversed);
        assert!(
            list("ending_before=cus_x")
                .unwrap()
                .page_query("doc", None)
                .reversed
        );
    }
}

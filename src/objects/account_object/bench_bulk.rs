//! Bench only: fills the customer index with synthetic rows in one SQL statement per
//! batch, so that `bench/scale.mjs` can measure an account of a million customers. It
//! answers only when the object was started with `BENCH_BULK=true` (never in
//! wrangler.toml); the rows are copies of a template row the API wrote, with `i`
//! in place of the template's marker, exactly as `customerForm(i)` (bench/support.mjs).

use api_core::wire::error::ApiError;
use serde_json::Value;
use worker::{SqlStorage, SqlStorageValue};

use crate::objects::sql::{query, run_statement};

/// The AccountObject path of the bulk command.
pub const PATH: &str = "/bench/bulk";

/// The command, as JSON: `op` "index" inserts rows `from..to` in the image of `template`
/// (a customer created with `customerForm(marker)`), row `i` created at `created + i /
/// per_second`; `op` "records" answers the stored records of seeded customers `from..to`,
/// for their objects; `op` "upkeep" runs the trigram index's merge to its end, as the
/// alarm's slices would after so many writes, and "upkeep_status" answers how many
/// customers were added to the index since the last merge (as `changes`). Read field by
/// field: a derived deserializer costs the wasm more.
struct Bulk {
    op: String,
    template: String,
    marker: i64,
    from: i64,
    to: i64,
    created: i64,
    per_second: i64,
}

impl Bulk {
    fn parse(body: &str) -> Result<Self, ApiError> {
        let v: Value = serde_json::from_str(body)?;
        let int = |k: &str| v[k].as_i64().unwrap_or_default();
        let text = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Ok(Bulk {
            op: text("op"),
            template: text("template"),
            marker: int("marker"),
            from: int("from"),
            to: int("to"),
            created: int("created"),
            per_second: int("per_second"),
        })
    }
}

/// Inserts the rows (and their metadata rows: the FTS table follows by its triggers);
/// answers how many index rows the account now has.
pub fn seed(sql: &SqlStorage, body: &str) -> Result<String, ApiError> {
    let bulk = Bulk::parse(body)?;
    if bulk.op == "records" {
        return records(sql, &bulk);
    }
    if bulk.op == "upkeep" {
        let merged = super::search_upkeep::merge(sql, None)?;
        return Ok(format!("{{\"merged\":{merged}}}"));
    }
    if bulk.op == "upkeep_status" {
        let (added, _) = super::search_upkeep::added_since_merge(sql)?;
        return Ok(format!("{{\"changes\":{added}}}"));
    }
    let int = SqlStorageValue::Integer;
    let before = query(sql, "SELECT COALESCE(MAX(seq), 0) FROM customers", vec![])?;
    let last_seq = before.first().map_or(0, |row| row.int(0));
    run_statement(
        sql,
        // Numbers arrive from JavaScript as REAL: cast once, so that `i` prints as text.
        "WITH RECURSIVE p AS (SELECT CAST(?1 AS INTEGER) AS lo, CAST(?2 AS INTEGER) AS hi,
                CAST(?4 AS INTEGER) AS marker, CAST(?5 AS INTEGER) AS base, CAST(?6 AS INTEGER) AS rate),
         n(i) AS (SELECT lo FROM p UNION ALL SELECT i + 1 FROM n, p WHERE i + 1 < hi),
         t AS (SELECT id AS t_id, created AS t_created, metadata AS t_metadata,
                      version AS t_version, document AS t_document FROM customers WHERE id = ?3),
         r AS (SELECT i, marker, printf('cus_B%013d', i) AS id, base + i / rate AS created,
                      printf('\"tier\":\"t%d\"', i % 10) AS tier,
                      printf('\"tier\":\"t%d\"', marker % 10) AS t_tier, t.* FROM n, p, t)
         INSERT OR IGNORE INTO customers (id, created, email, name, phone, metadata, test_clock, deleted, version, document)
         SELECT id, created, printf('user%d@example.com', i), printf('Customer %d', i), NULL,
           replace(replace(t_metadata, marker, i), t_tier, tier), NULL, 0, t_version,
           replace(replace(replace(replace(replace(t_document, t_id, id), marker, i), t_tier, tier),
             printf('\"postal_code\":\"%05d\"', marker % 100000),
             printf('\"postal_code\":\"%05d\"', i % 100000)),
             '\"created\":' || t_created, '\"created\":' || created)
         FROM r",
        vec![
            int(bulk.from),
            int(bulk.to),
            bulk.template.as_str().into(),
            int(bulk.marker),
            int(bulk.created),
            int(bulk.per_second.max(1)),
        ],
    )?;
    run_statement(
        sql,
        "INSERT OR IGNORE INTO customer_metadata (seq, key, value)
         SELECT c.seq, m.key, m.value FROM customers c, json_each(c.metadata) m WHERE c.seq > ?",
        vec![int(last_seq)],
    )?;
    let count = query(sql, "SELECT COUNT(*) FROM customers", vec![])?;
    Ok(format!(
        "{{\"indexed\":{}}}",
        count.first().map_or(0, |r| r.int(0))
    ))
}

/// One line per seeded customer `from..to`: its id, version and record (the index
/// document's `record`, which is what a CustomerObject stores), separated by tabs.
fn records(sql: &SqlStorage, bulk: &Bulk) -> Result<String, ApiError> {
    let id = |i: i64| format!("cus_B{i:013}");
    let rows = query(
        sql,
        "SELECT id || char(9) || version || char(9) || json_extract(document, '$.record')
         FROM customers WHERE id >= ? AND id < ?",
        vec![id(bulk.from).into(), id(bulk.to).into()],
    )?;
    let lines: Vec<&str> = rows.iter().map(|r| r.str(0)).collect();
    Ok(lines.join("\n"))
}

//! The objects an AccountObject holds beside its customer index (coupons, promotion
//! codes, payment methods, test clocks, products, prices): JSON documents, one table per
//! kind, behind the synchronous [`ObjectStore`], and the helpers their parameters and
//! lists share.

use serde_json::{Map, Value};

use crate::resources::events::model::{Event, EventRequest};
use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::envelope::List;
use crate::wire::error::ApiError;
use crate::wire::metadata::{Metadata, MetadataPatch};
use crate::wire::pagination::CreatedRange;
use crate::wire::pagination::{Cursor, Limit};
use crate::wire::params::Params;
use crate::wire::params::{element_string, not_expandable, Field};

/// The operations on a collection of account objects (`/v1/coupons`, …); `Action` is
/// `POST /{id}/{action}` (`attach`, `detach`, `advance`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectRoute {
    Create,
    List,
    Retrieve { id: String },
    Update { id: String },
    Delete { id: String },
    Action { id: String, action: String },
}

/// The tables of the AccountObject that hold documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Coupons,
    PromotionCodes,
    PaymentMethods,
    TestClocks,
    Products,
    /// A price's row is owned by its product (the `customer` column holds the product id).
    Prices,
    /// Copies of the customers' subscriptions and invoices, kept from their events
    /// (`billing::account`); each customer's object holds the originals.
    Subscriptions,
    Invoices,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Coupons => "coupons",
            Table::PromotionCodes => "promotion_codes",
            Table::PaymentMethods => "payment_methods",
            Table::TestClocks => "test_clocks",
            Table::Products => "products",
            Table::Prices => "prices",
            Table::Subscriptions => "subscriptions",
            Table::Invoices => "invoices",
        }
    }
}

/// The AccountObject's storage as the pure code sees it: SQLite in the Worker, memory in
/// tests. Every command runs against it with no await, so the object serialises them.
pub trait ObjectStore {
    fn get(&self, table: Table, id: &str) -> Result<Option<Value>, ApiError>;
    /// Inserts or replaces a document (a replaced one keeps its place in list order);
    /// `customer` is the row's owner (a price's product).
    fn put(
        &mut self,
        table: Table,
        id: &str,
        customer: Option<&str>,
        created: i64,
        document: &Value,
    ) -> Result<(), ApiError>;
    fn remove(&mut self, table: Table, id: &str) -> Result<(), ApiError>;
    /// The owner column of a row (`None`: no row, or no owner). A detached payment
    /// method's row keeps a marker there (`payment_methods::DETACHED`).
    fn owner(&self, table: Table, id: &str) -> Result<Option<String>, ApiError>;
    /// Every document of `table` (only `customer`'s, if given: the owner), newest first.
    fn all(&self, table: Table, customer: Option<&str>) -> Result<Vec<Value>, ApiError>;
    /// Whether the customer index holds `id` as a live customer.
    fn customer_is_live(&self, id: &str) -> Result<bool, ApiError>;
    /// The customer as the index shows it (for expansions).
    fn customer(&self, id: &str) -> Result<Option<Value>, ApiError>;
    /// The live customers attached to a test clock.
    fn clock_customers(&self, clock: &str) -> Result<Vec<String>, ApiError>;
    /// Records an event in the account's log (and owes it to the webhook endpoints), in
    /// the same synchronous block as the change that caused it; `key` orders deliveries.
    fn emit(&mut self, key: &str, event: &Event) -> Result<(), ApiError>;
}

/// Stores a document under its own `id`, `customer` and `created` fields.
pub fn save(store: &mut impl ObjectStore, table: Table, doc: &Value) -> Result<(), ApiError> {
    store.put(
        table,
        text(doc, "id"),
        doc.get("customer").and_then(Value::as_str),
        int(doc, "created"),
        doc,
    )
}

/// A string field of a document ("" if absent).
pub fn text<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An integer field of a document (0 if absent).
pub fn int(doc: &Value, key: &str) -> i64 {
    doc.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// A command on the account's objects, as it crosses to the AccountObject: `op` names
/// it (`coupon.create`, `payment_method.attach`, `claim`, …), `id` the object it acts
/// on, and `args` carries the rest as JSON read field by field. One plain struct for
/// every command keeps the wasm small.
#[derive(Debug, Clone)]
pub struct ObjectCommand {
    pub op: String,
    pub id: String,
    pub args: Value,
    /// The request that sent it, for the events it causes.
    pub request: EventRequest,
    pub now: i64,
}

impl Message for ObjectCommand {
    fn write(&self, w: &mut Writer) {
        w.str(&self.op);
        w.str(&self.id);
        w.str(&crate::wire::render::compact(&self.args));
        w.opt_str(self.request.id.as_deref());
        w.opt_str(self.request.idempotency_key.as_deref());
        w.int(self.now);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(ObjectCommand {
            op: r.string()?,
            id: r.string()?,
            args: serde_json::from_str(r.str()?).ok()?,
            request: EventRequest {
                id: r.opt_string()?,
                idempotency_key: r.opt_string()?,
            },
            now: r.int()?,
        })
    }
}

impl ObjectCommand {
    pub fn new(op: &str, id: &str, args: Value) -> Self {
        ObjectCommand {
            op: op.to_owned(),
            id: id.to_owned(),
            args,
            request: EventRequest::default(),
            now: 0,
        }
    }
}

/// A document from its JSON template (a constant): building documents by parsing a
/// template and setting the few fields that vary costs far less wasm than `json!`.
pub fn template(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// Sets fields of a document.
pub fn set(doc: &mut Value, fields: Vec<(&str, Value)>) {
    if let Value::Object(map) = doc {
        for (key, value) in fields {
            map.insert(key.to_owned(), value);
        }
    }
}

/// A JSON object of `fields`, built by inserts: `json!` with values that are not
/// literals serialises each one through serde's `Value` serializer.
pub fn object(fields: Vec<(&str, Value)>) -> Value {
    let mut doc = Value::Object(Map::new());
    set(&mut doc, fields);
    doc
}

/// An optional string as JSON.
pub fn opt(v: Option<String>) -> Value {
    v.map_or(Value::Null, Value::String)
}

/// An optional integer as JSON.
pub fn opt_int(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// `expand[]` on an object none of whose expandable fields (`allowed`, its
/// `x-expandableFields` in Stripe's 2023-08-16 schema) holds an id: each path checked
/// (after `data.` in a list) as [`expand_arg`] does, and nothing shown changes.
pub fn check_expand(p: &mut Params, list: bool, allowed: &[&str]) -> Result<(), ApiError> {
    expand_arg(p, &mut Value::Object(Map::new()), list, allowed)
}

/// `expand[]` as JSON args (`args.expand`: the field names), each path checked against
/// `allowed` (after `data.` in a list): another path is Stripe's 400 on `expand`.
pub fn expand_arg(
    p: &mut Params,
    args: &mut Value,
    list: bool,
    allowed: &[&str],
) -> Result<(), ApiError> {
    let Field::Set(items) = p.list("expand")? else {
        return Ok(());
    };
    let prefix = if list { "data." } else { "" };
    let mut fields = Vec::with_capacity(items.len());
    for (name, value) in items {
        let path = element_string(&name, value, 500)?;
        match path.strip_prefix(prefix).filter(|f| allowed.contains(f)) {
            Some(field) => fields.push(Value::from(field)),
            None => return Err(not_expandable(&path)),
        }
    }
    args["expand"] = Value::Array(fields);
    Ok(())
}

/// Whether `args.expand` names `field`.
pub fn expands(args: &Value, field: &str) -> bool {
    args["expand"]
        .as_array()
        .is_some_and(|fields| fields.iter().any(|f| f == field))
}

/// A list filter as JSON args: the document's value at `pointer` (a path such as
/// `/recurring/interval`) must equal `value`; a list `value` means any one of them.
pub fn filter_arg(args: &mut Value, pointer: &str, value: Value) {
    if !args["filters"].is_object() {
        args["filters"] = Value::Object(Map::new());
    }
    args["filters"][pointer] = value;
}

/// `created` (an integer or `gt|gte|lt|lte`) as a list filter in JSON args.
pub fn created_arg(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    let range = CreatedRange::parse(p)?;
    args["created"] = object(vec![
        ("gt", opt_int(range.gt)),
        ("gte", opt_int(range.gte)),
        ("lt", opt_int(range.lt)),
        ("lte", opt_int(range.lte)),
    ]);
    Ok(())
}

/// Whether a document passes every filter of [`filter_arg`] and [`created_arg`].
pub fn matches_filters(args: &Value, doc: &Value) -> bool {
    let fits = |pointer: &String, wanted: &Value| {
        // A walk rather than `Value::pointer`, whose `~` unescaping costs wasm.
        let value = pointer
            .split('/')
            .filter(|key| !key.is_empty())
            .try_fold(doc, |v, key| v.get(key))
            .unwrap_or(&Value::Null);
        match wanted {
            Value::Array(any) => any.contains(value),
            one => one == value,
        }
    };
    let filters_pass = args["filters"]
        .as_object()
        .is_none_or(|filters| filters.iter().all(|(p, v)| fits(p, v)));
    let created = int(doc, "created");
    let range = &args["created"];
    let bound = |key: &str| range[key].as_i64();
    filters_pass
        && bound("gt").is_none_or(|t| created > t)
        && bound("gte").is_none_or(|t| created >= t)
        && bound("lt").is_none_or(|t| created < t)
        && bound("lte").is_none_or(|t| created <= t)
}

/// `metadata` as JSON args: absent keeps, `null` clears, an object merges (a `null`
/// value removes its key).
pub fn metadata_arg(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    match MetadataPatch::parse(p)? {
        MetadataPatch::Keep => {}
        MetadataPatch::Clear => args["metadata"] = Value::Null,
        MetadataPatch::Merge(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                map.insert(k, opt(v));
            }
            args["metadata"] = Value::Object(map);
        }
    }
    Ok(())
}

/// A string parameter as JSON args: absent stays absent, `key=` is `null`.
pub fn field_arg(field: Field<String>, key: &str, args: &mut Value) {
    match field {
        Field::Absent => {}
        Field::Unset => args[key] = Value::Null,
        Field::Set(v) => args[key] = Value::String(v),
    }
}

/// Applies the `metadata` of `args` (see [`metadata_arg`]) to a document.
pub fn patch_metadata(doc: &mut Value, args: &Value) -> Result<(), ApiError> {
    let Some(patch) = args.get("metadata") else {
        return Ok(());
    };
    let mut metadata = Metadata::new();
    if let Value::Object(m) = doc["metadata"].take() {
        for (k, v) in m {
            if let Value::String(v) = v {
                metadata.insert(k, v);
            }
        }
    }
    let mut entries = Vec::new();
    if let Value::Object(m) = patch {
        for (k, v) in m {
            entries.push((k.clone(), v.as_str().map(str::to_owned)));
        }
    }
    let cleared = if patch.is_null() {
        MetadataPatch::Clear
    } else {
        MetadataPatch::Merge(entries)
    };
    let applied = cleared.apply_to(&mut metadata);
    let mut shown = Map::new();
    for (k, v) in metadata {
        shown.insert(k, Value::String(v));
    }
    doc["metadata"] = Value::Object(shown);
    applied
}

/// Copies each of `keys` that `args` has onto the document (`null` unsets it).
pub fn patch_fields(doc: &mut Value, args: &Value, keys: &[&str]) {
    for key in keys {
        if let Some(v) = args.get(*key) {
            doc[*key] = v.clone();
        }
    }
}

/// A string in `args` ("" when absent).
pub fn arg<'a>(args: &'a Value, key: &str) -> &'a str {
    text(args, key)
}

/// `limit`, `starting_after` and `ending_before`.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub limit: Limit,
    pub cursor: Cursor,
}

impl Page {
    /// Reads the page parameters into JSON args.
    pub fn parse_into(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
        let limit = Limit::parse(p)?;
        args["limit"] = limit.get().into();
        match Cursor::parse(p)? {
            Cursor::First => {}
            Cursor::StartingAfter(id) => args["starting_after"] = id.into(),
            Cursor::EndingBefore(id) => args["ending_before"] = id.into(),
        }
        Ok(())
    }

    /// The page the JSON args describe.
    pub fn of(args: &Value) -> Self {
        let cursor = match (args.get("starting_after"), args.get("ending_before")) {
            (Some(Value::String(id)), _) => Cursor::StartingAfter(id.clone()),
            (_, Some(Value::String(id))) => Cursor::EndingBefore(id.clone()),
            _ => Cursor::First,
        };
        let limit = args["limit"].as_u64().unwrap_or(10).clamp(1, 100) as u32;
        Page {
            limit: Limit::of(limit),
            cursor,
        }
    }

    /// This page of `items` (newest first) as Stripe's list JSON; a cursor naming no
    /// item is `No such <kind>` on the cursor's parameter.
    pub fn list_json(&self, url: &str, items: Vec<Value>, kind: &str) -> Result<String, ApiError> {
        let limit = self.limit.get() as usize;
        let position = |id: &str, param: &str| {
            items
                .iter()
                .position(|item| text(item, "id") == id)
                .ok_or_else(|| ApiError::missing_reference(kind, id, param))
        };
        let (data, has_more) = match &self.cursor {
            Cursor::First => {
                let has_more = items.len() > limit;
                (items.into_iter().take(limit).collect(), has_more)
            }
            Cursor::StartingAfter(id) => {
                let at = position(id, "starting_after")?;
                let has_more = items.len() - at - 1 > limit;
                (
                    items.into_iter().skip(at + 1).take(limit).collect(),
                    has_more,
                )
            }
            Cursor::EndingBefore(id) => {
                let at = position(id, "ending_before")?;
                let from = at.saturating_sub(limit);
                (
                    items.into_iter().skip(from).take(at - from).collect(),
                    from > 0,
                )
            }
        };
        let data: Vec<Value> = data;
        Ok(serde_json::to_string(&List::new(url, data, has_more))?)
    }
}

/// The AccountObject's tables in memory, for native tests of the commands.
#[cfg(test)]
#[derive(Debug, Default)]
pub struct MemoryObjectStore {
    /// (table, id, customer, created, document), in insertion order.
    pub rows: Vec<(Table, String, Option<String>, i64, Value)>,
    pub live_customers: Vec<String>,
    pub clock_customers: Vec<(String, String)>,
    /// (ordering key, event type) of every event emitted.
    pub events: Vec<(String, String)>,
}

#[cfg(test)]
impl ObjectStore for MemoryObjectStore {
    fn get(&self, table: Table, id: &str) -> Result<Option<Value>, ApiError> {
        Ok(self
            .rows
            .iter()
            .find(|r| r.0 == table && r.1 == id)
            .map(|r| r.4.clone()))
    }
    fn put(
        &mut self,
        table: Table,
        id: &str,
        customer: Option<&str>,
        created: i64,
        document: &Value,
    ) -> Result<(), ApiError> {
        let row = (
            table,
            id.to_owned(),
            customer.map(str::to_owned),
            created,
            document.clone(),
        );
        match self.rows.iter_mut().find(|r| r.0 == table && r.1 == id) {
            Some(existing) => *existing = row,
            None => self.rows.push(row),
        }
        Ok(())
    }
    fn remove(&mut self, table: Table, id: &str) -> Result<(), ApiError> {
        self.rows.retain(|r| !(r.0 == table && r.1 == id));
        Ok(())
    }
    fn owner(&self, table: Table, id: &str) -> Result<Option<String>, ApiError> {
        Ok(self
            .rows
            .iter()
            .find(|r| r.0 == table && r.1 == id)
            .and_then(|r| r.2.clone()))
    }
    fn all(&self, table: Table, customer: Option<&str>) -> Result<Vec<Value>, ApiError> {
        let mut rows: Vec<_> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.0 == table && (customer.is_none() || r.2.as_deref() == customer))
            .collect();
        rows.sort_by_key(|(seq, r)| std::cmp::Reverse((r.3, *seq)));
        Ok(rows.into_iter().map(|(_, r)| r.4.clone()).collect())
    }
    fn customer_is_live(&self, id: &str) -> Result<bool, ApiError> {
        Ok(self.live_customers.iter().any(|c| c == id))
    }
    fn customer(&self, id: &str) -> Result<Option<Value>, ApiError> {
        Ok(self
            .customer_is_live(id)?
            .then(|| serde_json::json!({"id": id, "object": "customer"})))
    }
    fn emit(&mut self, key: &str, event: &Event) -> Result<(), ApiError> {
        self.events.push((key.to_owned(), event.kind.clone()));
        Ok(())
    }
    fn clock_customers(&self, clock: &str) -> Result<Vec<String>, ApiError> {
        Ok(self
            .clock_customers
            .iter()
            .filter(|(c, _)| c == clock)
            .map(|(_, id)| id.clone())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn items(n: i64) -> Vec<Value> {
        (0..n)
            .rev()
            .map(|i| json!({"id": format!("x{i}")}))
            .collect()
    }

    fn ids(list: &str) -> (Vec<String>, bool) {
        let v: Value = serde_json::from_str(list).unwrap();
        let ids = v["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_owned())
            .collect();
        (ids, v["has_more"].as_bool().unwrap())
    }

    #[test]
    fn pages_follow_both_cursors_and_an_unknown_cursor_is_missing() {
        let page = |cursor| Page {
            limit: Limit::of(2),
            cursor,
        };
        let first = page(Cursor::First)
            .list_json("/u", items(5), "coupon")
            .unwrap();
        assert_eq!(ids(&first), (vec!["x4".into(), "x3".into()], true));
        let next = page(Cursor::StartingAfter("x3".into()))
            .list_json("/u", items(5), "coupon")
            .unwrap();
        assert_eq!(ids(&next), (vec!["x2".into(), "x1".into()], true));
        let last = page(Cursor::StartingAfter("x1".into()))
            .list_json("/u", items(5), "coupon")
            .unwrap();
        assert_eq!(ids(&last), (vec!["x0".into()], false));
        let back = page(Cursor::EndingBefore("x1".into()))
            .list_json("/u", items(5), "coupon")
            .unwrap();
        assert_eq!(ids(&back), (vec!["x3".into(), "x2".into()], true));
        let err = page(Cursor::StartingAfter("nope".into()))
            .list_json("/u", items(5), "coupon")
            .unwrap_err();
        assert_eq!(err.param(), Some("starting_after"));
    }

    #[test]
    fn metadata_patches_apply_to_documents() {
        let mut doc = json!({"metadata": {"a": "1"}});
        patch_metadata(&mut doc, &json!({"metadata": {"b": "2", "a": null}})).unwrap();
        assert_eq!(doc["metadata"], json!({"b": "2"}));
        patch_metadata(&mut doc, &json!({})).unwrap();
        assert_eq!(doc["metadata"], json!({"b": "2"}));
        patch_metadata(&mut doc, &json!({"metadata": null})).unwrap();
        assert_eq!(doc["metadata"], json!({}));
    }
}

//! Products (`/v1/products`): the product document and its parameters, and the commands
//! the AccountObject runs on its `products` table (a product with prices cannot be
//! deleted), each recording its `product.*` (and `price.created`) events.

pub mod handlers;

use serde_json::{Map, Value};

use super::customers::events::Origin;
use super::events::previous_attributes::previous_attributes;
use super::objects::{
    expands, matches_filters, metadata_arg, patch_fields, patch_metadata, save, set, template,
    text, ObjectCommand, ObjectStore, Page, Table,
};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::{element_object, element_string, Field, Params, DEFAULT_MAX_STRING};

pub const URL: &str = "/v1/products";
const IMAGES_MAX: usize = 8;
const FEATURES_MAX: usize = 15;
const DESCRIPTOR_MAX: usize = 22;
const UNIT_LABEL_MAX: usize = 12;
const URL_MAX: usize = 2048;
/// The fields an update copies from its args onto the product.
const UPDATABLE: &[&str] = &[
    "active",
    "default_price",
    "description",
    "features",
    "images",
    "name",
    "package_dimensions",
    "shippable",
    "statement_descriptor",
    "tax_code",
    "unit_label",
    "url",
];

/// A product with the fields that do not vary, the others still to be set.
const PRODUCT: &str = r#"{"id":null,"object":"product","active":true,"created":0,"default_price":null,"description":null,"features":[],"images":[],"livemode":false,"metadata":{},"name":"","package_dimensions":null,"shippable":null,"statement_descriptor":null,"tax_code":null,"unit_label":null,"updated":0,"url":null}"#;

/// A new product: `id` (or a random `prod_…`), `name` (required) and the other fields
/// [`parse_fields`] reads (only those of `product_data` when `inline`).
pub fn parse_new(
    p: &mut Params,
    now: i64,
    livemode: bool,
    inline: bool,
) -> Result<Value, ApiError> {
    let id = match p.required_string("id", 200)? {
        Some(id) => id,
        None => ids::random_id("prod")?,
    };
    if p.entries().iter().all(|(k, _)| k != "name") {
        return Err(ApiError::MissingParameter {
            param: p.name_of("name"),
        });
    }
    let mut args = template("{}");
    parse_fields(p, &mut args, inline)?;
    let mut product = template(PRODUCT);
    set(
        &mut product,
        vec![
            ("id", id.into()),
            ("created", now.into()),
            ("updated", now.into()),
            ("livemode", livemode.into()),
        ],
    );
    patch_fields(&mut product, &args, UPDATABLE);
    patch_metadata(&mut product, &args)?;
    Ok(product)
}

/// The product fields of a create or an update as JSON args (`null` unsets); `inline`
/// reads only those `product_data` takes on a price.
pub fn parse_fields(p: &mut Params, args: &mut Value, inline: bool) -> Result<(), ApiError> {
    if let Some(name) = p.required_string("name", DEFAULT_MAX_STRING)? {
        args["name"] = name.into();
    }
    if let Some(active) = p.boolean("active")?.into_option() {
        args["active"] = active.into();
    }
    metadata_arg(p, args)?;
    let strings = [
        ("statement_descriptor", DESCRIPTOR_MAX),
        ("tax_code", DEFAULT_MAX_STRING),
        ("unit_label", UNIT_LABEL_MAX),
        ("description", DEFAULT_MAX_STRING),
        ("url", URL_MAX),
    ];
    let count = if inline { 3 } else { strings.len() };
    for (key, max) in strings.into_iter().take(count) {
        super::objects::field_arg(p.string(key, max)?, key, args);
    }
    if inline {
        return Ok(());
    }
    match p.boolean("shippable")? {
        Field::Absent => {}
        Field::Unset => args["shippable"] = Value::Null,
        Field::Set(b) => args["shippable"] = b.into(),
    }
    if let Some(images) = strings_list(p, "images", IMAGES_MAX)? {
        args["images"] = images;
    }
    if let Some(features) = features(p)? {
        args["features"] = features;
    }
    match p.object("package_dimensions")? {
        Field::Absent => {}
        Field::Unset => args["package_dimensions"] = Value::Null,
        Field::Set(mut d) => {
            let mut dimensions = Map::new();
            for key in ["height", "length", "weight", "width"] {
                dimensions.insert(key.to_owned(), dimension(&mut d, key)?);
            }
            d.finish()?;
            args["package_dimensions"] = Value::Object(dimensions);
        }
    }
    Ok(())
}

/// A list of at most `max` strings (`key=` empties it).
fn strings_list(p: &mut Params, key: &str, max: usize) -> Result<Option<Value>, ApiError> {
    let items = match p.list(key)? {
        Field::Absent => return Ok(None),
        Field::Unset => Vec::new(),
        Field::Set(items) => items,
    };
    check_count(p, key, items.len(), max)?;
    let mut list = Vec::with_capacity(items.len());
    for (name, value) in items {
        list.push(Value::String(element_string(&name, value, URL_MAX)?));
    }
    Ok(Some(Value::Array(list)))
}

/// `features[]`: at most 15 objects with a `name`.
fn features(p: &mut Params) -> Result<Option<Value>, ApiError> {
    let items = match p.list("features")? {
        Field::Absent => return Ok(None),
        Field::Unset => Vec::new(),
        Field::Set(items) => items,
    };
    check_count(p, "features", items.len(), FEATURES_MAX)?;
    let mut list = Vec::with_capacity(items.len());
    for (name, value) in items {
        let mut feature = element_object(&name, value)?;
        let Some(title) = feature.required_string("name", 80)? else {
            return Err(ApiError::MissingParameter {
                param: format!("{name}[name]"),
            });
        };
        feature.finish()?;
        list.push(super::objects::object(vec![("name", title.into())]));
    }
    Ok(Some(Value::Array(list)))
}

fn check_count(p: &Params, key: &str, count: usize, max: usize) -> Result<(), ApiError> {
    if count > max {
        let name = p.name_of(key);
        return Err(ApiError::invalid(
            name.clone(),
            format!("Invalid array: {name} must have at most {max} elements"),
        ));
    }
    Ok(())
}

/// One of `package_dimensions`' four positive numbers (read by the JSON parser).
fn dimension(d: &mut Params, key: &str) -> Result<Value, ApiError> {
    let name = d.name_of(key);
    let Some(raw) = d.required_string(key, 32)? else {
        return Err(ApiError::MissingParameter { param: name });
    };
    match serde_json::from_str::<Value>(&raw) {
        Ok(Value::Number(n)) if n.as_f64().is_some_and(|v| v > 0.0) => Ok(Value::Number(n)),
        _ => Err(ApiError::invalid(
            name.clone(),
            format!("Invalid decimal: {raw}"),
        )),
    }
}

/// Runs one product command (`product.create|retrieve|update|delete|list`), recording
/// its events; answers the JSON body.
pub fn execute(
    store: &mut impl ObjectStore,
    command: ObjectCommand,
    origin: &Origin,
) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let body = match op.as_str() {
        "product.create" => create(store, &args, origin)?,
        "product.retrieve" => find(store, &id)?,
        "product.update" => update(store, &id, &args, origin)?,
        "product.delete" => return delete(store, &id, origin),
        _ => {
            let mut shown = Vec::new();
            for product in store.all(Table::Products, None)? {
                if matches_filters(&args, &product) {
                    shown.push(expanded(store, product, &args)?);
                }
            }
            return Page::of(&args).list_json(URL, shown, "product");
        }
    };
    Ok(serde_json::to_string(&expanded(store, body, &args)?)?)
}

/// Saves a new product (and the price of its `default_price_data`), with their events.
fn create(store: &mut impl ObjectStore, args: &Value, origin: &Origin) -> Result<Value, ApiError> {
    let mut product = args["product"].clone();
    let price = args.get("price").filter(|p| p.is_object()).map(|price| {
        let mut price = price.clone();
        price["product"] = product["id"].clone();
        product["default_price"] = price["id"].clone();
        price
    });
    insert_new(store, &product, "id", origin)?;
    if let Some(price) = price {
        save_price(store, &price)?;
        emit(store, origin, "price.created", &price, None)?;
    }
    Ok(product)
}

/// Saves a new product (refused if its id is taken) and records `product.created`: for
/// `POST /v1/products` and a price's `product_data`.
pub fn insert_new(
    store: &mut impl ObjectStore,
    product: &Value,
    param: &str,
    origin: &Origin,
) -> Result<(), ApiError> {
    if store.get(Table::Products, text(product, "id"))?.is_some() {
        return Err(ApiError::invalid_with_code(
            param,
            "resource_already_exists",
            "Product already exists.",
        ));
    }
    save(store, Table::Products, product)?;
    emit(store, origin, "product.created", product, None)
}

/// Saves a price in its product's rows.
pub fn save_price(store: &mut impl ObjectStore, price: &Value) -> Result<(), ApiError> {
    store.put(
        Table::Prices,
        text(price, "id"),
        Some(text(price, "product")),
        super::objects::int(price, "created"),
        price,
    )
}

/// Records one event about `object` (`previous` for an update).
pub fn emit(
    store: &mut impl ObjectStore,
    origin: &Origin,
    kind: &str,
    object: &Value,
    before: Option<&Value>,
) -> Result<(), ApiError> {
    let previous = before.and_then(|old| previous_attributes(old, object));
    let event = origin.event(kind, object.clone(), object["livemode"] == true, previous)?;
    store.emit(text(object, "id"), &event)
}

fn update(
    store: &mut impl ObjectStore,
    id: &str,
    args: &Value,
    origin: &Origin,
) -> Result<Value, ApiError> {
    let before = find(store, id)?;
    if let Some(price) = args["default_price"].as_str() {
        check_default_price(store, id, price)?;
    }
    let mut product = before.clone();
    patch_fields(&mut product, args, UPDATABLE);
    patch_metadata(&mut product, args)?;
    if product == before {
        return Ok(product);
    }
    product["updated"] = origin.now.into();
    save(store, Table::Products, &product)?;
    emit(store, origin, "product.updated", &product, Some(&before))?;
    Ok(product)
}

/// A new `default_price` must be an active price of this product.
fn check_default_price(store: &impl ObjectStore, product: &str, id: &str) -> Result<(), ApiError> {
    let price = store
        .get(Table::Prices, id)?
        .ok_or_else(|| ApiError::missing_reference("price", id, "default_price"))?;
    if text(&price, "product") != product {
        return Err(ApiError::invalid(
            "default_price",
            format!("The price `{id}` does not belong to this product."),
        ));
    }
    if price["active"] != true {
        return Err(ApiError::invalid(
            "default_price",
            "The price specified is inactive. This field only accepts active prices.",
        ));
    }
    Ok(())
}

fn delete(store: &mut impl ObjectStore, id: &str, origin: &Origin) -> Result<String, ApiError> {
    let product = find(store, id)?;
    if !store.all(Table::Prices, Some(id))?.is_empty() {
        return Err(ApiError::bad_request(
            "This product cannot be deleted because it has one or more user-created prices.",
        ));
    }
    store.remove(Table::Products, id)?;
    emit(store, origin, "product.deleted", &product, None)?;
    let mut deleted = template(r#"{"object":"product","deleted":true}"#);
    deleted["id"] = id.into();
    Ok(serde_json::to_string(&deleted)?)
}

/// A product named in the path: 404 if there is none.
pub fn find(store: &impl ObjectStore, id: &str) -> Result<Value, ApiError> {
    store
        .get(Table::Products, id)?
        .ok_or_else(|| ApiError::not_found("product", id))
}

/// The product as a response shows it: `default_price` expanded if `args` asks.
fn expanded(store: &impl ObjectStore, mut product: Value, args: &Value) -> Result<Value, ApiError> {
    if expands(args, "default_price") {
        if let Some(price) = product["default_price"].as_str() {
            product["default_price"] = store.get(Table::Prices, price)?.unwrap_or(Value::Null);
        }
    }
    Ok(product)
}

/// The product a price's `product` names, for `expand[]=product`.
pub fn expand_into(store: &impl ObjectStore, price: &mut Value) -> Result<(), ApiError> {
    if let Some(id) = price["product"].as_str() {
        price["product"] = store.get(Table::Products, id)?.unwrap_or(Value::Null);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::resources::objects::MemoryObjectStore;
    use crate::wire::form::decode_form;
    use serde_json::json;

    pub(crate) fn params(body: &str) -> Params {
        Params::new(decode_form(body.as_bytes()).unwrap())
    }

    /// The body a command answers, parsed.
    pub(crate) fn answer(text: Result<String, ApiError>) -> Result<Value, ApiError> {
        Ok(serde_json::from_str(&text?).unwrap())
    }

    pub(crate) fn origin(now: i64) -> Origin {
        Origin {
            request: Default::default(),
            now,
        }
    }

    fn run(
        store: &mut MemoryObjectStore,
        op: &str,
        id: &str,
        args: Value,
    ) -> Result<Value, ApiError> {
        answer(execute(
            store,
            ObjectCommand::new(op, id, args),
            &origin(50),
        ))
    }

    /// Creates the product a form body describes.
    pub(crate) fn create_product(
        store: &mut MemoryObjectStore,
        body: &str,
    ) -> Result<Value, ApiError> {
        let product = parse_new(&mut params(body), 1, false, false)?;
        run(store, "product.create", "", json!({ "product": product }))
    }

    #[test]
    fn a_new_product_needs_a_name_and_takes_its_fields() {
        let err = parse_new(&mut params("active=false"), 1, false, false).unwrap_err();
        assert_eq!(err.param(), Some("name"));
        let mut p = params(
            "name=Gold&images[0]=https://x/a.png&features[0][name]=Fast&package_dimensions[height]=1.5&package_dimensions[length]=2&package_dimensions[weight]=3&package_dimensions[width]=4&shippable=true&metadata[k]=v",
        );
        let product = parse_new(&mut p, 7, false, false).unwrap();
        p.finish().unwrap();
        assert!(product["id"].as_str().unwrap().starts_with("prod_"));
        assert_eq!(product["name"], "Gold");
        assert_eq!(product["features"], json!([{"name": "Fast"}]));
        assert_eq!(product["package_dimensions"]["height"], 1.5);
        assert_eq!(
            (product["created"].as_i64(), product["updated"].as_i64()),
            (Some(7), Some(7))
        );
        assert_eq!(product["metadata"], json!({"k": "v"}));
        for (body, param) in [
            ("name=x&statement_descriptor=12345678901234567890123", "statement_descriptor"),
            ("name=x&package_dimensions[height]=1", "package_dimensions[length]"),
            ("name=x&package_dimensions[height]=a&package_dimensions[length]=1&package_dimensions[weight]=1&package_dimensions[width]=1", "package_dimensions[height]"),
            ("name=", "name"),
        ] {
            let err = parse_new(&mut params(body), 1, false, false).unwrap_err();
            assert_eq!(err.param(), Some(param), "{body}");
        }
        let mut inline = params("name=x&url=https://x");
        parse_new(&mut inline, 1, false, true).unwrap();
        assert!(inline.finish().is_err(), "product_data takes no url");
    }

    #[test]
    fn a_product_with_prices_is_not_deleted() {
        let mut store = MemoryObjectStore::default();
        create_product(&mut store, "name=A&id=prod_A").unwrap();
        let again = create_product(&mut store, "name=A&id=prod_A").unwrap_err();
        assert_eq!(again.code(), Some("resource_already_exists"));
        let price = json!({"id": "price_1", "product": "prod_A", "created": 1, "active": true});
        save_price(&mut store, &price).unwrap();
        let err = run(&mut store, "product.delete", "prod_A", Value::Null).unwrap_err();
        assert_eq!(err.status(), 400);
        store.remove(Table::Prices, "price_1").unwrap();
        let deleted = run(&mut store, "product.delete", "prod_A", Value::Null).unwrap();
        assert_eq!(deleted["deleted"], true);
        let kinds: Vec<&str> = store.events.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(kinds, ["product.created", "product.deleted"]);
    }

    #[test]
    fn the_default_price_must_be_an_active_price_of_the_product() {
        let mut store = MemoryObjectStore::default();
        for id in ["prod_A", "prod_B"] {
            create_product(&mut store, &format!("name=x&id={id}")).unwrap();
        }
        save_price(
            &mut store,
            &json!({"id": "price_b", "product": "prod_B", "active": true}),
        )
        .unwrap();
        save_price(
            &mut store,
            &json!({"id": "price_a", "product": "prod_A", "active": false}),
        )
        .unwrap();
        for price in ["price_b", "price_a", "price_none"] {
            let err = run(
                &mut store,
                "product.update",
                "prod_A",
                json!({"default_price": price}),
            )
            .unwrap_err();
            assert_eq!(err.param(), Some("default_price"), "{price}");
        }
        let updated = run(
            &mut store,
            "product.update",
            "prod_B",
            json!({"default_price": "price_b", "expand": ["default_price"]}),
        )
        .unwrap();
        assert_eq!(updated["default_price"]["id"], "price_b");
        assert_eq!(updated["updated"], 50);
    }
}

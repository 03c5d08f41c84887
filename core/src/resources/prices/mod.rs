//! Prices (`/v1/prices`): the price document and its parameters (amounts, currency,
//! `recurring`), and the commands the AccountObject runs on its `prices` table (lookup
//! keys unique per account, no delete), each recording its `price.*` events.

pub mod handlers;

use serde_json::Value;

use super::customers::events::Origin;
use super::objects::{
    expands, matches_filters, metadata_arg, object, opt_int, patch_fields, patch_metadata, set,
    template, text, ObjectCommand, ObjectStore, Page, Table,
};
use super::products::{emit, expand_into, insert_new, save_price};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::{check_one_of, Field, Params};

pub const URL: &str = "/v1/prices";
pub const LOOKUP_KEY_MAX: usize = 200;
pub const INTERVALS: &[&str] = &["day", "month", "week", "year"];
pub const TAX_BEHAVIORS: &[&str] = &["exclusive", "inclusive", "unspecified"];
const AGGREGATE_USAGES: &[&str] = &["last_during_period", "last_ever", "max", "sum"];
/// The fields `POST /v1/prices/{id}` changes.
const UPDATABLE: &[&str] = &["active", "lookup_key", "nickname", "tax_behavior"];

/// The currencies Stripe accepts, in the order its error message lists them.
const CURRENCIES: &str = "usd, aed, afn, all, amd, ang, aoa, ars, aud, awg, azn, bam, bbd, bdt, bgn, bhd, bif, bmd, bnd, bob, brl, bsd, bwp, byn, bzd, cad, cdf, chf, clp, cny, cop, crc, cve, czk, djf, dkk, dop, dzd, egp, etb, eur, fjd, fkp, gbp, gel, gip, gmd, gnf, gtq, gyd, hkd, hnl, htg, huf, idr, ils, inr, isk, jmd, jod, jpy, kes, kgs, khr, kmf, krw, kwd, kyd, kzt, lak, lbp, lkr, lrd, lsl, mad, mdl, mga, mkd, mmk, mnt, mop, mur, mvr, mwk, mxn, myr, mzn, nad, ngn, nio, nok, npr, nzd, omr, pab, pen, pgk, php, pkr, pln, pyg, qar, ron, rsd, rub, rwf, sar, sbd, scr, sek, sgd, shp, sle, sos, srd, std, szl, thb, tjs, tnd, top, try, ttd, twd, tzs, uah, ugx, uyu, uzs, vnd, vuv, wst, xaf, xcd, xof, xpf, yer, zar, zmw";

/// A price with the fields that do not vary, the others still to be set.
const PRICE: &str = r#"{"id":null,"object":"price","active":true,"billing_scheme":"per_unit","created":0,"currency":"usd","custom_unit_amount":null,"livemode":false,"lookup_key":null,"metadata":{},"nickname":null,"product":null,"recurring":null,"tax_behavior":"unspecified","tiers_mode":null,"transform_quantity":null,"type":"one_time","unit_amount":null,"unit_amount_decimal":null}"#;

/// A new price from the fields a price and a product's `default_price_data` share:
/// `currency`, `unit_amount` or `unit_amount_decimal`, `recurring`, `tax_behavior`.
/// Its `product` is still to be set.
pub fn parse_price_data(p: &mut Params, now: i64, livemode: bool) -> Result<Value, ApiError> {
    let currency = currency(p)?;
    let (unit_amount, decimal) = amounts(p)?;
    let recurring = match p.object_not_empty("recurring")? {
        Some(mut r) => {
            let recurring = parse_recurring(&mut r)?;
            r.finish()?;
            Some(recurring)
        }
        None => None,
    };
    let tax_behavior = p
        .one_of("tax_behavior", TAX_BEHAVIORS)?
        .into_option()
        .unwrap_or_else(|| "unspecified".into());
    let mut price = template(PRICE);
    set(
        &mut price,
        vec![
            ("id", ids::random_id("price")?.into()),
            ("created", now.into()),
            ("currency", currency.into()),
            ("livemode", livemode.into()),
            ("tax_behavior", tax_behavior.into()),
            ("unit_amount", opt_int(unit_amount)),
            ("unit_amount_decimal", decimal.into()),
        ],
    );
    if let Some(recurring) = recurring {
        price["type"] = "recurring".into();
        price["recurring"] = recurring;
    }
    Ok(price)
}

/// `currency`: required, one Stripe supports (lowercased).
fn currency(p: &mut Params) -> Result<String, ApiError> {
    let name = p.name_of("currency");
    let Some(currency) = p.required_string("currency", 16)? else {
        return Err(ApiError::MissingParameter { param: name });
    };
    let currency = currency.to_ascii_lowercase();
    // Each code is 3 letters and a ", " (the last one too, once padded): 5-byte chunks.
    let known = CURRENCIES
        .as_bytes()
        .chunks(5)
        .any(|c| c.get(..3) == Some(currency.as_bytes()));
    if !known {
        return Err(ApiError::invalid(
            name,
            format!("Invalid currency: {currency}. Stripe currently supports these currencies: {CURRENCIES}"),
        ));
    }
    Ok(currency)
}

/// `unit_amount` (an integer ≥ 0) or `unit_amount_decimal` (≤ 12 decimal places), one
/// of them required: the integer amount when there is one, and the decimal string.
fn amounts(p: &mut Params) -> Result<(Option<i64>, String), ApiError> {
    let amount = p.integer("unit_amount")?.into_option();
    let decimal = p.required_string("unit_amount_decimal", 64)?;
    match (amount, decimal) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            p.name_of("unit_amount"),
            "You may only specify one of these parameters: unit_amount, unit_amount_decimal.",
        )),
        (None, None) => Err(ApiError::MissingParameter {
            param: p.name_of("unit_amount"),
        }),
        (Some(a), None) if a < 0 => Err(ApiError::invalid(
            p.name_of("unit_amount"),
            "This value must be greater than or equal to 0.",
        )),
        (Some(a), None) => Ok((Some(a), a.to_string())),
        (None, Some(d)) => {
            let decimal = normalize_decimal(&d).ok_or_else(|| {
                ApiError::invalid(
                    p.name_of("unit_amount_decimal"),
                    format!("Invalid decimal: {d}"),
                )
            })?;
            let whole = (!decimal.contains('.'))
                .then(|| decimal.parse::<i64>().ok())
                .flatten();
            Ok((whole, decimal))
        }
    }
}

/// A non-negative decimal with at most 12 decimal places, without trailing zeros after
/// the point (`"12.50"` is `"12.5"`, `"3.0"` is `"3"`); `None` if it is not one.
fn normalize_decimal(s: &str) -> Option<String> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 18
        || fraction.len() > 12
        || !digits(whole)
        || !digits(fraction)
    {
        return None;
    }
    // Leading zeros of the whole part and trailing zeros of the fraction go.
    let leading = whole.bytes().take_while(|&b| b == b'0').count();
    let whole = whole
        .get(leading..)
        .filter(|w| !w.is_empty())
        .unwrap_or("0");
    let kept = fraction.len() - fraction.bytes().rev().take_while(|&b| b == b'0').count();
    let mut shown = whole.to_owned();
    if let Some(fraction) = fraction.get(..kept).filter(|f| !f.is_empty()) {
        shown.push('.');
        shown.push_str(fraction);
    }
    Some(shown)
}

/// `recurring`: `interval` (required), `interval_count` (1 to one year's worth),
/// `usage_type`, `aggregate_usage` (metered only); `trial_period_days` is accepted and
/// not shown (the 2023-08-16 `recurring` has no such field).
fn parse_recurring(r: &mut Params) -> Result<Value, ApiError> {
    let name = r.name_of("interval");
    let interval = match r.string("interval", 16)? {
        Field::Set(i) => check_one_of("interval", i, INTERVALS)
            .map_err(|e| ApiError::invalid(name.clone(), e.to_string()))?,
        _ => return Err(ApiError::MissingParameter { param: name }),
    };
    let count = r.integer("interval_count")?.into_option().unwrap_or(1);
    if count < 1 {
        return Err(ApiError::invalid(
            r.name_of("interval_count"),
            "Invalid positive integer",
        ));
    }
    let most = match interval.as_str() {
        "day" => 365,
        "week" => 52,
        "month" => 12,
        _ => 1,
    };
    if count > most {
        return Err(ApiError::invalid(
            r.name_of("interval_count"),
            "Invalid interval_count: the billing interval can be at most one year (1 year, 12 months, 52 weeks, or 365 days).",
        ));
    }
    let usage_type = r
        .one_of("usage_type", &["licensed", "metered"])?
        .into_option()
        .unwrap_or_else(|| "licensed".into());
    let aggregate = r.one_of("aggregate_usage", AGGREGATE_USAGES)?.into_option();
    let aggregate = match (usage_type.as_str(), aggregate) {
        ("metered", a) => Value::String(a.unwrap_or_else(|| "sum".into())),
        (_, None) => Value::Null,
        (_, Some(_)) => {
            return Err(ApiError::invalid(
                r.name_of("aggregate_usage"),
                "aggregate_usage can only be set when usage_type is `metered`.",
            ))
        }
    };
    if r.integer("trial_period_days")?
        .into_option()
        .is_some_and(|d| d < 0)
    {
        return Err(ApiError::invalid(
            r.name_of("trial_period_days"),
            "This value must be greater than or equal to 0.",
        ));
    }
    Ok(object(vec![
        ("aggregate_usage", aggregate),
        ("interval", interval.into()),
        ("interval_count", count.into()),
        ("usage_type", usage_type.into()),
    ]))
}

/// `POST /v1/prices` as JSON args: `price` (its product set unless `product_data`
/// gives `product`, a new product), `transfer_lookup_key`.
pub fn parse_create(p: &mut Params, now: i64, livemode: bool) -> Result<Value, ApiError> {
    let mut args = template("{}");
    let product_id = p.required_string("product", 200)?;
    let product_data = p.object_not_empty("product_data")?;
    let product = match (product_id, product_data) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "product",
                "You may only specify one of these parameters: product, product_data.",
            ))
        }
        (None, None) => {
            return Err(ApiError::MissingParameter {
                param: "product".into(),
            })
        }
        (Some(id), None) => Value::String(id),
        (None, Some(mut data)) => {
            let product = super::products::parse_new(&mut data, now, livemode, true)?;
            data.finish()?;
            let id = product["id"].clone();
            args["product"] = product;
            id
        }
    };
    if let Some(scheme) = p
        .one_of("billing_scheme", &["per_unit", "tiered"])?
        .into_option()
    {
        if scheme == "tiered" {
            return Err(ApiError::invalid(
                "billing_scheme",
                "Tiered prices are not supported by this server: use billing_scheme=per_unit.",
            ));
        }
    }
    let mut price = parse_price_data(p, now, livemode)?;
    price["product"] = product;
    let mut fields = template("{}");
    parse_updatable(p, &mut fields)?;
    patch_fields(&mut price, &fields, UPDATABLE);
    patch_metadata(&mut price, &fields)?;
    args["transfer_lookup_key"] = fields["transfer_lookup_key"].clone();
    args["price"] = price;
    Ok(args)
}

/// The fields a create and an update share, as JSON args: `active`, `metadata`,
/// `nickname`, `lookup_key`, `transfer_lookup_key`, `tax_behavior` (update only: create
/// reads it with the amounts).
pub fn parse_updatable(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    if let Some(active) = p.boolean("active")?.into_option() {
        args["active"] = active.into();
    }
    metadata_arg(p, args)?;
    super::objects::field_arg(p.string("nickname", 5000)?, "nickname", args);
    super::objects::field_arg(p.string("lookup_key", LOOKUP_KEY_MAX)?, "lookup_key", args);
    if let Some(transfer) = p.boolean("transfer_lookup_key")?.into_option() {
        args["transfer_lookup_key"] = transfer.into();
    }
    Ok(())
}

/// Runs one price command (`price.create|retrieve|update|list`), recording its events;
/// answers the JSON body.
pub fn execute(
    store: &mut impl ObjectStore,
    command: ObjectCommand,
    origin: &Origin,
) -> Result<String, ApiError> {
    let ObjectCommand { op, id, args, .. } = command;
    let mut price = match op.as_str() {
        "price.create" => create(store, &args, origin)?,
        "price.retrieve" => find(store, &id)?,
        "price.update" => update(store, &id, &args, origin)?,
        _ => return list(store, &args),
    };
    if expands(&args, "product") {
        expand_into(store, &mut price)?;
    }
    Ok(serde_json::to_string(&price)?)
}

fn list(store: &impl ObjectStore, args: &Value) -> Result<String, ApiError> {
    let product = args["product"].as_str();
    let mut shown = Vec::new();
    for mut price in store.all(Table::Prices, product)? {
        if matches_filters(args, &price) {
            if expands(args, "product") {
                expand_into(store, &mut price)?;
            }
            shown.push(price);
        }
    }
    Page::of(args).list_json(URL, shown, "price")
}

fn create(store: &mut impl ObjectStore, args: &Value, origin: &Origin) -> Result<Value, ApiError> {
    let price = args["price"].clone();
    if let Some(product) = args.get("product").filter(|p| p.is_object()) {
        insert_new(store, product, "product_data[id]", origin)?;
    } else {
        let product = text(&price, "product");
        if store.get(Table::Products, product)?.is_none() {
            return Err(ApiError::missing_reference("product", product, "product"));
        }
    }
    claim_lookup_key(store, &price, args["transfer_lookup_key"] == true, origin)?;
    save_price(store, &price)?;
    emit(store, origin, "price.created", &price, None)?;
    Ok(price)
}

fn update(
    store: &mut impl ObjectStore,
    id: &str,
    args: &Value,
    origin: &Origin,
) -> Result<Value, ApiError> {
    let before = find(store, id)?;
    if args["active"] == false && before["active"] == true {
        check_not_default(store, &before)?;
    }
    if let Some(tax) = args["tax_behavior"].as_str() {
        let current = text(&before, "tax_behavior");
        if current != "unspecified" && current != tax {
            return Err(ApiError::invalid(
                "tax_behavior",
                "tax_behavior cannot be changed once it is set to exclusive or inclusive.",
            ));
        }
    }
    let mut price = before.clone();
    patch_fields(&mut price, args, UPDATABLE);
    patch_metadata(&mut price, args)?;
    if price == before {
        return Ok(price);
    }
    if price["lookup_key"] != before["lookup_key"] {
        claim_lookup_key(store, &price, args["transfer_lookup_key"] == true, origin)?;
    }
    save_price(store, &price)?;
    emit(store, origin, "price.updated", &price, Some(&before))?;
    Ok(price)
}

/// A price that is its product's `default_price` cannot be archived.
fn check_not_default(store: &impl ObjectStore, price: &Value) -> Result<(), ApiError> {
    let product = store.get(Table::Products, text(price, "product"))?;
    if product.is_some_and(|p| p["default_price"] == price["id"]) {
        return Err(ApiError::invalid(
            "active",
            "This price cannot be archived because it is the default price of its product.",
        ));
    }
    Ok(())
}

/// A lookup key is the account's one price's: another price holding it refuses the
/// key, unless `transfer` moves it from that price (which then records its update).
fn claim_lookup_key(
    store: &mut impl ObjectStore,
    price: &Value,
    transfer: bool,
    origin: &Origin,
) -> Result<(), ApiError> {
    let Some(key) = price["lookup_key"].as_str() else {
        return Ok(());
    };
    let holder = store
        .all(Table::Prices, None)?
        .into_iter()
        .find(|other| other["lookup_key"].as_str() == Some(key) && other["id"] != price["id"]);
    let Some(holder) = holder else {
        return Ok(());
    };
    if !transfer {
        return Err(ApiError::invalid(
            "lookup_key",
            format!(
                "A price (`{}`) already uses that lookup key.",
                text(&holder, "id")
            ),
        ));
    }
    let mut released = holder.clone();
    released["lookup_key"] = Value::Null;
    save_price(store, &released)?;
    emit(store, origin, "price.updated", &released, Some(&holder))
}

/// A price named in the path: 404 if there is none.
pub fn find(store: &impl ObjectStore, id: &str) -> Result<Value, ApiError> {
    store
        .get(Table::Prices, id)?
        .ok_or_else(|| ApiError::not_found("price", id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::objects::MemoryObjectStore;
    use crate::resources::products::tests::{answer, origin, params};
    use serde_json::json;

    fn parsed(body: &str) -> Result<Value, ApiError> {
        let mut p = params(body);
        let args = parse_create(&mut p, 10, false)?;
        p.finish()?;
        Ok(args)
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
            &origin(20),
        ))
    }

    #[test]
    fn amounts_and_recurring_are_read_as_stripe_reads_them() {
        let args = parsed("product=prod_A&currency=USD&unit_amount=2000&recurring[interval]=month&recurring[interval_count]=3").unwrap();
        let price = &args["price"];
        assert!(price["id"].as_str().unwrap().starts_with("price_"));
        assert_eq!(price["currency"], "usd");
        assert_eq!(
            (
                price["unit_amount"].as_i64(),
                price["unit_amount_decimal"].as_str()
            ),
            (Some(2000), Some("2000"))
        );
        assert_eq!(price["type"], "recurring");
        assert_eq!(
            price["recurring"],
            json!({"aggregate_usage": null, "interval": "month", "interval_count": 3, "usage_type": "licensed"})
        );
        assert_eq!(price["tax_behavior"], "unspecified");
        let decimal = parsed("product=prod_A&currency=eur&unit_amount_decimal=12.50").unwrap();
        assert_eq!(
            (
                decimal["price"]["unit_amount"].clone(),
                decimal["price"]["unit_amount_decimal"].as_str()
            ),
            (Value::Null, Some("12.5"))
        );
        let whole = parsed("product=prod_A&currency=eur&unit_amount_decimal=007.000").unwrap();
        assert_eq!(whole["price"]["unit_amount"], 7);
        let metered = parsed("product=prod_A&currency=eur&unit_amount=1&recurring[interval]=day&recurring[usage_type]=metered").unwrap();
        assert_eq!(metered["price"]["recurring"]["aggregate_usage"], "sum");
        assert_eq!(normalize_decimal("1.1234567890123"), None);
        assert_eq!(normalize_decimal("000.000"), Some("0".into()));
        for currency in ["ZMW", "usd", "aed", "jpy"] {
            assert!(
                parsed(&format!("product=p&currency={currency}&unit_amount=1")).is_ok(),
                "{currency}"
            );
        }
        for currency in ["us", "usdc", "sd,", "xyz"] {
            assert!(
                parsed(&format!("product=p&currency={currency}&unit_amount=1")).is_err(),
                "{currency}"
            );
        }
        assert_eq!(normalize_decimal("-1"), None);
    }

    #[test]
    fn invalid_prices_are_refused_on_their_parameter() {
        for (body, param, message) in [
            ("currency=usd&unit_amount=1", "product", "Missing required param: product."),
            ("product=p&product_data[name]=x&currency=usd&unit_amount=1", "product", "You may only specify one of these parameters: product, product_data."),
            ("product=p&currency=xyz&unit_amount=1", "currency", "Invalid currency: xyz. Stripe currently supports these currencies: usd, aed, "),
            ("product=p&unit_amount=1", "currency", "Missing required param: currency."),
            ("product=p&currency=usd", "unit_amount", "Missing required param: unit_amount."),
            ("product=p&currency=usd&unit_amount=-1", "unit_amount", "This value must be greater than or equal to 0."),
            ("product=p&currency=usd&unit_amount=1&unit_amount_decimal=1", "unit_amount", "You may only specify one of these parameters"),
            ("product=p&currency=usd&unit_amount=1&recurring[interval]=fortnight", "recurring[interval]", "Invalid interval: must be one of day, month, week, or year"),
            ("product=p&currency=usd&unit_amount=1&recurring[interval_count]=2", "recurring[interval]", "Missing required param: recurring[interval]."),
            ("product=p&currency=usd&unit_amount=1&recurring[interval]=month&recurring[interval_count]=0", "recurring[interval_count]", "Invalid positive integer"),
            ("product=p&currency=usd&unit_amount=1&recurring[interval]=month&recurring[interval_count]=13", "recurring[interval_count]", "Invalid interval_count"),
            ("product=p&currency=usd&unit_amount=1&recurring[interval]=week&recurring[interval_count]=53", "recurring[interval_count]", "Invalid interval_count"),
            ("product=p&currency=usd&unit_amount=1&recurring=month", "recurring", "Invalid object"),
            ("product=p&currency=usd&unit_amount=1&billing_scheme=tiered", "billing_scheme", "Tiered prices"),
            ("product_data[name]=x&product_data[url]=u&currency=usd&unit_amount=1", "product_data[url]", "Received unknown parameter"),
        ] {
            let err = parsed(body).unwrap_err();
            assert_eq!(err.param(), Some(param), "{body}");
            assert!(err.to_string().starts_with(message), "{body}: {err}");
        }
    }

    #[test]
    fn lookup_keys_are_unique_and_transferable() {
        let mut store = MemoryObjectStore::default();
        let product_data = parsed("product_data[name]=Gold&product_data[id]=prod_G&currency=usd&unit_amount=5&lookup_key=gold").unwrap();
        let first = run(&mut store, "price.create", "", product_data).unwrap();
        assert_eq!(first["product"], "prod_G");
        let second = parsed("product=prod_G&currency=usd&unit_amount=6&lookup_key=gold").unwrap();
        let err = run(&mut store, "price.create", "", second.clone()).unwrap_err();
        assert_eq!(err.param(), Some("lookup_key"));
        assert_eq!(
            err.to_string(),
            format!(
                "A price (`{}`) already uses that lookup key.",
                first["id"].as_str().unwrap()
            )
        );
        let mut moved = second;
        moved["transfer_lookup_key"] = true.into();
        moved["expand"] = json!(["product"]);
        let second = run(&mut store, "price.create", "", moved).unwrap();
        assert_eq!(
            (
                second["lookup_key"].as_str(),
                second["product"]["name"].as_str()
            ),
            (Some("gold"), Some("Gold"))
        );
        let old = run(
            &mut store,
            "price.retrieve",
            first["id"].as_str().unwrap(),
            json!({}),
        )
        .unwrap();
        assert_eq!(old["lookup_key"], Value::Null);
        let kinds: Vec<&str> = store.events.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "product.created",
                "price.created",
                "price.updated",
                "price.created"
            ]
        );
        let missing = parsed("product=prod_none&currency=usd&unit_amount=6").unwrap();
        let err = run(&mut store, "price.create", "", missing).unwrap_err();
        assert_eq!((err.status(), err.param()), (400, Some("product")));
    }

    #[test]
    fn updates_keep_stripes_rules() {
        let mut store = MemoryObjectStore::default();
        let price = run(&mut store, "price.create", "", parsed("product_data[name]=A&product_data[id]=prod_A&currency=usd&unit_amount=5&tax_behavior=exclusive").unwrap()).unwrap();
        let id = price["id"].as_str().unwrap();
        let err = run(
            &mut store,
            "price.update",
            id,
            json!({"tax_behavior": "inclusive"}),
        )
        .unwrap_err();
        assert_eq!(err.param(), Some("tax_behavior"));
        let mut product = store.get(Table::Products, "prod_A").unwrap().unwrap();
        product["default_price"] = id.into();
        crate::resources::objects::save(&mut store, Table::Products, &product).unwrap();
        let err = run(&mut store, "price.update", id, json!({"active": false})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "This price cannot be archived because it is the default price of its product."
        );
        let renamed = run(
            &mut store,
            "price.update",
            id,
            json!({"nickname": "n", "metadata": {"a": "b"}}),
        )
        .unwrap();
        assert_eq!(
            (
                renamed["nickname"].as_str(),
                renamed["metadata"]["a"].as_str()
            ),
            (Some("n"), Some("b"))
        );
    }

    #[test]
    fn lists_filter_by_product_and_fields() {
        let mut store = MemoryObjectStore::default();
        run(
            &mut store,
            "price.create",
            "",
            parsed("product_data[name]=A&product_data[id]=prod_A&currency=usd&unit_amount=5")
                .unwrap(),
        )
        .unwrap();
        run(
            &mut store,
            "price.create",
            "",
            parsed("product=prod_A&currency=eur&unit_amount=5&recurring[interval]=year").unwrap(),
        )
        .unwrap();
        let count = |store: &mut MemoryObjectStore, args: Value| {
            run(store, "price.list", "", args).unwrap()["data"]
                .as_array()
                .unwrap()
                .len()
        };
        assert_eq!(count(&mut store, json!({})), 2);
        assert_eq!(count(&mut store, json!({"product": "prod_A"})), 2);
        assert_eq!(count(&mut store, json!({"product": "prod_B"})), 0);
        assert_eq!(
            count(&mut store, json!({"filters": {"/type": "recurring"}})),
            1
        );
        assert_eq!(
            count(
                &mut store,
                json!({"filters": {"/recurring/interval": "year", "/currency": "eur"}})
            ),
            1
        );
        assert_eq!(count(&mut store, json!({"created": {"gt": 10}})), 0);
    }
}

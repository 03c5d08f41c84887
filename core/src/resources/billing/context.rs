//! What a billing command needs from the account's object, fetched before the
//! CustomerObject's synchronous block: the customer's attached payment methods, the
//! prices the command names, the customer's test clock; and the account's settings.
//! The AccountObject answers `billing.context` with [`context_json`].

use serde_json::{Map, Value};

use crate::resources::objects::{object, text, ObjectStore, Table};
use crate::wire::error::ApiError;

/// What happens to a subscription when the last retry of its invoice fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterRetries {
    Cancel,
    Unpaid,
    PastDue,
}

/// Days after the first failed attempt on which an invoice is tried again: eight tries
/// in two weeks, Stripe's recommended Smart Retries default, at fixed days (ours).
pub const RETRY_DAYS: &[i64] = &[1, 3, 5, 7, 9, 11, 14];

#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// The payment methods attached to the customer (documents).
    pub payment_methods: Vec<Value>,
    /// The prices the command named, by id.
    pub prices: Map<String, Value>,
    /// The customer's test clock: (id, frozen time).
    pub clock: Option<(String, i64)>,
    /// The `restrictions` of the promotion code behind the customer's discount, if any.
    pub restrictions: Value,
    pub after_retries: AfterRetries,
}

impl Default for Context {
    fn default() -> Self {
        Context {
            payment_methods: Vec::new(),
            prices: Map::new(),
            clock: None,
            restrictions: Value::Null,
            after_retries: AfterRetries::Cancel,
        }
    }
}

impl Context {
    /// The context the AccountObject answered, with the account's setting.
    pub fn from_json(doc: &Value, after_retries: AfterRetries) -> Context {
        Context {
            payment_methods: doc["payment_methods"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            prices: doc["prices"].as_object().cloned().unwrap_or_default(),
            clock: doc["clock"]["id"].as_str().map(|id| {
                (
                    id.to_owned(),
                    doc["clock"]["frozen_time"].as_i64().unwrap_or(0),
                )
            }),
            restrictions: doc["restrictions"].clone(),
            after_retries,
        }
    }

    pub fn payment_method(&self, id: &str) -> Option<&Value> {
        self.payment_methods.iter().find(|pm| text(pm, "id") == id)
    }
}

impl AfterRetries {
    /// `BILLING_AFTER_FINAL_RETRY`: `cancel` (the default, as a new Stripe account's
    /// setting), `unpaid` or `past_due`.
    pub fn from_var(var: Option<&str>) -> AfterRetries {
        match var {
            Some("unpaid") => AfterRetries::Unpaid,
            Some("past_due") => AfterRetries::PastDue,
            _ => AfterRetries::Cancel,
        }
    }
}

/// The AccountObject's answer to `billing.context` for `customer`: its payment
/// methods, the named `prices` (a missing one is left out: the command reports it),
/// and its clock (`clock` names it).
pub fn context_json(store: &impl ObjectStore, args: &Value) -> Result<String, ApiError> {
    let customer = text(args, "customer");
    let payment_methods = store.all(Table::PaymentMethods, Some(customer))?;
    let mut prices = Map::new();
    for id in args["prices"].as_array().into_iter().flatten() {
        let id = id.as_str().unwrap_or_default();
        if let Some(price) = store.get(Table::Prices, id)? {
            prices.insert(id.to_owned(), price);
        }
    }
    let clock = match args["clock"].as_str() {
        Some(id) => store.get(Table::TestClocks, id)?.unwrap_or(Value::Null),
        None => Value::Null,
    };
    let restrictions = match args["promotion_code"].as_str() {
        Some(id) => store
            .get(Table::PromotionCodes, id)?
            .map_or(Value::Null, |promo| promo["restrictions"].clone()),
        None => Value::Null,
    };
    let answer = object(vec![
        ("payment_methods", Value::Array(payment_methods)),
        ("prices", Value::Object(prices)),
        ("clock", clock),
        ("restrictions", restrictions),
    ]);
    Ok(serde_json::to_string(&answer)?)
}

/// The `billing.context` request a billing command of `customer` needs: the prices its
/// `items[]` name, the customer's clock and the promotion code behind its discount.
pub fn request(
    customer: &str,
    clock: Option<&str>,
    promotion_code: Option<&str>,
    args: &Value,
) -> crate::resources::objects::ObjectCommand {
    let mut prices = Vec::new();
    for item in args["items"].as_array().into_iter().flatten() {
        if let Some(price) = item["price"].as_str() {
            prices.push(Value::from(price));
        }
    }
    crate::resources::objects::ObjectCommand::new(
        "billing.context",
        "",
        object(vec![
            ("customer", customer.into()),
            ("prices", Value::Array(prices)),
            ("clock", clock.map_or(Value::Null, Value::from)),
            (
                "promotion_code",
                promotion_code.map_or(Value::Null, Value::from),
            ),
        ]),
    )
}

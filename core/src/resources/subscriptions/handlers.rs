//! The `/v1/subscriptions` routes and seed 004's `GET /v1/customers/{c}/subscriptions`,
//! each parsed into a billing [`Plan`] (writes run in the customer's object, reads come
//! from the account's index; see `billing::calls`).

use serde_json::{json, Value};

use super::params;
use crate::resources::billing::calls::{Plan, Target};
use crate::resources::objects::expand_arg;
use crate::resources::objects::ObjectRoute;
use crate::wire::error::ApiError;
use crate::wire::params::Params;
use crate::wire::request::ApiRequest;

/// The paths `expand[]` takes on a subscription (and, after `data.`, in its lists).
pub const EXPANDABLE: &[&str] = &[
    "customer",
    "default_payment_method",
    "latest_invoice",
    "latest_invoice.payment_intent",
    "latest_invoice.subscription",
    "latest_invoice.customer",
    "latest_invoice.charge",
    "items.data.price.product",
    "test_clock",
    "default_source",
    "pending_setup_intent",
    "schedule",
    "discount",
    "items.data.price",
    "items.data.tax_rates",
];

/// The plan of a `/v1/subscriptions` route.
pub fn plan(route: ObjectRoute, req: &mut ApiRequest) -> Result<Plan, ApiError> {
    let mut p = req.take_params();
    let list = route == ObjectRoute::List;
    let mut args = json!({});
    let (op, id, target) = match route {
        ObjectRoute::Create => {
            let (customer, created) = params::create(&mut p)?;
            args = created;
            (
                "subscription.create",
                String::new(),
                Target::Customer(customer),
            )
        }
        ObjectRoute::Update { id } => {
            args = params::update(&mut p)?;
            ("subscription.update", id, Target::Owner("subscription"))
        }
        ObjectRoute::Delete { id } => {
            // DELETE takes `invoice_now` and `prorate`, accepted as Stripe does.
            p.boolean("invoice_now")?;
            p.boolean("prorate")?;
            ("subscription.cancel", id, Target::Owner("subscription"))
        }
        ObjectRoute::Retrieve { id } => ("subscription.retrieve", id, Target::Index),
        _ => {
            params::list(&mut p, &mut args)?;
            ("subscription.list", String::new(), Target::Index)
        }
    };
    expand_arg(&mut p, &mut args, list, EXPANDABLE)?;
    p.finish()?;
    Ok(Plan::new(op, &id, args, target))
}

/// GET /v1/customers/{customer}/subscriptions: the customer's subscriptions (404 for
/// a missing or deleted customer), with the filters of the account-wide list.
pub fn plan_for_customer(req: &mut ApiRequest, customer: &str) -> Result<Plan, ApiError> {
    let args = customer_list_args(req, params::list, EXPANDABLE)?;
    let target = Target::CustomerList {
        customer: customer.to_owned(),
        path: "subscriptions",
    };
    Ok(Plan::new("subscription.list", "", args, target))
}

/// The args of a customer's list: the filters `parse` reads, but not `customer`.
pub(crate) fn customer_list_args(
    req: &mut ApiRequest,
    parse: fn(&mut Params, &mut Value) -> Result<(), ApiError>,
    expandable: &[&str],
) -> Result<Value, ApiError> {
    let mut p = req.take_params();
    if p.take_raw("customer").is_some() {
        return Err(ApiError::UnknownParameter {
            param: "customer".into(),
            others: Vec::new(),
        });
    }
    let mut args = json!({});
    parse(&mut p, &mut args)?;
    expand_arg(&mut p, &mut args, true, expandable)?;
    p.finish()?;
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::billing::calls::{self, Plan};
    use crate::resources::customers::backend::memory::{
        create_customer, run as block, MemoryBackend,
    };
    use crate::resources::invoices::handlers as invoices;
    use crate::resources::objects::{save, Table};
    use crate::wire::render::Rendered;
    use crate::wire::test_support::request;

    fn body(r: Result<Rendered, ApiError>) -> Value {
        serde_json::from_str(&r.unwrap().body).unwrap()
    }

    /// The plan `planner` makes of `req`, carried out.
    fn carried(
        mut req: ApiRequest,
        db: &MemoryBackend,
        planner: impl FnOnce(&mut ApiRequest) -> Result<Plan, ApiError>,
    ) -> Result<Rendered, ApiError> {
        let plan = planner(&mut req)?;
        block(calls::run(&req, db, plan))
    }

    /// A customer paying with `pm_card_visa` and a monthly price of 15.00.
    fn setup() -> (MemoryBackend, String) {
        let db = MemoryBackend::default();
        let id = create_customer(
            &db,
            "payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa",
        );
        let price = json!({"id": "price_1", "object": "price", "active": true, "currency": "usd",
            "created": 1, "livemode": false, "product": "prod_1", "type": "recurring",
            "unit_amount": 1500, "unit_amount_decimal": "1500", "nickname": null,
            "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"}});
        save(&mut *db.account.borrow_mut(), Table::Prices, &price).unwrap();
        (db, id)
    }

    /// A `/v1/subscriptions` route, carried out.
    fn run(route: ObjectRoute, req: ApiRequest, db: &MemoryBackend) -> Result<Rendered, ApiError> {
        carried(req, db, |r| plan(route, r))
    }

    #[test]
    fn subscriptions_are_written_by_the_customer_and_read_from_the_account() {
        let (db, customer) = setup();
        let create = format!("customer={customer}&items[0][price]=price_1&expand[]=latest_invoice");
        let sub = body(run(ObjectRoute::Create, request(&create), &db));
        assert_eq!(sub["status"], "active");
        assert_eq!(sub["latest_invoice"]["status"], "paid");
        let id = sub["id"].as_str().unwrap().to_owned();
        let got = body(run(
            ObjectRoute::Retrieve { id: id.clone() },
            request("expand[]=customer"),
            &db,
        ));
        assert_eq!(
            (got["id"].as_str(), got["customer"]["id"].as_str()),
            (Some(id.as_str()), Some(customer.as_str()))
        );
        let mine = body(carried(request(""), &db, |r| {
            plan_for_customer(r, &customer)
        }));
        assert_eq!(mine["data"][0]["id"], id.as_str());
        assert_eq!(
            mine["url"],
            format!("/v1/customers/{customer}/subscriptions")
        );
        let invoices = body(carried(request("status=paid"), &db, |r| {
            invoices::plan_for_customer(r, &customer)
        }));
        assert_eq!(invoices["data"].as_array().unwrap().len(), 1);
        let upcoming = body(carried(request(""), &db, |r| {
            invoices::plan_upcoming(r, Some(&customer))
        }));
        assert_eq!(
            (upcoming["amount_due"].as_i64(), upcoming.get("id")),
            (Some(1500), None)
        );
        let updated = "metadata[plan]=gold";
        let sub = body(run(
            ObjectRoute::Update { id: id.clone() },
            request(updated),
            &db,
        ));
        assert_eq!(sub["metadata"]["plan"], "gold");
        let canceled = body(run(
            ObjectRoute::Delete { id: id.clone() },
            request(""),
            &db,
        ));
        assert_eq!(canceled["status"], "canceled");
        let all = body(run(ObjectRoute::List, request(""), &db));
        assert!(
            all["data"].as_array().unwrap().is_empty(),
            "canceled ones are left out"
        );
        let all = body(run(ObjectRoute::List, request("status=all"), &db));
        assert_eq!(all["data"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn bad_input_is_refused_before_any_object_is_touched() {
        let (db, customer) = setup();
        let err = |q: &str| run(ObjectRoute::Create, request(q), &db).unwrap_err();
        assert_eq!(err("items[0][price]=price_1").param(), Some("customer"));
        assert_eq!(err(&format!("customer={customer}")).param(), Some("items"));
        assert_eq!(
            err(&format!("customer={customer}&items[0][quantity]=2")).param(),
            Some("items[0][price]")
        );
        let bad_expand = format!("customer={customer}&items[0][price]=price_1&expand[]=plan");
        assert_eq!(err(&bad_expand).param(), Some("expand"));
        let missing = err("customer=cus_nobody&items[0][price]=price_1");
        assert_eq!((missing.status(), missing.param()), (400, Some("customer")));
        let nobody = (run(
            ObjectRoute::Retrieve { id: "sub_x".into() },
            request(""),
            &db,
        ))
        .unwrap_err();
        assert_eq!(
            (nobody.status(), nobody.to_string()),
            (404, "No such subscription: 'sub_x'".into())
        );
        assert!((run(ObjectRoute::List, request(""), &db)).is_ok());
    }
}

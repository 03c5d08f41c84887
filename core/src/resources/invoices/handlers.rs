//! The `/v1/invoices` routes, the upcoming invoice (Stripe's
//! `GET /v1/invoices/upcoming?customer=…` and seed 004's
//! `GET /v1/customers/{customer}/upcoming-invoice`) and seed 004's
//! `GET /v1/customers/{customer}/invoices`, each parsed into a billing [`Plan`].

use serde_json::{json, Value};

use crate::resources::billing::calls::{Plan, Target};
use crate::resources::billing::execute::UPCOMING;
use crate::resources::objects::ObjectRoute;
use crate::resources::objects::{created_arg, expand_arg, filter_arg, Page};
use crate::resources::subscriptions::handlers::customer_list_args;
use crate::resources::subscriptions::params::status_and_collection_args;
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::{expand_paths, Params};
use crate::wire::request::ApiRequest;

/// The paths `expand[]` takes on an invoice (and, after `data.`, in its lists).
pub const EXPANDABLE: &[&str] = &[
    "customer",
    "subscription",
    "default_payment_method",
    "payment_intent",
    "charge",
    "test_clock",
    "lines.data.price.product",
    "subscription.latest_invoice",
    "default_source",
    "discount",
    "discounts",
    "lines.data.discounts",
    "lines.data.invoice_item",
    "lines.data.price",
    "lines.data.subscription",
    "lines.data.subscription_item",
    "lines.data.tax_rates",
];
const STATUSES: &[&str] = &["draft", "open", "paid", "uncollectible", "void"];

/// The plan of a `/v1/invoices` route (`Action` is finalize, pay, void or
/// mark_uncollectible).
pub fn plan(route: ObjectRoute, req: &mut ApiRequest) -> Result<Plan, ApiError> {
    let mut p = req.take_params();
    let list = route == ObjectRoute::List;
    let mut args = json!({});
    let (op, id, target) = match route {
        ObjectRoute::Retrieve { id } => ("invoice.retrieve".to_owned(), id, Target::Index),
        ObjectRoute::Action { id, action } => {
            parse_action(&mut p, &action, &mut args)?;
            (format!("invoice.{action}"), id, Target::Owner("invoice"))
        }
        _ => {
            parse_list(&mut p, &mut args)?;
            ("invoice.list".to_owned(), String::new(), Target::Index)
        }
    };
    expand_arg(&mut p, &mut args, list, EXPANDABLE)?;
    p.finish()?;
    Ok(Plan::new(&op, &id, args, target))
}

/// `/pay` takes `payment_method`, `paid_out_of_band`, `off_session`; `/finalize`
/// takes `auto_advance`; the others nothing but `expand`.
fn parse_action(p: &mut Params, action: &str, args: &mut Value) -> Result<(), ApiError> {
    match action {
        "pay" => {
            if let Some(pm) = p.required_string("payment_method", 5000)? {
                args["payment_method"] = pm.into();
            }
            if let Some(oob) = p.boolean("paid_out_of_band")?.into_option() {
                args["paid_out_of_band"] = oob.into();
            }
            p.boolean("off_session")?;
            p.boolean("forgive")?;
        }
        "finalize" => {
            p.boolean("auto_advance")?;
        }
        _ => {}
    }
    Ok(())
}

/// `GET /v1/invoices`: `customer`, `subscription`, `status`, `collection_method`,
/// `created`, and the page.
fn parse_list(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    Page::parse_into(p, args)?;
    created_arg(p, args)?;
    if let Some(customer) = p.required_string("customer", 5000)? {
        args["customer"] = customer.into();
    }
    parse_customer_list(p, args)
}

/// The filters of a customer's invoice list (all but `customer`).
fn parse_customer_list(p: &mut Params, args: &mut Value) -> Result<(), ApiError> {
    if args.get("limit").is_none() {
        Page::parse_into(p, args)?;
        created_arg(p, args)?;
    }
    if let Some(sub) = p.required_string("subscription", 5000)? {
        filter_arg(args, "/subscription", sub.into());
    }
    status_and_collection_args(p, args, STATUSES)
}

/// GET /v1/customers/{customer}/invoices
pub fn plan_for_customer(req: &mut ApiRequest, customer: &str) -> Result<Plan, ApiError> {
    let args = customer_list_args(req, parse_customer_list, EXPANDABLE)?;
    let target = Target::CustomerList {
        customer: customer.to_owned(),
        path: "invoices",
    };
    Ok(Plan::new("invoice.list", "", args, target))
}

/// GET /v1/invoices/upcoming?customer=… (`path_customer` is `None`) and
/// GET /v1/customers/{customer}/upcoming-invoice: the next renewal as it would be
/// billed (`subscription` picks one), or Stripe's 404 `invoice_upcoming_none`.
pub fn plan_upcoming(req: &mut ApiRequest, path_customer: Option<&str>) -> Result<Plan, ApiError> {
    let mut p = req.take_params();
    let customer = match path_customer {
        Some(id) => id.to_owned(),
        None => p
            .required_string("customer", 5000)?
            .ok_or_else(|| ApiError::MissingParameter {
                param: "customer".into(),
            })?,
    };
    let mut args = json!({});
    if let Some(sub) = p.required_string("subscription", 5000)? {
        args["subscription"] = sub.into();
    }
    expand_paths(&mut p, |_| true)?;
    p.finish()?;
    if !ids::is_well_formed(&customer, "cus") {
        return Err(ApiError::not_found_as("customer", customer, "customer"));
    }
    Ok(Plan::new(UPCOMING, "", args, Target::Customer(customer)))
}

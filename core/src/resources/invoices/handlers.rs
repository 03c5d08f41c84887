//! `GET /v1/customers/{customer}/invoices` (an empty list) and the upcoming invoice:
//! Stripe's `GET /v1/invoices/upcoming?customer=…`, and seed 004's
//! `GET /v1/customers/{customer}/upcoming-invoice`, which names the customer in the path.

use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::handlers::live_customer;
use crate::resources::subscriptions::handlers::empty_customer_list;
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::expand_paths;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

/// GET /v1/customers/{customer}/invoices
pub async fn list_for_customer(
    req: ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
) -> Result<Rendered, ApiError> {
    empty_customer_list(req, db, customer, "invoice", "invoices").await
}

/// GET /v1/invoices/upcoming?customer=… (`path_customer` is `None`) and
/// GET /v1/customers/{customer}/upcoming-invoice. A missing or deleted customer is a
/// 404 on `customer`; otherwise, as no subscription or pending invoice item exists to
/// bill, Stripe's 404 `invoice_upcoming_none` (no `param`, no quotes around the id).
pub async fn upcoming(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    path_customer: Option<&str>,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let customer = match path_customer {
        Some(id) => id.to_owned(),
        None => p
            .required_string("customer", 5000)?
            .ok_or_else(|| ApiError::MissingParameter {
                param: "customer".into(),
            })?,
    };
    expand_paths(&mut p, |_| true)?;
    p.finish()?;
    if !ids::is_well_formed(&customer, "cus") {
        return Err(ApiError::not_found_as("customer", customer, "customer"));
    }
    live_customer(&req, db, &customer, "customer").await?;
    Err(ApiError::coded(
        404,
        "invoice_upcoming_none",
        format!("No upcoming invoices for customer: {customer}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::backend::memory::{create_customer, run, MemoryBackend};
    use crate::resources::customers::handlers as customers;
    use crate::wire::test_support::request;

    #[test]
    fn a_customer_with_nothing_to_bill_has_no_upcoming_invoice() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "");
        let none = ApiError::coded(
            404,
            "invoice_upcoming_none",
            format!("No upcoming invoices for customer: {id}"),
        );
        assert_eq!(
            run(upcoming(request(""), &db, Some(&id))).unwrap_err(),
            none
        );
        let query = format!("customer={id}");
        assert_eq!(run(upcoming(request(&query), &db, None)).unwrap_err(), none);
        assert_eq!(none.param(), None);
    }

    #[test]
    fn the_customer_is_required_and_must_exist() {
        let db = MemoryBackend::default();
        let err = run(upcoming(request(""), &db, None)).unwrap_err();
        assert_eq!(err.param(), Some("customer"));
        for id in ["cus_nobody", "nonsense"] {
            let err = run(upcoming(request(&format!("customer={id}")), &db, None)).unwrap_err();
            assert_eq!(err, ApiError::not_found_as("customer", id, "customer"));
        }
        let id = create_customer(&db, "");
        run(customers::delete(request(""), &db, &id)).unwrap();
        let err = run(upcoming(request(""), &db, Some(&id))).unwrap_err();
        assert_eq!(err, ApiError::not_found_as("customer", &id, "customer"));
    }

    #[test]
    fn a_customers_invoices_are_an_empty_list_and_cursors_name_no_invoice() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "");
        let page = run(list_for_customer(request(""), &db, &id)).unwrap();
        assert!(page
            .body
            .contains(&format!("\"url\": \"/v1/customers/{id}/invoices\"")));
        let err = run(list_for_customer(request("ending_before=in_1"), &db, &id)).unwrap_err();
        assert_eq!(err.to_string(), "No such invoice: 'in_1'");
    }
}

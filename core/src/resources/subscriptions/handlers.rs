//! `GET /v1/customers/{customer}/subscriptions`: Stripe's list shape with `limit`,
//! cursors and `expand[]` checked, 404 for a missing or deleted customer, and an empty
//! page, as no subscription exists yet. The invoices list shares [`empty_customer_list`].

use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::handlers::live_customer;
use crate::wire::error::ApiError;
use crate::wire::pagination::{Cursor, Limit};
use crate::wire::params::expand_paths;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

/// GET /v1/customers/{customer}/subscriptions
pub async fn list_for_customer(
    req: ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
) -> Result<Rendered, ApiError> {
    empty_customer_list(req, db, customer, "subscription", "subscriptions").await
}

/// A customer's list of objects of `kind` that cannot exist yet: the parameters are
/// checked (`expand[]` takes `data.…` paths), the customer must be live, and any
/// cursor names an object that does not exist (`No such subscription: 'sub_x'`, 400
/// on the cursor's parameter). The page is empty, so written directly.
pub(crate) async fn empty_customer_list(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
    kind: &str,
    path: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    Limit::parse(&mut p)?;
    let cursor = Cursor::parse(&mut p)?;
    expand_paths(&mut p, |path| path.starts_with("data."))?;
    p.finish()?;
    live_customer(&req, db, customer, "customer").await?;
    if let Some((id, param)) = cursor.named() {
        return Err(ApiError::missing_reference(kind, id, param));
    }
    let url = serde_json::to_string(&format!("/v1/customers/{customer}/{path}"))?;
    Ok(Rendered::ok_compact(&format!(
        "{{\"object\":\"list\",\"url\":{url},\"has_more\":false,\"data\":[]}}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::backend::memory::{create_customer, run, MemoryBackend};
    use crate::resources::customers::handlers as customers;
    use crate::wire::test_support::request;

    #[test]
    fn a_customers_subscriptions_are_an_empty_stripe_list() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "");
        let page = run(list_for_customer(
            request("limit=3&expand[]=data.plan"),
            &db,
            &id,
        ))
        .unwrap();
        let body: serde_json::Value = serde_json::from_str(&page.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"object": "list", "url": format!("/v1/customers/{id}/subscriptions"), "has_more": false, "data": []})
        );
    }

    #[test]
    fn limit_cursors_and_the_customer_are_checked() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "");
        let err =
            |query: &str, id: &str| run(list_for_customer(request(query), &db, id)).unwrap_err();
        assert_eq!(err("limit=101", &id).param(), Some("limit"));
        assert_eq!(err("expand[]=plan", &id).param(), Some("expand"));
        assert_eq!(err("colour=red", &id).param(), Some("colour"));
        let cursor = err("starting_after=sub_1", &id);
        assert_eq!(
            cursor,
            ApiError::missing_reference("subscription", "sub_1", "starting_after")
        );
        assert_eq!(
            err("", "cus_nobody"),
            ApiError::not_found_as("customer", "cus_nobody", "customer")
        );
        run(customers::delete(request(""), &db, &id)).unwrap();
        assert_eq!(err("", &id).status(), 404);
    }
}

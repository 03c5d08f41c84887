//! The `/v1/customers/{customer}/tax_ids` handlers (seed 004's `tax-ids` is an alias in
//! the routes). Changes go to the customer's object as commands, so they serialise
//! with every other change to the customer; reads render the stored customer's tax ids.

use super::params::{CreateTaxId, ExpandCustomer, ListTaxIds};
use super::view::{tax_id_json, tax_id_page, CustomerField, DeletedTaxId};
use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::commands::{CustomerCommand, TaxIdChange};
use crate::resources::customers::handlers::{live_customer, send};
use crate::resources::customers::stored::StoredCustomer;
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

/// Stripe names the customer of these paths `customer`.
const CUSTOMER_PARAM: &str = "customer";

/// POST /v1/customers/{customer}/tax_ids
pub async fn create(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let params = CreateTaxId::parse(&mut p)?;
    p.finish()?;
    // A keyed create always names the same tax id, so a replay shows the one it made.
    let tax_id = match &req.idempotency {
        Some(claim) => {
            let scope = format!("{}/{customer}", req.namespace);
            ids::keyed_id("txi", scope.as_bytes(), claim.key.as_bytes())
        }
        None => ids::random_id("txi")?,
    };
    let command = CustomerCommand::CreateTaxId(TaxIdChange {
        id: customer.to_owned(),
        tax_id: tax_id.clone(),
        data: Some(params.data),
        now: req.now,
        idempotency: req.idempotency.clone(),
    });
    let answer = send(&req, db, customer, command).await?;
    let rendered = show_one(&answer.body, customer, &tax_id, params.expand)?;
    Ok(Rendered {
        replayed: answer.replayed,
        ..rendered
    })
}

/// GET /v1/customers/{customer}/tax_ids
pub async fn list(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let list = ListTaxIds::parse(&mut p)?;
    p.finish()?;
    let stored_text = live_customer(&req, db, customer, CUSTOMER_PARAM).await?;
    let stored: StoredCustomer = serde_json::from_str(&stored_text)?;
    let shown = CustomerField::new(&stored_text, customer, list.expand.0)?;
    let page = tax_id_page(&stored.record.tax_ids, &list, customer, &shown)?;
    Ok(Rendered::ok_compact(&page))
}

/// GET /v1/customers/{customer}/tax_ids/{id}
pub async fn retrieve(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let expand = ExpandCustomer::parse(&mut p, false)?;
    p.finish()?;
    let stored_text = live_customer(&req, db, customer, CUSTOMER_PARAM).await?;
    show_one(&stored_text, customer, id, expand)
}

/// DELETE /v1/customers/{customer}/tax_ids/{id}
pub async fn delete(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    customer: &str,
    id: &str,
) -> Result<Rendered, ApiError> {
    req.take_params().finish()?;
    let command = CustomerCommand::DeleteTaxId(TaxIdChange {
        id: customer.to_owned(),
        tax_id: id.to_owned(),
        data: None,
        now: req.now,
        idempotency: None,
    });
    send(&req, db, customer, command).await?;
    Ok(Rendered::ok_compact(&serde_json::to_string(
        &DeletedTaxId::new(id),
    )?))
}

/// Shows tax id `id` of the stored customer `stored_text`; 404 if it has none such.
fn show_one(
    stored_text: &str,
    customer: &str,
    id: &str,
    expand: ExpandCustomer,
) -> Result<Rendered, ApiError> {
    let stored: StoredCustomer = serde_json::from_str(stored_text)?;
    let tax_id = stored
        .record
        .tax_ids
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found("tax id", id))?;
    let shown = CustomerField::new(stored_text, customer, expand.0)?;
    Ok(Rendered::ok_compact(&tax_id_json(tax_id, &shown)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::backend::memory::{create_customer, run, MemoryBackend};
    use crate::resources::customers::handlers as customers;
    use crate::resources::tax_ids::model::TAX_IDS_MAX;
    use crate::wire::idempotency::IdempotencyClaim;
    use crate::wire::test_support::request;

    fn body(rendered: &Rendered) -> serde_json::Value {
        serde_json::from_str(&rendered.body).unwrap()
    }

    fn add(db: &MemoryBackend, id: &str, body_text: &str) -> Result<serde_json::Value, ApiError> {
        run(create(request(body_text), db, id)).map(|r| body(&r))
    }

    #[test]
    fn a_tax_id_is_created_retrieved_listed_and_deleted() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "email=ada%40example.com");
        let created = add(&db, &id, "type=eu_vat&value=DE123456789").unwrap();
        let txi = created["id"].as_str().unwrap().to_owned();
        assert!(txi.starts_with("txi_"));
        assert_eq!(created["object"], "tax_id");
        assert_eq!(created["country"], "DE");
        assert_eq!(created["customer"], id.as_str());
        assert_eq!(created["verification"]["status"], "pending");
        let fetched = body(&run(retrieve(request(""), &db, &id, &txi)).unwrap());
        assert_eq!(fetched, created);
        let expanded = body(&run(retrieve(request("expand[]=customer"), &db, &id, &txi)).unwrap());
        assert_eq!(expanded["customer"]["email"], "ada@example.com");
        let page = body(&run(list(request(""), &db, &id)).unwrap());
        assert_eq!(page["url"], format!("/v1/customers/{id}/tax_ids"));
        assert_eq!(page["data"][0], created);
        let deleted = body(&run(delete(request(""), &db, &id, &txi)).unwrap());
        assert_eq!(
            deleted,
            serde_json::json!({"id": txi, "object": "tax_id", "deleted": true})
        );
        let err = run(retrieve(request(""), &db, &id, &txi)).unwrap_err();
        assert_eq!(err, ApiError::not_found("tax id", &txi));
        let err = run(delete(request(""), &db, &id, &txi)).unwrap_err();
        assert_eq!(err.status(), 404);
    }

    #[test]
    fn tax_ids_list_newest_first_and_page_with_cursors() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "email=ada%40example.com");
        let ids: Vec<String> = (0..3)
            .map(|i| {
                add(&db, &id, &format!("type=us_ein&value=12-345678{i}")).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        let first = body(&run(list(request("limit=2"), &db, &id)).unwrap());
        assert_eq!(first["data"][0]["id"], ids[2].as_str());
        assert_eq!(first["has_more"], true);
        let next = body(
            &run(list(
                request(&format!("starting_after={}", ids[1])),
                &db,
                &id,
            ))
            .unwrap(),
        );
        assert_eq!(next["data"][0]["id"], ids[0].as_str());
        assert_eq!(next["has_more"], false);
        let err = run(list(request("ending_before=txi_nope"), &db, &id)).unwrap_err();
        assert_eq!(
            err,
            ApiError::missing_reference("tax id", "txi_nope", "ending_before")
        );
    }

    #[test]
    fn a_customer_holds_at_most_twenty_five_tax_ids() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "email=ada%40example.com");
        for _ in 0..TAX_IDS_MAX {
            add(&db, &id, "type=us_ein&value=12-3456789").unwrap();
        }
        let err = add(&db, &id, "type=us_ein&value=12-3456789").unwrap_err();
        assert_eq!(err.status(), 400);
        assert!(err.to_string().contains("at most 25 tax IDs"));
    }

    #[test]
    fn every_tax_id_call_on_a_deleted_or_missing_customer_is_a_404_on_customer() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "email=ada%40example.com");
        let txi = add(&db, &id, "type=us_ein&value=12-3456789").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        run(customers::delete(request(""), &db, &id)).unwrap();
        let before = db.objects.borrow().values().next().unwrap().stored.clone();
        let missing = ApiError::not_found_as("customer", &id, "customer");
        assert_eq!(
            add(&db, &id, "type=us_ein&value=12-3456789").unwrap_err(),
            missing
        );
        assert_eq!(
            run(delete(request(""), &db, &id, &txi)).unwrap_err(),
            missing
        );
        assert_eq!(
            run(retrieve(request(""), &db, &id, &txi)).unwrap_err(),
            missing
        );
        assert_eq!(run(list(request(""), &db, &id)).unwrap_err(), missing);
        assert_eq!(db.objects.borrow().values().next().unwrap().stored, before);
        let err = run(list(request(""), &db, "cus_nobody")).unwrap_err();
        assert_eq!(
            err,
            ApiError::not_found_as("customer", "cus_nobody", "customer")
        );
    }

    #[test]
    fn a_keyed_create_replays_the_same_tax_id() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "email=ada%40example.com");
        let keyed = || {
            let mut req = request("type=us_ein&value=12-3456789");
            req.idempotency = Some(IdempotencyClaim {
                key: "k".into(),
                fingerprint: "fp".into(),
                now: 1,
            });
            req
        };
        let first = run(create(keyed(), &db, &id)).unwrap();
        let again = run(create(keyed(), &db, &id)).unwrap();
        assert!(again.replayed);
        assert_eq!(first.body, again.body);
        let page = body(&run(list(request(""), &db, &id)).unwrap());
        assert_eq!(page["data"].as_array().unwrap().len(), 1);
    }
}

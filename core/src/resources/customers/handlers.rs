//! The `/v1/customers` handlers: validate with the pure model, send one command to the
//! Durable Object that owns the data (through [`CustomerBackend`]), and render the
//! answer as Stripe does.

use std::rc::Rc;

use super::account_expand;
use super::apply::NewCustomer;
use super::backend::stamped;
use super::backend::{CustomerBackend, ObjectAnswer};
use super::changes::{CustomerParams, Operation};
use super::commands::{AccountCommand, CustomerCommand, CustomerEnvelope, Lifecycle};
use super::expand::Expand;
use super::list::ListCustomers;
use super::search::SearchCustomers;
use super::view::{customer_json, version_and_deleted};
use crate::config::ReadConsistency;
use crate::resources::objects::ObjectCommand;
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::params::Field;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

/// POST /v1/customers
pub async fn create(mut req: ApiRequest, db: &impl CustomerBackend) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let expand = Expand::parse_for_object(&mut p)?;
    let params = CustomerParams::parse(&mut p, Operation::Create)?;
    p.finish()?;
    // A keyed create always maps to the same id, so a retry reaches the same object.
    let id = match &req.idempotency {
        Some(claim) => ids::keyed_id("cus", req.namespace.as_bytes(), claim.key.as_bytes()),
        None => ids::random_id("cus")?,
    };
    let command = CustomerCommand::Create {
        new: NewCustomer {
            id: id.clone(),
            created: req.now,
            livemode: req.account.livemode,
        },
        params,
        idempotency: req.idempotency.clone(),
        claimed: Default::default(),
    };
    let answer = send(&req, db, &id, command).await?;
    show_customer(&req, db, answer, &id, &expand, false).await
}

/// GET /v1/customers/{id}
pub async fn retrieve(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let expand = Expand::parse_for_object(&mut p)?;
    let include_deleted = p.boolean("include_deleted")? == Field::Set(true);
    p.finish()?;
    if req.read_consistency == ReadConsistency::Edge {
        if let Some(stored) = db
            .edge_copy(&req.namespace, id, req.edge_cache_ttl_ms)
            .await
        {
            let shown = customer_json(&stored, id, &expand, include_deleted)?;
            let shown = expand_from_account(&req, db, shown, &expand).await?;
            return Ok(Rendered::ok_compact(&shown));
        }
    }
    if req.read_consistency == ReadConsistency::Edge || account_expand::needs_account(&expand) {
        // An edge read the copy missed, or one that needs the account's objects (its
        // payment method, clock, promotion code): the stored customer (which the memo
        // keeps), shown here.
        let command = CustomerCommand::Retrieve { id: id.to_owned() };
        let answer = send(&req, db, id, command).await?;
        return show_customer(&req, db, answer, id, &expand, include_deleted).await;
    }
    // The object shows the customer; its answer is the response body.
    let command = CustomerCommand::Show {
        id: id.to_owned(),
        expand,
        include_deleted,
    };
    db.customer_read(id, &envelope(&req, command)).await
}

/// POST /v1/customers/{id} (and PATCH)
pub async fn update(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let expand = Expand::parse_for_object(&mut p)?;
    let params = CustomerParams::parse(&mut p, Operation::Update)?;
    p.finish()?;
    let command = CustomerCommand::Update {
        id: id.to_owned(),
        params,
        idempotency: req.idempotency.clone(),
        now: req.now,
        claimed: Default::default(),
    };
    let answer = send(&req, db, id, command).await?;
    show_customer(&req, db, answer, id, &expand, false).await
}

/// DELETE /v1/customers/{id}
pub async fn delete(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    req.take_params().finish()?;
    let command = CustomerCommand::Delete(Lifecycle {
        id: id.to_owned(),
        now: req.now,
        retention_seconds: req.deleted_retention_seconds,
        idempotency: None,
    });
    let answer = send(&req, db, id, command).await?;
    // The deleted record shows as Stripe's stub.
    show_customer(&req, db, answer, id, &Expand::default(), false).await
}

/// POST /v1/customers/{id}/undelete (seed 004): restores a deleted customer within the
/// retention window and answers it.
pub async fn undelete(
    mut req: ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let expand = Expand::parse_for_object(&mut p)?;
    p.finish()?;
    let command = CustomerCommand::Undelete(Lifecycle {
        id: id.to_owned(),
        now: req.now,
        retention_seconds: req.deleted_retention_seconds,
        idempotency: req.idempotency.clone(),
    });
    let answer = send(&req, db, id, command).await?;
    show_customer(&req, db, answer, id, &expand, false).await
}

/// GET /v1/customers
pub async fn list(mut req: ApiRequest, db: &impl CustomerBackend) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let list = ListCustomers::parse(&mut p)?;
    ignore_include_deleted(&mut p)?;
    p.finish()?;
    // The AccountObject writes the page (`view::customer_page_body`) as the response body.
    db.account_read(&req.namespace, &AccountCommand::List { list })
        .await
}

/// GET /v1/customers/search
pub async fn search(mut req: ApiRequest, db: &impl CustomerBackend) -> Result<Rendered, ApiError> {
    let mut p = req.take_params();
    let search = SearchCustomers::parse(&mut p)?;
    ignore_include_deleted(&mut p)?;
    p.finish()?;
    db.account_read(&req.namespace, &AccountCommand::Search { search })
        .await
}

/// Seed 004's `include_deleted` is accepted on list and search too, and deleted
/// customers stay out of both all the same (seed 004: "excluded from list responses").
fn ignore_include_deleted(p: &mut crate::wire::params::Params) -> Result<(), ApiError> {
    p.boolean("include_deleted").map(|_| ())
}

/// The stored JSON of a live customer, for the handlers of its sub-resources: one
/// read of the customer's object. A missing or deleted customer is a 404 naming
/// `param` (`customer` on a sub-resource path, as Stripe names that path part).
pub async fn live_customer(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
    param: &str,
) -> Result<String, ApiError> {
    let missing = || ApiError::not_found_as("customer", id, param);
    let command = CustomerCommand::Retrieve { id: id.to_owned() };
    let answer = match send(req, db, id, command).await {
        Ok(answer) => answer,
        Err(ApiError::NoSuchObject { .. }) => return Err(missing()),
        Err(err) => return Err(err),
    };
    if version_and_deleted(&answer.body)?.1 {
        return Err(missing());
    }
    Ok(answer.body)
}

/// Sends a command to the customer's object.
pub(crate) async fn send(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    id: &str,
    command: CustomerCommand,
) -> Result<ObjectAnswer, ApiError> {
    db.customer_object(id, &envelope(req, command)).await
}

/// A command to a customer's object, on behalf of `req`.
fn envelope(req: &ApiRequest, command: CustomerCommand) -> CustomerEnvelope {
    CustomerEnvelope {
        namespace: req.namespace.clone(),
        request_id: req.request_id.clone(),
        now: req.now,
        command,
    }
}

/// Shows the customer in an object's answer (the JSON of a `StoredCustomer`); in edge
/// mode the isolate memoises what it saw, so the caller reads its own writes.
async fn show_customer(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    answer: ObjectAnswer,
    id: &str,
    expand: &Expand,
    include_deleted: bool,
) -> Result<Rendered, ApiError> {
    let shown = customer_json(&answer.body, id, expand, include_deleted)?;
    let shown = expand_from_account(req, db, shown, expand).await?;
    if req.read_consistency == ReadConsistency::Edge {
        let ttl = req.edge_cache_ttl_ms;
        db.remember_edge_copy(&req.namespace, id, Rc::from(answer.body), ttl);
    }
    Ok(Rendered {
        replayed: answer.replayed,
        key_kept: answer.key_kept,
        ..Rendered::ok_compact(&shown)
    })
}

/// The expansions whose objects the AccountObject keeps (`account_expand`): the shown
/// customer with its default payment method, test clock and discount's promotion code,
/// each read from the account (one call each, only when asked for and the field holds
/// an id; one the account no longer has stays an id).
async fn expand_from_account(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    shown: String,
    expand: &Expand,
) -> Result<String, ApiError> {
    let mut found = Vec::new();
    for wanted in account_expand::wanted(&shown, expand)? {
        let command = ObjectCommand::new(&wanted.op(), &wanted.id, serde_json::Value::Null);
        match db
            .account_object(&req.namespace, &stamped(req, command))
            .await
        {
            Ok(json) => found.push((wanted.kind, json)),
            Err(err) if err.status() == 404 => {}
            Err(err) => return Err(err),
        }
    }
    account_expand::apply(shown, expand, &found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::customers::backend::memory::{create_customer, run, MemoryBackend};
    use crate::wire::idempotency::IdempotencyClaim;
    use crate::wire::test_support::request;

    fn body(rendered: &Rendered) -> serde_json::Value {
        serde_json::from_str(&rendered.body).unwrap()
    }

    #[test]
    fn a_created_customer_is_retrieved_as_created() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "name=Jenny&metadata[k]=v");
        let shown = body(&run(retrieve(request(""), &db, &id)).unwrap());
        assert_eq!(shown["name"], "Jenny");
        assert_eq!(shown["metadata"]["k"], "v");
        assert_eq!(shown["created"], 1_700_000_000);
    }

    #[test]
    fn a_rejected_parameter_touches_no_object() {
        let db = MemoryBackend::default();
        let err = run(create(request("colour=red"), &db)).unwrap_err();
        assert_eq!(err.param(), Some("colour"));
        assert!(db.calls.borrow().is_empty());
    }

    #[test]
    fn an_update_naming_a_missing_object_answers_for_the_customer_first() {
        let db = MemoryBackend::default();
        let err = run(update(request("coupon=SAVE"), &db, "cus_missing")).unwrap_err();
        assert_eq!(err, ApiError::not_found("customer", "cus_missing"));
        let id = create_customer(&db, "");
        let err = run(update(request("coupon=SAVE"), &db, &id)).unwrap_err();
        assert_eq!(err.param(), Some("coupon"));
        assert_eq!(err.status(), 400);
    }

    #[test]
    fn a_keyed_create_replays_under_the_same_id() {
        let db = MemoryBackend::default();
        let keyed = || {
            let mut req = request("name=A");
            req.idempotency = Some(IdempotencyClaim {
                key: "k1".into(),
                fingerprint: "fp".into(),
                now: 1,
            });
            req
        };
        let first = run(create(keyed(), &db)).unwrap();
        let again = run(create(keyed(), &db)).unwrap();
        assert!(!first.replayed && again.replayed);
        assert_eq!(body(&first)["id"], body(&again)["id"]);
        assert_eq!(db.objects.borrow().len(), 1);
    }

    #[test]
    fn a_replayed_create_with_a_coupon_redeems_it_once() {
        use crate::resources::objects::{save, ObjectStore, Table};
        let db = MemoryBackend::default();
        let coupon = serde_json::json!({"id": "SAVE", "object": "coupon", "created": 1,
            "times_redeemed": 0, "max_redemptions": null, "redeem_by": null, "valid": true});
        save(&mut *db.account.borrow_mut(), Table::Coupons, &coupon).unwrap();
        let keyed = || {
            let mut req = request("coupon=SAVE");
            req.idempotency = Some(IdempotencyClaim {
                key: "k1".into(),
                fingerprint: "fp".into(),
                now: 1,
            });
            req
        };
        let first = run(create(keyed(), &db)).unwrap();
        let again = run(create(keyed(), &db)).unwrap();
        assert!(again.replayed);
        assert_eq!(body(&first)["discount"]["coupon"]["id"], "SAVE");
        let stored = db
            .account
            .borrow()
            .get(Table::Coupons, "SAVE")
            .unwrap()
            .unwrap();
        assert_eq!(stored["times_redeemed"], 1);
        let failed = run(create(
            request("coupon=SAVE&tax[validate_location]=immediately"),
            &db,
        ));
        assert!(failed.is_err());
        let stored = db
            .account
            .borrow()
            .get(Table::Coupons, "SAVE")
            .unwrap()
            .unwrap();
        assert_eq!(
            stored["times_redeemed"], 1,
            "a failed write gives its redemption back"
        );
    }

    #[test]
    fn edge_reads_serve_the_memo_of_this_isolates_own_writes() {
        let db = MemoryBackend::default();
        let edge = |query: &str| ApiRequest {
            read_consistency: ReadConsistency::Edge,
            ..request(query)
        };
        let created = run(create(edge("name=A"), &db)).unwrap();
        let id = body(&created)["id"].as_str().unwrap().to_owned();
        db.calls.borrow_mut().clear();
        let shown = run(retrieve(edge(""), &db, &id)).unwrap();
        assert_eq!(body(&shown)["name"], "A");
        assert_eq!(*db.calls.borrow(), ["edge"], "no object was asked");
    }

    #[test]
    fn a_deleted_customer_shows_the_stub_unless_include_deleted() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "email=ada%40example.com");
        let deleted = body(&run(delete(request(""), &db, &id)).unwrap());
        assert_eq!(
            deleted,
            serde_json::json!({"id": id, "object": "customer", "deleted": true})
        );
        let whole = body(&run(retrieve(request("include_deleted=true"), &db, &id)).unwrap());
        assert_eq!(whole["email"], "ada@example.com");
        assert_eq!(whole["deleted"], true);
        assert!(db.holds("acct_1:test", &id));
    }

    #[test]
    fn undelete_restores_a_deleted_customer_and_refuses_a_live_one() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "email=ada%40example.com");
        let err = run(undelete(request(""), &db, &id)).unwrap_err();
        assert_eq!(err.code(), Some("customer_not_deleted"));
        assert_eq!(err.to_string(), format!("Customer {id} is not deleted."));
        run(delete(request(""), &db, &id)).unwrap();
        let whole = body(&run(retrieve(request("include_deleted=true"), &db, &id)).unwrap());
        assert_eq!(whole["deleted_at"], 1_700_000_000);
        let restored = body(&run(undelete(request(""), &db, &id)).unwrap());
        assert_eq!(restored["email"], "ada@example.com");
        assert!(restored.get("deleted").is_none() && restored.get("deleted_at").is_none());
        let shown = body(&run(retrieve(request(""), &db, &id)).unwrap());
        assert_eq!(shown, restored);
    }

    #[test]
    fn undelete_after_the_window_is_refused_with_the_window_in_the_message() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "");
        run(delete(request(""), &db, &id)).unwrap();
        let late = ApiRequest {
            now: 1_700_000_000 + 30 * 86_400,
            ..request("")
        };
        let err = run(undelete(late, &db, &id)).unwrap_err();
        assert_eq!(err.status(), 400);
        assert_eq!(err.code(), Some("undelete_window_expired"));
        assert_eq!(
            err.to_string(),
            format!(
                "Customer {id} was deleted more than 30 days ago and can no longer be restored."
            )
        );
    }

    #[test]
    fn a_sub_resource_sees_a_deleted_customer_as_missing_under_param_customer() {
        let db = MemoryBackend::default();
        let id = create_customer(&db, "");
        let req = request("");
        assert!(run(live_customer(&req, &db, &id, "customer")).is_ok());
        run(delete(request(""), &db, &id)).unwrap();
        let err = run(live_customer(&req, &db, &id, "customer")).unwrap_err();
        assert_eq!(err, ApiError::not_found_as("customer", &id, "customer"));
        let err = run(live_customer(&req, &db, "cus_nobody", "customer")).unwrap_err();
        assert_eq!(err.param(), Some("customer"));
    }

    #[test]
    fn list_accepts_include_deleted_and_still_leaves_deleted_customers_out() {
        let db = MemoryBackend::default();
        assert!(run(list(request("include_deleted=true"), &db)).is_ok());
        assert!(run(search(
            request("query=name%3A%27x%27&include_deleted=true"),
            &db
        ))
        .is_ok());
    }

    #[test]
    fn the_default_payment_method_expands_on_every_read_and_write() {
        let db = MemoryBackend::default();
        let id = create_customer(
            &db,
            "payment_method=pm_card_visa&invoice_settings[default_payment_method]=pm_card_visa",
        );
        let plain = create_customer(&db, "name=None");
        let path = "invoice_settings.default_payment_method";
        let e = &format!("expand[]={path}");
        let shown = body(&run(retrieve(request(e), &db, &id)).unwrap());
        let pm = &shown["invoice_settings"]["default_payment_method"];
        assert_eq!(pm["object"], "payment_method");
        assert_eq!(pm["customer"], id.as_str());
        let edge = ApiRequest {
            read_consistency: ReadConsistency::Edge,
            ..request(e)
        };
        let from_edge = body(&run(retrieve(edge, &db, &id)).unwrap());
        assert_eq!(from_edge["invoice_settings"]["default_payment_method"], *pm);
        let updated = body(&run(update(request(&format!("name=B&{e}")), &db, &id)).unwrap());
        assert_eq!(updated["invoice_settings"]["default_payment_method"], *pm);
        let created = body(&run(create(request(e), &db)).unwrap());
        assert_eq!(
            created["invoice_settings"]["default_payment_method"],
            serde_json::Value::Null
        );
        let none = body(&run(retrieve(request(e), &db, &plain)).unwrap());
        assert_eq!(
            none["invoice_settings"]["default_payment_method"],
            serde_json::Value::Null
        );
        let page = body(&run(list(request(&format!("expand[]=data.{path}")), &db)).unwrap());
        let listed = page["data"].as_array().unwrap();
        let mine = listed.iter().find(|c| c["id"] == id.as_str()).unwrap();
        assert_eq!(mine["invoice_settings"]["default_payment_method"], *pm);
        let unexpanded = body(&run(retrieve(request(""), &db, &id)).unwrap());
        assert_eq!(
            unexpanded["invoice_settings"]["default_payment_method"],
            pm["id"]
        );
    }

    #[test]
    fn a_list_wraps_the_index_page_in_the_list_envelope() {
        let db = MemoryBackend::default();
        create_customer(&db, "name=A");
        let page = body(&run(list(request("limit=5"), &db)).unwrap());
        assert_eq!(page["object"], "list");
        assert_eq!(page["url"], "/v1/customers");
        assert_eq!(page["data"][0]["name"], "A");
    }
}

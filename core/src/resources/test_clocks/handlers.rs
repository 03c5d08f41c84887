//! The `/v1/test_helpers/test_clocks` routes. Deleting a clock deletes its customers:
//! the AccountObject answers their ids and each CustomerObject then deletes its own.

use serde_json::{json, Value};

use super::new_clock;
use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::commands::{CustomerCommand, CustomerEnvelope, Lifecycle};
use crate::resources::objects::ObjectRoute;
use crate::resources::objects::{check_expand, ObjectCommand, Page};
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::render::{compact, Rendered};
use crate::wire::request::ApiRequest;

/// The command of a test clock route.
pub fn command(route: ObjectRoute, req: &mut ApiRequest) -> Result<ObjectCommand, ApiError> {
    let mut p = req.take_params();
    let mut args = json!({});
    let frozen_time = |p: &mut crate::wire::params::Params| {
        p.integer("frozen_time")?
            .into_option()
            .ok_or_else(|| ApiError::MissingParameter {
                param: "frozen_time".into(),
            })
    };
    let (op, id) = match route {
        ObjectRoute::Create => {
            let frozen = frozen_time(&mut p)?;
            let name = p.string("name", 300)?.into_option();
            args = new_clock(
                ids::random_id("clock")?,
                frozen,
                name,
                req.now,
                req.account.livemode,
            );
            ("test_clock.create", String::new())
        }
        ObjectRoute::Retrieve { id } => ("test_clock.retrieve", id),
        ObjectRoute::List => {
            Page::parse_into(&mut p, &mut args)?;
            ("test_clock.list", String::new())
        }
        ObjectRoute::Delete { id } => ("test_clock.delete", id),
        ObjectRoute::Action { id, .. } => {
            args["frozen_time"] = frozen_time(&mut p)?.into();
            // The account's object drives the advance and must name the customers' objects.
            args["namespace"] = req.namespace.clone().into();
            ("test_clock.advance", id)
        }
        ObjectRoute::Update { .. } => {
            return Err(ApiError::internal("unrouted test clock operation"))
        }
    };
    if op != "test_clock.delete" {
        // A test clock has no expandable field: any path is Stripe's 400.
        check_expand(&mut p, op == "test_clock.list", &[])?;
    }
    p.finish()?;
    Ok(ObjectCommand::new(op, &id, args))
}

/// DELETE /v1/test_helpers/test_clocks/{id}: the clock, then each of its customers.
pub async fn delete(
    req: &ApiRequest,
    db: &impl CustomerBackend,
    command: ObjectCommand,
) -> Result<Rendered, ApiError> {
    let body = db
        .account_object(
            &req.namespace,
            &crate::resources::customers::backend::stamped(req, command),
        )
        .await?;
    let mut answer: Value = serde_json::from_str(&body)?;
    let customers: Vec<String> = match answer["customers"].take() {
        Value::Array(ids) => ids
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    };
    for customer in customers {
        let envelope = CustomerEnvelope {
            namespace: req.namespace.clone(),
            request_id: req.request_id.clone(),
            now: req.now,
            command: CustomerCommand::Delete(Lifecycle {
                id: customer.clone(),
                now: req.now,
                retention_seconds: req.deleted_retention_seconds,
                idempotency: None,
            }),
        };
        match db.customer_object(&customer, &envelope).await {
            // Already deleted meanwhile: nothing to do.
            Ok(_) | Err(ApiError::NoSuchObject { .. }) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(Rendered::ok_compact(&compact(&answer["deleted"])))
}

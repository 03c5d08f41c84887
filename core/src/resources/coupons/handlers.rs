//! The `/v1/coupons` routes: each parses its parameters into one [`ObjectCommand`] for
//! the AccountObject (synchronously: the one await is the caller's).

use serde_json::json;

use super::EXPANDABLE;
use super::{parse_create, NAME_MAX};
use crate::resources::objects::ObjectRoute;
use crate::resources::objects::{check_expand, field_arg, metadata_arg, ObjectCommand, Page};
use crate::wire::error::ApiError;
use crate::wire::request::ApiRequest;

/// The command of a `/v1/coupons` route.
pub fn command(route: ObjectRoute, req: &mut ApiRequest) -> Result<ObjectCommand, ApiError> {
    let mut p = req.take_params();
    let mut args = json!({});
    let (op, id) = match route {
        ObjectRoute::Create => {
            args = parse_create(&mut p, req.now, req.account.livemode)?;
            ("coupon.create", String::new())
        }
        ObjectRoute::Retrieve { id } => ("coupon.retrieve", id),
        ObjectRoute::Update { id } => {
            field_arg(p.string("name", NAME_MAX)?, "name", &mut args);
            metadata_arg(&mut p, &mut args)?;
            ("coupon.update", id)
        }
        ObjectRoute::Delete { id } => ("coupon.delete", id),
        ObjectRoute::List => {
            Page::parse_into(&mut p, &mut args)?;
            ("coupon.list", String::new())
        }
        ObjectRoute::Action { .. } => return Err(ApiError::internal("unrouted coupon action")),
    };
    if op != "coupon.delete" {
        check_expand(&mut p, op == "coupon.list", EXPANDABLE)?;
    }
    p.finish()?;
    Ok(ObjectCommand::new(op, &id, args))
}

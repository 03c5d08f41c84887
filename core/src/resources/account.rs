//! What an AccountObject runs besides its customer index: the commands on the tables of
//! coupons, promotion codes, payment methods and test clocks, and the claim and release
//! of a customer write (`customers::claims`). Pure: the object passes its SQL store.

use super::customers::claims;
use super::objects::{ObjectCommand, ObjectStore};
use super::{coupons, payment_methods, promotion_codes, test_clocks};
use crate::wire::error::ApiError;

/// Runs one object command, by the resource its `op` names; answers the JSON body.
pub fn execute(store: &mut impl ObjectStore, command: ObjectCommand) -> Result<String, ApiError> {
    let resource = command.op.split('.').next().unwrap_or_default();
    match resource {
        "coupon" => coupons::execute(store, command),
        "promotion_code" => promotion_codes::execute(store, command),
        "payment_method" => payment_methods::execute(store, command),
        "test_clock" => test_clocks::execute(store, command),
        "claim" | "release" => claims::execute(store, command),
        _ => Err(ApiError::internal(format!(
            "unknown object command {}",
            command.op
        ))),
    }
}

//! The Durable Objects and the messages they take. `customer_ops` and `protocol` are
//! pure; `customer_object` and `account_object` are the runtime glue around them.

pub mod account_object;
pub mod customer_object;
pub mod customer_ops;
pub mod protocol;

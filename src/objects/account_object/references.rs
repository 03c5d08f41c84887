//! The objects customers reference (coupons, promotion codes, payment methods, sources,
//! test clocks), as the account's tables hold them, and the check that a reference names
//! one that exists.

use api_core::resources::customers::changes::{Reference, ReferenceKind};
use api_core::wire::error::ApiError;
use worker::SqlStorage;

use crate::objects::sql::storage_error;

pub const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS coupons (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS promotion_codes (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS payment_methods (id TEXT PRIMARY KEY, customer TEXT, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, customer TEXT, document TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS test_clocks (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
];

fn table(kind: ReferenceKind) -> &'static str {
    match kind {
        ReferenceKind::Coupon => "coupons",
        ReferenceKind::PromotionCode => "promotion_codes",
        ReferenceKind::PaymentMethod => "payment_methods",
        ReferenceKind::Source => "sources",
        ReferenceKind::TestClock => "test_clocks",
    }
}

/// Fails with Stripe's `No such …` on the first reference whose object does not exist.
pub fn check_all_exist(sql: &SqlStorage, references: &[Reference]) -> Result<(), ApiError> {
    for reference in references {
        let found = sql
            .exec(
                &format!("SELECT id FROM {} WHERE id = ?", table(reference.kind)),
                vec![reference.id.as_str().into()],
            )
            .map_err(storage_error)?
            .raw()
            .next()
            .is_some();
        if !found {
            return Err(reference.missing());
        }
    }
    Ok(())
}

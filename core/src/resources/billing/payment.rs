//! Which card pays an invoice, and what charging it does. The card is chosen as Stripe
//! chooses it (the invoice's or `/pay`'s payment method, then the subscription's, then
//! the customer's `invoice_settings.default_payment_method`, then its `default_source`);
//! a charge succeeds unless the card is one of Stripe's cards that attach but decline.

use serde_json::Value;

use super::Ledger;
use crate::resources::objects::text;
use crate::wire::error::ApiError;

/// Stripe's `pm_card_chargeCustomerFail` (4000 0000 0000 0341): it attaches, and every
/// charge on it is declined. The other declining test cards fail when they are attached,
/// so they never reach a charge.
const DECLINES_ON_CHARGE: &[&str] = &["0341"];

/// A card that can be charged: its id and last four digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub id: String,
    pub last4: String,
}

/// The card for `invoice` (of `subscription`), `explicit` (from `/pay`) first; `None`
/// when the customer has none. An explicit id that is not the customer's is an error.
pub fn choose(
    ledger: &Ledger<'_>,
    invoice: &Value,
    subscription: Option<&Value>,
    explicit: Option<&str>,
) -> Result<Option<Card>, ApiError> {
    if let Some(id) = explicit {
        return match card(ledger, id) {
            Some(card) => Ok(Some(card)),
            None => Err(not_the_customers(id, "payment_method")),
        };
    }
    let customer = &*ledger.customer;
    let default_source = customer.default_source.as_ref().and_then(Value::as_str);
    let candidates = [
        invoice["default_payment_method"].as_str(),
        subscription.and_then(|s| s["default_payment_method"].as_str()),
        subscription.and_then(|s| s["default_source"].as_str()),
        customer.invoice_settings.default_payment_method.as_deref(),
        default_source,
    ];
    Ok(candidates
        .into_iter()
        .flatten()
        .find_map(|id| card(ledger, id)))
}

/// A payment method attached to the customer, or one of its card sources.
fn card(ledger: &Ledger<'_>, id: &str) -> Option<Card> {
    if let Some(pm) = ledger.context.payment_method(id) {
        return Some(Card {
            id: id.to_owned(),
            last4: text(&pm["card"], "last4").to_owned(),
        });
    }
    ledger
        .sources
        .iter()
        .find(|s| text(s, "id") == id)
        .map(|s| Card {
            id: id.to_owned(),
            last4: text(s, "last4").to_owned(),
        })
}

/// Charges `card`: `Ok` or the decline as Stripe's `card_error`.
pub fn charge(card: &Card) -> Result<(), ApiError> {
    if DECLINES_ON_CHARGE.contains(&card.last4.as_str()) {
        return Err(ApiError::card(
            "card_declined",
            Some("generic_decline"),
            None,
            "Your card was declined.",
        ));
    }
    Ok(())
}

/// The error for a payment method that is not attached to this customer.
pub fn not_the_customers(id: &str, param: &str) -> ApiError {
    ApiError::invalid(
        param,
        format!("The customer does not have a payment method with the ID {id}. The payment method must be attached to the customer."),
    )
}

/// Stripe's error for a subscription that must be paid now when the customer has nothing
/// to pay with.
pub fn no_payment_source() -> ApiError {
    ApiError::bad_request(
        "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.",
    )
}

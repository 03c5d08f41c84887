//! Payment methods (`pm_…`, type `card`) and the card sources customers own: Stripe's
//! test cards (`test_cards`), the objects made from them, and their parameters.

pub mod test_cards;

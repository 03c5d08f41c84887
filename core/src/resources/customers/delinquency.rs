//! `delinquent`, computed as seed 004 defines it: "true while any subscription is in
//! `past_due` or any invoice is in dunning". The flag is stored with the customer and
//! recomputed on every commit, so every view shows the current value.

use super::model::CustomerRecord;

/// Seed 004's rule over the customer's subscriptions and invoices.
pub fn is_delinquent(past_due_subscriptions: usize, invoices_in_dunning: usize) -> bool {
    past_due_subscriptions > 0 || invoices_in_dunning > 0
}

/// The flag for a stored customer. Neither subscriptions nor invoices exist in this
/// API yet, so no customer has one past due or in dunning and this is false; when they
/// arrive, their counts for the customer go here.
pub fn of(_record: &CustomerRecord) -> bool {
    let (past_due_subscriptions, invoices_in_dunning) = (0, 0);
    is_delinquent(past_due_subscriptions, invoices_in_dunning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_is_delinquent_while_anything_is_past_due_or_in_dunning() {
        assert!(!is_delinquent(0, 0));
        assert!(is_delinquent(1, 0));
        assert!(is_delinquent(0, 2));
    }
}

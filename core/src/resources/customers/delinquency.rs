//! `delinquent`, computed as seed 004 defines it: "true while any subscription is in
//! `past_due` or any invoice is in dunning". The flag is stored with the customer and
//! recomputed by every billing commit (`billing::Ledger::settle_customer`), the only
//! changes that can move it, so every view shows the current value.

/// Seed 004's rule over the customer's subscriptions and invoices.
pub fn is_delinquent(past_due_subscriptions: usize, invoices_in_dunning: usize) -> bool {
    past_due_subscriptions > 0 || invoices_in_dunning > 0
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

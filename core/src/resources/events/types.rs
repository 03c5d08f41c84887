//! The catalogue of webhook event type names an endpoint may subscribe to, and matching rules.
//! Pure data and string functions; used to validate `enabled_events` and to route events.

/// Every `enabled_events` value Stripe accepts at API version 2023-08-16, in Stripe's order
/// (224 values, `*` first).
///
/// Source: stripe/openapi tag `v466`, commit `a8128872e10cb76710f648c15f1ac0705835cee8`
/// (2023-08-16, `info.version` 2023-08-16), file `openapi/spec3.yaml`, path
/// `paths./v1/webhook_endpoints.post.requestBody.content.application/x-www-form-urlencoded
/// .schema.properties.enabled_events.items.enum`. The update endpoint's enum is identical, the
/// list is unchanged through tag `v495` (2023-08-30), and it is identical, order included, to
/// the `WebhookEndpointCreateParams.EnabledEvent` union of stripe-node v13.0.0
/// (commit `3799c9a611b1f5c7d7718157f20d4046a91a811e`, OPENAPI_VERSION v466).
pub const STRIPE_EVENT_TYPES: &[&str] = &[
    "*",
    "account.application.authorized",
    "account.application.deauthorized",
    "account.external_account.created",
    "account.external_account.deleted",
    "account.external_account.updated",
    "account.updated",
    "application_fee.created",
    "application_fee.refund.updated",
    "application_fee.refunded",
    "balance.available",
    "billing_portal.configuration.created",
    "billing_portal.configuration.updated",
    "billing_portal.session.created",
    "capability.updated",
    "cash_balance.funds_available",
    "charge.captured",
    "charge.dispute.closed",
    "charge.dispute.created",
    "charge.dispute.funds_reinstated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.updated",
    "charge.expired",
    "charge.failed",
    "charge.pending",
    "charge.refund.updated",
    "charge.refunded",
    "charge.succeeded",
    "charge.updated",
    "checkout.session.async_payment_failed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.completed",
    "checkout.session.expired",
    "coupon.created",
    "coupon.deleted",
    "coupon.updated",
    "credit_note.created",
    "credit_note.updated",
    "credit_note.voided",
    "customer.created",
    "customer.deleted",
    "customer.discount.created",
    "customer.discount.deleted",
    "customer.discount.updated",
    "customer.source.created",
    "customer.source.deleted",
    "customer.source.expiring",
    "customer.source.updated",
    "customer.subscription.created",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.pending_update_applied",
    "customer.subscription.pending_update_expired",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
    "customer.subscription.updated",
    "customer.tax_id.created",
    "customer.tax_id.deleted",
    "customer.tax_id.updated",
    "customer.updated",
    "customer_cash_balance_transaction.created",
    "file.created",
    "financial_connections.account.created",
    "financial_connections.account.deactivated",
    "financial_connections.account.disconnected",
    "financial_connections.account.reactivated",
    "financial_connections.account.refreshed_balance",
    "identity.verification_session.canceled",
    "identity.verification_session.created",
    "identity.verification_session.processing",
    "identity.verification_session.redacted",
    "identity.verification_session.requires_input",
    "identity.verification_session.verified",
    "invoice.created",
    "invoice.deleted",
    "invoice.finalization_failed",
    "invoice.finalized",
    "invoice.marked_uncollectible",
    "invoice.paid",
    "invoice.payment_action_required",
    "invoice.payment_failed",
    "invoice.payment_succeeded",
    "invoice.sent",
    "invoice.upcoming",
    "invoice.updated",
    "invoice.voided",
    "invoiceitem.created",
    "invoiceitem.deleted",
    "invoiceitem.updated",
    "issuing_authorization.created",
    "issuing_authorization.request",
    "issuing_authorization.updated",
    "issuing_card.created",
    "issuing_card.updated",
    "issuing_cardholder.created",
    "issuing_cardholder.updated",
    "issuing_dispute.closed",
    "issuing_dispute.created",
    "issuing_dispute.funds_reinstated",
    "issuing_dispute.submitted",
    "issuing_dispute.updated",
    "issuing_transaction.created",
    "issuing_transaction.updated",
    "mandate.updated",
    "order.created",
    "payment_intent.amount_capturable_updated",
    "payment_intent.canceled",
    "payment_intent.created",
    "payment_intent.partially_funded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.succeeded",
    "payment_link.created",
    "payment_link.updated",
    "payment_method.attached",
    "payment_method.automatically_updated",
    "payment_method.detached",
    "payment_method.updated",
    "payout.canceled",
    "payout.created",
    "payout.failed",
    "payout.paid",
    "payout.reconciliation_completed",
    "payout.updated",
    "person.created",
    "person.deleted",
    "person.updated",
    "plan.created",
    "plan.deleted",
    "plan.updated",
    "price.created",
    "price.deleted",
    "price.updated",
    "product.created",
    "product.deleted",
    "product.updated",
    "promotion_code.created",
    "promotion_code.updated",
    "quote.accepted",
    "quote.canceled",
    "quote.created",
    "quote.finalized",
    "radar.early_fraud_warning.created",
    "radar.early_fraud_warning.updated",
    "recipient.created",
    "recipient.deleted",
    "recipient.updated",
    "refund.created",
    "refund.updated",
    "reporting.report_run.failed",
    "reporting.report_run.succeeded",
    "reporting.report_type.updated",
    "review.closed",
    "review.opened",
    "setup_intent.canceled",
    "setup_intent.created",
    "setup_intent.requires_action",
    "setup_intent.setup_failed",
    "setup_intent.succeeded",
    "sigma.scheduled_query_run.created",
    "sku.created",
    "sku.deleted",
    "sku.updated",
    "source.canceled",
    "source.chargeable",
    "source.failed",
    "source.mandate_notification",
    "source.refund_attributes_required",
    "source.transaction.created",
    "source.transaction.updated",
    "subscription_schedule.aborted",
    "subscription_schedule.canceled",
    "subscription_schedule.completed",
    "subscription_schedule.created",
    "subscription_schedule.expiring",
    "subscription_schedule.released",
    "subscription_schedule.updated",
    "tax.settings.updated",
    "tax_rate.created",
    "tax_rate.updated",
    "terminal.reader.action_failed",
    "terminal.reader.action_succeeded",
    "test_helpers.test_clock.advancing",
    "test_helpers.test_clock.created",
    "test_helpers.test_clock.deleted",
    "test_helpers.test_clock.internal_failure",
    "test_helpers.test_clock.ready",
    "topup.canceled",
    "topup.created",
    "topup.failed",
    "topup.reversed",
    "topup.succeeded",
    "transfer.created",
    "transfer.reversed",
    "transfer.updated",
    "treasury.credit_reversal.created",
    "treasury.credit_reversal.posted",
    "treasury.debit_reversal.completed",
    "treasury.debit_reversal.created",
    "treasury.debit_reversal.initial_credit_granted",
    "treasury.financial_account.closed",
    "treasury.financial_account.created",
    "treasury.financial_account.features_status_updated",
    "treasury.inbound_transfer.canceled",
    "treasury.inbound_transfer.created",
    "treasury.inbound_transfer.failed",
    "treasury.inbound_transfer.succeeded",
    "treasury.outbound_payment.canceled",
    "treasury.outbound_payment.created",
    "treasury.outbound_payment.expected_arrival_date_updated",
    "treasury.outbound_payment.failed",
    "treasury.outbound_payment.posted",
    "treasury.outbound_payment.returned",
    "treasury.outbound_transfer.canceled",
    "treasury.outbound_transfer.created",
    "treasury.outbound_transfer.expected_arrival_date_updated",
    "treasury.outbound_transfer.failed",
    "treasury.outbound_transfer.posted",
    "treasury.outbound_transfer.returned",
    "treasury.received_credit.created",
    "treasury.received_credit.failed",
    "treasury.received_credit.succeeded",
    "treasury.received_debit.created",
];

/// Event names of this platform's own spec that are accepted in `enabled_events` as well,
/// although Stripe's 2023-08-16 enum does not list them.
pub const SEED_EVENT_TYPES: &[&str] = &[
    "customer.payment_method_attached",
    "customer.payment_method_detached",
    "customer.tax_id_invalidated",
];

/// The wildcard entry: subscribe to every event type.
pub const WILDCARD: &str = "*";

/// True when `name` may appear in `enabled_events`: `*`, a Stripe name or a seed name.
/// Matching is exact and case-sensitive, as Stripe's enum check is.
pub fn is_subscribable(name: &str) -> bool {
    name == WILDCARD || STRIPE_EVENT_TYPES.contains(&name) || SEED_EVENT_TYPES.contains(&name)
}

/// Glob match in which `*` stands for any run of characters (dots included, possibly empty)
/// and every other character stands for itself, e.g. `customer.*` matches `customer.created`
/// and `customer.tax_id.created`. This is the `type=customer.*` filter of `GET /v1/events`.
pub fn glob_matches(pattern: &str, event_type: &str) -> bool {
    let pattern = pattern.as_bytes();
    let text = event_type.as_bytes();
    let (mut p, mut t) = (0usize, 0usize);
    // Position of the last `*` seen, and the text position it is currently assumed to reach.
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                // Let the last `*` swallow one more character and retry from there.
                Some((star, reached)) => {
                    p = star + 1;
                    t = reached + 1;
                    backtrack = Some((star, reached + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// True when an endpoint with these `enabled_events` should receive an event of this type:
/// `*` in the list means every type, otherwise the type must be listed exactly.
///
/// Stripe's "selection required" events are not sent to `*` subscribers; none of them is
/// produced by this platform, so that exception is not modelled here.
pub fn endpoint_wants(enabled_events: &[String], event_type: &str) -> bool {
    enabled_events
        .iter()
        .any(|entry| entry == WILDCARD || entry == event_type)
}

/// Stripe's message for an `enabled_events` entry that is not a known name.
///
/// Format, as in Stripe's other enum errors (e.g. `Invalid payment_method_types[0]: must be
/// one of card, acss_debit, …, wechat_pay, or zip`): the values joined with `", "` and the
/// last one preceded by `"or "`. A real capture (STRIPE-FACTS 4.3) starts
/// `Invalid enabled_events[0]: must be one of account.application.authorized,
/// account.application.deauthorized, account.external_account.c…`, so `*` is not listed
/// first; it is left out of the list altogether (where, if anywhere, Stripe prints it is
/// unverified). The Stripe names come first, in Stripe's order, then the seed names.
pub fn enabled_event_error(index: usize) -> String {
    let mut list = String::new();
    let mut names = STRIPE_EVENT_TYPES.iter().chain(SEED_EVENT_TYPES).peekable();
    while let Some(name) = names.next() {
        if *name == WILDCARD {
            continue;
        }
        if !list.is_empty() {
            list.push_str(if names.peek().is_some() {
                ", "
            } else {
                ", or "
            });
        }
        list.push_str(name);
    }
    format!("Invalid enabled_events[{index}]: must be one of {list}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_stripe_catalogue_has_224_unique_entries_with_the_wildcard_first() {
        assert_eq!(STRIPE_EVENT_TYPES.len(), 224);
        assert_eq!(STRIPE_EVENT_TYPES[0], "*");
        let unique: BTreeSet<&str> = STRIPE_EVENT_TYPES.iter().copied().collect();
        assert_eq!(unique.len(), STRIPE_EVENT_TYPES.len(), "no duplicates");
    }

    #[test]
    fn the_stripe_catalogue_keeps_stripes_order_and_edges() {
        let cases = [
            (1, "account.application.authorized"),
            (2, "account.application.deauthorized"),
            (3, "account.external_account.created"),
            (223, "treasury.received_debit.created"),
        ];
        for (index, name) in cases {
            assert_eq!(STRIPE_EVENT_TYPES[index], name, "position {index}");
        }
    }

    #[test]
    fn every_catalogue_name_is_lowercase_dotted_and_free_of_spaces() {
        for name in STRIPE_EVENT_TYPES.iter().chain(SEED_EVENT_TYPES).skip(1) {
            assert!(name.contains('.'), "{name} has a dot");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'),
                "{name} uses only lowercase ASCII, digits, dots and underscores"
            );
        }
    }

    #[test]
    fn seed_names_are_not_already_stripe_names() {
        for name in SEED_EVENT_TYPES {
            assert!(!STRIPE_EVENT_TYPES.contains(name), "{name}");
        }
    }

    #[test]
    fn is_subscribable_accepts_stripe_names_seed_names_and_the_wildcard_only() {
        let cases = [
            ("*", true, "the wildcard"),
            ("customer.created", true, "a Stripe customer event"),
            ("customer.updated", true, "a Stripe customer event"),
            (
                "customer.subscription.trial_will_end",
                true,
                "a nested Stripe event",
            ),
            (
                "payment_method.automatically_updated",
                true,
                "renamed in 2020-08-27",
            ),
            ("test_helpers.test_clock.ready", true, "a test clock event"),
            ("customer.payment_method_attached", true, "a seed name"),
            ("customer.tax_id_invalidated", true, "a seed name"),
            ("customer.*", false, "globs are not subscribable"),
            ("Customer.Created", false, "case matters"),
            ("customer.created ", false, "no trimming"),
            ("", false, "the empty string"),
            (
                "payment_method.card_automatically_updated",
                false,
                "the pre-2020 name",
            ),
            ("customer.deleted.now", false, "an invented name"),
        ];
        for (name, expected, why) in cases {
            assert_eq!(is_subscribable(name), expected, "{why}: {name:?}");
        }
    }

    #[test]
    fn glob_matches_treats_star_as_any_run_of_characters() {
        let cases = [
            ("customer.*", "customer.created", true, "one segment"),
            (
                "customer.*",
                "customer.tax_id.created",
                true,
                "star crosses dots",
            ),
            ("customer.*", "customer.", true, "star may match nothing"),
            ("customer.*", "customer", false, "the dot is literal"),
            (
                "customer.*",
                "customers.created",
                false,
                "prefix must match exactly",
            ),
            (
                "customer.*",
                "payment_method.attached",
                false,
                "other family",
            ),
            ("*", "anything.at.all", true, "lone star"),
            ("*", "", true, "lone star matches empty"),
            ("", "", true, "empty matches empty"),
            ("", "customer.created", false, "empty matches only empty"),
            ("*.created", "customer.tax_id.created", true, "leading star"),
            (
                "*.created",
                "customer.updated",
                false,
                "leading star, wrong suffix",
            ),
            (
                "customer.*.created",
                "customer.tax_id.created",
                true,
                "inner star",
            ),
            (
                "customer.*.created",
                "customer.created",
                false,
                "inner star needs both dots",
            ),
            (
                "customer.*.*",
                "customer.source.expiring",
                true,
                "two stars",
            ),
            ("customer.**", "customer.created", true, "consecutive stars"),
            ("*a*a*a", "aaaa", true, "backtracking over repeats"),
            ("*a*a*a", "aa", false, "backtracking fails cleanly"),
            (
                "customer.created",
                "customer.created",
                true,
                "no star is exact",
            ),
            (
                "customer.created",
                "customer.createdx",
                false,
                "no star is exact",
            ),
            (
                "customer.?",
                "customer.x",
                false,
                "question mark is literal",
            ),
            ("customer.[a]", "customer.a", false, "brackets are literal"),
        ];
        for (pattern, event_type, expected, why) in cases {
            assert_eq!(
                glob_matches(pattern, event_type),
                expected,
                "{why}: {pattern:?} vs {event_type:?}"
            );
        }
    }

    #[test]
    fn endpoint_wants_uses_wildcard_or_exact_membership() {
        let list = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases = [
            (list(&["*"]), "customer.created", true, "wildcard"),
            (
                list(&["charge.failed", "*"]),
                "customer.deleted",
                true,
                "wildcard anywhere",
            ),
            (
                list(&["customer.created"]),
                "customer.created",
                true,
                "exact",
            ),
            (
                list(&["customer.created"]),
                "customer.updated",
                false,
                "other type",
            ),
            (
                list(&["customer.*"]),
                "customer.created",
                false,
                "no glob in enabled_events",
            ),
            (list(&[]), "customer.created", false, "empty list"),
        ];
        for (enabled, event_type, expected, why) in cases {
            assert_eq!(endpoint_wants(&enabled, event_type), expected, "{why}");
        }
    }

    #[test]
    fn enabled_event_error_starts_like_the_captured_stripe_message() {
        let captured = "Invalid enabled_events[0]: must be one of account.application.authorized, \
                        account.application.deauthorized, account.external_account.c";
        assert!(enabled_event_error(0).starts_with(captured));
    }

    #[test]
    fn enabled_event_error_names_the_index_and_ends_with_or_and_the_last_seed_name() {
        let cases = [
            (0, "Invalid enabled_events[0]: "),
            (7, "Invalid enabled_events[7]: "),
        ];
        for (index, prefix) in cases {
            let message = enabled_event_error(index);
            assert!(message.starts_with(prefix), "{message}");
            assert!(
                message.ends_with(
                    ", treasury.received_debit.created, customer.payment_method_attached, \
                     customer.payment_method_detached, or customer.tax_id_invalidated"
                ),
                "Stripe names, then seed names, with \"or\" before the last"
            );
        }
    }

    #[test]
    fn enabled_event_error_lists_every_name_once_except_the_wildcard() {
        let message = enabled_event_error(3);
        let list = message
            .split_once("must be one of ")
            .map(|(_, list)| list)
            .unwrap_or_default();
        let names: Vec<&str> = list
            .split(", ")
            .map(|name| name.strip_prefix("or ").unwrap_or(name))
            .collect();
        let expected: Vec<&str> = STRIPE_EVENT_TYPES[1..]
            .iter()
            .chain(SEED_EVENT_TYPES)
            .copied()
            .collect();
        assert_eq!(names, expected);
        assert_eq!(names.len(), 226);
    }
}

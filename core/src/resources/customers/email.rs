//! Email syntax, as Stripe checks it on customers (`email_invalid`): one `@`, a
//! dot-atom local part, and a domain of at least two labels with an alphabetic TLD.
//! Nothing is trimmed: a stray space makes the address invalid, as in Stripe.
//!
//! ```text
//! email  = local "@" domain
//! local  = atom *("." atom)        ; atom = 1*(ALNUM / "!#$%&'*+/=?^_`{|}~-")
//! domain = label 1*("." label)     ; label = ALNUM *(ALNUM / "-"), not ending in "-"
//! ```

use crate::wire::error::ApiError;

/// Checks `email`'s syntax; `param` names the field in errors.
pub fn check_email(param: &str, email: String) -> Result<String, ApiError> {
    if is_valid(&email) {
        return Ok(email);
    }
    Err(ApiError::invalid_with_code(
        param,
        "email_invalid",
        format!("Invalid email address: {email}"),
    ))
}

fn is_valid(email: &str) -> bool {
    let mut parts = email.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => is_local_part(local) && is_domain(domain),
        _ => false,
    }
}

fn is_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_alphanumeric() || SPECIALS.contains(c))
        })
}

fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld_ok = labels.last().is_some_and(|tld| {
        tld.chars().count() >= 2
            && (tld.chars().all(char::is_alphabetic) || tld.starts_with("xn--"))
    });
    labels.len() >= 2 && tld_ok && labels.iter().all(|label| is_label(label))
}

fn is_label(label: &str) -> bool {
    !label.is_empty()
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(|c| c.is_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_addresses_are_valid() {
        for email in [
            "jennyrosen@example.com",
            "a.b+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "user@xn--bcher-kva.example",
            "x@münchen.de",
        ] {
            assert!(is_valid(email), "{email} should be valid");
        }
    }

    #[test]
    fn the_addresses_stripe_rejects_are_invalid() {
        let cases = [
            ("otameshi@com", "no dot in the domain"),
            (" k.shimizu139@gmail.com", "leading space"),
            ("odatakeryu", "no @"),
            ("paasonauyuya＠iCloud.com", "full-width at sign"),
            ("mehmetakdemir9212@gmail", "no TLD"),
            ("user@localhost", "single-label domain"),
            ("someone@.maie.com", "empty label"),
            ("a@@b.com", "two at signs"),
            ("a..b@example.com", "empty atom"),
            ("a@example.c", "one-letter TLD"),
            ("a@exa_mple.com", "underscore in domain"),
            ("@example.com", "empty local part"),
        ];
        for (email, why) in cases {
            assert!(!is_valid(email), "{email:?} should be invalid: {why}");
        }
    }

    #[test]
    fn the_error_is_email_invalid_and_echoes_the_value() {
        let err = check_email("email", "nope".into()).unwrap_err();
        assert_eq!(err.code(), Some("email_invalid"));
        assert_eq!(err.param(), Some("email"));
        assert_eq!(err.to_string(), "Invalid email address: nope");
    }
}

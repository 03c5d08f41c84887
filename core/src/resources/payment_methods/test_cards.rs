//! Stripe's test cards: the magic ids (`pm_card_visa`, `tok_visa`, …) and the documented
//! test numbers, each with the brand, last4, funding and country a card made from it
//! shows. A number is only ever matched here; no card number is kept anywhere else.

use crate::wire::error::ApiError;

/// How a card declines when it is attached or saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decline {
    Generic,
    InsufficientFunds,
    Expired,
    IncorrectCvc,
    ProcessingError,
    Fraudulent,
}

/// One test card: `name` is what follows `pm_card_` / `tok_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestCard {
    pub name: &'static str,
    number: &'static str,
    /// The payment method brand (lowercase): visa, mastercard, amex, …
    pub brand: &'static str,
    pub funding: &'static str,
    pub country: &'static str,
    pub decline: Option<Decline>,
}

const fn card(
    name: &'static str,
    number: &'static str,
    brand: &'static str,
    funding: &'static str,
    country: &'static str,
) -> TestCard {
    TestCard {
        name,
        number,
        brand,
        funding,
        country,
        decline: None,
    }
}

const fn declining(name: &'static str, number: &'static str, decline: Decline) -> TestCard {
    TestCard {
        decline: Some(decline),
        ..card(name, number, "visa", "credit", "US")
    }
}

const fn visa_of(name: &'static str, number: &'static str, country: &'static str) -> TestCard {
    card(name, number, "visa", "credit", country)
}

/// Every test card we know, from docs.stripe.com/testing (see STRIPE-FACTS.md §5.1).
pub const CATALOGUE: &[TestCard] = &[
    card("visa", "4242424242424242", "visa", "credit", "US"),
    card("visa_debit", "4000056655665556", "visa", "debit", "US"),
    card(
        "mastercard",
        "5555555555554444",
        "mastercard",
        "credit",
        "US",
    ),
    card(
        "mastercard_debit",
        "5200828282828210",
        "mastercard",
        "debit",
        "US",
    ),
    card(
        "mastercard_prepaid",
        "5105105105105100",
        "mastercard",
        "prepaid",
        "US",
    ),
    card("amex", "371449635398431", "amex", "credit", "US"),
    card("discover", "6011111111111117", "discover", "credit", "US"),
    card("diners", "3056930009020004", "diners", "credit", "US"),
    card("jcb", "3566002020360505", "jcb", "credit", "JP"),
    card("unionpay", "6200000000000005", "unionpay", "credit", "CN"),
    declining("chargeDeclined", "4000000000000002", Decline::Generic),
    declining(
        "chargeDeclinedInsufficientFunds",
        "4000000000009995",
        Decline::InsufficientFunds,
    ),
    declining(
        "chargeDeclinedExpiredCard",
        "4000000000000069",
        Decline::Expired,
    ),
    declining(
        "chargeDeclinedIncorrectCvc",
        "4000000000000127",
        Decline::IncorrectCvc,
    ),
    declining(
        "chargeDeclinedProcessingError",
        "4000000000000119",
        Decline::ProcessingError,
    ),
    declining("radarBlock", "4100000000000019", Decline::Fraudulent),
    visa_of("chargeCustomerFail", "4000000000000341", "US"),
    visa_of("authenticationRequired", "4000002500003155", "US"),
    visa_of("threeDSecure2Required", "4000000000003220", "US"),
    visa_of("us", "4242424242424242", "US"),
    visa_of("ar", "4000000320000021", "AR"),
    visa_of("br", "4000000760000002", "BR"),
    visa_of("ca", "4000001240000000", "CA"),
    visa_of("mx", "4000004840008001", "MX"),
    visa_of("at", "4000000400000008", "AT"),
    visa_of("be", "4000000560000004", "BE"),
    visa_of("dk", "4000002080000001", "DK"),
    visa_of("fi", "4000002460000001", "FI"),
    visa_of("fr", "4000002500000003", "FR"),
    visa_of("de", "4000002760000016", "DE"),
    visa_of("ie", "4000003720000005", "IE"),
    visa_of("it", "4000003800000008", "IT"),
    visa_of("nl", "4000005280000002", "NL"),
    visa_of("no", "4000005780000007", "NO"),
    visa_of("es", "4000007240000007", "ES"),
    visa_of("se", "4000007520000008", "SE"),
    visa_of("ch", "4000007560000009", "CH"),
    visa_of("gb", "4000008260000000", "GB"),
    visa_of("au", "4000000360000006", "AU"),
    visa_of("jp", "4000003920000003", "JP"),
    visa_of("sg", "4000007020000003", "SG"),
    visa_of("hk", "4000003440000004", "HK"),
    visa_of("nz", "4000005540000008", "NZ"),
    visa_of("in", "4000003560000008", "IN"),
];

impl TestCard {
    /// The last four digits of the card number.
    pub fn last4(&self) -> &'static str {
        &self.number[self.number.len() - 4..]
    }

    /// The brand as the legacy `card` object (sources) spells it.
    pub fn card_brand(&self) -> &'static str {
        match self.brand {
            "amex" => "American Express",
            "diners" => "Diners Club",
            "discover" => "Discover",
            "jcb" => "JCB",
            "mastercard" => "MasterCard",
            "unionpay" => "UnionPay",
            "visa" => "Visa",
            _ => "Unknown",
        }
    }

    /// The `card_error` an attach of this card meets, if it declines.
    pub fn decline_error(&self) -> Option<ApiError> {
        let (code, decline_code, message) = match self.decline? {
            Decline::Generic => (
                "card_declined",
                "generic_decline",
                "Your card was declined.",
            ),
            Decline::InsufficientFunds => (
                "card_declined",
                "insufficient_funds",
                "Your card has insufficient funds.",
            ),
            Decline::Expired => ("expired_card", "expired_card", "Your card has expired."),
            Decline::IncorrectCvc => (
                "incorrect_cvc",
                "incorrect_cvc",
                "Your card's security code is incorrect.",
            ),
            Decline::ProcessingError => (
                "processing_error",
                "processing_error",
                "An error occurred while processing your card. Try again in a little bit.",
            ),
            Decline::Fraudulent => ("card_declined", "fraudulent", "Your card was declined."),
        };
        Some(ApiError::card(code, Some(decline_code), None, message))
    }
}

/// The test card a magic id names: `pm_card_<name>` (payment methods) or `tok_<name>`
/// (tokens). `pm_card_visa_chargeDeclined` is Stripe's other name for `chargeDeclined`.
pub fn by_magic_id(id: &str) -> Option<&'static TestCard> {
    let name = id
        .strip_prefix("pm_card_")
        .or_else(|| id.strip_prefix("tok_"))?;
    let name = if name == "visa_chargeDeclined" {
        "chargeDeclined"
    } else {
        name
    };
    CATALOGUE.iter().find(|c| c.name == name)
}

/// The test card of a raw number (spaces allowed). A number that fails the Luhn check is
/// `incorrect_number`; a valid number that is not one of Stripe's test numbers is
/// refused as Stripe refuses a live card in test mode.
pub fn by_number(param: &str, number: &str) -> Result<&'static TestCard, ApiError> {
    let digits: String = number.chars().filter(|c| *c != ' ').collect();
    let well_formed =
        (12..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if !well_formed || !luhn_valid(&digits) {
        return Err(ApiError::card(
            "incorrect_number",
            None,
            Some(param),
            "Your card number is incorrect.",
        ));
    }
    // The first entry wins for a number shared by two names (pm_card_visa and pm_card_us).
    CATALOGUE.iter().find(|c| c.number == digits).ok_or_else(|| {
        ApiError::card(
            "card_declined",
            Some("test_mode_live_card"),
            Some(param),
            "Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.",
        )
    })
}

/// The Luhn checksum every card number carries.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if d > 9 {
            return false;
        }
        if !i.is_multiple_of(2) {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalogued_number_passes_the_luhn_check() {
        for card in CATALOGUE {
            assert!(luhn_valid(card.number), "{}", card.name);
        }
    }

    #[test]
    fn magic_ids_name_their_cards_with_stripes_details() {
        let visa = by_magic_id("pm_card_visa").unwrap();
        assert_eq!(
            (visa.brand, visa.last4(), visa.funding),
            ("visa", "4242", "credit")
        );
        let amex = by_magic_id("tok_amex").unwrap();
        assert_eq!(
            (amex.last4(), amex.card_brand()),
            ("8431", "American Express")
        );
        assert_eq!(by_magic_id("pm_card_visa_debit").unwrap().funding, "debit");
        assert_eq!(
            by_magic_id("pm_card_mastercard").unwrap().card_brand(),
            "MasterCard"
        );
        assert_eq!(by_magic_id("pm_card_gb").unwrap().country, "GB");
        assert_eq!(by_magic_id("tok_de").unwrap().country, "DE");
        assert!(by_magic_id("pm_card_nothing").is_none());
        assert!(by_magic_id("pm_1abc").is_none());
        assert!(by_magic_id("visa").is_none());
    }

    #[test]
    fn declining_cards_carry_a_card_error_and_the_others_none() {
        let err = by_magic_id("pm_card_chargeDeclined")
            .unwrap()
            .decline_error()
            .unwrap();
        assert_eq!(err.kind(), "card_error");
        assert_eq!(err.status(), 402);
        assert_eq!(err.code(), Some("card_declined"));
        assert_eq!(err.to_string(), "Your card was declined.");
        assert_eq!(
            by_magic_id("pm_card_visa_chargeDeclined"),
            by_magic_id("tok_chargeDeclined")
        );
        let insufficient = by_magic_id("pm_card_chargeDeclinedInsufficientFunds").unwrap();
        assert!(insufficient.decline_error().is_some());
        assert!(by_magic_id("pm_card_chargeCustomerFail")
            .unwrap()
            .decline_error()
            .is_none());
    }

    #[test]
    fn only_documented_test_numbers_are_accepted() {
        let card = by_number("card[number]", "4242 4242 4242 4242").unwrap();
        assert_eq!(card.name, "visa");
        assert_eq!(by_number("n", "371449635398431").unwrap().brand, "amex");
        let bad_luhn = by_number("card[number]", "4242424242424241").unwrap_err();
        assert_eq!(bad_luhn.code(), Some("incorrect_number"));
        assert_eq!(bad_luhn.param(), Some("card[number]"));
        let live = by_number("card[number]", "4111111111111111").unwrap_err();
        assert_eq!(live.code(), Some("card_declined"));
        assert!(!live.to_string().contains("4111"));
        assert_eq!(
            by_number("n", "abc").unwrap_err().code(),
            Some("incorrect_number")
        );
    }
}

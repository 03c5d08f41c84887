//! Stripe webhook signing: the `Stripe-Signature` header that goes on every delivery.
//! Pure functions only; the caller supplies the secret, the timestamp and the exact body bytes.
//!
//! ```text
//! signed string = "<timestamp>.<raw body>"
//! signature     = lowercase hex of HMAC-SHA256(key = the whole secret, "whsec_" included, as UTF-8)
//! header        = "t=<timestamp>,v1=<signature>"   (receivers accept if any v1 matches)
//! ```

use hmac::digest::{Key, KeyInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// SHA-256 works on 64-byte blocks; HMAC keys are padded or hashed to this size.
const SHA256_BLOCK_BYTES: usize = 64;

/// Lowercase hex HMAC-SHA256 of `"{timestamp}.{payload}"`, keyed with `secret` as-is.
///
/// The secret is not base64-decoded and keeps its `whsec_` prefix, as in stripe-node
/// (`createHmac('sha256', secret)`) and stripe-python (`secret.encode("utf-8")`).
pub fn sign(secret: &str, timestamp: i64, payload: &str) -> String {
    let mut mac = <HmacSha256 as KeyInit>::new(&hmac_key(secret.as_bytes()));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    to_lower_hex(&mac.finalize().into_bytes())
}

/// The full `Stripe-Signature` header value: `t=<timestamp>,v1=<hex>`.
pub fn signature_header(secret: &str, timestamp: i64, payload: &str) -> String {
    format!("t={timestamp},v1={}", sign(secret, timestamp, payload))
}

/// Checks a `Stripe-Signature` header against `secret` and `payload`, as a receiver would.
///
/// True when the header has a parseable `t=` and at least one `v1=` equal to the expected
/// signature (several `v1` values are sent while a secret is being rolled). Unknown schemes
/// such as `v0` are ignored. There is no timestamp tolerance check: this module has no clock.
pub fn verify(header: &str, secret: &str, payload: &str) -> bool {
    let mut timestamp: Option<i64> = None;
    let mut candidates: Vec<&str> = Vec::new();
    for item in header.split(',') {
        match item.split_once('=') {
            Some(("t", value)) => timestamp = value.parse().ok(),
            Some(("v1", value)) => candidates.push(value),
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return false;
    };
    let expected = sign(secret, timestamp, payload);
    // Evaluate every candidate (no short-circuit) so timing does not reveal which one matched.
    candidates.iter().fold(false, |matched, candidate| {
        constant_time_eq(candidate.as_bytes(), expected.as_bytes()) | matched
    })
}

/// Builds the block-sized HMAC key exactly as RFC 2104 does: a key longer than the block is
/// replaced by its SHA-256 digest, then the key is zero-padded to the block size. Handing
/// `Hmac` an already block-sized key keeps construction infallible (no `Result` to unwrap).
fn hmac_key(secret: &[u8]) -> Key<HmacSha256> {
    let mut key = Key::<HmacSha256>::default();
    if secret.len() > SHA256_BLOCK_BYTES {
        let digest = Sha256::digest(secret);
        key[..digest.len()].copy_from_slice(&digest);
    } else {
        key[..secret.len()].copy_from_slice(secret);
    }
    key
}

fn to_lower_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// Compares two byte strings in time that depends only on their lengths.
/// Lengths are not secret (a v1 signature is always 64 hex characters).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    difference == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const PRETTY_PAYLOAD: &str = "{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}";
    const COMPACT_PAYLOAD: &str = "{\"id\":\"evt_test_webhook\",\"object\":\"event\"}";

    #[test]
    fn the_fixed_vectors_from_the_fact_sheet_match_exactly() {
        let cases = [
            (
                PRETTY_PAYLOAD,
                "t=1700000000,v1=4f1cd7feda9826e746b7d482c4badebb657398df1099e1046364f6196a230150",
                "pretty-printed 51-byte payload (STRIPE-FACTS 1.4, first vector)",
            ),
            (
                COMPACT_PAYLOAD,
                "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990",
                "compact payload (STRIPE-FACTS 1.4, second vector)",
            ),
        ];
        assert_eq!(PRETTY_PAYLOAD.len(), 51);
        for (payload, header, why) in cases {
            assert_eq!(
                signature_header(SECRET, 1_700_000_000, payload),
                header,
                "{why}"
            );
        }
    }

    #[test]
    fn signatures_match_vectors_computed_independently_with_python_hmac() {
        let long_secret = format!("whsec_{}", "k".repeat(70));
        let cases: [(&str, i64, &str, &str, &str); 3] = [
            (
                &long_secret,
                1_700_000_000,
                "{}",
                "2ccb7f3501cd97f46d9a4fbb8aa653f06426b85e38ead6921870f2c6c1c98ac5",
                "a 76-byte secret, longer than the SHA-256 block, is hashed first",
            ),
            (
                SECRET,
                -5,
                "héllo ✓",
                "85e0b0c8176a75e6e9e33da79a02fe215521e9ab018a1fdad1df1ab53d3fed22",
                "a negative timestamp and a non-ASCII payload are signed as UTF-8",
            ),
            (
                "",
                0,
                "",
                "b849d5a581847b281957065739df36df2463d1977ea8d6e1e4e6cf33fadc68c3",
                "an empty secret and an empty payload still sign \"0.\"",
            ),
        ];
        for (secret, timestamp, payload, expected, why) in cases {
            assert_eq!(sign(secret, timestamp, payload), expected, "{why}");
        }
    }

    #[test]
    fn a_signature_is_sixty_four_lowercase_hex_characters() {
        let signature = sign(SECRET, 1, "x");
        assert_eq!(signature.len(), 64);
        assert!(signature
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    }

    #[test]
    fn verify_accepts_and_rejects_headers_as_a_receiver_would() {
        let good = sign(SECRET, 1_700_000_000, COMPACT_PAYLOAD);
        let other = sign("whsec_other", 1_700_000_000, COMPACT_PAYLOAD);
        let cases: Vec<(String, bool, &str)> = vec![
            (
                format!("t=1700000000,v1={good}"),
                true,
                "the header this module makes",
            ),
            (
                format!("t=1700000000,v1={other},v1={good}"),
                true,
                "any v1 may match while a secret is being rolled",
            ),
            (
                format!("t=1700000000,v1={good},v0={other}"),
                true,
                "an unknown v0 scheme is ignored",
            ),
            (
                format!("v1={good},t=1700000000"),
                true,
                "item order does not matter",
            ),
            (
                format!("t=1700000000,v1={other}"),
                false,
                "signed with a different secret",
            ),
            (
                format!("t=1700000001,v1={good}"),
                false,
                "the timestamp is part of the signed string",
            ),
            (format!("v1={good}"), false, "no timestamp"),
            (
                format!("t=abc,v1={good}"),
                false,
                "a timestamp that is not a number",
            ),
            ("t=1700000000".to_string(), false, "no v1 signature"),
            (
                format!("t=1700000000,v0={good}"),
                false,
                "the right signature under a scheme other than v1",
            ),
            (
                format!("t=1700000000,v1={}", good.to_uppercase()),
                false,
                "uppercase hex is not Stripe's format",
            ),
            (
                format!("t=1700000000,v1={}", &good[..63]),
                false,
                "a truncated signature",
            ),
            (String::new(), false, "an empty header"),
        ];
        for (header, expected, why) in cases {
            assert_eq!(
                verify(&header, SECRET, COMPACT_PAYLOAD),
                expected,
                "{why}: {header}"
            );
        }
    }

    #[test]
    fn verify_rejects_a_payload_that_was_changed_after_signing() {
        let header = signature_header(SECRET, 1_700_000_000, PRETTY_PAYLOAD);
        assert!(verify(&header, SECRET, PRETTY_PAYLOAD));
        assert!(
            !verify(&header, SECRET, COMPACT_PAYLOAD),
            "re-serialised JSON is a different body"
        );
    }

    #[test]
    fn constant_time_eq_compares_whole_byte_strings() {
        let cases: [(&[u8], &[u8], bool); 5] = [
            (b"", b"", true),
            (b"abc", b"abc", true),
            (b"abc", b"abd", false),
            (b"abc", b"ab", false),
            (b"\x00", b"\x80", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(constant_time_eq(a, b), expected, "{a:?} vs {b:?}");
        }
    }
}

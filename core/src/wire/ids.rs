//! Object ids: `cus_`, `txi_`, `req_`, `evt_`, `we_` followed by base62 characters,
//! drawn from `getrandom`, or derived from a keyed hash when a request must map to
//! the same id every time (idempotent creates).

use hmac::{Hmac, Mac};
use sha2::Sha256;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Length of the random part of every id we mint (Stripe's own are 14).
pub const ID_BODY_LEN: usize = 14;
/// Longest id body accepted from a client; longer ones cannot be ours.
const MAX_ID_BODY_LEN: usize = 64;

use crate::wire::error::ApiError;

/// How many random bytes are drawn from the platform at once (see [`random_bytes`]).
const RANDOM_POOL_BYTES: usize = 512;

std::thread_local! {
    /// CSPRNG bytes drawn but not yet used, and how many of them are used. Each byte is
    /// handed out once.
    static RANDOM_POOL: std::cell::RefCell<([u8; RANDOM_POOL_BYTES], usize)> =
        const { std::cell::RefCell::new(([0; RANDOM_POOL_BYTES], RANDOM_POOL_BYTES)) };
}

/// `n` random bytes from the platform's CSPRNG (see [`fill_random`]).
pub fn random_bytes(n: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = vec![0u8; n];
    fill_random(&mut out)?;
    Ok(out)
}

/// Fills `out` from the platform's CSPRNG, drawn a pool at a time: on a Worker each draw
/// is a call out to `crypto.getRandomValues`, which costs more than the id it makes. It
/// fails only where the platform has no entropy source at all; then no id is minted
/// rather than a predictable one.
fn fill_random(out: &mut [u8]) -> Result<(), ApiError> {
    let fail = |e: getrandom::Error| ApiError::internal(format!("getrandom: {e}"));
    let n = out.len();
    if n > RANDOM_POOL_BYTES / 4 {
        return getrandom::fill(out).map_err(fail);
    }
    RANDOM_POOL.with(|pool| {
        let (bytes, used) = &mut *pool.borrow_mut();
        if *used + n > RANDOM_POOL_BYTES {
            getrandom::fill(bytes).map_err(fail)?;
            *used = 0;
        }
        out.copy_from_slice(&bytes[*used..*used + n]);
        // What was handed out is not kept.
        bytes[*used..*used + n].fill(0);
        *used += n;
        Ok(())
    })
}

/// Appends up to `len` base62 characters of `bytes` to `out`, mapped by rejection so that
/// every character is uniform; answers how many it appended.
fn push_base62(out: &mut String, bytes: impl IntoIterator<Item = u8>, len: usize) -> usize {
    let before = out.len();
    out.extend(
        bytes
            .into_iter()
            .filter(|b| *b < 248)
            .take(len)
            .map(|b| BASE62[(b % 62) as usize] as char),
    );
    out.len() - before
}

/// `prefix_`, with room for the body that follows.
fn id_start(prefix: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + 1 + ID_BODY_LEN);
    id.push_str(prefix);
    id.push('_');
    id
}

/// A random id: `prefix_` followed by [`ID_BODY_LEN`] base62 characters.
pub fn random_id(prefix: &str) -> Result<String, ApiError> {
    let mut id = id_start(prefix);
    push_random_base62(&mut id, ID_BODY_LEN)?;
    Ok(id)
}

/// `len` random base62 characters.
pub fn random_base62(len: usize) -> Result<String, ApiError> {
    let mut body = String::with_capacity(len);
    push_random_base62(&mut body, len)?;
    Ok(body)
}

/// Appends `len` random base62 characters to `out`, drawing the bytes on the stack.
fn push_random_base62(out: &mut String, len: usize) -> Result<(), ApiError> {
    let mut wanted = len;
    let mut draw = [0u8; 48];
    while wanted > 0 {
        // Rejection keeps ~97% of bytes: an eighth more than the need almost always suffices.
        let n = (wanted + wanted / 8 + 2).min(draw.len());
        fill_random(&mut draw[..n])?;
        wanted -= push_base62(out, draw[..n].iter().copied(), wanted);
    }
    Ok(())
}

/// A deterministic id for `message` under `secret`: the same inputs give the same id.
pub fn keyed_id(prefix: &str, secret: &[u8], message: &[u8]) -> String {
    let mut counter = 0u8;
    let mut id = id_start(prefix);
    let mut wanted = ID_BODY_LEN;
    while wanted > 0 {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
        mac.update(&[counter]);
        mac.update(message);
        let digest = mac.finalize().into_bytes();
        wanted -= push_base62(&mut id, digest, wanted);
        counter = counter.wrapping_add(1);
    }
    id
}

/// Eight uppercase hex-like characters, as Stripe generates a customer's `invoice_prefix`.
pub fn invoice_prefix() -> Result<String, ApiError> {
    Ok(random_bytes(4)?
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect())
}

/// Whether `id` could be an id of ours with this prefix: `prefix_` and 1–64 base62 characters.
pub fn is_well_formed(id: &str, prefix: &str) -> bool {
    match id
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
    {
        Some(body) => {
            !body.is_empty()
                && body.len() <= MAX_ID_BODY_LEN
                && body.bytes().all(|b| b.is_ascii_alphanumeric())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_have_the_prefix_and_fourteen_base62_characters() {
        for _ in 0..100 {
            let id = random_id("cus").unwrap();
            assert!(id.starts_with("cus_"));
            assert_eq!(id.len(), 4 + ID_BODY_LEN);
            assert!(is_well_formed(&id, "cus"), "{id}");
        }
    }

    #[test]
    fn random_bodies_longer_than_one_draw_have_every_character() {
        for len in [1, 14, 32, 47, 48, 49, 100, 300] {
            let body = random_base62(len).unwrap();
            assert_eq!(body.len(), len);
            assert!(body.bytes().all(|b| b.is_ascii_alphanumeric()), "{body}");
        }
    }

    #[test]
    fn random_ids_do_not_repeat() {
        let ids: std::collections::HashSet<_> =
            (0..1000).map(|_| random_id("cus").unwrap()).collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn pooled_random_bytes_are_never_handed_out_twice() {
        // Draws of every size, across several refills of the pool: no 16-byte window
        // repeats (a repeat would mean the pool handed the same bytes out again).
        let mut seen = std::collections::HashSet::new();
        for round in 0..200 {
            let n = 16 + round % 40;
            let bytes = random_bytes(n).unwrap();
            assert_eq!(bytes.len(), n);
            assert!(
                seen.insert(bytes[..16].to_vec()),
                "round {round} repeated bytes"
            );
        }
        assert_eq!(
            random_bytes(RANDOM_POOL_BYTES * 2).unwrap().len(),
            RANDOM_POOL_BYTES * 2
        );
        assert!(random_bytes(0).unwrap().is_empty());
    }

    #[test]
    fn keyed_ids_are_stable_and_depend_on_both_inputs() {
        let a = keyed_id("cus", b"acct_1", b"key-1");
        assert_eq!(a, keyed_id("cus", b"acct_1", b"key-1"));
        assert_ne!(a, keyed_id("cus", b"acct_2", b"key-1"));
        assert_ne!(a, keyed_id("cus", b"acct_1", b"key-2"));
        assert!(is_well_formed(&a, "cus"));
    }

    #[test]
    fn invoice_prefixes_are_eight_uppercase_hex_characters() {
        let p = invoice_prefix().unwrap();
        assert_eq!(p.len(), 8);
        assert!(p
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
    }

    #[test]
    fn malformed_ids_are_recognised() {
        for id in ["cus_", "cus", "txi_abc", "cus_abc\n", "cus_a-b", "xcus_abc"] {
            assert!(!is_well_formed(id, "cus"), "{id:?}");
        }
        assert!(!is_well_formed(&format!("cus_{}", "a".repeat(65)), "cus"));
    }
}

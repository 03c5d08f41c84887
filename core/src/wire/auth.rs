//! API keys: reading `Authorization` (Bearer, or Basic with the key as user name),
//! and mapping a key to its isolated account. Keys come from the `API_KEYS` secret;
//! in sandbox mode (dev and preview) every well-formed `sk_test_` key is its own account.
//!
//! ```text
//! API_KEYS = entry *( ("," / whitespace) entry )
//! entry    = [ account-name "=" ] key        ; no name: the account is derived from the key
//! key      = ("sk_live_" / "sk_test_") 1*(ALPHA / DIGIT / "_")
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use crate::wire::error::ApiError;

const MAX_KEY_LEN: usize = 255;
/// How many sandbox keys' accounts are remembered (per isolate) before the memo starts over.
const SANDBOX_MEMO_ENTRIES: usize = 4096;

/// The account a request acts for. Live and test data of one account never mix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// `acct_…`, stable for a key.
    pub id: String,
    pub livemode: bool,
}

impl Account {
    /// The storage namespace of this account and mode: every key of every store starts with it.
    pub fn namespace(&self) -> String {
        let mode = if self.livemode { "live" } else { "test" };
        format!("{}:{mode}", self.id)
    }
}

/// How keys are accepted: from the configured list, and optionally any test key.
#[derive(Debug, Clone, Default)]
pub struct KeyPolicy {
    /// (key, account id) pairs from `API_KEYS`.
    configured: Vec<(String, String)>,
    /// Sandbox mode: any well-formed `sk_test_` key opens its own account.
    sandbox: bool,
    /// Sandbox keys already seen → their derived account ids: hashing the key is the
    /// largest part of authenticating, and a client sends the same key every time. A
    /// BTreeMap, whose code the wasm has for metadata (a HashMap of strings would bring
    /// its hasher and tables: 3 KB), and as fast at this size.
    sandbox_accounts: RefCell<BTreeMap<String, String>>,
}

impl KeyPolicy {
    pub fn new(api_keys: &str, sandbox: bool) -> Self {
        let configured = api_keys
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty())
            .map(|entry| match entry.split_once('=') {
                Some((account, key)) => (key.to_owned(), account_id(account)),
                None => (entry.to_owned(), derived_account_id(entry)),
            })
            .filter(|(key, _)| is_well_formed(key))
            .collect();
        KeyPolicy {
            configured,
            sandbox,
            sandbox_accounts: RefCell::default(),
        }
    }

    /// The account for the request's `Authorization` header.
    pub fn authenticate(&self, authorization: Option<&str>) -> Result<Account, ApiError> {
        let key = api_key(authorization)?;
        let livemode = key.starts_with("sk_live_");
        if let Some((_, account)) = self
            .configured
            .iter()
            .find(|(k, _)| constant_time_eq(k, &key))
        {
            return Ok(Account {
                id: account.clone(),
                livemode,
            });
        }
        if self.sandbox && !livemode && is_well_formed(&key) {
            return Ok(Account {
                id: self.sandbox_account(key),
                livemode,
            });
        }
        Err(ApiError::InvalidApiKey { masked: mask(&key) })
    }

    /// The account id of a well-formed sandbox key, from the memo when it was seen before.
    fn sandbox_account(&self, key: String) -> String {
        let mut memo = self.sandbox_accounts.borrow_mut();
        if let Some(id) = memo.get(&key) {
            return id.clone();
        }
        if memo.len() >= SANDBOX_MEMO_ENTRIES {
            memo.clear();
        }
        let id = derived_account_id(&key);
        memo.insert(key, id.clone());
        id
    }
}

/// The key in an `Authorization` header, from Bearer or Basic.
fn api_key(authorization: Option<&str>) -> Result<String, ApiError> {
    let header = authorization.map(str::trim).filter(|h| !h.is_empty());
    let Some(header) = header else {
        return Err(ApiError::MissingApiKey);
    };
    let (scheme, credentials) = header.split_once(' ').unwrap_or((header, ""));
    let credentials = credentials.trim();
    let key = if scheme.eq_ignore_ascii_case("bearer") {
        credentials.to_owned()
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64_decode(credentials).and_then(|b| String::from_utf8(b).ok());
        let decoded = decoded.ok_or_else(|| ApiError::InvalidApiKey {
            masked: mask(credentials),
        })?;
        decoded
            .split_once(':')
            .map_or(decoded.clone(), |(user, _)| user.to_owned())
    } else {
        return Err(ApiError::MalformedAuthorization {
            header: header.to_owned(),
        });
    };
    if key.is_empty() {
        return Err(ApiError::MissingApiKey);
    }
    Ok(key)
}

pub fn is_well_formed(key: &str) -> bool {
    let body = key
        .strip_prefix("sk_test_")
        .or_else(|| key.strip_prefix("sk_live_"));
    match body {
        Some(b) => {
            !b.is_empty()
                && key.len() <= MAX_KEY_LEN
                && b.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }
        None => false,
    }
}

/// Stripe shows an invalid key by its first eight and last four characters, with one
/// `*` for each character in between.
fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 12 {
        return key.to_owned();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 12))
}

fn account_id(name: &str) -> String {
    if name.starts_with("acct_") {
        name.to_owned()
    } else {
        format!("acct_{name}")
    }
}

/// `acct_` and 16 hex characters of SHA-256(key): the same key always opens the same account.
fn derived_account_id(key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let mut id = String::from("acct_");
    for nibble in digest.iter().take(8).flat_map(|b| [b >> 4, b & 0xf]) {
        id.extend(char::from_digit(u32::from(nibble), 16));
    }
    id
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Standard base64 with optional padding; `None` on any invalid character.
fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let symbols = input.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(symbols.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for &c in symbols {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> KeyPolicy {
        KeyPolicy::new("", true)
    }

    #[test]
    fn bearer_and_basic_carry_the_same_key_to_the_same_account() {
        let bearer = sandbox().authenticate(Some("Bearer sk_test_abc")).unwrap();
        // base64("sk_test_abc:")
        let basic = sandbox()
            .authenticate(Some("Basic c2tfdGVzdF9hYmM6"))
            .unwrap();
        assert_eq!(bearer, basic);
        assert!(!bearer.livemode);
        assert!(bearer.id.starts_with("acct_"));
    }

    #[test]
    fn different_test_keys_open_different_accounts() {
        let a = sandbox().authenticate(Some("Bearer sk_test_a")).unwrap();
        let b = sandbox().authenticate(Some("Bearer sk_test_b")).unwrap();
        assert_ne!(a.namespace(), b.namespace());
    }

    #[test]
    fn the_memo_answers_what_hashing_the_key_answers() {
        let policy = sandbox();
        let keys: Vec<String> = (0..SANDBOX_MEMO_ENTRIES + 3)
            .map(|i| format!("sk_test_{i}"))
            .collect();
        for round in 0..2 {
            for key in keys.iter().step_by(97).chain([&keys[0], &keys[1]]) {
                let remembered = policy.authenticate(Some(&format!("Bearer {key}"))).unwrap();
                let fresh = sandbox()
                    .authenticate(Some(&format!("Bearer {key}")))
                    .unwrap();
                assert_eq!(remembered, fresh, "round {round}, {key}");
            }
        }
        // Past its bound the memo starts over instead of growing.
        for key in &keys {
            policy.authenticate(Some(&format!("Bearer {key}"))).unwrap();
        }
        assert!(policy.sandbox_accounts.borrow().len() <= SANDBOX_MEMO_ENTRIES);
        // acct_ and the first 8 bytes of SHA-256("sk_test_abc"), in hex.
        assert_eq!(derived_account_id("sk_test_abc"), "acct_4b4090ccee1e713c");
    }

    #[test]
    fn a_missing_key_and_a_bad_key_get_their_own_errors() {
        assert_eq!(
            sandbox().authenticate(None).unwrap_err(),
            ApiError::MissingApiKey
        );
        assert_eq!(
            sandbox().authenticate(Some("Bearer ")).unwrap_err(),
            ApiError::MissingApiKey
        );
        let err = sandbox()
            .authenticate(Some("Bearer pk_test_1234567"))
            .unwrap_err();
        assert_eq!(err.status(), 401);
        assert_eq!(err.to_string(), "Invalid API Key provided: pk_test_***4567");
    }

    #[test]
    fn invalid_keys_are_masked_but_for_the_last_four_characters() {
        assert_eq!(mask("sk_test_abcdefgh"), "sk_test_****efgh");
        assert_eq!(mask("pi_1PiXFgarbage1234"), "pi_1PiXF*******1234");
        assert_eq!(mask("short"), "short");
    }

    #[test]
    fn outside_sandbox_mode_only_configured_keys_are_accepted() {
        let policy = KeyPolicy::new("main=sk_live_abc, sk_test_xyz", false);
        let live = policy.authenticate(Some("Bearer sk_live_abc")).unwrap();
        assert_eq!(
            live,
            Account {
                id: "acct_main".into(),
                livemode: true
            }
        );
        assert!(policy.authenticate(Some("Bearer sk_test_xyz")).is_ok());
        assert!(policy.authenticate(Some("Bearer sk_test_other")).is_err());
    }

    #[test]
    fn sandbox_mode_never_accepts_unconfigured_live_keys() {
        assert!(sandbox().authenticate(Some("Bearer sk_live_abc")).is_err());
    }

    #[test]
    fn malformed_test_keys_are_rejected_in_sandbox_mode() {
        for key in ["sk_test_", "sk_test_a-b", "sk_test_a b", "sk_testabc"] {
            let header = format!("Bearer {key}");
            assert!(sandbox().authenticate(Some(&header)).is_err(), "{key}");
        }
    }

    #[test]
    fn an_unknown_scheme_is_stripes_401_naming_the_header() {
        let err = sandbox().authenticate(Some("null")).unwrap_err();
        assert_eq!(err.status(), 401);
        assert!(err
            .to_string()
            .contains("you did set your Authorization header to \"null\""));
    }

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64_decode("c2tfdGVzdF9hYmM6").unwrap(), b"sk_test_abc:");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert!(base64_decode("Y!").is_none());
    }
}

//! Idempotency keys: the `Idempotency-Key` header as a type, and the fingerprint of a
//! request that decides whether a reused key is a replay (same fingerprint) or an
//! `idempotency_error` (different parameters). Keys are scoped per account: the
//! AccountObject's registry ([`KeyCommand`], [`decide`]) claims each key before its
//! request runs; a keyed create's CustomerObject also keeps the reply it saved.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::wire::codec::{Message, Reader, Writer};
use crate::wire::error::ApiError;
use crate::wire::form::{FormMap, FormValue};

/// Stripe accepts keys of up to 255 characters.
pub const MAX_KEY_LEN: usize = 255;
/// How long update records are kept; Stripe promises at least 24 hours.
pub const RETENTION_SECONDS: i64 = 48 * 3600;

/// How long the account registry keeps a key: Stripe promises at least 24 hours.
pub const KEY_RETENTION_SECONDS: i64 = 24 * 3600;
/// A claim still `executing` after this long is taken to be abandoned (its Worker died
/// before it could finish the key) and may be claimed again.
pub const ABANDONED_AFTER_SECONDS: i64 = 10;

/// The `status` of a registry row whose response the customer's object keeps: its write
/// committed, and a retry with the same parameters runs again so that the object (whose
/// own record of the key it reaches) replays it. Saves the Worker's `Finish` call.
pub const KEPT_BY_OBJECT: i64 = -1;
/// The AccountObject's path for the key registry.
pub const PATH: &str = "/idempotency";

/// A command for the account's key registry (in the AccountObject).
#[derive(Debug, Clone, PartialEq)]
pub enum KeyCommand {
    /// Before a write: claims `key` (if any) for `fingerprint`, and refuses a customer
    /// create once the account holds `customer_cap` live customers (sandbox caps).
    Claim {
        key: Option<String>,
        fingerprint: String,
        now: i64,
        customer_cap: Option<u64>,
    },
    /// After the write: keeps its response (`status`, `body`) for replays, or, with
    /// `status` 0, releases the key because the request failed, so a retry runs again.
    Finish {
        key: String,
        status: u16,
        body: String,
    },
}

impl Message for KeyCommand {
    fn write(&self, w: &mut Writer) {
        match self {
            KeyCommand::Claim {
                key,
                fingerprint,
                now,
                customer_cap,
            } => {
                w.str("claim");
                w.opt_str(key.as_deref());
                w.str(fingerprint);
                w.int(*now);
                w.opt_int(customer_cap.map(|cap| cap as i64));
            }
            KeyCommand::Finish { key, status, body } => {
                w.str("finish");
                w.str(key);
                w.int(i64::from(*status));
                w.str(body);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(match r.str()? {
            "claim" => KeyCommand::Claim {
                key: r.opt_string()?,
                fingerprint: r.string()?,
                now: r.int()?,
                customer_cap: r.opt_int()?.map(|cap| cap as u64),
            },
            "finish" => KeyCommand::Finish {
                key: r.string()?,
                status: r.int()?.try_into().ok()?,
                body: r.string()?,
            },
            _ => return None,
        })
    }
}

/// What the registry answers to a claim. It crosses the object boundary as plain text
/// ([`KeyState::to_text`]), not serde: a derived enum deserializer costs the wasm more.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyState {
    /// The key is this request's now: run it.
    New,
    /// Another request with this key and these parameters is still running.
    Executing,
    /// The key's request finished: replay its response.
    Done { status: u16, body: String },
}

impl KeyState {
    /// `new`, `executing`, or `done <status>` and the body on the next line.
    pub fn to_text(&self) -> String {
        match self {
            KeyState::New => "new".to_owned(),
            KeyState::Executing => "executing".to_owned(),
            KeyState::Done { status, body } => format!("done {status}\n{body}"),
        }
    }

    /// Reads [`KeyState::to_text`]'s form.
    pub fn from_text(text: &str) -> Result<Self, ApiError> {
        match text {
            "new" => Ok(KeyState::New),
            "executing" => Ok(KeyState::Executing),
            _ => text
                .strip_prefix("done ")
                .and_then(|rest| rest.split_once('\n'))
                .and_then(|(status, body)| {
                    Some(KeyState::Done {
                        status: status.parse().ok()?,
                        body: body.to_owned(),
                    })
                })
                .ok_or_else(|| ApiError::internal(format!("unreadable key state: {text:.40}"))),
        }
    }
}

/// A key's row in the registry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KeyRow {
    pub fingerprint: String,
    pub status: Option<i64>,
    pub body: Option<String>,
    pub created_at: i64,
}

/// The registry's decision for a claim of `key` with `fingerprint` at `now`, given the
/// key's row if it has one: `Ok(None)` means claim it (insert or replace the row).
pub fn decide(
    row: Option<KeyRow>,
    key: &str,
    fingerprint: &str,
    now: i64,
) -> Result<Option<KeyState>, ApiError> {
    let Some(row) = row else { return Ok(None) };
    let expired = now.saturating_sub(row.created_at) >= KEY_RETENTION_SECONDS;
    let abandoned =
        row.status.is_none() && now.saturating_sub(row.created_at) >= ABANDONED_AFTER_SECONDS;
    if expired || abandoned {
        return Ok(None);
    }
    if row.fingerprint != fingerprint {
        return Err(ApiError::IdempotencyMismatch {
            key: key.to_owned(),
        });
    }
    Ok(Some(match (row.status, row.body) {
        (Some(KEPT_BY_OBJECT), _) => return Ok(None),
        (Some(status), Some(body)) => KeyState::Done {
            status: u16::try_from(status).unwrap_or(500),
            body,
        },
        _ => KeyState::Executing,
    }))
}

/// A validated `Idempotency-Key` header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `None` when the header is absent; an error when it is empty, too long or has control characters.
    pub fn parse(header: Option<&str>) -> Result<Option<Self>, ApiError> {
        let Some(key) = header else { return Ok(None) };
        let valid = !key.is_empty()
            && key.chars().count() <= MAX_KEY_LEN
            && !key.chars().any(char::is_control);
        if !valid {
            return Err(ApiError::IdempotencyKeyInvalid {
                message: format!(
                    "Invalid idempotency key: keys must be 1 to {MAX_KEY_LEN} characters long, without control characters."
                ),
            });
        }
        Ok(Some(IdempotencyKey(key.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An `Idempotency-Key` with the fingerprint of the request that carries it.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotencyClaim {
    pub key: String,
    pub fingerprint: String,
    pub now: i64,
}

impl Message for IdempotencyClaim {
    fn write(&self, w: &mut Writer) {
        w.str(&self.key);
        w.str(&self.fingerprint);
        w.int(self.now);
    }

    fn read(r: &mut Reader<'_>) -> Option<Self> {
        Some(IdempotencyClaim {
            key: r.string()?,
            fingerprint: r.string()?,
            now: r.int()?,
        })
    }
}

/// What a stored idempotency record is compared against: the operation and its parameters.
pub fn fingerprint(method: &str, path: &str, params: &FormMap) -> String {
    let mut lines = Vec::new();
    for (key, value) in params {
        flatten(key, value, &mut lines);
    }
    lines.sort();
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update(b" ");
    hasher.update(path.as_bytes());
    for line in lines {
        hasher.update(b"\n");
        hasher.update(line.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Flattens a parameter tree into `path=value` lines, independent of key order in maps.
fn flatten(path: &str, value: &FormValue, out: &mut Vec<String>) {
    match value {
        FormValue::Str(s) => out.push(format!("{path}={s}")),
        FormValue::Map(entries) => {
            for (k, v) in entries {
                flatten(&format!("{path}[{k}]"), v, out);
            }
        }
        FormValue::List(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    #[test]
    fn key_commands_cross_to_the_registry_intact() {
        for command in [
            KeyCommand::Claim {
                key: Some("k,1:~".into()),
                fingerprint: "ab12".into(),
                now: 1_700_000_000,
                customer_cap: Some(u64::MAX),
            },
            KeyCommand::Claim {
                key: None,
                fingerprint: String::new(),
                now: 0,
                customer_cap: None,
            },
            KeyCommand::Finish {
                key: "k".into(),
                status: 402,
                body: "{\n  \"error\": {}\n}".into(),
            },
        ] {
            assert_eq!(KeyCommand::decode(&command.encode()).unwrap(), command);
        }
    }

    fn fp(body: &str) -> String {
        fingerprint(
            "POST",
            "/v1/customers",
            &decode_form(body.as_bytes()).unwrap(),
        )
    }

    #[test]
    fn the_same_parameters_in_another_order_have_the_same_fingerprint() {
        assert_eq!(
            fp("name=a&metadata[x]=1&metadata[y]=2"),
            fp("metadata[y]=2&name=a&metadata[x]=1")
        );
    }

    #[test]
    fn other_parameters_or_another_path_change_the_fingerprint() {
        assert_ne!(fp("name=a"), fp("name=b"));
        let params = decode_form(b"name=a").unwrap();
        assert_ne!(
            fingerprint("POST", "/v1/customers", &params),
            fingerprint("POST", "/v1/customers/cus_1", &params)
        );
    }

    fn row(fingerprint: &str, status: Option<i64>, created_at: i64) -> KeyRow {
        KeyRow {
            fingerprint: fingerprint.into(),
            status,
            body: status.map(|_| "{}".into()),
            created_at,
        }
    }

    #[test]
    fn a_new_key_is_claimed_and_a_finished_one_replays() {
        assert_eq!(decide(None, "k", "f", 10).unwrap(), None);
        let done = decide(Some(row("f", Some(200), 10)), "k", "f", 20).unwrap();
        assert_eq!(
            done,
            Some(KeyState::Done {
                status: 200,
                body: "{}".into()
            })
        );
    }

    #[test]
    fn a_running_key_is_executing_until_it_is_abandoned() {
        let running = Some(row("f", None, 100));
        assert_eq!(
            decide(running.clone(), "k", "f", 101).unwrap(),
            Some(KeyState::Executing)
        );
        assert_eq!(
            decide(running, "k", "f", 100 + ABANDONED_AFTER_SECONDS).unwrap(),
            None
        );
    }

    #[test]
    fn a_key_kept_by_its_object_runs_again_for_the_object_to_replay() {
        let kept = Some(row("f", Some(KEPT_BY_OBJECT), 100));
        assert_eq!(decide(kept.clone(), "k", "f", 101).unwrap(), None);
        let err = decide(kept, "k", "g", 101).unwrap_err();
        assert_eq!(
            err.kind(),
            "idempotency_error",
            "other parameters are still refused"
        );
    }

    #[test]
    fn another_fingerprint_is_an_idempotency_error_until_the_key_expires() {
        let err = decide(Some(row("f", Some(200), 0)), "k", "g", 5).unwrap_err();
        assert_eq!(err.kind(), "idempotency_error");
        assert_eq!(err.status(), 400);
        let later = decide(
            Some(row("f", Some(200), 0)),
            "k",
            "g",
            KEY_RETENTION_SECONDS,
        );
        assert_eq!(later.unwrap(), None);
    }

    #[test]
    fn key_states_cross_the_boundary_as_text() {
        for state in [
            KeyState::New,
            KeyState::Executing,
            KeyState::Done {
                status: 200,
                body: "{\n  \"id\": 1\n}".into(),
            },
        ] {
            assert_eq!(KeyState::from_text(&state.to_text()).unwrap(), state);
        }
        assert!(KeyState::from_text("done x\n{}").is_err());
    }

    #[test]
    fn keys_must_be_short_and_printable() {
        assert_eq!(IdempotencyKey::parse(None).unwrap(), None);
        assert!(IdempotencyKey::parse(Some("abc-123")).unwrap().is_some());
        assert!(IdempotencyKey::parse(Some("")).is_err());
        assert!(IdempotencyKey::parse(Some("a\u{7}b")).is_err());
        assert!(IdempotencyKey::parse(Some(&"k".repeat(256))).is_err());
    }
}

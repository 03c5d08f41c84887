//! The one error type of the API and its single mapping to Stripe's wire shape:
//! `{"error": {"type", "code", "message", "param", "doc_url"}}` plus an HTTP status,
//! each key but `type` present only when it has a value. Every handler returns
//! `Result<_, ApiError>`; errors cross the Durable Object boundary as this typed value.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::wire::fields::Fields;

/// Where Stripe documents each error code.
const DOC_URL_BASE: &str = "https://stripe.com/docs/error-codes/";

/// Every failure a request can meet, in the terms a Stripe client expects. Its JSON
/// (an object answers it; a saved idempotent reply keeps it) is serde's externally
/// tagged form, `{"no_such_object": {"kind": …}}` or `"missing_api_key"`, written and
/// read by hand ([`ApiError::to_json`]): a derived deserializer of the enum cost the
/// wasm kilobytes per variant.
#[derive(Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.")]
    MissingApiKey,
    #[error("Invalid API Key provided: {masked}")]
    InvalidApiKey { masked: String },
    #[error("No such {kind}: '{id}'")]
    NoSuchObject {
        kind: String,
        id: String,
        param: Option<String>,
        /// 404 for a path id, 400 for an id passed as a parameter.
        status: u16,
    },
    /// `param` is the first unknown name; `others` the rest, for Stripe's plural message.
    #[error("{}", unknown_parameters_message(param, others))]
    UnknownParameter { param: String, others: Vec<String> },
    #[error("Missing required param: {param}.")]
    MissingParameter { param: String },
    #[error("{message}")]
    InvalidParameter {
        param: String,
        message: String,
        code: Option<String>,
    },
    /// A request refused as a whole (no `param`); with a Stripe error `code` and a
    /// status other than 400 when given (e.g. 404 `invoice_upcoming_none`). One variant
    /// for both keeps the wasm to one deserializer.
    #[error("{message}")]
    InvalidRequest {
        message: String,
        code: Option<String>,
        status: Option<u16>,
    },
    #[error("Unrecognized request URL ({method}: {path}). {hint}Please see https://stripe.com/docs or we can help at https://support.stripe.com/.", hint = trailing_slash_hint(path))]
    UnrecognizedUrl { method: String, path: String },
    #[error("You did not provide an API key, though you did set your Authorization header to \"{header}\". Using Bearer auth, your Authorization header should look something like 'Authorization: Bearer YOUR_SECRET_KEY'. See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.")]
    MalformedAuthorization { header: String },
    #[error("The request body is too large: the limit is {limit} bytes.")]
    BodyTooLarge { limit: usize },
    #[error("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.")]
    IdempotencyMismatch { key: String },
    #[error("{message}")]
    IdempotencyKeyInvalid { message: String },
    /// A retry that arrived while the first request with its key was still running.
    #[error("There is currently another in-progress request using this Idempotent Key (probably from a network retry or a timeout). Please try again later.")]
    IdempotencyInProgress,
    /// A card that cannot be used (`card_error`, 402): declines and bad numbers.
    #[error("{message}")]
    Card {
        code: String,
        decline_code: Option<String>,
        param: Option<String>,
        message: String,
    },
    #[error("An unexpected error occurred. Please retry the request.")]
    Internal { detail: String },
}

impl ApiError {
    /// `400 parameter_invalid_*`-style error naming `param` in bracket form.
    pub fn invalid(param: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::InvalidParameter {
            param: param.into(),
            message: message.into(),
            code: None,
        }
    }

    /// Like [`ApiError::invalid`], with a Stripe error code.
    pub fn invalid_with_code(
        param: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError::InvalidParameter {
            param: param.into(),
            message: message.into(),
            code: Some(code.to_owned()),
        }
    }

    /// A 404 for an object named in the URL path.
    pub fn not_found(kind: &str, id: impl Into<String>) -> Self {
        ApiError::NoSuchObject {
            kind: kind.to_owned(),
            id: id.into(),
            param: Some("id".into()),
            status: 404,
        }
    }

    /// A 404 for an object named in the URL path, `param` naming the path part (e.g.
    /// `customer` on `/v1/customers/{customer}/tax_ids`).
    pub fn not_found_as(kind: &str, id: impl Into<String>, param: &str) -> Self {
        ApiError::NoSuchObject {
            kind: kind.to_owned(),
            id: id.into(),
            param: Some(param.to_owned()),
            status: 404,
        }
    }

    /// A refusal with a Stripe error code and no `param`.
    pub fn coded(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError::InvalidRequest {
            message: message.into(),
            code: Some(code.to_owned()),
            status: Some(status),
        }
    }

    /// A 400 for an object named by a request parameter that does not exist.
    pub fn missing_reference(kind: &str, id: impl Into<String>, param: impl Into<String>) -> Self {
        ApiError::NoSuchObject {
            kind: kind.to_owned(),
            id: id.into(),
            param: Some(param.into()),
            status: 400,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::InvalidRequest {
            message: message.into(),
            code: None,
            status: None,
        }
    }

    /// Stripe's 429: `invalid_request_error` with code `rate_limit` (the Worker adds
    /// `Stripe-Should-Retry: true`, so the SDKs retry it).
    pub fn rate_limited() -> Self {
        ApiError::coded(
            429,
            "rate_limit",
            "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
        )
    }

    /// Whether an SDK should retry this error (a 409 conflict or a 429).
    pub fn should_retry(&self) -> bool {
        matches!(self.status(), 409 | 429)
    }

    /// A `card_error` with Stripe's code (and decline code, for declines).
    pub fn card(
        code: &str,
        decline_code: Option<&str>,
        param: Option<&str>,
        message: &str,
    ) -> Self {
        ApiError::Card {
            code: code.to_owned(),
            decline_code: decline_code.map(str::to_owned),
            param: param.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError::Internal {
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            ApiError::MissingApiKey
            | ApiError::MalformedAuthorization { .. }
            | ApiError::InvalidApiKey { .. } => 401,
            ApiError::NoSuchObject { status, .. } => *status,
            ApiError::InvalidRequest {
                status: Some(status),
                ..
            } => *status,
            ApiError::UnrecognizedUrl { .. } => 404,
            ApiError::BodyTooLarge { .. } => 413,
            ApiError::IdempotencyInProgress => 409,
            ApiError::Card { .. } => 402,
            ApiError::Internal { .. } => 500,
            _ => 400,
        }
    }

    /// Stripe's error `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            ApiError::IdempotencyMismatch { .. } | ApiError::IdempotencyInProgress => {
                "idempotency_error"
            }
            ApiError::Internal { .. } => "api_error",
            ApiError::Card { .. } => "card_error",
            _ => "invalid_request_error",
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::NoSuchObject { .. } => Some("resource_missing"),
            ApiError::UnknownParameter { .. } => Some("parameter_unknown"),
            ApiError::MissingParameter { .. } => Some("parameter_missing"),
            ApiError::InvalidParameter { code, .. } => code.as_deref(),
            ApiError::Card { code, .. } => Some(code),
            ApiError::InvalidRequest { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    pub fn param(&self) -> Option<&str> {
        match self {
            ApiError::NoSuchObject { param, .. } | ApiError::Card { param, .. } => param.as_deref(),
            ApiError::UnknownParameter { param, .. }
            | ApiError::MissingParameter { param }
            | ApiError::InvalidParameter { param, .. } => Some(param),
            _ => None,
        }
    }

    /// The body Stripe sends: `type` and `message` always, the others when they apply.
    pub fn body(&self) -> ErrorBody<'_> {
        let code = self.code();
        ErrorBody {
            error: ErrorDetail {
                kind: self.kind(),
                code,
                decline_code: match self {
                    ApiError::Card { decline_code, .. } => decline_code.as_deref(),
                    _ => None,
                },
                message: self.to_string(),
                param: self.param(),
                doc_url: code.map(|c| format!("{DOC_URL_BASE}{}", c.replace('_', "-"))),
            },
        }
    }
}

impl ApiError {
    /// The error's JSON, as serde would write it (see the type's documentation).
    pub fn to_json(&self) -> Value {
        let text = |s: &str| Value::from(s);
        let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
        let (name, fields): (&str, Vec<(&str, Value)>) = match self {
            ApiError::MissingApiKey => return text("missing_api_key"),
            ApiError::IdempotencyInProgress => return text("idempotency_in_progress"),
            ApiError::InvalidApiKey { masked } => {
                ("invalid_api_key", vec![("masked", text(masked))])
            }
            ApiError::NoSuchObject {
                kind,
                id,
                param,
                status,
            } => (
                "no_such_object",
                vec![
                    ("kind", text(kind)),
                    ("id", text(id)),
                    ("param", opt(param)),
                    ("status", Value::from(*status)),
                ],
            ),
            ApiError::UnknownParameter { param, others } => (
                "unknown_parameter",
                vec![
                    ("param", text(param)),
                    ("others", Value::from(others.clone())),
                ],
            ),
            ApiError::MissingParameter { param } => {
                ("missing_parameter", vec![("param", text(param))])
            }
            ApiError::InvalidParameter {
                param,
                message,
                code,
            } => (
                "invalid_parameter",
                vec![
                    ("param", text(param)),
                    ("message", text(message)),
                    ("code", opt(code)),
                ],
            ),
            ApiError::InvalidRequest {
                message,
                code,
                status,
            } => (
                "invalid_request",
                vec![
                    ("message", text(message)),
                    ("code", opt(code)),
                    ("status", status.map_or(Value::Null, Value::from)),
                ],
            ),
            ApiError::UnrecognizedUrl { method, path } => (
                "unrecognized_url",
                vec![("method", text(method)), ("path", text(path))],
            ),
            ApiError::MalformedAuthorization { header } => {
                ("malformed_authorization", vec![("header", text(header))])
            }
            ApiError::BodyTooLarge { limit } => {
                ("body_too_large", vec![("limit", Value::from(*limit))])
            }
            ApiError::IdempotencyMismatch { key } => {
                ("idempotency_mismatch", vec![("key", text(key))])
            }
            ApiError::IdempotencyKeyInvalid { message } => {
                ("idempotency_key_invalid", vec![("message", text(message))])
            }
            ApiError::Card {
                code,
                decline_code,
                param,
                message,
            } => (
                "card",
                vec![
                    ("code", text(code)),
                    ("decline_code", opt(decline_code)),
                    ("param", opt(param)),
                    ("message", text(message)),
                ],
            ),
            ApiError::Internal { detail } => ("internal", vec![("detail", text(detail))]),
        };
        // Inserted one by one: collecting into a map would bring a sort into the wasm.
        let mut object = Map::new();
        for (key, value) in fields {
            object.insert(key.to_owned(), value);
        }
        let mut tagged = Map::new();
        tagged.insert(name.to_owned(), Value::Object(object));
        Value::Object(tagged)
    }

    /// Reads [`ApiError::to_json`]'s form; `None` if `v` is not an error.
    pub fn from_json(v: Value) -> Option<Self> {
        let (name, fields) = match v {
            Value::String(name) => {
                return match name.as_str() {
                    "missing_api_key" => Some(ApiError::MissingApiKey),
                    "idempotency_in_progress" => Some(ApiError::IdempotencyInProgress),
                    _ => None,
                }
            }
            Value::Object(tagged) => tagged.into_iter().next()?,
            _ => return None,
        };
        // An absent or null optional field is `None`, as serde reads an `Option`.
        let mut f = Fields::of(fields)?;
        Some(match name.as_str() {
            "invalid_api_key" => ApiError::InvalidApiKey {
                masked: f.string("masked")?,
            },
            "no_such_object" => ApiError::NoSuchObject {
                kind: f.string("kind")?,
                id: f.string("id")?,
                param: f.opt_string("param")?,
                status: u16::try_from(f.int("status")?).ok()?,
            },
            "unknown_parameter" => ApiError::UnknownParameter {
                param: f.string("param")?,
                others: f.strings("others")?,
            },
            "missing_parameter" => ApiError::MissingParameter {
                param: f.string("param")?,
            },
            "invalid_parameter" => ApiError::InvalidParameter {
                param: f.string("param")?,
                message: f.string("message")?,
                code: f.opt_string("code")?,
            },
            "invalid_request" => ApiError::InvalidRequest {
                message: f.string("message")?,
                code: f.opt_string("code")?,
                status: match f.opt_int("status")? {
                    Some(status) => Some(u16::try_from(status).ok()?),
                    None => None,
                },
            },
            "unrecognized_url" => ApiError::UnrecognizedUrl {
                method: f.string("method")?,
                path: f.string("path")?,
            },
            "malformed_authorization" => ApiError::MalformedAuthorization {
                header: f.string("header")?,
            },
            "body_too_large" => ApiError::BodyTooLarge {
                limit: usize::try_from(f.int("limit")?).ok()?,
            },
            "idempotency_mismatch" => ApiError::IdempotencyMismatch {
                key: f.string("key")?,
            },
            "idempotency_key_invalid" => ApiError::IdempotencyKeyInvalid {
                message: f.string("message")?,
            },
            "card" => ApiError::Card {
                code: f.string("code")?,
                decline_code: f.opt_string("decline_code")?,
                param: f.opt_string("param")?,
                message: f.string("message")?,
            },
            "internal" => ApiError::Internal {
                detail: f.string("detail")?,
            },
            _ => return None,
        })
    }
}

/// Debug (the logs' `{err:?}`) prints the error's JSON, e.g.
/// `{"internal":{"detail":"sql: locked"}}`: the derived form would bring a Debug of
/// every field type (and string escaping) into the wasm for log lines alone.
impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::wire::text::compact(&self.to_json()))
    }
}

impl Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for ApiError {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ApiError::from_json(Value::deserialize(d)?)
            .ok_or_else(|| serde::de::Error::custom("not an ApiError"))
    }
}

/// `Received unknown parameter: a`, or `Received unknown parameters: a, b` for several.
fn unknown_parameters_message(first: &str, others: &[String]) -> String {
    if others.is_empty() {
        format!("Received unknown parameter: {first}")
    } else {
        format!(
            "Received unknown parameters: {first}, {}",
            crate::wire::text::join(others, ", ")
        )
    }
}

/// Stripe's extra advice for a URL with a trailing slash.
fn trailing_slash_hint(path: &str) -> &'static str {
    if path.ends_with('/') {
        "If you are trying to list objects, remove the trailing slash. If you are trying to retrieve an object, make sure you passed a valid (non-empty) identifier in your code. "
    } else {
        ""
    }
}

/// The JSON envelope of an error response (Stripe's `error` schema: no `null`s).
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<&'a str>,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl ErrorBody<'_> {
    /// The pretty-printed body. Serialising these plain fields cannot fail; if it ever
    /// did, a fixed generic error is sent rather than an empty body.
    pub fn to_pretty_json(&self) -> String {
        match serde_json::to_string(self) {
            Ok(compact) => crate::wire::text::pretty(&compact),
            Err(_) => "{\n  \"error\": {\n    \"message\": \"An unexpected error occurred.\",\n    \"type\": \"api_error\"\n  }\n}".to_owned(),
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(format!("json: {e}"))
    }
}

impl From<crate::wire::form::FormError> for ApiError {
    fn from(e: crate::wire::form::FormError) -> Self {
        use crate::wire::form::FormError as F;
        match &e {
            F::BadPercentEncoding { param }
            | F::NotUtf8 { param }
            | F::BadName { param }
            | F::TooDeep { param }
            | F::Conflict { param } => ApiError::invalid(param.clone(), e.to_string()),
            F::TooMany | F::BadJson(_) | F::JsonNotObject => ApiError::bad_request(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_customer_renders_as_stripe_resource_missing() {
        let body = serde_json::to_value(ApiError::not_found("customer", "cus_x").body()).unwrap();
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["code"], "resource_missing");
        assert_eq!(body["error"]["message"], "No such customer: 'cus_x'");
        assert_eq!(body["error"]["param"], "id");
        assert_eq!(
            body["error"]["doc_url"],
            "https://stripe.com/docs/error-codes/resource-missing"
        );
    }

    #[test]
    fn internal_errors_hide_their_detail_from_the_client() {
        let err = ApiError::internal("sql: disk on fire");
        assert_eq!(err.status(), 500);
        assert!(!err.to_string().contains("disk"));
    }

    #[test]
    fn an_error_body_carries_only_the_keys_that_have_a_value() {
        let body = serde_json::to_value(ApiError::MissingApiKey.body()).unwrap();
        let keys: Vec<_> = body["error"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["message", "type"]);
    }

    #[test]
    fn errors_survive_the_trip_between_the_worker_and_an_object() {
        for err in [
            ApiError::not_found("customer", "cus_1"),
            ApiError::invalid_with_code("email", "email_invalid", "bad"),
            ApiError::internal("sql: locked"),
            ApiError::IdempotencyMismatch { key: "k".into() },
            ApiError::coded(
                404,
                "invoice_upcoming_none",
                "No upcoming invoices for customer: cus_1",
            ),
        ] {
            let text = serde_json::to_string(&err).unwrap();
            assert_eq!(serde_json::from_str::<ApiError>(&text).unwrap(), err);
        }
    }

    /// Every variant's JSON is the text the derived serde wrote (replies saved for
    /// idempotency keys hold it), written and read back the same.
    #[test]
    fn every_variant_keeps_the_json_serde_derived() {
        let s = |x: &str| x.to_owned();
        let cases = [
            (ApiError::MissingApiKey, r#""missing_api_key""#),
            (
                ApiError::InvalidApiKey {
                    masked: s("sk_test_***1234"),
                },
                r#"{"invalid_api_key":{"masked":"sk_test_***1234"}}"#,
            ),
            (
                ApiError::not_found("customer", "cus_1"),
                r#"{"no_such_object":{"kind":"customer","id":"cus_1","param":"id","status":404}}"#,
            ),
            (
                ApiError::NoSuchObject {
                    kind: s("coupon"),
                    id: s("X"),
                    param: None,
                    status: 400,
                },
                r#"{"no_such_object":{"kind":"coupon","id":"X","param":null,"status":400}}"#,
            ),
            (
                ApiError::UnknownParameter {
                    param: s("a"),
                    others: vec![s("b"), s("c[d]")],
                },
                r#"{"unknown_parameter":{"param":"a","others":["b","c[d]"]}}"#,
            ),
            (
                ApiError::MissingParameter { param: s("url") },
                r#"{"missing_parameter":{"param":"url"}}"#,
            ),
            (
                ApiError::invalid_with_code("email", "email_invalid", "Invalid \"email\""),
                r#"{"invalid_parameter":{"param":"email","message":"Invalid \"email\"","code":"email_invalid"}}"#,
            ),
            (
                ApiError::invalid("x", "m"),
                r#"{"invalid_parameter":{"param":"x","message":"m","code":null}}"#,
            ),
            (
                ApiError::coded(404, "invoice_upcoming_none", "No upcoming invoices"),
                r#"{"invalid_request":{"message":"No upcoming invoices","code":"invoice_upcoming_none","status":404}}"#,
            ),
            (
                ApiError::bad_request("bad"),
                r#"{"invalid_request":{"message":"bad","code":null,"status":null}}"#,
            ),
            (
                ApiError::UnrecognizedUrl {
                    method: s("GET"),
                    path: s("/v1/nope/"),
                },
                r#"{"unrecognized_url":{"method":"GET","path":"/v1/nope/"}}"#,
            ),
            (
                ApiError::MalformedAuthorization {
                    header: s("Basic xyz"),
                },
                r#"{"malformed_authorization":{"header":"Basic xyz"}}"#,
            ),
            (
                ApiError::BodyTooLarge { limit: 1048576 },
                r#"{"body_too_large":{"limit":1048576}}"#,
            ),
            (
                ApiError::IdempotencyMismatch { key: s("k1") },
                r#"{"idempotency_mismatch":{"key":"k1"}}"#,
            ),
            (
                ApiError::IdempotencyKeyInvalid {
                    message: s("too long"),
                },
                r#"{"idempotency_key_invalid":{"message":"too long"}}"#,
            ),
            (
                ApiError::IdempotencyInProgress,
                r#""idempotency_in_progress""#,
            ),
            (
                ApiError::card(
                    "card_declined",
                    Some("insufficient_funds"),
                    None,
                    "Your card has insufficient funds.",
                ),
                r#"{"card":{"code":"card_declined","decline_code":"insufficient_funds","param":null,"message":"Your card has insufficient funds."}}"#,
            ),
            (
                ApiError::internal("sql: locked"),
                r#"{"internal":{"detail":"sql: locked"}}"#,
            ),
        ];
        for (err, legacy) in cases {
            let legacy_json: Value = serde_json::from_str(legacy).unwrap();
            assert_eq!(err.to_json(), legacy_json, "{legacy}");
            assert_eq!(serde_json::from_str::<ApiError>(legacy).unwrap(), err);
        }
        // serde also read an absent `Option` field as `None`.
        assert_eq!(
            serde_json::from_str::<ApiError>(r#"{"invalid_request":{"message":"bad"}}"#).unwrap(),
            ApiError::bad_request("bad")
        );
        assert!(serde_json::from_str::<ApiError>(r#"{"nope":{}}"#).is_err());
    }
}

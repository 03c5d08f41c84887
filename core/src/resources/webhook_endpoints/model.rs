//! The WebhookEndpoint object (`schemas.webhook_endpoint`, 2023-08-16), its deleted stub, and the
//! checks on `url`, `enabled_events` and `api_version` that create and update run.
//! Pure: the validators return Stripe-shaped parameter errors; nothing is fetched or resolved.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::resources::events::types as event_types;
use crate::wire::fields::Fields;

/// The value of `object` on an endpoint and on its deleted stub.
pub const WEBHOOK_ENDPOINT_OBJECT: &str = "webhook_endpoint";

/// Longest `url` accepted, in characters.
pub const MAX_URL_CHARS: usize = 2048;

/// Oldest and newest `api_version` an endpoint may be pinned to at 2023-08-16.
pub const OLDEST_API_VERSION: &str = "2011-01-01";
pub const NEWEST_API_VERSION: &str = "2023-08-16";

/// A webhook endpoint, serialised in Stripe's key order: `id, object, api_version,
/// application, created, description, enabled_events, livemode, metadata, secret, status,
/// url`. `secret` is only returned by create, so it is skipped when `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WebhookEndpoint {
    /// `we_…`
    pub id: String,
    /// Always `"webhook_endpoint"`.
    pub object: String,
    /// Version events are rendered in for this endpoint; `None` = the account default.
    pub api_version: Option<String>,
    /// Connect application that created the endpoint, if any.
    pub application: Option<String>,
    /// Unix seconds.
    pub created: i64,
    pub description: Option<String>,
    /// Subscribed event types; `["*"]` = all.
    pub enabled_events: Vec<String>,
    pub livemode: bool,
    pub metadata: BTreeMap<String, String>,
    /// `whsec_…`; present only in the create response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub status: EndpointStatus,
    pub url: String,
}

/// `status` of an endpoint (a plain string in the spec; these are its two values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EndpointStatus {
    Enabled,
    Disabled,
}

crate::read_serde!(WebhookEndpoint);

impl WebhookEndpoint {
    /// Reads a stored endpoint (`wire::fields`).
    pub fn read(mut f: Fields) -> Option<Self> {
        Some(WebhookEndpoint {
            id: f.string("id")?,
            object: f.string("object")?,
            api_version: f.opt_string("api_version")?,
            application: f.opt_string("application")?,
            created: f.int("created")?,
            description: f.opt_string("description")?,
            enabled_events: f.strings("enabled_events")?,
            livemode: f.bool("livemode")?,
            metadata: f.string_map("metadata")?,
            secret: f.opt_string("secret")?,
            status: match f.string("status")?.as_str() {
                "enabled" => EndpointStatus::Enabled,
                "disabled" => EndpointStatus::Disabled,
                _ => return None,
            },
            url: f.string("url")?,
        })
    }
}

/// `DELETE /v1/webhook_endpoints/{id}` response: `{id, object: "webhook_endpoint", deleted: true}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeletedWebhookEndpoint {
    pub id: String,
    pub object: String,
    pub deleted: bool,
}

impl DeletedWebhookEndpoint {
    pub fn new(id: impl Into<String>) -> DeletedWebhookEndpoint {
        DeletedWebhookEndpoint {
            id: id.into(),
            object: WEBHOOK_ENDPOINT_OBJECT.to_string(),
            deleted: true,
        }
    }
}

/// A rejected parameter, ready to render as an `invalid_request_error` (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct EndpointParamError {
    /// The offending parameter, bracketed as Stripe writes it, e.g. `enabled_events[2]`.
    pub param: String,
    pub message: String,
    /// Stripe's error `code`, when known.
    pub code: Option<&'static str>,
}

impl EndpointParamError {
    fn new(
        param: impl Into<String>,
        message: impl Into<String>,
        code: Option<&'static str>,
    ) -> Self {
        EndpointParamError {
            param: param.into(),
            message: message.into(),
            code,
        }
    }

    fn url_invalid(why: &str) -> Self {
        EndpointParamError::new("url", format!("Invalid URL: {why}"), Some("url_invalid"))
    }
}

impl From<EndpointParamError> for crate::wire::error::ApiError {
    fn from(e: EndpointParamError) -> Self {
        crate::wire::error::ApiError::InvalidParameter {
            param: e.param,
            message: e.message,
            code: e.code.map(str::to_owned),
        }
    }
}

/// Checks an endpoint `url`: http or https, a non-empty host, a numeric port if any, no
/// spaces or control characters, at most [`MAX_URL_CHARS`] characters.
///
/// Stripe's exact message for a bad webhook URL is unverified (STRIPE-FACTS 4.3); other Stripe
/// URL params fail with code `url_invalid` (message `Not a valid URL`). Ours is
/// `Invalid URL: <why>` with code `url_invalid` and param `url`.
pub fn validate_url(url: &str) -> Result<(), EndpointParamError> {
    if url.is_empty() {
        return Err(EndpointParamError::url_invalid("the URL is empty"));
    }
    if url.chars().count() > MAX_URL_CHARS {
        return Err(EndpointParamError::url_invalid(&format!(
            "the URL is longer than {MAX_URL_CHARS} characters"
        )));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(EndpointParamError::url_invalid(
            "the URL contains a space or a control character",
        ));
    }
    parse_authority(url)
        .map(|_| ())
        .map_err(EndpointParamError::url_invalid)
}

/// Checks `enabled_events`: at least one entry, and every entry `*`, a Stripe event name or a
/// seed name. The first bad entry is reported.
///
/// The `code` Stripe sends with `Invalid enabled_events[i]: must be one of …` is unverified
/// (no capture shows it), so it is `None`.
pub fn validate_enabled_events(list: &[String]) -> Result<(), EndpointParamError> {
    if list.is_empty() {
        return Err(EndpointParamError::new(
            "enabled_events",
            "Missing required param: enabled_events.",
            Some("parameter_missing"),
        ));
    }
    match list
        .iter()
        .position(|name| !event_types::is_subscribable(name))
    {
        Some(index) => Err(EndpointParamError::new(
            format!("enabled_events[{index}]"),
            event_types::enabled_event_error(index),
            None,
        )),
        None => Ok(()),
    }
}

/// Checks `api_version`: a real calendar date `YYYY-MM-DD` from 2011-01-01 to 2023-08-16.
///
/// Stripe itself accepts only the 99 dated versions it has released in that range (the enum of
/// `paths./v1/webhook_endpoints.post…api_version`); any valid date in the range passes here.
pub fn validate_api_version(version: &str) -> Result<(), EndpointParamError> {
    if is_calendar_date(version) && (OLDEST_API_VERSION..=NEWEST_API_VERSION).contains(&version) {
        Ok(())
    } else {
        Err(EndpointParamError::new(
            "api_version",
            format!("Invalid api_version: {version}"),
            None,
        ))
    }
}

/// True when the host of `url` is allowed by `allow_list` (an optional sandbox restriction).
///
/// An empty list allows every URL. Entries match hosts case-insensitively: `example.com`
/// exactly, `*.example.com` any subdomain at any depth (but not `example.com` itself: list it
/// too). A URL without a parseable host is refused by a non-empty list.
pub fn host_allowed(url: &str, allow_list: &[String]) -> bool {
    if allow_list.is_empty() {
        return true;
    }
    let Ok(authority) = parse_authority(url) else {
        return false;
    };
    let host = normalise_host(authority.host);
    allow_list.iter().any(|entry| {
        let entry = normalise_host(entry.trim());
        match entry.strip_prefix('*') {
            Some(suffix) if suffix.starts_with('.') => {
                host.len() > suffix.len() && host.ends_with(suffix)
            }
            _ => host == entry,
        }
    })
}

/// Lowercase, without a trailing root dot (`Example.COM.` → `example.com`).
fn normalise_host(host: &str) -> String {
    host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase()
}

/// The parts of `scheme://[userinfo@]host[:port]/…` that the checks need.
struct Authority<'a> {
    host: &'a str,
}

/// Splits out and checks scheme, host and port; the error is the reason, for `Invalid URL: …`.
fn parse_authority(url: &str) -> Result<Authority<'_>, &'static str> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err("the URL must start with http:// or https://");
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err("the URL must start with http:// or https://");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_userinfo, host_and_port)| host_and_port);

    let (host, port) = if host_and_port.starts_with('[') {
        let Some(close) = host_and_port.find(']') else {
            return Err("the IPv6 host is missing its closing bracket");
        };
        let after = &host_and_port[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(port) => Some(port),
            None if after.is_empty() => None,
            None => return Err("unexpected characters after the IPv6 host"),
        };
        let inner = &host_and_port[1..close];
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Err("the IPv6 host is malformed");
        }
        (&host_and_port[..=close], port)
    } else {
        match host_and_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_and_port, None),
        }
    };

    if host.is_empty() {
        return Err("the URL has no host");
    }
    if !host.starts_with('[')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_' || !c.is_ascii())
    {
        return Err("the host contains characters a host name cannot have");
    }
    if let Some(port) = port {
        let valid = !port.is_empty()
            && port.chars().all(|c| c.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|number| number > 0);
        if !valid {
            return Err("the port must be a number from 1 to 65535");
        }
    }
    Ok(Authority { host })
}

/// `YYYY-MM-DD` with a month 01–12 and a day that exists in that month.
fn is_calendar_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return false;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn endpoint(secret: Option<&str>) -> WebhookEndpoint {
        WebhookEndpoint {
            id: "we_1".to_string(),
            object: WEBHOOK_ENDPOINT_OBJECT.to_string(),
            api_version: None,
            application: None,
            created: 1_700_000_000,
            description: Some("Hooks".to_string()),
            enabled_events: vec!["charge.failed".to_string(), "charge.succeeded".to_string()],
            livemode: false,
            metadata: BTreeMap::from([("team".to_string(), "billing".to_string())]),
            secret: secret.map(str::to_string),
            status: EndpointStatus::Enabled,
            url: "https://example.com/my/webhook/endpoint".to_string(),
        }
    }

    fn top_level_keys(value: &impl Serialize) -> Vec<String> {
        // Read the order from the text: serde_json's Map would sort the keys.
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        text.lines()
            .filter(|line| line.starts_with("  \""))
            .filter_map(|line| line.trim_start().split('"').nth(1))
            .map(str::to_string)
            .collect()
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn an_endpoint_serialises_in_stripes_key_order_with_secret_only_when_present() {
        let without = [
            "id",
            "object",
            "api_version",
            "application",
            "created",
            "description",
            "enabled_events",
            "livemode",
            "metadata",
            "status",
            "url",
        ];
        let with = [
            "id",
            "object",
            "api_version",
            "application",
            "created",
            "description",
            "enabled_events",
            "livemode",
            "metadata",
            "secret",
            "status",
            "url",
        ];
        assert_eq!(
            top_level_keys(&endpoint(None)),
            without,
            "retrieve: no secret key"
        );
        assert_eq!(
            top_level_keys(&endpoint(Some("whsec_abc"))),
            with,
            "create: secret present"
        );
    }

    #[test]
    fn an_endpoint_carries_every_required_key_of_the_schema() {
        // `schemas.webhook_endpoint.required` in the 2023-08-16 schema file.
        let required = [
            "created",
            "enabled_events",
            "id",
            "livemode",
            "metadata",
            "object",
            "status",
            "url",
        ];
        let keys = top_level_keys(&endpoint(None));
        for key in required {
            assert!(keys.iter().any(|k| k == key), "{key}");
        }
    }

    #[test]
    fn the_spec_fixture_endpoint_deserialises_and_round_trips() {
        let fixture = json!({
            "api_version": null, "application": null, "created": 1_700_000_000,
            "description": "This is my webhook, I like it a lot",
            "enabled_events": ["charge.failed", "charge.succeeded"], "id": "we_1",
            "livemode": false, "metadata": {}, "object": "webhook_endpoint",
            "status": "enabled", "url": "https://example.com/my/webhook/endpoint"
        });
        let parsed: Result<WebhookEndpoint, _> = serde_json::from_value(fixture.clone());
        let parsed = parsed.ok();
        assert_eq!(parsed.as_ref().map(|e| e.secret.clone()), Some(None));
        assert_eq!(
            parsed.as_ref().map(|e| e.status),
            Some(EndpointStatus::Enabled)
        );
        assert_eq!(
            parsed.map(|e| serde_json::to_value(e).unwrap_or_default()),
            Some(fixture)
        );
    }

    #[test]
    fn status_renders_as_lowercase_words() {
        let cases = [
            (EndpointStatus::Enabled, "\"enabled\""),
            (EndpointStatus::Disabled, "\"disabled\""),
        ];
        for (status, expected) in cases {
            assert_eq!(serde_json::to_string(&status).unwrap_or_default(), expected);
        }
    }

    #[test]
    fn a_deleted_endpoint_renders_as_stripes_stub() {
        let value = serde_json::to_value(DeletedWebhookEndpoint::new("we_1")).unwrap_or_default();
        assert_eq!(
            value,
            json!({"id": "we_1", "object": "webhook_endpoint", "deleted": true})
        );
        assert_eq!(
            top_level_keys(&DeletedWebhookEndpoint::new("we_1")),
            ["id", "object", "deleted"]
        );
    }

    #[test]
    fn validate_url_accepts_http_and_https_urls_with_a_host() {
        let long_path = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS - 20));
        assert_eq!(long_path.chars().count(), MAX_URL_CHARS);
        let cases = [
            "https://example.com/my/webhook/endpoint",
            "http://localhost:8787/hooks",
            "HTTPS://Example.COM",
            "https://user:pass@example.com:8443/hook?x=1#frag",
            "https://[::1]:3000/hook",
            "https://127.0.0.1/hook",
            "https://bücher.example/hook",
            "https://a_b.example.com",
            long_path.as_str(),
        ];
        for url in cases {
            assert_eq!(validate_url(url), Ok(()), "{url}");
        }
    }

    #[test]
    fn validate_url_rejects_bad_urls_with_a_reason() {
        let too_long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        let cases = [
            ("", "the URL is empty"),
            (too_long.as_str(), "longer than 2048 characters"),
            ("https://exa mple.com", "space or a control character"),
            ("https://example.com/\thook", "space or a control character"),
            ("https://example.com/\u{7f}", "space or a control character"),
            ("example.com/hook", "must start with http:// or https://"),
            ("ftp://example.com", "must start with http:// or https://"),
            (
                "javascript://alert(1)",
                "must start with http:// or https://",
            ),
            ("https:/example.com", "must start with http:// or https://"),
            ("https://", "no host"),
            ("https:///path", "no host"),
            ("https://:443/path", "no host"),
            ("https://user@/path", "no host"),
            ("https://exa<mple.com", "characters a host name cannot have"),
            ("https://example.com:port", "port must be a number"),
            ("https://example.com:", "port must be a number"),
            ("https://example.com:0", "port must be a number"),
            ("https://example.com:65536", "port must be a number"),
            ("https://[::1", "closing bracket"),
            ("https://[]/", "IPv6 host is malformed"),
            ("https://[::1]x/", "after the IPv6 host"),
        ];
        for (url, reason) in cases {
            match validate_url(url) {
                Ok(()) => panic!("{url:?} was accepted"),
                Err(error) => {
                    assert_eq!(error.param, "url", "{url:?}");
                    assert_eq!(error.code, Some("url_invalid"), "{url:?}");
                    assert!(error.message.starts_with("Invalid URL: "), "{url:?}");
                    assert!(error.message.contains(reason), "{url:?}: {}", error.message);
                }
            }
        }
    }

    #[test]
    fn validate_enabled_events_accepts_known_names_seed_names_and_the_wildcard() {
        let cases = [
            strings(&["*"]),
            strings(&["customer.created", "customer.updated", "customer.deleted"]),
            strings(&["customer.payment_method_attached", "charge.succeeded"]),
            strings(&["*", "customer.created"]),
        ];
        for list in cases {
            assert_eq!(validate_enabled_events(&list), Ok(()), "{list:?}");
        }
    }

    #[test]
    fn validate_enabled_events_reports_a_missing_list_and_the_first_unknown_entry() {
        let cases = [
            (
                strings(&[]),
                "enabled_events",
                Some("parameter_missing"),
                None,
            ),
            (strings(&["customer.*"]), "enabled_events[0]", None, Some(0)),
            (
                strings(&["customer.created", "nope", "bad"]),
                "enabled_events[1]",
                None,
                Some(1),
            ),
            (
                strings(&["*", "Customer.Created"]),
                "enabled_events[1]",
                None,
                Some(1),
            ),
            (
                strings(&["customer.created", ""]),
                "enabled_events[1]",
                None,
                Some(1),
            ),
        ];
        for (list, param, code, index) in cases {
            let error = validate_enabled_events(&list).err();
            assert_eq!(
                error.as_ref().map(|e| e.param.as_str()),
                Some(param),
                "{list:?}"
            );
            assert_eq!(error.as_ref().and_then(|e| e.code), code, "{list:?}");
            let expected_message = match index {
                Some(i) => event_types::enabled_event_error(i),
                None => "Missing required param: enabled_events.".to_string(),
            };
            assert_eq!(error.map(|e| e.message), Some(expected_message), "{list:?}");
        }
    }

    #[test]
    fn validate_api_version_accepts_real_dates_in_stripes_range() {
        let cases = [
            "2011-01-01",
            "2020-08-27",
            "2022-11-15",
            "2023-08-16",
            "2012-02-29",
        ];
        for version in cases {
            assert_eq!(validate_api_version(version), Ok(()), "{version}");
        }
    }

    #[test]
    fn validate_api_version_rejects_other_strings() {
        let cases = [
            ("2010-12-31", "before the first version"),
            ("2023-08-17", "after 2023-08-16"),
            ("2023-10-16", "a later release"),
            ("2024-04-10.acacia", "a named release"),
            ("2023-8-16", "no zero padding"),
            ("2023/08/16", "wrong separators"),
            ("2023-02-29", "not a leap year"),
            ("2019-13-01", "month 13"),
            ("2019-00-10", "month 0"),
            ("2019-04-31", "April has 30 days"),
            ("2019-04-00", "day 0"),
            ("", "empty"),
            (" 2020-08-27", "leading space"),
            ("２０２０-08-27", "non-ASCII digits"),
        ];
        for (version, why) in cases {
            let error = validate_api_version(version).err();
            assert_eq!(
                error.map(|e| (e.param, e.message)),
                Some((
                    "api_version".to_string(),
                    format!("Invalid api_version: {version}")
                )),
                "{why}"
            );
        }
    }

    #[test]
    fn host_allowed_matches_exact_hosts_and_star_suffixes_case_insensitively() {
        let list = strings(&["Example.com", "*.hooks.test", "localhost"]);
        let cases = [
            ("https://example.com/hook", true, "exact"),
            ("https://EXAMPLE.COM/hook", true, "case-insensitive"),
            ("https://example.com.:443/hook", true, "trailing root dot"),
            ("https://user@example.com/hook", true, "userinfo ignored"),
            (
                "https://www.example.com/hook",
                false,
                "exact entries do not cover subdomains",
            ),
            ("https://a.hooks.test/x", true, "suffix"),
            ("https://a.b.hooks.test/x", true, "suffix at any depth"),
            (
                "https://hooks.test/x",
                false,
                "the suffix entry does not cover the apex",
            ),
            (
                "https://evilhooks.test/x",
                false,
                "suffix must start at a dot",
            ),
            ("http://localhost:8787/", true, "port ignored"),
            (
                "https://example.com.evil.net/",
                false,
                "prefix is not enough",
            ),
            (
                "https://evil.net/?u=example.com",
                false,
                "query does not count",
            ),
            ("not a url", false, "unparseable"),
        ];
        for (url, expected, why) in cases {
            assert_eq!(host_allowed(url, &list), expected, "{why}: {url}");
        }
    }

    #[test]
    fn an_empty_allow_list_allows_everything() {
        for url in ["https://example.com", "http://10.0.0.1:9/x", "not a url"] {
            assert!(host_allowed(url, &[]), "{url}");
        }
    }

    #[test]
    fn a_param_error_displays_its_message() {
        let error = validate_api_version("1999-01-01").err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some("Invalid api_version: 1999-01-01".to_string())
        );
    }
}

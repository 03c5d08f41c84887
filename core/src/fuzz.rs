//! Property tests (fuzzing, with proptest) of everything request bytes reach: the form
//! and bracket decoder, the JSON body decoder, the search query parser, and every
//! handler behind the dispatch table over the in-memory backend. Each property runs
//! `PROPTEST_CASES` cases (2,000 by default under `cargo test`; `npm run fuzz` runs
//! many more). Inputs that once found a bug are kept in `regressions` as plain tests.

use proptest::prelude::*;
use proptest::test_runner::Config;

use crate::resources::customers::backend::memory::{run, MemoryBackend};
use crate::resources::customers::search::parse_query;
use crate::resources::events::commands::{EventBackend, EventCommand};
use crate::resources::webhook_endpoints::commands::{EndpointBackend, EndpointCommand};
use crate::routes::{dispatch, route};
use crate::wire::error::ApiError;
use crate::wire::form::{decode_form, decode_json, FormMap, FormValue};
use crate::wire::pagination::index_page_json;
use crate::wire::test_support;

/// Cases per decoder property: `PROPTEST_CASES`, else 2,000.
fn config() -> Config {
    scaled(1)
}

/// The handler properties run a quarter as many (each runs a whole request).
fn scaled(divisor: u32) -> Config {
    let cases: u32 = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    Config {
        cases: (cases / divisor).max(1),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Pieces of Stripe's form notation and of the things that break decoders.
fn form_token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z_]{1,6}",
        1 => "[0-9]{1,4}",
        1 => Just("[".to_owned()),
        1 => Just("]".to_owned()),
        1 => Just("[]".to_owned()),
        2 => Just("=".to_owned()),
        2 => Just("&".to_owned()),
        1 => Just("%".to_owned()),
        1 => Just("%2".to_owned()),
        1 => Just("%zz".to_owned()),
        1 => Just("%00".to_owned()),
        1 => Just("%ff%fe".to_owned()),
        1 => Just("%5B".to_owned()),
        1 => Just("%5D".to_owned()),
        1 => Just("+".to_owned()),
        1 => Just("metadata".to_owned()),
        1 => Just("address".to_owned()),
        1 => Just("expand[]".to_owned()),
        1 => Just("99999999999999999999999".to_owned()),
        1 => Just("-1".to_owned()),
        1 => Just("\u{0}".to_owned()),
        1 => Just("é\u{202e}".to_owned()),
        1 => Just("\r\nX-Injected: 1".to_owned()),
        1 => any::<char>().prop_map(String::from),
    ]
}

fn form_text() -> impl Strategy<Value = String> {
    prop::collection::vec(form_token(), 0..40).prop_map(|tokens| tokens.concat())
}

/// Arbitrary JSON, nested up to a few levels.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,12}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z_\\[\\]]{0,6}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A parameter tree as the form notation can write it: names of letters, values any text.
fn form_map() -> impl Strategy<Value = FormMap> {
    let value = prop_oneof![
        ".{0,10}".prop_map(FormValue::Str),
        prop::collection::btree_map("[a-z]{1,5}", ".{0,8}", 1..4).prop_map(|m| {
            FormValue::Map(m.into_iter().map(|(k, v)| (k, FormValue::Str(v))).collect())
        }),
        prop::collection::vec(".{0,6}".prop_map(FormValue::Str), 1..4).prop_map(FormValue::List),
    ];
    prop::collection::btree_map("[a-z]{1,6}", value, 0..6).prop_map(|m| m.into_iter().collect())
}

/// Writes a parameter tree in Stripe's bracket notation, every byte percent-encoded.
fn encode(params: &FormMap) -> String {
    fn escape(s: &str) -> String {
        s.bytes().map(|b| format!("%{b:02X}")).collect()
    }
    let mut pairs = Vec::new();
    for (name, value) in params {
        match value {
            FormValue::Str(s) => pairs.push(format!("{name}={}", escape(s))),
            FormValue::Map(entries) => {
                for (k, v) in entries {
                    if let FormValue::Str(s) = v {
                        pairs.push(format!("{name}[{k}]={}", escape(s)));
                    }
                }
            }
            FormValue::List(items) => {
                for item in items {
                    if let FormValue::Str(s) = item {
                        pairs.push(format!("{name}[]={}", escape(s)));
                    }
                }
            }
        }
    }
    pairs.join("&")
}

fn to_json(params: &FormMap) -> serde_json::Value {
    fn value(v: &FormValue) -> serde_json::Value {
        match v {
            FormValue::Str(s) => serde_json::Value::String(s.clone()),
            FormValue::Map(entries) => serde_json::Value::Object(
                entries.iter().map(|(k, v)| (k.clone(), value(v))).collect(),
            ),
            FormValue::List(items) => serde_json::Value::Array(items.iter().map(value).collect()),
        }
    }
    serde_json::Value::Object(params.iter().map(|(k, v)| (k.clone(), value(v))).collect())
}

/// Pieces of the search query language, and of what is not.
fn search_token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("email".to_owned()),
        Just("name".to_owned()),
        Just("phone".to_owned()),
        Just("created".to_owned()),
        Just("metadata".to_owned()),
        Just("['k']".to_owned()),
        Just("[\"".to_owned()),
        Just(":".to_owned()),
        Just("~".to_owned()),
        Just(">".to_owned()),
        Just("<=".to_owned()),
        Just("-".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just(" AND ".to_owned()),
        Just(" OR ".to_owned()),
        Just(" ".to_owned()),
        Just("null".to_owned()),
        Just("(".to_owned()),
        "[0-9]{1,20}",
        "[a-z@.]{1,8}",
        any::<char>().prop_map(String::from),
    ]
}

/// Every route shape, with `{c}` for a customer that exists.
const ROUTES: &[(&str, &str)] = &[
    ("POST", "/v1/customers"),
    ("GET", "/v1/customers"),
    ("GET", "/v1/customers/search"),
    ("GET", "/v1/customers/{c}"),
    ("POST", "/v1/customers/{c}"),
    ("DELETE", "/v1/customers/{c}"),
    ("POST", "/v1/customers/{c}/undelete"),
    ("POST", "/v1/customers/{c}/tax_ids"),
    ("GET", "/v1/customers/{c}/tax_ids"),
    ("GET", "/v1/customers/{c}/tax_ids/txi_123"),
    ("DELETE", "/v1/customers/{c}/tax_ids/txi_123"),
    ("GET", "/v1/customers/{c}/subscriptions"),
    ("GET", "/v1/customers/{c}/invoices"),
    ("GET", "/v1/customers/{c}/upcoming-invoice"),
    ("GET", "/v1/invoices/upcoming"),
    ("GET", "/v1/events"),
    ("GET", "/v1/events/evt_123"),
    ("POST", "/v1/webhook_endpoints"),
    ("GET", "/v1/webhook_endpoints"),
    ("GET", "/v1/webhook_endpoints/we_123"),
    ("POST", "/v1/webhook_endpoints/we_123"),
    ("DELETE", "/v1/webhook_endpoints/we_123"),
    ("GET", "/v1/webhook_endpoints/we_123/delivery_attempts"),
    ("POST", "/v1/webhook_endpoints/we_123/resend"),
    ("GET", "/v1/customers/{c}/discount"),
    ("DELETE", "/v1/customers/{c}/discount"),
    ("POST", "/v1/customers/{c}/discounts"),
    ("GET", "/v1/customers/{c}/sources"),
    ("POST", "/v1/customers/{c}/sources"),
    ("GET", "/v1/customers/{c}/sources/card_123"),
    ("POST", "/v1/customers/{c}/sources/card_123"),
    ("DELETE", "/v1/customers/{c}/sources/card_123"),
    ("GET", "/v1/customers/{c}/payment_methods"),
    ("POST", "/v1/customers/{c}/payment_methods"),
    ("GET", "/v1/customers/{c}/payment_methods/pm_123"),
    ("POST", "/v1/coupons"),
    ("GET", "/v1/coupons"),
    ("GET", "/v1/coupons/SPRING"),
    ("POST", "/v1/coupons/SPRING"),
    ("DELETE", "/v1/coupons/SPRING"),
    ("POST", "/v1/promotion_codes"),
    ("GET", "/v1/promotion_codes"),
    ("GET", "/v1/promotion_codes/promo_123"),
    ("POST", "/v1/promotion_codes/promo_123"),
    ("POST", "/v1/payment_methods"),
    ("GET", "/v1/payment_methods/pm_123"),
    ("POST", "/v1/payment_methods/pm_123"),
    ("POST", "/v1/payment_methods/pm_123/attach"),
    ("POST", "/v1/payment_methods/pm_123/detach"),
    ("POST", "/v1/test_helpers/test_clocks"),
    ("GET", "/v1/test_helpers/test_clocks"),
    ("GET", "/v1/test_helpers/test_clocks/clock_123"),
    ("DELETE", "/v1/test_helpers/test_clocks/clock_123"),
    ("POST", "/v1/test_helpers/test_clocks/clock_123/advance"),
];

/// The memory backend, with events and endpoints that answer empty pages and `{}`.
#[derive(Default)]
struct Backend(MemoryBackend);

impl crate::resources::customers::backend::CustomerBackend for Backend {
    async fn customer_object(
        &self,
        id: &str,
        envelope: &crate::resources::customers::commands::CustomerEnvelope,
    ) -> Result<crate::resources::customers::backend::ObjectAnswer, ApiError> {
        self.0.customer_object(id, envelope).await
    }
    async fn account_object(
        &self,
        namespace: &str,
        command: &crate::resources::customers::commands::AccountCommand,
    ) -> Result<String, ApiError> {
        self.0.account_object(namespace, command).await
    }
    async fn edge_copy(&self, namespace: &str, id: &str, ttl: u64) -> Option<std::rc::Rc<str>> {
        self.0.edge_copy(namespace, id, ttl).await
    }
    fn remember_edge_copy(&self, namespace: &str, id: &str, stored: std::rc::Rc<str>, ttl: u64) {
        self.0.remember_edge_copy(namespace, id, stored, ttl)
    }
}

impl EventBackend for Backend {
    async fn event_command(&self, _: &str, command: &EventCommand) -> Result<String, ApiError> {
        crosses_intact(command)?;
        match command {
            EventCommand::List { .. } => Ok(index_page_json(false, None, &[])),
            EventCommand::Retrieve { id } => Err(ApiError::not_found("event", id)),
        }
    }
}

impl EndpointBackend for Backend {
    async fn endpoint_command(
        &self,
        _: &str,
        command: &EndpointCommand,
    ) -> Result<String, ApiError> {
        crosses_intact(command)?;
        match command {
            EndpointCommand::List { .. } | EndpointCommand::ListAttempts { .. } => {
                Ok(index_page_json(false, None, &[]))
            }
            _ => Ok("{}".to_owned()),
        }
    }
}

/// A command reads back from its wire form as the same command.
fn crosses_intact<T: crate::wire::codec::Message>(command: &T) -> Result<(), ApiError> {
    let text = command.encode();
    assert_eq!(T::decode(&text)?.encode(), text);
    Ok(())
}

/// Runs one request against a backend holding one customer; answers the status.
fn status_of(method: &str, path: &str, params: FormMap) -> u16 {
    let backend = Backend::default();
    let create = route("POST", "/v1/customers").unwrap();
    let created = run(dispatch(
        create,
        test_support::request("name=Fuzz"),
        &backend,
    ))
    .unwrap();
    let id = serde_json::from_str::<serde_json::Value>(&created.body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = path.replace("{c}", &id);
    let answer = route(method, &path).and_then(|r| {
        r.check_ids()?;
        let mut req = test_support::request("");
        req.params = params;
        run(dispatch(r, req, &backend))
    });
    match answer {
        Ok(rendered) => rendered.status,
        Err(err) => err.status(),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_form_decoder_decodes_or_refuses_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = decode_form(&bytes);
    }

    #[test]
    fn the_form_decoder_decodes_or_refuses_form_like_text(text in form_text()) {
        if let Err(err) = decode_form(text.as_bytes()) {
            prop_assert!(ApiError::from(err).status() < 500);
        }
    }

    #[test]
    fn the_json_decoder_decodes_or_refuses_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = decode_json(&bytes);
    }

    #[test]
    fn the_json_decoder_decodes_or_refuses_any_json(value in json_value()) {
        if let Err(err) = decode_json(value.to_string().as_bytes()) {
            prop_assert!(ApiError::from(err).status() < 500);
        }
    }

    #[test]
    fn bodies_are_indented_exactly_as_serde_json_pretty_prints(value in json_value()) {
        let compact = serde_json::to_string(&value).unwrap();
        prop_assert_eq!(crate::wire::render::pretty(&compact), serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn decoding_an_encoded_form_gives_back_the_parameters(params in form_map()) {
        prop_assert_eq!(decode_form(encode(&params).as_bytes()).unwrap(), params.clone());
        prop_assert_eq!(decode_json(to_json(&params).to_string().as_bytes()).unwrap(), params);
    }

    #[test]
    fn the_search_parser_parses_or_refuses_any_query(tokens in prop::collection::vec(search_token(), 0..24)) {
        if let Err(err) = parse_query(&tokens.concat()) {
            prop_assert!(err.status() < 500, "{err:?}");
        }
    }

}

proptest! {
    #![proptest_config(scaled(4))]

    #[test]
    fn no_handler_answers_a_5xx_to_any_parameters(
        at in 0..ROUTES.len(),
        text in form_text(),
        json in json_value(),
        use_json in any::<bool>(),
    ) {
        let (method, path) = ROUTES[at];
        let params = if use_json {
            match decode_json(json.to_string().as_bytes()) { Ok(p) => p, Err(_) => return Ok(()) }
        } else {
            match decode_form(text.as_bytes()) { Ok(p) => p, Err(_) => return Ok(()) }
        };
        let status = status_of(method, path, params.clone());
        prop_assert!(status < 500, "{method} {path} {params:?} answered {status}");
    }

    #[test]
    fn no_path_reaches_a_5xx(method in prop_oneof![Just("GET"), Just("POST"), Just("DELETE"), Just("PATCH")], tail in form_text()) {
        let status = status_of(method, &format!("/v1/{}", tail.replace('?', "")), Vec::new());
        prop_assert!(status < 500, "{method} /v1/{tail} answered {status}");
    }
}

/// Inputs kept from fuzzing runs and from the list, as plain tests.
mod regressions {
    use super::*;

    const FORMS: &[&str] = &[
        "%",
        "a=%",
        "a=%2",
        "a%=1",
        "a[=1",
        "a]=1",
        "a[b=1",
        "a[][]=1",
        "a[]=1&a[x]=2",
        "a[x]=1&a=2",
        "a=1&a[x]=2",
        "a[0][b]=1&a[]=2",
        "a[b][c][d][e][f][g]=deep",
        "metadata[\u{0}]=x",
        "name=%00",
        "name=%C3%28",
        "name=%ED%A0%80",
        "=",
        "&&&=&",
        "[]=1",
        "expand[]=data.%5B",
        "limit=99999999999999999999999999",
        "created[gt]=-99999999999999999999",
        "metadata[a%0D%0AX-Injected:%201]=1",
    ];

    #[test]
    fn kept_form_inputs_decode_or_refuse_with_a_4xx() {
        for input in FORMS {
            if let Err(err) = decode_form(input.as_bytes()) {
                assert!(ApiError::from(err).status() < 500, "{input}");
            }
            for (method, path) in ROUTES {
                let params = match decode_form(input.as_bytes()) {
                    Ok(p) => p,
                    Err(_) => break,
                };
                let status = status_of(method, path, params);
                assert!(status < 500, "{method} {path} {input} answered {status}");
            }
        }
    }

    #[test]
    fn kept_json_inputs_decode_or_refuse_with_a_4xx() {
        let deep = format!("{}1{}", "{\"a\":".repeat(200), "}".repeat(200));
        let wide = format!("[{}]", "1,".repeat(5000) + "1");
        for input in [
            "",
            "null",
            "[]",
            "1",
            "\"x\"",
            "{",
            "{\"a\":}",
            "{\"a\":1e999}",
            "{\"a\":-0}",
            "{\"name\":\"\\ud800\"}",
            "{\"a\":{\"b\":[{\"c\":[]}]}}",
            "{\"metadata\":{\"k\":{\"x\":1}}}",
            "{\"limit\":1.5}",
            "\u{feff}{}",
            &deep,
            &wide,
        ] {
            if let Err(err) = decode_json(input.as_bytes()) {
                assert!(ApiError::from(err).status() < 500, "{input}");
            }
        }
    }

    #[test]
    fn kept_search_queries_parse_or_refuse_with_a_4xx() {
        for query in [
            "",
            " ",
            "'",
            "email:",
            "email:'",
            "metadata['",
            "metadata['k']",
            "metadata[''']:'x'",
            "-",
            "--email:'a'",
            "email:'a' AND",
            "AND email:'a'",
            "email:'a' OR name:'b' AND phone:'c'",
            "created>99999999999999999999999",
            "created>-1",
            "email~'\u{0}'",
            "name:\"\\\"",
            "metadata[\"k\"]:'v'",
            "email:'a'  \t  name:'b'",
        ] {
            if let Err(err) = parse_query(query) {
                assert!(err.status() < 500, "{query}: {err:?}");
            }
        }
    }
}

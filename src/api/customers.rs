//! The `/v1/customers` handlers: validate with the pure model, send one command to
//! the Durable Object that owns the data, and render the answer as Stripe does.

use std::rc::Rc;

use serde_json::value::RawValue;
use worker::{Response, Stub};

use super::{Call, ReadConsistency};
use crate::edge_cache;
use crate::error::ApiError;
use crate::model::apply::NewCustomer;
use crate::model::expand::Expand;
use crate::model::ids;
use crate::model::list::ListCustomers;
use crate::model::params::{Call as ParamCall, CustomerParams, Reference};
use crate::model::view::{customer_json, version_and_deleted};
use crate::objects::protocol::{AccountCommand, CustomerCommand, IndexPage};
use crate::params::Field;
use crate::render::{List, Rendered, SearchResult};
use crate::search::SearchCustomers;
use crate::store::{account_stub, customer_stub, kv_key, post_json, CUSTOMERS_KV};

const LIST_URL: &str = "/v1/customers";
const SEARCH_URL: &str = "/v1/customers/search";

/// POST /v1/customers
pub async fn create(mut call: Call<'_>) -> Result<Rendered, ApiError> {
    let mut p = call.take_params();
    let expand = Expand::parse_for_object(&mut p)?;
    let params = CustomerParams::parse(&mut p, ParamCall::Create)?;
    p.finish()?;
    resolve(&call, &params.references).await?;
    // A keyed create always maps to the same id, so a retry reaches the same object.
    let id = match &call.idempotency {
        Some(claim) => ids::keyed_id("cus", call.namespace.as_bytes(), claim.key.as_bytes()),
        None => ids::random_id("cus"),
    };
    let command = CustomerCommand::Create {
        namespace: call.namespace.clone(),
        new: NewCustomer {
            id: id.clone(),
            created: call.now,
            livemode: call.account.livemode,
        },
        params,
        idempotency: call.idempotency.clone(),
    };
    let answer = send(&call, &id, &command).await?;
    show_customer(&call, answer, &id, &expand, false)
}

/// GET /v1/customers/{id}
pub async fn retrieve(mut call: Call<'_>, id: &str) -> Result<Rendered, ApiError> {
    let mut p = call.take_params();
    let expand = Expand::parse_for_object(&mut p)?;
    let include_deleted = p.boolean("include_deleted")? == Field::Set(true);
    p.finish()?;
    if call.consistency == ReadConsistency::Edge {
        if let Some(stored) = read_edge_copy(&call, id).await {
            let shown = customer_json(&stored, id, &expand, include_deleted)?;
            return Ok(Rendered::ok_compact(&shown));
        }
    }
    let answer = send(&call, id, &CustomerCommand::Retrieve { id: id.to_owned() }).await?;
    show_customer(&call, answer, id, &expand, include_deleted)
}

/// POST /v1/customers/{id} (and PATCH)
pub async fn update(mut call: Call<'_>, id: &str) -> Result<Rendered, ApiError> {
    let mut p = call.take_params();
    let expand = Expand::parse_for_object(&mut p)?;
    let params = CustomerParams::parse(&mut p, ParamCall::Update)?;
    p.finish()?;
    if let Err(missing) = resolve(&call, &params.references).await {
        // Stripe answers for the customer before the objects the parameters name.
        return Err(live_customer_error(&call, id).await.unwrap_or(missing));
    }
    let command = CustomerCommand::Update {
        namespace: call.namespace.clone(),
        id: id.to_owned(),
        params,
        idempotency: call.idempotency.clone(),
    };
    let answer = send(&call, id, &command).await?;
    show_customer(&call, answer, id, &expand, false)
}

/// DELETE /v1/customers/{id}
pub async fn delete(mut call: Call<'_>, id: &str) -> Result<Rendered, ApiError> {
    call.take_params().finish()?;
    let command = CustomerCommand::Delete {
        namespace: call.namespace.clone(),
        id: id.to_owned(),
        now: call.now,
    };
    let answer = send(&call, id, &command).await?;
    // The deleted record shows as Stripe's stub.
    show_customer(&call, answer, id, &Expand::default(), false)
}

/// GET /v1/customers
pub async fn list(mut call: Call<'_>) -> Result<Rendered, ApiError> {
    let mut p = call.take_params();
    let list = ListCustomers::parse(&mut p)?;
    p.finish()?;
    let expand = list.expand.clone();
    index_page(
        &call,
        AccountCommand::List { list },
        &expand,
        |data, page| {
            Ok(serde_json::to_string(&List::new(
                LIST_URL,
                data,
                page.has_more,
            ))?)
        },
    )
    .await
}

/// GET /v1/customers/search
pub async fn search(mut call: Call<'_>) -> Result<Rendered, ApiError> {
    let mut p = call.take_params();
    let search = SearchCustomers::parse(&mut p)?;
    p.finish()?;
    let expand = search.expand.clone();
    index_page(
        &call,
        AccountCommand::Search { search },
        &expand,
        |data, page| {
            let result = SearchResult::new(SEARCH_URL, data, page.next_page);
            Ok(serde_json::to_string(&result)?)
        },
    )
    .await
}

/// Asks the account index for one page, shows each customer with `expand`, and wraps
/// them in the (compact) envelope `wrap` writes.
async fn index_page(
    call: &Call<'_>,
    command: AccountCommand,
    expand: &Expand,
    wrap: impl FnOnce(Vec<Box<RawValue>>, IndexPage<'_>) -> Result<String, ApiError>,
) -> Result<Rendered, ApiError> {
    let stub = account_stub(call.env, &call.namespace).map_err(platform)?;
    let response = post_json(&stub, &command).await.map_err(platform)?;
    let (body, _) = match Answer::from(response).await? {
        Answer::Failure(rendered) => return Ok(rendered),
        Answer::Success { body, replayed } => (body, replayed),
    };
    let page: IndexPage = serde_json::from_str(&body)?;
    let data = page
        .documents
        .iter()
        .map(|document| {
            let shown = customer_json(document.get(), "", expand, false)?;
            Ok(RawValue::from_string(shown)?)
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Rendered::ok_compact(&wrap(data, page)?))
}

/// Checks that every object the parameters name exists in this account.
async fn resolve(call: &Call<'_>, references: &[Reference]) -> Result<(), ApiError> {
    if references.is_empty() {
        return Ok(());
    }
    let stub = account_stub(call.env, &call.namespace).map_err(platform)?;
    let command = AccountCommand::Resolve {
        references: references.to_vec(),
    };
    let mut response = post_json(&stub, &command).await.map_err(platform)?;
    let missing: Option<Reference> = response.json().await.map_err(platform)?;
    match missing {
        None => Ok(()),
        Some(r) => Err(ApiError::missing_reference(
            r.kind.object_name(),
            r.id,
            r.param,
        )),
    }
}

/// The 404 for a customer that does not exist or is deleted; `None` if it is live.
/// Only consulted on an error path, so the happy path pays no extra hop.
async fn live_customer_error(call: &Call<'_>, id: &str) -> Option<ApiError> {
    let retrieve = CustomerCommand::Retrieve { id: id.to_owned() };
    match send(call, id, &retrieve).await {
        Ok(Answer::Success { body, .. }) => match version_and_deleted(&body) {
            Ok((_, true)) => Some(ApiError::not_found("customer", id)),
            _ => None,
        },
        Ok(Answer::Failure(_)) => Some(ApiError::not_found("customer", id)),
        Err(_) => None,
    }
}

/// Sends a command to the customer's object.
async fn send(call: &Call<'_>, id: &str, command: &CustomerCommand) -> Result<Answer, ApiError> {
    let stub: Stub = customer_stub(call.env, &call.namespace, id).map_err(platform)?;
    Answer::from(post_json(&stub, command).await.map_err(platform)?).await
}

/// Shows the customer in an object's answer (the JSON of a `StoredCustomer`), passing
/// a failure through; in edge mode the isolate memoises what it saw.
fn show_customer(
    call: &Call<'_>,
    answer: Answer,
    id: &str,
    expand: &Expand,
    include_deleted: bool,
) -> Result<Rendered, ApiError> {
    let (stored, replayed) = match answer {
        Answer::Failure(rendered) => return Ok(rendered),
        Answer::Success { body, replayed } => (body, replayed),
    };
    let shown = customer_json(&stored, id, expand, include_deleted)?;
    remember_edge_copy(call, id, stored)?;
    Ok(Rendered {
        replayed,
        ..Rendered::ok_compact(&shown)
    })
}

/// The edge copy of a customer: the isolate's memo, else this location's KV copy.
async fn read_edge_copy(call: &Call<'_>, id: &str) -> Option<Rc<str>> {
    let key = kv_key(&call.namespace, id);
    if let Some(stored) = edge_cache::lookup(&key, now_millis()) {
        return Some(stored);
    }
    let kv = call.env.kv(CUSTOMERS_KV).ok()?;
    let stored = kv.get(&key).text().await.ok()??;
    let (version, _) = version_and_deleted(&stored).ok()?;
    let stored: Rc<str> = Rc::from(stored);
    let ttl = call.edge_cache_ttl_ms;
    edge_cache::remember(key, version, Rc::clone(&stored), now_millis(), ttl);
    Some(stored)
}

/// In edge mode, keeps what this isolate just wrote or read from the authority, so the
/// caller reads its own writes without waiting for KV.
fn remember_edge_copy(call: &Call<'_>, id: &str, stored: String) -> Result<(), ApiError> {
    if call.consistency == ReadConsistency::Edge {
        let (version, _) = version_and_deleted(&stored)?;
        let key = kv_key(&call.namespace, id);
        edge_cache::remember(
            key,
            version,
            Rc::from(stored),
            now_millis(),
            call.edge_cache_ttl_ms,
        );
    }
    Ok(())
}

fn now_millis() -> u64 {
    worker::Date::now().as_millis()
}

fn platform(e: worker::Error) -> ApiError {
    ApiError::internal(format!("platform: {e}"))
}

/// What a Durable Object answered: a success body, or an error to pass through.
enum Answer {
    Success { body: String, replayed: bool },
    Failure(Rendered),
}

impl Answer {
    async fn from(mut response: Response) -> Result<Self, ApiError> {
        let status = response.status_code();
        let replayed = response
            .headers()
            .get("Idempotent-Replayed")
            .ok()
            .flatten()
            .is_some();
        let body = response.text().await.map_err(platform)?;
        if status == 200 {
            Ok(Answer::Success { body, replayed })
        } else {
            Ok(Answer::Failure(Rendered {
                status,
                body,
                replayed,
            }))
        }
    }
}

//! The `/v1/customers` handlers: validate with the pure model, send one command to
//! the Durable Object that owns the data, and render the answer as Stripe does.

use std::rc::Rc;

use serde::de::DeserializeOwned;
use worker::{Response, Stub};

use super::{Call, ReadConsistency};
use crate::edge_cache;
use crate::error::ApiError;
use crate::model::apply::NewCustomer;
use crate::model::customer::{Customer, DeletedCustomer};
use crate::model::expand::{render, Expand};
use crate::model::ids;
use crate::model::list::ListCustomers;
use crate::model::params::{Call as ParamCall, CustomerParams, Reference};
use crate::objects::protocol::{AccountCommand, CustomerCommand, IndexPage, StoredCustomer};
use crate::params::{Field, Params};
use crate::render::{List, Rendered, SearchResult};
use crate::search::SearchCustomers;
use crate::store::{account_stub, customer_stub, kv_key, post_json, CUSTOMERS_KV};

const LIST_URL: &str = "/v1/customers";
const SEARCH_URL: &str = "/v1/customers/search";

/// POST /v1/customers
pub async fn create(mut call: Call<'_>) -> Result<Rendered, ApiError> {
    let mut p = Params::new(std::mem::take(&mut call.params));
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
    answer.render(|stored: StoredCustomer| {
        let rendered = Rendered::ok(&render(&stored.record, &expand));
        remember_edge_copy(&call, stored);
        rendered
    })
}

/// GET /v1/customers/{id}
pub async fn retrieve(mut call: Call<'_>, id: &str) -> Result<Rendered, ApiError> {
    let mut p = Params::new(std::mem::take(&mut call.params));
    let expand = Expand::parse_for_object(&mut p)?;
    let include_deleted = p.boolean("include_deleted")? == Field::Set(true);
    p.finish()?;
    let show = |stored: &StoredCustomer| {
        if stored.record.is_deleted() && !include_deleted {
            Rendered::ok(&DeletedCustomer::new(id))
        } else {
            Rendered::ok(&render(&stored.record, &expand))
        }
    };
    if !ids::is_well_formed(id, "cus") {
        return Err(ApiError::not_found("customer", id));
    }
    if call.consistency == ReadConsistency::Edge {
        if let Some(stored) = read_edge_copy(&call, id).await {
            return show(&stored);
        }
    }
    let answer = send(&call, id, &CustomerCommand::Retrieve { id: id.to_owned() }).await?;
    answer.render(|stored: StoredCustomer| {
        let rendered = show(&stored);
        remember_edge_copy(&call, stored);
        rendered
    })
}

/// POST /v1/customers/{id} (and PATCH)
pub async fn update(mut call: Call<'_>, id: &str) -> Result<Rendered, ApiError> {
    let mut p = Params::new(std::mem::take(&mut call.params));
    let expand = Expand::parse_for_object(&mut p)?;
    let params = CustomerParams::parse(&mut p, ParamCall::Update)?;
    p.finish()?;
    if !ids::is_well_formed(id, "cus") {
        return Err(ApiError::not_found("customer", id));
    }
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
    answer.render(|stored: StoredCustomer| {
        let rendered = Rendered::ok(&render(&stored.record, &expand));
        remember_edge_copy(&call, stored);
        rendered
    })
}

/// DELETE /v1/customers/{id}
pub async fn delete(mut call: Call<'_>, id: &str) -> Result<Rendered, ApiError> {
    Params::new(std::mem::take(&mut call.params)).finish()?;
    if !ids::is_well_formed(id, "cus") {
        return Err(ApiError::not_found("customer", id));
    }
    let command = CustomerCommand::Delete {
        namespace: call.namespace.clone(),
        id: id.to_owned(),
        now: call.now,
    };
    let answer = send(&call, id, &command).await?;
    answer.render(|stored: StoredCustomer| {
        remember_edge_copy(&call, stored);
        Rendered::ok(&DeletedCustomer::new(id))
    })
}

/// GET /v1/customers
pub async fn list(mut call: Call<'_>) -> Result<Rendered, ApiError> {
    let mut p = Params::new(std::mem::take(&mut call.params));
    let list = ListCustomers::parse(&mut p)?;
    p.finish()?;
    let expand = list.expand.clone();
    index_page(
        &call,
        AccountCommand::List { list },
        &expand,
        |data, page| Rendered::ok(&List::new(LIST_URL, data, page.has_more)),
    )
    .await
}

/// GET /v1/customers/search
pub async fn search(mut call: Call<'_>) -> Result<Rendered, ApiError> {
    let mut p = Params::new(std::mem::take(&mut call.params));
    let search = SearchCustomers::parse(&mut p)?;
    p.finish()?;
    let expand = search.expand.clone();
    index_page(
        &call,
        AccountCommand::Search { search },
        &expand,
        |data, page| Rendered::ok(&SearchResult::new(SEARCH_URL, data, page.next_page)),
    )
    .await
}

/// Asks the account index for one page, renders its customers with `expand`, and
/// wraps them in the envelope `wrap` builds.
async fn index_page(
    call: &Call<'_>,
    command: AccountCommand,
    expand: &Expand,
    wrap: impl FnOnce(Vec<Customer>, IndexPage) -> Result<Rendered, ApiError>,
) -> Result<Rendered, ApiError> {
    let stub = account_stub(call.env, &call.namespace).map_err(platform)?;
    let response = post_json(&stub, &command).await.map_err(platform)?;
    Answer::from(response).await?.render(|mut page: IndexPage| {
        let documents = std::mem::take(&mut page.documents);
        let data = documents
            .iter()
            .map(|d| render(&d.record, expand))
            .collect();
        wrap(data, page)
    })
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
        Ok(Answer::Success { body, .. }) => serde_json::from_str::<StoredCustomer>(&body)
            .ok()
            .filter(|stored| stored.record.is_deleted())
            .map(|_| ApiError::not_found("customer", id)),
        Ok(Answer::Failure(_)) => Some(ApiError::not_found("customer", id)),
        Err(_) => None,
    }
}

/// Sends a command to the customer's object.
async fn send(call: &Call<'_>, id: &str, command: &CustomerCommand) -> Result<Answer, ApiError> {
    let stub: Stub = customer_stub(call.env, &call.namespace, id).map_err(platform)?;
    Answer::from(post_json(&stub, command).await.map_err(platform)?).await
}

/// The edge copy of a customer: the isolate's memo, else this location's KV copy.
async fn read_edge_copy(call: &Call<'_>, id: &str) -> Option<Rc<StoredCustomer>> {
    let key = kv_key(&call.namespace, id);
    if let Some(stored) = edge_cache::lookup(&key, now_millis()) {
        return Some(stored);
    }
    let kv = call.env.kv(CUSTOMERS_KV).ok()?;
    let text = kv.get(&key).text().await.ok()??;
    let stored: StoredCustomer = serde_json::from_str(&text).ok()?;
    edge_cache::remember(key, stored.clone(), now_millis(), call.edge_cache_ttl_ms);
    Some(Rc::new(stored))
}

/// In edge mode, keeps what this isolate just wrote or read from the authority, so the
/// caller reads its own writes without waiting for KV.
fn remember_edge_copy(call: &Call<'_>, stored: StoredCustomer) {
    if call.consistency == ReadConsistency::Edge {
        let key = kv_key(&call.namespace, &stored.record.customer.id);
        edge_cache::remember(key, stored, now_millis(), call.edge_cache_ttl_ms);
    }
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

    /// Renders a success body (JSON of `T`) with `show`; passes a failure through as is.
    fn render<T: DeserializeOwned>(
        self,
        show: impl FnOnce(T) -> Result<Rendered, ApiError>,
    ) -> Result<Rendered, ApiError> {
        match self {
            Answer::Failure(rendered) => Ok(rendered),
            Answer::Success { body, replayed } => {
                let rendered = show(serde_json::from_str(&body)?)?;
                Ok(Rendered {
                    replayed,
                    ..rendered
                })
            }
        }
    }
}

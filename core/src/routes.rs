//! The dispatch table, above every resource: a method and path name a [`Route`], and
//! [`dispatch`] runs that resource's handler. A path that matches no route is
//! Stripe's 404 in the same shape.
//!
//! ```text
//! POST   /v1/customers            create        GET /v1/customers        list
//! GET    /v1/customers/{id}       retrieve      POST|PATCH /v1/customers/{id}  update
//! DELETE /v1/customers/{id}       delete        GET /v1/customers/search search
//! POST   /v1/customers/{id}/undelete                                    (seed 004)
//! POST|GET        /v1/customers/{c}/tax_ids       create, list     (alias tax-ids)
//! GET|DELETE      /v1/customers/{c}/tax_ids/{id}  retrieve, delete (alias tax-ids)
//! GET    /v1/customers/{c}/subscriptions, /v1/customers/{c}/invoices (seed 004)
//! GET    /v1/invoices/upcoming?customer=c   (alias /v1/customers/{c}/upcoming-invoice)
//! /v1/customers/{id}/discount|discounts|sources[/{id}]|payment_methods[/{id}]
//! /v1/coupons, /v1/promotion_codes, /v1/payment_methods[/{id}/attach|detach],
//! /v1/test_helpers/test_clocks[/{id}/advance], /v1/products, /v1/prices
//! /v1/subscriptions[/{id}], /v1/invoices[/{id}[/finalize|pay|void|mark_uncollectible]]
//! GET    /v1/webhook_endpoints/{id}/delivery_attempts  POST …/{id}/resend   (ours)
//! ```
//!
//! `/dashboard` and below are not API paths: the Worker hands them to the static
//! assets when the dashboard is on ([`is_dashboard_path`]).

pub use crate::resources::customers::route::CustomerRoute;
pub use crate::resources::objects::ObjectRoute;

use crate::resources::billing::calls as billing;
use crate::resources::coupons::handlers as coupons;
use crate::resources::customers::backend::call;
use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::handlers as customers;
use crate::resources::customers::nested;
use crate::resources::events::commands::EventBackend;
use crate::resources::events::handlers as events;
use crate::resources::invoices::handlers as invoices;
use crate::resources::payment_methods::handlers as payment_methods;
use crate::resources::prices::handlers as prices;
use crate::resources::products::handlers as products;
use crate::resources::promotion_codes::handlers as promotion_codes;
use crate::resources::subscriptions::handlers as subscriptions;
use crate::resources::tax_ids::handlers as tax_ids;
use crate::resources::test_clocks::handlers as test_clocks;
use crate::resources::webhook_endpoints::commands::EndpointBackend;
use crate::resources::webhook_endpoints::handlers as endpoints;
use crate::wire::error::ApiError;
use crate::wire::ids;
use crate::wire::render::Rendered;
use crate::wire::request::ApiRequest;

/// One API operation, with the ids taken from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Customers(CustomerRoute),
    Coupons(ObjectRoute),
    PromotionCodes(ObjectRoute),
    PaymentMethods(ObjectRoute),
    TestClocks(ObjectRoute),
    Products(ObjectRoute),
    Prices(ObjectRoute),
    Events(EventRoute),
    WebhookEndpoints(EndpointRoute),
    TaxIds(TaxIdRoute),
    Subscriptions(SubscriptionRoute),
    Invoices(InvoiceRoute),
}

/// The operations on `/v1/customers/{customer}/tax_ids` (and seed 004's `tax-ids`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaxIdRoute {
    Create { customer: String },
    List { customer: String },
    Retrieve { customer: String, id: String },
    Delete { customer: String, id: String },
}

/// `/v1/subscriptions` and seed 004's `GET /v1/customers/{customer}/subscriptions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionRoute {
    ListForCustomer { customer: String },
    Objects(ObjectRoute),
}

/// Seed 004's `GET /v1/customers/{customer}/invoices`, and the upcoming invoice:
/// `customer` is `Some` when the path names it (`…/upcoming-invoice`), `None` for
/// Stripe's `GET /v1/invoices/upcoming?customer=…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvoiceRoute {
    ListForCustomer {
        customer: String,
    },
    Upcoming {
        customer: Option<String>,
    },
    /// `/v1/invoices`: list, retrieve, and `POST /{id}/finalize|pay|void|mark_uncollectible`.
    Objects(ObjectRoute),
}

/// The operations on `/v1/events`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRoute {
    List,
    Retrieve { id: String },
}

/// The operations on `/v1/webhook_endpoints`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointRoute {
    Create,
    List,
    Retrieve {
        id: String,
    },
    Update {
        id: String,
    },
    Delete {
        id: String,
    },
    /// Our extension: the endpoint's delivery attempts, newest first.
    ListAttempts {
        id: String,
    },
    /// Our extension: deliver one event to the endpoint again.
    Resend {
        id: String,
    },
}

/// Everything the handlers need from storage: one trait per resource.
pub trait Backend: CustomerBackend + EventBackend + EndpointBackend {}
impl<T: CustomerBackend + EventBackend + EndpointBackend> Backend for T {}

impl Route {
    /// Whether the request's body carries parameters (GET and DELETE take the query only).
    pub fn reads_body(&self) -> bool {
        matches!(
            self,
            Route::WebhookEndpoints(
                EndpointRoute::Create | EndpointRoute::Update { .. } | EndpointRoute::Resend { .. }
            ) | Route::Customers(
                CustomerRoute::Create
                    | CustomerRoute::Update { .. }
                    | CustomerRoute::Undelete { .. }
                    | CustomerRoute::ApplyDiscount { .. }
                    | CustomerRoute::CreateSource { .. }
                    | CustomerRoute::UpdateSource { .. }
                    | CustomerRoute::AttachPaymentMethod { .. }
            ) | Route::Coupons(ObjectRoute::Create | ObjectRoute::Update { .. })
                | Route::PromotionCodes(ObjectRoute::Create | ObjectRoute::Update { .. })
                | Route::PaymentMethods(
                    ObjectRoute::Create | ObjectRoute::Update { .. } | ObjectRoute::Action { .. }
                )
                | Route::TestClocks(ObjectRoute::Create | ObjectRoute::Action { .. })
                | Route::Products(ObjectRoute::Create | ObjectRoute::Update { .. })
                | Route::Prices(ObjectRoute::Create | ObjectRoute::Update { .. })
                | Route::TaxIds(TaxIdRoute::Create { .. })
                | Route::Subscriptions(SubscriptionRoute::Objects(
                    ObjectRoute::Create | ObjectRoute::Update { .. }
                ))
                | Route::Invoices(InvoiceRoute::Objects(ObjectRoute::Action { .. }))
        )
    }

    /// The customer id the path names, if any.
    pub fn customer_id(&self) -> Option<&str> {
        match self {
            Route::Customers(
                CustomerRoute::Retrieve { id }
                | CustomerRoute::Update { id }
                | CustomerRoute::Delete { id }
                | CustomerRoute::Undelete { id }
                | CustomerRoute::Discount { id }
                | CustomerRoute::DeleteDiscount { id }
                | CustomerRoute::ApplyDiscount { id }
                | CustomerRoute::Sources { id }
                | CustomerRoute::CreateSource { id }
                | CustomerRoute::Source { id, .. }
                | CustomerRoute::UpdateSource { id, .. }
                | CustomerRoute::DeleteSource { id, .. }
                | CustomerRoute::PaymentMethods { id }
                | CustomerRoute::AttachPaymentMethod { id }
                | CustomerRoute::PaymentMethod { id, .. },
            ) => Some(id),
            Route::TaxIds(
                TaxIdRoute::Create { customer }
                | TaxIdRoute::List { customer }
                | TaxIdRoute::Retrieve { customer, .. }
                | TaxIdRoute::Delete { customer, .. },
            )
            | Route::Subscriptions(SubscriptionRoute::ListForCustomer { customer })
            | Route::Invoices(
                InvoiceRoute::ListForCustomer { customer }
                | InvoiceRoute::Upcoming {
                    customer: Some(customer),
                },
            ) => Some(customer),
            _ => None,
        }
    }

    /// An id in the path that cannot be one of ours is a 404 before any parameter is
    /// read or any object is touched. The customer's `param` is `id` on
    /// `/v1/customers/{id}` and `customer` on its sub-resources, as Stripe names them.
    pub fn check_ids(&self) -> Result<(), ApiError> {
        if let Some(id) = self.customer_id() {
            if !ids::is_well_formed(id, "cus") {
                let param = match self {
                    Route::Customers(_) => "id",
                    _ => "customer",
                };
                return Err(ApiError::not_found_as("customer", id, param));
            }
        }
        let (id, prefix, kind) = match self {
            Route::TaxIds(TaxIdRoute::Retrieve { id, .. } | TaxIdRoute::Delete { id, .. }) => {
                (id, "txi", "tax id")
            }
            Route::Events(EventRoute::Retrieve { id }) => (id, "evt", "event"),
            Route::WebhookEndpoints(
                EndpointRoute::Retrieve { id }
                | EndpointRoute::Update { id }
                | EndpointRoute::Delete { id }
                | EndpointRoute::ListAttempts { id }
                | EndpointRoute::Resend { id },
            ) => (id, "we", "webhook endpoint"),
            _ => return Ok(()),
        };
        if ids::is_well_formed(id, prefix) {
            Ok(())
        } else {
            Err(ApiError::not_found(kind, id))
        }
    }
}

/// Maps a method and path to its route; anything else is Stripe's 404.
pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path
        .strip_prefix("/v1/")
        .map(|p| p.split('/').collect())
        .unwrap_or_default();
    let customer = |make: fn(String) -> CustomerRoute, id: &str| {
        Some(Route::Customers(make(decode_segment(id))))
    };
    let tax_id = |make: fn(String, String) -> TaxIdRoute, c: &str, id: &str| {
        Some(Route::TaxIds(make(decode_segment(c), decode_segment(id))))
    };
    let is_tax_ids = |s: &str| s == "tax_ids" || s == "tax-ids";
    let is_upcoming = |s: &str| s == "upcoming-invoice" || s == "upcoming_invoice";
    if let ["customers", id, rest @ ..] = segments.as_slice() {
        if let Some(route) = nested_route(method, id, rest) {
            return Ok(route);
        }
    }
    let route = match (method, segments.as_slice()) {
        ("POST", ["customers"]) => Some(Route::Customers(CustomerRoute::Create)),
        ("GET", ["customers"]) => Some(Route::Customers(CustomerRoute::List)),
        ("GET", ["customers", "search"]) => Some(Route::Customers(CustomerRoute::Search)),
        ("GET", ["customers", id]) if !id.is_empty() => {
            customer(|id| CustomerRoute::Retrieve { id }, id)
        }
        ("POST" | "PATCH", ["customers", id]) if !id.is_empty() => {
            customer(|id| CustomerRoute::Update { id }, id)
        }
        ("DELETE", ["customers", id]) if !id.is_empty() => {
            customer(|id| CustomerRoute::Delete { id }, id)
        }
        ("GET", ["events"]) => Some(Route::Events(EventRoute::List)),
        ("GET", ["events", id]) if !id.is_empty() => Some(Route::Events(EventRoute::Retrieve {
            id: decode_segment(id),
        })),
        (method, ["webhook_endpoints", rest @ ..]) => endpoint_route(method, rest),
        ("POST", ["customers", id, "undelete"]) if !id.is_empty() => {
            customer(|id| CustomerRoute::Undelete { id }, id)
        }
        (_, ["customers", c, sub]) if !c.is_empty() => {
            let customer = decode_segment(c);
            match method {
                "POST" if is_tax_ids(sub) => Some(Route::TaxIds(TaxIdRoute::Create { customer })),
                "GET" if is_tax_ids(sub) => Some(Route::TaxIds(TaxIdRoute::List { customer })),
                "GET" if *sub == "subscriptions" => {
                    Some(Route::Subscriptions(SubscriptionRoute::ListForCustomer {
                        customer,
                    }))
                }
                "GET" if *sub == "invoices" => {
                    Some(Route::Invoices(InvoiceRoute::ListForCustomer { customer }))
                }
                "GET" if is_upcoming(sub) => Some(Route::Invoices(InvoiceRoute::Upcoming {
                    customer: Some(customer),
                })),
                _ => None,
            }
        }
        ("GET", ["customers", c, sub, id])
            if is_tax_ids(sub) && !c.is_empty() && !id.is_empty() =>
        {
            tax_id(|customer, id| TaxIdRoute::Retrieve { customer, id }, c, id)
        }
        ("DELETE", ["customers", c, sub, id])
            if is_tax_ids(sub) && !c.is_empty() && !id.is_empty() =>
        {
            tax_id(|customer, id| TaxIdRoute::Delete { customer, id }, c, id)
        }
        ("GET", ["invoices", "upcoming"]) => {
            Some(Route::Invoices(InvoiceRoute::Upcoming { customer: None }))
        }
        (_, ["coupons", rest @ ..]) => object_route(method, rest, "CLRUD", &[]).map(Route::Coupons),
        (_, ["promotion_codes", rest @ ..]) => {
            object_route(method, rest, "CLRU", &[]).map(Route::PromotionCodes)
        }
        (_, ["payment_methods", rest @ ..]) => {
            object_route(method, rest, "CLRU", &["attach", "detach"]).map(Route::PaymentMethods)
        }
        (_, ["test_helpers", "test_clocks", rest @ ..]) => {
            object_route(method, rest, "CLRD", &["advance"]).map(Route::TestClocks)
        }
        (_, ["products", rest @ ..]) => {
            object_route(method, rest, "CLRUD", &[]).map(Route::Products)
        }
        (_, ["prices", rest @ ..]) => object_route(method, rest, "CLRU", &[]).map(Route::Prices),
        (_, ["subscriptions", rest @ ..]) => object_route(method, rest, "CLRUD", &[])
            .map(|r| Route::Subscriptions(SubscriptionRoute::Objects(r))),
        (_, ["invoices", rest @ ..]) => object_route(method, rest, "LR", INVOICE_ACTIONS)
            .map(|r| Route::Invoices(InvoiceRoute::Objects(r))),
        _ => None,
    };
    route.ok_or_else(|| ApiError::UnrecognizedUrl {
        method: method.to_owned(),
        path: path.to_owned(),
    })
}

/// The `POST /v1/invoices/{id}/{action}` routes.
const INVOICE_ACTIONS: &[&str] = &["finalize", "pay", "void", "mark_uncollectible"];

/// `/v1/customers/{id}/…`: the discount, sources and payment methods of one customer
/// (seed 004's `payment-methods` spelling too).
fn nested_route(method: &str, id: &str, rest: &[&str]) -> Option<Route> {
    let id = decode_segment(id);
    let sub = |s: &str| decode_segment(s);
    let route = match (method, rest) {
        ("GET", ["discount"]) => CustomerRoute::Discount { id },
        ("DELETE", ["discount"]) => CustomerRoute::DeleteDiscount { id },
        ("POST", ["discounts"]) => CustomerRoute::ApplyDiscount { id },
        ("GET", ["sources"]) => CustomerRoute::Sources { id },
        ("POST", ["sources"]) => CustomerRoute::CreateSource { id },
        ("GET", ["sources", s]) if !s.is_empty() => CustomerRoute::Source { id, source: sub(s) },
        ("POST", ["sources", s]) if !s.is_empty() => {
            CustomerRoute::UpdateSource { id, source: sub(s) }
        }
        ("DELETE", ["sources", s]) if !s.is_empty() => {
            CustomerRoute::DeleteSource { id, source: sub(s) }
        }
        ("GET", ["payment_methods" | "payment-methods"]) => CustomerRoute::PaymentMethods { id },
        ("POST", ["payment_methods" | "payment-methods"]) => {
            CustomerRoute::AttachPaymentMethod { id }
        }
        ("GET", ["payment_methods" | "payment-methods", pm]) if !pm.is_empty() => {
            CustomerRoute::PaymentMethod {
                id,
                payment_method: sub(pm),
            }
        }
        _ => return None,
    };
    Some(Route::Customers(route))
}

/// The routes of a collection of account objects, after its name: `ops` says which of
/// Create, List, Retrieve, Update, Delete it has, `actions` its `POST /{id}/{action}`s.
fn object_route(method: &str, rest: &[&str], ops: &str, actions: &[&str]) -> Option<ObjectRoute> {
    let id = |s: &str| decode_segment(s);
    let (op, route) = match (method, rest) {
        ("POST", []) => ('C', ObjectRoute::Create),
        ("GET", []) => ('L', ObjectRoute::List),
        ("GET", [i]) if !i.is_empty() => ('R', ObjectRoute::Retrieve { id: id(i) }),
        ("POST", [i]) if !i.is_empty() => ('U', ObjectRoute::Update { id: id(i) }),
        ("DELETE", [i]) if !i.is_empty() => ('D', ObjectRoute::Delete { id: id(i) }),
        ("POST", [i, action]) if !i.is_empty() && actions.contains(action) => {
            return Some(ObjectRoute::Action {
                id: id(i),
                action: (*action).to_owned(),
            })
        }
        _ => return None,
    };
    ops.contains(op).then_some(route)
}

fn endpoint_route(method: &str, rest: &[&str]) -> Option<Route> {
    let op = match (method, rest) {
        ("POST", []) => EndpointRoute::Create,
        ("GET", []) => EndpointRoute::List,
        ("GET", [id]) if !id.is_empty() => EndpointRoute::Retrieve {
            id: decode_segment(id),
        },
        ("POST", [id]) if !id.is_empty() => EndpointRoute::Update {
            id: decode_segment(id),
        },
        ("DELETE", [id]) if !id.is_empty() => EndpointRoute::Delete {
            id: decode_segment(id),
        },
        ("GET", [id, "delivery_attempts"]) if !id.is_empty() => EndpointRoute::ListAttempts {
            id: decode_segment(id),
        },
        ("POST", [id, "resend"]) if !id.is_empty() => EndpointRoute::Resend {
            id: decode_segment(id),
        },
        _ => return None,
    };
    Some(Route::WebhookEndpoints(op))
}

/// Runs the handler of `route`.
pub async fn dispatch(
    route: Route,
    mut req: ApiRequest,
    backend: &impl Backend,
) -> Result<Rendered, ApiError> {
    // The routes of the referenced objects are parsed synchronously into one command,
    // so this future has few await points (each one costs code in the wasm).
    let next = match route {
        Route::Customers(op) => match op {
            CustomerRoute::Create => return customers::create(req, backend).await,
            CustomerRoute::List => return customers::list(req, backend).await,
            CustomerRoute::Search => return customers::search(req, backend).await,
            CustomerRoute::Retrieve { id } => return customers::retrieve(req, backend, &id).await,
            CustomerRoute::Update { id } => return customers::update(req, backend, &id).await,
            CustomerRoute::Delete { id } => return customers::delete(req, backend, &id).await,
            CustomerRoute::Undelete { id } => return customers::undelete(req, backend, &id).await,
            CustomerRoute::Discount { id } => Next::Discount(id, false),
            CustomerRoute::ApplyDiscount { id } => Next::Discount(id, true),
            CustomerRoute::PaymentMethods { id } => Next::Objects(
                payment_methods::customer_command(&id, None, false, &mut req)?,
            ),
            CustomerRoute::AttachPaymentMethod { id } => Next::Objects(
                payment_methods::customer_command(&id, None, true, &mut req)?,
            ),
            CustomerRoute::PaymentMethod { id, payment_method } => Next::Objects(
                payment_methods::customer_command(&id, Some(&payment_method), false, &mut req)?,
            ),
            other => {
                let (id, command) = nested::command(other, &mut req)?;
                Next::Nested(id, Box::new(command))
            }
        },
        Route::Coupons(op) => Next::Objects(coupons::command(op, &mut req)?),
        Route::PromotionCodes(op) => Next::Objects(promotion_codes::command(op, &mut req)?),
        Route::PaymentMethods(op) => Next::Objects(payment_methods::command(op, &mut req)?),
        Route::TestClocks(op) => Next::Objects(test_clocks::command(op, &mut req)?),
        Route::Products(op) => Next::Objects(products::command(
            op,
            &mut req,
            crate::resources::prices::parse_price_data,
        )?),
        Route::Prices(op) => Next::Objects(prices::command(op, &mut req)?),
        other => return dispatch_others(other, req, backend).await,
    };
    match next {
        Next::Discount(id, apply) => nested::discount(req, backend, &id, apply).await,
        Next::Nested(id, command) => nested::run(&req, backend, &id, *command).await,
        Next::Objects(command) => match command.op.as_str() {
            // These two owe the customers a follow-up.
            "payment_method.detach" => payment_methods::detach(&req, backend, command).await,
            "test_clock.delete" => test_clocks::delete(&req, backend, command).await,
            _ => call(&req, backend, command).await,
        },
    }
}

/// What a route of the referenced objects sends, once parsed.
enum Next {
    Discount(String, bool),
    Nested(
        String,
        Box<crate::resources::customers::commands::CustomerCommand>,
    ),
    Objects(crate::resources::objects::ObjectCommand),
}

/// The routes of tax ids, subscriptions, invoices, events and webhook endpoints.
async fn dispatch_others(
    route: Route,
    req: ApiRequest,
    backend: &impl Backend,
) -> Result<Rendered, ApiError> {
    match route {
        Route::TaxIds(op) => match op {
            TaxIdRoute::Create { customer } => tax_ids::create(req, backend, &customer).await,
            TaxIdRoute::List { customer } => tax_ids::list(req, backend, &customer).await,
            TaxIdRoute::Retrieve { customer, id } => {
                tax_ids::retrieve(req, backend, &customer, &id).await
            }
            TaxIdRoute::Delete { customer, id } => {
                tax_ids::delete(req, backend, &customer, &id).await
            }
        },
        Route::Subscriptions(_) | Route::Invoices(_) => {
            let mut req = req;
            let plan = billing_plan(route, &mut req)?;
            billing::run(&req, backend, plan).await
        }
        Route::Events(op) => match op {
            EventRoute::List => events::list(req, backend).await,
            EventRoute::Retrieve { id } => events::retrieve(req, backend, &id).await,
        },
        Route::WebhookEndpoints(op) => match op {
            EndpointRoute::Create => endpoints::create(req, backend).await,
            EndpointRoute::List => endpoints::list(req, backend).await,
            EndpointRoute::Retrieve { id } => endpoints::retrieve(req, backend, &id).await,
            EndpointRoute::Update { id } => endpoints::update(req, backend, &id).await,
            EndpointRoute::Delete { id } => endpoints::delete(req, backend, &id).await,
            EndpointRoute::ListAttempts { id } => endpoints::list_attempts(req, backend, &id).await,
            EndpointRoute::Resend { id } => endpoints::resend(req, backend, &id).await,
        },
        _ => Err(ApiError::internal("unrouted operation")),
    }
}

/// The billing routes, parsed with no await into one plan for `billing::calls::run`.
fn billing_plan(route: Route, req: &mut ApiRequest) -> Result<billing::Plan, ApiError> {
    match route {
        Route::Subscriptions(SubscriptionRoute::ListForCustomer { customer }) => {
            subscriptions::plan_for_customer(req, &customer)
        }
        Route::Subscriptions(SubscriptionRoute::Objects(op)) => subscriptions::plan(op, req),
        Route::Invoices(InvoiceRoute::ListForCustomer { customer }) => {
            invoices::plan_for_customer(req, &customer)
        }
        Route::Invoices(InvoiceRoute::Upcoming { customer }) => {
            invoices::plan_upcoming(req, customer.as_deref())
        }
        Route::Invoices(InvoiceRoute::Objects(op)) => invoices::plan(op, req),
        _ => Err(ApiError::internal("not a billing route")),
    }
}

/// Whether `path` is the dashboard's (`/dashboard` or below), served from the static
/// assets when the `DASHBOARD` var is `true` and an unknown API path otherwise.
pub fn is_dashboard_path(path: &str) -> bool {
    path.strip_prefix("/dashboard")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Path ids arrive percent-encoded; a segment that does not decode is kept as is
/// (it cannot name a customer, so it becomes a 404 later).
fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .unwrap_or_else(|_| segment.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_customer_route_is_recognised() {
        let id = || "cus_1".to_string();
        let cases = [
            (
                "POST",
                "/v1/customers",
                Route::Customers(CustomerRoute::Create),
            ),
            (
                "GET",
                "/v1/customers",
                Route::Customers(CustomerRoute::List),
            ),
            (
                "GET",
                "/v1/customers/search",
                Route::Customers(CustomerRoute::Search),
            ),
            (
                "GET",
                "/v1/customers/cus_1",
                Route::Customers(CustomerRoute::Retrieve { id: id() }),
            ),
            (
                "POST",
                "/v1/customers/cus_1",
                Route::Customers(CustomerRoute::Update { id: id() }),
            ),
            (
                "PATCH",
                "/v1/customers/cus_1",
                Route::Customers(CustomerRoute::Update { id: id() }),
            ),
            (
                "DELETE",
                "/v1/customers/cus_1",
                Route::Customers(CustomerRoute::Delete { id: id() }),
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route(method, path).unwrap(), expected, "{method} {path}");
        }
    }

    #[test]
    fn each_seed_004_route_is_recognised_and_hyphenated_paths_are_aliases() {
        let c = || "cus_1".to_string();
        let t = || "txi_1".to_string();
        let cases = [
            (
                "POST",
                "/v1/customers/cus_1/undelete",
                Route::Customers(CustomerRoute::Undelete { id: c() }),
            ),
            (
                "POST",
                "/v1/customers/cus_1/tax_ids",
                Route::TaxIds(TaxIdRoute::Create { customer: c() }),
            ),
            (
                "POST",
                "/v1/customers/cus_1/tax-ids",
                Route::TaxIds(TaxIdRoute::Create { customer: c() }),
            ),
            (
                "GET",
                "/v1/customers/cus_1/tax_ids",
                Route::TaxIds(TaxIdRoute::List { customer: c() }),
            ),
            (
                "GET",
                "/v1/customers/cus_1/tax-ids",
                Route::TaxIds(TaxIdRoute::List { customer: c() }),
            ),
            (
                "GET",
                "/v1/customers/cus_1/tax_ids/txi_1",
                Route::TaxIds(TaxIdRoute::Retrieve {
                    customer: c(),
                    id: t(),
                }),
            ),
            (
                "GET",
                "/v1/customers/cus_1/tax-ids/txi_1",
                Route::TaxIds(TaxIdRoute::Retrieve {
                    customer: c(),
                    id: t(),
                }),
            ),
            (
                "DELETE",
                "/v1/customers/cus_1/tax_ids/txi_1",
                Route::TaxIds(TaxIdRoute::Delete {
                    customer: c(),
                    id: t(),
                }),
            ),
            (
                "DELETE",
                "/v1/customers/cus_1/tax-ids/txi_1",
                Route::TaxIds(TaxIdRoute::Delete {
                    customer: c(),
                    id: t(),
                }),
            ),
            (
                "GET",
                "/v1/customers/cus_1/subscriptions",
                Route::Subscriptions(SubscriptionRoute::ListForCustomer { customer: c() }),
            ),
            (
                "GET",
                "/v1/customers/cus_1/invoices",
                Route::Invoices(InvoiceRoute::ListForCustomer { customer: c() }),
            ),
            (
                "GET",
                "/v1/customers/cus_1/upcoming-invoice",
                Route::Invoices(InvoiceRoute::Upcoming {
                    customer: Some(c()),
                }),
            ),
            (
                "GET",
                "/v1/invoices/upcoming",
                Route::Invoices(InvoiceRoute::Upcoming { customer: None }),
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route(method, path).unwrap(), expected, "{method} {path}");
        }
        for (method, path) in [
            ("GET", "/v1/customers/cus_1/undelete"),
            ("PUT", "/v1/customers/cus_1/tax_ids"),
            ("POST", "/v1/customers/cus_1/tax_ids/txi_1"),
            ("POST", "/v1/customers/cus_1/subscriptions"),
            ("GET", "/v1/customers//tax_ids"),
            ("GET", "/v1/customers/cus_1/tax_ids/"),
        ] {
            assert_eq!(
                route(method, path).unwrap_err().status(),
                404,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn a_malformed_id_on_a_sub_resource_path_is_a_404_naming_customer_or_the_tax_id() {
        let err = route("GET", "/v1/customers/nope/tax_ids")
            .unwrap()
            .check_ids()
            .unwrap_err();
        assert_eq!(err, ApiError::not_found_as("customer", "nope", "customer"));
        let err = route("POST", "/v1/customers/nope/undelete")
            .unwrap()
            .check_ids()
            .unwrap_err();
        assert_eq!(err, ApiError::not_found("customer", "nope"));
        let err = route("DELETE", "/v1/customers/cus_1/tax_ids/bad")
            .unwrap()
            .check_ids()
            .unwrap_err();
        assert_eq!(err.to_string(), "No such tax id: 'bad'");
        assert!(route("GET", "/v1/invoices/upcoming")
            .unwrap()
            .check_ids()
            .is_ok());
    }

    #[test]
    fn anything_else_is_an_unrecognized_url() {
        for (method, path) in [
            ("GET", "/"),
            ("GET", "/v1/charges"),
            ("PUT", "/v1/webhook_endpoints"),
            ("GET", "/v1/events/evt_1/x"),
            ("PUT", "/v1/customers"),
            ("DELETE", "/v1/customers"),
            ("GET", "/v1/customers/"),
            ("GET", "/v1/customers/cus_1/nothing"),
            ("GET", "/v2/customers"),
        ] {
            let err = route(method, path).unwrap_err();
            assert_eq!(err.status(), 404, "{method} {path}");
            assert!(err
                .to_string()
                .starts_with(&format!("Unrecognized request URL ({method}: {path})")));
        }
    }

    #[test]
    fn only_routes_on_one_customer_name_a_customer_id() {
        assert_eq!(
            route("DELETE", "/v1/customers/cus_9")
                .unwrap()
                .customer_id(),
            Some("cus_9")
        );
        assert_eq!(route("GET", "/v1/customers").unwrap().customer_id(), None);
        assert_eq!(
            route("GET", "/v1/customers/search").unwrap().customer_id(),
            None
        );
    }

    #[test]
    fn event_and_endpoint_routes_are_recognised_and_their_ids_checked() {
        assert_eq!(
            route("GET", "/v1/events").unwrap(),
            Route::Events(EventRoute::List)
        );
        let retrieve = route("GET", "/v1/events/evt_1").unwrap();
        assert!(retrieve.check_ids().is_ok());
        let err = route("GET", "/v1/events/cus_1")
            .unwrap()
            .check_ids()
            .unwrap_err();
        assert_eq!(err.to_string(), "No such event: 'cus_1'");
        assert_eq!(
            route("POST", "/v1/webhook_endpoints/we_1").unwrap(),
            Route::WebhookEndpoints(EndpointRoute::Update { id: "we_1".into() })
        );
        assert!(route("POST", "/v1/webhook_endpoints").unwrap().reads_body());
    }

    #[test]
    fn the_dashboard_extensions_are_routed_and_their_endpoint_id_checked() {
        assert_eq!(
            route("GET", "/v1/webhook_endpoints/we_1/delivery_attempts").unwrap(),
            Route::WebhookEndpoints(EndpointRoute::ListAttempts { id: "we_1".into() })
        );
        let resend = route("POST", "/v1/webhook_endpoints/we_1/resend").unwrap();
        assert_eq!(
            resend,
            Route::WebhookEndpoints(EndpointRoute::Resend { id: "we_1".into() })
        );
        assert!(resend.reads_body());
        let err = route("POST", "/v1/webhook_endpoints/cus_1/resend")
            .unwrap()
            .check_ids()
            .unwrap_err();
        assert_eq!(err.to_string(), "No such webhook endpoint: 'cus_1'");
        for (method, path) in [
            ("POST", "/v1/webhook_endpoints/we_1/delivery_attempts"),
            ("GET", "/v1/webhook_endpoints/we_1/resend"),
            ("GET", "/v1/webhook_endpoints//delivery_attempts"),
        ] {
            assert_eq!(
                route(method, path).unwrap_err().status(),
                404,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn only_dashboard_and_below_are_dashboard_paths() {
        for path in ["/dashboard", "/dashboard/", "/dashboard/app.js"] {
            assert!(is_dashboard_path(path), "{path}");
        }
        for path in [
            "/",
            "/dashboards",
            "/v1/dashboard",
            "/dashboard.js",
            "/app.js",
        ] {
            assert!(!is_dashboard_path(path), "{path}");
        }
    }

    #[test]
    fn path_ids_are_percent_decoded() {
        assert_eq!(
            route("GET", "/v1/customers/cus%5F1").unwrap(),
            Route::Customers(CustomerRoute::Retrieve { id: "cus_1".into() })
        );
    }
}

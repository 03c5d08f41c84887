//! The dispatch table, above every resource: a method and path name a [`Route`], and
//! [`dispatch`] runs that resource's handler. A path that matches no route is
//! Stripe's 404 in the same shape.
//!
//! ```text
//! POST   /v1/customers            create        GET /v1/customers        list
//! GET    /v1/customers/{id}       retrieve      POST|PATCH /v1/customers/{id}  update
//! DELETE /v1/customers/{id}       delete        GET /v1/customers/search search
//! ```

use crate::resources::customers::backend::CustomerBackend;
use crate::resources::customers::handlers as customers;
use crate::resources::events::commands::EventBackend;
use crate::resources::events::handlers as events;
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
    Events(EventRoute),
    WebhookEndpoints(EndpointRoute),
}

/// The operations on `/v1/customers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRoute {
    Create,
    List,
    Search,
    Retrieve { id: String },
    Update { id: String },
    Delete { id: String },
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
    Retrieve { id: String },
    Update { id: String },
    Delete { id: String },
}

/// Everything the handlers need from storage: one trait per resource.
pub trait Backend: CustomerBackend + EventBackend + EndpointBackend {}
impl<T: CustomerBackend + EventBackend + EndpointBackend> Backend for T {}

impl Route {
    /// Whether the request's body carries parameters (GET and DELETE take the query only).
    pub fn reads_body(&self) -> bool {
        matches!(
            self,
            Route::Customers(CustomerRoute::Create | CustomerRoute::Update { .. })
                | Route::WebhookEndpoints(EndpointRoute::Create | EndpointRoute::Update { .. })
        )
    }

    /// The customer id the path names, if any.
    pub fn customer_id(&self) -> Option<&str> {
        match self {
            Route::Customers(
                CustomerRoute::Retrieve { id }
                | CustomerRoute::Update { id }
                | CustomerRoute::Delete { id },
            ) => Some(id),
            _ => None,
        }
    }

    /// An id in the path that cannot be one of ours is a 404 before any parameter is
    /// read or any object is touched.
    pub fn check_ids(&self) -> Result<(), ApiError> {
        let (id, prefix, kind) = match self {
            Route::Events(EventRoute::Retrieve { id }) => (id.as_str(), "evt", "event"),
            Route::WebhookEndpoints(
                EndpointRoute::Retrieve { id }
                | EndpointRoute::Update { id }
                | EndpointRoute::Delete { id },
            ) => (id.as_str(), "we", "webhook endpoint"),
            _ => match self.customer_id() {
                Some(id) => (id, "cus", "customer"),
                None => return Ok(()),
            },
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
        _ => None,
    };
    route.ok_or_else(|| ApiError::UnrecognizedUrl {
        method: method.to_owned(),
        path: path.to_owned(),
    })
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
        _ => return None,
    };
    Some(Route::WebhookEndpoints(op))
}

/// Runs the handler of `route`.
pub async fn dispatch(
    route: Route,
    req: ApiRequest,
    backend: &impl Backend,
) -> Result<Rendered, ApiError> {
    match route {
        Route::Customers(op) => match op {
            CustomerRoute::Create => customers::create(req, backend).await,
            CustomerRoute::List => customers::list(req, backend).await,
            CustomerRoute::Search => customers::search(req, backend).await,
            CustomerRoute::Retrieve { id } => customers::retrieve(req, backend, &id).await,
            CustomerRoute::Update { id } => customers::update(req, backend, &id).await,
            CustomerRoute::Delete { id } => customers::delete(req, backend, &id).await,
        },
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
        },
    }
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
    fn path_ids_are_percent_decoded() {
        assert_eq!(
            route("GET", "/v1/customers/cus%5F1").unwrap(),
            Route::Customers(CustomerRoute::Retrieve { id: "cus_1".into() })
        );
    }
}

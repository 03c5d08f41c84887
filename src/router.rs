//! Maps a method and path to the operation it names. Pure: it knows nothing of the
//! Worker runtime, and a path that matches no route is Stripe's 404 in the same shape.
//!
//! ```text
//! POST   /v1/customers            create        GET /v1/customers        list
//! GET    /v1/customers/{id}       retrieve      POST|PATCH /v1/customers/{id}  update
//! DELETE /v1/customers/{id}       delete        GET /v1/customers/search search
//! ```

use crate::error::ApiError;

/// One API operation, with the ids taken from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    CreateCustomer,
    ListCustomers,
    SearchCustomers,
    RetrieveCustomer { id: String },
    UpdateCustomer { id: String },
    DeleteCustomer { id: String },
}

impl Route {
    /// Whether the request's body carries parameters (GET and DELETE take the query only).
    pub fn reads_body(&self) -> bool {
        matches!(self, Route::CreateCustomer | Route::UpdateCustomer { .. })
    }

    /// The customer id the path names, if any.
    pub fn customer_id(&self) -> Option<&str> {
        match self {
            Route::RetrieveCustomer { id }
            | Route::UpdateCustomer { id }
            | Route::DeleteCustomer { id } => Some(id),
            _ => None,
        }
    }
}

pub fn route(method: &str, path: &str) -> Result<Route, ApiError> {
    let segments: Vec<&str> = path
        .strip_prefix("/v1/")
        .map(|p| p.split('/').collect())
        .unwrap_or_default();
    let route = match (method, segments.as_slice()) {
        ("POST", ["customers"]) => Some(Route::CreateCustomer),
        ("GET", ["customers"]) => Some(Route::ListCustomers),
        ("GET", ["customers", "search"]) => Some(Route::SearchCustomers),
        ("GET", ["customers", id]) if !id.is_empty() => Some(Route::RetrieveCustomer {
            id: decode_segment(id),
        }),
        ("POST" | "PATCH", ["customers", id]) if !id.is_empty() => Some(Route::UpdateCustomer {
            id: decode_segment(id),
        }),
        ("DELETE", ["customers", id]) if !id.is_empty() => Some(Route::DeleteCustomer {
            id: decode_segment(id),
        }),
        _ => None,
    };
    route.ok_or_else(|| ApiError::UnrecognizedUrl {
        method: method.to_owned(),
        path: path.to_owned(),
    })
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
            ("POST", "/v1/customers", Route::CreateCustomer),
            ("GET", "/v1/customers", Route::ListCustomers),
            ("GET", "/v1/customers/search", Route::SearchCustomers),
            (
                "GET",
                "/v1/customers/cus_1",
                Route::RetrieveCustomer { id: id() },
            ),
            (
                "POST",
                "/v1/customers/cus_1",
                Route::UpdateCustomer { id: id() },
            ),
            (
                "PATCH",
                "/v1/customers/cus_1",
                Route::UpdateCustomer { id: id() },
            ),
            (
                "DELETE",
                "/v1/customers/cus_1",
                Route::DeleteCustomer { id: id() },
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
    fn path_ids_are_percent_decoded() {
        assert_eq!(
            route("GET", "/v1/customers/cus%5F1").unwrap(),
            Route::RetrieveCustomer { id: "cus_1".into() }
        );
    }
}

//! Stripe's envelopes around many objects: the `list` of a list call, the list
//! embedded in an object, and the `search_result` of a search call.

use serde::Serialize;

/// Stripe's list envelope, in the order seed 001 prints it:
/// `{"object": "list", "url", "has_more", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct List<T> {
    pub object: &'static str,
    pub url: String,
    pub has_more: bool,
    pub data: Vec<T>,
}

impl<T> List<T> {
    pub fn new(url: &str, data: Vec<T>, has_more: bool) -> Self {
        List {
            object: "list",
            url: url.to_owned(),
            has_more,
            data,
        }
    }
}

/// A whole list embedded in an object (`tax_ids`, `sources`, …), as the 2023-08-16
/// schema has it: `object`, `data`, `has_more`, `url` (no `total_count`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbeddedList<T> {
    pub object: &'static str,
    pub data: Vec<T>,
    pub has_more: bool,
    pub url: String,
}

impl<T> EmbeddedList<T> {
    pub fn new(url: String, data: Vec<T>) -> Self {
        EmbeddedList {
            object: "list",
            data,
            has_more: false,
            url,
        }
    }
}

/// The envelope of a search: `{"object": "search_result", "url", "has_more", "data", "next_page"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult<T> {
    pub object: &'static str,
    pub url: String,
    pub has_more: bool,
    pub data: Vec<T>,
    pub next_page: Option<String>,
}

impl<T> SearchResult<T> {
    pub fn new(url: &str, data: Vec<T>, next_page: Option<String>) -> Self {
        SearchResult {
            object: "search_result",
            url: url.to_owned(),
            has_more: next_page.is_some(),
            data,
            next_page,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_has_the_seed_keys_in_the_seed_order() {
        let body = serde_json::to_string(&List::new("/v1/customers", vec![1], true)).unwrap();
        assert_eq!(
            body,
            r#"{"object":"list","url":"/v1/customers","has_more":true,"data":[1]}"#
        );
    }

    #[test]
    fn a_search_result_has_more_exactly_when_it_has_a_next_page() {
        let last = SearchResult::new("/v1/customers/search", vec![1], None);
        assert!(!last.has_more);
        let body =
            serde_json::to_string(&SearchResult::new("/u", vec![2], Some("p".into()))).unwrap();
        assert_eq!(
            body,
            r#"{"object":"search_result","url":"/u","has_more":true,"data":[2],"next_page":"p"}"#
        );
    }
}

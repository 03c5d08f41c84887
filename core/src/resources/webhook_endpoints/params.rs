//! The parameters of `POST /v1/webhook_endpoints` and `POST /v1/webhook_endpoints/{id}`,
//! validated, and the change an update applies to a stored endpoint.

use super::model::{
    validate_api_version, validate_enabled_events, validate_url, EndpointStatus, WebhookEndpoint,
};
use crate::wire::error::ApiError;
use crate::wire::form::FormMap;
use crate::wire::metadata::MetadataPatch;
use crate::wire::params::{element_string, Field, Params};

const DESCRIPTION_MAX: usize = 5000;
const EVENT_NAME_MAX: usize = 200;

/// What `POST /v1/webhook_endpoints` asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateEndpoint {
    pub url: String,
    pub enabled_events: Vec<String>,
    pub description: Option<String>,
    pub api_version: Option<String>,
    pub metadata: MetadataPatch,
}

impl CreateEndpoint {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let url = p
            .required_string("url", usize::MAX)?
            .ok_or_else(|| missing("url"))?;
        validate_url(&url)?;
        let enabled_events = parse_events(p)?.ok_or_else(|| missing("enabled_events"))?;
        let description = p.string("description", DESCRIPTION_MAX)?.into_option();
        let api_version = p.required_string("api_version", 10)?;
        if let Some(version) = &api_version {
            validate_api_version(version)?;
        }
        if p.boolean("connect")? == Field::Set(true) {
            return Err(ApiError::invalid(
                "connect",
                "Connect endpoints are not supported: this account has no connected accounts.",
            ));
        }
        Ok(CreateEndpoint {
            url,
            enabled_events,
            description,
            api_version,
            metadata: MetadataPatch::parse(p)?,
        })
    }
}

/// What `POST /v1/webhook_endpoints/{id}` changes.
#[derive(Debug, Clone, PartialEq)]
pub struct EndpointChanges {
    /// The parameters as received: what crosses to the AccountObject, which parses
    /// them again ([`EndpointChanges::reparse`]).
    pub source: FormMap,
    pub url: Option<String>,
    pub enabled_events: Option<Vec<String>>,
    pub description: Field<String>,
    pub disabled: Option<bool>,
    pub metadata: MetadataPatch,
}

impl EndpointChanges {
    pub fn parse(p: &mut Params) -> Result<Self, ApiError> {
        let source = p.entries().clone();
        let url = p.required_string("url", usize::MAX)?;
        if let Some(url) = &url {
            validate_url(url)?;
        }
        Ok(EndpointChanges {
            source,
            url,
            enabled_events: parse_events(p)?,
            description: p.string("description", DESCRIPTION_MAX)?,
            disabled: p.boolean("disabled")?.into_option(),
            metadata: MetadataPatch::parse(p)?,
        })
    }

    /// The changes again from their [`EndpointChanges::source`] (the object's side).
    pub fn reparse(source: FormMap) -> Option<Self> {
        EndpointChanges::parse(&mut Params::new(source)).ok()
    }

    /// Applies the change; the endpoint is left as it was if this fails.
    pub fn apply_to(self, endpoint: &mut WebhookEndpoint) -> Result<(), ApiError> {
        let mut metadata = endpoint.metadata.clone();
        self.metadata.apply_to(&mut metadata)?;
        endpoint.metadata = metadata;
        if let Some(url) = self.url {
            endpoint.url = url;
        }
        if let Some(events) = self.enabled_events {
            endpoint.enabled_events = events;
        }
        self.description.apply_to(&mut endpoint.description);
        if let Some(disabled) = self.disabled {
            endpoint.status = if disabled {
                EndpointStatus::Disabled
            } else {
                EndpointStatus::Enabled
            };
        }
        Ok(())
    }
}

fn missing(param: &str) -> ApiError {
    ApiError::MissingParameter {
        param: param.to_owned(),
    }
}

/// `enabled_events[]`: a list of known event names or `*`; a scalar is Stripe's
/// `Invalid array`.
fn parse_events(p: &mut Params) -> Result<Option<Vec<String>>, ApiError> {
    let items = match p.list("enabled_events") {
        Ok(Field::Set(items)) => items,
        Ok(_) => return Ok(None),
        Err(_) => return Err(ApiError::invalid("enabled_events", "Invalid array")),
    };
    let mut names = Vec::with_capacity(items.len());
    for (name, value) in items {
        names.push(element_string(&name, value, EVENT_NAME_MAX)?);
    }
    validate_enabled_events(&names)?;
    Ok(Some(names))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::form::decode_form;

    fn params(query: &str) -> Params {
        Params::new(decode_form(query.as_bytes()).unwrap())
    }

    fn create(query: &str) -> Result<CreateEndpoint, ApiError> {
        let mut p = params(query);
        let parsed = CreateEndpoint::parse(&mut p)?;
        p.finish()?;
        Ok(parsed)
    }

    #[test]
    fn a_create_needs_a_url_and_enabled_events() {
        let ok = create("url=https://example.com/hook&enabled_events[]=customer.created").unwrap();
        assert_eq!(ok.enabled_events, ["customer.created"]);
        let err = create("enabled_events[]=*").unwrap_err();
        assert_eq!(err.to_string(), "Missing required param: url.");
        let err = create("url=https://example.com/hook").unwrap_err();
        assert_eq!(err.param(), Some("enabled_events"));
    }

    #[test]
    fn bad_urls_and_unknown_events_are_400s_on_their_param() {
        let err = create("url=ftp://example.com&enabled_events[]=*").unwrap_err();
        assert_eq!(
            (err.param(), err.code()),
            (Some("url"), Some("url_invalid"))
        );
        let err = create("url=http://x.test&enabled_events[]=*&enabled_events[]=nope").unwrap_err();
        assert_eq!(err.param(), Some("enabled_events[1]"));
        assert!(err
            .to_string()
            .starts_with("Invalid enabled_events[1]: must be one of "));
        let err = create("url=http://x.test&enabled_events=customer.created").unwrap_err();
        assert_eq!(err.to_string(), "Invalid array");
    }

    #[test]
    fn an_update_changes_only_what_it_names() {
        let mut endpoint = WebhookEndpoint {
            id: "we_1".into(),
            object: "webhook_endpoint".into(),
            api_version: None,
            application: None,
            created: 1,
            description: Some("d".into()),
            enabled_events: vec!["*".into()],
            livemode: false,
            metadata: Default::default(),
            secret: None,
            status: EndpointStatus::Enabled,
            url: "http://a.test/".into(),
        };
        let mut p = params("disabled=true&metadata[k]=v");
        EndpointChanges::parse(&mut p)
            .unwrap()
            .apply_to(&mut endpoint)
            .unwrap();
        assert_eq!(endpoint.status, EndpointStatus::Disabled);
        assert_eq!(endpoint.metadata["k"], "v");
        assert_eq!(endpoint.description.as_deref(), Some("d"));
        assert_eq!(endpoint.url, "http://a.test/");
    }
}

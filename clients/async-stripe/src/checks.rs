//! The checks, run in order against one fresh account: customers CRUD with nested fields,
//! list by email, typed errors, a test payment method as the invoice default, a webhook
//! delivered by the server and verified with `Webhook::construct_event`, and the events.
use crate::receiver::Receiver;
use std::collections::HashMap;
use std::time::Duration;
// Two modules export a `TaxIdType`; tax_id_data takes the customer module's.
use stripe::generated::core::customer::TaxIdType;
use stripe::{
    Address, AttachPaymentMethod, Client, CreateCustomer, CreateCustomerShipping,
    CreateCustomerShippingAddress, CreateWebhookEndpoint, Customer, CustomerId,
    CustomerInvoiceSettings, ErrorCode, ErrorType, Event, EventFilter, EventObject, EventType,
    ListCustomers, ListEvents, PaymentMethod, PaymentMethodId, StripeError, TaxIdData,
    UpdateCustomer, Webhook, WebhookEndpoint, WebhookError,
};

/// The check that failed, and why.
pub struct Failed {
    pub check: &'static str,
    pub why: String,
}

type Outcome<T = ()> = Result<T, String>;

/// Runs every check in order; prints `ok <check>` for each one passed.
pub fn run(client: &Client) -> Result<(), Failed> {
    let customer = step("customers.create", create(client))?;
    step("customers.retrieve", retrieve(client, &customer))?;
    step("customers.update", update(client, &customer.id))?;
    step(
        "customers.list_by_email",
        list_by_email(client, &customer.id),
    )?;
    step("errors.resource_missing", missing_customer(client))?;
    step("errors.bad_parameter", bad_parameter(client))?;
    let card = step(
        "payment_methods.attach",
        attach_test_card(client, &customer.id),
    )?;
    step(
        "customers.default_payment_method",
        set_default(client, &customer.id, &card),
    )?;
    step("webhooks.construct_event", verified_webhook(client))?;
    step("customers.delete", delete(client, &customer.id))?;
    step("events.list", events(client, &customer.id))?;
    // A subscription belongs here "when billing exists": the server has no billing yet
    // (no products, prices or subscriptions to create), so there is nothing to check.
    Ok(())
}

/// Reports one check: `ok <check>`, or the failure that stops the run.
fn step<T>(check: &'static str, outcome: Outcome<T>) -> Result<T, Failed> {
    match outcome {
        Ok(value) => {
            println!("ok {check}");
            Ok(value)
        }
        Err(why) => Err(Failed { check, why }),
    }
}

/// `Err(what)` unless `expected == actual`.
fn same<T: PartialEq + std::fmt::Debug>(what: &str, expected: T, actual: T) -> Outcome {
    if expected == actual {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected:?}, got {actual:?}"))
    }
}

fn sdk(err: StripeError) -> String {
    format!("the SDK failed: {err:?}")
}

const EMAIL: &str = "ada@example.com";

fn create(client: &Client) -> Outcome<Customer> {
    let params = CreateCustomer {
        email: Some(EMAIL),
        name: Some("Ada Lovelace"),
        phone: Some("+44 20 7946 0000"),
        description: Some("made by async-stripe"),
        address: Some(Address {
            line1: Some("12 St James's Square".into()),
            city: Some("London".into()),
            postal_code: Some("SW1Y 4JH".into()),
            country: Some("GB".into()),
            ..Address::default()
        }),
        shipping: Some(CreateCustomerShipping {
            name: "Ada at home".into(),
            phone: None,
            address: CreateCustomerShippingAddress {
                line1: Some("1 Marylebone Rd".into()),
                city: Some("London".into()),
                ..CreateCustomerShippingAddress::default()
            },
        }),
        metadata: Some(HashMap::from([
            ("plan".into(), "pro".into()),
            ("team".into(), "math".into()),
        ])),
        preferred_locales: Some(vec!["en".into(), "fr".into()]),
        tax_id_data: Some(vec![TaxIdData {
            type_: TaxIdType::GbVat,
            value: "GB123456789".into(),
        }]),
        ..CreateCustomer::new()
    };
    let customer = Customer::create(client, params).map_err(sdk)?;
    same("email", Some(EMAIL), customer.email.as_deref())?;
    let city = customer.address.as_ref().and_then(|a| a.city.as_deref());
    same("address.city", Some("London"), city)?;
    let shipping_name = customer.shipping.as_ref().and_then(|s| s.name.as_deref());
    same("shipping.name", Some("Ada at home"), shipping_name)?;
    same("metadata.plan", Some("pro"), metadata(&customer, "plan"))?;
    same(
        "preferred_locales",
        Some(vec!["en".to_owned(), "fr".to_owned()]),
        customer.preferred_locales.clone(),
    )?;
    same("livemode", Some(false), customer.livemode)?;
    Ok(customer)
}

fn metadata<'a>(customer: &'a Customer, key: &str) -> Option<&'a str> {
    customer.metadata.as_ref()?.get(key).map(String::as_str)
}

fn retrieve(client: &Client, created: &Customer) -> Outcome {
    // Expanded, the customer carries more of its nested types for the SDK to read. Not
    // `invoice_credit_balance`: the schema makes it a map of currency to amount (which
    // we send), async-stripe 0.41 an integer, so it cannot read Stripe's answer either.
    let expand = ["tax", "tax_ids", "sources", "cash_balance"];
    let fetched = Customer::retrieve(client, &created.id, &expand).map_err(sdk)?;
    let tax_ids = fetched.tax_ids.as_ref().ok_or("tax_ids is not expanded")?;
    let values: Vec<_> = tax_ids.data.iter().map(|t| t.value.as_deref()).collect();
    same("tax_ids", vec![Some("GB123456789")], values)?;
    let country = fetched
        .tax
        .as_ref()
        .and_then(|t| t.location.as_ref())
        .map(|l| l.country.as_str());
    same("tax.location.country", Some("GB"), country)?;
    same("id", &created.id, &fetched.id)?;
    same("created", created.created, fetched.created)?;
    // The SDK's Address has no PartialEq: compare what it prints.
    same(
        "address",
        format!("{:?}", created.address),
        format!("{:?}", fetched.address),
    )?;
    same("metadata", &created.metadata, &fetched.metadata)
}

fn update(client: &Client, id: &CustomerId) -> Outcome {
    let params = UpdateCustomer {
        name: Some("Augusta Ada King"),
        metadata: Some(HashMap::from([
            ("plan".into(), "team".into()),
            ("team".into(), String::new()),
        ])),
        address: Some(Address {
            line2: Some("Flat 2".into()),
            ..Address::default()
        }),
        ..UpdateCustomer::new()
    };
    let updated = Customer::update(client, id, params).map_err(sdk)?;
    same("name", Some("Augusta Ada King"), updated.name.as_deref())?;
    // A new value replaces a key's, an empty one unsets the key.
    same(
        "metadata",
        Some(HashMap::from([("plan".to_owned(), "team".to_owned())])),
        updated.metadata,
    )?;
    let address = updated.address.unwrap_or_default();
    same("address.line2", Some("Flat 2"), address.line2.as_deref())?;
    // An address update sets the fields it names and keeps the others.
    same("address.city", Some("London"), address.city.as_deref())
}

fn list_by_email(client: &Client, id: &CustomerId) -> Outcome {
    let other = CreateCustomer {
        email: Some("someone.else@example.com"),
        ..CreateCustomer::new()
    };
    Customer::create(client, other).map_err(sdk)?;
    let params = ListCustomers {
        email: Some(EMAIL),
        ..ListCustomers::new()
    };
    let page = Customer::list(client, &params).map_err(sdk)?;
    let ids: Vec<&CustomerId> = page.data.iter().map(|c| &c.id).collect();
    same("ids listed by email", vec![id], ids)?;
    same("has_more", false, page.has_more)
}

/// The typed error of a rejected call, or a failure if the call succeeded.
fn rejected<T: std::fmt::Debug>(result: Result<T, StripeError>) -> Outcome<stripe::RequestError> {
    match result {
        Err(StripeError::Stripe(error)) => Ok(error),
        Err(other) => Err(format!("expected a Stripe error, got {other:?}")),
        Ok(value) => Err(format!("expected a Stripe error, got {value:?}")),
    }
}

fn missing_customer(client: &Client) -> Outcome {
    let id: CustomerId = "cus_doesnotexist".parse().map_err(|e| format!("{e:?}"))?;
    let error = rejected(Customer::retrieve(client, &id, &[]))?;
    same("http_status", 404, error.http_status)?;
    same("type", ErrorType::InvalidRequest, error.error_type)?;
    same("code", Some(ErrorCode::ResourceMissing), error.code)?;
    same(
        "message",
        Some("No such customer: 'cus_doesnotexist'"),
        error.message.as_deref(),
    )
}

fn bad_parameter(client: &Client) -> Outcome {
    let invalid_email = CreateCustomer {
        email: Some("not-an-email"),
        ..CreateCustomer::new()
    };
    let error = rejected(Customer::create(client, invalid_email))?;
    same("http_status", 400, error.http_status)?;
    same("type", ErrorType::InvalidRequest, error.error_type)?;
    same("code", Some(ErrorCode::EmailInvalid), error.code)?;
    let too_many = ListCustomers {
        limit: Some(101),
        ..ListCustomers::new()
    };
    let error = rejected(Customer::list(client, &too_many))?;
    same("http_status", 400, error.http_status)?;
    same("code", Some(ErrorCode::ParameterInvalidInteger), error.code)
}

fn attach_test_card(client: &Client, customer: &CustomerId) -> Outcome<PaymentMethodId> {
    let test_card: PaymentMethodId = "pm_card_visa".parse().map_err(|e| format!("{e:?}"))?;
    let params = AttachPaymentMethod {
        customer: customer.clone(),
    };
    let card = PaymentMethod::attach(client, &test_card, params).map_err(sdk)?;
    same(
        "customer",
        Some(customer.clone()),
        card.customer.as_ref().map(|c| c.id()),
    )?;
    let details = card.card.as_ref().ok_or("the payment method has no card")?;
    same("card.brand", "visa", details.brand.as_str())?;
    same("card.last4", "4242", details.last4.as_str())?;
    Ok(card.id)
}

fn set_default(client: &Client, customer: &CustomerId, card: &PaymentMethodId) -> Outcome {
    let settings = CustomerInvoiceSettings {
        default_payment_method: Some(card.to_string()),
        ..CustomerInvoiceSettings::default()
    };
    let params = UpdateCustomer {
        invoice_settings: Some(settings),
        ..UpdateCustomer::new()
    };
    Customer::update(client, customer, params).map_err(sdk)?;
    // The server cannot expand `invoice_settings.default_payment_method` yet (it answers
    // "This property cannot be expanded"): read the id, then retrieve the method.
    let fetched = Customer::retrieve(client, customer, &[]).map_err(sdk)?;
    let default = fetched
        .invoice_settings
        .and_then(|s| s.default_payment_method);
    same(
        "default_payment_method",
        Some(card.clone()),
        default.map(|d| d.id()),
    )?;
    let method = PaymentMethod::retrieve(client, card, &[]).map_err(sdk)?;
    same(
        "payment method's customer",
        Some(customer.clone()),
        method.customer.map(|c| c.id()),
    )
}

fn verified_webhook(client: &Client) -> Outcome {
    let receiver = Receiver::start()?;
    let params = CreateWebhookEndpoint::new(vec![EventFilter::CustomerCreated], &receiver.url);
    let endpoint = WebhookEndpoint::create(client, params).map_err(sdk)?;
    let secret = endpoint
        .secret
        .clone()
        .ok_or("the new endpoint has no secret")?;
    let created = CreateCustomer {
        name: Some("Webhook"),
        ..CreateCustomer::new()
    };
    let customer = Customer::create(client, created).map_err(sdk)?;
    let delivery = receiver.wait(Duration::from_secs(20))?;
    let event = Webhook::construct_event(&delivery.body, &delivery.signature, &secret)
        .map_err(|e| format!("construct_event refused the delivery: {e:?}"))?;
    same("type", EventType::CustomerCreated, event.type_)?;
    same(
        "api_version",
        Some("2023-08-16"),
        event.api_version.as_deref(),
    )?;
    match &event.data.object {
        EventObject::Customer(object) => same("data.object.id", &customer.id, &object.id)?,
        other => return Err(format!("data.object is not a customer: {other:?}")),
    }
    match Webhook::construct_event(&delivery.body, &delivery.signature, "whsec_wrong") {
        Err(WebhookError::BadSignature) => {}
        other => return Err(format!("a wrong secret verified: {other:?}")),
    }
    WebhookEndpoint::delete(client, &endpoint.id).map_err(sdk)?;
    Ok(())
}

fn delete(client: &Client, id: &CustomerId) -> Outcome {
    let deleted = Customer::delete(client, id).map_err(sdk)?;
    same("deleted.id", id, &deleted.id)?;
    same("deleted", true, deleted.deleted)?;
    let fetched = Customer::retrieve(client, id, &[]).map_err(sdk)?;
    same("retrieve after delete: deleted", true, fetched.deleted)
}

/// Every event of the account, read through the SDK's typed `Event`: the customer's
/// life and the card attached to it, newest first.
fn events(client: &Client, id: &CustomerId) -> Outcome {
    let page = Event::list(
        client,
        &ListEvents {
            limit: Some(100),
            ..ListEvents::new()
        },
    )
    .map_err(sdk)?;
    let about_customer = |event: &&Event| match &event.data.object {
        EventObject::Customer(c) => c.id == *id,
        EventObject::PaymentMethod(pm) => pm.customer.as_ref().map(|c| c.id()) == Some(id.clone()),
        _ => false,
    };
    let types: Vec<String> = page
        .data
        .iter()
        .filter(about_customer)
        .map(|e| e.type_.to_string())
        .collect();
    // Attaching also emits the seed's `customer.payment_method_attached`, which is not in
    // Stripe's event catalogue: async-stripe reads its type as `EventType::Unknown`.
    let expected = [
        "customer.deleted",
        "customer.updated",
        "Unknown",
        "payment_method.attached",
        "customer.updated",
        "customer.created",
    ];
    same(
        "the customer's events",
        expected.map(String::from).to_vec(),
        types,
    )
}

//! Customer tax ids (`/v1/customers/{id}/tax_ids`, seed 004's `tax-ids`): the object and
//! its validation, the parameters of each call, the views, and the handlers. Tax ids
//! live inside the customer's stored record, so the CustomerObject changes them under
//! the same serialisation as the customer.

pub mod handlers;
pub mod model;
pub mod params;
pub mod view;

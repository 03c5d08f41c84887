//! The WebhookEndpoint resource and webhook delivery's pure rules: the object and its
//! checks, the parameters of each call, the AccountObject commands, signing, and the
//! retry schedule of a failed delivery; and our dashboard's extensions (`attempts`).

pub mod attempts;
pub mod commands;
pub mod delivery;
pub mod handlers;
pub mod model;
pub mod params;
pub mod retry_schedule;
pub mod signature;

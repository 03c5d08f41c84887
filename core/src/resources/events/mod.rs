//! The Event resource: every change becomes a Stripe Event, written in the same commit
//! as the change. This folder has the object, the type catalogue, `previous_attributes`,
//! the list parameters, the AccountObject's event commands and the handlers.

pub mod commands;
pub mod handlers;
pub mod list;
pub mod model;
pub mod previous_attributes;
pub mod types;

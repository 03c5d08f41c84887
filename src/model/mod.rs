//! The Customer domain: the object, its parameters and their validation, the state
//! transitions, expansion, tax ids and the list query. Pure: no Worker runtime here.

pub mod apply;
pub mod customer;
pub mod email;
pub mod expand;
pub mod ids;
pub mod limits;
pub mod list;
pub mod params;
pub mod tax_id;
pub mod view;

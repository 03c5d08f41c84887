//! Invoices (`/v1/invoices`: list, retrieve, finalize, pay, void, mark_uncollectible),
//! the upcoming invoice, and seed 004's customer list. An invoice lives in its
//! customer's object (`billing`); the account's object keeps a copy for reads.

pub mod handlers;

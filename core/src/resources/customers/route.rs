//! The operations on `/v1/customers` and its sub-resources, as the dispatch table names
//! them (`routes.rs` maps paths to these; `nested.rs` runs the sub-resource ones).

/// The operations on `/v1/customers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerRoute {
    Create,
    List,
    Search,
    Retrieve {
        id: String,
    },
    Update {
        id: String,
    },
    Delete {
        id: String,
    },
    /// Seed 004's undelete.
    Undelete {
        id: String,
    },
    Discount {
        id: String,
    },
    DeleteDiscount {
        id: String,
    },
    ApplyDiscount {
        id: String,
    },
    Sources {
        id: String,
    },
    CreateSource {
        id: String,
    },
    Source {
        id: String,
        source: String,
    },
    UpdateSource {
        id: String,
        source: String,
    },
    DeleteSource {
        id: String,
        source: String,
    },
    PaymentMethods {
        id: String,
    },
    AttachPaymentMethod {
        id: String,
    },
    PaymentMethod {
        id: String,
        payment_method: String,
    },
}

//! The AccountObject Durable Object: one per account namespace. It holds the customer
//! index that list and search are served from (`customer_index`) and the tables of the
//! objects customers reference (`references`), on which it runs `api-core`'s
//! `resources::account::execute` (coupons, promotion codes, payment methods, test
//! clocks, and the claim/release of a customer write) with no await inside.

mod customer_index;
mod references;

use api_core::resources::customers::commands::AccountCommand;
use worker::{durable_object, DurableObject, Env, Request, Response, Result, State};

use crate::objects::{create_schema, respond};

#[durable_object(fetch)]
pub struct AccountObject {
    state: State,
}

impl DurableObject for AccountObject {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        create_schema(&sql, customer_index::SCHEMA, "account");
        create_schema(&sql, references::SCHEMA, "account");
        AccountObject { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let command: AccountCommand = serde_json::from_str(&req.text().await?)?;
        let sql = self.state.storage().sql();
        let result = match command {
            AccountCommand::Upsert { entry } => {
                customer_index::upsert(&sql, &entry).map(|()| String::new())
            }
            AccountCommand::List { list } => customer_index::list_page(&sql, &list),
            AccountCommand::Search { search } => customer_index::search_page(&sql, &search),
            AccountCommand::Objects(command) => {
                let mut store = references::SqlObjectStore { sql: &sql };
                api_core::resources::account::execute(&mut store, command)
            }
        };
        if let Err(api_core::wire::error::ApiError::Internal { detail }) = &result {
            worker::console_error!("account object: {detail}");
        }
        respond(result, false)
    }
}

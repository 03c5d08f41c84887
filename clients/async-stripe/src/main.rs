//! The Rust SDK as a client of the server: `async-stripe-check BASE_URL SK_TEST_KEY` runs
//! each check through async-stripe and prints `ok <check>` for each one passed, in order;
//! the first failure prints `FAIL <check>: <why>` and exits 1 (tests/rust-sdk.test.mjs).
mod checks;
mod receiver;

use std::process::ExitCode;
use stripe::Client;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(base), Some(key)) = (args.next(), args.next()) else {
        eprintln!("usage: async-stripe-check BASE_URL SK_TEST_KEY");
        return ExitCode::from(2);
    };
    // The client joins `v1/<path>` onto the base, which must end with a slash.
    let base = format!("{}/", base.trim_end_matches('/'));
    let client = Client::from_url(base.as_str(), key);
    match checks::run(&client) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failed) => {
            println!("FAIL {}: {}", failed.check, failed.why);
            ExitCode::FAILURE
        }
    }
}

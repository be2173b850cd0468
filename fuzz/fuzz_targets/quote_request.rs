//! Any bytes as a quote request: reading it strictly and pricing it must never panic (absurd amounts,
//! dates at the ends of the calendar, huge terms), and a quote it prices must verify as valid.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use premia_server::verification::{self, Outcome};

fn catalogue() -> &'static premia_core::Catalogue {
    static CATALOGUE: OnceLock<premia_core::Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(premia_core::demo::catalogue)
}

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<premia_core::QuoteRequest>(data) else { return };
    let Ok(quote) = premia_core::quote(catalogue(), &request) else { return };
    let body = serde_json::to_vec(&quote).unwrap();
    let today = quote.request.quote_date;
    match verification::verify(catalogue(), &body, today) {
        Outcome::Valid(_) => {}
        other => panic!("a quote the engine made does not verify: {}", other.name()),
    }
});

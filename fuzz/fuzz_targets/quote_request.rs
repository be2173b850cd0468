//! Any bytes as a quote request: reading it strictly and pricing it must never panic (absurd amounts,
//! dates at the ends of the calendar, huge terms), and a quote it prices must verify as valid. The
//! core's own JSON parser and reader (what the browser and the CLI read requests with) must not panic
//! either, and must accept only what serde's derived reader accepts, read the same way.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use premia_core::verify::{BodyVerdict, leading_valid, parse_quote, verify_body, verify_body_slow};

fn catalogue() -> &'static premia_core::Catalogue {
    static CATALOGUE: OnceLock<premia_core::Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(premia_core::demo::catalogue)
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = premia_core::json::parse(text);
        if let Ok(by_hand) = premia_core::request::from_json_str(text) {
            let by_serde = serde_json::from_str::<premia_core::QuoteRequest>(text);
            assert_eq!(by_serde.ok().as_ref(), Some(&by_hand), "the core's reader accepted what serde refuses");
        }
    }
    let Ok(request) = serde_json::from_slice::<premia_core::QuoteRequest>(data) else { return };
    let Ok(quote) = premia_core::quote(catalogue(), &request) else { return };
    let body = serde_json::to_vec(&quote).unwrap();
    let today = quote.request.quote_date;
    match verify_body(catalogue(), &body, today) {
        BodyVerdict::Valid(_) => {}
        other => panic!("a quote the engine made does not verify: {}", other.name()),
    }
});

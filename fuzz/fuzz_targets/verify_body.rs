//! Any bytes as the body of POST /api/quotes/verify and /api/quotes (or as the lines `premia verify`
//! reads): the server's verification must never panic, and its fast paths must agree with the core's
//! full comparison.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use premia_core::verify::{BodyVerdict, leading_valid, parse_quote, verify_body, verify_body_slow};

fn catalogue() -> &'static premia_core::Catalogue {
    static CATALOGUE: OnceLock<premia_core::Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(premia_core::demo::catalogue)
}

fuzz_target!(|body: &[u8]| {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let outcome = verify_body(catalogue(), body, today);
    let _ = parse_quote(body);
    if let BodyVerdict::Valid(_) = outcome {
        // Whatever the fast path accepts, the core accepts.
        let slow = verify_body_slow(catalogue(), body, today);
        assert!(matches!(slow, BodyVerdict::Valid(_)), "fast path accepted what the core calls {}", slow.name());
    }
    // The line fast path of `premia verify` (a genuine quote at the start of a run of lines): the line
    // it finds, without its line end, is one the core accepts.
    if let Some((_, length)) = leading_valid(catalogue(), body, today) {
        let line = &body[..length];
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let slow = verify_body_slow(catalogue(), line, today);
        assert!(matches!(slow, BodyVerdict::Valid(_)), "line fast path accepted what the core calls {}", slow.name());
    }
});

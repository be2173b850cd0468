//! `verify::verify_body`'s fast path compares a submitted body with `quote_json`'s bytes, so they must be
//! serde_json's — the engine's, native or wasm — for every quote of the tests' corpus (read from
//! `PREMIA_TEST_QUOTES` when set: then the wasm build's quotes): with riders, coupons, discounts,
//! declines and referrals. And every one of them is valid by both paths.

use premia_core::Quote;
use premia_core::verify::{BodyVerdict, verify_body, verify_body_slow};
use premia_test_support::quotes;

#[test]
fn the_written_quote_is_serde_jsons_over_the_corpus() {
    let catalogue = premia_core::demo::catalogue();
    let corpus = quotes::genuine(&catalogue, 3000, 2026, quotes::today());
    let mut buffer = Vec::new();
    for quote in &corpus {
        buffer.clear();
        premia_core::quote_json::write_quote(quote, &mut buffer);
        assert!(buffer == serde_json::to_vec(quote).unwrap(), "{}", String::from_utf8_lossy(&buffer));
    }
    let seen = |f: &dyn Fn(&Quote) -> bool| corpus.iter().any(f);
    assert!(seen(&|q| !q.discounts.is_empty()) && seen(&|q| !q.rejected_coupons.is_empty()));
    assert!(seen(&|q| !q.declined.is_empty()) && seen(&|q| !q.coupons_used.is_empty()));
    assert!(seen(&|q| q.decision.outcome == premia_core::underwriting::Outcome::Refer));
}

#[test]
fn every_genuine_quote_is_valid_by_the_fast_and_the_full_path() {
    let catalogue = premia_core::demo::catalogue();
    for quote in quotes::genuine(&catalogue, 300, 7, quotes::today()) {
        let body = serde_json::to_vec(&quote).unwrap();
        assert!(matches!(verify_body(&catalogue, &body, quotes::today()), BodyVerdict::Valid(_)));
        assert!(matches!(verify_body_slow(&catalogue, &body, quotes::today()), BodyVerdict::Valid(_)));
    }
}

//! Criterion benchmarks of the engine's hot paths. Run: `cargo bench -p premia-core --bench quote`.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use premia_core::bundle::{Profile, recommend};
use premia_core::{Catalogue, QuoteRequest, demo, quote, request};

fn example(name: &str) -> QuoteRequest {
    let path = format!("{}/../../examples/requests/{name}", env!("CARGO_MANIFEST_DIR"));
    request::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn catalogue_load(c: &mut Criterion) {
    c.bench_function("catalogue_load_demo", |b| {
        b.iter(|| Catalogue::load(black_box(demo::TOML), &demo::file).unwrap())
    });
    // What the browser does at start-up: decode the compiled form and tabulate commutation columns.
    c.bench_function("catalogue_load_compiled_demo", |b| {
        b.iter(|| Catalogue::load_compiled(black_box(demo::COMPILED)).unwrap())
    });
}

fn quotes(c: &mut Criterion) {
    let catalogue = demo::catalogue();
    let ci = example("ci-plain.json");
    let term = example("term.json");
    let three = example("three-coverages.json");
    assert_eq!(three.coverages.len(), 3);
    c.bench_function("quote_one_coverage_rate_table", |b| b.iter(|| quote(&catalogue, black_box(&ci)).unwrap()));
    c.bench_function("quote_one_coverage_actuarial", |b| b.iter(|| quote(&catalogue, black_box(&term)).unwrap()));
    c.bench_function("quote_three_coverages_with_worksheet", |b| {
        b.iter(|| quote(&catalogue, black_box(&three)).unwrap())
    });
    c.bench_function("quote_and_serialize_json_three_coverages", |b| {
        b.iter(|| serde_json::to_vec(&quote(&catalogue, black_box(&three)).unwrap()).unwrap())
    });
}

fn decisions(c: &mut Criterion) {
    let catalogue = demo::catalogue();
    let underwritten = example("ci-two-coupons.json");
    assert_eq!(underwritten.coupons.len(), 2);
    c.bench_function("quote_with_underwriting_and_two_coupons", |b| {
        b.iter(|| quote(&catalogue, black_box(&underwritten)).unwrap())
    });
    // The first sight of a signed voucher: one Ed25519 verification (later quotes reuse the result).
    let token = underwritten.coupons.iter().find(|c| premia_core::coupon::is_token(c)).unwrap();
    let key = catalogue.coupons.public_key;
    c.bench_function("verify_signed_coupon_first_sight", |b| {
        b.iter(|| premia_core::coupon::verify_token(black_box(token), key.as_ref()).unwrap())
    });
    let path = format!("{}/../../examples/profiles/thirty.json", env!("CARGO_MANIFEST_DIR"));
    let profile: Profile = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    assert_eq!(recommend(&catalogue, &profile, date).unwrap().len(), 2);
    c.bench_function("recommend_bundles_one_profile", |b| {
        b.iter(|| recommend(&catalogue, black_box(&profile), date).unwrap())
    });
}

criterion_group!(benches, catalogue_load, quotes, decisions);
criterion_main!(benches);

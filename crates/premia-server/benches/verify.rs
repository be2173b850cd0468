//! Verifying one submitted quote: the fast path (genuine quote, engine layout), the core's full
//! comparison, and a tampered quote; and writing a quote's JSON, with serde_json and with the core's
//! hand-written writer. `cargo bench -p premia-server --bench verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use premia_test_support::quotes;

use criterion::{Criterion, criterion_group, criterion_main};
use premia_core::verify::{BodyVerdict, verify_body, verify_body_slow};

fn bench(c: &mut Criterion) {
    let catalogue = premia_core::demo::catalogue();
    let today = quotes::today();
    let corpus: Vec<Vec<u8>> =
        quotes::genuine(&catalogue, 64, 3, today).iter().map(|q| serde_json::to_vec(q).unwrap()).collect();
    let mut tampered: serde_json::Value = serde_json::from_slice(&corpus[0]).unwrap();
    tampered["totals"]["annual_premium"] = "1.00".into();
    let tampered = serde_json::to_vec(&tampered).unwrap();
    let mut i = 0;
    c.bench_function("verify/genuine (fast path)", |b| {
        b.iter(|| {
            i = (i + 1) % corpus.len();
            assert!(matches!(verify_body(&catalogue, &corpus[i], today), BodyVerdict::Valid(_)));
        });
    });
    c.bench_function("verify/genuine (core only)", |b| {
        b.iter(|| {
            i = (i + 1) % corpus.len();
            assert!(matches!(verify_body_slow(&catalogue, &corpus[i], today), BodyVerdict::Valid(_)));
        });
    });
    c.bench_function("verify/tampered", |b| {
        b.iter(|| assert!(matches!(verify_body(&catalogue, &tampered, today), BodyVerdict::Invalid(_))));
    });
    // What the fast path spends most of its time on besides pricing: writing the re-computed quote.
    let quotes: Vec<premia_core::Quote> = corpus.iter().map(|q| serde_json::from_slice(q).unwrap()).collect();
    let mut buffer = Vec::with_capacity(16 * 1024);
    c.bench_function("write quote/serde_json", |b| {
        b.iter(|| {
            i = (i + 1) % quotes.len();
            buffer.clear();
            serde_json::to_writer(&mut buffer, &quotes[i]).unwrap();
            buffer.len()
        });
    });
    c.bench_function("write quote/quote_json (hand-written)", |b| {
        b.iter(|| {
            i = (i + 1) % quotes.len();
            buffer.clear();
            premia_core::quote_json::write_quote(&quotes[i], &mut buffer);
            buffer.len()
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);

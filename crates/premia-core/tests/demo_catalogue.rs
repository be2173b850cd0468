//! The demo catalogue loads, carries a product for every line and method, and passes its own tests.
#![allow(clippy::unwrap_used)]

use premia_core::catalogue::{Line, Rating};
use premia_core::check::run_tests;
use premia_core::demo;

#[test]
fn demo_catalogue_loads() {
    if let Err(errors) = demo::try_catalogue() {
        panic!("demo catalogue has errors:\n{errors}");
    }
}

#[test]
fn demo_catalogue_passes_its_own_test_cases() {
    let catalogue = demo::catalogue();
    assert!(catalogue.tests.len() >= 5);
    let failures: Vec<String> =
        run_tests(&catalogue).into_iter().flat_map(|o| o.failures).map(|e| e.to_string()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn demo_catalogue_covers_every_line_and_rating_method() {
    let catalogue = demo::catalogue();
    let products = catalogue.all_products();
    for line in [
        Line::CriticalIllness,
        Line::Medical,
        Line::TermLife,
        Line::Annuity,
        Line::Accident,
        Line::LongTermCare,
        Line::CityHealth,
    ] {
        assert!(products.iter().any(|p| p.line == line), "no product for {line:?}");
    }
    for method in ["rate_table", "age_band", "flat", "actuarial"] {
        assert!(products.iter().any(|p| p.rating.method() == method), "no product rated by {method}");
    }
    assert!(products.iter().any(|p| matches!(&p.rating, Rating::Actuarial(a) if a.annuity.is_some())));
    assert!(catalogue.illustrative);
    assert_eq!(catalogue.content_hash.len(), 64);
}

#[test]
fn the_compiled_demo_catalogue_is_up_to_date() {
    let compiled = premia_core::Catalogue::compile(demo::TOML, &demo::file).unwrap();
    assert!(
        compiled == demo::COMPILED,
        "catalogue/demo.compiled.bin is stale: run `cargo run -p premia-cli -- catalogue compile catalogue/demo.toml --out catalogue/demo.compiled.bin`"
    );
    let reloaded = premia_core::Catalogue::load_compiled(&compiled).unwrap();
    assert!(reloaded.to_compiled() == compiled, "decoding then encoding gives the same bytes");
}

/// The compiled form must price exactly as the TOML it came from: every product, option, rider,
/// bundle, underwriting rule and coupon, for every age.
#[test]
fn the_compiled_and_the_toml_catalogue_quote_identically() {
    let from_toml = demo::catalogue();
    let compiled = premia_core::Catalogue::load_compiled(demo::COMPILED).unwrap();
    assert_eq!(compiled.content_hash, from_toml.content_hash);
    assert!(compiled.tests.is_empty(), "test cases stay with the source");
    let same = |request: &premia_core::QuoteRequest, what: &str| {
        let a = premia_core::quote(&from_toml, request).map(|q| serde_json::to_string(&q).unwrap());
        let b = premia_core::quote(&compiled, request).map(|q| serde_json::to_string(&q).unwrap());
        assert_eq!(a, b, "{what}");
        a.is_ok()
    };
    let mut priced = 0;
    for test in &from_toml.tests {
        same(&test.request, &test.name);
    }
    let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    for age in 0..=80 {
        for sex in ["male", "female"] {
            let profile: premia_core::bundle::Profile = serde_json::from_value(serde_json::json!({
                "insured": {"age": age, "sex": sex, "smoker": age % 3 == 0, "occupation_class": 1 + age % 4,
                            "social_insurance": age % 2 == 0, "region": "310000"},
                "channel": {"kind": "direct"}
            }))
            .unwrap();
            let a =
                premia_core::bundle::recommend(&from_toml, &profile, date).map(|r| serde_json::to_string(&r).unwrap());
            let b =
                premia_core::bundle::recommend(&compiled, &profile, date).map(|r| serde_json::to_string(&r).unwrap());
            assert_eq!(a, b, "recommendations at {age} {sex}");
            for product in compiled.products_on(date) {
                for term in &product.payment_terms {
                    let request = serde_json::json!({
                        "quote_date": "2026-11-25",
                        "insured": profile.insured,
                        "coverages": [{
                            "product": product.code,
                            (product.amount.kind.field()): product.amount.min.to_string(),
                            "coverage_term": product.coverage_terms[0].to_string(),
                            "payment_term": term.to_string(),
                            "frequency": "annual",
                            "riders": product.riders.iter().map(|r| serde_json::json!({"code": r.code})).collect::<Vec<_>>(),
                        }],
                        "channel": {"kind": "direct"},
                    });
                    let request: premia_core::QuoteRequest = serde_json::from_value(request).unwrap();
                    priced += usize::from(same(&request, &format!("{} {term} at {age} {sex}", product.code)));
                }
            }
        }
    }
    assert!(priced > 1000, "most of these requests are priced ({priced})");
}

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
        "catalogue/demo.compiled.json is stale: run `cargo run -p premia-cli -- catalogue compile catalogue/demo.toml --out catalogue/demo.compiled.json`"
    );
}

#[test]
fn the_compiled_and_the_toml_catalogue_quote_identically() {
    let from_toml = demo::catalogue();
    let from_json = premia_core::Catalogue::load_compiled(demo::COMPILED).unwrap();
    assert_eq!(from_json.content_hash, from_toml.content_hash);
    for test in &from_toml.tests {
        let a = premia_core::quote(&from_toml, &test.request).map(|q| serde_json::to_string(&q).unwrap());
        let b = premia_core::quote(&from_json, &test.request).map(|q| serde_json::to_string(&q).unwrap());
        assert_eq!(a.ok(), b.ok(), "{}", test.name);
    }
}

//! Golden files for what people read: every demo product's quote as JSON (its worksheet in zh-CN and
//! English included) and every error message in both languages. A changed wording, step or figure is
//! a diff to review. `UPDATE_EXPECT=1 cargo test -p premia-core --test goldens` rewrites them.
//!
//! The catalogue's content hash and the digests that depend on it are left out of the quote goldens,
//! so that a change anywhere in the catalogue (another product's rates, a document) does not rewrite
//! every file: `digest.rs` pins the digest's encoding on its own fixture.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use premia_core::{Quote, demo, quote, request};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/requests")
}

/// The example requests (`examples/requests/*.json`) that quote, by name.
fn example_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".json").map(str::to_owned))
        .filter(|n| !n.starts_with("bad"))
        .collect();
    names.sort();
    names
}

fn priced(name: &str) -> Quote {
    let text = std::fs::read_to_string(examples().join(format!("{name}.json"))).unwrap();
    let request = request::from_json_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    quote(&demo::catalogue(), &request).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_demo_products_quote_matches_its_golden_file() {
    let catalogue = demo::catalogue();
    let mut quoted = BTreeSet::new();
    for name in example_names() {
        let mut quote = priced(&name);
        // The wire form is the serde form, byte for byte (`quote_json`).
        assert_eq!(premia_core::quote_json::to_vec(&quote), serde_json::to_vec(&quote).unwrap(), "{name}");
        quoted.extend(quote.coverages.iter().map(|c| c.product.clone()));
        quoted.extend(quote.declined.iter().map(|c| c.product.clone()));
        quote.catalogue.content_hash = "(the catalogue's content hash)".to_owned();
        quote.digest = "(the digest)".to_owned();
        let pretty = serde_json::to_string_pretty(&quote).unwrap() + "\n";
        expect_test::expect_file![format!("goldens/quotes/{name}.json")].assert_eq(&pretty);
    }
    let products: BTreeSet<String> = catalogue.product_codes().iter().cloned().collect();
    let missing: Vec<_> = products.difference(&quoted).collect();
    assert!(missing.is_empty(), "no example request quotes {missing:?}: add one to examples/requests");
}

//! A tight loop over the three-coverage quote, for profilers (criterion's harness gets in their way):
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_DEBUG=true cargo build --release -p premia-core --example profile_quote
//! perf record -g target/release/examples/profile_quote && perf report
//! ```
#![allow(clippy::unwrap_used, clippy::print_stdout)]

fn main() {
    let catalogue = premia_core::demo::catalogue();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/requests/ci-plain.json");
    let request = premia_core::request::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut total = rust_decimal::Decimal::ZERO;
    for _ in 0..200_000 {
        total += premia_core::quote(&catalogue, std::hint::black_box(&request)).unwrap().totals.annual_premium;
    }
    println!("{total}");
}

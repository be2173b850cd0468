//! # premia-core
//!
//! The pure premium engine of Premia. It loads a versioned product [`Catalogue`], prices a
//! [`QuoteRequest`] into a [`Quote`] with a rating worksheet, and checks catalogues against the test
//! cases they carry.
//!
//! **Architecture invariant:** this crate does no I/O, reads no clock and knows nothing of
//! wasm-bindgen, HTTP or terminals. The quote date is an input; files a catalogue refers to come
//! through a resolver the caller supplies. Money is [`rust_decimal::Decimal`], rounded only at the
//! named [`money::RoundingStep`]s, so the browser (wasm32) and the server agree to the cent.
//!
//! ```
//! let catalogue = premia_core::demo::catalogue();
//! let request: premia_core::QuoteRequest = serde_json::from_str(r#"{
//!     "quote_date": "2026-11-25",
//!     "insured": { "birth_date": "1995-03-10", "sex": "female", "smoker": false,
//!                  "occupation_class": 1, "social_insurance": true },
//!     "coverages": [{ "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong",
//!                     "payment_term": "years:20", "frequency": "annual" }],
//!     "channel": { "kind": "direct" }
//! }"#).unwrap();
//! let quote = premia_core::quote(&catalogue, &request).unwrap();
//! assert!(quote.totals.annual_premium > rust_decimal::Decimal::ZERO);
//! ```

pub mod age;
pub mod bundles;
pub mod catalogue;
#[cfg(feature = "toml")]
pub mod check;
pub mod demo;
pub mod desk;
pub mod discounts;
pub mod error;
pub mod identity;
pub mod money;
pub mod pricing;
#[cfg(feature = "purchase")]
pub mod purchase;
pub mod request;
pub mod term;
pub mod text;
pub mod underwriting;
mod variants;
pub mod verify;
pub mod wire;

// The paths other crates have always used, kept while the modules live in their domain folders.
pub use bundles as bundle;
pub use discounts::coupon;
pub use identity::resident_id;
pub use pricing::{quote, worksheet};
pub use wire::{digest, json, quote_json, reader};

pub use catalogue::{Catalogue, CatalogueRef, Product};
pub use error::{CatalogueError, Error, ErrorKind, Errors, QuoteError};
pub use pricing::engine::quote;
pub use pricing::quote::{CoverageQuote, Quote, Totals};
pub use request::{Channel, CoverageRequest, Insured, QuoteRequest, RiderRequest, Sex};
pub use term::{CoverageTerm, Frequency, PaymentTerm};
pub use text::{Lang, Text};

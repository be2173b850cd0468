//! What the tests, benches and examples share, in one crate instead of files included by `#[path]`:
//!
//! - [`quotes`]: the corpus of genuine quotes (varied requests over every demo line, priced by the
//!   engine), signed coupons, resident ID numbers, the tests' fixed date;
//! - [`json`]: editing a JSON value at a pointer;
//! - [`purchase`]: the term-life quote and the application form of the purchase tests;
//! - with the feature `server`: [`server::TestServer`] (a server in the test process), [`process`] (the
//!   server binary, for kill -9 tests), [`db`] (SQLite and PostgreSQL test databases), [`desk`] (staff
//!   sessions), [`store`] (applications as the store takes them), [`variants`] (changed catalogues, a
//!   movable clock).
//!
//! Panics on failure by design: a test helper that cannot set up fails the test that called it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod json;
pub mod purchase;
pub mod quotes;

#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod desk;
#[cfg(feature = "server")]
pub mod process;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod store;
#[cfg(feature = "server")]
pub mod variants;

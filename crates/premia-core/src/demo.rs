//! The demo insurer's catalogue, embedded so that every adapter (CLI, server, browser) can run
//! without files. Rates are illustrative (see `catalogue/README.md`).
//!
//! Native builds read the TOML source; builds without the `toml` feature (the browser) read its
//! compiled form, `catalogue/demo.compiled.bin`, which a test keeps identical to what
//! `premia catalogue compile catalogue/demo.toml --out catalogue/demo.compiled.bin` produces. Both give
//! the same catalogue and hash.

use crate::catalogue::Catalogue;

/// The demo catalogue document.
#[cfg(feature = "toml")]
pub const TOML: &str = include_str!("../../../catalogue/demo.toml");

/// The demo catalogue compiled, for builds without a TOML parser. Builds that never buy (no
/// `purchase` feature: the quote site and the widget) embed it without its sale section, which only
/// buying reads (see `catalogue::snapshot`).
#[cfg(feature = "purchase")]
pub const COMPILED: &[u8] = COMPILED_FILE;
#[cfg(not(feature = "purchase"))]
pub const COMPILED: &[u8] = &WITHOUT_SALE;

/// `catalogue/demo.compiled.bin` as `premia catalogue compile` writes it.
const COMPILED_FILE: &[u8] = include_bytes!("../../../catalogue/demo.compiled.bin");
#[cfg(not(feature = "purchase"))]
const WITHOUT_SALE: [u8; crate::catalogue::len_without_sale(COMPILED_FILE)] =
    crate::catalogue::without_sale(COMPILED_FILE);

/// Files the demo catalogue refers to, by the path written in it.
#[cfg(feature = "toml")]
pub const FILES: &[(&str, &str)] = &[
    ("rates/ci-lifelong.csv", include_str!("../../../catalogue/rates/ci-lifelong.csv")),
    ("rates/ci-to70.csv", include_str!("../../../catalogue/rates/ci-to70.csv")),
    ("rates/ci-multi.csv", include_str!("../../../catalogue/rates/ci-multi.csv")),
    ("rates/ci-v1-lifelong.csv", include_str!("../../../catalogue/rates/ci-v1-lifelong.csv")),
    ("rates/ltc.csv", include_str!("../../../catalogue/rates/ltc.csv")),
    ("mortality/illustrative-cl.csv", include_str!("../../../catalogue/mortality/illustrative-cl.csv")),
    ("documents/exclusions-acc.txt", include_str!("../../../catalogue/documents/exclusions-acc.txt")),
    ("documents/exclusions-ci.txt", include_str!("../../../catalogue/documents/exclusions-ci.txt")),
    ("documents/exclusions-life.txt", include_str!("../../../catalogue/documents/exclusions-life.txt")),
    ("documents/exclusions-ltc.txt", include_str!("../../../catalogue/documents/exclusions-ltc.txt")),
    ("documents/exclusions-med.txt", include_str!("../../../catalogue/documents/exclusions-med.txt")),
    ("documents/health-ci.txt", include_str!("../../../catalogue/documents/health-ci.txt")),
    ("documents/health-med.txt", include_str!("../../../catalogue/documents/health-med.txt")),
    ("documents/health-term.txt", include_str!("../../../catalogue/documents/health-term.txt")),
    ("documents/health-wl.txt", include_str!("../../../catalogue/documents/health-wl.txt")),
    ("documents/notice.txt", include_str!("../../../catalogue/documents/notice.txt")),
    ("documents/terms-acc.txt", include_str!("../../../catalogue/documents/terms-acc.txt")),
    ("documents/terms-ann.txt", include_str!("../../../catalogue/documents/terms-ann.txt")),
    ("documents/terms-ci-2025.txt", include_str!("../../../catalogue/documents/terms-ci-2025.txt")),
    ("documents/terms-ci-2026.txt", include_str!("../../../catalogue/documents/terms-ci-2026.txt")),
    ("documents/terms-hmb.txt", include_str!("../../../catalogue/documents/terms-hmb.txt")),
    ("documents/terms-ltc.txt", include_str!("../../../catalogue/documents/terms-ltc.txt")),
    ("documents/terms-med.txt", include_str!("../../../catalogue/documents/terms-med.txt")),
    ("documents/terms-term.txt", include_str!("../../../catalogue/documents/terms-term.txt")),
    ("documents/terms-wl.txt", include_str!("../../../catalogue/documents/terms-wl.txt")),
];

/// Resolve a path the demo catalogue refers to.
#[cfg(feature = "toml")]
pub fn file(path: &str) -> Option<String> {
    FILES.iter().find(|(p, _)| *p == path).map(|(_, text)| (*text).to_owned())
}

/// Load the demo catalogue. It is checked by this crate's tests, so loading cannot fail in a release;
/// if it ever did, the error list says why.
pub fn try_catalogue() -> Result<Catalogue, crate::error::CatalogueError> {
    #[cfg(feature = "toml")]
    return Catalogue::load(TOML, &file);
    #[cfg(not(feature = "toml"))]
    return Catalogue::load_compiled(COMPILED);
}

/// The demo catalogue.
///
/// # Panics
/// Never in a tested build: `demo_catalogue_loads` in this crate's tests loads the same embedded text.
pub fn catalogue() -> Catalogue {
    // Not `expect`, which would format the errors with `Debug` and keep every `Debug` impl of the
    // error types in the browser build for a message that is never shown.
    match try_catalogue() {
        Ok(catalogue) => catalogue,
        Err(errors) => panic!(
            "the embedded demo catalogue is invalid: {}",
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>().join(", ")
        ),
    }
}

//! The JS API in plain Rust: JSON text in, JSON text out, typed errors. No wasm-bindgen here, so
//! `cargo test` checks it natively and the exported functions in `lib.rs` stay one-liners.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::NaiveDate;
use premia_core::error::ErrorKind;
use premia_core::json::Json;
use premia_core::text::Quoted;
use premia_core::{Catalogue, Error, Errors};

use crate::summary;

thread_local! {
    /// The catalogue every function and every mounted app uses: the embedded demo until
    /// `loadCatalogue` replaces it. Loaded once, shared by all apps on the page.
    static ACTIVE: RefCell<Option<Rc<Catalogue>>> = const { RefCell::new(None) };
}

/// The active catalogue, loading the embedded demo on first use.
pub fn active_catalogue() -> Rc<Catalogue> {
    ACTIVE.with(|active| active.borrow_mut().get_or_insert_with(|| Rc::new(premia_core::demo::catalogue())).clone())
}

/// An error for JS: the core's errors, thrown as one `PremiaError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError(pub Errors);

impl ApiError {
    fn one(field: &str, kind: ErrorKind) -> Self {
        ApiError(Errors::one(field, kind))
    }

    /// A value that `JSON.stringify` refuses (a function, a cycle, a BigInt).
    pub fn not_json() -> Self {
        Self::one("", ErrorKind::Syntax { message: "not a JSON value".into() })
    }

    pub fn bad_option(field: &str, value: &str) -> Self {
        Self::one(field, ErrorKind::Syntax { message: format!("{} is not a valid {field}", Quoted(value)) })
    }

    /// The `message` of the thrown JS `Error`: every error in English, one a line.
    pub fn summary(&self) -> String {
        self.0.iter().map(|e| format!("{}: {}", e.field, e.message().en)).collect::<Vec<_>>().join("\n")
    }

    /// `[{code, field, message: {zh, en}}, ...]`.
    pub fn errors_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "[]".into())
    }
}

impl From<Errors> for ApiError {
    fn from(errors: Errors) -> Self {
        ApiError(errors)
    }
}

/// Parse JSON text into a tree; a syntax error is reported on `root` (the argument's name).
pub fn parse_json(text: &str, root: &str) -> Result<Json, ApiError> {
    premia_core::json::parse(text).map_err(|e| ApiError::one(root, ErrorKind::Syntax { message: e.to_string() }))
}

/// The core's errors for an argument, each field under the argument's name (`profile.insured.sex`).
fn under(root: &str, errors: Errors) -> ApiError {
    let errors = errors.into_vec().into_iter().map(|mut e| {
        e.field = premia_core::reader::join(root, &e.field);
        e
    });
    ApiError(Errors::from_vec(errors.collect()).unwrap_or_else(|| Errors::one(root, ErrorKind::Required)))
}

pub fn read_date(text: &str, field: &str) -> Result<NaiveDate, ApiError> {
    premia_core::age::parse_date(text).ok_or_else(|| {
        ApiError::one(field, ErrorKind::Syntax { message: format!("{} is not a YYYY-MM-DD date", Quoted(text)) })
    })
}

/// Price a request (JSON text) with the active catalogue; the quote as JSON text.
pub fn quote_json(request: &str) -> Result<String, ApiError> {
    let request = premia_core::request::from_json(&parse_json(request, "")?)?;
    let quote = premia_core::quote(&active_catalogue(), &request)?;
    Ok(serde_json::to_string(&quote).unwrap_or_default())
}

pub fn catalogue_json() -> String {
    serde_json::to_string(&summary::CatalogueSummary::of(&active_catalogue())).unwrap_or_default()
}

/// Load a catalogue in its compiled form (the bytes `premia catalogue compile` writes: validated when
/// compiled, its shape checked here); it becomes the active one. The browser build carries neither a
/// TOML parser nor the catalogue's validation: the compiled form names the same catalogue (same
/// content hash) as its TOML source.
pub fn load_catalogue(compiled: &[u8]) -> Result<String, ApiError> {
    let catalogue = Catalogue::load_compiled(compiled)?;
    ACTIVE.with(|active| *active.borrow_mut() = Some(Rc::new(catalogue)));
    Ok(catalogue_json())
}

/// Verify a submitted quote (JSON text) on `today`; the verdict as JSON text.
pub fn verify_json(quote: &str, today: &str) -> Result<String, ApiError> {
    // Verification diffs `serde_json` trees (its mismatches carry both values), so the quote is read
    // into one; this is the JS API's only use of `serde_json`'s reader.
    let submitted: serde_json::Value = serde_json::from_str(quote)
        .map_err(|e| ApiError::one("quote", ErrorKind::Syntax { message: e.to_string() }))?;
    let today = read_date(today, "today")?;
    let verdict = premia_core::verify::verify(&active_catalogue(), &submitted, today)?;
    Ok(serde_json::to_string(&verdict).unwrap_or_default())
}

/// The bundles recommended for a person (`Profile` JSON: insured, channel, coupons) on `date`, ranked,
/// each already quoted.
pub fn recommend_json(profile: &str, date: &str) -> Result<String, ApiError> {
    let profile = premia_core::bundle::profile_from_json(&parse_json(profile, "profile")?)
        .map_err(|errors| under("profile", errors))?;
    let date = read_date(date, "date")?;
    let offers = premia_core::bundle::recommend(&active_catalogue(), &profile, date)?;
    Ok(serde_json::to_string(&offers).unwrap_or_default())
}

/// Parse a resident ID number (GB 11643) as of `today`: birth date, sex, province; or why it is invalid.
pub fn parse_resident_id_json(number: &str, today: &str) -> Result<String, ApiError> {
    let today = read_date(today, "today")?;
    let id = premia_core::resident_id::parse(number, today, "resident_id")?;
    Ok(serde_json::to_string(&id).unwrap_or_default())
}

/// The widget's `products` option: `["CI","MED"]` or `"CI,MED"`.
pub fn product_list(json: &str) -> Result<Vec<String>, ApiError> {
    let codes: Vec<String> = match parse_json(json, "products")? {
        Json::String(text) => text.split(',').map(|c| c.trim().to_owned()).collect(),
        other => {
            let mut r = premia_core::reader::Reader::new();
            let codes = r.strings(&other, "products");
            r.finish(codes)?
        }
    };
    let codes: Vec<String> = codes.into_iter().filter(|c| !c.is_empty()).collect();
    let catalogue = active_catalogue();
    let unknown: Vec<Error> = codes
        .iter()
        .enumerate()
        .filter(|(_, code)| !catalogue.product_codes().contains(code))
        .map(|(i, code)| {
            Error::new(
                format!("products[{i}]"),
                ErrorKind::Unknown { what: premia_core::error::Noun::Product, name: code.clone() },
            )
        })
        .collect();
    match Errors::from_vec(unknown) {
        Some(errors) => Err(errors.into()),
        None => Ok(codes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str = r#"{"quote_date":"2026-11-25",
        "insured":{"birth_date":"1996-05-01","sex":"female","smoker":false,"occupation_class":1,"social_insurance":true},
        "coverages":[{"product":"CI","sum_assured":"500000","coverage_term":"lifelong","payment_term":"years:20","frequency":"annual"}],
        "channel":{"kind":"direct"}}"#;

    #[test]
    fn quotes_are_the_native_cores_bytes() {
        let json = quote_json(REQUEST).unwrap();
        let request: premia_core::QuoteRequest = serde_json::from_str(REQUEST).unwrap();
        let native = premia_core::quote(&premia_core::demo::catalogue(), &request).unwrap();
        assert_eq!(json, serde_json::to_string(&native).unwrap());
        assert!(json.contains(r#""annual_premium":"9715.00""#), "money is a decimal string");
    }

    #[test]
    fn a_misspelt_field_is_a_syntax_error_naming_its_path() {
        let bad = REQUEST.replace("\"sex\"", "\"gender\"");
        let err = quote_json(&bad).unwrap_err();
        let json: serde_json::Value = serde_json::from_str(&err.errors_json()).unwrap();
        assert_eq!(json[0]["code"], "syntax");
        assert_eq!(json[0]["field"], "insured.gender", "the unknown field, by path");
        assert!(json[0]["message"]["zh"].as_str().unwrap().contains("格式错误"));
    }

    #[test]
    fn rule_errors_come_back_with_code_field_and_both_languages() {
        let bad = REQUEST.replace("\"500000\"", "\"505000\"");
        let err = quote_json(&bad).unwrap_err();
        assert!(err.0.has("amount.step"));
        assert!(err.summary().contains("coverages[0].sum_assured"));
    }

    #[test]
    fn verifying_an_untouched_quote_is_valid_and_a_tampered_one_names_the_field() {
        let quote = quote_json(REQUEST).unwrap();
        let verdict: serde_json::Value = serde_json::from_str(&verify_json(&quote, "2026-11-26").unwrap()).unwrap();
        assert_eq!(verdict["verdict"], "valid");
        let tampered = quote.replacen(r#""annual_premium":"9715.00""#, r#""annual_premium":"9000.00""#, 1);
        let verdict: serde_json::Value = serde_json::from_str(&verify_json(&tampered, "2026-11-26").unwrap()).unwrap();
        assert_eq!(verdict["verdict"], "invalid");
        assert_eq!(verdict["mismatches"][0]["path"], "/coverages/0/annual_premium");
    }

    #[test]
    fn loading_a_broken_catalogue_keeps_the_active_one_and_says_why() {
        let before = active_catalogue();
        let compiled = premia_core::demo::COMPILED;
        let err = load_catalogue(&compiled[..compiled.len() / 2]).unwrap_err();
        assert!(err.0.iter().any(|e| e.field == "compiled catalogue"), "{err:?}");
        assert!(Rc::ptr_eq(&before, &active_catalogue()));
        let summary: serde_json::Value = serde_json::from_str(&load_catalogue(compiled).unwrap()).unwrap();
        assert_eq!(summary["id"], "PREMIA-DEMO");
        assert_eq!(summary["content_hash"], before.content_hash, "the same catalogue as the embedded one");
        assert!(!Rc::ptr_eq(&before, &active_catalogue()));
    }

    #[test]
    fn recommendations_follow_the_age_band() {
        let profile = r#"{"insured":{"birth_date":"1996-05-01","sex":"female","smoker":false,"occupation_class":1,
            "social_insurance":true},"channel":{"kind":"direct"}}"#;
        let offers: serde_json::Value = serde_json::from_str(&recommend_json(profile, "2026-11-25").unwrap()).unwrap();
        assert_eq!(offers[0]["bundle"], "YOUNG-PROTECT");
        assert_eq!(offers[0]["quote"]["request"]["bundle"], "YOUNG-PROTECT");
        let no_age = profile.replace(r#""birth_date":"1996-05-01","#, "");
        assert!(recommend_json(&no_age, "2026-11-25").unwrap_err().0.has("required"));
    }

    #[test]
    fn resident_ids_give_birth_date_and_sex_or_a_named_error() {
        let valid = "11010519491231002X";
        let id: serde_json::Value =
            serde_json::from_str(&parse_resident_id_json(valid, "2026-11-25").unwrap()).unwrap();
        assert_eq!(id["birth_date"], "1949-12-31");
        assert_eq!(id["sex"], "female");
        let err = parse_resident_id_json("110105194912310021", "2026-11-25").unwrap_err();
        assert_eq!(err.0.iter().next().unwrap().field, "resident_id");
    }

    #[test]
    fn product_lists_accept_both_spellings_and_refuse_unknown_codes() {
        assert_eq!(product_list(r#""CI, MED""#).unwrap(), ["CI", "MED"]);
        assert_eq!(product_list(r#"["ACC"]"#).unwrap(), ["ACC"]);
        let err = product_list(r#""CI,XYZ""#).unwrap_err();
        assert_eq!(err.0.iter().next().unwrap().field, "products[1]");
    }
}

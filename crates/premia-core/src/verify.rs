//! Re-validating a submitted quote: re-price its request with the native engine and compare every
//! figure, decision and label with what was submitted. Nothing a browser or a CRM sends is trusted.
//! [`verify_body`] does the same for a submitted body as bytes (the server's routes, `premia verify`).

mod body;

pub use body::{BodyVerdict, leading_valid, parse_quote, verify_body, verify_body_slow};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::catalogue::Catalogue;
use crate::error::{ErrorKind, Errors};
use crate::pricing::quote::Quote;
use crate::request::QuoteRequest;

/// One field whose submitted value differs from the re-computed one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// JSON pointer into the quote, e.g. `/coverages/0/annual_premium`.
    pub path: String,
    pub submitted: Value,
    pub recomputed: Value,
}

/// The outcome of verifying a submitted quote.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Every figure matches to the cent.
    Valid { quote: Box<Quote> },
    /// Some fields differ; each is named with both values.
    Invalid { mismatches: Vec<Mismatch> },
    /// The quote was made from a catalogue version no longer in force, or has expired: here is a fresh one.
    RequoteNeeded { reason: RequoteReason, fresh: Box<Quote> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequoteReason {
    CatalogueVersionChanged,
    Expired,
    /// Dated before the day it is submitted, without proof that the insurer priced it on that date (the
    /// server's stamp): a client could otherwise back-date a quote to an expired campaign, a younger
    /// age's rate or an earlier underwriting rule. The fresh quote is priced today.
    DatedBeforeToday,
}

/// A request for a re-quote: `request` priced again on `today` (the reason says why its own date or
/// catalogue no longer holds).
pub fn requote(
    catalogue: &Catalogue,
    request: &QuoteRequest,
    today: NaiveDate,
    reason: RequoteReason,
) -> Result<Verdict, Errors> {
    let fresh = QuoteRequest { quote_date: today, ..request.clone() };
    let fresh = crate::pricing::engine::quote(catalogue, &fresh)?;
    Ok(Verdict::RequoteNeeded { reason, fresh: Box::new(fresh) })
}

/// Verify `submitted` (a quote as JSON) against `catalogue`, the version in force, on `today`.
///
/// A quote whose request cannot be read is an error (typed, with fields). A quote made from another
/// catalogue version, or submitted after its `valid_until`, gets a fresh quote of the same request
/// (priced on `today`) to show the customer.
pub fn verify(catalogue: &Catalogue, submitted: &Value, today: NaiveDate) -> Result<Verdict, Errors> {
    let request = read_request(submitted)?;
    let version = submitted.pointer("/catalogue/version").and_then(Value::as_str);
    let id = submitted.pointer("/catalogue/id").and_then(Value::as_str);
    let expired = submitted
        .pointer("/valid_until")
        .and_then(Value::as_str)
        .and_then(crate::age::parse_date)
        .is_none_or(|until| today > until);
    let requote = |reason| requote(catalogue, &request, today, reason);
    if id != Some(catalogue.id.as_str()) || version != Some(catalogue.version.as_str()) {
        return requote(RequoteReason::CatalogueVersionChanged);
    }
    if expired {
        return requote(RequoteReason::Expired);
    }
    let recomputed = crate::pricing::engine::quote(catalogue, &request)?;
    // Through the text a client receives (one serializer for quotes, and the JSON reader every
    // adapter already has) rather than `to_value`, which would carry a second serializer per type in
    // the browser build.
    let expected = serde_json::to_string(&recomputed).ok().and_then(|text| serde_json::from_str(&text).ok());
    let expected = expected.unwrap_or(Value::Null);
    let mut mismatches = Vec::new();
    diff(submitted, &expected, &mut String::new(), &mut mismatches);
    Ok(if mismatches.is_empty() {
        Verdict::Valid { quote: Box::new(recomputed) }
    } else {
        Verdict::Invalid { mismatches }
    })
}

/// The request inside a submitted quote, read strictly (unknown fields refused), every section checked.
pub fn read_request(submitted: &Value) -> Result<QuoteRequest, Errors> {
    let request = submitted.get("request").ok_or_else(|| Errors::one("request", ErrorKind::Required))?;
    crate::request::from_json(&crate::wire::json::Json::from(request)).map_err(|errors| {
        let prefixed = errors.into_vec().into_iter().map(|mut e| {
            e.field = format!("request.{}", e.field);
            e
        });
        Errors::from_vec(prefixed.collect()).unwrap_or_else(|| Errors::one("request", ErrorKind::Required))
    })
}
/// Collect every leaf where `a` and `b` differ, as JSON pointers.
fn diff(a: &Value, b: &Value, path: &mut String, out: &mut Vec<Mismatch>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                diff(x.get(key).unwrap_or(&Value::Null), y.get(key).unwrap_or(&Value::Null), path, out);
                path.truncate(len);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                diff(u, v, path, out);
                path.truncate(len);
            }
        }
        _ if a == b => {}
        _ => out.push(Mismatch { path: path.clone(), submitted: a.clone(), recomputed: b.clone() }),
    }
}

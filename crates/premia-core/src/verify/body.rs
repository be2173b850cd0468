//! Verifying a submitted quote, as bytes off the wire: read it strictly, then judge it with
//! [`super::verify`]. The server (`POST /api/quotes/verify`, `POST /api/quotes`), `premia verify` and
//! the fuzz target `verify_body` all call this one module.
//!
//! Reading: the body must be a well-formed quote — every field present with its type, no unknown
//! field — or it gets typed errors naming the field (`{code: "syntax", field: "coverages[0].age"}`), the
//! way the core names request fields. Values that parse but break a rule (an age of 200, a sum assured
//! above the maximum) are the core's to judge.
//!
//! Judging: [`super::verify`] decides. A fast path goes first: when the quote names the
//! catalogue in force, has not expired, and re-pricing its request gives a quote whose serialization is
//! the submitted body byte for byte (as the engine, native or wasm, writes it), the core's verdict can
//! only be `Valid` — its comparison of the two JSON trees would find nothing — so this skips
//! building and diffing them. The serialization is [`crate::wire::quote_json`]'s, byte for byte
//! serde_json's and several times faster (`tests/verify_body.rs` holds the two equal on the tests'
//! whole corpus). Anything else (a tampered, stale, re-formatted or malformed quote) is read strictly and
//! goes to the core's `verify` for the full verdict with every mismatch named. The fast path decides
//! nothing the core would not; `tests/server/tamper.rs` and the fuzz target `verify_body` check that
//! both give the same verdicts.

use super::{Mismatch, RequoteReason, Verdict};
use crate::catalogue::{Catalogue, CatalogueRef};
use crate::error::{ErrorKind, Errors};
use crate::pricing::quote::Quote;
use crate::request::QuoteRequest;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::Value;

/// The verdict on one submitted body: the core's [`Verdict`], or why the body was not judged.
#[derive(Debug)]
pub enum BodyVerdict {
    /// Matches to the cent; the verifier's own re-computation.
    Valid(Box<Quote>),
    Invalid(Vec<Mismatch>),
    RequoteNeeded {
        reason: RequoteReason,
        fresh: Box<Quote>,
    },
    /// The body is not a quote, or its request breaks the catalogue's rules.
    Rejected {
        errors: Errors,
        malformed: bool,
    },
}

impl BodyVerdict {
    /// The metric label.
    pub fn name(&self) -> &'static str {
        match self {
            BodyVerdict::Valid(_) => "valid",
            BodyVerdict::Invalid(_) => "invalid",
            BodyVerdict::RequoteNeeded { .. } => "requote_needed",
            BodyVerdict::Rejected { .. } => "rejected",
        }
    }
}

/// Parse `body` as a quote; `Err` names the first field that does not fit (path as the core writes it).
pub fn parse_quote(body: &[u8]) -> Result<Quote, Errors> {
    let syntax = |field: &str, message: String| Errors::one(field, ErrorKind::Syntax { message });
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(syntax("body", "expected a JSON object (a quote)".into()));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let quote: Quote = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let field = if inner.is_syntax() || inner.is_eof() || path == "." { "body".to_owned() } else { path };
        syntax(&field, inner.to_string())
    })?;
    deserializer.end().map_err(|e| syntax("body", e.to_string()))?;
    Ok(quote)
}

/// The parts of a quote the fast path needs; everything else is compared as bytes.
#[derive(Deserialize)]
struct Head {
    catalogue: CatalogueRef,
    request: QuoteRequest,
    valid_until: NaiveDate,
}

/// The fast path: `Some(quote)` when `body` is exactly the engine's quote for its own request today.
fn fast_valid(catalogue: &Catalogue, body: &[u8], today: NaiveDate) -> Option<Quote> {
    let head = canonical_head(body).or_else(|| serde_json::from_slice::<Head>(body).ok())?;
    let (quote, same) = recompute(catalogue, head, today, |written| written == body)?;
    same.then_some(quote)
}

/// The fast path over lines of quotes (`premia verify`): when `bytes` starts with the engine's quote for
/// its own request today, followed by a line end (`\n`, `\r\n`, or `\r` or nothing at the end of
/// `bytes`), that quote and the length of its line with the line end. Exactly when [`verify_body`] of that
/// line would find it valid by the fast path, but without first searching 5 KB for the line's end:
/// the comparison with the written quote finds it. `None` says nothing: search for the line's end and
/// [`verify_body`] the line.
pub fn leading_valid(catalogue: &Catalogue, bytes: &[u8], today: NaiveDate) -> Option<(Quote, usize)> {
    // Only the engine's own layout: the head then lies inside the quote, so it reads the same as it
    // would from the line alone.
    let head = canonical_head(bytes)?;
    let (quote, length) = recompute(catalogue, head, today, |written| {
        let line_end = match bytes.strip_prefix(written)? {
            [] => 0,
            [b'\n', ..] | [b'\r'] => 1,
            [b'\r', b'\n', ..] => 2,
            _ => return None,
        };
        Some(written.len() + line_end)
    })?;
    Some((quote, length?))
}

/// Re-price the request of `head` if it is for `catalogue` and still valid `today`, write the quote
/// into a per-thread buffer (no allocation once warm) and let `judge` compare it with the submission.
/// The writer is the core's hand-written one: the bytes of `serde_json::to_vec(&quote)`, several times
/// faster.
fn recompute<T>(
    catalogue: &Catalogue,
    head: Head,
    today: NaiveDate,
    judge: impl FnOnce(&[u8]) -> T,
) -> Option<(Quote, T)> {
    if head.catalogue.id != catalogue.id || head.catalogue.version != catalogue.version || today > head.valid_until {
        return None;
    }
    let recomputed = crate::pricing::engine::quote(catalogue, &head.request).ok()?;
    let judged = SERIALIZED.with_borrow_mut(|buffer| {
        buffer.clear();
        crate::wire::quote_json::write_quote(&recomputed, buffer);
        judge(buffer)
    });
    Some((recomputed, judged))
}

thread_local! {
    static SERIALIZED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Read the head of a quote in the engine's own layout (`{"catalogue":…,"illustrative":…,"request":…,
/// "valid_until":"…"` first) without scanning the rest; `None` for any other layout. Only a speed-up:
/// the byte comparison that follows is what accepts a quote.
fn canonical_head(body: &[u8]) -> Option<Head> {
    let rest = body.strip_prefix(b"{\"catalogue\":")?;
    let (catalogue, rest) = leading::<CatalogueRef>(rest)?;
    let rest = rest.strip_prefix(b",\"illustrative\":")?;
    let rest = rest.strip_prefix(b"true").or_else(|| rest.strip_prefix(b"false"))?;
    let (request, rest) = leading::<QuoteRequest>(rest.strip_prefix(b",\"request\":")?)?;
    let date = rest.strip_prefix(b",\"valid_until\":\"")?.get(..10)?;
    let valid_until = std::str::from_utf8(date).ok()?.parse().ok()?;
    Some(Head { catalogue, request, valid_until })
}

/// The JSON value at the start of `bytes`, and what follows it.
fn leading<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<(T, &[u8])> {
    let mut values = serde_json::Deserializer::from_slice(bytes).into_iter::<T>();
    let value = values.next()?.ok()?;
    Some((value, bytes.get(values.byte_offset()..)?))
}

/// Verify the quote in `body` against `catalogue` (the version in force) on `today`.
pub fn verify_body(catalogue: &Catalogue, body: &[u8], today: NaiveDate) -> BodyVerdict {
    if let Some(quote) = fast_valid(catalogue, body, today) {
        return BodyVerdict::Valid(Box::new(quote));
    }
    if let Err(errors) = parse_quote(body) {
        return BodyVerdict::Rejected { errors, malformed: true };
    }
    verify_body_slow(catalogue, body, today)
}

fn from_core(verdict: Result<Verdict, Errors>) -> BodyVerdict {
    match verdict {
        Ok(Verdict::Valid { quote }) => BodyVerdict::Valid(quote),
        Ok(Verdict::Invalid { mismatches }) => BodyVerdict::Invalid(mismatches),
        Ok(Verdict::RequoteNeeded { reason, fresh }) => BodyVerdict::RequoteNeeded { reason, fresh },
        Err(errors) => BodyVerdict::Rejected { errors, malformed: false },
    }
}

/// The core's verdict alone, without the fast path or the strict reading: what the fast path must
/// agree with.
pub fn verify_body_slow(catalogue: &Catalogue, body: &[u8], today: NaiveDate) -> BodyVerdict {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) => from_core(super::verify(catalogue, &value, today)),
        Err(e) => BodyVerdict::Rejected {
            errors: Errors::one("body", ErrorKind::Syntax { message: e.to_string() }),
            malformed: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Catalogue, Vec<u8>, NaiveDate) {
        let catalogue = crate::demo::catalogue();
        let request = serde_json::from_value(serde_json::json!({
            "quote_date": "2026-11-25",
            "insured": { "birth_date": "1990-05-17", "sex": "male", "smoker": false,
                         "occupation_class": 2, "social_insurance": true },
            "coverages": [{ "product": "CI", "sum_assured": "300000", "coverage_term": "lifelong",
                            "payment_term": "years:20", "frequency": "annual" }],
            "channel": { "kind": "direct" }
        }))
        .unwrap();
        let quote = crate::pricing::engine::quote(&catalogue, &request).unwrap();
        (catalogue, serde_json::to_vec(&quote).unwrap(), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
    }

    #[test]
    fn a_genuine_quote_is_valid() {
        let (catalogue, body, today) = sample();
        // The engine's own layout takes the fast path (this fails if the quote's field order changes).
        assert!(canonical_head(&body).is_some());
        assert!(fast_valid(&catalogue, &body, today).is_some());
        assert!(matches!(verify_body(&catalogue, &body, today), BodyVerdict::Valid(_)));
        assert!(matches!(verify_body_slow(&catalogue, &body, today), BodyVerdict::Valid(_)));
    }

    #[test]
    fn a_genuine_quote_leading_a_run_of_lines_is_found_with_its_line_end() {
        let (catalogue, body, today) = sample();
        let n = body.len();
        for (end, taken) in [(&b""[..], n), (b"\n", n + 1), (b"\r\n", n + 2), (b"\r", n + 1)] {
            let bytes = [body.as_slice(), end].concat();
            let (quote, length) = leading_valid(&catalogue, &bytes, today).unwrap();
            assert_eq!(length, taken);
            assert_eq!(quote.digest, serde_json::from_slice::<Quote>(&body).unwrap().digest);
        }
        let two = [body.as_slice(), b"\n", body.as_slice(), b"\n"].concat();
        assert_eq!(leading_valid(&catalogue, &two, today).map(|(_, length)| length), Some(n + 1));
        // Anything after the quote but a line end, a changed byte inside it, a cut quote: not found
        // here (the caller then verifies the line).
        for bad in [
            [body.as_slice(), b" \n"].concat(),
            [body.as_slice(), b"\r\r\n"].concat(),
            [body.as_slice(), b"{}"].concat(),
            String::from_utf8(body.clone())
                .unwrap()
                .replacen("\"annual_premium\":\"", "\"annual_premium\":\"1", 1)
                .into_bytes(),
            body[..n - 1].to_vec(),
            [b" ".as_slice(), body.as_slice()].concat(),
        ] {
            assert!(leading_valid(&catalogue, &bad, today).is_none(), "{}", String::from_utf8_lossy(&bad));
        }
        let later = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        assert!(leading_valid(&catalogue, &body, later).is_none());
    }

    #[test]
    fn a_reformatted_genuine_quote_is_valid_by_the_slow_path() {
        let (catalogue, body, today) = sample();
        let value: Value = serde_json::from_slice(&body).unwrap();
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        assert!(fast_valid(&catalogue, &pretty, today).is_none());
        assert!(matches!(verify_body(&catalogue, &pretty, today), BodyVerdict::Valid(_)));
    }

    #[test]
    fn a_changed_premium_is_named() {
        let (catalogue, body, today) = sample();
        let mut value: Value = serde_json::from_slice(&body).unwrap();
        let premium = value["totals"]["annual_premium"].as_str().unwrap().parse::<rust_decimal::Decimal>().unwrap();
        value["totals"]["annual_premium"] = Value::String((premium - rust_decimal::Decimal::new(1, 2)).to_string());
        let BodyVerdict::Invalid(mismatches) = verify_body(&catalogue, &serde_json::to_vec(&value).unwrap(), today)
        else {
            panic!("expected invalid");
        };
        assert_eq!(mismatches.len(), 1);
        assert_eq!(mismatches[0].path, "/totals/annual_premium");
    }

    #[test]
    fn malformed_bodies_name_the_field() {
        let (catalogue, body, today) = sample();
        let BodyVerdict::Rejected { errors, malformed: true } = verify_body(&catalogue, b"{\"catalogue\": ", today)
        else {
            panic!("expected rejected");
        };
        assert_eq!(errors.iter().next().unwrap().field, "body");

        let mut value: Value = serde_json::from_slice(&body).unwrap();
        value["coverages"][0]["age"] = Value::String("thirty".into());
        let BodyVerdict::Rejected { errors, .. } = verify_body(&catalogue, &serde_json::to_vec(&value).unwrap(), today)
        else {
            panic!("expected rejected");
        };
        assert_eq!(errors.iter().next().unwrap().field, "coverages[0].age");

        let mut value: Value = serde_json::from_slice(&body).unwrap();
        value["request"]["insured"]["nickname"] = Value::String("x".into());
        let BodyVerdict::Rejected { errors, .. } = verify_body(&catalogue, &serde_json::to_vec(&value).unwrap(), today)
        else {
            panic!("expected rejected");
        };
        let error = errors.iter().next().unwrap();
        assert_eq!(error.field, "request.insured.nickname");
        assert!(error.message().en.contains("unknown field"), "{}", error.message().en);

        assert!(matches!(verify_body(&catalogue, b"[1, 2]", today), BodyVerdict::Rejected { malformed: true, .. }));
        let trailing = [body.as_slice(), b" {}"].concat();
        assert!(matches!(verify_body(&catalogue, &trailing, today), BodyVerdict::Rejected { malformed: true, .. }));
    }

    #[test]
    fn an_expired_quote_needs_a_requote() {
        let (catalogue, body, _) = sample();
        let later = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
        let BodyVerdict::RequoteNeeded { reason, fresh } = verify_body(&catalogue, &body, later) else {
            panic!("expected requote");
        };
        assert_eq!(reason, RequoteReason::Expired);
        assert_eq!(fresh.request.quote_date, later);
    }
}

//! The body of `POST /api/quotes`: an application is the quote beside the insured's resident ID number,
//! `{"quote": <the quote exactly as the engine wrote it>, "resident_id": "<18 characters>", "stamp": "…"}`
//! (`stamp` optional: the one `/api/quotes/verify` gave, for a quote dated before today).
//!
//! Why the number travels: a quote carries nothing from which the number could be found (only the birth
//! date and sex it gives), and the person is what the number says — the number is what they declare.
//! The server checks the number ([`resident_id`], GB 11643), checks that its birth date and sex are the
//! quote's ([`check`]), and keys the person by HMAC of the number under its own secret for the blacklist
//! and storage. The number itself is dropped after that; it is never stored or logged.
//!
//! Reading is as strict as for a bare quote: unknown fields are refused, every error is typed and names
//! its field (the quote's own fields as `quote.request.insured.…`). A bare quote, the format before the
//! envelope, is refused with `required` on `resident_id`: it cannot be checked.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use premia_core::resident_id::{self, ResidentId};
use premia_core::{ErrorKind, Errors, Quote};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use crate::error::{ApiError, ServerError};

/// The envelope's fields, as `openapi.json` documents them (a test keeps the two in step).
pub const FIELDS: [&str; 4] = ["application", "quote", "resident_id", "stamp"];

/// A read envelope.
#[derive(Debug)]
pub struct Envelope<'a> {
    /// The quote's bytes exactly as sent: the verification's fast path compares them with the engine's
    /// own serialization.
    pub quote: &'a [u8],
    /// The number as sent; checked by [`resident_id`].
    pub resident_id: String,
    /// The server's stamp for this quote, if the client has one.
    pub stamp: Option<String>,
    /// The application's details and consent (投保单: policyholder, insured, beneficiaries, the
    /// documents confirmed), read by `premia_core::purchase::form`; without them the application is
    /// stored but cannot be paid.
    pub application: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields<'a> {
    #[serde(borrow, default)]
    quote: Option<&'a RawValue>,
    #[serde(default)]
    resident_id: Option<String>,
    #[serde(default)]
    stamp: Option<String>,
    #[serde(borrow, default)]
    application: Option<&'a RawValue>,
}

/// Read `body` as an envelope. Malformed JSON, unknown fields and wrong types are 400 `syntax` naming
/// the field; a missing quote or number (or a bare quote) is 422 `required`.
pub fn read(body: &[u8]) -> Result<Envelope<'_>, ApiError> {
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(syntax("body", "expected a JSON object {\"quote\": …, \"resident_id\": …}".into()));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let fields: Fields<'_> = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(fields) => fields,
        Err(_) if is_bare_quote(body) => return Err(ApiError::server(StatusCode::UNPROCESSABLE_ENTITY, id_required())),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let field = if inner.is_syntax() || inner.is_eof() || path == "." { "body".to_owned() } else { path };
            return Err(syntax(&field, inner.to_string()));
        }
    };
    deserializer.end().map_err(|e| syntax("body", e.to_string()))?;
    let resident_id = fields.resident_id.filter(|id| !id.trim().is_empty());
    match (fields.quote, resident_id) {
        (Some(quote), Some(resident_id)) => Ok(Envelope {
            quote: quote.get().as_bytes(),
            resident_id,
            stamp: fields.stamp.filter(|s| !s.trim().is_empty()),
            application: fields.application,
        }),
        (quote, resident_id) => {
            let mut errors = Vec::new();
            if quote.is_none() {
                errors.push(ServerError::new(
                    "required",
                    "quote",
                    "缺少报价：请求体为 {\"quote\": 报价, \"resident_id\": 身份证号码}",
                    "the quote is missing: send {\"quote\": <the quote>, \"resident_id\": <the number>}",
                ));
            }
            if resident_id.is_none() {
                errors.push(id_required());
            }
            Err(ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                errors: serde_json::to_value(errors).unwrap_or_default(),
                extra: None,
            })
        }
    }
}

/// A quote sent on its own (the format before the envelope): an object with a `request` and neither of
/// the envelope's fields.
fn is_bare_quote(body: &[u8]) -> bool {
    serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(body)
        .is_ok_and(|keys| keys.contains_key("request") && !FIELDS.iter().any(|f| keys.contains_key(*f)))
}

fn id_required() -> ServerError {
    ServerError::new(
        "required",
        "resident_id",
        "投保须提供被保险人的身份证号码：请求体为 {\"quote\": 报价, \"resident_id\": 身份证号码}",
        "an application needs the insured's resident ID number: send {\"quote\": <the quote>, \"resident_id\": <the number>}",
    )
}

fn syntax(field: &str, message: String) -> ApiError {
    ApiError::core(StatusCode::BAD_REQUEST, &Errors::one(field, ErrorKind::Syntax { message }))
}

/// Check the number itself (GB 11643) as of `today`: 422 with the core's `resident_id.*` errors.
pub fn resident_id(number: &str, today: chrono::NaiveDate) -> Result<ResidentId, ApiError> {
    resident_id::parse(number, today, "resident_id").map_err(|e| ApiError::core(StatusCode::UNPROCESSABLE_ENTITY, &e))
}

/// The quote's strict-reading errors, named where they are in the envelope (`quote.request.…`).
pub fn in_quote(errors: Errors) -> Errors {
    let moved = errors.into_vec().into_iter().map(|mut error| {
        error.field = if error.field == "body" { "quote".to_owned() } else { format!("quote.{}", error.field) };
        error
    });
    Errors::from_vec(moved.collect()).unwrap_or_else(|| Errors::one("quote", ErrorKind::Required))
}

/// Require the quote to be about the person `id` names: its birth date and sex are the number's. Every
/// difference is reported (422).
pub fn check(quote: &Quote, id: &ResidentId) -> Result<(), ApiError> {
    let insured = &quote.request.insured;
    let mut errors = Vec::new();
    let field = |name: &str| format!("quote.request.insured.{name}");
    match insured.birth_date {
        Some(given) if given == id.birth_date => {}
        Some(given) => errors.push(to_value(premia_core::Error::new(
            field("birth_date"),
            ErrorKind::IdContradicts {
                what: "birth_date",
                given: given.to_string(),
                from_id: id.birth_date.to_string(),
            },
        ))),
        None => errors.push(to_value(premia_core::Error::new(field("birth_date"), ErrorKind::Required))),
    }
    match insured.sex {
        Some(given) if given == id.sex => {}
        Some(given) => errors.push(to_value(premia_core::Error::new(
            field("sex"),
            ErrorKind::IdContradicts { what: "sex", given: given.name().into(), from_id: id.sex.name().into() },
        ))),
        None => errors.push(to_value(premia_core::Error::new(field("sex"), ErrorKind::Required))),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: serde_json::Value::Array(errors),
            extra: None,
        })
    }
}

fn to_value(error: impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(error).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    /// Beijing Dongcheng, 1990-03-07, sequence 002 (even: female), with its check character.
    const ID: &str = "11010119900307002X";

    fn quote(insured: Value) -> Quote {
        let catalogue = premia_core::demo::catalogue();
        let request = serde_json::from_value(json!({
            "quote_date": today(),
            "insured": insured,
            "coverages": [{ "product": "ACC", "sum_assured": "200000", "coverage_term": "years:1",
                            "payment_term": "years:1", "frequency": "annual" }],
            "channel": { "kind": "direct" }
        }))
        .unwrap();
        premia_core::quote(&catalogue, &request).unwrap()
    }

    fn base(extra: Value) -> Value {
        let mut insured = json!({ "smoker": false, "occupation_class": 1, "social_insurance": true });
        insured.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        insured
    }

    fn codes_and_fields(error: &ApiError) -> Vec<(String, String)> {
        error
            .errors
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["code"].as_str().unwrap().to_owned(), e["field"].as_str().unwrap().to_owned()))
            .collect()
    }

    fn pair(code: &str, field: &str) -> (String, String) {
        (code.to_owned(), field.to_owned())
    }

    #[test]
    fn an_envelope_keeps_the_quote_bytes_as_sent() {
        let body = br#"{ "quote" : {"b":1,  "a":[2]} , "resident_id": "11010119900307002X" }"#;
        let envelope = read(body).unwrap();
        assert_eq!(envelope.quote, br#"{"b":1,  "a":[2]}"#);
        assert_eq!(envelope.resident_id, ID);
    }

    #[test]
    fn envelopes_are_read_strictly() {
        let cases: [(&[u8], u16, &str, &str); 8] = [
            (b"[1]", 400, "syntax", "body"),
            (b"{\"quote\": {", 400, "syntax", "body"),
            (b"{\"quote\": {}, \"resident_id\": 110105194912310021}", 400, "syntax", "resident_id"),
            (b"{\"quote\": {}, \"resident_id\": \"x\", \"note\": 1}", 400, "syntax", "note"),
            (b"{\"quote\": {}, \"quote\": {}, \"resident_id\": \"x\"}", 400, "syntax", "body"),
            (b"{\"quote\": {}, \"resident_id\": \"x\"} {}", 400, "syntax", "body"),
            (b"{\"quote\": {}}", 422, "required", "resident_id"),
            (b"{\"quote\": {}, \"resident_id\": \"  \"}", 422, "required", "resident_id"),
        ];
        for (body, status, code, field) in cases {
            let error = read(body).unwrap_err();
            let text = String::from_utf8_lossy(body);
            assert_eq!(error.status.as_u16(), status, "{text}: {:?}", error.errors);
            assert_eq!(codes_and_fields(&error)[0], pair(code, field), "{text}");
        }
        let neither = read(b"{}").unwrap_err();
        assert_eq!(codes_and_fields(&neither), [pair("required", "quote"), pair("required", "resident_id")]);
    }

    #[test]
    fn a_bare_quote_is_refused_for_want_of_the_number() {
        let body = serde_json::to_vec(&quote(base(json!({ "resident_id": ID })))).unwrap();
        let error = read(&body).unwrap_err();
        assert_eq!(error.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(codes_and_fields(&error), [pair("required", "resident_id")]);
        assert!(error.errors[0]["message"]["zh"].as_str().unwrap().contains("身份证号码"));
        assert!(error.errors[0]["message"]["en"].as_str().unwrap().contains("resident ID number"));
    }

    #[test]
    fn quote_errors_are_named_inside_the_envelope() {
        let errors = Errors::one("request.insured.nickname", ErrorKind::Required);
        assert_eq!(in_quote(errors).iter().next().unwrap().field, "quote.request.insured.nickname");
        let errors = Errors::one("body", ErrorKind::Required);
        assert_eq!(in_quote(errors).iter().next().unwrap().field, "quote");
    }

    #[test]
    fn the_number_itself_is_checked() {
        let error = resident_id("110105194912310021", today()).unwrap_err();
        assert_eq!(codes_and_fields(&error), [pair("resident_id.checksum", "resident_id")]);
        assert_eq!(resident_id("11010519491231002x", today()).unwrap().number, "11010519491231002X");
    }

    #[test]
    fn a_quote_priced_with_the_number_passes() {
        let id = resident_id(ID, today()).unwrap();
        check(&quote(base(json!({ "resident_id": ID }))), &id).unwrap();
        // The same person by birth date and sex: the same quote, and it passes too.
        check(&quote(base(json!({ "birth_date": "1990-03-07", "sex": "female" }))), &id).unwrap();
    }

    #[test]
    fn a_birth_date_or_sex_the_number_contradicts_is_named() {
        let id = resident_id(ID, today()).unwrap();
        let insured = base(json!({ "birth_date": "1990-03-08", "sex": "male" }));
        let error = check(&quote(insured), &id).unwrap_err();
        assert_eq!(
            codes_and_fields(&error),
            [
                pair("resident_id.contradicts", "quote.request.insured.birth_date"),
                pair("resident_id.contradicts", "quote.request.insured.sex"),
            ]
        );
        assert!(error.errors[1]["message"]["zh"].as_str().unwrap().contains("性别"));
    }

    #[test]
    fn a_stamp_travels_beside_the_quote() {
        let body = br#"{"quote": {}, "resident_id": "11010119900307002X", "stamp": "a.b.c"}"#;
        assert_eq!(read(body).unwrap().stamp.as_deref(), Some("a.b.c"));
        let body = br#"{"quote": {}, "resident_id": "11010119900307002X", "stamp": ""}"#;
        assert_eq!(read(body).unwrap().stamp, None);
    }
}

//! Buying: the term-life quote and the application form the purchase tests and the payments bench
//! submit (the policyholder insuring himself, every document the quote needs confirmed).

use chrono::NaiveDate;
use premia_core::{Catalogue, Quote, QuoteRequest};
use serde_json::{Value, json};

/// A resident ID number of Shanghai (Xuhui) for this birth date (`YYYYMMDD`) and sequence (odd: male).
pub fn shanghai_id(born: &str, sequence: u16) -> String {
    let first17 = format!("310104{born}{sequence:03}");
    format!("{first17}{}", premia_core::resident_id::check_char(first17.as_bytes()))
}

/// Term life (TERM, 500,000, 20 years, paid yearly) quoted on `quote_date` for a healthy non-smoker
/// identified by `resident_id`.
pub fn term_quote(catalogue: &Catalogue, resident_id: &str, quote_date: NaiveDate) -> Quote {
    let request: QuoteRequest = serde_json::from_value(json!({
        "quote_date": quote_date,
        "insured": { "resident_id": resident_id, "smoker": false, "occupation_class": 1, "social_insurance": true,
                     "height_cm": "170", "weight_kg": "65", "annual_income": "400000",
                     "health_answers": { "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false },
                                         "DIABETES": { "yes": false } } },
        "coverages": [{ "product": "TERM", "sum_assured": "500000", "coverage_term": "years:20",
                        "payment_term": "years:20", "frequency": "annual" }],
        "channel": { "kind": "direct" },
    }))
    .expect("a request");
    premia_core::quote(catalogue, &request).expect("term life is quoted")
}

/// The application form (`"application"` of `POST /api/quotes`) of a policyholder insuring himself,
/// with every document `quote` requires confirmed.
pub fn self_application(catalogue: &Catalogue, quote: &Quote, resident_id: &str) -> Value {
    let confirmations: Vec<Value> = premia_core::purchase::consent::required(catalogue, quote)
        .expect("the quote's documents")
        .iter()
        .map(|d| json!({ "document": d.id, "sha256": d.sha256, "confirmed_at": "2026-11-25T10:15:00+08:00" }))
        .collect();
    json!({
        "policyholder": { "name": "王建国", "resident_id": resident_id, "mobile": "13800138000",
                          "address": { "region": "310104", "detail": "漕溪北路 88 号 3 楼" } },
        "insured": { "relationship": "self" },
        "beneficiaries": { "kind": "statutory" },
        "confirmations": confirmations,
    })
}

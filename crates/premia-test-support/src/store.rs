//! Applications as the store takes them, for the store's own tests and the benches that fill a store
//! without the HTTP path.

use premia_core::Quote;
use premia_store::NewApplication;

/// An accepted direct application numbered `number`, with placeholder figures (the store's tests read
/// back what they wrote; nothing here is priced). Change what a test needs with
/// `NewApplication { channel: …, ..application(number) }`.
pub fn application(number: &str) -> NewApplication {
    NewApplication {
        number: number.to_owned(),
        status: "accepted".into(),
        channel: "direct".into(),
        agent_code: None,
        agent_token_id: None,
        resident_id_hash: Some("ab".repeat(32)),
        catalogue_id: "PREMIA-DEMO".into(),
        catalogue_version: "2026.11.0".into(),
        digest: format!("digest-of-{number}"),
        decision: r#"{"overall":"accept"}"#.into(),
        request_json: r#"{"quote_date":"2026-11-25"}"#.into(),
        quote_json: format!(r#"{{"number":"{number}"}}"#),
        token: format!("token-for-{number}"),
        coupons: Vec::new(),
        referrals: Vec::new(),
        idempotency: None,
        audit: Vec::new(),
        receipt: None,
        case: None,
        dashboard: None,
    }
}

/// An accepted direct application of a genuine `quote`, stored as the server stores one: its request,
/// quote and decision as JSON, and the dashboard's facts.
pub fn of_quote(number: &str, quote: &Quote) -> NewApplication {
    NewApplication {
        resident_id_hash: Some("k".repeat(64)),
        catalogue_id: quote.catalogue.id.clone(),
        catalogue_version: quote.catalogue.version.clone(),
        digest: quote.digest.clone(),
        decision: serde_json::to_string(&quote.decision).expect("JSON"),
        request_json: serde_json::to_string(&quote.request).expect("JSON"),
        quote_json: serde_json::to_string(&quote).expect("JSON"),
        dashboard: premia_server::dashboard::intake::facts(quote),
        ..application(number)
    }
}

//! What the store holds, read back as the server's types — including rows an earlier release wrote.
//!
//! Before issue 10 a quote carried the insured's salted `resident_id_hash` (retired: the catalogue's
//! public salt gave the number back offline, and it has nothing to do with a figure). The core refuses
//! unknown fields, so every stored quote the server reads goes through [`quote`], which drops that one
//! field and nothing else; [`quote_value`] does the same for a quote shown as JSON, so the retired hash
//! is never shown either.

use premia_core::Quote;
use serde_json::Value;

/// The retired field's place in a stored quote.
const RETIRED_HASH: &str = "resident_id_hash";

/// A stored quote, written by this release or an earlier one.
pub fn quote(json: &str) -> Result<Quote, String> {
    // This release's rows read directly; only a row that does not is read again without the hash.
    match serde_json::from_str::<Quote>(json) {
        Ok(quote) => Ok(quote),
        Err(_) if json.contains(RETIRED_HASH) => {
            serde_json::from_value(quote_value(json)?).map_err(|e| format!("stored quote: {e}"))
        }
        Err(error) => Err(format!("stored quote: {error}")),
    }
}

/// A stored quote as JSON, without the retired hash.
pub fn quote_value(json: &str) -> Result<Value, String> {
    let mut value: Value = serde_json::from_str(json).map_err(|e| format!("stored quote: {e}"))?;
    if let Some(insured) = value.pointer_mut("/request/insured").and_then(Value::as_object_mut) {
        insured.remove(RETIRED_HASH);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_quote_stored_before_issue_10_reads_without_its_retired_hash() {
        let catalogue = premia_core::demo::catalogue();
        let request: premia_core::QuoteRequest = serde_json::from_value(serde_json::json!({
            "quote_date": "2026-11-25",
            "insured": { "birth_date": "1990-01-01", "sex": "female", "smoker": false, "occupation_class": 1,
                         "social_insurance": true },
            "coverages": [{ "product": "TERM", "sum_assured": "500000", "coverage_term": "years:20",
                            "payment_term": "years:20", "frequency": "annual" }],
            "channel": { "kind": "direct" }
        }))
        .unwrap();
        let quote = premia_core::quote(&catalogue, &request).unwrap();
        assert_eq!(super::quote(&serde_json::to_string(&quote).unwrap()).unwrap(), quote, "this release's rows");
        let mut old = serde_json::to_value(&quote).unwrap();
        old["request"]["insured"]["resident_id_hash"] = "66e4888368eb24fd58c296f5e1400882".into();
        let json = old.to_string();
        assert!(serde_json::from_str::<premia_core::Quote>(&json).is_err(), "the core refuses the retired field");
        assert_eq!(super::quote(&json).unwrap(), quote);
        assert!(!super::quote_value(&json).unwrap().to_string().contains("resident_id_hash"));
        old["request"]["insured"]["made_up"] = true.into();
        assert!(super::quote(&old.to_string()).is_err(), "anything else unknown is still refused");
    }
}

//! The facts of applications stored before the dashboard existed (migration 0020), written once at
//! start by the same code that writes them at submission (`premia_dashboard::facts::of_quote` on the
//! stored quote JSON; a case the desk accepted, on the quote of its final terms). Resumable: it picks
//! up whatever has no facts yet, 500 at a time, each batch one transaction with its rollups.

use premia_core::Quote;
use premia_dashboard::ApplicationFacts;
use premia_store::{Store, StoreError, Unfacted};

/// Write the missing facts; how many applications got theirs.
pub async fn run(store: &Store) -> Result<usize, StoreError> {
    let mut cursor = None;
    let mut written = 0;
    loop {
        let rows = store.unfacted(cursor.as_ref(), 500).await?;
        let Some(last) = rows.last() else { break };
        cursor = Some((last.created_at, last.number.clone()));
        let mut entries = Vec::with_capacity(rows.len());
        for row in rows {
            match derive(&row) {
                Ok((facts, final_facts)) => entries.push((row, facts, final_facts)),
                Err(error) => {
                    tracing::error!(application = %row.number, "no dashboard facts for this application: {error}")
                }
            }
        }
        match store.backfill(&entries).await {
            Ok(()) => written += entries.len(),
            // Another replica starting at the same time wrote them first.
            Err(StoreError::Database(e)) if e.as_database_error().is_some_and(|d| d.is_unique_violation()) => {
                tracing::info!("dashboard facts: another server wrote this batch first");
            }
            Err(error) => return Err(error),
        }
    }
    if written > 0 {
        tracing::info!("dashboard facts written for {written} applications stored before them");
    }
    Ok(written)
}

/// The facts of a stored application, and of its desk-accepted terms.
pub fn derive(row: &Unfacted) -> Result<(ApplicationFacts, Option<ApplicationFacts>), String> {
    let of = |json: &str| -> Result<ApplicationFacts, String> {
        let quote = stored_quote(json)?;
        premia_dashboard::facts::of_quote(&quote).map_err(|e| e.to_string())
    };
    let facts = of(&row.quote_json)?;
    let final_facts = match &row.final_outcome {
        Some((outcome, _, Some(quote))) if outcome == "accepted" => Some(of(quote)?),
        _ => None,
    };
    Ok((facts, final_facts))
}

/// A quote as an earlier release stored it. Before issue 10 a quote carried the insured's salted
/// `resident_id_hash` (retired: the core no longer reads it, and it has nothing to do with a figure);
/// it is dropped before the quote is read, everything else must read as it is.
pub fn stored_quote(json: &str) -> Result<Quote, String> {
    let mut value: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("stored quote: {e}"))?;
    if let Some(insured) = value.pointer_mut("/request/insured").and_then(serde_json::Value::as_object_mut) {
        insured.remove("resident_id_hash");
    }
    serde_json::from_value(value).map_err(|e| format!("stored quote: {e}"))
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
        let mut old = serde_json::to_value(&quote).unwrap();
        old["request"]["insured"]["resident_id_hash"] = "66e4888368eb24fd58c296f5e1400882".into();
        let json = old.to_string();
        assert!(serde_json::from_str::<premia_core::Quote>(&json).is_err(), "the core refuses the retired field");
        assert_eq!(super::stored_quote(&json).unwrap(), quote);
        old["request"]["insured"]["made_up"] = true.into();
        assert!(super::stored_quote(&old.to_string()).is_err(), "anything else unknown is still refused");
    }
}

//! The facts of applications stored before the dashboard existed (migration 0020), written once at
//! start by the same code that writes them at submission (`premia_dashboard::facts::of_quote` on the
//! stored quote JSON; a case the desk accepted, on the quote of its final terms). Resumable: it picks
//! up whatever has no facts yet, 500 at a time, each batch one transaction with its rollups.

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
        let quote = crate::stored::quote(json)?;
        premia_dashboard::facts::of_quote(&quote).map_err(|e| e.to_string())
    };
    let facts = of(&row.quote_json)?;
    let final_facts = match &row.final_outcome {
        Some((outcome, _, Some(quote))) if outcome == "accepted" => Some(of(quote)?),
        _ => None,
    };
    Ok((facts, final_facts))
}

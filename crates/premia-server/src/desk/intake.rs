//! At submission: the status receipt every application gets, and the desk's case for one that was not
//! decided automatically. Both are written in the application's own transaction (`NewApplication`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use premia_core::Quote;
use premia_store::NewCase;

use crate::state::AppState;

/// What the submission stores beside the application.
#[derive(Debug)]
pub struct Intake {
    pub receipt: String,
    pub case: Option<NewCase>,
}

/// The receipt and, for a referred application, its case: which product referred it, and whether it
/// needs a second, senior underwriter (the core's rule, over the catalogue the quote was priced with).
pub fn intake(state: &AppState, quote: &Quote, referred: bool, blacklist_referral: bool) -> Result<Intake, String> {
    let receipt = receipt()?;
    if !referred {
        return Ok(Intake { receipt, case: None });
    }
    let version =
        state.catalogues.get(&quote.catalogue.version).unwrap_or_else(|| state.catalogues.in_force(state.today()));
    let referring = quote.coverages.iter().find(|c| !c.decision.outcome.is_automatic()).or(quote.coverages.first());
    let (product, line) = match referring {
        Some(c) => (c.product.clone(), line_name(c.line)),
        None => (String::new(), String::new()),
    };
    let case = NewCase {
        product,
        line,
        needs_second_review: premia_core::desk::needs_second_review(&version.catalogue, quote, blacklist_referral),
        blacklist_referral,
    };
    Ok(Intake { receipt, case: Some(case) })
}

/// The line of business as the API spells it (`critical_illness`).
pub fn line_name(line: premia_core::catalogue::Line) -> String {
    serde_json::to_value(line).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// 256 random bits, base64url (43 characters): the applicant's key to their status.
fn receipt() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` has the shape of a receipt (so that anything else is not even looked up).
pub fn is_receipt(text: &str) -> bool {
    text.len() == 43 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

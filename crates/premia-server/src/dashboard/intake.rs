//! The facts written with an application (in its transaction) and with a desk's acceptance. One call
//! each from the submission route and the desk's final decision.

use premia_core::Quote;
use premia_dashboard::ApplicationFacts;

/// The dashboard's facts of an application: derived from the server's own quote
/// (`premia_dashboard::facts::of_quote`). An amount that is not a whole fen (a catalogue rounding to
/// finer steps) cannot be counted: the application is still stored, without facts, and the error is
/// logged — the backfill at the next start reports it again.
pub fn facts(quote: &Quote) -> Option<ApplicationFacts> {
    match premia_dashboard::facts::of_quote(quote) {
        Ok(facts) => Some(facts),
        Err(error) => {
            tracing::error!(digest = %quote.digest, "the dashboard cannot count this quote: {error}");
            None
        }
    }
}

/// The facts of a desk's acceptance on its own terms (the repriced quote it carries), if it has one.
pub fn final_facts(quote_json: Option<&str>) -> Option<ApplicationFacts> {
    let quote = crate::stored::quote(quote_json?).ok()?;
    facts(&quote)
}

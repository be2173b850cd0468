//! What the server and the desk page exchange: one definition for both (the server writes these with
//! serde, the page reads them with serde). Times are RFC 3339 strings in the insurer's offset; durations
//! are whole minutes or hours (no floats).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use premia_core::catalogue::Line;
use premia_core::desk::{Listed, Verdict};
use premia_core::{Quote, Text};

use crate::facts::{HealthLine, InsuredFacts};
use crate::staff::Role;
use crate::workflow::CaseStatus;

/// `POST /api/staff/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

/// The signed-in staff member (`POST /api/staff/login`, `GET /api/staff/me`). `csrf` goes back in the
/// `X-CSRF-Token` header of every state-changing request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub csrf: String,
    pub expires_at: String,
}

/// One row of the queue (`GET /api/desk/cases`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub application: String,
    pub submitted_at: String,
    pub status: CaseStatus,
    pub product: String,
    pub line: Line,
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_code: Option<String>,
    pub needs_second_review: bool,
    /// Whole hours since submission (to the final decision, once decided).
    pub age_hours: i64,
    /// Past the service-level target without a final decision (or decided after it).
    pub sla_breached: bool,
    /// Who made the decision awaiting review (provisional, escalated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_by: Option<String>,
}

/// A page of the queue, oldest first; `next` is the cursor of the following page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    pub sla_hours: u32,
}

/// A case as an underwriter reads it (`GET /api/desk/cases/{number}`): what is needed to decide, and
/// nothing more. No resident ID number, nor its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseView {
    pub application: String,
    pub status: CaseStatus,
    pub submitted_at: String,
    pub sla_due_at: String,
    pub sla_breached: bool,
    pub needs_second_review: bool,
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_code: Option<String>,
    pub insured: InsuredFacts,
    /// The server's own quote at submission, with its worksheets and every reason and rule that fired.
    pub quote: Quote,
    pub health: Vec<HealthLine>,
    /// Blacklist entries the application hit, by the field each is about.
    pub blacklist: Vec<String>,
    /// Earlier (and later) applications of the same person, by the server's keyed identity.
    pub related: Vec<Related>,
    pub decisions: Vec<DecisionRecord>,
    pub history: Vec<HistoryEntry>,
    pub options: DecisionOptions,
    /// What the reader may do now.
    pub allowed: Allowed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allowed {
    pub decide: bool,
    pub review: bool,
    pub resolve: bool,
}

/// Another application of the same person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub application: String,
    pub submitted_at: String,
    /// The application's status at submission (`accepted`, `referred`).
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_status: Option<CaseStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
}

/// A decision on the case, by whom, and the figures it priced (acceptances).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub id: String,
    pub by: String,
    pub role: Role,
    pub verdict: Verdict,
    pub label: Text,
    /// The underwriter's internal note: staff only, never shown to the applicant.
    pub note: String,
    pub at: String,
    /// `pending` (awaiting review), `counter` (the reviewer's own), `final`, or `earlier`.
    pub state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
}

/// One line of the case's history (its audit log entries, desk events included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: String,
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
}

/// What the catalogue lets an underwriter choose for this case, and pre-underwriting's own loading as
/// a starting point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionOptions {
    pub loadings: Vec<Decimal>,
    pub exclusions: Vec<Listed>,
    pub postpone_months: Vec<u32>,
    pub reasons: Vec<Listed>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_loading: Option<Decimal>,
}

/// `POST /api/desk/cases/{number}/decisions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub verdict: Verdict,
    /// Internal note, staff only.
    #[serde(default)]
    pub note: String,
}

/// `POST /api/desk/cases/{number}/review`: agree with the decision under review, or disagree with a
/// decision of one's own (then a manager chooses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub agree: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub note: String,
}

/// `POST /api/desk/cases/{number}/resolve`: a manager chooses one of the two decisions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveInput {
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// The answer to a decision, review or resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseOutcome {
    pub application: String,
    pub status: CaseStatus,
    /// The decision recorded (none for an agreement, which records a review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The decision that became final, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_decision: Option<String>,
    /// The new quote of an acceptance (figures by the core) and, once final, its signed token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<Quote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// `GET /api/desk/stats`: the queue and the time from submission to final decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub sla_hours: u32,
    pub open: i64,
    pub breached: i64,
    pub windows: Vec<Window>,
}

/// Cases finally decided in the last `days` days: how many, and the median and 90th percentile of
/// their time from submission (whole minutes, nearest rank), if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub days: u32,
    pub decided: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p50_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90_minutes: Option<i64>,
}

/// Nearest-rank percentile (`p` in 1..=100) of sorted values.
pub fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!((percentile(&v, 50), percentile(&v, 90)), (Some(5), Some(9)));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
        let hundred: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&hundred, 90), Some(90));
    }

    #[test]
    fn inputs_read_strictly() {
        let input: DecisionInput = serde_json::from_str(
            r#"{"verdict": {"kind": "accept_with_terms", "loading": "0.50"}, "note": "ECG normal"}"#,
        )
        .unwrap();
        assert_eq!(input.verdict.name(), "accept_with_terms");
        assert!(serde_json::from_str::<DecisionInput>(r#"{"verdict": {"kind": "accept"}, "premium": "1"}"#).is_err());
        assert!(serde_json::from_str::<ReviewInput>(r#"{"agree": true}"#).is_ok());
    }
}

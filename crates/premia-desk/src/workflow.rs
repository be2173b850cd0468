//! The life of a case: who may do what, when, and what follows (双人复核 included).
//!
//! ```text
//!            decide (asks for facts)                      decide (needs no second review)
//!   open ─────────────────────────────▶ waiting ─┐     ┌──────────────────────────────────▶ decided
//!     │ ◀───────── decide again ─────────────────┘     │
//!     └── decide (high-risk) ──▶ provisional ── agree (another senior) ──────────────────▶ decided
//!                                     │
//!                                     └── disagree (with their own) ──▶ escalated ── a manager
//!                                                                        chooses one ──▶ decided
//! ```
//!
//! [`next`] is pure: the server asks it before writing, the page asks it before showing a button. The
//! database holds the two rules that matter even if the server were wrong: a case is finalised once,
//! and not by the author of the decision a second review is about.

use serde::{Deserialize, Serialize};

use premia_core::Text;

use crate::error::Problem;
use crate::staff::{Permission, Role};

/// Where a case stands. Stored by name (`cases.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// In the queue: no decision yet.
    Open,
    /// A medical exam or more information was asked for; decided again when it arrives.
    Waiting,
    /// A first decision awaits the second review of another senior underwriter.
    Provisional,
    /// The reviewer disagreed: a manager chooses between the two decisions.
    Escalated,
    /// Final.
    Decided,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 5] =
        [CaseStatus::Open, CaseStatus::Waiting, CaseStatus::Provisional, CaseStatus::Escalated, CaseStatus::Decided];

    pub fn name(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Waiting => "waiting",
            CaseStatus::Provisional => "provisional",
            CaseStatus::Escalated => "escalated",
            CaseStatus::Decided => "decided",
        }
    }

    pub fn parse(name: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn label(self) -> Text {
        match self {
            CaseStatus::Open => Text::fixed("待核保", "open"),
            CaseStatus::Waiting => Text::fixed("待补充（体检/资料）", "waiting for an exam or information"),
            CaseStatus::Provisional => Text::fixed("待复核", "awaiting second review"),
            CaseStatus::Escalated => Text::fixed("复核意见不一致，待经理裁定", "reviewers disagree: for a manager"),
            CaseStatus::Decided => Text::fixed("已决定", "decided"),
        }
    }

    /// Still with the desk (counts towards the queue and its service level).
    pub fn is_open(self) -> bool {
        self != CaseStatus::Decided
    }
}

/// A case as the workflow needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseState<'a> {
    pub status: CaseStatus,
    pub needs_second_review: bool,
    /// Author (staff id) of the decision under review (provisional) or first of the two (escalated).
    pub pending_by: Option<&'a str>,
    /// Author of the reviewer's own decision (escalated).
    pub counter_by: Option<&'a str>,
}

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub id: &'a str,
    pub role: Role,
}

/// What someone asks to do. `decides`: the decision (their own, or the one chosen) is about cover
/// (accept, postpone, decline) rather than a request for facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Decide { decides: bool },
    Agree,
    Disagree,
    Resolve { choose_pending: bool, decides: bool },
}

/// Which decision becomes final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Final {
    /// The one being recorded now.
    This,
    /// The one under review (agreed with, or chosen by a manager).
    Pending,
    /// The reviewer's own (chosen by a manager).
    Counter,
}

/// What follows an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Next {
    pub status: CaseStatus,
    pub finalises: Option<Final>,
}

const FORBIDDEN: Problem =
    Problem::new(403, "role.forbidden", "role", "您的角色无权执行此操作", "your role may not do this");

/// What `action` by `actor` leads to, or why it may not be done.
pub fn next(case: &CaseState<'_>, actor: &Actor<'_>, action: Action) -> Result<Next, Problem> {
    let need = |permission| if actor.role.may(permission) { Ok(()) } else { Err(FORBIDDEN) };
    match action {
        Action::Decide { decides } => {
            need(Permission::Decide)?;
            match case.status {
                CaseStatus::Open | CaseStatus::Waiting => Ok(match (decides, case.needs_second_review) {
                    (false, _) => Next { status: CaseStatus::Waiting, finalises: None },
                    (true, false) => Next { status: CaseStatus::Decided, finalises: Some(Final::This) },
                    (true, true) => Next { status: CaseStatus::Provisional, finalises: None },
                }),
                other => Err(not_now(other)),
            }
        }
        Action::Agree | Action::Disagree => {
            need(Permission::Review)?;
            if case.status != CaseStatus::Provisional {
                return Err(match case.status {
                    CaseStatus::Decided | CaseStatus::Escalated => not_now(case.status),
                    _ => NOTHING_TO_REVIEW,
                });
            }
            if case.pending_by == Some(actor.id) {
                return Err(OWN_DECISION);
            }
            Ok(match action {
                Action::Agree => Next { status: CaseStatus::Decided, finalises: Some(Final::Pending) },
                _ => Next { status: CaseStatus::Escalated, finalises: None },
            })
        }
        Action::Resolve { choose_pending, decides } => {
            need(Permission::Resolve)?;
            if case.status != CaseStatus::Escalated {
                return Err(NOT_ESCALATED);
            }
            if case.pending_by == Some(actor.id) || case.counter_by == Some(actor.id) {
                return Err(RESOLVE_OWN);
            }
            let chosen = if choose_pending { Final::Pending } else { Final::Counter };
            Ok(if decides {
                Next { status: CaseStatus::Decided, finalises: Some(chosen) }
            } else {
                Next { status: CaseStatus::Waiting, finalises: None }
            })
        }
    }
}

const OWN_DECISION: Problem = Problem::new(
    403,
    "review.own_decision",
    "reviewer",
    "双人复核须由另一位高级核保员进行：不能复核自己的决定",
    "a second review is by another senior underwriter: you cannot review your own decision",
);
const NOTHING_TO_REVIEW: Problem = Problem::new(
    409,
    "case.no_pending_decision",
    "status",
    "此案件没有待复核的决定",
    "no decision on this case awaits review",
);
const NOT_ESCALATED: Problem = Problem::new(
    409,
    "case.not_escalated",
    "status",
    "此案件没有待裁定的分歧",
    "this case has no disagreement to settle",
);
const RESOLVE_OWN: Problem = Problem::new(
    403,
    "resolve.own_decision",
    "resolver",
    "裁定须由未参与决定的经理进行",
    "a disagreement is settled by a manager who made neither decision",
);

fn not_now(status: CaseStatus) -> Problem {
    match status {
        CaseStatus::Decided => {
            Problem::new(409, "case.decided", "status", "此案件已有最终决定", "this case already has a final decision")
        }
        CaseStatus::Provisional => Problem::new(
            409,
            "case.awaiting_review",
            "status",
            "此案件已有决定，正待双人复核",
            "this case has a decision awaiting its second review",
        ),
        _ => Problem::new(
            409,
            "case.escalated",
            "status",
            "复核意见不一致，正待经理裁定",
            "the reviewers disagree: this case awaits a manager",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Actor<'static> = Actor { id: "a", role: Role::Underwriter };
    const B: Actor<'static> = Actor { id: "b", role: Role::SeniorUnderwriter };
    const S: Actor<'static> = Actor { id: "s", role: Role::SeniorUnderwriter };
    const M: Actor<'static> = Actor { id: "m", role: Role::Manager };
    const X: Actor<'static> = Actor { id: "x", role: Role::Analyst };

    fn case(status: CaseStatus, two: bool, pending_by: Option<&'static str>) -> CaseState<'static> {
        CaseState { status, needs_second_review: two, pending_by, counter_by: None }
    }

    #[test]
    fn one_person_decides_an_ordinary_case() {
        let open = case(CaseStatus::Open, false, None);
        let next = next(&open, &A, Action::Decide { decides: true }).unwrap();
        assert_eq!(next, Next { status: CaseStatus::Decided, finalises: Some(Final::This) });
        let asked = super::next(&open, &A, Action::Decide { decides: false }).unwrap();
        assert_eq!(asked.status, CaseStatus::Waiting);
        let waiting = case(CaseStatus::Waiting, false, None);
        assert_eq!(super::next(&waiting, &A, Action::Decide { decides: true }).unwrap().status, CaseStatus::Decided);
    }

    #[test]
    fn a_high_risk_case_needs_another_senior_who_agrees() {
        let open = case(CaseStatus::Open, true, None);
        assert_eq!(next(&open, &A, Action::Decide { decides: true }).unwrap().status, CaseStatus::Provisional);
        let provisional = case(CaseStatus::Provisional, true, Some("a"));
        assert_eq!(next(&provisional, &A, Action::Agree).unwrap_err().code, "role.forbidden");
        assert_eq!(next(&provisional, &M, Action::Agree).unwrap_err().code, "role.forbidden");
        assert_eq!(
            next(&provisional, &B, Action::Agree).unwrap(),
            Next { status: CaseStatus::Decided, finalises: Some(Final::Pending) }
        );
        // A senior who made the first decision cannot be its second.
        let own = case(CaseStatus::Provisional, true, Some("b"));
        assert_eq!(next(&own, &B, Action::Agree).unwrap_err().code, "review.own_decision");
        assert_eq!(next(&own, &B, Action::Disagree).unwrap_err().code, "review.own_decision");
        assert_eq!(next(&provisional, &A, Action::Decide { decides: true }).unwrap_err().code, "case.awaiting_review");
    }

    #[test]
    fn a_disagreement_goes_to_a_manager_who_made_neither_decision() {
        let provisional = case(CaseStatus::Provisional, true, Some("a"));
        assert_eq!(next(&provisional, &B, Action::Disagree).unwrap().status, CaseStatus::Escalated);
        let escalated = CaseState { counter_by: Some("b"), ..case(CaseStatus::Escalated, true, Some("a")) };
        let choose = Action::Resolve { choose_pending: false, decides: true };
        assert_eq!(next(&escalated, &S, choose).unwrap_err().code, "role.forbidden");
        assert_eq!(
            next(&escalated, &M, choose).unwrap(),
            Next { status: CaseStatus::Decided, finalises: Some(Final::Counter) }
        );
        let by_manager = CaseState { counter_by: Some("m"), ..escalated };
        assert_eq!(next(&by_manager, &M, choose).unwrap_err().code, "resolve.own_decision");
        let exam = Action::Resolve { choose_pending: true, decides: false };
        assert_eq!(next(&escalated, &M, exam).unwrap().status, CaseStatus::Waiting);
        assert_eq!(next(&escalated, &B, Action::Agree).unwrap_err().code, "case.escalated");
    }

    #[test]
    fn nothing_happens_to_a_decided_case_and_analysts_decide_nothing() {
        let decided = case(CaseStatus::Decided, true, Some("a"));
        for (actor, action) in [
            (A, Action::Decide { decides: true }),
            (B, Action::Agree),
            (M, Action::Resolve { choose_pending: true, decides: true }),
        ] {
            assert!(next(&decided, &actor, action).is_err());
        }
        assert_eq!(
            next(&case(CaseStatus::Open, false, None), &X, Action::Decide { decides: true }).unwrap_err().status,
            403
        );
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.name()), Some(status));
        }
    }
}

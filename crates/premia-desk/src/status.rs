//! Where an application stands, as the applicant (with their receipt) and the selling agent (with
//! their token) read it: submitted, under review, accepted (with the final premium and the signed
//! token), postponed or declined (with a reason category in words). Never the underwriter's note.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use premia_core::desk::{DeskRules, Listed, Verdict};
use premia_core::{Quote, Text, Totals};

/// The five states an applicant sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Referred to the desk; nobody has opened it yet.
    Submitted,
    /// With the desk: opened, decided provisionally, or waiting for an exam or information.
    UnderReview,
    Accepted,
    Postponed,
    Declined,
}

impl ApplicationStatus {
    pub fn name(self) -> &'static str {
        match self {
            ApplicationStatus::Submitted => "submitted",
            ApplicationStatus::UnderReview => "under_review",
            ApplicationStatus::Accepted => "accepted",
            ApplicationStatus::Postponed => "postponed",
            ApplicationStatus::Declined => "declined",
        }
    }

    pub fn label(self) -> Text {
        match self {
            ApplicationStatus::Submitted => Text::fixed("已提交，等待核保", "submitted: waiting for underwriting"),
            ApplicationStatus::UnderReview => Text::fixed("核保中", "under review"),
            ApplicationStatus::Accepted => Text::fixed("已通过核保", "accepted"),
            ApplicationStatus::Postponed => Text::fixed("延期承保", "postponed"),
            ApplicationStatus::Declined => Text::fixed("未能承保", "declined"),
        }
    }

    /// No further change is expected from the desk: a page may stop refreshing.
    pub fn is_settled(self) -> bool {
        !matches!(self, ApplicationStatus::Submitted | ApplicationStatus::UnderReview)
    }
}

/// What is known of the application, as the server found it.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Referred; the desk has not opened it.
    Unopened,
    /// With the desk; `requested` is a final-looking request for facts (exam, information) if one was
    /// made and is outstanding.
    InReview { requested: Option<&'a Verdict> },
    /// Accepted, automatically or by the desk: the quote that holds and its signed token.
    Accepted { quote: &'a Quote, token: &'a str },
    /// Finally decided by the desk to postpone or decline.
    Refused(&'a Verdict),
}

/// The status JSON (`GET /api/status/{receipt}`, `GET /api/applications/{number}/status`), and what
/// the status page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    pub application: String,
    pub status: ApplicationStatus,
    pub label: Text,
    pub submitted_at: String,
    pub updated_at: String,
    /// Something the applicant is asked to do (`medical_exam`, `more_information`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested: Option<Listed>,
    /// The premium that holds (accepted): first year, total, per year, after any discount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium: Option<Totals>,
    /// The server-signed quote token of the accepted terms (verify with `/api/keys`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loading: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postpone_months: Option<u32>,
    /// Why it was postponed or declined: a category in words, never the underwriter's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Listed>,
}

/// The view of an application from what is known of it. `rules` are the desk rules of the catalogue
/// version the application was priced with (they name the reason categories).
pub fn view(
    application: &str,
    submitted_at: String,
    updated_at: String,
    progress: Progress<'_>,
    rules: &DeskRules,
) -> StatusView {
    let mut view = StatusView {
        application: application.to_owned(),
        status: ApplicationStatus::Submitted,
        label: ApplicationStatus::Submitted.label(),
        submitted_at,
        updated_at,
        requested: None,
        premium: None,
        token: None,
        loading: None,
        exclusions: Vec::new(),
        postpone_months: None,
        reason: None,
    };
    let status = match progress {
        Progress::Unopened => ApplicationStatus::Submitted,
        Progress::InReview { requested } => {
            view.requested = requested.and_then(request_for_facts);
            ApplicationStatus::UnderReview
        }
        Progress::Accepted { quote, token } => {
            view.premium = Some(quote.totals.clone());
            view.token = Some(token.to_owned());
            let loading = quote.decision.loading();
            view.loading = (loading > Decimal::ZERO).then_some(loading);
            view.exclusions = quote.decision.reasons.iter().filter_map(|r| r.exclusion.clone()).collect();
            view.exclusions.dedup();
            ApplicationStatus::Accepted
        }
        Progress::Refused(verdict) => match verdict {
            Verdict::Postpone { months, reason } => {
                view.postpone_months = Some(*months);
                view.reason = Some(category(rules, reason));
                ApplicationStatus::Postponed
            }
            Verdict::Decline { reason } => {
                view.reason = Some(category(rules, reason));
                ApplicationStatus::Declined
            }
            // Not a refusal: shown as still with the desk rather than guessed at.
            _ => ApplicationStatus::UnderReview,
        },
    };
    view.status = status;
    view.label = status.label();
    view
}

fn request_for_facts(verdict: &Verdict) -> Option<Listed> {
    let text = match verdict {
        Verdict::MedicalExam {} => {
            Text::fixed("请按我们的通知完成体检", "please have the medical examination we will arrange")
        }
        Verdict::MoreInformation {} => {
            Text::fixed("请按我们的通知补充资料", "please send us the information we will ask for")
        }
        _ => return None,
    };
    Some(Listed { id: verdict.name().to_owned(), text })
}

/// A reason category in words; one the catalogue no longer lists reads as the general category.
fn category(rules: &DeskRules, id: &str) -> Listed {
    rules.reasons.iter().find(|r| r.id == id).cloned().unwrap_or_else(|| Listed {
        id: id.to_owned(),
        text: Text::fixed(
            "经综合评估，暂不符合承保要求",
            "after an overall assessment, we cannot offer cover at this time",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> DeskRules {
        premia_core::demo::catalogue().desk
    }

    #[test]
    fn a_refusal_names_its_category_never_the_note() {
        let decline = Verdict::Decline { reason: "HEALTH".into() };
        let v = view("PA1", "t0".into(), "t1".into(), Progress::Refused(&decline), &rules());
        assert_eq!(v.status, ApplicationStatus::Declined);
        assert_eq!(
            v.reason.as_ref().unwrap().text.en,
            "the insured's health does not meet our underwriting requirements"
        );
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["status"], "declined");
        assert!(json.get("note").is_none() && json.get("premium").is_none());
        let postpone = Verdict::Postpone { months: 6, reason: "GONE".into() };
        let v = view("PA1", "t0".into(), "t1".into(), Progress::Refused(&postpone), &rules());
        assert_eq!((v.status, v.postpone_months), (ApplicationStatus::Postponed, Some(6)));
        assert_eq!(v.reason.unwrap().id, "GONE");
    }

    #[test]
    fn review_states_say_what_the_applicant_is_asked() {
        let exam = Verdict::MedicalExam {};
        let v = view("PA1", "a".into(), "b".into(), Progress::InReview { requested: Some(&exam) }, &rules());
        assert_eq!(v.status, ApplicationStatus::UnderReview);
        assert_eq!(v.requested.unwrap().id, "medical_exam");
        let v = view("PA1", "a".into(), "b".into(), Progress::Unopened, &rules());
        assert_eq!((v.status, v.label.zh.as_ref()), (ApplicationStatus::Submitted, "已提交，等待核保"));
        assert!(!v.status.is_settled());
    }
}

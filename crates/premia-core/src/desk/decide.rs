//! What an underwriter decides ([`Verdict`]), checked against the catalogue's [`DeskRules`] into a
//! [`Resolution`]; the new quote of an acceptance on terms ([`reprice`]); and which cases need two
//! people ([`needs_second_review`]).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{DeskRules, Listed, Terms, is_high_risk};
use crate::catalogue::Catalogue;
use crate::error::{Error, ErrorKind, Errors, QuoteError};
use crate::money::strict;
use crate::pricing::quote::Quote;
use crate::request::QuoteRequest;
use crate::text::Text;
use crate::underwriting::Outcome;

/// Longest free text an underwriter may write as an exclusion (characters).
pub const MAX_EXCLUSION_TEXT: usize = 200;

/// What an underwriter decides about a case, as the desk sends it: `{"kind": "accept_with_terms",
/// "loading": "0.50", "exclusions": [{"id": "THYROID"}, {"text": "…"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Verdict {
    /// Accept at standard rates. (Variants without fields are written `{}` so that unknown fields
    /// are refused for them too.)
    Accept {},
    /// Accept with a loading from the catalogue's range and/or exclusions.
    AcceptWithTerms {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
        loading: Option<Decimal>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        exclusions: Vec<ExclusionChoice>,
    },
    /// Postpone (延期) for one of the catalogue's periods, for a reason category the applicant is told.
    Postpone { months: u32, reason: String },
    /// Decline (拒保), for a reason category the applicant is told.
    Decline { reason: String },
    /// Ask for a medical examination (体检) before deciding.
    MedicalExam {},
    /// Ask the applicant for more information (补充资料) before deciding.
    MoreInformation {},
}

/// An exclusion: one of the catalogue's (`id`) or the underwriter's own words (`text`), not both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionChoice {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A verdict checked against the catalogue, with what it refers to resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Accept(Terms),
    Postpone { months: u32, reason: Listed },
    Decline { reason: Listed },
    MedicalExam,
    MoreInformation,
}

impl Verdict {
    /// The stable name, as serialized in `kind`.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Accept {} => "accept",
            Verdict::AcceptWithTerms { .. } => "accept_with_terms",
            Verdict::Postpone { .. } => "postpone",
            Verdict::Decline { .. } => "decline",
            Verdict::MedicalExam {} => "medical_exam",
            Verdict::MoreInformation {} => "more_information",
        }
    }

    pub fn label(&self) -> Text {
        match self {
            Verdict::Accept {} => Text::fixed("标准体承保", "accept at standard rates"),
            Verdict::AcceptWithTerms { .. } => {
                Text::fixed("有条件承保（加费/除外）", "accept on terms (loading, exclusions)")
            }
            Verdict::Postpone { .. } => Text::fixed("延期", "postpone"),
            Verdict::Decline { .. } => Text::fixed("拒保", "decline"),
            Verdict::MedicalExam {} => Text::fixed("要求体检", "ask for a medical exam"),
            Verdict::MoreInformation {} => Text::fixed("要求补充资料", "ask for more information"),
        }
    }

    /// A decision about cover (accept, postpone, decline) rather than a request for more facts.
    pub fn decides(&self) -> bool {
        !matches!(self, Verdict::MedicalExam {} | Verdict::MoreInformation {})
    }

    /// Check against the catalogue's desk rules; every problem is reported, each naming its field
    /// (`loading`, `exclusions[1].id`, `months`, `reason`) under `field` (e.g. `verdict`).
    pub fn check(&self, rules: &DeskRules, field: &str) -> Result<Resolution, Errors> {
        let mut errors = Vec::new();
        let mut err = |f: &str, kind| errors.push(Error::new(format!("{field}.{f}"), kind));
        let resolution = match self {
            Verdict::Accept {} => Resolution::Accept(Terms::default()),
            Verdict::AcceptWithTerms { loading, exclusions } => {
                // With no term at all it is a plain acceptance, which must say so.
                if loading.is_none() && exclusions.is_empty() {
                    err("loading", ErrorKind::DeskTermsMissing);
                }
                if let Some(loading) = loading {
                    check_loading(rules, *loading, &mut err);
                }
                let exclusions: Vec<Text> = exclusions
                    .iter()
                    .enumerate()
                    .filter_map(|(i, choice)| exclusion(rules, choice, &format!("exclusions[{i}]"), &mut err))
                    .collect();
                Resolution::Accept(Terms { loading: *loading, exclusions })
            }
            Verdict::Postpone { months, reason } => {
                if !rules.postpone_months.contains(months) {
                    let offered = rules.postpone_months.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
                    err("months", ErrorKind::DeskNotOffered { what: "postpone", value: months.to_string(), offered });
                }
                let reason = reason_category(rules, reason, &mut err);
                Resolution::Postpone { months: *months, reason }
            }
            Verdict::Decline { reason } => Resolution::Decline { reason: reason_category(rules, reason, &mut err) },
            Verdict::MedicalExam {} => Resolution::MedicalExam,
            Verdict::MoreInformation {} => Resolution::MoreInformation,
        };
        match Errors::from_vec(errors) {
            Some(errors) => Err(errors),
            None => Ok(resolution),
        }
    }
}

fn check_loading(rules: &DeskRules, loading: Decimal, err: &mut impl FnMut(&str, ErrorKind)) {
    let range = rules.loading;
    if loading < range.min || loading > range.max {
        let kind = ErrorKind::OutOfRange {
            value: loading.to_string(),
            min: range.min.to_string(),
            max: range.max.to_string(),
        };
        err("loading", kind);
    } else if !range.allows(loading) {
        err("loading", ErrorKind::DeskLoadingStep { value: loading.to_string(), step: range.step.to_string() });
    }
}

fn exclusion(
    rules: &DeskRules,
    choice: &ExclusionChoice,
    field: &str,
    err: &mut impl FnMut(&str, ErrorKind),
) -> Option<Text> {
    match (&choice.id, &choice.text) {
        (Some(id), None) => match rules.exclusions.iter().find(|e| &e.id == id) {
            Some(listed) => Some(listed.text.clone()),
            None => {
                let offered = rules.exclusions.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(", ");
                err(
                    &format!("{field}.id"),
                    ErrorKind::DeskNotOffered { what: "exclusion", value: id.clone(), offered },
                );
                None
            }
        },
        (None, Some(text)) => {
            let text = text.trim();
            let length = text.chars().count();
            if length == 0 {
                err(&format!("{field}.text"), ErrorKind::Empty);
                None
            } else if length > MAX_EXCLUSION_TEXT {
                err(&format!("{field}.text"), ErrorKind::TextTooLong { length, max: MAX_EXCLUSION_TEXT });
                None
            } else {
                Some(Text::new(text, text))
            }
        }
        _ => {
            err(field, ErrorKind::Syntax { message: "give an exclusion's id or its text, not both".into() });
            None
        }
    }
}

fn reason_category(rules: &DeskRules, id: &str, err: &mut impl FnMut(&str, ErrorKind)) -> Listed {
    match rules.reasons.iter().find(|r| r.id == id) {
        Some(listed) => listed.clone(),
        None => {
            let offered = rules.reasons.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ");
            err("reason", ErrorKind::DeskNotOffered { what: "reason", value: id.to_owned(), offered });
            Listed { id: id.to_owned(), text: Text::new(id, id) }
        }
    }
}

/// The application's quote again, on the underwriter's terms: its own request, the same catalogue
/// version, every figure by the engine. The loading is the `underwriting.loading` step of each covered
/// product's worksheet; each coverage's decision is the underwriter's ([`Terms`]).
pub fn reprice(catalogue: &Catalogue, request: &QuoteRequest, terms: &Terms) -> Result<Quote, QuoteError> {
    crate::pricing::engine::quote_with_terms(catalogue, request, Some(terms))
}

/// Whether a referred quote needs a second, agreeing decision by another, senior underwriter (双人复核):
/// pre-underwriting flagged it (`two_person_review`: over the catalogue's review age, a declared
/// condition), a reason's rule is one the catalogue lists as high-risk, the insured is at or over the
/// review age for any coverage, or it was referred by a blacklist hit and the catalogue lists
/// `blacklist`.
pub fn needs_second_review(catalogue: &Catalogue, quote: &Quote, blacklist_referral: bool) -> bool {
    let patterns = &catalogue.desk.high_risk;
    let decision = &quote.decision;
    decision.two_person_review
        || (blacklist_referral && is_high_risk(patterns, "blacklist"))
        || decision
            .reasons
            .iter()
            .any(|r| r.outcome >= Outcome::AcceptWithConditions && is_high_risk(patterns, &r.rule))
        || quote.coverages.iter().any(|c| c.age >= catalogue.underwriting.two_person_review_age)
}

//! Pre-underwriting (智能核保): may we sell this cover, and on what terms?
//!
//! Every rule is catalogue data: issue-age limits by payment term, BMI bands (children by their own
//! rows), health questions with follow-ups, occupation limits, financial underwriting (sum assured as a
//! multiple of income), non-medical limits (免体检额度) and minors' death-benefit caps. Each coverage gets
//! a [`Decision`]: the most severe outcome of the rules that fired, with every reason in zh-CN and
//! English; the quote carries the most severe of those.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::term::PaymentTerm;
use crate::text::Text;

mod decide;

pub(crate) use decide::{Case, Totals, check_figures, underwrite};

/// What underwriting decides, from mildest to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accept,
    /// Accept with a premium loading or an exclusion.
    AcceptWithConditions,
    /// Accept only after a medical examination.
    MedicalExam,
    /// Manual underwriting (人工核保).
    Refer,
    /// Cannot be decided yet: answers or figures are missing.
    Pending,
    Decline,
}

impl Outcome {
    pub const ALL: [Outcome; 6] =
        crate::variants::every_variant!(Outcome { Accept, AcceptWithConditions, MedicalExam, Refer, Pending, Decline });

    pub fn label(self) -> Text {
        match self {
            Outcome::Accept => Text::fixed("标准承保", "Accepted"),
            Outcome::AcceptWithConditions => Text::fixed("有条件承保", "Accepted with conditions"),
            Outcome::MedicalExam => Text::fixed("需体检", "Medical exam needed"),
            Outcome::Refer => Text::fixed("转人工核保", "Referred to an underwriter"),
            Outcome::Pending => Text::fixed("待补充信息", "More information needed"),
            Outcome::Decline => Text::fixed("不予承保", "Declined"),
        }
    }

    /// Decided without a person: accept (with or without conditions) or decline.
    /// The outcome as requests, quotes and the page's `data-outcome` spell it.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Accept => "accept",
            Outcome::AcceptWithConditions => "accept_with_conditions",
            Outcome::MedicalExam => "medical_exam",
            Outcome::Refer => "refer",
            Outcome::Pending => "pending",
            Outcome::Decline => "decline",
        }
    }

    pub fn is_automatic(self) -> bool {
        matches!(self, Outcome::Accept | Outcome::AcceptWithConditions | Outcome::Decline)
    }
}

/// What a rule leads to when it fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeRule {
    pub outcome: Outcome,
    /// Extra premium as a share of the base premium (0.25 = +25%).
    pub loading: Option<Decimal>,
    /// A condition excluded from cover.
    pub exclusion: Option<Text>,
    /// High risk: a referral needs two underwriters (双人复核).
    pub two_person_review: bool,
}

/// A yes/no health question (健康告知) with optional follow-up options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: String,
    pub text: Text,
    /// The outcome of "yes" when no follow-up option is chosen.
    pub if_yes: OutcomeRule,
    pub follow_up: Option<Text>,
    pub options: Vec<FollowUp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: String,
    pub text: Text,
    pub then: OutcomeRule,
}

/// An inclusive range of ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeRange {
    pub from: u32,
    pub to: u32,
}

impl AgeRange {
    pub fn contains(self, age: u32) -> bool {
        (self.from..=self.to).contains(&age)
    }
}

/// BMI thresholds for an age band: below `refer_below` refer; up to `accept_max` accept; up to
/// `refer_max` refer; above decline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BmiBand {
    pub ages: AgeRange,
    pub refer_below: Decimal,
    pub accept_max: Decimal,
    pub refer_max: Decimal,
}

/// The catalogue's underwriting tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Referrals of insureds this old or older, or who declared a condition, need two underwriters.
    pub two_person_review_age: u32,
    /// Above this total sum assured (with existing cover), annual income must be given.
    pub income_needed_above: Decimal,
    pub bmi: Vec<BmiBand>,
    /// Maximum total sum assured as a multiple of annual income, by age.
    pub income_multiples: Vec<(AgeRange, Decimal)>,
    /// Total sum assured above which a medical exam is required, by age.
    pub non_medical_limits: Vec<(AgeRange, Decimal)>,
    /// Maximum death benefit for minors across all insurers, by age.
    pub minor_death_caps: Vec<(AgeRange, Decimal)>,
    pub questions: Vec<Question>,
}

/// Which rules apply to a product.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductRules {
    pub questions: Vec<String>,
    pub bmi: bool,
    pub financial: bool,
    pub non_medical: bool,
    /// Pays on death: counts towards minors' caps.
    pub death_benefit: bool,
    /// Highest issue age for a payment term (超龄 beyond it).
    pub max_issue_age: Vec<(PaymentTerm, u32)>,
    /// Premiums must end by this age.
    pub max_payment_end_age: Option<u32>,
    pub occupation_refer: Vec<u8>,
    pub occupation_decline: Vec<u8>,
}

/// The decision for a coverage, or for a whole quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<Reason>,
    /// A referral that two underwriters must review (双人复核).
    pub two_person_review: bool,
}

impl Decision {
    pub fn accept() -> Self {
        Decision { outcome: Outcome::Accept, reasons: Vec::new(), two_person_review: false }
    }

    /// Total premium loading of the reasons that carry one.
    pub fn loading(&self) -> Decimal {
        self.reasons.iter().filter_map(|r| r.loading).sum()
    }

    /// The most severe of several decisions, with all their reasons (each naming its product).
    pub fn combine<'a>(decisions: impl IntoIterator<Item = (&'a str, &'a Decision)>) -> Decision {
        let mut overall = Decision::accept();
        for (product, d) in decisions {
            overall.outcome = overall.outcome.max(d.outcome);
            overall.two_person_review |= d.two_person_review;
            overall.reasons.extend(d.reasons.iter().cloned().map(|mut r| {
                r.product.get_or_insert_with(|| product.to_owned());
                r
            }));
        }
        overall
    }
}

/// Why a rule fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Stable rule code, e.g. `bmi`, `question.HTN`, `financial`, `age.payment_term`.
    pub rule: String,
    pub outcome: Outcome,
    /// The product the reason is about, in a quote-level decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    pub message: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loading: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusion: Option<Text>,
}

impl Reason {
    /// The request fields a pending reason waits for (what to give before underwriting can decide):
    /// the health answers, the height and weight, the annual income. Nothing for any other reason.
    pub fn needs(&self) -> &'static [&'static str] {
        match self.rule.as_str() {
            "question.missing" => &["insured.health_answers"],
            "bmi.missing" => &["insured.height_cm", "insured.weight_kg"],
            "financial.income_missing" => &["insured.annual_income"],
            _ => &[],
        }
    }
}

/// A body measurement a person gives for underwriting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    HeightCm,
    WeightKg,
}

impl Measure {
    /// The range any person's figure lies in, newborn to the tallest and heaviest people recorded
    /// (272 cm, 635 kg). Outside it the figure is mistyped (a height in metres, a weight in grams, a
    /// zero), not a risk: an input error on its field, never an underwriting outcome.
    pub fn possible(self) -> (Decimal, Decimal) {
        match self {
            Measure::HeightCm => (Decimal::from(30), Decimal::from(272)),
            Measure::WeightKg => (Decimal::ONE, Decimal::from(650)),
        }
    }

    pub fn field(self) -> &'static str {
        match self {
            Measure::HeightCm => "insured.height_cm",
            Measure::WeightKg => "insured.weight_kg",
        }
    }
}

/// The BMI range of every person ever measured, with room to spare: a height and a weight each
/// possible alone but giving a BMI outside it (170 cm and 5 kg) were not both typed as meant.
pub const POSSIBLE_BMI: (Decimal, Decimal) =
    (Decimal::from_parts(5, 0, 0, false, 0), Decimal::from_parts(250, 0, 0, false, 0));

/// BMI = weight (kg) ÷ height (m)², to one decimal place, half up.
pub fn bmi_of(height_cm: Decimal, weight_kg: Decimal) -> Option<Decimal> {
    let metres = height_cm / Decimal::ONE_HUNDRED;
    weight_kg.checked_div(metres * metres).map(|b| b.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bmi_rounds_to_one_place() {
        // 70 / 1.75² = 22.857… → 22.9
        assert_eq!(bmi_of(Decimal::new(175, 0), Decimal::new(70, 0)).unwrap().to_string(), "22.9");
    }

    #[test]
    fn outcomes_order_by_severity() {
        assert!(Outcome::Accept < Outcome::AcceptWithConditions);
        assert!(Outcome::MedicalExam < Outcome::Refer);
        assert!(Outcome::Pending < Outcome::Decline);
        assert!(Outcome::Decline.is_automatic() && !Outcome::Refer.is_automatic());
    }
}

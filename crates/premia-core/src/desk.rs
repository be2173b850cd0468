//! The underwriting desk (人工核保): the rules a person deciding a referred application works within.
//!
//! Pre-underwriting ([`crate::underwriting`]) refers what it cannot decide. An underwriter then accepts,
//! accepts on terms, postpones, declines, or asks for a medical examination or more information. What
//! they may choose is catalogue data ([`DeskRules`], the `[desk]` section): the range of loadings
//! (加费), the list of exclusions (除外责任), the postponement periods, the reason categories an applicant
//! is told, and which referrals are high-risk and need a second, senior underwriter (双人复核).
//!
//! Terms change the price, and only the core prices: [`reprice`] quotes the application's own request
//! again with the underwriter's [`Terms`] in place of pre-underwriting's decision, so the loading is a
//! worksheet step of the usual kind (`underwriting.loading`) and the figures, totals and digest are the
//! engine's. An underwriter never types a premium.
//!
//! The types are always compiled (the catalogue carries [`DeskRules`]; the engine takes [`Terms`]);
//! checking a decision and repricing need the `desk` feature, which the browser's quote module leaves
//! out.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::text::Text;
use crate::underwriting::{Decision, Outcome, Reason};

/// The catalogue's `[desk]` section. Not part of the compiled catalogue (only the server, which loads
/// the TOML, decides cases); an empty default there.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeskRules {
    /// Loadings an underwriter may set, as shares of the premium (0.50 = +50 %).
    pub loading: LoadingRange,
    /// Exclusions an underwriter may pick (free text is allowed beside them).
    pub exclusions: Vec<Listed>,
    /// Postponement periods in months (延期).
    pub postpone_months: Vec<u32>,
    /// Why an application was postponed or declined, as the applicant is told (never the internal note).
    pub reasons: Vec<Listed>,
    /// Rule codes whose referral is high-risk, `prefix.*` for a family (`question.*`), and `blacklist`
    /// for a blacklist referral: such a case needs a second, agreeing decision by a senior underwriter.
    pub high_risk: Vec<String>,
}

/// The loadings allowed: `min`, `min + step`, … up to `max`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LoadingRange {
    pub min: Decimal,
    pub max: Decimal,
    pub step: Decimal,
}

impl LoadingRange {
    /// Every allowed loading, smallest first.
    pub fn values(&self) -> Vec<Decimal> {
        let mut values = Vec::new();
        let mut value = self.min;
        while self.step > Decimal::ZERO && value <= self.max {
            values.push(value);
            value += self.step;
        }
        values
    }

    pub fn allows(&self, loading: Decimal) -> bool {
        self.step > Decimal::ZERO
            && (self.min..=self.max).contains(&loading)
            && ((loading - self.min) % self.step).is_zero()
    }
}

/// An entry of a catalogue list: a stable id and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listed {
    pub id: String,
    pub text: Text,
}

/// The terms an underwriter accepts on: what the engine prices in place of pre-underwriting's decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    /// Extra premium as a share of the rated premium; none for standard rates.
    pub loading: Option<Decimal>,
    /// Conditions excluded from cover, as the policy will read.
    pub exclusions: Vec<Text>,
}

impl Terms {
    /// The decision of a coverage accepted on these terms: one reason for the loading and one per
    /// exclusion (rule `desk.loading`, `desk.exclusion`), so that [`Decision::loading`] is the
    /// underwriter's loading. Pre-underwriting's reasons stay with the original quote and the case.
    pub(crate) fn decision(&self, two_person_review: bool) -> Decision {
        let conditional = self.loading.is_some() || !self.exclusions.is_empty();
        let outcome = if conditional { Outcome::AcceptWithConditions } else { Outcome::Accept };
        let mut reasons = Vec::with_capacity(1 + self.exclusions.len());
        let reason = |rule: &str, message: Text| Reason {
            rule: rule.to_owned(),
            outcome,
            product: None,
            message,
            loading: None,
            exclusion: None,
        };
        match self.loading {
            Some(loading) => {
                let percent = (loading * Decimal::ONE_HUNDRED).normalize();
                let mut r = reason(
                    "desk.loading",
                    Text::new(format!("人工核保：加费 {percent}%"), format!("underwriter: loading +{percent}%")),
                );
                r.loading = Some(loading);
                reasons.push(r);
            }
            None => reasons.push(reason(
                "desk.standard",
                Text::fixed("人工核保：标准体承保", "underwriter: accepted at standard rates"),
            )),
        }
        for exclusion in &self.exclusions {
            let mut r = reason(
                "desk.exclusion",
                Text::new(format!("人工核保：{}", exclusion.zh), format!("underwriter: {}", exclusion.en)),
            );
            r.exclusion = Some(exclusion.clone());
            reasons.push(r);
        }
        Decision { outcome, reasons, two_person_review }
    }
}

/// Whether `rule` (a reason's rule code, or `blacklist`) matches one of the high-risk patterns.
pub fn is_high_risk(patterns: &[String], rule: &str) -> bool {
    patterns.iter().any(|pattern| match pattern.strip_suffix('*') {
        Some(prefix) => rule.starts_with(prefix),
        None => pattern == rule,
    })
}

#[cfg(feature = "desk")]
mod decide;
#[cfg(feature = "desk")]
pub use decide::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn loading_ranges_list_and_allow_their_steps() {
        let range = LoadingRange { min: d("0.25"), max: d("1.00"), step: d("0.25") };
        assert_eq!(range.values(), [d("0.25"), d("0.50"), d("0.75"), d("1.00")]);
        assert!(range.allows(d("0.5")));
        assert!(!range.allows(d("0.30")) && !range.allows(d("1.25")) && !range.allows(d("0")));
        assert!(LoadingRange::default().values().is_empty(), "no step: no loading");
    }

    #[test]
    fn high_risk_patterns_match_families_and_names() {
        let patterns = vec!["question.*".to_owned(), "blacklist".to_owned()];
        assert!(is_high_risk(&patterns, "question.HEART"));
        assert!(is_high_risk(&patterns, "blacklist"));
        assert!(!is_high_risk(&patterns, "bmi") && !is_high_risk(&patterns, "blacklisted"));
    }

    #[test]
    fn terms_decide_with_the_loading_as_the_only_loading() {
        let terms =
            Terms { loading: Some(d("0.5")), exclusions: vec![Text::fixed("甲状腺疾病", "thyroid disease")] };
        let decision = terms.decision(true);
        assert_eq!(decision.outcome, Outcome::AcceptWithConditions);
        assert_eq!(decision.loading(), d("0.5"));
        assert_eq!(decision.reasons[0].message.en, "underwriter: loading +50%");
        assert_eq!(decision.reasons[1].rule, "desk.exclusion");
        assert!(decision.two_person_review);
        assert_eq!(Terms::default().decision(false).outcome, Outcome::Accept);
    }
}

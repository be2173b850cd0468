//! What the catalogue offers for a product: the only values the form lets a person choose.
//!
//! These read the core's validated catalogue; nothing here decides a price or a rule. A value the
//! catalogue does not offer can still reach the core (through prefill), and the core refuses it with
//! its own error.

use premia_core::catalogue::{AmountKind, Rating};
use premia_core::{CoverageTerm, Frequency, PaymentTerm, Product};
use rust_decimal::Decimal;

/// A deductible plan as offered: id and bilingual name.
pub fn plans(product: &Product) -> Vec<&premia_core::catalogue::Plan> {
    match &product.rating {
        Rating::AgeBand { plans, .. } => plans.iter().collect(),
        _ => Vec::new(),
    }
}

/// Annuity payout start ages and guaranteed years, for annuities.
pub fn annuity_options(product: &Product) -> Option<(&[u32], &[u32])> {
    match &product.rating {
        Rating::Actuarial(actuarial) => {
            actuarial.annuity.as_ref().map(|a| (a.payout_start_ages.as_slice(), a.guaranteed_years.as_slice()))
        }
        _ => None,
    }
}

pub fn frequencies(product: &Product) -> Vec<Frequency> {
    product.frequencies.iter().map(|(f, _)| *f).collect()
}

/// The amount a new coverage starts with, shown in its field for the person to change: the fixed
/// amount of a fixed-cover product, else ten times the minimum (a typical first choice, e.g. 500,000
/// for a 50,000 minimum) within the product's range.
pub fn suggested_amount(product: &Product) -> Decimal {
    let rule = product.amount;
    rule.fixed().unwrap_or_else(|| (rule.min * Decimal::TEN).clamp(rule.min, rule.max))
}

/// The payment term a new coverage starts with: the longest yearly term up to 20 years (regular
/// premiums are what the premium plan prefers), else the first offered.
pub fn suggested_payment_term(product: &Product) -> Option<PaymentTerm> {
    let yearly = product.payment_terms.iter().filter_map(|t| match t {
        PaymentTerm::Years(n) if *n <= 20 => Some((*n, *t)),
        _ => None,
    });
    yearly.max_by_key(|(n, _)| *n).map(|(_, t)| t).or_else(|| product.payment_terms.first().copied())
}

/// The coverage term a new coverage starts with: lifelong if offered, else the last offered (catalogues
/// list terms shortest first), so that the suggested payment term fits inside it.
pub fn suggested_coverage_term(product: &Product) -> Option<CoverageTerm> {
    let lifelong = product.coverage_terms.iter().copied().find(|t| *t == CoverageTerm::Lifelong);
    lifelong.or_else(|| product.coverage_terms.last().copied())
}

/// Whether the amount field of this product is fixed (nothing to choose).
pub fn amount_is_fixed(product: &Product) -> bool {
    product.amount.fixed().is_some()
}

pub fn amount_field(product: &Product) -> &'static str {
    product.amount.kind.field()
}

pub fn is_annuity(product: &Product) -> bool {
    product.amount.kind == AmountKind::AnnuityAmount
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn demo_product(code: &str) -> Product {
        let catalogue = premia_core::demo::catalogue();
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        catalogue.product(code, date).unwrap().clone()
    }

    #[test]
    fn suggestions_stay_within_what_the_product_offers() {
        let ci = demo_product("CI");
        assert_eq!(suggested_amount(&ci).to_string(), "500000");
        assert_eq!(suggested_payment_term(&ci), Some(PaymentTerm::Years(20)));
        assert_eq!(suggested_coverage_term(&ci), Some(CoverageTerm::Lifelong));
        let med = demo_product("MED");
        assert_eq!(suggested_amount(&med).to_string(), "3000000");
        assert!(amount_is_fixed(&med));
        assert_eq!(plans(&med).len(), 2);
        let ltc = demo_product("LTC");
        assert_eq!(suggested_amount(&ltc).to_string(), "500000", "ten times the minimum, capped at the maximum");
        let term = demo_product("TERM");
        assert_eq!(suggested_coverage_term(&term), Some(CoverageTerm::ToAge(70)));
        assert_eq!(suggested_payment_term(&term), Some(PaymentTerm::Years(20)));
    }

    #[test]
    fn annuities_offer_their_payout_ages() {
        let ann = demo_product("ANN");
        let (ages, guaranteed) = annuity_options(&ann).unwrap();
        assert_eq!(ages, &[55, 60, 65]);
        assert_eq!(guaranteed, &[0, 10, 20]);
        assert!(is_annuity(&ann));
        assert_eq!(amount_field(&ann), "annuity_amount");
    }
}

//! What a quote answers: premiums per coverage and in total, with the worksheet behind them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::{CatalogueRef, Line};
use crate::discounts::coupon::{Discount, RejectedCoupon, UsedCoupon};
use crate::pricing::worksheet::Step;
use crate::request::{QuoteRequest, Sex};
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Text;
use crate::underwriting::Decision;

/// A priced request. Deterministic: the same catalogue and request give the same quote, byte for byte,
/// on every platform. Money is serialized as strings ("1234.50").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quote {
    pub catalogue: CatalogueRef,
    /// The rates are illustrative, not filed.
    pub illustrative: bool,
    /// The request as priced.
    pub request: QuoteRequest,
    /// Last day this quote may be submitted.
    pub valid_until: NaiveDate,
    pub coverages: Vec<CoverageQuote>,
    /// Coverages underwriting declined: not priced, each with its reasons.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declined: Vec<DeclinedCoverage>,
    /// The most severe decision over all coverages, with every reason.
    pub decision: Decision,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discounts: Vec<Discount>,
    /// Coupons that do not apply, each with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected_coupons: Vec<RejectedCoupon>,
    /// Signed coupons this quote uses: the server redeems single-use ones exactly once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons_used: Vec<UsedCoupon>,
    /// How the discounts and the cap were worked out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discount_worksheet: Vec<Step>,
    pub totals: Totals,
    /// SHA-256 (hex) over the canonical serialization of request and result; see `digest`.
    pub digest: String,
}

impl Quote {
    /// What is paid when: for each frequency the priced coverages are paid at, their instalments added
    /// up, the most frequent first (a critical-illness cover paid monthly beside a medical cover paid
    /// yearly: the monthly sum, then the yearly one). One entry when every coverage pays alike.
    pub fn instalments(&self) -> Vec<(Frequency, Decimal)> {
        let mut paid = Vec::new();
        for frequency in Frequency::ALL.into_iter().rev() {
            let mut at = self.coverages.iter().filter(|c| c.frequency == frequency).map(|c| c.instalment_premium);
            if let Some(first) = at.next() {
                paid.push((frequency, crate::money::sum(first, at)));
            }
        }
        paid
    }
}

/// One priced coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageQuote {
    pub product: String,
    pub product_version: u32,
    pub name: Text,
    pub line: Line,
    /// Insurance age used for rating (by the product's age basis).
    pub age: u32,
    /// The insured's sex and smoking status as rated: shown to the customer, and named by a verifier
    /// when a submitted quote was priced for someone else.
    pub sex: Sex,
    pub smoker: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum_assured: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annuity_amount: Option<Decimal>,
    pub coverage_term: CoverageTerm,
    pub payment_term: PaymentTerm,
    /// Number of yearly premiums (1 for single premium).
    pub payment_years: u32,
    pub frequency: Frequency,
    pub instalments_per_year: u32,
    /// The base cover's yearly premium after rating factors, before riders.
    pub base_premium: Decimal,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub riders: Vec<RiderQuote>,
    /// Base plus riders, per year (for single premium: the single premium).
    pub annual_premium: Decimal,
    /// One instalment at the chosen frequency.
    pub instalment_premium: Decimal,
    /// Instalment × instalments per year.
    pub first_year_premium: Decimal,
    /// First-year premium × payment years.
    pub total_premium: Decimal,
    /// The underwriting decision (accept, with conditions, medical exam, refer, pending).
    pub decision: Decision,
    pub worksheet: Vec<Step>,
}

/// A coverage underwriting declined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclinedCoverage {
    pub product: String,
    pub product_version: u32,
    pub name: Text,
    pub decision: Decision,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiderQuote {
    pub code: String,
    pub name: Text,
    pub sum_assured: Decimal,
    pub annual_premium: Decimal,
}

/// Sums over all priced coverages, before and after discounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    pub annual_premium: Decimal,
    pub first_year_premium: Decimal,
    pub total_premium: Decimal,
    pub discount_first_year: Decimal,
    pub discount_total: Decimal,
    pub net_first_year_premium: Decimal,
    pub net_total_premium: Decimal,
}

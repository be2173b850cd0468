//! What a quote answers: premiums per coverage and in total, with the worksheet behind them.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::{CatalogueRef, Line};
use crate::request::{QuoteRequest, Sex};
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Text;
use crate::worksheet::Step;

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
    pub totals: Totals,
    /// SHA-256 (hex) over the canonical serialization of request and result; see `digest`.
    pub digest: String,
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
    pub worksheet: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiderQuote {
    pub code: String,
    pub name: Text,
    pub sum_assured: Decimal,
    pub annual_premium: Decimal,
}

/// Sums over all coverages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    pub annual_premium: Decimal,
    pub first_year_premium: Decimal,
    pub total_premium: Decimal,
}

//! The catalogue document as written (TOML, or its compiled JSON form), before validation.
//!
//! These types mirror the file one to one and reject unknown keys, so a misspelt key is an error rather
//! than a silently ignored rule. Values that need checking (decimals, terms, dates, CSV tables) stay
//! as written here; `build` checks them all and reports every problem with its place.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use crate::text::Text;

mod sale;
pub(crate) use sale::*;

/// A decimal as written: a string such as "0.52" or an integer. Floats are refused by the parser
/// (TOML floats are binary and would not round-trip exactly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RawDec {
    Int(i64),
    Str(String),
}

impl<'de> Deserialize<'de> for RawDec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawDecVisitor;
        impl Visitor<'_> for RawDecVisitor {
            type Value = RawDec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a decimal written as a quoted string such as \"0.52\" (floats are not exact), or an integer",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDec, E> {
                Ok(RawDec::Str(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawDec, E> {
                Ok(RawDec::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawDec, E> {
                i64::try_from(v).map(RawDec::Int).map_err(|_| E::custom("integer too large"))
            }
        }
        deserializer.deserialize_any(RawDecVisitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCatalogue {
    pub catalogue: RawHeader,
    #[serde(default)]
    pub rounding: RawRoundingRules,
    #[serde(default, rename = "region")]
    pub regions: Vec<RawRegion>,
    #[serde(default, rename = "mortality")]
    pub mortality: Vec<RawMortality>,
    #[serde(default, rename = "product")]
    pub products: Vec<RawProduct>,
    #[serde(default, rename = "test")]
    pub tests: Vec<RawTest>,
    #[serde(default)]
    pub underwriting: Option<RawUnderwriting>,
    #[serde(default, rename = "question")]
    pub questions: Vec<RawQuestion>,
    #[serde(default, rename = "bundle")]
    pub bundles: Vec<RawBundle>,
    #[serde(default)]
    pub coupons: Option<RawCoupons>,
    #[serde(default, rename = "campaign")]
    pub campaigns: Vec<RawPercentRule>,
    #[serde(default, rename = "referral")]
    pub referrals: Vec<RawPercentRule>,
    #[serde(default, rename = "voucher")]
    pub vouchers: Vec<RawVoucher>,
    #[serde(default, rename = "document")]
    pub documents: Vec<RawDocument>,
    #[serde(default)]
    pub application: Option<RawApplicationRules>,
    #[serde(default)]
    pub policy: Option<RawPolicyRules>,
    #[serde(default)]
    pub desk: Option<RawDesk>,
}

/// `[desk]`: what an underwriter deciding a referred case may choose (see `crate::desk`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDesk {
    pub loading: RawLoadingRange,
    #[serde(default)]
    pub postpone_months: Vec<u32>,
    #[serde(default)]
    pub high_risk: Vec<String>,
    #[serde(default, rename = "exclusion")]
    pub exclusions: Vec<RawListed>,
    #[serde(default, rename = "reason")]
    pub reasons: Vec<RawListed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLoadingRange {
    pub min: RawDec,
    pub max: RawDec,
    pub step: RawDec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawListed {
    pub id: String,
    pub text: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUnderwriting {
    pub two_person_review_age: u32,
    pub income_needed_above: RawDec,
    #[serde(default)]
    pub bmi: Vec<RawBmi>,
    #[serde(default)]
    pub income_multiples: Vec<RawAgeValue>,
    #[serde(default)]
    pub non_medical_limits: Vec<RawAgeValue>,
    #[serde(default)]
    pub minor_death_caps: Vec<RawAgeValue>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBmi {
    pub ages: String,
    pub refer_below: RawDec,
    pub accept_max: RawDec,
    pub refer_max: RawDec,
}

/// A value for a band of ages, e.g. `{ ages = "18-40", value = "20" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAgeValue {
    pub ages: String,
    pub value: RawDec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOutcomeRule {
    pub outcome: crate::underwriting::Outcome,
    #[serde(default)]
    pub loading: Option<RawDec>,
    #[serde(default)]
    pub exclusion: Option<Text>,
    #[serde(default)]
    pub two_person_review: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQuestion {
    pub id: String,
    pub text: Text,
    pub if_yes: RawOutcomeRule,
    #[serde(default)]
    pub follow_up: Option<Text>,
    #[serde(default, rename = "option")]
    pub options: Vec<RawFollowUp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFollowUp {
    pub id: String,
    pub text: Text,
    pub then: RawOutcomeRule,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProductUnderwriting {
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default)]
    pub bmi: bool,
    #[serde(default)]
    pub financial: bool,
    #[serde(default)]
    pub non_medical: bool,
    #[serde(default)]
    pub death_benefit: bool,
    #[serde(default)]
    pub max_issue_age: BTreeMap<String, u32>,
    #[serde(default)]
    pub max_payment_end_age: Option<u32>,
    #[serde(default)]
    pub occupation_refer: Vec<u8>,
    #[serde(default)]
    pub occupation_decline: Vec<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBundle {
    pub id: String,
    pub name: Text,
    pub reason: Text,
    pub ages: String,
    pub rank: u32,
    #[serde(default)]
    pub discount: Option<RawDec>,
    pub if_declined: crate::bundles::IfDeclined,
    #[serde(rename = "item")]
    pub items: Vec<crate::request::CoverageRequest>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCoupons {
    #[serde(default)]
    pub public_key: Option<String>,
    pub cap: RawDec,
    pub order: Vec<crate::discounts::coupon::CouponKind>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEligibility {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub products: Vec<String>,
    #[serde(default)]
    pub channels: Vec<String>,
    #[serde(default)]
    pub payment: crate::discounts::coupon::PaymentType,
}

/// A campaign (`id` is the code customers enter) or a referral series.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPercentRule {
    pub id: String,
    pub name: Text,
    pub percent: RawDec,
    pub applies_to: crate::discounts::coupon::AppliesTo,
    #[serde(default)]
    pub eligible: RawEligibility,
    /// Referral series only: applications one code may bring.
    #[serde(default)]
    pub max_uses: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawVoucher {
    pub id: String,
    pub name: Text,
    pub amount: RawDec,
    pub min_premium: RawDec,
    #[serde(default)]
    pub eligible: RawEligibility,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHeader {
    pub id: String,
    pub version: String,
    pub effective_from: String,
    pub insurer: Text,
    pub currency: String,
    #[serde(default)]
    pub illustrative: bool,
    pub quote_validity_days: u32,
    /// Salt of the resident-ID hash that quotes carry and the server's blacklist compares.
    pub id_hash_salt: String,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRounding {
    pub scale: u32,
    #[serde(default)]
    pub mode: crate::money::RoundMode,
}

/// Keyed by `default` (every step) or a step name such as `instalment`.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub(crate) struct RawRoundingRules(pub BTreeMap<String, RawRounding>);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRegion {
    pub code: String,
    pub name: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMortality {
    pub id: String,
    pub name: Text,
    /// Where the numbers come from, for the worksheet and auditors.
    pub source: String,
    /// Makeham's law: μx = A + B·c^x.
    #[serde(default)]
    pub makeham: Option<RawMakeham>,
    /// Or a q_x table in a CSV file beside the catalogue.
    #[serde(default)]
    pub csv_file: Option<String>,
    #[serde(default)]
    pub age_column: Option<String>,
    /// Column of q_x for each sex, or `unisex`.
    #[serde(default)]
    pub qx_columns: BTreeMap<String, String>,
    /// First and last age of a Makeham table (the last age has q = 1).
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default)]
    pub max_age: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMakeham {
    pub a: RawDec,
    pub b: RawDec,
    pub c: RawDec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRange {
    pub min: RawDec,
    pub max: RawDec,
    pub step: RawDec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIssueAge {
    pub min: u32,
    pub max: u32,
    #[serde(default)]
    pub min_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProduct {
    pub code: String,
    pub version: u32,
    pub effective_from: String,
    #[serde(default)]
    pub effective_to: Option<String>,
    pub name: Text,
    #[serde(default)]
    pub description: Option<Text>,
    pub line: crate::catalogue::Line,
    #[serde(default)]
    pub age_basis: crate::age::AgeBasis,
    pub issue_age: RawIssueAge,
    #[serde(default)]
    pub sum_assured: Option<RawRange>,
    #[serde(default)]
    pub annuity_amount: Option<RawRange>,
    pub coverage_terms: Vec<String>,
    pub payment_terms: Vec<String>,
    pub frequencies: BTreeMap<String, RawDec>,
    #[serde(default)]
    pub rounding: RawRoundingRules,
    #[serde(default)]
    pub factors: RawFactors,
    #[serde(default)]
    pub requires_social_insurance: bool,
    pub rating: RawRating,
    #[serde(default, rename = "rider")]
    pub riders: Vec<RawRider>,
    #[serde(default)]
    pub underwriting: RawProductUnderwriting,
    /// How this version is sold online; absent: quoted, not applied for.
    #[serde(default)]
    pub sale: Option<RawProductSale>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFactors {
    /// Multiplier for smokers.
    #[serde(default)]
    pub smoker: Option<RawDec>,
    /// Multiplier by occupation class "1".."6"; classes not listed are not insured.
    #[serde(default)]
    pub occupation: Option<BTreeMap<String, RawDec>>,
}

/// An age table: inline CSV text or a CSV file beside the catalogue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTable {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub coverage_term: Option<String>,
    #[serde(default)]
    pub csv: Option<String>,
    #[serde(default)]
    pub csv_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPlan {
    pub id: String,
    pub name: Text,
    pub deductible: RawDec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLoadings {
    #[serde(default)]
    pub per_mille_sum_assured: Option<RawDec>,
    #[serde(default)]
    pub policy_fee: Option<RawDec>,
    #[serde(default)]
    pub premium_percent: Vec<RawDec>,
    #[serde(default)]
    pub premium_percent_after: Option<RawDec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAnnuity {
    pub payout_start_ages: Vec<u32>,
    pub guaranteed_years: Vec<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RawRating {
    RateTable {
        per: RawDec,
        tables: Vec<RawTable>,
    },
    AgeBand {
        #[serde(default)]
        per: Option<RawDec>,
        #[serde(default)]
        plans: Vec<RawPlan>,
        table: RawTable,
    },
    Flat {
        regions: BTreeMap<String, RawDec>,
    },
    Actuarial {
        benefit: crate::catalogue::Benefit,
        mortality: String,
        interest: RawDec,
        #[serde(default)]
        loadings: Option<RawLoadings>,
        #[serde(default)]
        annuity: Option<RawAnnuity>,
    },
    PercentOfBase {
        percent: RawDec,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRider {
    pub code: String,
    pub name: Text,
    /// Its own sum-assured range; without one the rider covers the base sum assured.
    #[serde(default)]
    pub sum_assured: Option<RawRange>,
    pub rating: RawRating,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTest {
    pub name: String,
    pub request: crate::request::QuoteRequest,
    #[serde(default)]
    pub expect: BTreeMap<String, String>,
    #[serde(default)]
    pub expect_error: Option<String>,
}

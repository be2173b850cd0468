//! What a quote is asked for: the insured person, the coverages and the channel.
//!
//! Every field a person fills in is explicit: there are no silent defaults. Unknown fields are refused,
//! so a misspelt field is an error instead of being ignored.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::strict;
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Text;

/// A request for a quote. The quote date is an input: the engine never reads a clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub quote_date: NaiveDate,
    pub insured: Insured,
    pub coverages: Vec<CoverageRequest>,
    pub channel: Channel,
}

/// The person to be insured (被保险人).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insured {
    /// Birth date, or else `age`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Age at last birthday, for when the birth date is not known (e.g. a first estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    pub sex: Sex,
    pub smoker: bool,
    /// Occupation class 1-6 by the Chinese occupation classification; 7 means uninsurable.
    pub occupation_class: u8,
    /// Has local basic medical insurance (有社保).
    pub social_insurance: bool,
    /// Region code (GB/T 2260, e.g. "310000" Shanghai), needed by regional products such as 惠民保.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn index(self) -> usize {
        match self {
            Sex::Male => 0,
            Sex::Female => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Sex::Male => Text::fixed("男", "male"),
            Sex::Female => Text::fixed("女", "female"),
        }
    }
}

/// One product asked for, with its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageRequest {
    pub product: String,
    /// Sum assured (保额), for every product except annuities.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub sum_assured: Option<Decimal>,
    /// Yearly annuity amount (年领取金额), for annuities.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub annuity_amount: Option<Decimal>,
    pub coverage_term: CoverageTerm,
    pub payment_term: PaymentTerm,
    pub frequency: Frequency,
    /// Deductible plan, for products that offer several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Annuities: the age payouts start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payout_start_age: Option<u32>,
    /// Annuities: years paid even if the annuitant dies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guaranteed_years: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub riders: Vec<RiderRequest>,
}

/// An optional rider (附加险) on a coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiderRequest {
    pub code: String,
    /// For riders with their own sum assured; others cover the base sum assured.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "strict::option")]
    pub sum_assured: Option<Decimal>,
}

/// How the quote is sold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Channel {
    /// The insurer's own website.
    Direct,
    /// An agent, identified by code.
    Agent { agent_code: String },
}

impl Channel {
    pub fn name(&self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::Agent { .. } => "agent",
        }
    }
}

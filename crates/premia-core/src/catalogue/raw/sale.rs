//! The online-sale parts of the document as written: `[[document]]`, `[application]`, `[policy]` and a
//! product's `sale = { … }` (see `catalogue/README.md`).

use serde::Deserialize;

use super::RawDec;
use crate::catalogue::sale::{DocumentKind, Relationship};
use crate::text::Text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDocument {
    pub id: String,
    pub kind: DocumentKind,
    pub version: String,
    pub title: Text,
    /// The text, a UTF-8 file beside the catalogue.
    pub file: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawProductSale {
    pub documents: Vec<String>,
    pub cooling_off_days: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawApplicationRules {
    pub policyholder_min_age: u32,
    pub parent_min_age_gap: u32,
    pub relationships: Vec<RawRelationshipRule>,
    pub beneficiary_relationships: Vec<Relationship>,
    pub max_beneficiaries: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRelationshipRule {
    pub insured_is: Relationship,
    pub insured_ages: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicyRules {
    pub effective_days_after_payment: u32,
    pub grace_period_days: u32,
    pub cooling_off_fee: RawDec,
}

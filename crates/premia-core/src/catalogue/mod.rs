//! The product catalogue: a versioned document of products and rules, validated once into an
//! indexed form that quoting reads without further checks.
//!
//! The document format is TOML (see `catalogue/demo.toml` and ARCHITECTURE.md); large tables may live
//! in CSV files beside it. Loading is pure: the caller supplies referenced files through a resolver.

#[cfg(feature = "toml")]
mod build;
pub mod mortality;
#[cfg(feature = "toml")]
mod raw;
pub mod sale;
mod snapshot;
pub mod table;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::age::AgeBasis;
use crate::error::CatalogueError;
use crate::money::RoundingRules;
use crate::request::QuoteRequest;
use crate::term::{CoverageTerm, Frequency, PaymentTerm};
use crate::text::Text;

pub use mortality::{Commutation, MortalityBasis};
#[cfg(not(feature = "purchase"))]
pub(crate) use snapshot::{len_without_sale, without_sale};
pub use table::AgeTable;

/// A loaded, validated catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub id: String,
    pub version: String,
    pub effective_from: NaiveDate,
    pub insurer: Text,
    /// Free text for people reading the catalogue.
    pub notes: Option<String>,
    pub currency: String,
    /// True when rates are illustrative, not filed: shown on every quote page.
    pub illustrative: bool,
    /// Days a quote stays valid for submission.
    pub quote_validity_days: u32,
    /// SHA-256 (hex) over the document and every file it refers to; recorded in every quote.
    pub content_hash: String,
    pub regions: BTreeMap<String, Text>,
    pub mortality: Vec<MortalityBasis>,
    products: Vec<Product>,
    /// Product code → indexes into `products`, ordered by `effective_from`. A list searched in order,
    /// not a map: a catalogue has a few dozen codes at most, and each map type costs the browser build
    /// its own hashing and table code.
    by_code: Vec<(String, Vec<usize>)>,
    /// Product codes in catalogue order (first appearance).
    codes: Vec<String>,
    pub tests: Vec<TestCase>,
    /// Rounding rules for quote-level steps (discounts).
    pub rounding: RoundingRules,
    /// Salt of the resident-ID hash.
    pub id_hash_salt: String,
    pub underwriting: crate::underwriting::Rules,
    pub bundles: Vec<crate::bundles::Bundle>,
    pub coupons: crate::discounts::coupon::CouponRules,
    /// How the catalogue sells online: documents, application rules, policy dates.
    pub sale: sale::SaleRules,
    /// What an underwriter may decide (`[desk]`); empty in the compiled form, which only the browser
    /// loads.
    pub desk: crate::desk::DeskRules,
}

impl Catalogue {
    /// Parse and validate a TOML catalogue. `resolve` returns the text of a file the catalogue refers to
    /// (by the path written in the catalogue), or `None` if there is no such file.
    #[cfg(feature = "toml")]
    pub fn load(text: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Result<Catalogue, CatalogueError> {
        build::load(text, resolve)
    }

    /// Compile a TOML catalogue (validating it) into the compact form [`Catalogue::load_compiled`]
    /// reads: for clients that should carry neither a TOML parser nor the validation, such as the
    /// browser. It records the TOML source's content hash, so quotes from either form name the same
    /// catalogue. The catalogue's test cases are not part of it (see [`snapshot`]).
    #[cfg(feature = "toml")]
    pub fn compile(text: &str, resolve: &dyn Fn(&str) -> Option<String>) -> Result<Vec<u8>, CatalogueError> {
        build::load(text, resolve).map(|catalogue| catalogue.to_compiled())
    }

    /// This catalogue in its compiled form.
    pub fn to_compiled(&self) -> Vec<u8> {
        snapshot::encode(self)
    }

    /// Load a catalogue compiled by [`Catalogue::compile`]. Its shape is checked, not its rules: it was
    /// validated when it was compiled.
    pub fn load_compiled(bytes: &[u8]) -> Result<Catalogue, CatalogueError> {
        snapshot::decode(bytes)
    }

    /// The version of product `code` in force on `date`.
    pub fn product(&self, code: &str, date: NaiveDate) -> Option<&Product> {
        let (_, versions) = self.by_code.iter().find(|(c, _)| c == code)?;
        versions.iter().rev().map(|&i| &self.products[i]).find(|p| p.in_force(date))
    }

    /// Every version of every product, in catalogue order.
    pub fn all_products(&self) -> &[Product] {
        &self.products
    }

    /// The product codes, each once, in catalogue order.
    pub fn product_codes(&self) -> &[String] {
        &self.codes
    }

    /// The versions in force on `date`, one per product code, in catalogue order.
    pub fn products_on(&self, date: NaiveDate) -> impl Iterator<Item = &Product> {
        self.codes.iter().filter_map(move |code| self.product(code, date))
    }

    pub fn reference(&self) -> CatalogueRef {
        CatalogueRef { id: self.id.clone(), version: self.version.clone(), content_hash: self.content_hash.clone() }
    }
}

/// Product code → indexes into `products` ordered by effective date (then version), and the product
/// codes in catalogue order (first appearance).
fn index_products(products: &[Product]) -> (Vec<(String, Vec<usize>)>, Vec<String>) {
    let mut by_code: Vec<(String, Vec<usize>)> = Vec::new();
    let mut codes = Vec::new();
    for (i, p) in products.iter().enumerate() {
        match by_code.iter_mut().find(|(code, _)| *code == p.code) {
            Some((_, versions)) => versions.push(i),
            None => {
                codes.push(p.code.clone());
                by_code.push((p.code.clone(), vec![i]));
            }
        }
    }
    for (_, versions) in &mut by_code {
        versions.sort_by_key(|&i| (products[i].effective_from, products[i].version));
    }
    (by_code, codes)
}

/// Which catalogue a quote was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueRef {
    pub id: String,
    pub version: String,
    pub content_hash: String,
}

/// Line of business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Line {
    /// 重疾险
    CriticalIllness,
    /// 百万医疗
    Medical,
    /// 定期寿险
    TermLife,
    /// 终身寿险
    WholeLife,
    /// 两全保险
    Endowment,
    /// 年金险
    Annuity,
    /// 意外险
    Accident,
    /// 长期护理险
    LongTermCare,
    /// 惠民保
    CityHealth,
}

impl Line {
    pub const ALL: [Line; 9] = crate::variants::every_variant!(Line {
        CriticalIllness,
        Medical,
        TermLife,
        WholeLife,
        Endowment,
        Annuity,
        Accident,
        LongTermCare,
        CityHealth
    });

    pub fn label(self) -> Text {
        match self {
            Line::CriticalIllness => Text::fixed("重疾险", "critical illness"),
            Line::Medical => Text::fixed("医疗险", "medical"),
            Line::TermLife => Text::fixed("定期寿险", "term life"),
            Line::WholeLife => Text::fixed("终身寿险", "whole life"),
            Line::Endowment => Text::fixed("两全保险", "endowment"),
            Line::Annuity => Text::fixed("年金险", "annuity"),
            Line::Accident => Text::fixed("意外险", "accident"),
            Line::LongTermCare => Text::fixed("长期护理险", "long-term care"),
            Line::CityHealth => Text::fixed("惠民保", "city inclusive health"),
        }
    }
}

/// One version of a product.
#[derive(Debug, Clone)]
pub struct Product {
    pub code: String,
    pub version: u32,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub name: Text,
    pub description: Option<Text>,
    pub line: Line,
    pub age_basis: AgeBasis,
    pub issue_age: IssueAge,
    pub amount: AmountRule,
    pub coverage_terms: Vec<CoverageTerm>,
    pub payment_terms: Vec<PaymentTerm>,
    /// Offered frequencies with their modal factors (premium per instalment ÷ annual premium).
    pub frequencies: Vec<(Frequency, Decimal)>,
    pub rounding: RoundingRules,
    pub factors: Factors,
    pub requires_social_insurance: bool,
    pub rating: Rating,
    pub riders: Vec<Rider>,
    pub underwriting: crate::underwriting::ProductRules,
}

impl Product {
    pub fn in_force(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_to.is_none_or(|to| date <= to)
    }

    pub fn modal_factor(&self, frequency: Frequency) -> Option<Decimal> {
        self.frequencies.iter().find(|(f, _)| *f == frequency).map(|(_, factor)| *factor)
    }

    /// The health questions this product asks, in order.
    pub fn questions<'a>(
        &'a self,
        catalogue: &'a Catalogue,
    ) -> impl Iterator<Item = &'a crate::underwriting::Question> + 'a {
        let all = &catalogue.underwriting.questions;
        self.underwriting.questions.iter().filter_map(move |id| all.iter().find(|q| &q.id == id))
    }

    pub fn rider(&self, code: &str) -> Option<&Rider> {
        self.riders.iter().find(|r| r.code == code)
    }

    /// "CI v2": how errors and logs name a product version.
    pub fn label(&self) -> String {
        format!("{} v{}", self.code, self.version)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IssueAge {
    pub min: u32,
    pub max: u32,
    /// Minimum age in days for newborns (e.g. 28: 出生满28天).
    pub min_days: Option<u32>,
}

/// What the amount in a request is, and its allowed values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AmountRule {
    pub kind: AmountKind,
    pub min: Decimal,
    pub max: Decimal,
    pub step: Decimal,
}

impl AmountRule {
    /// The single allowed amount when min = max (e.g. a million-medical plan with fixed cover).
    pub fn fixed(&self) -> Option<Decimal> {
        (self.min == self.max).then_some(self.min)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountKind {
    SumAssured,
    AnnuityAmount,
}

impl AmountKind {
    pub const ALL: [AmountKind; 2] = crate::variants::every_variant!(AmountKind { SumAssured, AnnuityAmount });

    pub fn field(self) -> &'static str {
        match self {
            AmountKind::SumAssured => "sum_assured",
            AmountKind::AnnuityAmount => "annuity_amount",
        }
    }
}

/// Rating factors applied to the base premium.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Factors {
    pub smoker: Option<Decimal>,
    /// Factor for occupation classes 1-6 (index 0-5); `None` = class not insured. Absent: no rating.
    pub occupation: Option<[Option<Decimal>; 6]>,
}

/// How a product (or rider) turns a request into a base annual premium.
#[derive(Debug, Clone)]
pub enum Rating {
    /// Premium per `per` of sum assured by issue age × sex × payment term (× coverage term).
    RateTable { per: Decimal, tables: Vec<(Option<CoverageTerm>, AgeTable)> },
    /// Premium per band of attained age × social insurance × deductible plan; per `per` of sum assured
    /// if set, else an amount.
    AgeBand { per: Option<Decimal>, plans: Vec<Plan>, table: AgeTable },
    /// One premium per region.
    Flat { regions: BTreeMap<String, Decimal> },
    /// Equivalence-principle premium from a mortality basis and an interest rate, plus loadings.
    Actuarial(Box<Actuarial>),
    /// A share of the base coverage's rated premium (riders only), e.g. premium waiver.
    PercentOfBase { percent: Decimal },
}

impl Rating {
    pub fn method(&self) -> &'static str {
        match self {
            Rating::RateTable { .. } => "rate_table",
            Rating::AgeBand { .. } => "age_band",
            Rating::Flat { .. } => "flat",
            Rating::Actuarial(_) => "actuarial",
            Rating::PercentOfBase { .. } => "percent_of_base",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub id: String,
    pub name: Text,
    pub deductible: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Benefit {
    /// Pays the sum assured on death within the term.
    Term,
    /// Pays the sum assured on death whenever it happens.
    WholeLife,
    /// Pays on death within the term or on survival to its end.
    Endowment,
    /// Pays a yearly amount from the payout start age for life, with guaranteed years.
    Annuity,
}

impl Benefit {
    pub const ALL: [Benefit; 4] = crate::variants::every_variant!(Benefit { Term, WholeLife, Endowment, Annuity });
}

#[derive(Debug, Clone)]
pub struct Actuarial {
    pub benefit: Benefit,
    pub mortality_id: Arc<str>,
    pub mortality_source: Arc<str>,
    pub interest: Decimal,
    pub loadings: Loadings,
    pub annuity: Option<AnnuityOptions>,
    /// Commutation columns at this product's interest rate, by `Sex::index()`.
    pub commutation: [Commutation; 2],
}

/// Expense loadings of the gross premium.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loadings {
    /// Yearly expense per 1,000 of sum assured while in force.
    pub per_mille_sum_assured: Decimal,
    /// Yearly fee per policy while premiums are paid.
    pub policy_fee: Decimal,
    /// Share of each gross premium by policy year (first year first).
    pub premium_percent: Vec<Decimal>,
    /// Share of gross premiums after the listed years.
    pub premium_percent_after: Decimal,
}

impl Loadings {
    pub fn premium_percent_in_year(&self, policy_year_index: usize) -> Decimal {
        self.premium_percent.get(policy_year_index).copied().unwrap_or(self.premium_percent_after)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnuityOptions {
    pub payout_start_ages: Vec<u32>,
    pub guaranteed_years: Vec<u32>,
}

/// An optional rider (附加险) with its own rating.
#[derive(Debug, Clone)]
pub struct Rider {
    pub code: String,
    pub name: Text,
    /// Its own sum-assured range; `None`: the rider covers the base sum assured.
    pub amount: Option<AmountRule>,
    pub rating: Rating,
}

/// A test case the catalogue carries: a request and the figures it must produce.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub request: QuoteRequest,
    /// JSON pointer into the quote (e.g. `/coverages/0/annual_premium`) → expected value.
    pub expect: BTreeMap<String, String>,
    /// Or the error code the request must fail with.
    pub expect_error: Option<String>,
}

//! `catalogue()`: what a page needs to build a form from the active catalogue — every product version
//! with the options it offers — as plain JSON. A projection of the core's validated catalogue; the
//! rates themselves stay inside (a page quotes through `quote`).

use chrono::NaiveDate;
use premia_core::age::AgeBasis;
use premia_core::catalogue::{AmountRule, IssueAge, Line, Plan, Rating};
use premia_core::{Catalogue, CoverageTerm, Frequency, PaymentTerm, Product, Text};
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CatalogueSummary<'a> {
    pub id: &'a str,
    pub version: &'a str,
    pub effective_from: NaiveDate,
    pub insurer: &'a Text,
    pub currency: &'a str,
    pub illustrative: bool,
    pub quote_validity_days: u32,
    pub content_hash: &'a str,
    pub regions: Vec<Region<'a>>,
    pub products: Vec<ProductSummary<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Region<'a> {
    pub code: &'a str,
    pub name: &'a Text,
}

/// One product version and what a request for it may say.
#[derive(Debug, Serialize)]
pub struct ProductSummary<'a> {
    pub code: &'a str,
    pub version: u32,
    pub effective_from: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_to: Option<NaiveDate>,
    pub name: &'a Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a Text>,
    pub line: Line,
    pub age_basis: AgeBasis,
    pub issue_age: IssueAge,
    /// Which request field carries the amount (`sum_assured` or `annuity_amount`), and its range.
    pub amount: AmountRule,
    pub coverage_terms: &'a [CoverageTerm],
    pub payment_terms: &'a [PaymentTerm],
    pub frequencies: Vec<FrequencyOption>,
    pub requires_social_insurance: bool,
    /// How it is rated: `rate_table`, `age_band`, `flat`, `actuarial`.
    pub rating_method: &'static str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub plans: &'a [Plan],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annuity: Option<AnnuityOptions<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub regions_sold: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub riders: Vec<RiderSummary<'a>>,
}

#[derive(Debug, Serialize)]
pub struct FrequencyOption {
    pub frequency: Frequency,
    /// Premium per instalment ÷ annual premium.
    pub modal_factor: Decimal,
}

#[derive(Debug, Serialize)]
pub struct AnnuityOptions<'a> {
    pub payout_start_ages: &'a [u32],
    pub guaranteed_years: &'a [u32],
}

#[derive(Debug, Serialize)]
pub struct RiderSummary<'a> {
    pub code: &'a str,
    pub name: &'a Text,
    /// The rider's own sum-assured range; absent: it covers the base sum assured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountRule>,
}

impl<'a> CatalogueSummary<'a> {
    pub fn of(catalogue: &'a Catalogue) -> Self {
        CatalogueSummary {
            id: &catalogue.id,
            version: &catalogue.version,
            effective_from: catalogue.effective_from,
            insurer: &catalogue.insurer,
            currency: &catalogue.currency,
            illustrative: catalogue.illustrative,
            quote_validity_days: catalogue.quote_validity_days,
            content_hash: &catalogue.content_hash,
            regions: catalogue.regions.iter().map(|(code, name)| Region { code, name }).collect(),
            products: catalogue.all_products().iter().map(ProductSummary::of).collect(),
        }
    }
}

impl<'a> ProductSummary<'a> {
    fn of(product: &'a Product) -> Self {
        let (plans, annuity, regions_sold): (&[Plan], _, _) = match &product.rating {
            Rating::AgeBand { plans, .. } => (plans, None, Vec::new()),
            Rating::Actuarial(actuarial) => (
                &[],
                actuarial.annuity.as_ref().map(|a| AnnuityOptions {
                    payout_start_ages: &a.payout_start_ages,
                    guaranteed_years: &a.guaranteed_years,
                }),
                Vec::new(),
            ),
            Rating::Flat { regions } => (&[], None, regions.keys().map(String::as_str).collect()),
            _ => (&[], None, Vec::new()),
        };
        ProductSummary {
            code: &product.code,
            version: product.version,
            effective_from: product.effective_from,
            effective_to: product.effective_to,
            name: &product.name,
            description: product.description.as_ref(),
            line: product.line,
            age_basis: product.age_basis,
            issue_age: product.issue_age,
            amount: product.amount,
            coverage_terms: &product.coverage_terms,
            payment_terms: &product.payment_terms,
            frequencies: product
                .frequencies
                .iter()
                .map(|(frequency, modal_factor)| FrequencyOption { frequency: *frequency, modal_factor: *modal_factor })
                .collect(),
            requires_social_insurance: product.requires_social_insurance,
            rating_method: product.rating.method(),
            plans,
            annuity,
            regions_sold,
            riders: product
                .riders
                .iter()
                .map(|r| RiderSummary { code: &r.code, name: &r.name, amount: r.amount })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_summary_lists_every_version_with_its_options() {
        let catalogue = premia_core::demo::catalogue();
        let json = serde_json::to_value(CatalogueSummary::of(&catalogue)).unwrap();
        let products = json["products"].as_array().unwrap();
        let ci: Vec<_> = products.iter().filter(|p| p["code"] == "CI").collect();
        assert_eq!(ci.len(), 2, "both CI versions, with their dates");
        assert_eq!(ci[1]["coverage_terms"], serde_json::json!(["to_age:70", "lifelong"]));
        assert_eq!(ci[1]["amount"]["step"], "10000", "money stays a decimal string");
        assert_eq!(ci[1]["riders"][0]["code"], "CI-MULTI");
        let med = products.iter().find(|p| p["code"] == "MED").unwrap();
        assert_eq!(med["plans"][0]["id"], "D10K");
        let hmb = products.iter().find(|p| p["code"] == "HMB").unwrap();
        assert!(hmb["regions_sold"].as_array().unwrap().contains(&serde_json::json!("310000")));
        let ann = products.iter().find(|p| p["code"] == "ANN").unwrap();
        assert_eq!(ann["annuity"]["payout_start_ages"], serde_json::json!([55, 60, 65]));
    }
}

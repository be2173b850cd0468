//! The insured's facts as an underwriter reads them, from the server's own quote and the catalogue: no
//! resident ID number (nor its hash), BMI worked out by the core, cover and income side by side, and
//! each health answer with its question and follow-up in words.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use premia_core::underwriting::bmi_of;
use premia_core::{Catalogue, Quote, Sex, Text};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredFacts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Insurance age of the first coverage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    pub smoker: bool,
    pub occupation_class: u8,
    pub social_insurance: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_cm: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bmi: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_income: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_cover: Option<Decimal>,
    /// Sum assured asked for in this application, plus existing cover.
    pub cover_total: Decimal,
}

impl InsuredFacts {
    pub fn of(quote: &Quote) -> InsuredFacts {
        let insured = &quote.request.insured;
        let asked: Decimal = quote.coverages.iter().filter_map(|c| c.sum_assured).sum();
        let bmi = match (insured.height_cm, insured.weight_kg) {
            (Some(h), Some(w)) if h > Decimal::ZERO => bmi_of(h, w),
            _ => None,
        };
        InsuredFacts {
            birth_date: insured.birth_date,
            age: quote.coverages.first().map(|c| c.age).or(insured.age),
            sex: insured.sex,
            smoker: insured.smoker,
            occupation_class: insured.occupation_class,
            social_insurance: insured.social_insurance,
            region: insured.region.clone(),
            height_cm: insured.height_cm,
            weight_kg: insured.weight_kg,
            bmi,
            annual_income: insured.annual_income,
            existing_cover: insured.existing_cover,
            cover_total: asked + insured.existing_cover.unwrap_or_default(),
        }
    }
}

/// A health question asked by one of the application's products, with the answer given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthLine {
    pub question: String,
    pub text: Text,
    /// `None`: not answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes: Option<bool>,
    /// The follow-up question and the option chosen, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Text>,
}

/// Every question the quote's products ask (each once, in catalogue order), with its answer.
pub fn health_lines(catalogue: &Catalogue, quote: &Quote) -> Vec<HealthLine> {
    let date = quote.request.quote_date;
    let answers = &quote.request.insured.health_answers;
    let mut lines: Vec<HealthLine> = Vec::new();
    for coverage in &quote.request.coverages {
        let Some(product) = catalogue.product(&coverage.product, date) else { continue };
        for question in product.questions(catalogue) {
            if lines.iter().any(|l| l.question == question.id) {
                continue;
            }
            let answer = answers.get(&question.id);
            let chosen = answer
                .and_then(|a| a.follow_up.as_deref())
                .and_then(|f| question.options.iter().find(|o| o.id == f))
                .map(|o| o.text.clone());
            lines.push(HealthLine {
                question: question.id.clone(),
                text: question.text.clone(),
                yes: answer.map(|a| a.yes),
                follow_up: chosen.as_ref().and(question.follow_up.clone()),
                answer: chosen,
            });
        }
    }
    lines
}

/// The quote as staff see it: without the resident ID number, should one ever be in it. (The engine
/// never echoes it and quotes carry no hash of it; the server keys people by its own keyed identity, which
/// no view shows. This holds the line should either change.)
pub fn without_identity(mut quote: Quote) -> Quote {
    quote.request.insured.resident_id = None;
    quote
}

//! The form kept in the tab's `sessionStorage`, so a reload or Back does not lose what the person typed:
//! written as JSON, read back leniently (a field that cannot be read keeps the fresh form's value, so an
//! older or damaged copy never stops the page).
//!
//! **Never kept:** the resident ID number (personal data the page holds only while it is shown). Health
//! answers are kept, in this tab only: `sessionStorage` ends with the tab, and "start over" removes it.

use std::collections::BTreeMap;

use premia_core::json::{self, Json};
use premia_core::request::HealthAnswer;
use premia_core::{Frequency, Sex};
use serde::Serialize;

use crate::state::{CoverageForm, Form, RiderForm};

/// What is kept: every field of the form as typed, but the resident ID number.
#[derive(Serialize)]
struct Kept<'f> {
    birth_date: &'f str,
    sex: Option<Sex>,
    smoker: bool,
    occupation_class: u8,
    social_insurance: bool,
    region: &'f str,
    height_cm: &'f str,
    weight_kg: &'f str,
    annual_income: &'f str,
    existing_cover: &'f str,
    health_answers: &'f BTreeMap<String, HealthAnswer>,
    coverages: Vec<KeptCoverage<'f>>,
    bundle: Option<&'f str>,
    coupons: &'f [String],
    coupon_draft: &'f str,
}

#[derive(Serialize)]
struct KeptCoverage<'f> {
    product: &'f str,
    amount: &'f str,
    coverage_term: &'f str,
    payment_term: &'f str,
    frequency: Frequency,
    plan: Option<&'f str>,
    payout_start_age: Option<u32>,
    guaranteed_years: Option<u32>,
    /// The codes of the riders chosen, each with its amount as typed.
    riders: Vec<(&'f str, bool, &'f str)>,
}

/// The form as kept (without the resident ID number).
pub fn write(form: &Form) -> String {
    let coverages = form
        .coverages
        .iter()
        .map(|c| KeptCoverage {
            product: &c.product,
            amount: &c.amount,
            coverage_term: &c.coverage_term,
            payment_term: &c.payment_term,
            frequency: c.frequency,
            plan: c.plan.as_deref(),
            payout_start_age: c.payout_start_age,
            guaranteed_years: c.guaranteed_years,
            riders: c.riders.iter().map(|r| (r.code.as_str(), r.chosen, r.amount.as_str())).collect(),
        })
        .collect();
    let kept = Kept {
        birth_date: &form.birth_date,
        sex: form.sex,
        smoker: form.smoker,
        occupation_class: form.occupation_class,
        social_insurance: form.social_insurance,
        region: &form.region,
        height_cm: &form.height_cm,
        weight_kg: &form.weight_kg,
        annual_income: &form.annual_income,
        existing_cover: &form.existing_cover,
        health_answers: &form.health_answers,
        coverages,
        bundle: form.bundle.as_deref(),
        coupons: &form.coupons,
        coupon_draft: &form.coupon_draft,
    };
    serde_json::to_string(&kept).unwrap_or_default()
}

/// `fresh` with every field `text` keeps that can be read. A coverage of a product `fresh` has no
/// form for (not offered here) is left out; `None` if `text` is not a kept form at all.
pub fn read(text: &str, fresh: &Form, coverage: impl Fn(&str) -> Option<CoverageForm>) -> Option<Form> {
    let kept = json::parse(text).ok()?;
    let Json::Object(_) = kept else { return None };
    let mut form = fresh.clone();
    let text = |key: &str, into: &mut String| {
        if let Some(value) = kept.get(key).and_then(Json::as_str) {
            value.clone_into(into);
        }
    };
    text("birth_date", &mut form.birth_date);
    text("region", &mut form.region);
    text("height_cm", &mut form.height_cm);
    text("weight_kg", &mut form.weight_kg);
    text("annual_income", &mut form.annual_income);
    text("existing_cover", &mut form.existing_cover);
    text("coupon_draft", &mut form.coupon_draft);
    form.sex = match kept.get("sex").and_then(Json::as_str) {
        Some("male") => Some(Sex::Male),
        Some("female") => Some(Sex::Female),
        _ => form.sex,
    };
    form.smoker = flag(kept.get("smoker")).unwrap_or(form.smoker);
    form.social_insurance = flag(kept.get("social_insurance")).unwrap_or(form.social_insurance);
    let class = kept.get("occupation_class").and_then(Json::as_u64).and_then(|c| u8::try_from(c).ok());
    form.occupation_class = class.unwrap_or(form.occupation_class);
    if let Some(Json::Object(answers)) = kept.get("health_answers") {
        form.health_answers = answers
            .iter()
            .filter_map(|(question, answer)| {
                let yes = flag(answer.get("yes"))?;
                let follow_up = answer.get("follow_up").and_then(Json::as_str).map(str::to_owned);
                Some((question.clone(), HealthAnswer { yes, follow_up }))
            })
            .collect();
    }
    if let Some(list) = kept.get("coverages").and_then(Json::as_array) {
        form.coverages = list.iter().filter_map(|c| read_coverage(c, &coverage)).collect();
    }
    form.bundle = kept.get("bundle").and_then(Json::as_str).map(str::to_owned);
    if let Some(list) = kept.get("coupons").and_then(Json::as_array) {
        form.coupons = list.iter().filter_map(Json::as_str).map(str::to_owned).collect();
    }
    Some(form)
}

fn flag(value: Option<&Json>) -> Option<bool> {
    match value {
        Some(Json::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn read_coverage(kept: &Json, fresh: &impl Fn(&str) -> Option<CoverageForm>) -> Option<CoverageForm> {
    let mut form = fresh(kept.get("product")?.as_str()?)?;
    let text = |key: &str, into: &mut String| {
        if let Some(value) = kept.get(key).and_then(Json::as_str) {
            value.clone_into(into);
        }
    };
    text("amount", &mut form.amount);
    text("coverage_term", &mut form.coverage_term);
    text("payment_term", &mut form.payment_term);
    if let Some(frequency) = kept.get("frequency").and_then(Json::as_str).and_then(Frequency::from_name) {
        form.frequency = frequency;
    }
    if let Some(plan) = kept.get("plan").and_then(Json::as_str) {
        form.plan = Some(plan.to_owned());
    }
    let whole = |key: &str| kept.get(key).and_then(Json::as_u64).and_then(|n| u32::try_from(n).ok());
    form.payout_start_age = whole("payout_start_age").or(form.payout_start_age);
    form.guaranteed_years = whole("guaranteed_years").or(form.guaranteed_years);
    for rider in kept.get("riders").and_then(Json::as_array).unwrap_or_default() {
        let Some([code, chosen, amount]) = rider.as_array() else { continue };
        let mine = form.riders.iter_mut().find(|r: &&mut RiderForm| Some(r.code.as_str()) == code.as_str());
        if let (Some(mine), Some(chosen)) = (mine, flag(Some(chosen))) {
            mine.chosen = chosen;
            amount.as_str().unwrap_or_default().clone_into(&mut mine.amount);
        }
    }
    Some(form)
}

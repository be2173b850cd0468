//! The form kept in the tab's `sessionStorage`, so a reload or Back does not lose what the person typed.
//!
//! Kept as lines of `name=value`, the values as typed (a form's text fields hold no line breaks), and read
//! back leniently: a line that cannot be read leaves the fresh form's value, so an older or damaged copy
//! never stops the page. (Lines, not JSON: a few lines of code instead of a serializer and a reader of
//! their own in the module the widget downloads.)
//!
//! **Never kept:** the resident ID number (personal data the page holds only while it is shown). Health
//! answers are kept, in this tab only: `sessionStorage` ends with the tab, and "start over" removes it.

use std::fmt::Write;

use premia_core::request::HealthAnswer;
use premia_core::{Frequency, Sex};

use crate::state::{CoverageForm, Form};

/// The first line: a copy written by another layout is not read.
const VERSION: &str = "premia-form 1";

/// The form as kept (without the resident ID number).
pub fn write(form: &Form) -> String {
    let mut out = String::from(VERSION);
    let mut line = |name: &str, value: &str| {
        let _ = write!(out, "\n{name}={value}");
    };
    line("birth_date", &form.birth_date);
    line("sex", form.sex.map_or("", Sex::name));
    line("smoker", if form.smoker { "1" } else { "" });
    line("occupation_class", &form.occupation_class.to_string());
    line("social_insurance", if form.social_insurance { "1" } else { "" });
    line("region", &form.region);
    line("height_cm", &form.height_cm);
    line("weight_kg", &form.weight_kg);
    line("annual_income", &form.annual_income);
    line("existing_cover", &form.existing_cover);
    for (question, answer) in &form.health_answers {
        let yes = if answer.yes { "1" } else { "" };
        line("answer", &format!("{question}|{yes}|{}", answer.follow_up.as_deref().unwrap_or_default()));
    }
    line("bundle", form.bundle.as_deref().unwrap_or_default());
    for coupon in &form.coupons {
        line("coupon", coupon);
    }
    line("coupon_draft", &form.coupon_draft);
    // Last, the coverages: each one's lines follow its `product` line.
    for c in &form.coverages {
        line("product", &c.product);
        line("amount", &c.amount);
        line("coverage_term", &c.coverage_term);
        line("payment_term", &c.payment_term);
        line("frequency", c.frequency.name());
        line("plan", c.plan.as_deref().unwrap_or_default());
        line("payout_start_age", &c.payout_start_age.map(|a| a.to_string()).unwrap_or_default());
        line("guaranteed_years", &c.guaranteed_years.map(|a| a.to_string()).unwrap_or_default());
        for r in c.riders.iter().filter(|r| r.chosen) {
            line("rider", &format!("{}|{}", r.code, r.amount));
        }
    }
    out
}

/// `fresh` with every line of `text` that can be read. A coverage of a product `coverage` gives no form
/// for (one the app does not offer) is left out; `None` if `text` is not a kept form.
pub fn read(text: &str, fresh: &Form, coverage: impl Fn(&str) -> Option<CoverageForm>) -> Option<Form> {
    let mut lines = text.lines();
    if lines.next() != Some(VERSION) {
        return None;
    }
    let mut form = Form { coverages: Vec::new(), ..fresh.clone() };
    // Lines of a coverage whose product is not offered here are skipped with it.
    let mut skipping = false;
    for (name, value) in lines.filter_map(|l| l.split_once('=')) {
        let text = value.to_owned();
        let whole = value.parse().ok();
        if name == "product" {
            let added = coverage(value);
            skipping = added.is_none();
            form.coverages.extend(added);
            continue;
        }
        if let (Some(c), false) = (form.coverages.last_mut(), skipping) {
            match name {
                "amount" => c.amount = text,
                "coverage_term" => c.coverage_term = text,
                "payment_term" => c.payment_term = text,
                "frequency" => c.frequency = Frequency::from_name(value).unwrap_or(c.frequency),
                "plan" if !value.is_empty() => c.plan = Some(text),
                "payout_start_age" => c.payout_start_age = whole.or(c.payout_start_age),
                "guaranteed_years" => c.guaranteed_years = whole.or(c.guaranteed_years),
                "rider" => {
                    let (code, amount) = value.split_once('|').unwrap_or((value, ""));
                    if let Some(rider) = c.riders.iter_mut().find(|r| r.code == code) {
                        rider.chosen = true;
                        amount.clone_into(&mut rider.amount);
                    }
                }
                _ => {}
            }
            continue;
        }
        match name {
            "birth_date" => form.birth_date = text,
            "sex" => form.sex = [Sex::Male, Sex::Female].into_iter().find(|s| s.name() == value),
            "smoker" => form.smoker = !value.is_empty(),
            "occupation_class" => form.occupation_class = value.parse().unwrap_or(form.occupation_class),
            "social_insurance" => form.social_insurance = !value.is_empty(),
            "region" => form.region = text,
            "height_cm" => form.height_cm = text,
            "weight_kg" => form.weight_kg = text,
            "annual_income" => form.annual_income = text,
            "existing_cover" => form.existing_cover = text,
            "answer" => {
                let mut parts = value.splitn(3, '|');
                let (Some(question), Some(yes), follow_up) = (parts.next(), parts.next(), parts.next()) else {
                    continue;
                };
                let follow_up = follow_up.filter(|f| !f.is_empty()).map(str::to_owned);
                form.health_answers.insert(question.to_owned(), HealthAnswer { yes: !yes.is_empty(), follow_up });
            }
            "bundle" => form.bundle = Some(text).filter(|b| !b.is_empty()),
            "coupon" => form.coupons.push(text),
            "coupon_draft" => form.coupon_draft = text,
            _ => {}
        }
    }
    if form.coverages.is_empty() {
        form.coverages = fresh.coverages.clone();
    }
    Some(form)
}

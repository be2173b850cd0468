//! `premia underwriting simulate`: the share of automatic decisions (straight-through processing) on a
//! synthetic applicant population.
//!
//! # The population (documented mix)
//! Direct-sales applicants for the standard young-adult bundle (critical illness 300,000 lifelong,
//! 20-year pay, plus million medical), quoted on 2026-11-25:
//! - age 18-55, triangular (18 to 56, clamped) with its mode at 32 (online buyers skew to their thirties); sex 50/50;
//!   occupation classes 1-3 (office, light manual);
//! - height normal with mean 171 cm (men) / 159 cm (women), sd 6.5 / 6.0; BMI normal with mean 23.6 and
//!   sd 3.4 (China's adult mean; about 14% have BMI ≥ 28), weight derived from the two;
//! - health answers, independent, at rates for insured-age adults: cancer history 0.5%; heart disease
//!   1%; hypertension 10% (70% controlled, 20% uncontrolled, 10% no follow-up answer); diabetes 4% (60%
//!   type 2 controlled, 10% type 1, 30% no follow-up); hospital stay in two years 6% (80% recovered,
//!   20% ongoing); thyroid nodules 15% (85% TI-RADS 1-3, 15% grade 4+);
//! - annual income log-uniform 60,000-600,000; no existing cover.
//!
//! Automatic decisions are accept, accept with conditions and decline; refer, medical exam and pending
//! need a person. The generator is a fixed-seed SplitMix64, so the same seed gives the same figures.
#![allow(
    clippy::float_arithmetic,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

use std::collections::BTreeMap;
use std::process::ExitCode;

use chrono::{Datelike, Days, NaiveDate};
use premia_core::request::HealthAnswer;
use premia_core::underwriting::Outcome;
use premia_core::{Catalogue, Channel, CoverageRequest, Insured, Lang, QuoteRequest, Sex};
use rand_xoshiro::SplitMix64;
use rand_xoshiro::rand_core::{Rng as _, SeedableRng as _};
use rust_decimal::Decimal;

use crate::output::{Failure, Table};

/// SplitMix64 (rand_xoshiro's): small, fast, and the same on every platform.
struct Rng(SplitMix64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let (u, v) = (self.unit().max(f64::MIN_POSITIVE), self.unit());
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    fn triangular(&mut self, low: f64, mode: f64, high: f64) -> f64 {
        let u = self.unit();
        let split = (mode - low) / (high - low);
        if u < split {
            low + (u * (high - low) * (mode - low)).sqrt()
        } else {
            high - ((1.0 - u) * (high - low) * (high - mode)).sqrt()
        }
    }
}

fn decimal(value: f64, places: u32) -> Decimal {
    Decimal::from_f64_retain(value).unwrap_or_default().round_dp(places)
}

fn answer(rng: &mut Rng, rate: f64, options: &[(&str, f64)]) -> HealthAnswer {
    if !rng.chance(rate) {
        return HealthAnswer { yes: false, follow_up: None };
    }
    let mut pick = rng.unit();
    for (id, share) in options {
        if pick < *share {
            return HealthAnswer { yes: true, follow_up: Some((*id).to_owned()) };
        }
        pick -= share;
    }
    HealthAnswer { yes: true, follow_up: None }
}

/// One synthetic applicant's request.
fn applicant(rng: &mut Rng, date: NaiveDate) -> QuoteRequest {
    let age = (rng.triangular(18.0, 32.0, 56.0).floor() as i32).clamp(18, 55);
    let sex = if rng.chance(0.5) { Sex::Male } else { Sex::Female };
    // A birth date within the year before the last birthday, so that the age at last birthday is `age`.
    let last_birthday = date.with_year(date.year() - age).unwrap_or(date);
    let birth = last_birthday.checked_sub_days(Days::new(rng.next() % 365)).unwrap_or(last_birthday);
    let (mean_height, sd_height) = if sex == Sex::Male { (171.0, 6.5) } else { (159.0, 6.0) };
    let height = rng.normal(mean_height, sd_height);
    let bmi = rng.normal(23.6, 3.4).max(14.0);
    let weight = bmi * (height / 100.0).powi(2);
    let mut answers = BTreeMap::new();
    answers.insert("CANCER".to_owned(), answer(rng, 0.005, &[]));
    answers.insert("HEART".to_owned(), answer(rng, 0.01, &[]));
    answers.insert("HTN".to_owned(), answer(rng, 0.10, &[("CONTROLLED", 0.7), ("UNCONTROLLED", 0.2)]));
    answers.insert("DIABETES".to_owned(), answer(rng, 0.04, &[("TYPE2-CONTROLLED", 0.6), ("TYPE1", 0.1)]));
    answers.insert("HOSPITAL".to_owned(), answer(rng, 0.06, &[("RECOVERED", 0.8), ("ONGOING", 0.2)]));
    answers.insert("THYROID".to_owned(), answer(rng, 0.15, &[("TIRADS-1-3", 0.85), ("TIRADS-4-5", 0.15)]));
    let income = 60_000.0 * 10f64.powf(rng.unit());
    let insured = Insured {
        birth_date: Some(birth),
        sex: Some(sex),
        smoker: rng.chance(0.15),
        occupation_class: 1 + (rng.next() % 3) as u8,
        social_insurance: rng.chance(0.9),
        height_cm: Some(decimal(height, 1)),
        weight_kg: Some(decimal(weight, 1)),
        annual_income: Some(decimal(income, 0)),
        health_answers: answers,
        ..Insured::default()
    };
    let coverage =
        |product: &str, sum_assured: Option<Decimal>, cover: &str, pay: &str, plan: Option<&str>| CoverageRequest {
            product: product.to_owned(),
            sum_assured,
            annuity_amount: None,
            coverage_term: cover.parse().unwrap_or(premia_core::CoverageTerm::Lifelong),
            payment_term: pay.parse().unwrap_or(premia_core::PaymentTerm::Single),
            frequency: premia_core::Frequency::Annual,
            plan: plan.map(str::to_owned),
            payout_start_age: None,
            guaranteed_years: None,
            riders: Vec::new(),
        };
    QuoteRequest {
        quote_date: date,
        insured,
        coverages: vec![
            coverage("CI", Some(Decimal::from(300_000)), "lifelong", "years:20", None),
            coverage("MED", None, "years:1", "years:1", Some("D10K")),
        ],
        channel: Channel::Direct,
        coupons: Vec::new(),
        bundle: None,
    }
}

pub fn run(catalogue: &Catalogue, count: u32, seed: u64, lang: Lang) -> Result<ExitCode, Failure> {
    let date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    let mut rng = Rng(SplitMix64::seed_from_u64(seed));
    let mut outcomes: BTreeMap<Outcome, u32> = BTreeMap::new();
    let mut rules: BTreeMap<String, u32> = BTreeMap::new();
    let mut errors = 0;
    for _ in 0..count {
        match premia_core::quote(catalogue, &applicant(&mut rng, date)) {
            Ok(quote) => {
                *outcomes.entry(quote.decision.outcome).or_default() += 1;
                let fired: std::collections::BTreeSet<&str> =
                    quote.decision.reasons.iter().map(|r| r.rule.as_str()).collect();
                for rule in fired {
                    *rules.entry(rule.to_owned()).or_default() += 1;
                }
            }
            Err(_) => errors += 1,
        }
    }
    let zh = lang == Lang::Zh;
    let share = |n: u32| format!("{:.1}%", 100.0 * f64::from(n) / f64::from(count.max(1)));
    let mut table =
        Table::new(if zh { &["结论", "件数", "占比"] } else { &["decision", "count", "share"] }, &[false, true, true]);
    for (outcome, n) in &outcomes {
        table.row(vec![outcome.label().get(lang).to_owned(), n.to_string(), share(*n)]);
    }
    print!("{}", table.render());
    let automatic: u32 = outcomes.iter().filter(|(o, _)| o.is_automatic()).map(|(_, n)| n).sum();
    println!(
        "\n{} {} / {count} = {}",
        if zh { "自动核保（直通率）:" } else { "straight-through (automatic decisions):" },
        automatic,
        share(automatic)
    );
    println!("{}", if zh { "\n触发的规则：" } else { "\nrules that fired:" });
    for (rule, n) in &rules {
        println!("  {rule:<24} {n:>6}  {}", share(*n));
    }
    if errors > 0 {
        println!("{errors} applicants could not be quoted");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

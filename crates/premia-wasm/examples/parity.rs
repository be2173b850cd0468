//! The native half of the wasm/native parity test (`tests/web/parity.test.mjs`).
//!
//! Generates N requests against the demo catalogue (deterministic for a seed: valid ones across every
//! product, option and channel, and a share of broken ones), quotes each with the native core, and
//! writes two files of JSON lines: `requests.jsonl` and `native.jsonl` (the quote exactly as
//! `serde_json` writes it, or `{"errors":[...]}`). The Node test quotes every request with the wasm
//! build and compares the bytes.
//!
//!     cargo run --release -p premia-wasm --example parity -- OUT_DIR [COUNT] [SEED]

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use chrono::{Days, NaiveDate};
use premia_core::{Catalogue, Channel, CoverageRequest, Insured, Product, QuoteRequest, RiderRequest, Sex};
use rust_decimal::Decimal;

/// xorshift64*: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len() as u64) as usize])
    }
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        eprintln!("usage: parity OUT_DIR [COUNT] [SEED]");
        return std::process::ExitCode::from(2);
    };
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_261_125);
    let catalogue = premia_core::demo::catalogue();
    let mut rng = Rng(seed | 1);
    let (mut requests, mut native) = (String::new(), String::new());
    let mut priced = 0;
    for _ in 0..count {
        let request = generate(&catalogue, &mut rng);
        let request_json = serde_json::to_string(&request).unwrap_or_default();
        let outcome = match premia_core::quote(&catalogue, &request) {
            Ok(quote) => {
                priced += 1;
                serde_json::to_string(&quote).unwrap_or_default()
            }
            Err(errors) => format!(r#"{{"errors":{}}}"#, serde_json::to_string(&errors).unwrap_or_default()),
        };
        let _ = writeln!(requests, "{request_json}");
        let _ = writeln!(native, "{outcome}");
    }
    let write =
        |name: &str, text: &str| std::fs::File::create(out.join(name)).and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = write("requests.jsonl", &requests).and_then(|()| write("native.jsonl", &native)) {
        eprintln!("parity: cannot write to {}: {e}", out.display());
        return std::process::ExitCode::from(2);
    }
    println!("parity: {count} requests ({priced} priced, {} refused) written to {}", count - priced, out.display());
    std::process::ExitCode::SUCCESS
}

fn generate(catalogue: &Catalogue, rng: &mut Rng) -> QuoteRequest {
    let base = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    // Mostly around today; some before the CI 2026 version, a few before the catalogue itself.
    let quote_date = if rng.chance(3) {
        NaiveDate::from_ymd_opt(2024, 6, 1).unwrap_or(base)
    } else {
        base - Days::new(rng.below(600)) + Days::new(rng.below(200))
    };
    // Mostly adults of the ages most products take; some of any age (limits are part of the test).
    let age_days = match rng.below(100) {
        0..=1 => rng.below(60),
        2..=79 => 18 * 366 + rng.below(32 * 365),
        _ => rng.below(75 * 366),
    };
    let birth_date = quote_date - Days::new(age_days);
    let regions: Vec<&String> = catalogue.regions.keys().collect();
    let sex = if rng.chance(50) { Sex::Male } else { Sex::Female };
    // A share of people are given by resident ID number (some with a wrong check character), the
    // rest by birth date and sex.
    let resident_id = rng.chance(15).then(|| resident_id(birth_date, sex, rng.chance(10), rng));
    let insured = Insured {
        birth_date: resident_id.is_none().then_some(birth_date),
        age: None,
        resident_id: resident_id.clone(),
        sex: resident_id.is_none().then_some(sex),
        smoker: rng.chance(20),
        occupation_class: if rng.chance(85) { 1 + rng.below(3) as u8 } else { 1 + rng.below(7) as u8 },
        social_insurance: rng.chance(80),
        region: match rng.below(10) {
            0 => None,
            1 => Some("999999".into()),
            _ => rng.pick(&regions).map(|r| (*r).clone()),
        },
        height_cm: None,
        weight_kg: None,
        annual_income: None,
        existing_cover: None,
        health_answers: Default::default(),
    };
    let products: Vec<&Product> = catalogue.products_on(quote_date).collect();
    let wanted = 1 + rng.below(3) as usize;
    let mut coverages: Vec<CoverageRequest> = Vec::with_capacity(wanted);
    for _ in 0..wanted {
        if rng.chance(2) {
            coverages.push(coverage_for_unknown(rng));
            continue;
        }
        let Some(product) = rng.pick(&products) else { continue };
        if coverages.iter().any(|c| c.product == product.code) && !rng.chance(10) {
            continue;
        }
        coverages.push(coverage(product, rng));
    }
    let channel = match rng.below(100) {
        0..=59 => Channel::Direct,
        60..=96 => Channel::Agent { agent_code: format!("A{}", 100 + rng.below(900)) },
        _ => Channel::Agent { agent_code: "bad code".into() },
    };
    QuoteRequest { quote_date, insured, coverages, channel, coupons: Vec::new(), bundle: None }
}

fn coverage(product: &Product, rng: &mut Rng) -> CoverageRequest {
    let rule = product.amount;
    let steps = ((rule.max - rule.min) / rule.step).trunc();
    let steps = u64::try_from(steps.mantissa()).unwrap_or(0);
    let mut amount = rule.min + rule.step * Decimal::from(rng.below(steps + 1));
    if rng.chance(3) {
        amount += Decimal::from(1 + rng.below(999)); // off the step
    }
    let annuity = premia_web::options::is_annuity(product);
    let annuity_options = premia_web::options::annuity_options(product);
    let frequencies = premia_web::options::frequencies(product);
    let plans = premia_web::options::plans(product);
    let mut riders = Vec::new();
    for rider in &product.riders {
        if rng.chance(40) {
            let sum_assured = rider.amount.map(|a| (a.min + a.step * Decimal::from(rng.below(5))).min(a.max));
            riders.push(RiderRequest { code: rider.code.clone(), sum_assured });
        }
    }
    let payment_term = rng.pick(&product.payment_terms).copied().unwrap_or(premia_core::PaymentTerm::Single);
    CoverageRequest {
        product: product.code.clone(),
        sum_assured: (!annuity).then_some(amount),
        annuity_amount: annuity.then_some(amount),
        coverage_term: rng.pick(&product.coverage_terms).copied().unwrap_or(premia_core::CoverageTerm::Lifelong),
        payment_term,
        frequency: if payment_term.is_single() && !rng.chance(5) {
            premia_core::Frequency::Annual
        } else if rng.chance(5) {
            *rng.pick(&premia_core::Frequency::ALL).unwrap_or(&premia_core::Frequency::Annual)
        } else {
            rng.pick(&frequencies).copied().unwrap_or(premia_core::Frequency::Annual)
        },
        plan: rng.pick(&plans).map(|p| p.id.clone()),
        payout_start_age: annuity_options.and_then(|(ages, _)| rng.pick(ages).copied()),
        guaranteed_years: annuity_options.and_then(|(_, years)| rng.pick(years).copied()),
        riders,
    }
}

/// A resident ID number for this person (Beijing Dongcheng), with a wrong check character if `broken`.
fn resident_id(birth: NaiveDate, sex: Sex, broken: bool, rng: &mut Rng) -> String {
    let sequence = rng.below(500) * 2 + u64::from(sex == Sex::Male);
    let first17 = format!("110101{}{sequence:03}", birth.format("%Y%m%d"));
    let check = premia_core::resident_id::check_char(first17.as_bytes());
    let check = if broken { if check == '0' { '1' } else { '0' } } else { check };
    format!("{first17}{check}")
}

fn coverage_for_unknown(rng: &mut Rng) -> CoverageRequest {
    let mut name = String::from("X");
    let _ = write!(name, "{}", rng.below(100));
    CoverageRequest {
        product: name,
        sum_assured: Some(Decimal::from(100_000)),
        annuity_amount: None,
        coverage_term: premia_core::CoverageTerm::Lifelong,
        payment_term: premia_core::PaymentTerm::Years(10),
        frequency: premia_core::Frequency::Annual,
        plan: None,
        payout_start_age: None,
        guaranteed_years: None,
        riders: Vec::new(),
    }
}

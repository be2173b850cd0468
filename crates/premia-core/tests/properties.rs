//! Property tests of the engine over generated requests for the demo catalogue.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use chrono::NaiveDate;
use premia_core::{Catalogue, Channel, CoverageRequest, Frequency, Insured, QuoteRequest, Sex, demo, quote};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(demo::catalogue)
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn insured(age: u32, sex: Sex, smoker: bool) -> Insured {
    Insured {
        age: Some(age),
        sex: Some(sex),
        smoker,
        occupation_class: 1,
        social_insurance: true,
        region: Some("310000".into()),
        ..Insured::default()
    }
}

fn request(insured: Insured, coverage: CoverageRequest) -> QuoteRequest {
    QuoteRequest {
        quote_date: date("2026-11-25"),
        insured,
        coverages: vec![coverage],
        channel: Channel::Direct,
        coupons: Vec::new(),
        bundle: None,
    }
}

fn coverage(
    product: &str,
    amount: Decimal,
    coverage_term: &str,
    payment_term: &str,
    frequency: Frequency,
) -> CoverageRequest {
    let annuity = product == "ANN";
    CoverageRequest {
        product: product.into(),
        sum_assured: (!annuity).then_some(amount),
        annuity_amount: annuity.then_some(amount),
        coverage_term: coverage_term.parse().unwrap(),
        payment_term: payment_term.parse().unwrap(),
        frequency,
        plan: None,
        payout_start_age: annuity.then_some(60),
        guaranteed_years: annuity.then_some(10),
        riders: Vec::new(),
    }
}

/// A product with a variable amount: (code, amount step, min steps, max steps, coverage, payment, ages).
type Scalable = (&'static str, i64, i64, i64, &'static str, &'static str, (u32, u32));

const SCALABLE: &[Scalable] = &[
    ("CI", 10_000, 5, 100, "lifelong", "years:20", (0, 55)),
    ("TERM", 10_000, 10, 500, "years:20", "years:20", (18, 60)),
    ("WL", 10_000, 5, 500, "lifelong", "years:10", (0, 60)),
    ("ANN", 100, 12, 5000, "lifelong", "years:5", (18, 55)),
    ("ACC", 50_000, 2, 40, "years:1", "years:1", (18, 65)),
    ("LTC", 10_000, 5, 50, "lifelong", "years:10", (18, 60)),
];

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![Just(Sex::Male), Just(Sex::Female)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A larger sum assured never costs less.
    #[test]
    fn premium_never_decreases_as_the_amount_grows(
        pick in 0..SCALABLE.len(), age_share in 0.0..1.0f64, sex in sex(), smoker: bool, a in 0i64..10_000, b in 0i64..10_000,
    ) {
        let (code, step, lo, hi, cover, pay, (min_age, max_age)) = SCALABLE[pick];
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::float_arithmetic)]
        let age = min_age + ((max_age - min_age) as f64 * age_share) as u32;
        let steps = |k: i64| Decimal::from(step * (lo + k % (hi - lo + 1)));
        let (small, large) = if steps(a) <= steps(b) { (steps(a), steps(b)) } else { (steps(b), steps(a)) };
        let price = |amount| quote(catalogue(), &request(insured(age, sex, smoker), coverage(code, amount, cover, pay, Frequency::Annual)));
        match (price(small), price(large)) {
            // A larger amount may be declined (e.g. a minor's death-benefit cap): then it has no price.
            (Ok(_), Ok(l)) if !l.declined.is_empty() => {}
            (Ok(s), Ok(l)) => prop_assert!(s.totals.annual_premium <= l.totals.annual_premium,
                "{code} age {age}: {small} costs {} but {large} costs {}", s.totals.annual_premium, l.totals.annual_premium),
            (Err(e1), Err(e2)) => prop_assert_eq!(e1.iter().map(|e| e.code()).collect::<Vec<_>>(), e2.iter().map(|e| e.code()).collect::<Vec<_>>()),
            (s, l) => prop_assert!(false, "{code} age {age}: one amount priced, the other did not: {:?} / {:?}", s.err(), l.err()),
        }
    }

    /// Instalments × frequency equal the annual premium × the modal factor, within the rounding of one
    /// instalment (half a fen each).
    #[test]
    fn instalments_add_up_to_the_annual_premium_times_the_modal_factor(
        age in 1u32..=55, sex in sex(), steps in 5i64..=100, frequency in prop_oneof![
            Just(Frequency::Annual), Just(Frequency::SemiAnnual), Just(Frequency::Quarterly), Just(Frequency::Monthly)],
    ) {
        let amount = Decimal::from(steps * 10_000);
        let q = quote(catalogue(), &request(insured(age, sex, false), coverage("CI", amount, "lifelong", "years:10", frequency))).unwrap();
        let c = &q.coverages[0];
        let product = catalogue().product("CI", date("2026-11-25")).unwrap();
        let factor = product.modal_factor(frequency).unwrap();
        let n = Decimal::from(frequency.instalments_per_year());
        let exact = c.annual_premium * factor * n;
        prop_assert!((c.first_year_premium - exact).abs() <= Decimal::new(5, 3) * n,
            "first year {} vs annual {} × {factor} × {n}", c.first_year_premium, c.annual_premium);
        prop_assert_eq!(c.first_year_premium, c.instalment_premium * n);
        prop_assert_eq!(c.total_premium, c.first_year_premium * Decimal::from(c.payment_years));
    }

    /// Any request shape — valid or not — gives a quote or typed errors, never a panic, and the same
    /// answer twice.
    #[test]
    fn no_request_panics(
        product in prop_oneof![Just("CI"), Just("MED"), Just("TERM"), Just("WL"), Just("ANN"), Just("ACC"), Just("LTC"), Just("HMB"), Just("NOPE")],
        age in 0u32..130, sex in sex(), smoker: bool, occupation in 0u8..10, social: bool,
        amount in -1_000_000i64..20_000_000, cover in prop_oneof![Just("lifelong"), Just("years:1"), Just("years:20"), Just("to_age:70"), Just("to_age:60"), Just("years:200")],
        pay in prop_oneof![Just("single"), Just("years:1"), Just("years:5"), Just("years:10"), Just("years:20"), Just("years:30"), Just("to_age:60")],
        frequency in prop_oneof![Just(Frequency::Annual), Just(Frequency::SemiAnnual), Just(Frequency::Quarterly), Just(Frequency::Monthly)],
        plan in proptest::option::of(prop_oneof![Just("D10K"), Just("D5K"), Just("X")]),
        payout in proptest::option::of(40u32..90), guaranteed in proptest::option::of(0u32..30),
        region in proptest::option::of(prop_oneof![Just("310000"), Just("999999")]),
    ) {
        let insured = Insured { age: Some(age), sex: Some(sex), smoker, occupation_class: occupation, social_insurance: social, region: region.map(Into::into), ..Insured::default() };
        let coverage = CoverageRequest {
            product: product.into(),
            sum_assured: Some(Decimal::from(amount)),
            annuity_amount: (product == "ANN").then(|| Decimal::from(amount)),
            coverage_term: cover.parse().unwrap(),
            payment_term: pay.parse().unwrap(),
            frequency,
            plan: plan.map(Into::into),
            payout_start_age: payout,
            guaranteed_years: guaranteed,
            riders: Vec::new(),
        };
        let r = request(insured, coverage);
        let first = quote(catalogue(), &r);
        let second = quote(catalogue(), &r);
        prop_assert_eq!(first.is_ok(), second.is_ok());
        if let (Ok(a), Ok(b)) = (&first, &second) {
            prop_assert_eq!(&a.digest, &b.digest);
            prop_assert!(a.totals.annual_premium > Decimal::ZERO);
        }
        if let Err(errors) = &first {
            prop_assert!(!errors.is_empty());
            for e in errors {
                prop_assert!(!e.field.is_empty());
                prop_assert!(!e.message().zh.is_empty() && !e.message().en.is_empty());
            }
        }
    }

    /// Underwriting decides only on a height and weight a person can have: any other pair is refused
    /// as an input error on its field, and every BMI a decision names is one people have.
    #[test]
    fn underwriting_decides_only_on_possible_measurements(
        height_hundredths in 0u32..40_000, weight_tenths in 0u32..10_000,
    ) {
        let (height, weight) = (Decimal::new(height_hundredths.into(), 2), Decimal::new(weight_tenths.into(), 1));
        let mut person = insured(30, Sex::Female, false);
        person.height_cm = Some(height);
        person.weight_kg = Some(weight);
        let r = request(person, coverage("CI", Decimal::from(500_000), "lifelong", "years:20", Frequency::Annual));
        let (min_h, max_h) = premia_core::underwriting::Measure::HeightCm.possible();
        let (min_w, max_w) = premia_core::underwriting::Measure::WeightKg.possible();
        let possible = (min_h..=max_h).contains(&height) && (min_w..=max_w).contains(&weight);
        match quote(catalogue(), &r) {
            Ok(q) => {
                prop_assert!(possible, "{height} cm, {weight} kg priced");
                let bmi = premia_core::underwriting::bmi_of(height, weight).unwrap();
                let (low, high) = premia_core::underwriting::POSSIBLE_BMI;
                prop_assert!((low..=high).contains(&bmi), "BMI {bmi} decided: {:?}", q.decision);
            }
            Err(errors) => {
                for e in &errors {
                    prop_assert!(["measure.impossible", "bmi.impossible"].contains(&e.code()), "{e}");
                    prop_assert!(["insured.height_cm", "insured.weight_kg"].contains(&e.field.as_str()), "{e}");
                }
            }
        }
    }

    /// An amount written any way people write it (grouped by thousands or by 万, full-width digits, a
    /// yuan sign, counted in 万) reads back as the amount; anything else typed gives a value or a typed
    /// error, never a panic.
    #[test]
    fn amounts_read_back_however_they_are_typed(
        yuan in 0u64..10_000_000_000, fen in proptest::option::of(0u32..100), style in 0..5usize, junk in ".{0,12}",
    ) {
        let plain = match fen {
            Some(f) => format!("{yuan}.{f:02}"),
            None => yuan.to_string(),
        };
        let grouped = |size: usize, mark: &str| {
            let (whole, fraction) = plain.split_once('.').map_or((plain.as_str(), None), |(w, f)| (w, Some(f)));
            let digits: Vec<char> = whole.chars().collect();
            let groups: Vec<String> = digits.rchunks(size).rev().map(|g| g.iter().collect()).collect();
            groups.join(mark) + &fraction.map(|f| format!(".{f}")).unwrap_or_default()
        };
        let full_width = |text: &str| text.chars().map(|c| match c {
            '0'..='9' => char::from_u32(u32::from(c) - u32::from('0') + u32::from('０')).unwrap(),
            '.' => '．',
            other => other,
        }).collect::<String>();
        let typed = match style {
            0 => grouped(3, ","),
            1 => grouped(4, " "),
            2 => format!("￥{}", full_width(&plain)),
            3 => format!("{plain}元"),
            _ if fen.is_none() && yuan % 10_000 == 0 => format!("{}万", yuan / 10_000),
            _ => plain.clone(),
        };
        let read = premia_core::money::read_typed(&typed).unwrap();
        prop_assert_eq!(read, plain.parse::<Decimal>().unwrap(), "{}", typed);
        let _ = premia_core::money::read_typed(&junk);
    }

    /// Arbitrary text never panics the request reader or the catalogue loader.
    #[test]
    fn arbitrary_text_never_panics_the_readers(text in ".{0,400}") {
        let _ = premia_core::request::from_json_str(&text);
        let _ = Catalogue::load(&text, &|_| None);
    }

    /// A catalogue with one character changed loads or reports errors; it never panics.
    #[test]
    fn mutated_demo_catalogue_never_panics(position in 0usize..demo::TOML.len(), replacement in prop_oneof![Just('0'), Just('"'), Just('-'), Just(' '), Just('x'), Just('\n')]) {
        let mut text: Vec<char> = demo::TOML.chars().collect();
        let position = position % text.len();
        text[position] = replacement;
        let text: String = text.into_iter().collect();
        let _ = Catalogue::load(&text, &demo::file);
    }
}

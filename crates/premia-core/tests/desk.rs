//! The underwriting desk's rules on the demo catalogue: repricing on an underwriter's terms, checking a
//! verdict against the catalogue, and which referrals need two people (needs the `desk` feature).
#![allow(clippy::unwrap_used)]

use premia_core::desk::{self, Resolution, Terms, Verdict};
use premia_core::underwriting::Outcome;
use premia_core::worksheet::StepKind;
use premia_core::{Quote, demo, quote, request};
use premia_test_support::json::set;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// A 40-year-old man who declared heart disease: referred, two-person review.
fn heart() -> Value {
    json!({
        "quote_date": "2026-11-25",
        "insured": { "birth_date": "1986-05-01", "sex": "male", "smoker": false, "occupation_class": 1,
                     "social_insurance": true, "height_cm": "175", "weight_kg": "70", "annual_income": "300000",
                     "health_answers": { "CANCER": { "yes": false }, "HEART": { "yes": true }, "HTN": { "yes": false },
                                         "DIABETES": { "yes": false }, "HOSPITAL": { "yes": false }, "THYROID": { "yes": false } } },
        "coverages": [{ "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "monthly" }],
        "channel": { "kind": "direct" }
    })
}

fn priced(value: &Value) -> Quote {
    quote(&demo::catalogue(), &request::from_json(&premia_core::json::Json::from(value)).unwrap()).unwrap()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn verdict(value: Value) -> Verdict {
    serde_json::from_value(value).unwrap()
}

#[test]
fn a_loading_reprices_through_the_engine_as_a_worksheet_step() {
    let catalogue = demo::catalogue();
    let referred = priced(&heart());
    assert_eq!(referred.decision.outcome, Outcome::Refer);
    let terms = Terms { loading: Some(d("0.50")), exclusions: Vec::new() };
    let accepted = desk::reprice(&catalogue, &referred.request, &terms).unwrap();

    let coverage = &accepted.coverages[0];
    let step = coverage.worksheet.iter().find(|s| s.code() == "underwriting.loading").unwrap();
    let StepKind::UnderwritingLoading { premium, loading } = step.kind else { unreachable!() };
    assert_eq!(loading, d("0.50"));
    assert_eq!(premium, referred.coverages[0].base_premium, "the loading applies to the rated premium");
    assert_eq!(coverage.base_premium, (premium * d("1.5")).round_dp(2));
    assert!(accepted.totals.first_year_premium > referred.totals.first_year_premium);
    assert_eq!(accepted.decision.outcome, Outcome::AcceptWithConditions);
    assert_eq!(accepted.decision.loading(), d("0.50"));
    assert_eq!(accepted.decision.reasons[0].rule, "desk.loading");
    assert_ne!(accepted.digest, referred.digest);
    assert_eq!(accepted.request, referred.request, "the applicant's request is priced as it was");

    // At standard rates the figures are the referred quote's (pre-underwriting loaded nothing here).
    let standard = desk::reprice(&catalogue, &referred.request, &Terms::default()).unwrap();
    assert_eq!(standard.totals, referred.totals);
    assert_eq!(standard.decision.outcome, Outcome::Accept);
}

#[test]
fn the_underwriters_loading_replaces_pre_underwritings() {
    // Controlled hypertension: pre-underwriting loads 25 %; an underwriter's 50 % is the loading, not 75 %.
    let htn = set(heart(), "/insured/health_answers/HTN", json!({ "yes": true, "follow_up": "CONTROLLED" }));
    let referred = priced(&htn);
    assert_eq!(referred.decision.loading(), d("0.25"));
    let terms = Terms { loading: Some(d("0.5")), exclusions: Vec::new() };
    let accepted = desk::reprice(&demo::catalogue(), &referred.request, &terms).unwrap();
    let loadings: Vec<Decimal> = accepted.coverages[0]
        .worksheet
        .iter()
        .filter_map(|s| match s.kind {
            StepKind::UnderwritingLoading { loading, .. } => Some(loading),
            _ => None,
        })
        .collect();
    assert_eq!(loadings, [d("0.5")]);
}

#[test]
fn verdicts_are_checked_against_the_catalogue_naming_each_field() {
    let rules = &demo::catalogue().desk;
    let ok = verdict(
        json!({ "kind": "accept_with_terms", "loading": "0.50", "exclusions": [{ "id": "THYROID" }, { "text": " 左膝关节 " }] }),
    );
    let Resolution::Accept(terms) = ok.check(rules, "verdict").unwrap() else { unreachable!() };
    assert_eq!(terms.loading, Some(d("0.50")));
    assert_eq!(terms.exclusions[0].en, "thyroid disease and its complications excluded");
    assert_eq!(terms.exclusions[1].zh, "左膝关节");

    let bad = verdict(
        json!({ "kind": "accept_with_terms", "loading": "0.30", "exclusions": [{ "id": "TEETH" }, { "id": "THYROID", "text": "x" }, { "text": "" }] }),
    );
    let errors: Vec<(String, &str)> =
        bad.check(rules, "verdict").unwrap_err().iter().map(|e| (e.field.clone(), e.code())).collect();
    assert_eq!(
        errors,
        [
            ("verdict.loading".to_owned(), "desk.loading_step"),
            ("verdict.exclusions[0].id".to_owned(), "desk.not_offered"),
            ("verdict.exclusions[1]".to_owned(), "syntax"),
            ("verdict.exclusions[2].text".to_owned(), "empty"),
        ]
    );
    let high = verdict(json!({ "kind": "accept_with_terms", "loading": "3.25" }));
    assert_eq!(high.check(rules, "verdict").unwrap_err().iter().next().unwrap().code(), "range.out");
    let none = verdict(json!({ "kind": "accept_with_terms" }));
    assert_eq!(none.check(rules, "verdict").unwrap_err().iter().next().unwrap().code(), "desk.terms_missing");

    let postpone = verdict(json!({ "kind": "postpone", "months": 5, "reason": "MOOD" }));
    let errors = postpone.check(rules, "verdict").unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["verdict.months", "verdict.reason"]);
    assert!(errors.iter().next().unwrap().message().en.contains("3, 6, 12"), "the message lists what is offered");
    let Resolution::Decline { reason } =
        verdict(json!({ "kind": "decline", "reason": "HEALTH" })).check(rules, "v").unwrap()
    else {
        unreachable!()
    };
    assert_eq!(reason.text.zh, "健康状况不符合承保要求");
}

#[test]
fn verdicts_read_strictly() {
    let read = |v: Value| serde_json::from_value::<Verdict>(v);
    assert!(read(json!({ "kind": "accept_with_terms", "loading": 0.5 })).is_err(), "no floats for money");
    assert!(read(json!({ "kind": "decline" })).is_err(), "a decline names its reason");
    assert!(read(json!({ "kind": "accept", "loading": "0.5" })).is_err(), "unknown fields are refused");
    assert!(read(json!({ "kind": "approve" })).is_err());
    assert!(!verdict(json!({ "kind": "medical_exam" })).decides());
    assert_eq!(
        serde_json::to_value(verdict(json!({ "kind": "postpone", "months": 6, "reason": "HEALTH" }))).unwrap()["months"],
        6
    );
}

#[test]
fn high_risk_referrals_need_two_people() {
    let catalogue = demo::catalogue();
    // A declared heart condition: pre-underwriting's flag.
    assert!(desk::needs_second_review(&catalogue, &priced(&heart()), false));
    // Overweight at 40 (BMI 30.4 → refer): one underwriter, unless a blacklist hit referred it.
    let heavy =
        set(set(heart(), "/insured/health_answers/HEART", json!({ "yes": false })), "/insured/weight_kg", json!("93"));
    let bmi = priced(&heavy);
    assert_eq!(bmi.decision.outcome, Outcome::Refer);
    assert!(!desk::needs_second_review(&catalogue, &bmi, false));
    assert!(desk::needs_second_review(&catalogue, &bmi, true));
    // At the review age (60), over the non-medical limit: a medical exam, which pre-underwriting does not
    // flag; the desk does.
    let old = set(
        set(set(heavy, "/insured/weight_kg", json!("70")), "/insured/birth_date", json!("1966-01-01")),
        "/coverages/0",
        json!({ "product": "TERM", "sum_assured": "1000000", "coverage_term": "to_age:70", "payment_term": "years:10", "frequency": "annual" }),
    );
    let exam = priced(&old);
    assert_eq!((exam.decision.outcome, exam.decision.two_person_review), (Outcome::MedicalExam, false));
    assert!(desk::needs_second_review(&catalogue, &exam, false));
}

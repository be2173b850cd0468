//! Pre-underwriting rules on the demo catalogue: each rule has a case that fires it and one that does not.
#![allow(clippy::unwrap_used)]

use premia_core::underwriting::Outcome;
use premia_core::{Errors, Quote, demo, quote, request};
use premia_test_support::json::set;
use serde_json::{Value, json};

/// A 30-year-old woman of normal build who answers "no" to every question, buying CI.
fn healthy() -> Value {
    json!({
        "quote_date": "2026-11-25",
        "insured": { "birth_date": "1996-05-01", "sex": "female", "smoker": false, "occupation_class": 1,
                     "social_insurance": true, "height_cm": "165", "weight_kg": "58", "annual_income": "200000",
                     "health_answers": { "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false },
                                         "DIABETES": { "yes": false }, "HOSPITAL": { "yes": false }, "THYROID": { "yes": false } } },
        "coverages": [{ "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "annual" }],
        "channel": { "kind": "direct" }
    })
}

fn run(value: &Value) -> Result<Quote, Errors> {
    quote(&demo::catalogue(), &request::from_json(&premia_core::json::Json::from(value))?)
}

fn outcome(value: &Value) -> (Outcome, Vec<String>) {
    let q = run(value).unwrap();
    (q.decision.outcome, q.decision.reasons.iter().map(|r| r.rule.clone()).collect())
}

fn answer(yes: bool, follow_up: Option<&str>) -> Value {
    match follow_up {
        Some(f) => json!({ "yes": yes, "follow_up": f }),
        None => json!({ "yes": yes }),
    }
}

#[test]
fn a_healthy_applicant_is_accepted_without_reasons() {
    assert_eq!(outcome(&healthy()), (Outcome::Accept, vec![]));
}

#[test]
fn issue_age_by_payment_term_declines_over_age() {
    // CI 20-year pay is sold to age 50; at 51 it is declined (超龄), and the quote is not an error.
    let old = set(healthy(), "/insured/birth_date", json!("1975-01-01"));
    let q = run(&old).unwrap();
    assert_eq!(q.decision.outcome, Outcome::Decline);
    assert_eq!(q.declined[0].decision.reasons[0].rule, "age.payment_term");
    assert!(q.coverages.is_empty());
    assert_eq!(q.totals.annual_premium.to_string(), "0.00");
    // At 50 it is accepted.
    assert_eq!(outcome(&set(healthy(), "/insured/birth_date", json!("1976-01-01"))).0, Outcome::Accept);
}

#[test]
fn payment_must_end_by_the_limit_age() {
    // TERM premiums must end by 70: to_age:60 is fine; years:30 from age 45 would end at 75.
    let term = json!({ "product": "TERM", "sum_assured": "500000", "coverage_term": "years:30", "payment_term": "years:30", "frequency": "annual" });
    let at45 = set(set(healthy(), "/coverages/0", term), "/insured/birth_date", json!("1981-01-01"));
    assert_eq!(outcome(&at45), (Outcome::Decline, vec!["age.payment_end".to_owned()]));
    assert_eq!(outcome(&set(at45, "/insured/birth_date", json!("1986-01-01"))).0, Outcome::Accept);
}

#[test]
fn bmi_bands_accept_refer_and_decline() {
    // 165 cm: 76 kg = BMI 27.9 accept; 80 kg = 29.4 refer; 90 kg = 33.1 decline; 45 kg = 16.5 refer.
    for (weight, expected) in
        [("76", Outcome::Accept), ("80", Outcome::Refer), ("90", Outcome::Decline), ("45", Outcome::Refer)]
    {
        assert_eq!(outcome(&set(healthy(), "/insured/weight_kg", json!(weight))).0, expected, "weight {weight}");
    }
    let missing = set(healthy(), "/insured/weight_kg", Value::Null);
    assert_eq!(outcome(&missing), (Outcome::Pending, vec!["bmi.missing".to_owned()]));
}

/// The codes and fields of a request's errors.
fn errors(value: &Value) -> Vec<(String, String)> {
    run(value)
        .map(|q| panic!("priced: {:?}", q.decision))
        .unwrap_or_else(|errors| errors.iter().map(|e| (e.field.clone(), e.code().to_owned())).collect())
}

#[test]
fn a_height_or_weight_no_person_has_is_an_input_error_on_its_field_not_a_decision() {
    let error = |field: &str| vec![(format!("insured.{field}"), "measure.impossible".to_owned())];
    // 1.65 (metres, not cm) gave "decline: BMI 213039.5"; weight 0 a referral.
    assert_eq!(errors(&set(healthy(), "/insured/height_cm", json!("1.65"))), error("height_cm"));
    assert_eq!(errors(&set(healthy(), "/insured/weight_kg", json!("0"))), error("weight_kg"));
    assert_eq!(errors(&set(healthy(), "/insured/weight_kg", json!("58000"))), error("weight_kg"), "grams");
    assert_eq!(errors(&set(healthy(), "/insured/height_cm", json!("-165"))), error("height_cm"));
    let message =
        run(&set(healthy(), "/insured/height_cm", json!("1.65"))).unwrap_err().iter().next().unwrap().message();
    assert_eq!(message.zh, "身高 1.65 厘米不可能，请以厘米为单位填写（30–272）");
    assert_eq!(message.en, "a height of 1.65 cm is not possible: give it in centimetres (30-272)");
    // Each possible alone, impossible together (BMI 1.7): both fields are named.
    let both = set(set(healthy(), "/insured/height_cm", json!("170")), "/insured/weight_kg", json!("5"));
    assert_eq!(
        errors(&both),
        [
            ("insured.height_cm".to_owned(), "bmi.impossible".to_owned()),
            ("insured.weight_kg".to_owned(), "bmi.impossible".to_owned())
        ]
    );
    // The edges of what people measure are figures for underwriting, not errors.
    for (height, weight) in [("30", "2"), ("272", "650"), ("45", "2.1")] {
        let edge = set(set(healthy(), "/insured/height_cm", json!(height)), "/insured/weight_kg", json!(weight));
        assert!(run(&edge).is_ok(), "{height} cm, {weight} kg");
    }
}

#[test]
fn income_and_cover_already_held_cannot_be_negative() {
    assert_eq!(
        errors(&set(healthy(), "/insured/annual_income", json!("-1"))),
        [("insured.annual_income".to_owned(), "amount.negative".to_owned())]
    );
    // Negative existing cover would lower the totals financial underwriting compares with income.
    assert_eq!(
        errors(&set(healthy(), "/insured/existing_cover", json!("-5000000"))),
        [("insured.existing_cover".to_owned(), "amount.negative".to_owned())]
    );
    assert!(run(&set(healthy(), "/insured/existing_cover", json!("0"))).is_ok());
}

#[test]
fn children_have_their_own_bmi_rows() {
    // An 8-year-old, 130 cm: 38 kg = BMI 22.5 is above the child accept limit 21 (refer), though an
    // adult would be accepted at it.
    let child = set(set(healthy(), "/insured/birth_date", json!("2018-03-01")), "/insured/height_cm", json!("130"));
    let child = set(set(child, "/insured/weight_kg", json!("38")), "/coverages/0/sum_assured", json!("100000"));
    assert_eq!(outcome(&child).0, Outcome::Refer);
    assert_eq!(outcome(&set(child, "/insured/weight_kg", json!("30"))).0, Outcome::Accept);
}

#[test]
fn questionnaire_answers_map_to_outcomes() {
    let with = |q: &str, a: Value| set(healthy(), &format!("/insured/health_answers/{q}"), a);
    assert_eq!(outcome(&with("CANCER", answer(true, None))).0, Outcome::Decline);
    assert_eq!(outcome(&with("HTN", answer(true, Some("UNCONTROLLED")))).0, Outcome::Decline);
    assert_eq!(outcome(&with("HTN", answer(true, None))).0, Outcome::Refer);
    assert_eq!(outcome(&with("HOSPITAL", answer(true, Some("RECOVERED")))).0, Outcome::Accept);
    let thyroid = run(&with("THYROID", answer(true, Some("TIRADS-1-3")))).unwrap();
    assert_eq!(thyroid.decision.outcome, Outcome::AcceptWithConditions);
    assert!(thyroid.decision.reasons[0].exclusion.is_some());
    assert_eq!(thyroid.totals.annual_premium.to_string(), "9715.00", "an exclusion does not change the premium");
}

#[test]
fn a_loading_raises_the_premium_and_shows_in_the_worksheet() {
    let loaded = run(&set(healthy(), "/insured/health_answers/HTN", answer(true, Some("CONTROLLED")))).unwrap();
    assert_eq!(loaded.decision.outcome, Outcome::AcceptWithConditions);
    // 9715.00 × 1.25
    assert_eq!(loaded.coverages[0].annual_premium.to_string(), "12143.75");
    assert!(loaded.coverages[0].worksheet.iter().any(|s| s.code() == "underwriting.loading"));
    // Two loadings add: HTN 25% + diabetes 50% = 75%.
    let both = set(
        set(healthy(), "/insured/health_answers/HTN", answer(true, Some("CONTROLLED"))),
        "/insured/health_answers/DIABETES",
        answer(true, Some("TYPE2-CONTROLLED")),
    );
    assert_eq!(run(&both).unwrap().coverages[0].annual_premium.to_string(), "17001.25");
}

#[test]
fn unanswered_questions_leave_the_decision_pending_and_say_how_many_in_words() {
    let mut partial = healthy();
    partial["insured"]["health_answers"].as_object_mut().unwrap().remove("HEART");
    partial["insured"]["health_answers"].as_object_mut().unwrap().remove("HTN");
    let q = run(&partial).unwrap();
    assert_eq!(q.decision.outcome, Outcome::Pending);
    let reason = &q.decision.reasons[0];
    assert_eq!(reason.rule, "question.missing");
    assert_eq!(reason.message.zh, "还有 2 个健康告知问题未回答", "words, not the codes HEART, HTN");
    assert_eq!(reason.message.en, "2 health questions are not answered yet");
    assert!(q.totals.annual_premium > rust_decimal::Decimal::ZERO, "the price is still shown");
}

#[test]
fn referrals_of_declared_conditions_or_older_insureds_need_two_person_review() {
    let heart = run(&set(healthy(), "/insured/health_answers/HEART", answer(true, None))).unwrap();
    assert_eq!(heart.decision.outcome, Outcome::Refer);
    assert!(heart.decision.two_person_review);
    // A referral for BMI alone, at 30, with nothing declared: one underwriter.
    let heavy = run(&set(healthy(), "/insured/weight_kg", json!("80"))).unwrap();
    assert_eq!(heavy.decision.outcome, Outcome::Refer);
    assert!(!heavy.decision.two_person_review);
    // The same referral at 60 (TERM, sold to 60): two underwriters.
    let term = json!({ "product": "TERM", "sum_assured": "200000", "coverage_term": "years:10", "payment_term": "years:10", "frequency": "annual" });
    let old = set(
        set(set(healthy(), "/coverages/0", term), "/insured/birth_date", json!("1966-01-01")),
        "/insured/weight_kg",
        json!("80"),
    );
    let q = run(&old).unwrap();
    assert_eq!(q.decision.outcome, Outcome::Refer);
    assert!(q.decision.two_person_review);
}

#[test]
fn occupation_limits_refer_or_decline() {
    let term = json!({ "product": "TERM", "sum_assured": "500000", "coverage_term": "years:20", "payment_term": "years:20", "frequency": "annual" });
    let base = set(healthy(), "/coverages/0", term);
    assert_eq!(
        outcome(&set(base.clone(), "/insured/occupation_class", json!(5))),
        (Outcome::Refer, vec!["occupation".to_owned()])
    );
    assert_eq!(outcome(&set(base.clone(), "/insured/occupation_class", json!(7))).0, Outcome::Decline);
    assert_eq!(outcome(&set(base, "/insured/occupation_class", json!(4))).0, Outcome::Accept);
}

#[test]
fn financial_underwriting_compares_total_cover_with_income() {
    // Age 30: up to 20 × income. CI 500,000 + existing 300,000 = 800,000.
    let with_existing = set(healthy(), "/insured/existing_cover", json!("300000"));
    assert_eq!(outcome(&set(with_existing.clone(), "/insured/annual_income", json!("40000"))).0, Outcome::Accept);
    assert_eq!(
        outcome(&set(with_existing.clone(), "/insured/annual_income", json!("39999"))),
        (Outcome::Refer, vec!["financial".to_owned()])
    );
    // Above 500,000 in total, income is needed.
    let no_income = set(with_existing, "/insured/annual_income", Value::Null);
    assert_eq!(outcome(&no_income), (Outcome::Pending, vec!["financial.income_missing".to_owned()]));
    // At or below 500,000 it is not.
    assert_eq!(outcome(&set(healthy(), "/insured/annual_income", Value::Null)).0, Outcome::Accept);
}

#[test]
fn non_medical_limits_require_an_exam() {
    // Age 30: 1,500,000 without an exam. CI 1,000,000 + TERM 500,000 = 1,500,000 is fine; 510,000 is not.
    let mut two = set(healthy(), "/coverages/0/sum_assured", json!("1000000"));
    two["coverages"].as_array_mut().unwrap().push(json!({ "product": "TERM", "sum_assured": "500000",
        "coverage_term": "years:20", "payment_term": "years:20", "frequency": "annual" }));
    assert_eq!(outcome(&two).0, Outcome::Accept);
    let over = set(two, "/coverages/1/sum_assured", json!("510000"));
    let (o, rules) = outcome(&over);
    assert_eq!(o, Outcome::MedicalExam);
    assert!(rules.iter().all(|r| r == "non_medical"), "{rules:?}");
}

#[test]
fn minors_death_benefits_are_capped() {
    // A 5-year-old: death benefits up to 200,000 across all cover.
    let child = |amount: &str| {
        let wl = json!({ "product": "WL", "sum_assured": amount, "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "annual" });
        let v = set(set(healthy(), "/coverages/0", wl), "/insured/birth_date", json!("2021-01-01"));
        set(set(v, "/insured/height_cm", json!("110")), "/insured/weight_kg", json!("19"))
    };
    assert_eq!(outcome(&child("200000")).0, Outcome::Accept);
    assert_eq!(outcome(&child("210000")), (Outcome::Decline, vec!["minor_death_cap".to_owned()]));
    // Existing cover elsewhere counts.
    assert_eq!(outcome(&set(child("150000"), "/insured/existing_cover", json!("60000"))).0, Outcome::Decline);
}

#[test]
fn the_quote_decision_is_the_most_severe_and_declined_cover_is_not_priced() {
    // CI referred for BMI and MED accepted: the quote is referred. Then a cancer history declines both.
    let mut v = set(healthy(), "/insured/weight_kg", json!("80"));
    v["coverages"].as_array_mut().unwrap().push(json!({ "product": "MED", "coverage_term": "years:1",
        "payment_term": "years:1", "frequency": "annual", "plan": "D10K" }));
    let q = run(&v).unwrap();
    assert_eq!(q.decision.outcome, Outcome::Refer);
    assert!(q.decision.reasons.iter().all(|r| r.product.is_some()));
    let declined = run(&set(v, "/insured/health_answers/CANCER", answer(true, None))).unwrap();
    assert_eq!(declined.decision.outcome, Outcome::Decline);
    assert_eq!(declined.declined.len(), 2);
}

#[test]
fn resident_id_fills_birth_date_and_sex_and_is_never_echoed() {
    let mut v = healthy();
    let insured = v["insured"].as_object_mut().unwrap();
    insured.remove("birth_date");
    insured.insert("resident_id".into(), json!("11010519960501002x"));
    let q = run(&v).unwrap();
    assert_eq!(q.request.insured.birth_date.unwrap().to_string(), "1996-05-01");
    assert_eq!(q.request.insured.sex, Some(premia_core::Sex::Female));
    assert!(q.request.insured.resident_id.is_none());
    // Nothing of the number: not the number, nor the catalogue's public salted hash of it (which, beside
    // the birth date and sex, gives the number back in a fraction of a second).
    let text = serde_json::to_string(&q).unwrap();
    assert!(!text.contains("11010519960501002"));
    assert!(!text.contains(&premia_core::resident_id::salted_hash("11010519960501002X", "premia-demo-id-salt-2026")));
    // Priced by the number or by the birth date and sex it gives: the same quote.
    assert_eq!(run(&healthy()).unwrap(), q);
    // Re-quoting the echo (what a verifier does) gives the same quote.
    let again = quote(&demo::catalogue(), &q.request).unwrap();
    assert_eq!(again, q);
}

#[test]
fn a_request_contradicting_its_resident_id_names_both() {
    let mut v = healthy();
    v["insured"]["resident_id"] = json!("11010519960501002X");
    v["insured"]["birth_date"] = json!("1996-05-02");
    v["insured"]["sex"] = json!("male");
    let errors = run(&v).unwrap_err();
    let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code())).collect();
    assert!(fields.contains(&("insured.birth_date", "resident_id.contradicts")), "{fields:?}");
    assert!(fields.contains(&("insured.sex", "resident_id.contradicts")), "{fields:?}");
    let message = errors.iter().next().unwrap().message().en;
    assert!(message.contains("1996-05-02") && message.contains("1996-05-01"), "{message}");
}

#[test]
fn an_invalid_resident_id_says_which_check_failed() {
    let mut v = healthy();
    v["insured"]["resident_id"] = json!("110105199605010021");
    let errors = run(&v).unwrap_err();
    assert_eq!(errors.iter().next().unwrap().code(), "resident_id.checksum");
    assert_eq!(errors.iter().next().unwrap().field, "insured.resident_id");
}

#[test]
fn a_pending_reason_names_the_fields_it_waits_for_and_no_other_reason_does() {
    let reasons = |value: &Value| {
        let q = run(value).unwrap();
        q.decision.reasons.iter().map(|r| (r.rule.clone(), r.needs().to_vec())).collect::<Vec<_>>()
    };
    let mut unanswered = healthy();
    unanswered["insured"]["health_answers"].as_object_mut().unwrap().remove("HEART");
    assert_eq!(reasons(&unanswered), [("question.missing".to_owned(), vec!["insured.health_answers"])]);
    let no_weight = set(healthy(), "/insured/weight_kg", Value::Null);
    assert_eq!(reasons(&no_weight), [("bmi.missing".to_owned(), vec!["insured.height_cm", "insured.weight_kg"])]);
    let no_income =
        set(set(healthy(), "/insured/existing_cover", json!("300000")), "/insured/annual_income", Value::Null);
    assert_eq!(reasons(&no_income), [("financial.income_missing".to_owned(), vec!["insured.annual_income"])]);
    // A decided reason waits for nothing: a referral, a decline.
    let heavy = set(healthy(), "/insured/weight_kg", json!("80"));
    assert_eq!(reasons(&heavy), [("bmi".to_owned(), Vec::<&str>::new())]);
    // Every pending reason the demo catalogue can give names what it waits for.
    for value in [&unanswered, &no_weight, &no_income] {
        let q = run(value).unwrap();
        assert!(q.decision.reasons.iter().filter(|r| r.outcome == Outcome::Pending).all(|r| !r.needs().is_empty()));
    }
}

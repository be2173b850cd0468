//! The engine's rules, one test each, on the demo catalogue and small catalogues written inline.
#![allow(clippy::unwrap_used)]

use premia_core::verify::{RequoteReason, Verdict, verify};
use premia_core::{Catalogue, Errors, Quote, demo, quote, request};
use premia_test_support::json::set as with;
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "quote_date": "2026-11-25",
        "insured": { "birth_date": "1996-05-01", "sex": "female", "smoker": false, "occupation_class": 1, "social_insurance": true },
        "coverages": [{ "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "annual" }],
        "channel": { "kind": "direct" }
    })
}

fn run(value: &Value) -> Result<Quote, Errors> {
    quote(&demo::catalogue(), &request::from_json(&premia_core::json::Json::from(value))?)
}

fn errors(value: &Value) -> Vec<(String, String)> {
    match run(value) {
        Ok(q) => panic!("expected errors, got a quote of {}", q.totals.annual_premium),
        Err(e) => e.iter().map(|e| (e.field.clone(), e.code().to_owned())).collect(),
    }
}

fn has(value: &Value, field: &str, code: &str) {
    let found = errors(value);
    assert!(found.iter().any(|(f, c)| f == field && c == code), "expected {field} {code}, got {found:?}");
}

#[test]
fn rate_table_premium_is_sum_assured_per_thousand_times_the_cell() {
    // rates/ci-lifelong.csv, age 30, female years:20 = 19.43 → 500000 / 1000 × 19.43
    let q = run(&base()).unwrap();
    assert_eq!(q.coverages[0].annual_premium.to_string(), "9715.00");
    let lookup = &q.coverages[0].worksheet[0];
    assert_eq!(lookup.code(), "table.lookup");
    // The table and column by their codes in the inputs; in words in the text a customer reads.
    let json = serde_json::to_value(lookup).unwrap();
    assert_eq!(json["inputs"]["table"], "rates/ci-lifelong.csv");
    assert_eq!(json["inputs"]["column"], "female years:20");
    assert_eq!(lookup.detail().unwrap().zh, "30 岁 · 女 · 20年交");
    assert_eq!(lookup.detail().unwrap().en, "age 30, female, 20-year pay");
    let rounding = &q.coverages[0].worksheet[2];
    assert_eq!(rounding.detail().unwrap().zh, "9715.00 → 精确到分，四舍五入");
    assert_eq!(rounding.detail().unwrap().en, "9715.00 to 2 places, half up");
}

#[test]
fn smoker_factor_multiplies_the_rounded_base() {
    let q = run(&with(base(), "/insured/smoker", json!(true))).unwrap();
    // 9715.00 × 1.15 = 11172.25
    assert_eq!(q.coverages[0].annual_premium.to_string(), "11172.25");
    assert!(q.coverages[0].worksheet.iter().any(|s| matches!(
        s.kind,
        premia_core::worksheet::StepKind::Factor { factor: premia_core::worksheet::FactorKind::Smoker, .. }
    )));
}

#[test]
fn modal_factor_sets_the_instalment_and_the_first_year() {
    let q = run(&with(base(), "/coverages/0/frequency", json!("quarterly"))).unwrap();
    let c = &q.coverages[0];
    // 9715.00 × 0.262 = 2545.33 a quarter, 10181.32 in the first year, 20 years.
    assert_eq!(c.instalment_premium.to_string(), "2545.33");
    assert_eq!(c.first_year_premium.to_string(), "10181.32");
    assert_eq!(c.total_premium.to_string(), "203626.40");
}

#[test]
fn product_version_follows_the_quote_date() {
    let v1 = run(&with(base(), "/quote_date", json!("2026-06-30"))).unwrap();
    let v2 = run(&with(base(), "/quote_date", json!("2026-07-01"))).unwrap();
    assert_eq!((v1.coverages[0].product_version, v2.coverages[0].product_version), (1, 2));
    has(&with(base(), "/quote_date", json!("2024-12-31")), "quote_date", "catalogue.not_in_force");
}

#[test]
fn amount_rules() {
    has(&with(base(), "/coverages/0/sum_assured", json!("505000")), "coverages[0].sum_assured", "amount.step");
    has(&with(base(), "/coverages/0/sum_assured", json!("40000")), "coverages[0].sum_assured", "amount.below_min");
    has(&with(base(), "/coverages/0/sum_assured", json!("2000000")), "coverages[0].sum_assured", "amount.above_max");
    has(&with(base(), "/coverages/0/sum_assured", Value::Null), "coverages[0].sum_assured", "required");
    let annuity_field = with(base(), "/coverages/0/annuity_amount", json!("1000"));
    has(&annuity_field, "coverages[0].annuity_amount", "amount.not_used");
}

#[test]
fn age_rules() {
    has(&with(base(), "/insured/birth_date", json!("1960-01-01")), "coverages[0].product", "age.above_max");
    has(&with(base(), "/insured/birth_date", json!("2027-01-01")), "insured.birth_date", "birth_date.future");
    has(&with(base(), "/insured/birth_date", json!("2026-11-10")), "coverages[0].product", "age.below_min_days");
    let both = with(base(), "/insured/age", json!(31));
    has(&both, "insured.age", "age.contradicts_birth_date");
    let neither = with(base(), "/insured/birth_date", Value::Null);
    has(&neither, "insured.birth_date", "required");
    // At 28 days old the newborn may be insured.
    assert!(run(&with(base(), "/insured/birth_date", json!("2026-10-28"))).is_ok());
}

#[test]
fn term_and_frequency_rules() {
    has(&with(base(), "/coverages/0/coverage_term", json!("years:20")), "coverages[0].coverage_term", "not_offered");
    has(&with(base(), "/coverages/0/payment_term", json!("years:25")), "coverages[0].payment_term", "not_offered");
    let single_monthly =
        with(with(base(), "/coverages/0/payment_term", json!("single")), "/coverages/0/frequency", json!("monthly"));
    has(&single_monthly, "coverages[0].frequency", "frequency.single_premium");
    let term = json!({ "product": "TERM", "sum_assured": "500000", "coverage_term": "years:10", "payment_term": "years:20", "frequency": "annual" });
    has(&with(base(), "/coverages/0", term), "coverages[0].payment_term", "term.payment_exceeds_coverage");
    let ended = json!({ "product": "TERM", "sum_assured": "500000", "coverage_term": "to_age:60", "payment_term": "to_age:60", "frequency": "annual" });
    let old = with(with(base(), "/coverages/0", ended), "/insured/birth_date", json!("1965-01-01"));
    has(&old, "coverages[0].coverage_term", "term.ended");
    let ann = json!({ "product": "ANN", "annuity_amount": "12000", "coverage_term": "lifelong", "payment_term": "years:10",
                      "frequency": "annual", "payout_start_age": 55, "guaranteed_years": 10 });
    let late = with(with(base(), "/coverages/0", ann), "/insured/birth_date", json!("1980-01-01"));
    has(&late, "coverages[0].payout_start_age", "annuity.payout_before_payment_end");
}

#[test]
fn plan_region_social_and_occupation_rules() {
    let med = json!({ "product": "MED", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" });
    has(&with(base(), "/coverages/0", med.clone()), "coverages[0].plan", "required");
    let no_social = with(with(base(), "/coverages/0", med), "/coverages/0/plan", json!("D10K"));
    let no_social = with(no_social, "/insured/social_insurance", json!(false));
    // Without social insurance the medical price is the higher column, not an error.
    assert_eq!(run(&no_social).unwrap().coverages[0].annual_premium.to_string(), "546.00");
    let hmb = json!({ "product": "HMB", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" });
    has(&with(base(), "/coverages/0", hmb.clone()), "insured.region", "required");
    let mut elsewhere = with(base(), "/coverages/0", hmb.clone());
    elsewhere["insured"]["region"] = json!("999999");
    has(&elsewhere, "insured.region", "region.not_sold");
    let mut uninsured = with(base(), "/coverages/0", hmb);
    uninsured["insured"]["region"] = json!("310000");
    uninsured["insured"]["social_insurance"] = json!(false);
    has(&uninsured, "coverages[0].product", "social_insurance.required");
    let acc = json!({ "product": "ACC", "sum_assured": "500000", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" });
    let declined = run(&with(with(base(), "/coverages/0", acc), "/insured/occupation_class", json!(7))).unwrap();
    assert_eq!(declined.declined[0].product, "ACC");
    assert_eq!(declined.decision.outcome, premia_core::underwriting::Outcome::Decline);
    has(&with(base(), "/insured/occupation_class", json!(0)), "insured.occupation_class", "occupation.invalid");
}

#[test]
fn rider_rules() {
    let rider = |r: Value| with(base(), "/coverages/0/riders", r);
    has(&rider(json!([{ "code": "NOPE" }])), "coverages[0].riders[0].code", "not_offered");
    has(&rider(json!([{ "code": "CI-WOP" }, { "code": "CI-WOP" }])), "coverages[0].riders[1].code", "duplicate");
    has(
        &rider(json!([{ "code": "CI-WOP", "sum_assured": "10000" }])),
        "coverages[0].riders[0].sum_assured",
        "amount.not_used",
    );
    // CI-WOP is 3% of the rated base: 9715.00 × 0.03 = 291.45.
    let q = run(&rider(json!([{ "code": "CI-WOP" }]))).unwrap();
    assert_eq!(q.coverages[0].riders[0].annual_premium.to_string(), "291.45");
    assert_eq!(q.coverages[0].annual_premium.to_string(), "10006.45");
}

#[test]
fn request_level_rules() {
    has(&with(base(), "/coverages", json!([])), "coverages", "coverages.empty");
    let mut dup = base();
    let first = dup["coverages"][0].clone();
    dup["coverages"].as_array_mut().unwrap().push(first);
    has(&dup, "coverages[1].product", "coverages.duplicate");
    has(
        &with(base(), "/channel", json!({ "kind": "agent", "agent_code": "a1" })),
        "channel.agent_code",
        "agent_code.invalid",
    );
    has(&with(base(), "/coverages/0/product", json!("NOPE")), "coverages[0].product", "unknown");
}

#[test]
fn every_error_in_a_bad_request_is_reported_at_once() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/requests/bad-rules.json"))
        .unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let found = errors(&value);
    assert!(found.len() >= 12, "{found:#?}");
    for coverage in 0..4 {
        assert!(found.iter().any(|(f, _)| f.starts_with(&format!("coverages[{coverage}]"))), "{found:#?}");
    }
}

#[test]
fn quotes_are_deterministic_and_digest_changes_with_any_figure() {
    let a = run(&base()).unwrap();
    let b = run(&base()).unwrap();
    assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    assert_eq!(a.digest.len(), 64);
    let c = run(&with(base(), "/coverages/0/sum_assured", json!("510000"))).unwrap();
    assert_ne!(a.digest, c.digest);
    let mut tampered = a.clone();
    tampered.coverages[0].annual_premium += rust_decimal::Decimal::new(1, 2);
    assert_ne!(premia_core::digest::of(&tampered), a.digest);
}

#[test]
fn quote_json_round_trips_with_money_as_strings() {
    let q = run(&base()).unwrap();
    let json = serde_json::to_value(&q).unwrap();
    assert_eq!(json["coverages"][0]["annual_premium"], json!("9715.00"));
    assert_eq!(json["totals"]["total_premium"], json!("194300.00"));
    let back: Quote = serde_json::from_value(json).unwrap();
    assert_eq!(back, q);
}

// ---- verification -----------------------------------------------------------------------------

fn today() -> chrono::NaiveDate {
    "2026-11-26".parse().unwrap()
}

#[test]
fn a_genuine_quote_verifies() {
    let q = serde_json::to_value(run(&base()).unwrap()).unwrap();
    assert!(matches!(verify(&demo::catalogue(), &q, today()).unwrap(), Verdict::Valid { .. }));
}

#[test]
fn a_tampered_quote_names_the_changed_field() {
    let q = serde_json::to_value(run(&base()).unwrap()).unwrap();
    let cases = [
        ("/coverages/0/annual_premium", json!("9714.99"), "/coverages/0/annual_premium"),
        ("/totals/first_year_premium", json!("1.00"), "/totals/first_year_premium"),
        ("/request/insured/sex", json!("male"), "/coverages/0/sex"),
        ("/request/insured/birth_date", json!("1990-05-01"), "/coverages/0/age"),
        ("/coverages/0/worksheet/0/value", json!("19.42"), "/coverages/0/worksheet/0/value"),
        ("/catalogue/content_hash", json!("0".repeat(64)), "/catalogue/content_hash"),
    ];
    for (pointer, value, named) in cases {
        let tampered = with(q.clone(), pointer, value);
        match verify(&demo::catalogue(), &tampered, today()).unwrap() {
            Verdict::Invalid { mismatches } => {
                assert!(mismatches.iter().any(|m| m.path == named), "{pointer}: {mismatches:#?}");
            }
            other => panic!("{pointer}: expected invalid, got {other:?}"),
        }
    }
}

#[test]
fn old_catalogue_versions_and_expired_quotes_need_a_requote() {
    let q = serde_json::to_value(run(&base()).unwrap()).unwrap();
    let old = with(q.clone(), "/catalogue/version", json!("2025.01.0"));
    assert!(matches!(
        verify(&demo::catalogue(), &old, today()).unwrap(),
        Verdict::RequoteNeeded { reason: RequoteReason::CatalogueVersionChanged, .. }
    ));
    let late: chrono::NaiveDate = "2026-12-26".parse().unwrap();
    match verify(&demo::catalogue(), &q, late).unwrap() {
        Verdict::RequoteNeeded { reason: RequoteReason::Expired, fresh } => {
            assert_eq!(fresh.request.quote_date, late);
        }
        other => panic!("expected requote, got {other:?}"),
    }
}

// ---- catalogues -------------------------------------------------------------------------------

const MINI: &str = r#"
[catalogue]
id = "MINI"
version = "1"
effective_from = "2026-01-01"
insurer = { zh = "迷你", en = "Mini" }
currency = "CNY"
quote_validity_days = 30
id_hash_salt = "mini"

[rounding]
default = { scale = 2, mode = "half_up" }
rated_premium = { scale = 2, mode = "half_even" }

[[product]]
code = "T"
version = 1
effective_from = "2026-01-01"
name = { zh = "测试", en = "Test" }
line = "critical_illness"
issue_age = { min = 18, max = 20 }
sum_assured = { min = "1000", max = "100000", step = "1000" }
coverage_terms = ["lifelong"]
payment_terms = ["single"]
frequencies = { annual = "1" }
factors = { smoker = "1.5" }
rating = { method = "rate_table", per = "1000", tables = [{ csv = "age, any\n18-20, 1.003" }] }
"#;

fn mini_request(amount: &str, smoker: bool) -> premia_core::QuoteRequest {
    request::from_json(&premia_core::json::Json::from(&json!({
        "quote_date": "2026-06-01",
        "insured": { "age": 19, "sex": "male", "smoker": smoker, "occupation_class": 1, "social_insurance": true },
        "coverages": [{ "product": "T", "sum_assured": amount, "coverage_term": "lifelong", "payment_term": "single", "frequency": "annual" }],
        "channel": { "kind": "direct" }
    })))
    .unwrap()
}

#[test]
fn catalogue_rounding_rules_apply_at_their_named_step() {
    let catalogue = Catalogue::load(MINI, &|_| None).unwrap();
    // Base: 5000/1000 × 1.003 = 5.015 → half-up 5.02. Smoker: 5.02 × 1.5 = 7.53 (exact).
    let q = quote(&catalogue, &mini_request("5000", true)).unwrap();
    assert_eq!(q.coverages[0].base_premium.to_string(), "7.53");
    // Base 1000/1000 × 1.003 = 1.003 → 1.00; × 1.5 = 1.500 (exact, no tie).
    // Base 3000: 3.009 → 3.01; × 1.5 = 4.515 → half-even 4.52 (4.515: the 2 is even? 4.51|5 → 4.52).
    let q = quote(&catalogue, &mini_request("3000", true)).unwrap();
    assert_eq!(q.coverages[0].base_premium.to_string(), "4.52");
    // Base 7000: 7.021 → 7.02; × 1.5 = 10.53.  Base 9000: 9.027 → 9.03 × 1.5 = 13.545 → half-even 13.54.
    let q = quote(&catalogue, &mini_request("9000", true)).unwrap();
    assert_eq!(q.coverages[0].base_premium.to_string(), "13.54");
}

#[test]
fn a_malformed_catalogue_reports_every_error_with_product_table_and_cell() {
    let broken = MINI
        .replace(r#"csv = "age, any\n18-20, 1.003""#, r#"csv = "age, any, purple\n18, 1.0, 2\n19, abc, 1\n""#)
        .replace(r#"step = "1000""#, r#"step = "0""#)
        .replace(r#"payment_terms = ["single"]"#, r#"payment_terms = ["single", "sometimes"]"#)
        .replace(r#"frequencies = { annual = "1" }"#, r#"frequencies = { annual = "0.9", weekly = "0.02" }"#);
    let errors = Catalogue::load(&broken, &|_| None).unwrap_err();
    let fields: Vec<String> = errors.iter().map(|e| format!("{} [{}]", e.field, e.code())).collect();
    let expect = [
        "product[T v1].sum_assured.step [range.out]",
        "product[T v1].payment_terms[1] [term.invalid]",
        "product[T v1].frequencies.annual [frequency.annual_factor]",
        "product[T v1].frequencies.weekly [unknown]",
        "product[T v1].rating.tables[0] column \"purple\" [csv.header]",
        "product[T v1].rating.tables[0] line 3 (age 19) column \"any\" [decimal.invalid]",
    ];
    for e in expect {
        assert!(fields.iter().any(|f| f == e), "missing {e} in {fields:#?}");
    }
}

#[test]
fn catalogue_syntax_errors_give_line_and_column() {
    let errors = Catalogue::load("[catalogue]\nid = \"X\"\nversion = 1.5\n", &|_| None).unwrap_err();
    let e = errors.iter().next().unwrap();
    assert_eq!(e.code(), "syntax");
    assert!(e.field.contains("line 3"), "{}", e.field);
}

#[test]
fn catalogue_floats_are_refused_with_advice() {
    let errors = Catalogue::load(&MINI.replace(r#"smoker = "1.5""#, "smoker = 1.5"), &|_| None).unwrap_err();
    let e = errors.iter().next().unwrap();
    assert!(e.message().en.contains("quoted string"), "{}", e.message().en);
}

#[test]
fn missing_referenced_files_are_named() {
    let errors =
        Catalogue::load(&MINI.replace(r#"csv = "age, any\n18-20, 1.003""#, r#"csv_file = "rates/none.csv""#), &|_| {
            None
        })
        .unwrap_err();
    assert!(errors.iter().any(|e| e.code() == "file.missing" && e.field.ends_with("csv_file")), "{errors}");
}

#[test]
fn content_hash_covers_referenced_files() {
    let a = demo::catalogue().content_hash;
    let changed = |path: &str| -> Option<String> {
        demo::file(path).map(|text| if path == "rates/ltc.csv" { text.replace("18,", "18 ,") } else { text })
    };
    let b = Catalogue::load(demo::TOML, &changed).unwrap().content_hash;
    assert_ne!(a, b);
}

/// Every leaf of a JSON document, as (pointer, value).
fn leaves(value: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| leaves(v, format!("{path}/{k}"), out)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{path}/{i}"), out)),
        _ => out.push((path, value.clone())),
    }
}

#[test]
fn the_digest_covers_every_request_field_and_figure() {
    // A request that uses every field, so that each one is exercised.
    let request = json!({
        "quote_date": "2026-11-25",
        "insured": { "birth_date": "1990-05-01", "sex": "female", "smoker": true, "occupation_class": 2,
                     "social_insurance": true, "region": "310000" },
        "coverages": [
            { "product": "CI", "sum_assured": "500000", "coverage_term": "lifelong", "payment_term": "years:20",
              "frequency": "monthly", "riders": [{ "code": "CI-WOP" }] },
            { "product": "ANN", "annuity_amount": "12000", "coverage_term": "lifelong", "payment_term": "years:10",
              "frequency": "annual", "payout_start_age": 60, "guaranteed_years": 10 },
            { "product": "MED", "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual", "plan": "D10K" },
            { "product": "ACC", "sum_assured": "500000", "coverage_term": "years:1", "payment_term": "years:1",
              "frequency": "annual", "riders": [{ "code": "ACC-MED", "sum_assured": "20000" }] }
        ],
        "channel": { "kind": "agent", "agent_code": "A123" }
    });
    let quote = run(&request).unwrap();
    let json = serde_json::to_value(&quote).unwrap();
    let mut all = Vec::new();
    leaves(&json, String::new(), &mut all);
    let mut checked = 0;
    for (pointer, value) in all {
        // Text the digest leaves out because the catalogue and the other fields determine it.
        let derived_text = ["/worksheet/", "/name/", "/message/", "/exclusion/"].iter().any(|p| pointer.contains(p));
        if derived_text || pointer == "/digest" || pointer.ends_with("/line") {
            continue;
        }
        let changed = match &value {
            Value::String(s) => match s.parse::<chrono::NaiveDate>() {
                Ok(date) => json!(date.succ_opt().unwrap().to_string()),
                Err(_) => json!(format!("{s}9")),
            },
            Value::Number(n) => json!(n.as_u64().unwrap_or(0) + 1),
            Value::Bool(b) => json!(!b),
            _ => continue,
        };
        let tampered: Quote = match serde_json::from_value(with(json.clone(), &pointer, changed)) {
            Ok(q) => q,
            // A change that no longer parses (e.g. an enum spelling) cannot reach the digest.
            Err(_) => continue,
        };
        assert_ne!(premia_core::digest::of(&tampered), quote.digest, "digest ignores {pointer}");
        checked += 1;
    }
    assert!(checked > 60, "only {checked} fields checked");
}

#[test]
fn what_a_product_does_not_offer_is_said_in_words_not_codes() {
    let message = |value: &Value, field: &str| {
        let errors = run(value).unwrap_err();
        let error = errors.iter().find(|e| e.field == field).unwrap_or_else(|| panic!("{field}: {errors}"));
        assert_eq!(error.code(), "not_offered");
        error.message()
    };
    let term = message(&with(base(), "/coverages/0/payment_term", json!("years:25")), "coverages[0].payment_term");
    assert!(term.zh.contains("“25年交”") && term.zh.contains("20年交"), "{}", term.zh);
    assert!(term.en.contains("25-year pay") && term.en.contains("20-year pay"), "{}", term.en);
    let rider =
        message(&with(base(), "/coverages/0/riders", json!([{ "code": "NOPE" }])), "coverages[0].riders[0].code");
    assert!(
        rider.en.ends_with("offered: Multiple critical illness claims rider, Payer premium waiver rider"),
        "{}",
        rider.en
    );
    let med = json!({ "product": "MED", "sum_assured": "3000000", "coverage_term": "years:1", "payment_term": "years:1",
                      "frequency": "annual", "plan": "D20K" });
    let plan = message(&with(base(), "/coverages/0", med), "coverages[0].plan");
    assert!(plan.zh.ends_with("可选：年免赔额1万元、年免赔额5千元"), "{}", plan.zh);
    for text in [&term.zh, &term.en, &rider.en, &plan.zh, &plan.en] {
        assert!(!text.contains("years:") && !text.contains("CI-WOP") && !text.contains("D10K"), "a code in {text}");
    }
}

#[test]
fn worksheets_say_their_steps_in_words_not_symbols_or_plan_codes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/requests");
    let mut seen = 0;
    for name in ["acc", "ann", "ci", "ci-two-coupons", "hmb", "ltc", "med", "term", "three-coverages", "wl"] {
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
        let q = run(&serde_json::from_str(&text).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let steps = q.coverages.iter().flat_map(|c| &c.worksheet).chain(&q.discount_worksheet);
        for step in steps {
            let detail = step.detail().unwrap_or_else(|| premia_core::Text::fixed("", ""));
            for text in [&step.label().zh, &step.label().en, &detail.zh, &detail.en] {
                for symbol in ["ä", "Σ", "A¹", "_{", "D_", "方案 ", "plan "] {
                    assert!(!text.contains(symbol), "{name}: {} says {symbol:?}: {text}", step.code());
                }
            }
            seen += 1;
        }
    }
    assert!(seen > 50, "{seen} steps");
    // The plan is named by its name: MED's deductible.
    let med: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("med.json")).unwrap()).unwrap();
    let lookup = run(&med).unwrap().coverages[0].worksheet[0].clone();
    assert_eq!(lookup.code(), "table.lookup");
    assert!(lookup.detail().unwrap().zh.contains("年免赔额1万元"), "{}", lookup.detail().unwrap().zh);
}

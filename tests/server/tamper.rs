//! The tamper corpus: genuine quotes with one field changed are rejected with that field named; genuine
//! quotes are accepted. Checked in process (fast path and the core's full comparison must agree) and over
//! HTTP (`/api/quotes/verify`, and `/api/quotes` with the quote in its envelope beside the resident ID
//! number).
//!
//! The corpus is priced by the wasm build: `scripts/test.sh` has `scripts/web-test.sh` quote the tests'
//! generated requests with the npm package under Node and passes the file as `PREMIA_TEST_QUOTES`.
//! Run alone (`scripts/server-test.sh`), the corpus is priced here by the native engine, byte-identical
//! by design (the web parity test proves it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use premia_core::verify::{BodyVerdict, verify_body, verify_body_slow};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::quotes;
use support::server::{TestServer, json as read_json};

/// One field changed, and the JSON pointer the verdict must name.
struct Tamper {
    what: &'static str,
    path: String,
    quote: Value,
}

fn bump_decimal(value: &Value, by: &str) -> Option<Value> {
    let n: Decimal = value.as_str()?.parse().ok()?;
    Some(Value::String((n + by.parse::<Decimal>().ok()?).to_string()))
}

/// Every single-field change the corpus makes to `quote`.
fn tampers(quote: &Value) -> Vec<Tamper> {
    let mut out = Vec::new();
    let mut set = |what: &'static str, path: String, new: Value| {
        let mut tampered = quote.clone();
        if let Some(slot) = tampered.pointer_mut(&path) {
            if *slot != new {
                *slot = new;
                out.push(Tamper { what, path, quote: tampered });
            }
        }
    };
    for field in ["base_premium", "annual_premium", "instalment_premium", "first_year_premium", "total_premium"] {
        let path = format!("/coverages/0/{field}");
        if let Some(v) = quote.pointer(&path).and_then(|v| bump_decimal(v, "0.01")) {
            set("a premium by 0.01", path, v);
        }
    }
    for field in ["annual_premium", "first_year_premium", "total_premium"] {
        let path = format!("/totals/{field}");
        if let Some(v) = quote.pointer(&path).and_then(|v| bump_decimal(v, "-0.01")) {
            set("a total by -0.01", path, v);
        }
    }
    if let Some(age) = quote.pointer("/coverages/0/age").and_then(Value::as_u64) {
        set("the age", "/coverages/0/age".into(), json!(age + 1));
    }
    let sex = if quote.pointer("/coverages/0/sex") == Some(&json!("male")) { "female" } else { "male" };
    set("the sex", "/coverages/0/sex".into(), json!(sex));
    if let Some(smoker) = quote.pointer("/coverages/0/smoker").and_then(Value::as_bool) {
        set("the smoker status", "/coverages/0/smoker".into(), json!(!smoker));
    }
    // A figure inside the worksheet: the first decimal string found there (a factor, rate or premium).
    let mut worksheet_leaf = None;
    find_decimal(
        quote.pointer("/coverages/0/worksheet").unwrap_or(&Value::Null),
        "/coverages/0/worksheet",
        &mut worksheet_leaf,
    );
    if let Some(path) = worksheet_leaf {
        if let Some(v) = quote.pointer(&path).and_then(|v| bump_decimal(v, "0.001")) {
            set("a factor in the worksheet", path, v);
        }
    }
    set("the catalogue hash", "/catalogue/content_hash".into(), json!("0".repeat(64)));
    set("the digest", "/digest".into(), json!("f".repeat(64)));
    if let Some(until) = quote.pointer("/valid_until").and_then(Value::as_str) {
        let later = until.parse::<chrono::NaiveDate>().unwrap() + chrono::Days::new(1);
        set("the validity", "/valid_until".into(), json!(later));
    }
    set("the illustrative flag", "/illustrative".into(), json!(!quote["illustrative"].as_bool().unwrap_or(true)));
    if let Some(version) = quote.pointer("/coverages/0/product_version").and_then(Value::as_u64) {
        set("the product version", "/coverages/0/product_version".into(), json!(version + 1));
    }
    set("the product name", "/coverages/0/name/zh".into(), json!("篡改的名称"));
    if let Some(v) = quote.pointer("/discounts/0/first_year").and_then(|v| bump_decimal(v, "10")) {
        set("a discount", "/discounts/0/first_year".into(), v);
    }
    if let Some(v) = quote.pointer("/totals/discount_first_year").and_then(|v| bump_decimal(v, "0.01")) {
        if quote.pointer("/discounts/0").is_some() {
            set("the discount total", "/totals/discount_first_year".into(), v);
        }
    }
    if quote.pointer("/coupons_used/0/id").is_some() {
        set("a coupon swapped", "/coupons_used/0/id".into(), json!("V200-0000000000000000"));
    }
    for pointer in ["/decision/outcome", "/coverages/0/decision/outcome"] {
        if quote.pointer(pointer).is_some_and(|o| o != "accept") {
            set("a decision softened", pointer.into(), json!("accept"));
        }
    }
    if quote.pointer("/decision/two_person_review") == Some(&json!(true)) {
        set("a decision softened", "/decision/two_person_review".into(), json!(false));
    }
    out
}

fn find_decimal(value: &Value, path: &str, found: &mut Option<String>) {
    if found.is_some() {
        return;
    }
    match value {
        Value::String(s) if s.parse::<Decimal>().is_ok() && s.contains('.') => *found = Some(path.to_owned()),
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| find_decimal(v, &format!("{path}/{i}"), found))
        }
        Value::Object(map) => map.iter().for_each(|(k, v)| find_decimal(v, &format!("{path}/{k}"), found)),
        _ => {}
    }
}

fn mismatch_paths(outcome: &BodyVerdict) -> Vec<String> {
    match outcome {
        BodyVerdict::Invalid(mismatches) => mismatches.iter().map(|m| m.path.clone()).collect(),
        other => panic!("expected invalid, got {}", other.name()),
    }
}

#[test]
fn every_tampered_field_is_named_in_process() {
    let catalogue = premia_core::demo::catalogue();
    let today = quotes::today();
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for quote in quotes::genuine(&catalogue, 300, 7, today) {
        let value = serde_json::to_value(&quote).unwrap();
        for tamper in tampers(&value) {
            let body = serde_json::to_vec(&tamper.quote).unwrap();
            let fast = verify_body(&catalogue, &body, today);
            let slow = verify_body_slow(&catalogue, &body, today);
            let (fast, slow) = (mismatch_paths(&fast), mismatch_paths(&slow));
            assert_eq!(fast, slow, "{}: fast path and core disagree", tamper.what);
            assert_eq!(fast, std::slice::from_ref(&tamper.path), "{}: exactly the changed field is named", tamper.what);
            *checked.entry(tamper.what).or_default() += 1;
        }
    }
    for what in [
        "a premium by 0.01",
        "a total by -0.01",
        "the age",
        "the sex",
        "a factor in the worksheet",
        "the catalogue hash",
    ] {
        assert!(checked.get(what).copied().unwrap_or(0) >= 100, "too few cases of {what}: {checked:?}");
    }
}

#[test]
fn swapping_the_coupon_in_the_request_is_caught() {
    // Another valid voucher in the request: the quote's coupon ids no longer match what was priced.
    let catalogue = premia_core::demo::catalogue();
    let today = quotes::today();
    let mut checked = 0;
    for quote in quotes::genuine(&catalogue, 400, 17, today) {
        let Some(index) = quote.request.coupons.iter().position(|c| premia_core::coupon::is_token(c)) else { continue };
        let used = quote.coupons_used.iter().find(|c| c.single_use).map(|c| c.series.clone());
        let Some(series) = used else { continue };
        let mut value = serde_json::to_value(&quote).unwrap();
        value["request"]["coupons"][index] = json!(quotes::voucher(&series, "V-SWAPPED-IN"));
        let body = serde_json::to_vec(&value).unwrap();
        let paths = mismatch_paths(&verify_body(&catalogue, &body, today));
        assert!(paths.iter().any(|p| p.starts_with("/coupons_used/")), "{paths:?}");
        checked += 1;
    }
    assert!(checked >= 20, "{checked}");
}

#[test]
fn changing_the_request_changes_the_figures_that_depend_on_it() {
    // A request edited after pricing (an older birth date, the other sex) no longer matches its figures.
    let catalogue = premia_core::demo::catalogue();
    let today = quotes::today();
    for quote in quotes::genuine(&catalogue, 100, 11, today) {
        let mut value = serde_json::to_value(&quote).unwrap();
        let sex = if value["request"]["insured"]["sex"] == "male" { "female" } else { "male" };
        value["request"]["insured"]["sex"] = json!(sex);
        let body = serde_json::to_vec(&value).unwrap();
        let paths = mismatch_paths(&verify_body(&catalogue, &body, today));
        // The digest covers the request, so an edited request is always named there; a priced coverage
        // names its rated sex too (a declined one has no figures).
        assert!(paths.contains(&"/digest".to_owned()), "{paths:?}");
        if !quote.coverages.is_empty() {
            assert!(paths.contains(&"/coverages/0/sex".to_owned()), "{paths:?}");
        }
    }
}

#[test]
fn genuine_quotes_are_accepted_in_process_by_both_paths() {
    let catalogue = premia_core::demo::catalogue();
    let today = quotes::today();
    let corpus = quotes::genuine(&catalogue, 10_000, 1, today);
    for (i, quote) in corpus.iter().enumerate() {
        let body = serde_json::to_vec(quote).unwrap();
        let outcome = verify_body(&catalogue, &body, today);
        assert!(matches!(outcome, BodyVerdict::Valid(_)), "quote {i}: {}", outcome.name());
        if i % 10 == 0 {
            let slow = verify_body_slow(&catalogue, &body, today);
            assert!(matches!(slow, BodyVerdict::Valid(_)), "quote {i}: core says {}", slow.name());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_genuine_quotes_pass_and_tampered_ones_name_the_field() {
    let server = TestServer::start(None, |_| {}).await;
    let catalogue = premia_core::demo::catalogue();
    let corpus = quotes::genuine(&catalogue, 10_000, 1, quotes::today());

    // 10,000 genuine quotes through /api/quotes/verify, from 16 concurrent clients.
    let bodies: Vec<Vec<u8>> = corpus.iter().map(|q| serde_json::to_vec(q).unwrap()).collect();
    let chunks: Vec<Vec<Vec<u8>>> = bodies.chunks(bodies.len().div_ceil(16)).map(<[_]>::to_vec).collect();
    let tasks: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let (client, url) = (server.client.clone(), server.url("/api/quotes/verify"));
            tokio::spawn(async move {
                let mut verdicts = Vec::with_capacity(chunk.len());
                for body in chunk {
                    let response =
                        client.post(&url).header("content-type", "application/json").body(body).send().await.unwrap();
                    verdicts.push(read_json(response).await);
                }
                verdicts
            })
        })
        .collect();
    let mut verified = 0;
    for task in tasks {
        for (status, verdict) in task.await.unwrap() {
            assert_eq!((status, verdict["verdict"].as_str()), (200, Some("valid")), "{verdict}");
            verified += 1;
        }
    }
    assert_eq!(verified, 10_000);

    // Each kind of tampering, on a few quotes, through both endpoints (submitted beside the insured's
    // resident ID number, which matches: only the figures are wrong).
    for application in quotes::applications(&catalogue, 5, 1, quotes::today()) {
        let value = serde_json::to_value(&application.quote).unwrap();
        for tamper in tampers(&value) {
            let body = serde_json::to_vec(&tamper.quote).unwrap();
            let (status, verdict) = read_json(server.post("/api/quotes/verify", body, &[]).await).await;
            assert_eq!(status, 200);
            assert_eq!(verdict["verdict"], "invalid", "{}", tamper.what);
            assert_eq!(verdict["mismatches"][0]["path"], tamper.path.as_str(), "{}", tamper.what);

            let envelope = quotes::envelope_value(&tamper.quote, &application.resident_id);
            let (status, answer) = read_json(server.post("/api/quotes", envelope, &[]).await).await;
            assert_eq!(status, 422, "{}: {answer}", tamper.what);
            assert_eq!(answer["errors"][0]["code"], "quote.mismatch");
            assert_eq!(answer["errors"][0]["field"], tamper.path.as_str());
            assert!(answer["errors"][0]["message"]["zh"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    assert_eq!(server.state.store.application_count().await.unwrap(), 0, "nothing tampered was stored");
}

#[test]
fn the_corpus_has_every_kind_of_quote() {
    let catalogue = premia_core::demo::catalogue();
    let corpus = quotes::genuine(&catalogue, 2_000, 1, quotes::today());
    let mut outcomes = std::collections::BTreeMap::new();
    for q in &corpus {
        *outcomes.entry(format!("{:?}", q.decision.outcome)).or_insert(0) += 1;
    }
    let discounted = corpus.iter().filter(|q| !q.discounts.is_empty()).count();
    let vouchers = corpus.iter().filter(|q| q.coupons_used.iter().any(|c| c.single_use)).count();
    eprintln!("{outcomes:?}, {discounted} discounted, {vouchers} with a voucher");
    assert!(discounted > 200 && vouchers > 100, "{discounted} discounted, {vouchers} with vouchers");
    assert!(outcomes.get("Accept").copied().unwrap_or(0) > 1_000, "{outcomes:?}");
    assert!(outcomes.get("Refer").copied().unwrap_or(0) > 50, "{outcomes:?}");
}

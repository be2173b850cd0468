//! The underwriting desk's two figures (issue 13): listing the queue with 100,000 cases, and committing
//! a decision; on SQLite and, when `PREMIA_TEST_POSTGRES_URL` names a server, PostgreSQL.
//! `scripts/desk-bench.sh` (starts PostgreSQL) or `cargo bench -p premia-server --bench desk`.
//!
//! The queue is seeded directly (100,000 referred applications and their cases, 10 % still with the
//! desk, in batches of 1,000 rows); then `GET /api/desk/cases` is timed through the real router and a
//! signed-in session (each view a page of 50), and the store's query alone. Decisions are made on
//! referred applications stored as the server stores them: `POST …/decisions` end to end (repricing and
//! all), and the store's commit alone. Percentiles by nearest rank over every request.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs, clippy::print_stdout)]

use std::time::{Duration, Instant};

use premia_server::{AppState, Config};
use premia_store::{Applied, CaseChange, CaseFilter, NewDecision, NewFinal, Slot};
use premia_test_support::server::send_json;
use serde_json::{Value, json};
use sqlx::Connection;

const CASES: usize = 100_000;
const DECISIONS: usize = 1_000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let data = tempfile::tempdir().unwrap();
    let mut urls = vec![("sqlite", format!("sqlite:{}", data.path().join("bench.db").display()))];
    if let Ok(admin) = std::env::var("PREMIA_TEST_POSTGRES_URL") {
        urls.push(("postgres", fresh_postgres(&admin).await));
    }
    for (label, url) in urls {
        println!("== {label}");
        let (state, base, client) = start(&url, data.path()).await;
        let seeded = Instant::now();
        seed(&url, CASES).await;
        println!("seeded {CASES} cases in {:.1} s", seeded.elapsed().as_secs_f64());
        let session = login(&state, &base, &client).await;
        queue(&state, &base, &client, &session).await;
        decisions(&state, &base, &client, &session).await;
    }
}

async fn fresh_postgres(admin: &str) -> String {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin).await.unwrap();
    let name = format!("premia_desk_bench_{}", std::process::id());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
    format!("{}/{name}", admin.rsplit_once('/').unwrap().0)
}

async fn start(url: &str, data: &std::path::Path) -> (AppState, String, reqwest::Client) {
    let mut config = Config::for_data_dir(data.join("data"));
    config.database_url = Some(url.to_owned());
    let clock: premia_server::Clock = std::sync::Arc::new(move || chrono::Utc::now().date_naive());
    let state = premia_server::state(config, clock).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = premia_server::routes::router(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (state, base, reqwest::Client::new())
}

/// `CASES` referred applications with cases, oldest first over the last 60 days; every tenth still open
/// (and the last 2 % within the 24-hour target), a third needing two people, five products.
async fn seed(url: &str, n: usize) {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let now = premia_store::now_millis();
    let products = [
        ("CI", "critical_illness"),
        ("TERM", "term_life"),
        ("WL", "whole_life"),
        ("MED", "medical"),
        ("ANN", "annuity"),
    ];
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let mut apps = String::from(
            "INSERT INTO applications (number, created_at, status, channel, agent_code, resident_id_hash, \
             resident_id_scheme, catalogue_id, catalogue_version, digest, decision, request_json, quote_json, token) \
             VALUES ",
        );
        let mut cases = String::from(
            "INSERT INTO cases (application_number, created_at, status, product, line, needs_second_review, \
             blacklist_referral, decided_at, version, updated_at) VALUES ",
        );
        for (k, &i) in chunk.iter().enumerate() {
            let at = now - 60 * 86_400_000 + (i as i64) * (60 * 86_400_000 / n as i64);
            let number = format!("PB{i:09}");
            let (product, line) = products[i % products.len()];
            let open = i % 10 == 0 || i >= n - n / 50;
            let (status, decided) = if open {
                ("open", "NULL".to_owned())
            } else {
                ("decided", (at + 3_600_000 * (1 + (i % 40) as i64)).to_string())
            };
            let sep = if k == 0 { "" } else { "," };
            apps.push_str(&format!(
                "{sep}('{number}', {at}, 'referred', 'direct', NULL, '{:064x}', 'hmac', 'PREMIA-DEMO', '2026.11.0', 'd', '{{}}', '{{}}', '{{}}', 't')",
                i % 20_000
            ));
            cases.push_str(&format!(
                "{sep}('{number}', {at}, '{status}', '{product}', '{line}', {}, 0, {decided}, 0, {at})",
                i64::from(i % 3 == 0)
            ));
        }
        let mut tx = conn.begin().await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(apps)).execute(&mut *tx).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(cases)).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    // Fresh statistics, as a database that grew to this size would have.
    sqlx::raw_sql("ANALYZE").execute(&mut conn).await.unwrap();
}

async fn login(state: &AppState, base: &str, client: &reqwest::Client) -> (String, String) {
    let hash = premia_server::staff::password::hash("bench-correct-horse").unwrap();
    state.store.staff_add("bench", "bench", "senior_underwriter", &hash, "bench").await.unwrap();
    let response = client
        .post(format!("{base}/api/staff/login"))
        .json(&json!({ "username": "bench", "password": "bench-correct-horse" }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me: Value = response.json().await.unwrap();
    (cookie, me["csrf"].as_str().unwrap().to_owned())
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let pick = |p: usize| times[(p * times.len()).div_ceil(100).max(1) - 1];
    // Milliseconds with two places, in integers (no float arithmetic in this workspace).
    let ms = |d: Duration| {
        let hundredths = d.as_micros() / 10;
        format!("{}.{:02}", hundredths / 100, hundredths % 100)
    };
    println!(
        "{name:<58} n={:<5} p50 {:>7} ms  p90 {:>7} ms  p99 {:>7} ms  max {:>7} ms",
        times.len(),
        ms(pick(50)),
        ms(pick(90)),
        ms(pick(99)),
        ms(*times.last().unwrap())
    );
}

async fn queue(state: &AppState, base: &str, client: &reqwest::Client, session: &(String, String)) {
    // A cursor deep into the open cases: page 100 of the default view.
    let mut deep = String::new();
    for _ in 0..100 {
        let page = send_json(client.get(format!("{base}/api/desk/cases?{deep}")).header("cookie", &session.0)).await;
        deep = format!("cursor={}", page["next"].as_str().unwrap());
    }
    let views = [
        ("queue (active, oldest first)", String::new()),
        ("status=open", "status=open".into()),
        ("status=all", "status=all".into()),
        ("sla=breached", "sla=breached".into()),
        ("second_review=true", "second_review=true".into()),
        ("product=TERM", "product=TERM".into()),
        ("status=decided&line=annuity", "status=decided&line=annuity".into()),
        ("review=awaiting (inbox)", "review=awaiting".into()),
        ("page 101 (cursor)", deep),
    ];
    for (name, query) in views {
        let mut times = Vec::with_capacity(200);
        for _ in 0..200 {
            let started = Instant::now();
            let response =
                client.get(format!("{base}/api/desk/cases?{query}")).header("cookie", &session.0).send().await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{name}");
            response.bytes().await.unwrap();
            times.push(started.elapsed());
        }
        report(&format!("GET /api/desk/cases {name}"), times);
    }
    let mut times = Vec::with_capacity(200);
    for _ in 0..200 {
        let started = Instant::now();
        let rows = state.store.cases(&CaseFilter { limit: 51, ..CaseFilter::default() }).await.unwrap();
        assert_eq!(rows.len(), 51);
        times.push(started.elapsed());
    }
    report("store.cases (active, 51 rows)", times);
}

async fn decisions(state: &AppState, base: &str, client: &reqwest::Client, session: &(String, String)) {
    let catalogue = premia_core::demo::catalogue();
    let mut numbers = Vec::with_capacity(2 * DECISIONS);
    for i in 0..2 * DECISIONS {
        numbers.push(submit_referred(state, &catalogue, i as u64).await);
    }
    // End to end: the request, the gate, the workflow, the core's repricing, the commit.
    let mut times = Vec::with_capacity(DECISIONS);
    for number in &numbers[..DECISIONS] {
        let started = Instant::now();
        let response = client
            .post(format!("{base}/api/desk/cases/{number}/decisions"))
            .header("cookie", &session.0)
            .header("x-csrf-token", &session.1)
            .json(&json!({ "verdict": { "kind": "accept_with_terms", "loading": "0.50" } }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        response.bytes().await.unwrap();
        times.push(started.elapsed());
    }
    report("POST …/decisions (end to end, final acceptance)", times);
    // The commit alone: one compare-and-set transaction with its rows and audit entry.
    let staff = state.store.staff_login("bench").await.unwrap().unwrap().0.id;
    let mut times = Vec::with_capacity(DECISIONS);
    for (i, number) in numbers[DECISIONS..].iter().enumerate() {
        let id = format!("bench-{i}");
        let change = CaseChange {
            application: number.clone(),
            version: 0,
            status: "decided".into(),
            pending: Slot::Keep,
            counter: Slot::Keep,
            requested: Slot::Clear,
            decision: Some(NewDecision {
                id: id.clone(),
                staff_id: staff.clone(),
                role: "senior_underwriter".into(),
                kind: "decline".into(),
                verdict_json: r#"{"kind":"decline","reason":"HEALTH"}"#.into(),
                note: String::new(),
                quote_json: None,
            }),
            review: None,
            final_decision: Some(NewFinal {
                decision_id: id,
                decided_by: staff.clone(),
                finalised_by: staff.clone(),
                outcome: "declined".into(),
                quote_json: None,
                token: None,
                dashboard: None,
            }),
            idempotency: None,
            response_json: "{}".into(),
            audit: vec![premia_store::NewAuditEvent::new("case.decided", "{}").application(number.as_str())],
        };
        let started = Instant::now();
        assert_eq!(state.store.apply_case_change(&change).await.unwrap(), Applied::Done);
        times.push(started.elapsed());
    }
    report("store.apply_case_change (decision commit)", times);
}

/// A referred (overweight, one underwriter) application stored as the server stores one.
async fn submit_referred(state: &AppState, catalogue: &premia_core::Catalogue, i: u64) -> String {
    let request: premia_core::QuoteRequest = serde_json::from_value(json!({
        "quote_date": chrono::Utc::now().date_naive(),
        "insured": { "birth_date": "1990-01-01", "sex": "female", "smoker": false, "occupation_class": 1,
                     "social_insurance": true, "height_cm": "170", "weight_kg": "88", "annual_income": "400000",
                     "health_answers": { "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false },
                                         "DIABETES": { "yes": false }, "HOSPITAL": { "yes": false }, "THYROID": { "yes": false } } },
        "coverages": [{ "product": "CI", "sum_assured": format!("{}", 100_000 + 10_000 * (i % 40)), "coverage_term": "lifelong", "payment_term": "years:20", "frequency": "annual" }],
        "channel": { "kind": "direct" }
    }))
    .unwrap();
    let quote = premia_core::quote(catalogue, &request).unwrap();
    let number = format!("PD{i:09}");
    let application = premia_store::NewApplication {
        status: "referred".into(),
        resident_id_hash: None,
        token: String::new(),
        case: Some(premia_store::NewCase {
            product: "CI".into(),
            line: "critical_illness".into(),
            needs_second_review: false,
            blacklist_referral: false,
        }),
        // As the server stores one: with the dashboard's facts (the rollups are written with it).
        ..premia_test_support::store::of_quote(&number, &quote)
    };
    state.store.submit(application).await.unwrap();
    number
}

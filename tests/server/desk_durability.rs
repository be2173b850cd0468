//! Durability of decisions: kill -9 the server binary during a burst of decisions; after a restart every
//! decision that was answered is stored, exactly once, and retrying every request with its
//! Idempotency-Key gives each case exactly one decision. On SQLite and, when available, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use premia_store::Store;
use serde_json::{Value, json};
use support::process::{self, free_port, server_today};
use support::{db, quotes};
use tokio::process::Child;

async fn start(data: &std::path::Path, url: &str, port: u16) -> Child {
    // One test client submitting and deciding as fast as it can: no per-client limit here.
    process::start(env!("CARGO_BIN_EXE_premia-server"), data, url, port, |c| {
        c.args(["--submit-rate", "0"]);
    })
    .await
}

/// Referred applications (BMI 30.4: one underwriter decides), submitted to the running server.
async fn submit_referred(base: &str, n: u64) -> Vec<String> {
    let client = reqwest::Client::new();
    let catalogue = premia_core::demo::catalogue();
    let mut numbers = Vec::new();
    for day in 0..n {
        let (mut request, id) = quotes::applicant_on(server_today(), 2000 + day, &[]);
        request.insured.weight_kg = Some("88".parse().unwrap());
        // Direct sales: an agent's application would need that agent's token (the API tests have those).
        request.channel = premia_core::Channel::Direct;
        let quote = premia_core::quote(&catalogue, &request).unwrap();
        let response = client
            .post(format!("{base}/api/quotes"))
            .header("content-type", "application/json")
            .body(quotes::envelope(&quote, &id))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let created: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{created}");
        numbers.push(created["application"].as_str().unwrap().to_owned());
    }
    numbers
}

async fn login(base: &str, password: &str) -> (String, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/staff/login"))
        .json(&json!({ "username": "burst", "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me: Value = response.json().await.unwrap();
    (cookie, me["csrf"].as_str().unwrap().to_owned())
}

async fn decide(
    client: &reqwest::Client,
    base: &str,
    session: &(String, String),
    number: &str,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{base}/api/desk/cases/{number}/decisions"))
        .header("content-type", "application/json")
        .header("cookie", &session.0)
        .header("x-csrf-token", &session.1)
        .header("idempotency-key", format!("decide-{number}"))
        .body(json!({ "verdict": { "kind": "accept" } }).to_string())
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answered_decisions_survive_kill_9_exactly_once() {
    let data = tempfile::tempdir().unwrap();
    let mut databases = vec![("sqlite", format!("sqlite:{}", data.path().join("premia.db").display()), None)];
    if let Some(pg) = db::postgres().await {
        databases.push(("postgres", pg.url.clone(), Some(pg)));
    }
    for (label, url, _pg) in databases {
        let port = free_port();
        let mut server = start(data.path(), &url, port).await;
        let base = format!("http://127.0.0.1:{port}");
        let store = Store::open(&url).await.unwrap();
        let password = "burst-correct-horse";
        let hash = premia_server::staff::password::hash(password).unwrap();
        store.staff_add("burst", "burst", "underwriter", &hash, "test").await.unwrap();
        let numbers = submit_referred(&base, 400).await;
        let session = login(&base, password).await;

        // number → decision id, for every answered decision.
        let answered = Arc::new(Mutex::new(BTreeMap::<String, String>::new()));
        let clients: Vec<_> = (0..8)
            .map(|c| {
                let (base, session, answered) = (base.clone(), session.clone(), Arc::clone(&answered));
                let mine: Vec<String> = numbers.iter().skip(c).step_by(8).cloned().collect();
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    for number in mine {
                        let Ok(response) = decide(&client, &base, &session, &number).await else { return };
                        if response.status().as_u16() != 200 {
                            return;
                        }
                        let Ok(outcome) = response.json::<Value>().await else { return };
                        answered.lock().unwrap().insert(number, outcome["decision"].as_str().unwrap().to_owned());
                    }
                })
            })
            .collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while answered.lock().unwrap().len() < 80 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.start_kill().expect("kill -9");
        server.wait().await.unwrap();
        for client in clients {
            client.await.unwrap();
        }
        let answered = answered.lock().unwrap().clone();
        assert!(answered.len() >= 80, "{label}: only {} answered before the kill", answered.len());
        assert!(answered.len() < numbers.len(), "{label}: the kill came after every decision");

        // Every answered decision is stored and final, once.
        let port = free_port();
        let mut server = start(data.path(), &url, port).await;
        let base = format!("http://127.0.0.1:{port}");
        for (number, decision) in &answered {
            let case = store.case(number).await.unwrap().unwrap();
            assert_eq!(case.final_decision.as_deref(), Some(decision.as_str()), "{label}: {number}");
            assert_eq!(store.case_row_counts(number).await.unwrap(), (1, 0, 1), "{label}: {number}");
        }
        // Retrying every request (the session survived the restart): answered ones replay their
        // answer, the others are decided now; every case ends with one decision.
        let client = reqwest::Client::new();
        for number in &numbers {
            let response = decide(&client, &base, &session, number).await.unwrap();
            assert_eq!(response.status().as_u16(), 200, "{label}: retry of {number}");
            let outcome: Value = response.json().await.unwrap();
            if let Some(decision) = answered.get(number) {
                assert_eq!(outcome["decision"].as_str(), Some(decision.as_str()), "{label}: {number} replayed");
            }
            assert_eq!(store.case_row_counts(number).await.unwrap(), (1, 0, 1), "{label}: {number}");
        }
        server.start_kill().unwrap();
        server.wait().await.unwrap();
    }
}

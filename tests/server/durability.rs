//! Durability: kill -9 the server binary while clients submit; after a restart every application that
//! got a 201 is there, and retrying the ones in flight (same Idempotency-Key) makes each exactly once.
//! On SQLite and, when available, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use premia_store::Store;
use support::db;
use support::process::{self, free_port, server_today};
use support::quotes;
use tokio::process::Child;

async fn start(data: &std::path::Path, url: &str, port: u16) -> Child {
    // Eight clients on one address, as fast as they can: no per-client limit here.
    process::start(env!("CARGO_BIN_EXE_premia-server"), data, url, port, |c| {
        c.args(["--submit-rate", "0"]);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_applications_survive_kill_9() {
    let mut databases = Vec::new();
    let data = tempfile::tempdir().unwrap();
    databases.push(("sqlite", format!("sqlite:{}", data.path().join("premia.db").display()), None));
    if let Some(pg) = db::postgres().await {
        databases.push(("postgres", pg.url.clone(), Some(pg)));
    }
    let catalogue = premia_core::demo::catalogue();
    // Direct-sales quotes that redeem no voucher and are accepted: each submission must succeed on its own
    // merits (agent-channel ones would need their agents' tokens; the API tests have those).
    let corpus: Vec<Vec<u8>> = quotes::applications(&catalogue, 5_000, 99, server_today())
        .iter()
        .filter(|a| a.quote.request.channel == premia_core::Channel::Direct)
        .filter(|a| a.quote.coupons_used.iter().all(|c| !c.single_use))
        .filter(|a| a.quote.decision.outcome != premia_core::underwriting::Outcome::Decline)
        .take(2_000)
        .map(quotes::Application::envelope)
        .collect();

    for (label, url, _pg) in databases {
        let port = free_port();
        let mut server = start(data.path(), &url, port).await;
        let endpoint = format!("http://127.0.0.1:{port}/api/quotes");
        // key → application number, for every 201 received.
        let acknowledged = Arc::new(Mutex::new(BTreeMap::<String, String>::new()));
        let clients: Vec<_> = (0..8)
            .map(|c| {
                let (endpoint, acknowledged) = (endpoint.clone(), Arc::clone(&acknowledged));
                let bodies: Vec<(String, Vec<u8>)> = corpus
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i % 8 == c)
                    .map(|(i, b)| (format!("{label}-key-{i}"), b.clone()))
                    .collect();
                tokio::spawn(async move {
                    let client = reqwest::Client::new();
                    for (key, body) in bodies {
                        let sent = client
                            .post(&endpoint)
                            .header("content-type", "application/json")
                            .header("idempotency-key", &key)
                            .body(body)
                            .send()
                            .await;
                        // The connection dies with the server: that request's outcome is unknown.
                        let Ok(response) = sent else { return };
                        if response.status().as_u16() != 201 {
                            return;
                        }
                        let Ok(created) = response.json::<serde_json::Value>().await else { return };
                        let number = created["application"].as_str().unwrap().to_owned();
                        acknowledged.lock().unwrap().insert(key, number);
                    }
                })
            })
            .collect();

        // Let the clients get going, then kill the server mid-stream: SIGKILL, no shutdown of any kind.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while acknowledged.lock().unwrap().len() < 150 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.start_kill().expect("kill -9");
        server.wait().await.unwrap();
        for client in clients {
            client.await.unwrap();
        }
        let acknowledged = acknowledged.lock().unwrap().clone();
        assert!(acknowledged.len() >= 150, "{label}: only {} acknowledged before the kill", acknowledged.len());
        assert!(acknowledged.len() < corpus.len(), "{label}: the kill came after every submission");

        // After a restart, every acknowledged application is there.
        let port = free_port();
        let mut server = start(data.path(), &url, port).await;
        let store = Store::open(&url).await.unwrap();
        let stored: BTreeSet<String> = store.application_numbers().await.unwrap().into_iter().collect();
        for (key, number) in &acknowledged {
            assert!(stored.contains(number), "{label}: acknowledged {number} ({key}) was lost");
        }

        // Retrying everything with the same keys (as a client would after a timeout) creates nothing twice:
        // acknowledged keys answer with their application; the ones in flight are created once.
        let client = reqwest::Client::new();
        let attempted = corpus.len().min(acknowledged.len() + 64);
        let mut numbers = BTreeSet::new();
        for (i, body) in corpus.iter().enumerate().take(attempted) {
            let key = format!("{label}-key-{i}");
            let response = client
                .post(format!("http://127.0.0.1:{port}/api/quotes"))
                .header("content-type", "application/json")
                .header("idempotency-key", &key)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 201, "{label}: retry of {key}");
            let created: serde_json::Value = response.json().await.unwrap();
            let number = created["application"].as_str().unwrap().to_owned();
            if let Some(before) = acknowledged.get(&key) {
                assert_eq!(&number, before, "{label}: a retry of an acknowledged key made a new application");
            }
            numbers.insert(number);
        }
        assert_eq!(numbers.len(), attempted, "{label}: one application per key");
        let all = store.application_numbers().await.unwrap();
        let unique: BTreeSet<_> = all.iter().collect();
        assert_eq!(unique.len(), all.len());
        assert!(all.len() >= attempted, "{label}");
        server.start_kill().unwrap();
        server.wait().await.unwrap();
    }
}

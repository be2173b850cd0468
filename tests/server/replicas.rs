//! Two `premia-server` processes on one PostgreSQL, as behind a load balancer: a voucher raced across
//! both is redeemed once, a retry sent to the other replica answers with the same application, a token
//! signed by one verifies with the other's `/api/keys`, and a replica given another server secret refuses
//! to start. Runs when the test command started a PostgreSQL (scripts/server-test.sh).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use support::quotes;
use tokio::process::{Child, Command};

/// Today as the replicas see it (their clock, at the default +08:00).
fn server_today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap()).date_naive()
}

struct Replica {
    base: String,
    _child: Child,
}

fn command(data: &Path, url: &str, secret: &Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_premia-server"));
    command
        .args(["--bind", &format!("127.0.0.1:{port}"), "--database-url", url, "--allow-demo", "--submit-rate", "0"])
        .arg("--data-dir")
        .arg(data)
        .arg("--server-secret")
        .arg(secret)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true);
    command
}

async fn start(data: &Path, url: &str, secret: &Path) -> Replica {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = command(data, url, secret, port).stderr(Stdio::inherit()).spawn().unwrap();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..300 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok_and(|r| r.status().is_success()) {
            return Replica { base, _child: child };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("replica did not become healthy");
}

async fn post(client: &reqwest::Client, base: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = client.post(format!("{base}/api/quotes")).header("content-type", "application/json").body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_one_postgresql() {
    let Some(db) = support::db::postgres().await else { return };
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let secret = a_dir.path().join("server-secret.key");
    // Replica A generates the secret; B is given the same file (and has a signing key of its own).
    let a = start(a_dir.path(), &db.url, &secret).await;
    let b = start(b_dir.path(), &db.url, &secret).await;
    let store = premia_store::Store::open(&db.url).await.unwrap();
    let token = format!("Bearer {}", store.issue_agent_token("A1001", "crm").await.unwrap().token);
    let auth = [("authorization", token.as_str())];
    let client = reqwest::Client::new();
    let catalogue = premia_core::demo::catalogue();
    let today = server_today();

    // A voucher raced across both replicas: redeemed once.
    let voucher = quotes::voucher("V200", "V200-REPLICAS-1");
    let tasks: Vec<_> = (0..32_u64)
        .map(|i| {
            let (request, id) = quotes::applicant_on(today, 900 + i * 37, std::slice::from_ref(&voucher));
            let body = quotes::envelope(&premia_core::quote(&catalogue, &request).unwrap(), &id);
            let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
            let (client, token) = (client.clone(), token.clone());
            tokio::spawn(async move { post(&client, &base, body, &[("authorization", &token)]).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        let (status, answer) = task.await.unwrap();
        assert!(
            status == 201 || (status == 409 && answer["errors"][0]["code"] == "coupon.redeemed"),
            "{status}: {answer}"
        );
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "exactly one redemption across the replicas");

    // A retry sent to the other replica answers with the same application.
    let (request, id) = quotes::applicant_on(today, 5_000, &[]);
    let body = quotes::envelope(&premia_core::quote(&catalogue, &request).unwrap(), &id);
    let key = [auth[0], ("idempotency-key", "replica-retry-1")];
    let (status, first) = post(&client, &a.base, body.clone(), &key).await;
    assert_eq!(status, 201, "{first}");
    let (status, again) = post(&client, &b.base, body, &key).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["application"], first["application"]);
    assert_eq!(again["token"], first["token"]);

    // Each replica signs with its own key; either one's /api/keys verifies both.
    let (request, id) = quotes::applicant_on(today, 5_001, &[]);
    let body = quotes::envelope(&premia_core::quote(&catalogue, &request).unwrap(), &id);
    let (status, from_b) = post(&client, &b.base, body, &auth).await;
    assert_eq!(status, 201, "{from_b}");
    for base in [&a.base, &b.base] {
        let jwks: Value = reqwest::get(format!("{base}/api/keys")).await.unwrap().json().await.unwrap();
        for token in [&first["token"], &from_b["token"]] {
            premia_server::signing::verify_token(token.as_str().unwrap(), &jwks).unwrap();
        }
    }

    // A third replica with a secret of its own would key people differently: it refuses to start.
    let c_dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let output = command(c_dir.path(), &db.url, &c_dir.path().join("other-secret.key"), port)
        .stderr(Stdio::piped())
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("another server secret"), "{stderr}");
}

//! kill -9 between a payment notification's arrival and its commit: the provider's retry issues the
//! policy exactly once. The server binary (debug build) waits after verifying a notification
//! (`PREMIA_FAILPOINT_NOTICE_DELAY_MS`); the test kills it there, restarts it on the same port, and the
//! simulator's next attempt is applied. On SQLite and, when available, PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::time::Duration;

use premia_pay::Provider;
use premia_paysim::{Identity, SimConfig, Simulator};
use premia_store::Store;
use serde_json::{Value, json};
use support::db;
use support::process::{self, free_port, server_today};
use support::server::send_json;
use tokio::process::Child;

async fn start(data: &std::path::Path, url: &str, port: u16, payments: &std::path::Path, crash_window: bool) -> Child {
    process::start(env!("CARGO_BIN_EXE_premia-server"), data, url, port, |command| {
        command.arg("--payments").arg(payments);
        if crash_window {
            command.env("PREMIA_FAILPOINT_NOTICE_DELAY_MS", "4000");
        }
    })
    .await
}

/// The body of an application for term life, the policyholder insuring himself.
fn application() -> Value {
    let born = server_today() - chrono::Days::new(46 * 365);
    let number = support::purchase::shanghai_id(&born.format("%Y%m%d").to_string(), 11);
    let catalogue = premia_core::demo::catalogue();
    let quote = support::purchase::term_quote(&catalogue, &number, server_today());
    let application = support::purchase::self_application(&catalogue, &quote, &number);
    json!({ "quote": quote, "resident_id": number, "application": application })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_notification_killed_before_its_commit_is_applied_once_on_retry() {
    let data = tempfile::tempdir().unwrap();
    let mut databases = vec![("sqlite", format!("sqlite:{}", data.path().join("premia.db").display()), None)];
    if let Some(pg) = db::postgres().await {
        databases.push(("postgres", pg.url.clone(), Some(pg)));
    }
    for (label, url, _keep) in databases {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let ms = Duration::from_millis;
        let config = SimConfig {
            retry_schedule: vec![ms(0), ms(1000), ms(2000), ms(2000), ms(4000), ms(8000)],
            slow_delay: ms(1000),
            refund_delay: ms(50),
            default_fault: None,
        };
        let sim = Simulator::start_with(Identity::generate(), config, 0).await.unwrap();
        let dir = data.path().join(label);
        let notify = |p: Provider| url::Url::parse(&format!("{base}/api/pay/notify/{}", p.as_str())).unwrap();
        let payments = sim.sim().identity.write_merchant_config(&dir.join("payments"), sim.base(), notify).unwrap();
        let server_data = dir.join("data");
        let mut server = start(&server_data, &url, port, &payments, true).await;
        let http = reqwest::Client::new();

        let answer = send_json(http.post(format!("{base}/api/quotes")).json(&application())).await;
        let token = answer["purchase"]["token"].as_str().unwrap_or_else(|| panic!("{label}: {answer}")).to_owned();
        let payment = json!({ "method": "alipay_qr" });
        let order = send_json(http.post(format!("{base}/api/purchases/{token}/payment")).json(&payment)).await;
        let number = order["order"].as_str().unwrap_or_else(|| panic!("{label}: {order}")).to_owned();
        sim.pay(Provider::Alipay, &number).unwrap();
        // The notification has arrived and is verified; the server waits before committing: kill it.
        tokio::time::sleep(ms(600)).await;
        server.start_kill().unwrap();
        server.wait().await.unwrap();
        let store = Store::open(&url).await.unwrap();
        assert_eq!(store.policy_count().await.unwrap(), 0, "{label}: nothing was committed");
        drop(store);

        let _server = start(&server_data, &url, port, &payments, false).await;
        let mut issued = false;
        for _ in 0..150 {
            let status = send_json(http.get(format!("{base}/api/purchases/{token}"))).await;
            if status["status"] == "issued" {
                issued = true;
                break;
            }
            tokio::time::sleep(ms(100)).await;
        }
        assert!(issued, "{label}: the provider's retry issued the policy");
        let deliveries = sim.deliveries(Provider::Alipay, &number);
        assert!(
            deliveries.iter().any(|d| d.status.is_none()),
            "{label}: the first attempt got no answer: {deliveries:?}"
        );
        assert!(deliveries.iter().any(|d| d.status == Some(200)), "{label}: {deliveries:?}");
        let store = Store::open(&url).await.unwrap();
        assert_eq!(store.policy_count().await.unwrap(), 1, "{label}: exactly once");
        sim.stop().await;
    }
}

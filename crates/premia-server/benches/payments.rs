//! Payment notifications handled by the server, end to end but for the socket: each a genuine,
//! signed notification from the simulators' own encoders (WeChat Pay, Alipay, UnionPay in turn),
//! through `premia_server::purchase::notified` — verify (and decrypt), reconcile with the stored order,
//! compute the policy with the core from the stored quote and details, sign it, commit exactly once on
//! SQLite (WAL, synchronous=FULL) — timed one by one (p50, p99, max), then N at once from 8 tasks
//! (payments per minute). Targets (issue 15): ≤ 10 ms p99; 1,000 payments/min sustained on SQLite.
//!
//! `cargo bench -p premia-server --bench payments` (PAYMENTS=3000 by default).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use premia_pay::{Fen, Provider};
use premia_paysim::notify::{Message, NoticeKind};
use premia_paysim::{Order, OrderState, Sim};
use premia_server::purchase::{KeyedParties, StoredDetails};
use premia_store::{NewOrder, NewPurchase};
use premia_test_support::purchase as support;
use url::Url;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

/// A genuine quote and checked details (term life, the policyholder insuring himself).
fn quote_and_details() -> (premia_core::Quote, StoredDetails, rust_decimal::Decimal) {
    let catalogue = premia_core::demo::catalogue();
    let number = support::shanghai_id("19800101", 11);
    let quote = support::term_quote(&catalogue, &number, today());
    let form = support::self_application(&catalogue, &quote, &number);
    let form = premia_core::purchase::form::from_json_str(&form.to_string()).unwrap();
    let checked = premia_core::purchase::check(&catalogue, &quote, &form, today()).unwrap();
    let first = premia_core::purchase::schedule(&catalogue, &quote, today()).unwrap().payments[0].amount;
    let keyed = KeyedParties { policyholder: "k".repeat(64), insured: None, beneficiaries: Vec::new() };
    (quote, StoredDetails { application: checked.application, keyed }, first)
}

fn sim_order(sim: &Sim, provider: Provider, number: &str, amount: Fen) -> Order {
    Order {
        trade_no: format!("T{number}"),
        description: "Premia 首期保费".to_owned(),
        notify_url: "http://127.0.0.1:9/notify".to_owned(),
        product: "NATIVE".to_owned(),
        txn_time: sim.now().format("%Y%m%d%H%M%S").to_string(),
        state: OrderState::Paid,
        paid_at: Some(sim.now()),
        ..Order::created(provider, number.to_owned(), amount, sim.now(), sim.now() + chrono::Duration::minutes(30))
    }
}

fn headers(message: &Message) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in &message.headers {
        headers.insert(*name, value.parse().unwrap());
    }
    headers
}

/// `n` applications awaiting payment, each with its order, and each order's genuine notification.
async fn prepare(state: &premia_server::AppState, sim: &Sim, n: usize, tag: &str) -> Vec<(Provider, Message)> {
    let (quote, details, first) = quote_and_details();
    let fen = Fen::from_yuan(first).unwrap();
    let mut messages = Vec::with_capacity(n);
    for i in 0..n {
        let number = format!("PA20261125-{tag}{i:08}");
        state.store.submit(premia_test_support::store::of_quote(&number, &quote)).await.unwrap();
        let purchase = NewPurchase {
            application_number: number.clone(),
            application_json: serde_json::to_string(&details).unwrap(),
            received_at: 0,
            first_premium_fen: i64::try_from(fen.get()).unwrap(),
            currency: "CNY".into(),
        };
        state.store.record_purchase(&purchase).await.unwrap();
        let provider = Provider::ALL[i % 3];
        let out_trade_no = format!("PRM{tag}{i:010}");
        let now = premia_store::now_millis();
        let order = NewOrder {
            out_trade_no: out_trade_no.clone(),
            application_number: number,
            provider: provider.as_str().into(),
            amount_fen: purchase.first_premium_fen,
            currency: "CNY".into(),
            placed_at: now,
            expires_at: now + 1_800_000,
            action_json: "{}".into(),
        };
        state.store.open_order(&order, now).await.unwrap();
        let order = sim_order(sim, provider, &out_trade_no, fen);
        let message = match provider {
            Provider::Wechat => premia_paysim::wechat::notification(sim, &order, &NoticeKind::Paid, false),
            Provider::Alipay => premia_paysim::alipay::notification(sim, &order, &NoticeKind::Paid, false),
            Provider::UnionPay => premia_paysim::unionpay::notification(sim, &order, &NoticeKind::Paid, false),
        };
        messages.push((provider, message.unwrap()));
    }
    messages
}

fn percentiles(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: usize| samples[(samples.len() * q / 1000).min(samples.len() - 1)];
    println!(
        "{label:28} n={:5}  p50 {:>9.2?}  p99 {:>9.2?}  max {:>9.2?}",
        samples.len(),
        at(500),
        at(990),
        samples[samples.len() - 1]
    );
}

fn main() {
    let n: usize = std::env::var("PAYMENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(3000);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let base = Url::parse("http://127.0.0.1:9/").unwrap();
        let sim = Sim::unserved(base.clone());
        let payments = sim
            .identity
            .write_merchant_config(&dir.path().join("payments"), &base, |p| base.join(p.as_str()).unwrap())
            .unwrap();
        let mut config = premia_server::Config::for_data_dir(dir.path().join("data"));
        config.allow_demo = true;
        config.payments = Some(payments);
        let state = premia_server::state(config, Arc::new(today)).await.unwrap();

        // One at a time: the latency of a notification.
        let messages = prepare(&state, &sim, n, "A").await;
        let mut samples = Vec::with_capacity(n);
        for (provider, message) in &messages {
            let headers = headers(message);
            let start = Instant::now();
            let ack = premia_server::purchase::notified(&state, *provider, &headers, &message.body).await;
            samples.push(start.elapsed());
            assert!(ack.status < 300, "acknowledged");
        }
        percentiles("one notification (SQLite)", samples);

        // Duplicates: the same notifications again change nothing.
        let mut samples = Vec::with_capacity(n);
        for (provider, message) in &messages {
            let headers = headers(message);
            let start = Instant::now();
            premia_server::purchase::notified(&state, *provider, &headers, &message.body).await;
            samples.push(start.elapsed());
        }
        percentiles("a duplicate (SQLite)", samples);
        assert_eq!(state.store.policy_count().await.unwrap(), i64::try_from(n).unwrap());

        // Sustained: 8 concurrent senders.
        let messages = Arc::new(prepare(&state, &sim, n, "B").await);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for worker in 0..8 {
            let (state, messages) = (state.clone(), Arc::clone(&messages));
            tasks.push(tokio::spawn(async move {
                for (provider, message) in messages.iter().skip(worker).step_by(8) {
                    premia_server::purchase::notified(&state, *provider, &headers(message), &message.body).await;
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let spent = start.elapsed();
        #[allow(clippy::cast_precision_loss, clippy::float_arithmetic)]
        let per_minute = n as f64 / spent.as_secs_f64() * 60.0;
        println!("{:28} n={n:5}  {spent:>9.2?}  {per_minute:.0} payments/min", "8 senders (SQLite)");
        assert_eq!(state.store.policy_count().await.unwrap(), i64::try_from(2 * n).unwrap());
    });
}

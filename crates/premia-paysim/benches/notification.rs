//! Handling one asynchronous notification at the merchant: what the server will do for each one
//! before touching its store — WeChat Pay: check the platform signature over
//! `timestamp\nnonce\nbody\n` and decrypt the AEAD_AES_256_GCM resource; Alipay: check the RSA2
//! signature over the sorted form; UnionPay: check the signing certificate's chain to the
//! configured root and the signature over the SHA-256 of the sorted form. Target (issue 15): a
//! notification handled in ≤ 10 ms p99.
//!
//! `cargo bench -p premia-paysim --bench notification` (criterion means, then a latency pass of
//! 5,000 verifications per provider printing p50, p99 and max).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, missing_docs)]

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use premia_pay::{Fen, Payments, Provider};
use premia_paysim::notify::{Message, NoticeKind};
use premia_paysim::{Order, OrderState, Sim};
use url::Url;

fn order(sim: &Sim, provider: Provider) -> Order {
    let (now, amount) = (sim.now(), Fen::new(128_850).unwrap());
    Order {
        trade_no: "420000123456789012345678901".to_owned(),
        description: "Premia 首期保费".to_owned(),
        product: "NATIVE".to_owned(),
        notify_url: "http://127.0.0.1:9/notify".to_owned(),
        txn_time: now.format("%Y%m%d%H%M%S").to_string(),
        state: OrderState::Paid,
        paid_at: Some(now),
        ..Order::created(provider, "PRM20261203000001".to_owned(), amount, now, now + chrono::Duration::minutes(30))
    }
}

fn setup() -> (Payments, Vec<(Provider, Message)>) {
    let base = Url::parse("http://127.0.0.1:9/").unwrap();
    let sim = Sim::unserved(base.clone());
    let payments =
        Payments::new(sim.identity.merchant_config(&base, |p| base.join(p.as_str()).unwrap(), Duration::from_secs(5)))
            .unwrap();
    let messages = Provider::ALL
        .into_iter()
        .map(|provider| {
            let order = order(&sim, provider);
            let message = match provider {
                Provider::Wechat => premia_paysim::wechat::notification(&sim, &order, &NoticeKind::Paid, false),
                Provider::Alipay => premia_paysim::alipay::notification(&sim, &order, &NoticeKind::Paid, false),
                Provider::UnionPay => premia_paysim::unionpay::notification(&sim, &order, &NoticeKind::Paid, false),
            };
            (provider, message.unwrap())
        })
        .collect();
    (payments, messages)
}

fn headers(message: &Message) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    for (name, value) in &message.headers {
        headers.insert(*name, value.parse().unwrap());
    }
    headers
}

fn bench(c: &mut Criterion) {
    let (payments, messages) = setup();
    for (provider, message) in &messages {
        let gateway = payments.gateway(*provider).unwrap();
        let headers = headers(message);
        assert!(gateway.verify_notification(&headers, &message.body).is_ok());
        c.bench_function(&format!("notification/{}", provider.as_str()), |b| {
            b.iter(|| gateway.verify_notification(&headers, &message.body).unwrap());
        });
    }
    if std::env::args().any(|a| a == "--bench") {
        latency(&payments, &messages);
    }
}

/// The distribution criterion does not print: each of 5,000 verifications timed alone.
fn latency(payments: &Payments, messages: &[(Provider, Message)]) {
    println!("\nlatency of one notification (5000 each): provider, p50, p99, max");
    for (provider, message) in messages {
        let gateway = payments.gateway(*provider).unwrap();
        let headers = headers(message);
        let mut samples: Vec<Duration> = (0..5000)
            .map(|_| {
                let start = Instant::now();
                let notice = gateway.verify_notification(&headers, &message.body);
                let spent = start.elapsed();
                assert!(notice.is_ok());
                spent
            })
            .collect();
        samples.sort();
        let at = |q: usize| samples[(samples.len() * q / 1000).min(samples.len() - 1)];
        println!("{:9} {:>10.1?} {:>10.1?} {:>10.1?}", provider.as_str(), at(500), at(990), samples[samples.len() - 1]);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Time every query the dashboard makes, on a store seeded by `premia-server demo seed` (see
//! scripts/dashboard-bench.sh): each store query alone, for every grain, without and with each filter,
//! and the whole `GET /api/dashboard` reading (all of them, as the server runs them). Prints one line per
//! query: runs, median, p95 and max in milliseconds.
//!
//!   PREMIA_DATA_DIR=SEED_DATA_DIR cargo run --release -p premia-server --example dashboard_queries -- DATABASE_URL TODAY [RUNS]
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic)] // timings, not money

use std::time::Instant;

use chrono::NaiveDate;
use premia_dashboard::api::Query;
use premia_dashboard::build::{days_of, trend_span};
use premia_dashboard::period::{Comparison, Grain};
use premia_store::{Dim, FactFilter};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args.first().expect("usage: dashboard_queries DATABASE_URL TODAY [RUNS]");
    let today: NaiveDate = args.get(1).expect("TODAY").parse().expect("TODAY as YYYY-MM-DD");
    let runs: usize = args.get(2).map_or(20, |r| r.parse().expect("RUNS"));
    // The seed's data folder (PREMIA_DATA_DIR): the store was keyed with the server secret made there.
    let data_dir = std::env::var_os("PREMIA_DATA_DIR")
        .map_or_else(|| std::env::temp_dir().join("premia-dashboard-queries"), std::path::PathBuf::from);
    let mut config = premia_server::Config::for_data_dir(data_dir);
    config.database_url = Some(url.clone());
    config.allow_demo = true;
    let clock: premia_server::Clock = std::sync::Arc::new(move || today);
    let state = premia_server::state(config, clock).await.unwrap();
    let store = state.store.clone();
    println!("applications: {}", store.application_count().await.unwrap());
    println!("{:<58} {:>5} {:>9} {:>9} {:>9}", "query", "runs", "p50 ms", "p95 ms", "max ms");
    let filters = [
        ("", FactFilter::default()),
        (" channel=agent", FactFilter { channel: Some("agent".into()), ..FactFilter::default() }),
        (" product=CI", FactFilter { product: Some("CI".into()), ..FactFilter::default() }),
        (" region=310000", FactFilter { province: Some("310000".into()), ..FactFilter::default() }),
    ];
    let mut worst = 0.0_f64;
    for grain in Grain::ALL {
        let query = Query { grain, ..Query::default() };
        let period = query.period_on(today);
        let c = Comparison::of(period, today);
        let current = days_of(c.current);
        for (label, filter) in &filters {
            let name = |what: &str| format!("{} {what}{label}", grain.name());
            let store = &store;
            worst = worst.max(
                time(&name("premium by channel·product·line·province·kind"), runs, || async move {
                    store
                        .premium_rows(
                            current,
                            filter,
                            &[Dim::Channel, Dim::Product, Dim::Line, Dim::Province, Dim::Kind],
                        )
                        .await
                        .unwrap();
                })
                .await,
            );
            worst = worst.max(
                time(&name("premium by channel·line·kind (previous)"), runs, || async move {
                    store
                        .premium_rows(days_of(c.previous), filter, &[Dim::Channel, Dim::Line, Dim::Kind])
                        .await
                        .unwrap();
                })
                .await,
            );
            worst = worst.max(
                time(&name("trend by day·kind"), runs, || async move {
                    store.premium_rows(days_of(trend_span(period)), filter, &[Dim::Day, Dim::Kind]).await.unwrap();
                })
                .await,
            );
            worst = worst.max(
                time(&name("agents ranked"), runs, || async move {
                    store.agent_rows(current, filter).await.unwrap();
                })
                .await,
            );
            worst = worst.max(
                time(&name("coupons by rule"), runs, || async move {
                    store.coupon_rows(current, filter).await.unwrap();
                })
                .await,
            );
            worst = worst.max(
                time(&name("applications (straight through)"), runs, || async move {
                    store.application_sums(current, filter).await.unwrap();
                })
                .await,
            );
            worst = worst.max(
                time(&name("manual underwriting times"), runs, || async move {
                    store.manual_times(current, filter).await.unwrap();
                })
                .await,
            );
            worst = worst.max(
                time(&name("conversion by day"), runs, || async move {
                    store.conversion_days(current, filter).await.unwrap();
                })
                .await,
            );
        }
        for (label, query) in [
            ("", query.clone()),
            (" channel=agent", Query { channel: Some("agent".into()), ..query.clone() }),
            (" product=CI", Query { product: Some("CI".into()), ..query.clone() }),
            (" region=310000", Query { region: Some("310000".into()), ..query.clone() }),
        ] {
            let state = &state;
            let query = &query;
            time(
                &format!("{} GET /api/dashboard (every query, as served){label}", grain.name()),
                runs,
                || async move {
                    premia_server::dashboard::read::load(state, query).await.unwrap();
                },
            )
            .await;
        }
    }
    println!("slowest single query: {worst:.1} ms");
}

/// Run `f` `runs` times (after one warm-up) and print its timings; the p95 in ms.
async fn time<F, Fut>(name: &str, runs: usize, f: F) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    f().await;
    let mut ms: Vec<f64> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        f().await;
        ms.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: usize| ms[((p * ms.len()).div_ceil(100)).clamp(1, ms.len()) - 1];
    println!("{name:<58} {runs:>5} {:>9.1} {:>9.1} {:>9.1}", at(50), at(95), ms[ms.len() - 1]);
    at(95)
}

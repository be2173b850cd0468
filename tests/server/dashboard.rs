//! The premium dashboard over HTTP, on SQLite and PostgreSQL: every panel's figures against an
//! independent computation from the stored quote JSON (not from the facts table, and not with
//! `premia_dashboard`'s code: the definitions of docs/dashboard.md written again here, over
//! `serde_json::Value`); the routes by role; the exports; a live update within a second of a 201 and
//! of a desk decision; the facts of a store written by the previous release (commit eabe81c).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Datelike, FixedOffset, NaiveDate, TimeZone};
use premia_server::demo::generate::{Applicant, Generator};
use premia_server::{AppState, Config};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use support::db;
use support::desk::Session;
use support::server::{TestServer, json as read_json};
use tokio::net::TcpListener;

const OFFSET: i32 = 8 * 3600;

fn offset() -> FixedOffset {
    FixedOffset::east_opt(OFFSET).unwrap()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn millis(day: NaiveDate, hour: u32) -> i64 {
    offset().from_local_datetime(&day.and_hms_opt(hour, 0, 0).unwrap()).unwrap().timestamp_millis()
}

fn day_of(millis: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(millis).unwrap().with_timezone(&offset()).date_naive()
}

/// A server whose store and date both read one settable clock (unix milliseconds).
struct Virtual {
    server: TestServer,
    now: Arc<AtomicI64>,
}

impl Virtual {
    async fn start(database_url: Option<&str>) -> Virtual {
        Virtual::start_with_secret(database_url, None).await
    }

    /// With the server secret of an earlier start on the same database (the store remembers its
    /// fingerprint and refuses another).
    async fn start_with_secret(database_url: Option<&str>, secret: Option<std::path::PathBuf>) -> Virtual {
        let data = tempfile::tempdir().unwrap();
        let mut config = Config::for_data_dir(data.path().join("data"));
        config.database_url = database_url.map(str::to_owned);
        config.server_secret = secret;
        config.site_dir = data.path().join("site");
        // As `TestServer::start`: the demo catalogue and its published coupon key; the rate limits have
        // their own tests.
        config.allow_demo = true;
        config.limits.verify_rate = 0;
        config.limits.submit_rate = 0;
        config.dashboard.targets = Some(data.path().join("targets.toml"));
        std::fs::write(
            data.path().join("targets.toml"),
            "[[target]]\nfigure = \"regular_share_by_premium\"\ngrain = \"month\"\nvalue = \"0.60\"\n\n\
             [[target]]\nfigure = \"new_business_premium\"\ngrain = \"month\"\nperiod = \"2026-11\"\nvalue = \"5000000\"\n",
        )
        .unwrap();
        let now = Arc::new(AtomicI64::new(millis(date("2026-11-25"), 9)));
        let read = Arc::clone(&now);
        let store_clock = premia_store::StoreClock::new(move || read.load(Ordering::SeqCst));
        let read = Arc::clone(&now);
        let clock: premia_server::Clock = Arc::new(move || day_of(read.load(Ordering::SeqCst)));
        let state = premia_server::state_with_store_clock(config, clock, store_clock).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = premia_server::routes::router(state.clone());
        let limits = state.config.limits.clone();
        tokio::spawn(async move { premia_server::serve_on(listener, app, &limits, std::future::pending()).await });
        let server = TestServer::from_parts(base, state, data);
        Virtual { server, now }
    }

    fn set(&self, day: NaiveDate, hour: u32) {
        self.now.store(millis(day, hour), Ordering::SeqCst);
    }

    fn state(&self) -> &AppState {
        &self.server.state
    }
}

fn coupon_key() -> ed25519_dalek::SigningKey {
    support::quotes::coupon_key()
}

/// Verify (a browser does before applying), then submit: the 201's body.
async fn apply(server: &TestServer, applicant: &Applicant) -> Value {
    let (status, verdict) =
        read_json(server.post("/api/quotes/verify", serde_json::to_vec(&applicant.quote).unwrap(), &[]).await).await;
    assert_eq!((status, verdict["verdict"].as_str()), (200, Some("valid")), "{verdict}");
    let body = support::quotes::envelope(&applicant.quote, &applicant.resident_id);
    let (status, created) = read_json(server.post("/api/quotes", body, &[]).await).await;
    assert_eq!(status, 201, "{created}");
    created
}

/// What the test did, to compare with.
#[derive(Default)]
struct Done {
    verified: BTreeMap<NaiveDate, i64>,
    referred: Vec<String>,
}

/// Business on three days of this month, one of October and one of November last year; some quotes
/// only verified; referred applications decided by the desk later (accept, with a loading, decline,
/// postpone), some left open.
async fn business(v: &Virtual) -> Done {
    let catalogue = premia_core::demo::catalogue();
    let mut generator = Generator::new(11, 8, Some(coupon_key()));
    let mut done = Done::default();
    for (day, n) in [("2025-11-12", 12), ("2026-10-14", 14), ("2026-11-03", 20), ("2026-11-20", 16), ("2026-11-25", 10)]
    {
        let day = date(day);
        v.set(day, 10);
        for i in 0..n {
            let applicant = generator.applicant(&catalogue, day);
            let created = apply(&v.server, &applicant).await;
            *done.verified.entry(day).or_default() += 1;
            if created["status"] == "referred" {
                done.referred.push(created["application"].as_str().unwrap().to_owned());
            }
            if i % 3 == 0 {
                // A quote verified and never applied for.
                let other = generator.applicant(&catalogue, day);
                let (status, _) = read_json(
                    v.server.post("/api/quotes/verify", serde_json::to_vec(&other.quote).unwrap(), &[]).await,
                )
                .await;
                assert_eq!(status, 200);
                *done.verified.entry(day).or_default() += 1;
            }
        }
    }
    // Let the counts of verified quotes reach the store.
    v.state().dashboard.verified.flush(&v.state().store).await;
    done
}

/// Decide the referred cases, each some hours after it came in; the last two stay open.
async fn desk(v: &Virtual, referred: &[String]) {
    let underwriter = support::desk::staff(&v.server, "dash.underwriter", "underwriter").await;
    let senior = support::desk::staff(&v.server, "dash.senior", "senior_underwriter").await;
    for (i, number) in referred.iter().enumerate().take(referred.len().saturating_sub(2)) {
        let case = v.state().store.case(number).await.unwrap().unwrap();
        let submitted = day_of(case.created_at);
        let at =
            millis(submitted + chrono::Days::new(u64::try_from(i % 3).unwrap()), 11 + u32::try_from(i % 7).unwrap());
        v.now.store(at.min(millis(date("2026-11-25"), 17)), Ordering::SeqCst);
        let verdict = match i % 4 {
            0 => json!({ "kind": "accept" }),
            1 => json!({ "kind": "accept_with_terms", "loading": "0.50", "exclusions": [] }),
            2 => json!({ "kind": "decline", "reason": "HEALTH" }),
            _ => json!({ "kind": "postpone", "months": 6, "reason": "HEALTH" }),
        };
        let (status, body) = underwriter
            .post(&v.server, &format!("/api/desk/cases/{number}/decisions"), &json!({ "verdict": verdict }))
            .await;
        assert_eq!(status, 200, "{body}");
        if body["status"] == "provisional" {
            let (status, body) =
                senior.post(&v.server, &format!("/api/desk/cases/{number}/review"), &json!({ "agree": true })).await;
            assert_eq!(status, 200, "{body}");
        }
    }
}

// ---- The independent computation -------------------------------------------------------------

fn dec(value: &Value) -> Decimal {
    value.as_str().unwrap_or("0").parse().unwrap()
}

fn fen(value: &Value) -> i64 {
    i64::try_from(dec(value) * Decimal::ONE_HUNDRED).unwrap()
}

/// One accepted coverage as docs/dashboard.md defines its figures.
#[derive(Debug, Clone)]
struct Policy {
    day: NaiveDate,
    channel: String,
    agent: Option<String>,
    province: String,
    product: String,
    line: String,
    kind: &'static str,
    net: i64,
    discounts: Vec<(String, i64, i64)>,
}

/// An application as stored: its day, channel, province, products, how it was decided.
#[derive(Debug, Clone)]
struct Stored {
    day: NaiveDate,
    channel: String,
    province: String,
    products: BTreeSet<String>,
    automatic: bool,
    manual_millis: Option<(NaiveDate, i64)>,
}

/// Largest remainder, written again: floor each share, the fen left to the largest remainders.
fn shares(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if total == 0 {
        let n = i64::try_from(weights.len()).unwrap();
        return (0..n).map(|i| amount / n + i64::from(i < amount % n)).collect();
    }
    let exact: Vec<(i64, i128)> = weights
        .iter()
        .map(|w| {
            let p = i128::from(amount) * i128::from(*w);
            (i64::try_from(p / total).unwrap(), p % total)
        })
        .collect();
    let mut out: Vec<i64> = exact.iter().map(|e| e.0).collect();
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by(|&a, &b| exact[b].1.cmp(&exact[a].1).then(a.cmp(&b)));
    let left = amount - out.iter().sum::<i64>();
    for &i in order.iter().take(usize::try_from(left).unwrap()) {
        out[i] += 1;
    }
    out
}

fn policies_of(quote: &Value, day: NaiveDate) -> Vec<Policy> {
    let request = &quote["request"];
    let channel = request["channel"]["kind"].as_str().unwrap().to_owned();
    let agent = request["channel"]["agent_code"].as_str().map(str::to_owned);
    let province = request["insured"]["region"].as_str().map_or(String::new(), |r| format!("{}0000", &r[..2]));
    let coverages = quote["coverages"].as_array().unwrap();
    let gross: Vec<i64> = coverages.iter().map(|c| fen(&c["first_year_premium"])).collect();
    let mut discount = vec![0_i64; coverages.len()];
    let mut rules: Vec<Vec<(String, i64, i64)>> = vec![Vec::new(); coverages.len()];
    for d in quote["discounts"].as_array().into_iter().flatten() {
        let products: Vec<&str> = d["products"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        let targets: Vec<usize> =
            (0..coverages.len()).filter(|&i| products.contains(&coverages[i]["product"].as_str().unwrap())).collect();
        let weights: Vec<i64> = targets.iter().map(|&i| gross[i]).collect();
        let kind = d["kind"].as_str().unwrap();
        let code = d["code"].as_str().unwrap();
        let rule = if kind == "voucher" || kind == "referral" {
            quote["coupons_used"].as_array().unwrap().iter().find(|u| u["id"] == code).unwrap()["series"]
                .as_str()
                .unwrap()
                .to_owned()
        } else {
            code.to_owned()
        };
        let first = shares(fen(&d["first_year"]), &weights);
        let total = shares(fen(&d["total"]), &weights);
        for (k, &i) in targets.iter().enumerate() {
            discount[i] += first[k];
            rules[i].push((format!("{kind}/{rule}"), first[k], total[k]));
        }
    }
    coverages
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = if c["coverage_term"] == "years:1" {
                "short_term"
            } else if c["payment_term"] == "single" || c["payment_years"] == 1 {
                "single"
            } else {
                "regular"
            };
            Policy {
                day,
                channel: channel.clone(),
                agent: agent.clone(),
                province: province.clone(),
                product: c["product"].as_str().unwrap().to_owned(),
                line: c["line"].as_str().unwrap().to_owned(),
                kind,
                net: gross[i] - discount[i],
                discounts: rules[i].clone(),
            }
        })
        .collect()
}

/// Every accepted policy and every application, from the stored JSON and the desk's own rows.
async fn recompute(state: &AppState) -> (Vec<Policy>, Vec<Stored>) {
    let store = &state.store;
    let mut policies = Vec::new();
    let mut stored = Vec::new();
    for number in store.application_numbers().await.unwrap() {
        let app = store.application(&number).await.unwrap().unwrap();
        let quote: Value = serde_json::from_str(&app.quote_json).unwrap();
        let submitted = day_of(app.created_at);
        let automatic = app.status == "accepted";
        let mut manual = None;
        if automatic {
            policies.extend(policies_of(&quote, submitted));
        } else if let Some(last) = store.case_final(&number).await.unwrap() {
            let case = store.case(&number).await.unwrap().unwrap();
            let decided = case.decided_at.unwrap();
            manual = Some((day_of(decided), decided - case.created_at));
            if last.outcome == "accepted" {
                let terms: Value = serde_json::from_str(last.quote_json.as_deref().unwrap()).unwrap();
                policies.extend(policies_of(&terms, day_of(decided)));
            }
        }
        let products =
            quote["coverages"].as_array().unwrap().iter().map(|c| c["product"].as_str().unwrap().to_owned()).collect();
        let region = quote["request"]["insured"]["region"].as_str();
        stored.push(Stored {
            day: submitted,
            channel: quote["request"]["channel"]["kind"].as_str().unwrap().to_owned(),
            province: region.map_or(String::new(), |r| format!("{}0000", &r[..2])),
            products,
            automatic,
            manual_millis: manual,
        });
    }
    (policies, stored)
}

/// Filters as the query gives them.
#[derive(Debug, Clone, Default)]
struct Filter {
    channel: Option<&'static str>,
    product: Option<&'static str>,
    region: Option<&'static str>,
}

impl Filter {
    fn query(&self) -> String {
        let mut q = String::new();
        for (k, v) in [("channel", self.channel), ("product", self.product), ("region", self.region)] {
            if let Some(v) = v {
                q.push_str(&format!("&{k}={v}"));
            }
        }
        q
    }

    fn policy(&self, p: &Policy) -> bool {
        self.channel.is_none_or(|c| p.channel == c)
            && self.product.is_none_or(|x| p.product == x)
            && self.region.is_none_or(|r| p.province == if r == "unknown" { "" } else { r })
    }

    fn application(&self, a: &Stored) -> bool {
        self.channel.is_none_or(|c| a.channel == c)
            && self.product.is_none_or(|x| a.products.contains(x))
            && self.region.is_none_or(|r| a.province == if r == "unknown" { "" } else { r })
    }
}

fn money(fen: i64) -> Value {
    json!({ "money": format!("{}", Decimal::new(fen, 2)) })
}

fn share(part: i64, whole: i64) -> Value {
    if whole == 0 {
        return json!(null);
    }
    let d = (Decimal::from(part) / Decimal::from(whole))
        .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    json!({ "share": format!("{d:.4}") })
}

fn nearest_rank(sorted: &[i64], p: usize) -> Value {
    if sorted.is_empty() {
        return json!(null);
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    json!({ "minutes": sorted[rank - 1] / 60_000 })
}

/// The summary's figures over days `from..=to`, as docs/dashboard.md defines them.
fn expected_kpis(
    policies: &[Policy],
    stored: &[Stored],
    done: &Done,
    filter: &Filter,
    from: NaiveDate,
    to: NaiveDate,
) -> BTreeMap<&'static str, Value> {
    let mine: Vec<&Policy> = policies.iter().filter(|p| from <= p.day && p.day <= to && filter.policy(p)).collect();
    let sum = |kind: &str| mine.iter().filter(|p| p.kind == kind).map(|p| p.net).sum::<i64>();
    let count = |kind: &str| i64::try_from(mine.iter().filter(|p| p.kind == kind).count()).unwrap();
    let (regular, single, short) = (sum("regular"), sum("single"), sum("short_term"));
    let total = regular + single + short;
    let ape = (Decimal::new(regular + short, 2) + Decimal::new(single, 2) / Decimal::TEN)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let high: i64 = mine
        .iter()
        .filter(|p| {
            p.kind != "short_term" && ["critical_illness", "long_term_care", "annuity"].contains(&p.line.as_str())
        })
        .map(|p| p.net)
        .sum();
    let direct: i64 = mine.iter().filter(|p| p.channel == "direct").map(|p| p.net).sum();
    let apps: Vec<&Stored> = stored.iter().filter(|a| from <= a.day && a.day <= to && filter.application(a)).collect();
    let automatic = i64::try_from(apps.iter().filter(|a| a.automatic).count()).unwrap();
    let submitted = i64::try_from(apps.len()).unwrap();
    let mut manual: Vec<i64> = stored
        .iter()
        .filter(|a| filter.application(a))
        .filter_map(|a| a.manual_millis)
        .filter(|(d, _)| from <= *d && *d <= to)
        .map(|(_, ms)| ms)
        .collect();
    manual.sort_unstable();
    let verified: i64 = if filter.product.is_some() || filter.region.is_some() || filter.channel.is_some() {
        -1
    } else {
        done.verified.iter().filter(|(d, _)| from <= **d && **d <= to).map(|(_, n)| n).sum()
    };
    let coupons: i64 = mine.iter().flat_map(|p| p.discounts.iter()).map(|d| d.1).sum();
    let mut kpis = BTreeMap::new();
    kpis.insert("new_business_premium", money(total));
    kpis.insert("ape", json!({ "money": format!("{ape:.2}") }));
    kpis.insert("regular_premium", money(regular));
    kpis.insert("single_premium", money(single));
    kpis.insert("short_term_premium", money(short));
    kpis.insert("policies", json!({ "count": mine.len() }));
    kpis.insert("regular_share_by_premium", share(regular, regular + single));
    kpis.insert("regular_share_by_count", share(count("regular"), count("regular") + count("single")));
    kpis.insert("high_value_share", share(high, total));
    kpis.insert("online_share", share(direct, total));
    kpis.insert("straight_through_share", share(automatic, submitted));
    kpis.insert("manual_p50", nearest_rank(&manual, 50));
    kpis.insert("manual_p90", nearest_rank(&manual, 90));
    kpis.insert("coupon_cost", money(coupons));
    if verified >= 0 {
        kpis.insert("conversion", share(submitted, verified));
    }
    kpis
}

fn kpi<'a>(board: &'a Value, id: &str) -> &'a Value {
    &board["kpis"].as_array().unwrap().iter().find(|k| k["id"] == id).unwrap()["value"]
}

fn table<'a>(board: &'a Value, id: &str) -> &'a Value {
    board["tables"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap()
}

/// A table's rows as (code column → value column).
fn column(board: &Value, id: &str, key: &str, value: &str) -> BTreeMap<String, Value> {
    let t = table(board, id);
    let index = |name: &str| t["columns"].as_array().unwrap().iter().position(|c| c["id"] == name).unwrap();
    let (k, v) = (index(key), index(value));
    t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row[k]["text"].as_str().unwrap().to_owned(), row[v].clone()))
        .collect()
}

fn group(policies: &[&Policy], key: impl Fn(&Policy) -> String) -> BTreeMap<String, Value> {
    let mut sums: BTreeMap<String, i64> = BTreeMap::new();
    for p in policies {
        *sums.entry(key(p)).or_default() += p.net;
    }
    sums.into_iter().map(|(k, v)| (k, money(v))).collect()
}

async fn check_panels(v: &Virtual, analyst: &Session, done: &Done, label: &str) {
    let (policies, stored) = recompute(v.state()).await;
    assert!(policies.len() > 40, "{label}: enough business to mean something ({})", policies.len());
    let filters = [
        Filter::default(),
        Filter { channel: Some("agent"), ..Filter::default() },
        Filter { product: Some("CI"), ..Filter::default() },
        Filter { region: Some("310000"), ..Filter::default() },
        Filter { region: Some("unknown"), channel: Some("direct"), ..Filter::default() },
    ];
    for (grain, period, from, to) in [
        ("month", "2026-11", "2026-11-01", "2026-11-25"),
        ("quarter", "2026-Q4", "2026-10-01", "2026-11-25"),
        ("day", "2026-11-03", "2026-11-03", "2026-11-03"),
        ("month", "2025-11", "2025-11-01", "2025-11-30"),
    ] {
        let (from, to) = (date(from), date(to));
        for filter in &filters {
            let path = format!("/api/dashboard?grain={grain}&period={period}{}", filter.query());
            let (status, board) = analyst.get(&v.server, &path).await;
            assert_eq!(status, 200, "{label} {path}: {board}");
            let want = expected_kpis(&policies, &stored, done, filter, from, to);
            for (id, value) in &want {
                assert_eq!(kpi(&board, id), value, "{label} {path}: {id}");
            }
            let mine: Vec<&Policy> =
                policies.iter().filter(|p| from <= p.day && p.day <= to && filter.policy(p)).collect();
            let total: i64 = mine.iter().map(|p| p.net).sum();
            // Every breakdown adds up to the total, and each row is its group's.
            for (id, key) in [("channel", "code"), ("product", "code"), ("line", "code"), ("region", "code")] {
                let rows = column(&board, id, key, "new_business_premium");
                let sum: i64 = rows.values().map(|v| fen(&v["money"])).sum();
                assert_eq!(sum, total, "{label} {path}: {id} adds up");
            }
            let nonzero = |m: BTreeMap<String, Value>| -> BTreeMap<String, Value> {
                m.into_iter().filter(|(_, v)| fen(&v["money"]) != 0).collect()
            };
            assert_eq!(
                nonzero(column(&board, "channel", "code", "new_business_premium")),
                group(&mine, |p| p.channel.clone()),
                "{label} {path}"
            );
            assert_eq!(
                nonzero(column(&board, "product", "code", "new_business_premium")),
                nonzero(group(&mine, |p| p.product.clone())),
                "{label} {path}"
            );
            assert_eq!(
                nonzero(column(&board, "line", "code", "new_business_premium")),
                nonzero(group(&mine, |p| p.line.clone())),
                "{label} {path}"
            );
            let region = |p: &Policy| if p.province.is_empty() { "unknown".to_owned() } else { p.province.clone() };
            assert_eq!(
                nonzero(column(&board, "region", "code", "new_business_premium")),
                nonzero(group(&mine, region)),
                "{label} {path}"
            );
            let agents: Vec<&Policy> = mine.iter().copied().filter(|p| p.agent.is_some()).collect();
            let mut ranked: Vec<(String, Value)> =
                nonzero(group(&agents, |p| p.agent.clone().unwrap())).into_iter().collect();
            ranked.sort_by(|a, b| fen(&b.1["money"]).cmp(&fen(&a.1["money"])).then(a.0.cmp(&b.0)));
            ranked.truncate(20);
            let shown = column(&board, "agents", "agent", "new_business_premium");
            assert_eq!(shown, ranked.into_iter().collect::<BTreeMap<_, _>>(), "{label} {path}: agents");
            let mut cost: BTreeMap<String, i64> = BTreeMap::new();
            for (rule, first, _) in mine.iter().flat_map(|p| p.discounts.iter()) {
                *cost.entry(rule.split_once('/').unwrap().1.to_owned()).or_default() += first;
            }
            let shown = column(&board, "coupons", "rule", "first_year");
            assert_eq!(
                shown,
                cost.into_iter().map(|(k, v)| (k, money(v))).collect::<BTreeMap<_, _>>(),
                "{label} {path}: coupons"
            );
            if filter.channel.is_none() && filter.product.is_none() && filter.region.is_none() {
                let applications = column(&board, "conversion", "day", "applications");
                let verified = column(&board, "conversion", "day", "verified");
                for (day, n) in &done.verified {
                    if from <= *day && *day <= to {
                        let apps = stored.iter().filter(|a| a.day == *day).count();
                        assert_eq!(
                            verified[&day.to_string()],
                            json!({ "count": n }),
                            "{label} {path}: verified on {day}"
                        );
                        assert_eq!(
                            applications[&day.to_string()],
                            json!({ "count": apps }),
                            "{label} {path}: applied on {day}"
                        );
                    }
                }
            }
        }
    }
    // The trend's months against the same computation; November's year-ago column is November 2025 to the 25th.
    let (_, board) = analyst.get(&v.server, "/api/dashboard?grain=month&period=2026-11").await;
    let trend = column(&board, "trend", "period", "new_business_premium");
    for (month, from, to) in [("2026-10", "2026-10-01", "2026-10-31"), ("2026-11", "2026-11-01", "2026-11-25")] {
        let want = expected_kpis(&policies, &stored, done, &Filter::default(), date(from), date(to));
        assert_eq!(&trend[month], &want["new_business_premium"], "{label}: trend {month}");
    }
    let year_ago = column(&board, "trend", "period", "year_ago");
    let want = expected_kpis(&policies, &stored, done, &Filter::default(), date("2025-11-01"), date("2025-11-25"));
    assert_eq!(&year_ago["2026-11"], &want["new_business_premium"], "{label}: 同比");
    // Targets, without filters only.
    let targets: Vec<&Value> = board["kpis"].as_array().unwrap().iter().filter(|k| k["target"].is_object()).collect();
    assert_eq!(targets.len(), 2, "{label}: both targets apply to November 2026");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_panel_equals_an_independent_computation_from_the_stored_quotes() {
    let mut backends = vec![(None, "sqlite", None)];
    if let Some(pg) = db::postgres().await {
        backends.push((Some(pg.url.clone()), "postgres", Some(pg)));
    }
    for (url, label, _pg) in backends {
        let v = Virtual::start(url.as_deref()).await;
        let done = business(&v).await;
        assert!(done.referred.len() >= 4, "{label}: some referred ({})", done.referred.len());
        desk(&v, &done.referred).await;
        v.set(date("2026-11-25"), 18);
        let analyst = support::desk::staff(&v.server, "dash.analyst", "analyst").await;
        check_panels(&v, &analyst, &done, label).await;
    }
}

/// The staff routes of the dashboard: manager and analyst only; nobody without a session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_is_for_managers_and_analysts() {
    let server = TestServer::start(None, |_| {}).await;
    for &(method, path, _) in premia_server::dashboard::ROUTES {
        assert_eq!(method, "get");
        let bare = server.get(&format!("{path}?format=csv&table=channel"), &[]).await;
        assert_eq!(bare.status().as_u16(), 401, "{path} without a session");
        for role in premia_desk::Role::ALL {
            let session = support::desk::staff(&server, &format!("{}.{}", role.name(), path.len()), role.name()).await;
            let response =
                server.get(&format!("{path}?format=csv&table=channel"), &[("cookie", &session.cookie)]).await;
            let allowed = matches!(role, premia_desk::Role::Manager | premia_desk::Role::Analyst);
            let status = response.status().as_u16();
            if allowed {
                assert_eq!(status, 200, "{path} as {role:?}");
                assert!(response.headers()["cache-control"].to_str().unwrap().contains("no-store"), "{path}");
            } else {
                assert_eq!(status, 403, "{path} as {role:?}");
            }
        }
    }
    let manager = support::desk::staff(&server, "boss", "manager").await;
    for (query, field) in [
        ("grain=year", "grain"),
        ("grain=month&period=2026-Q4", "period"),
        ("channel=broker", "channel"),
        ("region=31", "region"),
        ("x=1", "x"),
    ] {
        let (status, body) = manager.get(&server, &format!("/api/dashboard?{query}")).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some(field)), "{query}: {body}");
    }
    let response = server.get("/api/dashboard/export?format=pdf", &[("cookie", &manager.cookie)]).await;
    assert_eq!(response.status().as_u16(), 422);
}

/// Every table shown, as CSV and as a workbook.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_table_exports_as_csv_and_excel() {
    let server = TestServer::start(None, |_| {}).await;
    let catalogue = premia_core::demo::catalogue();
    let mut generator = Generator::new(3, 5, None);
    for _ in 0..6 {
        apply(&server, &generator.applicant(&catalogue, support::quotes::today())).await;
    }
    let manager = support::desk::staff(&server, "exporter", "manager").await;
    let (_, board) = manager.get(&server, "/api/dashboard?grain=month").await;
    for t in board["tables"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let response = server
            .get(
                &format!("/api/dashboard/export?grain=month&format=csv&table={id}&lang=en"),
                &[("cookie", &manager.cookie)],
            )
            .await;
        assert_eq!(response.status().as_u16(), 200, "{id}");
        assert!(
            response.headers()["content-disposition"].to_str().unwrap().contains(&format!("premia-dashboard-{id}-"))
        );
        let text = response.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        let labels: Vec<&str> =
            t["columns"].as_array().unwrap().iter().map(|c| c["label"]["en"].as_str().unwrap()).collect();
        assert_eq!(header, labels, "{id}");
        assert_eq!(reader.records().count(), t["rows"].as_array().unwrap().len(), "{id}: every row");
    }
    let response = server.get("/api/dashboard/export?grain=month&format=xlsx", &[("cookie", &manager.cookie)]).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"));
    let sheets = board["tables"].as_array().unwrap().len();
    let name = format!("xl/worksheets/sheet{sheets}.xml");
    assert!(bytes.windows(name.len()).any(|w| w == name.as_bytes()), "a sheet per table");
}

/// A live stream sees a new application within a second of its 201, and a desk decision.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_follow_a_201_and_a_desk_decision_within_a_second() {
    let mut backends = vec![(None, "sqlite", None)];
    if let Some(pg) = db::postgres().await {
        backends.push((Some(pg.url.clone()), "postgres", Some(pg)));
    }
    for (url, label, _pg) in backends {
        let v = Virtual::start(url.as_deref()).await;
        let server = &v.server;
        let analyst = support::desk::staff(server, "live.analyst", "analyst").await;
        let response = server.get("/api/dashboard/live?grain=month", &[("cookie", &analyst.cookie)]).await;
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let mut stream = Events { response, buffer: String::new() };
        let (name, first) = next_event(&mut stream).await;
        assert_eq!(name, "dashboard", "{label}");
        let before = kpi(&first, "policies")["count"].as_i64().unwrap();
        let catalogue = premia_core::demo::catalogue();
        let one = support::quotes::applications(&catalogue, 1, 99, support::quotes::today()).remove(0);
        let sent = Instant::now();
        let (status, _) = read_json(server.post("/api/quotes", one.envelope(), &[]).await).await;
        assert_eq!(status, 201);
        let (name, update) = next_event(&mut stream).await;
        let took = sent.elapsed();
        assert_eq!(name, "update", "{label}");
        assert!(took < Duration::from_secs(1), "{label}: the update came {took:?} after the 201");
        let policies =
            update["kpis"].as_array().unwrap().iter().find(|k| k["id"] == "policies").unwrap()["value"]["count"]
                .as_i64()
                .unwrap();
        assert_eq!(policies, before + i64::try_from(one.quote.coverages.len()).unwrap(), "{label}");
        // A desk decision: a referred application (one underwriter decides it) accepted.
        let (_, created) = support::desk::submit(server, support::desk::heavy_request(701)).await;
        let referred = created["application"].as_str().unwrap().to_owned();
        let (name, _) = next_event(&mut stream).await;
        assert_eq!(name, "update", "{label}: the referral counts as an application");
        let underwriter = support::desk::staff(server, "live.underwriter", "underwriter").await;
        let decided = Instant::now();
        let (status, body) = underwriter
            .post(server, &format!("/api/desk/cases/{referred}/decisions"), &json!({ "verdict": { "kind": "accept" } }))
            .await;
        assert_eq!(status, 200, "{body}");
        let (name, update) = next_event(&mut stream).await;
        assert!(decided.elapsed() < Duration::from_secs(1), "{label}: {:?} after the decision", decided.elapsed());
        assert_eq!(name, "update");
        assert!(update["kpis"].is_array(), "{label}: the figures moved: {update}");
    }
}

/// A response read as server-sent events.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

/// The next server-sent event: its name and its data as JSON.
async fn next_event(stream: &mut Events) -> (String, Value) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(end) = stream.buffer.find("\n\n") {
            let block = stream.buffer[..end].to_owned();
            stream.buffer.drain(..end + 2);
            let name = block.lines().find_map(|l| l.strip_prefix("event:")).map(|s| s.trim().to_owned());
            let data: String = block.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim_start).collect();
            if let Some(name) = name {
                return (name, serde_json::from_str(&data).unwrap());
            }
            continue;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let chunk = tokio::time::timeout(left, stream.response.chunk())
            .await
            .expect("an event in time")
            .unwrap()
            .expect("the stream open");
        stream.buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

/// A store the previous release wrote (commit eabe81c: migration 0001 only; rows in
/// tests/server/fixtures/release-eabe81c.sql, made by that release's own server) gets its facts when
/// this server starts: every application counted, each figure as the quote JSON says, once — a second
/// start adds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_previous_releases_store_gets_its_facts_at_start() {
    let fixture = include_str!("fixtures/release-eabe81c.sql");
    let rows: Vec<&str> = fixture.lines().filter(|l| l.starts_with("INSERT")).collect();
    let folder = tempfile::tempdir().unwrap();
    let mut backends = vec![(format!("sqlite:{}", folder.path().join("old.db").display()), "sqlite", None)];
    if let Some(pg) = db::postgres().await {
        backends.push((pg.url.clone(), "postgres", Some(pg)));
    }
    let first = tempfile::tempdir().unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../premia-store/migrations/0001_init.sql"),
        first.path().join("0001_init.sql"),
    )
    .unwrap();
    for (url, label, _pg) in backends {
        // The previous release's schema and rows.
        sqlx::any::install_default_drivers();
        let options = if label == "sqlite" { format!("{url}?mode=rwc") } else { url.clone() };
        let pool = sqlx::AnyPool::connect(&options).await.unwrap();
        sqlx::migrate::Migrator::new(first.path()).await.unwrap().run(&pool).await.unwrap();
        for row in &rows {
            sqlx::raw_sql(sqlx::AssertSqlSafe(row.to_string()))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}: {row:.80}"));
        }
        let last: i64 = sqlx::query_scalar::<sqlx::Any, i64>("SELECT MAX(created_at) FROM applications")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;

        // This release starts on it: migrations 0010 … 0020, then the facts.
        let v = Virtual::start(Some(&url)).await;
        let day = day_of(last);
        v.set(day, 23);
        assert!(
            v.state().store.unfacted(None, 10).await.unwrap().is_empty(),
            "{label}: every application has its facts"
        );
        let analyst = support::desk::staff(&v.server, "old.analyst", "analyst").await;
        let (policies, stored) = recompute(v.state()).await;
        assert_eq!(stored.len(), rows.iter().filter(|r| r.starts_with("INSERT INTO applications")).count(), "{label}");
        assert!(stored.iter().any(|a| !a.automatic), "{label}: referred applications too");
        let done = Done::default();
        let period = day.format("%Y-%m").to_string();
        for filter in [
            Filter::default(),
            Filter { channel: Some("agent"), ..Filter::default() },
            Filter { region: Some("unknown"), ..Filter::default() },
        ] {
            let (status, board) =
                analyst.get(&v.server, &format!("/api/dashboard?grain=month&period={period}{}", filter.query())).await;
            assert_eq!(status, 200, "{label}: {board}");
            let from = day.with_day(1).unwrap();
            for (id, value) in expected_kpis(&policies, &stored, &done, &filter, from, day) {
                assert_eq!(kpi(&board, id), &value, "{label} {filter:?}: {id}");
            }
        }
        let (_, before) = analyst.get(&v.server, &format!("/api/dashboard?grain=month&period={period}")).await;
        assert!(kpi(&before, "policies")["count"].as_i64().unwrap() >= 50, "{label}: {}", kpi(&before, "policies"));
        assert!(
            kpi(&before, "coupon_cost")["money"].as_str().unwrap() != "0.00",
            "{label}: the old quotes' discounts are counted"
        );
        let secret = folder.path().join(format!("{label}-server-secret.key"));
        std::fs::copy(v.server.data_dir().join("server-secret.key"), &secret).unwrap();
        drop(v);
        // Started again (the same database, so the same server secret): nothing is counted twice.
        let again = Virtual::start_with_secret(Some(&url), Some(secret)).await;
        again.set(day, 23);
        let analyst = support::desk::staff(&again.server, "old.analyst.2", "analyst").await;
        let (_, after) = analyst.get(&again.server, &format!("/api/dashboard?grain=month&period={period}")).await;
        assert_eq!(after["kpis"], before["kpis"], "{label}: a second start adds nothing");
    }
}

/// `openapi.json` is written by hand: hold the dashboard's documented answers to what the server sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_the_dashboard_as_it_answers() {
    let server = TestServer::start(None, |_| {}).await;
    let (_, openapi) = read_json(server.get("/api/openapi.json", &[]).await).await;
    for (method, path, _) in premia_server::dashboard::ROUTES {
        assert!(openapi["paths"][path][method].is_object(), "{method} {path} documented");
    }
    let analyst = support::desk::staff(&server, "doc.analyst", "analyst").await;
    let (_, board) = analyst.get(&server, "/api/dashboard").await;
    let schemas = &openapi["components"]["schemas"];
    for (schema, answer) in
        [("Dashboard", &board), ("DashboardKpi", &board["kpis"][0]), ("DashboardTable", &board["tables"][0])]
    {
        let documented = schemas[schema]["properties"].as_object().unwrap();
        for key in answer.as_object().unwrap().keys() {
            assert!(documented.contains_key(key), "{schema}.{key} is sent but not documented");
        }
        for key in schemas[schema]["required"].as_array().unwrap() {
            assert!(answer.get(key.as_str().unwrap()).is_some(), "{schema}.{key} is required but not sent");
        }
    }
    let kinds: Vec<&str> =
        schemas["DashboardTableId"]["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let tables: Vec<&str> = premia_dashboard::TableId::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(kinds, tables);
    let figures: Vec<&str> = schemas["DashboardKpi"]["properties"]["id"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(figures, premia_dashboard::FigureId::ALL.iter().map(|f| f.name()).collect::<Vec<_>>());
}

/// `premia-server demo seed` refuses without `--allow-demo`, and otherwise submits through the server's
/// own routes: every application dated the server's today when it was stored, an agent's sale stored
/// with a token of that agent, the insured keyed by the server's secret (scheme `hmac`, no hash in the
/// quote), the referred ones decided at the desk by the seed's signed-in staff; its accounts disabled and
/// its tokens revoked at the end; every application with its facts. On SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_seed_needs_allow_demo_and_goes_through_the_servers_routes() {
    let sqlite = db::sqlite().await;
    let mut backends = vec![sqlite];
    backends.extend(db::postgres().await);
    for backend in &backends {
        let label = backend.label;
        let data = tempfile::tempdir().unwrap();
        let mut server = Config::for_data_dir(data.path().join("data"));
        server.database_url = Some(backend.url.clone());
        let args = |server: Config| premia_server::demo::seed::SeedArgs {
            applications: 80,
            days: 6,
            seed: 7,
            agents: 5,
            concurrency: 8,
            no_decisions: false,
            if_empty: false,
            coupon_key: concat!(env!("CARGO_MANIFEST_DIR"), "/../../catalogue/keys/demo-coupon-signing.key").into(),
            server,
        };
        let refused = premia_server::demo::seed::run(args(server.clone())).await.unwrap_err();
        assert!(refused.to_string().contains("--allow-demo"), "{label}: {refused}");
        server.allow_demo = true;
        let summary = premia_server::demo::seed::run(args(server)).await.unwrap();
        assert_eq!(summary.submitted + summary.refused, 80, "{label}: {summary:?}");
        assert!(summary.submitted >= 60 && summary.referred > 0 && summary.decided > 0, "{label}: {summary:?}");

        let store = premia_store::Store::open(&backend.url).await.unwrap();
        let tokens = store.agent_tokens().await.unwrap();
        assert!(tokens.iter().all(|t| t.revoked_at.is_some()), "{label}: the seed's agent tokens are revoked");
        let staff = store.staff_list().await.unwrap();
        assert!(!staff.is_empty() && staff.iter().all(|s| s.disabled_at.is_some()), "{label}: its staff disabled");
        let numbers = store.application_numbers().await.unwrap();
        assert_eq!(numbers.len() as u64, summary.submitted, "{label}");
        let mut days = BTreeSet::new();
        let mut decided = 0;
        for number in &numbers {
            let app = store.application(number).await.unwrap().unwrap();
            let quote: Value = serde_json::from_str(&app.quote_json).unwrap();
            let stored_on = day_of(app.created_at);
            days.insert(stored_on);
            assert_eq!(quote["request"]["quote_date"], stored_on.to_string(), "{label} {number}: the server's today");
            assert!(quote["request"]["insured"].get("resident_id_hash").is_none(), "{label}: no hash in the quote");
            assert_eq!(app.resident_id_scheme, "hmac", "{label} {number}");
            match (&app.agent_code, &app.agent_token_id) {
                (Some(agent), Some(id)) => {
                    let token = tokens.iter().find(|t| &t.id == id).expect("the token the sale came with");
                    assert_eq!(&token.agent_code, agent, "{label} {number}: the agent's own token");
                }
                (None, None) => assert_eq!(app.channel, "direct", "{label} {number}"),
                other => panic!("{label} {number}: agent and token {other:?}"),
            }
            if let Some(last) = store.case_final(number).await.unwrap() {
                assert!(staff.iter().any(|s| s.id == last.finalised_by), "{label}: decided by the seed's staff");
                decided += 1;
            }
        }
        assert!(days.len() >= 5, "{label}: spread over the days: {days:?}");
        assert_eq!(decided, summary.decided, "{label}");
        assert!(store.unfacted(None, 10).await.unwrap().is_empty(), "{label}: every application has its facts");
    }
}

/// The page keeps its Content-Security-Policy when the browser revalidates it: a `304 Not Modified`
/// carries no policy of its own (a browser copies a 304's headers onto the page it has, and the API's
/// `default-src 'none'` there blocked every script and style of a page reloaded after signing in).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_keeps_its_policy_when_revalidated() {
    let page = tempfile::tempdir().unwrap();
    std::fs::write(page.path().join("index.html"), "<!doctype html><title>dashboard</title>\n").unwrap();
    std::fs::write(page.path().join("dashboard.js"), "export {};\n").unwrap();
    let dir = page.path().to_owned();
    let server = TestServer::start(None, move |c| c.dashboard.dir = dir).await;
    for path in ["/dashboard/", "/dashboard/dashboard.js"] {
        let first = server.get(path, &[]).await;
        assert_eq!(first.status(), 200, "{path}");
        let csp = first.headers()["content-security-policy"].to_str().unwrap().to_owned();
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        if path.ends_with('/') {
            assert!(csp.contains("script-src 'self'"), "{path}: the pages' policy: {csp}");
        }
        let again = server.get(path, &[("if-none-match", etag.as_str())]).await;
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.headers().get("content-security-policy").is_none(), "{path}: no policy on a 304");
        assert_eq!(again.headers()["x-content-type-options"], "nosniff", "{path}");
    }
}

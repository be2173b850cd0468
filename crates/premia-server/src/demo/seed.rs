//! The seed: days, times, applications and desk decisions, driven through the server's router.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, header};
use chrono::{Datelike, NaiveDate, TimeZone, Weekday};
use serde_json::{Value, json};
use tower::ServiceExt;

use super::generate::{Applicant, Generator, Rng};
use crate::config::Config;
use crate::state::AppState;

#[derive(Debug, Clone, clap::Args)]
pub struct SeedArgs {
    /// How many applications to submit.
    #[arg(long, default_value_t = 5000)]
    pub applications: u64,
    /// Over how many days, ending today.
    #[arg(long, default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3660))]
    pub days: u32,
    /// The generator's seed: the same seed, the same business.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How many agents sell (a few much more than the rest).
    #[arg(long, default_value_t = 60)]
    pub agents: usize,
    /// Submissions in flight at once (the store commits them in groups).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Leave every referred application with the desk instead of deciding those due.
    #[arg(long)]
    pub no_decisions: bool,
    /// Only if the store has no application yet (what `./scripts/run.sh` asks: a demo on a fresh store).
    #[arg(long)]
    pub if_empty: bool,
    /// Ed25519 seed (hex) to sign vouchers and referral codes with; without it, only campaign codes.
    #[arg(long, default_value = "catalogue/keys/demo-coupon-signing.key")]
    pub coupon_key: std::path::PathBuf,
    /// The server's settings (database, catalogues, time zone, …). `--allow-demo` is required: the seed
    /// writes made-up applications into the store.
    #[command(flatten)]
    pub server: Config,
}

/// What the seed did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub submitted: u64,
    pub referred: u64,
    pub refused: u64,
    pub verified: u64,
    pub decided: u64,
}

/// A virtual "now" both clocks read.
#[derive(Debug, Clone)]
struct Now(Arc<AtomicI64>);

impl Now {
    fn set(&self, millis: i64) {
        self.0.store(millis, Ordering::SeqCst);
    }
}

pub async fn run(args: SeedArgs) -> anyhow::Result<Summary> {
    if !args.server.allow_demo {
        bail!("demo seed writes made-up applications into the store: pass --allow-demo (never on a production store)");
    }
    let offset = args.server.utc_offset;
    let now = Now(Arc::new(AtomicI64::new(premia_store::now_millis())));
    let read = Arc::clone(&now.0);
    let store_clock = premia_store::StoreClock::new(move || read.load(Ordering::SeqCst));
    let read = Arc::clone(&now.0);
    let clock: crate::Clock = Arc::new(move || {
        chrono::DateTime::from_timestamp_millis(read.load(Ordering::SeqCst))
            .unwrap_or_default()
            .with_timezone(&offset)
            .date_naive()
    });
    // The seed is one client sending thousands of requests to its own in-process router: the per-client
    // rates guard a public address, which the seed does not open. Everything else is the server's.
    let mut config = args.server.clone();
    config.limits.verify_rate = 0;
    config.limits.submit_rate = 0;
    let state = crate::state_with_store_clock(config, clock, store_clock).await?;
    if args.if_empty && state.store.application_count().await? > 0 {
        tracing::info!("demo seed: the store has applications already; nothing seeded (--if-empty)");
        return Ok(Summary::default());
    }
    let coupon_key = read_coupon_key(&args.coupon_key);
    let seeder = Seeder::start(state, &args, now).await?;
    let started = Instant::now();
    let summary = seeder.seed(&args, Generator::new(args.seed, args.agents, coupon_key)).await;
    seeder.finish().await?;
    let summary = summary?;
    let millis = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX).max(1);
    tracing::info!(
        "demo seed: {} applications over {} days ({} referred, {} decided at the desk, {} refused), {} quotes verified, in {} ms ({}/s)",
        summary.submitted,
        args.days,
        summary.referred,
        summary.decided,
        summary.refused,
        summary.verified,
        millis,
        summary.submitted * 1000 / millis,
    );
    Ok(summary)
}

fn read_coupon_key(path: &std::path::Path) -> Option<ed25519_dalek::SigningKey> {
    let hex = std::fs::read_to_string(path).ok()?;
    let bytes = premia_core::coupon::key_bytes(hex.trim())?;
    Some(ed25519_dalek::SigningKey::from_bytes(&bytes))
}

/// A signed-in staff member, as a browser holds it.
#[derive(Debug, Clone)]
struct Session {
    cookie: String,
    csrf: String,
}

/// A referred application waiting for its decision.
#[derive(Debug, Clone)]
struct Pending {
    number: String,
    due: i64,
}

struct Seeder {
    state: AppState,
    router: Router,
    now: Now,
    underwriter: Session,
    senior: Session,
    usernames: [String; 2],
    tokens: BTreeMap<String, String>,
}

impl Seeder {
    async fn start(state: AppState, args: &SeedArgs, now: Now) -> anyhow::Result<Seeder> {
        let router = crate::routes::router(state.clone());
        let suffix = crate::staff::session::random_token().map_err(anyhow::Error::msg)?[..6].to_ascii_lowercase();
        let usernames = [format!("seed-{suffix}.underwriter"), format!("seed-{suffix}.senior")];
        let mut sessions = Vec::new();
        for (username, role) in usernames.iter().zip(["underwriter", "senior_underwriter"]) {
            let password = crate::staff::session::random_token().map_err(anyhow::Error::msg)?;
            let hash = crate::staff::password::hash(&password).map_err(anyhow::Error::msg)?;
            state.store.staff_add(username, "demo seed", role, &hash, "demo seed").await?;
            let (status, body, cookie) =
                call(&router, post("/api/staff/login", &json!({ "username": username, "password": password }))).await;
            if status != 200 {
                bail!("demo seed: signing in as {username}: {status} {body}");
            }
            let csrf = body["csrf"].as_str().unwrap_or_default().to_owned();
            sessions.push(Session { cookie: cookie.unwrap_or_default(), csrf });
        }
        let mut tokens = BTreeMap::new();
        for i in 0..args.agents.max(1) {
            let agent = format!("AG{:04}", 1001 + i);
            let issued = state.store.issue_agent_token(&agent, "demo seed").await?;
            tokens.insert(agent, issued.token);
        }
        let senior = sessions.pop().context("senior session")?;
        let underwriter = sessions.pop().context("underwriter session")?;
        Ok(Seeder { state, router, now, underwriter, senior, usernames, tokens })
    }

    /// Disable the seed's accounts (ending their sessions) and revoke its agents' tokens.
    async fn finish(&self) -> anyhow::Result<()> {
        for username in &self.usernames {
            self.state.store.staff_disable(username, "demo seed").await?;
        }
        for agent in self.tokens.keys() {
            self.state.store.revoke_agent_tokens(agent).await?;
        }
        self.state.dashboard.verified.flush(&self.state.store).await;
        Ok(())
    }

    async fn seed(&self, args: &SeedArgs, mut generator: Generator) -> anyhow::Result<Summary> {
        let offset = self.state.config.utc_offset;
        let real_now = premia_store::now_millis();
        let today =
            chrono::DateTime::from_timestamp_millis(real_now).unwrap_or_default().with_timezone(&offset).date_naive();
        let first = today - chrono::Days::new(u64::from(args.days) - 1);
        let days: Vec<NaiveDate> = first.iter_days().take(args.days as usize).collect();
        let weights: Vec<i64> = days.iter().enumerate().map(|(i, d)| day_weight(*d, i, days.len())).collect();
        let counts = premia_dashboard::facts::allocate(i64::try_from(args.applications).unwrap_or(i64::MAX), &weights);
        let mut summary = Summary::default();
        let mut pending: Vec<Pending> = Vec::new();
        let mut in_flight: Option<(i64, Vec<Submission>)> = None;
        let catalogue_of = |date: NaiveDate| self.state.catalogues.in_force(date).catalogue.clone();
        for (day, count) in days.iter().zip(counts) {
            let catalogue = catalogue_of(*day);
            let opening = millis_at(offset, *day, 8, 0);
            let closing = if *day == today {
                real_now.min(millis_at(offset, *day, 21, 0))
            } else {
                millis_at(offset, *day, 21, 0)
            };
            let count = usize::try_from(count).unwrap_or(0);
            let chunk = args.concurrency.max(1).min(count.div_ceil(24).max(1));
            let chunks = count.div_ceil(chunk).max(1);
            let mut left = count;
            for c in 0..chunks {
                let at = opening
                    + (closing - opening).max(0) * i64::try_from(c).unwrap_or(0) / i64::try_from(chunks).unwrap_or(1);
                let take = chunk.min(left);
                left -= take;
                // Priced while the previous chunk is still being stored (the clock is not moved yet).
                let batch: Vec<Applicant> = (0..take).map(|_| generator.applicant(&catalogue, *day)).collect();
                // Quotes priced and verified but never applied for: conversion is not 100 %.
                let abandoned = (0..take).filter(|_| generator.rng().chance(40)).count();
                let abandoned: Vec<Applicant> = (0..abandoned).map(|_| generator.applicant(&catalogue, *day)).collect();
                if let Some((then, handles)) = in_flight.take() {
                    collect(then, handles, generator.rng(), &mut pending, &mut summary).await;
                }
                if !args.no_decisions {
                    self.decide_due(&mut pending, at, generator.rng(), &mut summary).await;
                }
                self.now.set(at);
                for applicant in &abandoned {
                    if self.verify(applicant).await {
                        summary.verified += 1;
                    }
                }
                let mut handles = Vec::with_capacity(batch.len());
                for applicant in batch {
                    let router = self.router.clone();
                    let token = agent_of(&applicant).and_then(|a| self.tokens.get(&a).cloned());
                    handles.push(tokio::spawn(async move { submit(&router, &applicant, token.as_deref()).await }));
                }
                in_flight = Some((at, handles));
            }
        }
        if let Some((then, handles)) = in_flight.take() {
            collect(then, handles, generator.rng(), &mut pending, &mut summary).await;
        }
        if !args.no_decisions {
            self.decide_due(&mut pending, real_now, generator.rng(), &mut summary).await;
        }
        self.now.set(premia_store::now_millis());
        Ok(summary)
    }

    async fn verify(&self, applicant: &Applicant) -> bool {
        let (status, body, _) = call(
            &self.router,
            post_bytes("/api/quotes/verify", serde_json::to_vec(&applicant.quote).unwrap_or_default(), None),
        )
        .await;
        status == 200 && body["verdict"] == "valid"
    }

    /// Decide the cases due by `until`, a group at a time, each group at the time its last case fell
    /// due (the clock moves with them).
    async fn decide_due(&self, pending: &mut Vec<Pending>, until: i64, rng: &mut Rng, summary: &mut Summary) {
        pending.sort_by_key(|p| std::cmp::Reverse(p.due));
        let mut due = Vec::new();
        while pending.last().is_some_and(|p| p.due <= until) {
            due.extend(pending.pop());
        }
        for group in due.chunks(64) {
            self.now.set(group.iter().map(|p| p.due).max().unwrap_or(until));
            let mut handles = Vec::with_capacity(group.len());
            for case in group {
                let verdict = self.verdict(rng);
                let (router, number) = (self.router.clone(), case.number.clone());
                let underwriter = staff_post(
                    &self.underwriter,
                    &format!("/api/desk/cases/{number}/decisions"),
                    &json!({ "verdict": verdict, "note": "demo seed" }),
                );
                let review = staff_post(
                    &self.senior,
                    &format!("/api/desk/cases/{number}/review"),
                    &json!({ "agree": true, "note": "demo seed" }),
                );
                handles.push(tokio::spawn(async move { decide(&router, &number, underwriter, review).await }));
            }
            for handle in handles {
                if matches!(handle.await, Ok(true)) {
                    summary.decided += 1;
                }
            }
        }
    }

    /// What the underwriter decides: mostly acceptance, a quarter with a loading, some postponed or declined.
    fn verdict(&self, rng: &mut Rng) -> Value {
        let desk = &self.state.catalogues.in_force(self.state.today()).catalogue.desk;
        let reason = desk.reasons.first().map(|r| r.id.clone()).unwrap_or_default();
        match rng.below(100) {
            0..=54 => json!({ "kind": "accept" }),
            55..=79 => {
                let steps = ((desk.loading.max - desk.loading.min) / desk.loading.step).trunc();
                let k = rng.below(u64::try_from(steps).unwrap_or(0).min(3) + 1);
                let loading = desk.loading.min + desk.loading.step * rust_decimal::Decimal::from(k);
                json!({ "kind": "accept_with_terms", "loading": loading.to_string(), "exclusions": [] })
            }
            80..=89 => {
                json!({ "kind": "postpone", "months": desk.postpone_months.first().copied().unwrap_or(6), "reason": reason })
            }
            _ => json!({ "kind": "decline", "reason": reason }),
        }
    }
}

/// A submission in flight: whether its quote verified, and the answer to it.
type Submission = tokio::task::JoinHandle<(bool, u16, Value)>;

/// The answers of a chunk submitted at `at`: counted, and the referred ones given a time to be decided.
async fn collect(at: i64, handles: Vec<Submission>, rng: &mut Rng, pending: &mut Vec<Pending>, summary: &mut Summary) {
    for handle in handles {
        let Ok((verified, status, body)) = handle.await else { continue };
        summary.verified += u64::from(verified);
        match (status, body["status"].as_str()) {
            (201, Some("referred")) => {
                summary.submitted += 1;
                summary.referred += 1;
                let hours = 1 + rng.below(20) + rng.below(30);
                let number = body["application"].as_str().unwrap_or_default().to_owned();
                let due = at
                    + i64::try_from(hours).unwrap_or(1) * 3_600_000
                    + i64::try_from(rng.below(3_600_000)).unwrap_or(0);
                pending.push(Pending { number, due });
            }
            (201, _) => summary.submitted += 1,
            _ => {
                tracing::debug!("demo seed: refused {status}: {body}");
                summary.refused += 1;
            }
        }
    }
}

/// One case: the underwriter's decision; the senior's agreeing review when it needs a second person.
async fn decide(router: &Router, number: &str, decision: Request<Body>, review: Request<Body>) -> bool {
    let (status, body, _) = call(router, decision).await;
    if status != 200 {
        tracing::debug!("demo seed: deciding {number}: {status} {body}");
        return false;
    }
    if body["status"] == "provisional" {
        let (status, body, _) = call(router, review).await;
        if status != 200 {
            tracing::debug!("demo seed: reviewing {number}: {status} {body}");
            return false;
        }
    }
    true
}

fn staff_post(session: &Session, path: &str, body: &Value) -> Request<Body> {
    let mut request = post(path, body);
    let headers = request.headers_mut();
    if let Ok(cookie) = session.cookie.parse() {
        headers.insert(header::COOKIE, cookie);
    }
    if let Ok(csrf) = session.csrf.parse() {
        headers.insert("x-csrf-token", csrf);
    }
    request
}

fn agent_of(applicant: &Applicant) -> Option<String> {
    match &applicant.quote.request.channel {
        premia_core::Channel::Agent { agent_code } => Some(agent_code.clone()),
        premia_core::Channel::Direct => None,
    }
}

/// Verify the quote (as a browser does before applying), then submit it with the number.
async fn submit(router: &Router, applicant: &Applicant, token: Option<&str>) -> (bool, u16, Value) {
    let quote = serde_json::to_vec(&applicant.quote).unwrap_or_default();
    let (status, body, _) = call(router, post_bytes("/api/quotes/verify", quote, None)).await;
    let verified = status == 200 && body["verdict"] == "valid";
    #[derive(serde::Serialize)]
    struct Envelope<'a> {
        quote: &'a premia_core::Quote,
        resident_id: &'a str,
    }
    let envelope = serde_json::to_vec(&Envelope { quote: &applicant.quote, resident_id: &applicant.resident_id })
        .unwrap_or_default();
    let (status, body, _) = call(router, post_bytes("/api/quotes", envelope, token)).await;
    (verified, status, body)
}

fn post(path: &str, body: &Value) -> Request<Body> {
    post_bytes(path, body.to_string().into_bytes(), None)
}

fn post_bytes(path: &str, body: Vec<u8>, bearer: Option<&str>) -> Request<Body> {
    let mut builder =
        Request::post(path).header(header::CONTENT_TYPE, "application/json").header(header::HOST, "127.0.0.1");
    if let Some(token) = bearer {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let mut request = builder.body(Body::from(body)).unwrap_or_default();
    // As if from a client on this machine (for anything that reads the peer's address).
    request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([127, 0, 0, 1], 0))));
    request
}

/// Send a request through the router: status, JSON body (`null` if none), the session cookie it set.
async fn call(router: &Router, request: Request<Body>) -> (u16, Value, Option<String>) {
    let Ok(response) = router.clone().oneshot(request).await;
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20).await.unwrap_or_default();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null), cookie)
}

/// Unix milliseconds of `hour:minute` on `day` in the insurer's time zone.
fn millis_at(offset: chrono::FixedOffset, day: NaiveDate, hour: u32, minute: u32) -> i64 {
    let time = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
    offset.from_local_datetime(&time).single().map_or(0, |t| t.timestamp_millis())
}

/// How busy a day is, relative: weekdays over weekends, a year of growth, month and quarter ends
/// busier, and 开门红 — the new year's sales push — in January.
fn day_weight(day: NaiveDate, index: usize, days: usize) -> i64 {
    let weekday = match day.weekday() {
        Weekday::Sat => 60,
        Weekday::Sun => 45,
        _ => 100,
    };
    let growth = 75 + 50 * i64::try_from(index).unwrap_or(0) / i64::try_from(days.max(1)).unwrap_or(1);
    let next = day + chrono::Days::new(3);
    let month_end = if next.month() != day.month() { 130 } else { 100 };
    let quarter_end = if month_end > 100 && day.month() % 3 == 0 { 140 } else { 100 };
    let new_year = if day.month() == 1 && day.day() <= 20 { 160 } else { 100 };
    weekday * growth * month_end / 100 * quarter_end / 100 * new_year / 100
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busier_on_weekdays_month_ends_and_in_january() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(day_weight(d("2026-11-25"), 0, 1) > day_weight(d("2026-11-29"), 0, 1), "Wednesday over Sunday");
        assert!(day_weight(d("2026-12-30"), 0, 1) > day_weight(d("2026-12-16"), 0, 1), "a quarter's end");
        assert!(day_weight(d("2026-01-07"), 0, 1) > day_weight(d("2026-02-04"), 0, 1), "开门红");
        assert!(day_weight(d("2026-02-04"), 9, 10) > day_weight(d("2026-02-04"), 0, 10), "growth");
    }
}

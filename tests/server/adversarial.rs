//! The threat table of docs/security.md, one test per row: each plays the attack against the server and
//! checks the defence, on SQLite and (when the test command started one) PostgreSQL. The rows whose
//! attack is a forged figure, a voucher race, a crash or an ID number that does not match are in
//! `tamper.rs`, `api.rs`, `store.rs`, `durability.rs` and `resident_id.rs`; two replicas in `replicas.rs`.
//!
//! Principle: the server takes from a client only what the client is the authority for (what the person
//! declares: answers, choices, the ID number they type); today, who the agent is, prices, eligibility and
//! which coupons still hold, the server decides.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use premia_core::coupon::TokenKind;
use premia_core::{Quote, QuoteRequest};
use premia_server::Config;
use serde_json::{Value, json};
use support::quotes::{self, today};
use support::server::{TestServer, json as read_json, servers};
use support::variants::{MovableClock, demo_with};

fn priced(request: &QuoteRequest) -> Quote {
    premia_core::quote(&premia_core::demo::catalogue(), request).unwrap()
}

/// The first error's (code, field).
fn first(answer: &Value) -> (String, String) {
    let e = &answer["errors"][0];
    assert!(e["message"]["zh"].as_str().is_some_and(|m| !m.is_empty()), "zh message: {answer}");
    assert!(e["message"]["en"].as_str().is_some_and(|m| !m.is_empty()), "en message: {answer}");
    (e["code"].as_str().unwrap_or_default().to_owned(), e["field"].as_str().unwrap_or_default().to_owned())
}

fn pair(code: &str, field: &str) -> (String, String) {
    (code.to_owned(), field.to_owned())
}

/// SQLite, then PostgreSQL, each with a clock the test moves.
async fn servers_with_clock(clock: &MovableClock, configure: impl Fn(&mut Config)) -> Vec<(TestServer, &'static str)> {
    let mut out = Vec::new();
    let pg = support::db::postgres().await;
    for (label, url) in [("sqlite", None), ("postgres", pg.as_ref().map(|db| db.url.clone()))] {
        if label == "postgres" && url.is_none() {
            continue;
        }
        let data = tempfile::tempdir().unwrap();
        let mut config = Config::for_data_dir(data.path().join("data"));
        config.database_url = url;
        config.site_dir = data.path().join("site");
        config.allow_demo = true;
        config.limits.verify_rate = 0;
        config.limits.submit_rate = 0;
        configure(&mut config);
        out.push((TestServer::start_with_clock(config, clock.clock(), data).await, label));
    }
    std::mem::forget(pg); // the test database lives until the process ends
    out
}

/// Row "back-dated or future-dated quote": every date from today−31 to today+2, without and with the
/// stamp the server gave on that date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_quote_date_is_judged_on_the_servers_today() {
    let clock = MovableClock::new(today());
    for (server, label) in servers_with_clock(&clock, |_| {}).await {
        for offset in -31_i64..=2 {
            let date = if offset < 0 {
                today() - Days::new(offset.unsigned_abs())
            } else {
                today() + Days::new(offset as u64)
            };
            let (request, id) = quotes::applicant_on(date, 300 + (offset + 40) as u64, &[]);
            let quote = priced(&request);
            // The stamp the server gives a valid quote verified on its own date.
            clock.set(date);
            let (_, verdict) =
                read_json(server.post("/api/quotes/verify", serde_json::to_vec(&quote).unwrap(), &[]).await).await;
            let stamp = verdict["stamp"].as_str().map(str::to_owned);
            assert!(stamp.is_some(), "{label} {date}: {verdict}");
            clock.set(today());
            let bare = quotes::envelope(&quote, &id);
            let mut stamped: Value = serde_json::from_slice(&bare).unwrap();
            stamped["stamp"] = json!(stamp);
            let stamped = serde_json::to_vec(&stamped).unwrap();
            for (with_stamp, body) in [(false, bare), (true, stamped)] {
                let (status, answer) = read_json(server.post("/api/quotes", body, &[]).await).await;
                let what = format!("{label} {date} ({offset:+}) stamp {with_stamp}: {answer}");
                match offset {
                    1.. => {
                        assert_eq!(status, 422, "{what}");
                        assert_eq!(first(&answer), pair("quote.date_future", "quote.request.quote_date"), "{what}");
                    }
                    0 => assert_eq!(status, 201, "{what}"),
                    -30..=-1 if with_stamp => assert_eq!(status, 201, "{what}: the stamp keeps the price"),
                    -30..=-1 => {
                        assert_eq!(status, 409, "{what}");
                        assert_eq!(first(&answer), pair("quote.requote_needed", "quote.request.quote_date"), "{what}");
                        assert_eq!(answer["requote"]["reason"], "dated_before_today");
                        assert_eq!(answer["requote"]["fresh"]["request"]["quote_date"], today().to_string());
                        assert!(answer["requote"]["stamp"].is_string(), "the fresh quote is stamped");
                    }
                    _ => {
                        assert_eq!(status, 409, "{what}");
                        assert_eq!(answer["requote"]["reason"], "expired", "{what}: past its validity, stamp or not");
                    }
                }
            }
        }
        // A quote dated after today is refused by /verify too, and gets no stamp.
        let (request, _) = quotes::applicant_on(today() + Days::new(1), 500, &[]);
        let (status, answer) =
            read_json(server.post("/api/quotes/verify", serde_json::to_vec(&priced(&request)).unwrap(), &[]).await)
                .await;
        assert_eq!((status, first(&answer)), (422, pair("quote.date_future", "request.quote_date")), "{label}");
    }
}

/// Row "a voucher that expired yesterday": honoured neither on a quote dated today nor on one back-dated
/// to when it was valid (without the stamp the server would have given then).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voucher_that_expired_yesterday_is_not_honoured() {
    let yesterday = today() - Days::new(1);
    let voucher = quotes::signed(TokenKind::Voucher, "V200", "V-EXPIRED-1", Some(yesterday), None);
    for (server, label, _db) in servers(|_| {}).await {
        let (request, id) = quotes::applicant_on(today(), 700, std::slice::from_ref(&voucher));
        let quote = priced(&request);
        assert!(quote.coupons_used.is_empty() && quote.rejected_coupons[0].code == "coupon.expired", "{label}");
        let (back_request, id_back) = quotes::applicant_on(yesterday, 701, std::slice::from_ref(&voucher));
        let back = priced(&back_request);
        assert_eq!(back.coupons_used.len(), 1, "priced yesterday, the voucher applied");
        let response = server.post("/api/quotes", quotes::envelope(&back, &id_back), &[]).await;
        assert_eq!(response.status(), 409, "{label}");
        let text = response.text().await.unwrap();
        // The fresh quote is the engine's own bytes (a client sends it back as it is: the fast path).
        let today_request = QuoteRequest { quote_date: today(), ..back_request.clone() };
        assert!(text.contains(&serde_json::to_string(&priced(&today_request)).unwrap()), "{label}: {text}");
        let answer: Value = serde_json::from_str(&text).unwrap();
        let fresh = &answer["requote"]["fresh"];
        assert!(fresh["coupons_used"].as_array().is_none_or(Vec::is_empty), "{label}: today's price has no voucher");
        assert_eq!(fresh["rejected_coupons"][0]["code"], "coupon.expired");
        assert!(fresh["totals"]["annual_premium"].as_str() > Some(""));
        let (status, _) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
        assert_eq!(status, 201, "{label}: today's quote without the voucher is fine");
        assert!(server.metrics().contains("premia_coupon_redemptions_total 0\n"), "{label}: nothing redeemed");
    }
}

/// Row "server in another zone": a server whose machine runs in UTC, at 00:30 in +08:00 (16:30 UTC the
/// day before), takes the insurer's date; and the binary started with TZ=UTC says the +08:00 date.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_insurers_today_decides_not_the_machines_zone() {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    let instant = chrono::DateTime::parse_from_rfc3339("2026-11-25T16:30:00Z").unwrap().with_timezone(&chrono::Utc);
    let clock = premia_server::state::clock_at(move || instant, offset);
    let data = tempfile::tempdir().unwrap();
    let mut config = Config::for_data_dir(data.path().join("data"));
    config.allow_demo = true;
    let server = TestServer::start_with_clock(config, clock, data).await;
    let (_, catalogue) = read_json(server.get("/api/catalogue", &[]).await).await;
    assert_eq!((catalogue["today"].as_str(), catalogue["utc_offset"].as_str()), (Some("2026-11-26"), Some("+08:00")));
    let utc_date = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let (request, id) = quotes::applicant_on(utc_date, 720, &[]);
    let (status, answer) =
        read_json(server.post("/api/quotes", quotes::envelope(&priced(&request), &id), &[]).await).await;
    assert_eq!((status, answer["requote"]["reason"].as_str()), (409, Some("dated_before_today")), "{answer}");
    let (request, id) = quotes::applicant_on(utc_date + Days::new(1), 721, &[]);
    assert_eq!(server.post("/api/quotes", quotes::envelope(&priced(&request), &id), &[]).await.status(), 201);

    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_premia-server"))
        .args(["--bind", &format!("127.0.0.1:{port}"), "--allow-demo"])
        .arg("--data-dir")
        .arg(dir.path())
        .env("TZ", "UTC")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let mut answered = None;
    for _ in 0..200 {
        let before = chrono::Utc::now().with_timezone(&offset).date_naive();
        if let Ok(response) = client.get(format!("http://127.0.0.1:{port}/api/catalogue")).send().await {
            let body: Value = response.json().await.unwrap();
            let after = chrono::Utc::now().with_timezone(&offset).date_naive();
            answered = Some((body["today"].as_str().unwrap().parse::<NaiveDate>().unwrap(), before, after));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.start_kill().unwrap();
    let (today_there, before, after) = answered.expect("the binary answered");
    assert!(today_there == before || today_there == after, "{today_there} is not the +08:00 date ({before}/{after})");
}

/// Row "a stamp from elsewhere": a stamp proves only the digest and date it was given for; one not signed
/// with this server's secret is refused on `stamp`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stamp_proves_only_its_own_quote() {
    let clock = MovableClock::new(today());
    let yesterday = today() - Days::new(1);
    for (server, label) in servers_with_clock(&clock, |_| {}).await {
        let (a, _) = quotes::applicant_on(yesterday, 730, &[]);
        let (b, id_b) = quotes::applicant_on(yesterday, 731, &[]);
        let (a, b) = (priced(&a), priced(&b));
        clock.set(yesterday);
        let (_, verdict) =
            read_json(server.post("/api/quotes/verify", serde_json::to_vec(&a).unwrap(), &[]).await).await;
        clock.set(today());
        let stamp_a = verdict["stamp"].as_str().unwrap().to_owned();
        let other_secret = premia_server::secret::ServerSecret::from_master(&[42; 32]).stamp(&b.digest, yesterday);
        for (what, stamp, expected) in [
            ("A's stamp on B", stamp_a.clone(), (409, "quote.requote_needed", "quote.request.quote_date")),
            ("another server's stamp", other_secret, (422, "stamp.invalid", "stamp")),
            ("garbage", "x.y.z".to_owned(), (422, "stamp.invalid", "stamp")),
        ] {
            let body = serde_json::to_vec(&json!({ "quote": b, "resident_id": id_b, "stamp": stamp })).unwrap();
            let (status, answer) = read_json(server.post("/api/quotes", body, &[]).await).await;
            assert_eq!(
                (status, first(&answer)),
                (expected.0, pair(expected.1, expected.2)),
                "{label} {what}: {answer}"
            );
        }
        assert_eq!(server.state.store.application_count().await.unwrap(), 0, "{label}");
    }
}

/// Row "anyone can claim an agent code": an agent-channel application needs that agent's token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_applications_need_that_agents_token() {
    for (server, label, _db) in servers(|_| {}).await {
        let catalogue = premia_core::demo::catalogue();
        let application = quotes::one(&catalogue, 740, Some("AG002"));
        let store = &server.state.store;
        let own = store.issue_agent_token("AG002", "crm").await.unwrap();
        let other = store.issue_agent_token("AG001", "crm").await.unwrap();
        let revoked = store.issue_agent_token("AG002", "old laptop").await.unwrap();
        store.revoke_agent_tokens(&revoked.id).await.unwrap();
        let bad = format!("pat_{}_{}", "0".repeat(12), "0".repeat(64));
        let bearer = |t: &str| format!("Bearer {t}");
        let cases = [
            ("no token", None, 401, "auth.required"),
            ("an unknown token", Some(bearer(&bad)), 401, "auth.invalid"),
            ("another agent's token", Some(bearer(&other.token)), 403, "auth.wrong_agent"),
            ("a revoked token", Some(bearer(&revoked.token)), 403, "auth.revoked"),
        ];
        for (what, auth, status, code) in cases {
            let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
            let response = server.post_anonymous("/api/quotes", application.envelope(), &headers).await;
            if status == 401 {
                assert!(response.headers().contains_key("www-authenticate"), "{label} {what}");
            }
            let (got, answer) = read_json(response).await;
            assert_eq!((got, first(&answer)), (status, pair(code, "Authorization")), "{label} {what}: {answer}");
        }
        // A blacklisted agent is refused with its own token whatever code it claims.
        store.blacklist_agent("AG001", "fraud", "test").await.unwrap();
        let (status, answer) = read_json(
            server
                .post_anonymous("/api/quotes", application.envelope(), &[("authorization", &bearer(&other.token))])
                .await,
        )
        .await;
        assert_eq!((status, first(&answer)), (403, pair("blacklist.declined", "Authorization")), "{label}: {answer}");
        assert_eq!(store.application_count().await.unwrap(), 0, "{label}: nothing stored");
        // With its own token: accepted, and the token id is kept with the application and in the log.
        let (status, created) = read_json(
            server
                .post_anonymous("/api/quotes", application.envelope(), &[("authorization", &bearer(&own.token))])
                .await,
        )
        .await;
        assert_eq!(status, 201, "{label}: {created}");
        let record = store.application(created["application"].as_str().unwrap()).await.unwrap().unwrap();
        assert_eq!(record.agent_token_id.as_deref(), Some(own.id.as_str()));
        let log = store.audit_log(50).await.unwrap();
        let stored = log.iter().find(|e| e.event == "application.stored").unwrap();
        assert!(stored.detail.contains(&own.id), "{label}: {}", stored.detail);
        assert!(log.iter().filter(|e| e.event == "auth.refused").count() >= 2, "{label}: refusals are logged");
    }
}

/// Row "the ID number from the quote": nothing in a quote or a stored row lets one test candidate numbers
/// offline (as the catalogue's public salted hash did: about 60,000 candidates for one province).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_and_stored_rows_give_no_way_back_to_the_number() {
    for (server, label, _db) in servers(|_| {}).await {
        let (request, id) = quotes::applicant(750, &[]);
        let quote = priced(&request);
        let (status, created) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
        assert_eq!(status, 201, "{label}");
        let record = server.state.store.application(created["application"].as_str().unwrap()).await.unwrap().unwrap();
        // The attacker's search: every sequence number of this birth date and region, hashed with the
        // catalogue's salt (and unsalted). None of the hashes is anywhere in the quote or the stored row.
        let salt = premia_core::demo::catalogue().id_hash_salt;
        let mut everything = serde_json::to_string(&quote).unwrap();
        everything.push_str(&serde_json::to_string(&record).unwrap());
        let mut candidates = 0;
        for sequence in 0..1000 {
            let first17 = format!("{}{sequence:03}", &id[..14]);
            let candidate = format!("{first17}{}", premia_core::resident_id::check_char(first17.as_bytes()));
            for hash in [
                premia_core::resident_id::salted_hash(&candidate, &salt),
                premia_store::sha256_hex(candidate.as_bytes()),
            ] {
                assert!(!everything.contains(&hash), "{label}: {candidate} is found by its hash");
            }
            candidates += 1;
        }
        assert_eq!(candidates, 1000);
        assert!(!everything.contains(&id[..17]));
        assert_eq!(record.resident_id_hash.as_deref(), Some(server.state.secret.identity(&id).as_str()));
    }
}

/// Row "a new catalogue salt empties the blacklist": people are keyed by the server's secret, so a
/// catalogue version with another `id_hash_salt` changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_catalogue_salt_keeps_the_blacklist() {
    let (_dir, path, next) = demo_with(&[
        ("version = \"2026.11.0\"", "version = \"2026.11.1\""),
        ("effective_from = \"2025-01-01\"", "effective_from = \"2026-11-20\""),
        ("id_hash_salt = \"premia-demo-id-salt-2026\"", "id_hash_salt = \"a-brand-new-salt\""),
    ]);
    for (server, label, _db) in servers(|c| c.catalogues = vec![path.clone()]).await {
        let (request, id) = quotes::applicant(760, &[]);
        server.state.store.blacklist_person(&server.state.secret.identity(&id), "fraud", "test").await.unwrap();
        let quote = premia_core::quote(&next, &request).unwrap();
        assert_eq!(quote.catalogue.version, "2026.11.1");
        let (status, answer) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
        assert_eq!((status, first(&answer)), (403, pair("blacklist.declined", "resident_id")), "{label}: {answer}");
    }
}

/// Row "an upgrade forgets the old blacklist": a database written before the keyed identity (migration
/// 0001 only, entries hashed with the catalogue's salt) keeps stopping its people, even after the catalogue
/// changes its salt; its applications stay readable and its redeemed vouchers stay redeemed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_and_applications_from_before_the_keyed_identity_still_work() {
    let mut databases = vec![support::db::sqlite().await];
    databases.extend(support::db::postgres().await);
    let (_dir, path, next) = demo_with(&[
        ("version = \"2026.11.0\"", "version = \"2026.11.1\""),
        ("id_hash_salt = \"premia-demo-id-salt-2026\"", "id_hash_salt = \"a-brand-new-salt\""),
    ]);
    for db in &databases {
        let (request, id) = quotes::applicant(770, &[]);
        let old_hash = premia_core::resident_id::salted_hash(&id, "premia-demo-id-salt-2026");
        let (_, referrer_id) = quotes::applicant(771, &[]);
        legacy_database(
            &db.url,
            &old_hash,
            &premia_core::resident_id::salted_hash(&referrer_id, "premia-demo-id-salt-2026"),
        )
        .await;
        // First start after the upgrade, with the catalogue the entries were made under; later starts use the
        // same data folder (its secret keys the identities).
        let data = tempfile::tempdir().unwrap();
        let start = |catalogues: Vec<std::path::PathBuf>| {
            let mut config = Config::for_data_dir(data.path());
            config.database_url = Some(db.url.clone());
            config.allow_demo = true;
            config.catalogues = catalogues;
            TestServer::start_with_clock(config, std::sync::Arc::new(quotes::today), tempfile::tempdir().unwrap())
        };
        let server = start(Vec::new()).await;
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&priced(&request), &id), &[]).await).await;
        assert_eq!(
            (status, first(&answer)),
            (403, pair("blacklist.declined", "resident_id")),
            "{}: {answer}",
            db.label
        );
        let agent = server.bearer("A1001").await;
        let (status, old) =
            read_json(server.get("/api/applications/PA20250101-LEGACY0001", &[("authorization", &agent)]).await).await;
        assert_eq!((status, old["digest"].as_str()), (200, Some("legacy-digest")), "{}: {old}", db.label);
        let redeemed = premia_store::Redemption {
            catalogue_id: "PREMIA-DEMO".into(),
            series: "V200".into(),
            coupon_id: "V-LEGACY".into(),
        };
        assert_eq!(
            server.state.store.redemption(&redeemed).await.unwrap().as_deref(),
            Some("PA20250101-LEGACY0001"),
            "{}: series filled in",
            db.label
        );
        drop(server);
        // Later, only a catalogue with another salt: the old entry still stops the person.
        let server = start(vec![path.clone()]).await;
        let quote = premia_core::quote(&next, &request).unwrap();
        let (status, _) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
        assert_eq!(status, 403, "{}", db.label);
        // The legacy application's insured is recognised as a referrer (their own referral code is refused).
        let code = quotes::signed(TokenKind::Referral, "REFER-2026", "R-LEGACY", None, Some("PA20250101-LEGACY0001"));
        let (own, _) = quotes::applicant(771, &[code]);
        let quote = premia_core::quote(&next, &own).unwrap();
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&quote, &referrer_id), &[]).await).await;
        assert_eq!(
            (status, first(&answer)),
            (422, pair("referral.own", "quote.request.coupons[0]")),
            "{}: {answer}",
            db.label
        );
    }
}

/// A database as version 0001 of the schema left it: one salted blacklist entry, one application (whose
/// insured has `referrer_hash`) that redeemed voucher V-LEGACY of series V200.
async fn legacy_database(url: &str, blacklisted_hash: &str, referrer_hash: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    if url.starts_with("sqlite:") {
        premia_store::private_file(std::path::Path::new(url.trim_start_matches("sqlite:"))).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let migrations = concat!(env!("CARGO_MANIFEST_DIR"), "/../premia-store/migrations/0001_init.sql");
    std::fs::copy(migrations, dir.path().join("0001_init.sql")).unwrap();
    let url = if url.starts_with("sqlite:") { url.replacen("sqlite:", "sqlite://", 1) } else { url.to_owned() };
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(dir.path()).await.unwrap().run(&mut conn).await.unwrap();
    let quote =
        json!({ "coupons_used": [{ "id": "V-LEGACY", "kind": "voucher", "series": "V200", "single_use": true }] });
    for statement in [
        format!("INSERT INTO blacklist (kind, value, reason, added_at) VALUES ('resident_id', '{blacklisted_hash}', 'legacy fraud', 1)"),
        format!(
            "INSERT INTO applications (number, created_at, status, channel, agent_code, resident_id_hash, catalogue_id, \
             catalogue_version, digest, decision, request_json, quote_json, token) VALUES ('PA20250101-LEGACY0001', 1, \
             'accepted', 'agent', 'A1001', '{referrer_hash}', 'PREMIA-DEMO', '2026.11.0', 'legacy-digest', '{{}}', '{{}}', \
             '{quote}', 'legacy-token')"
        ),
        "INSERT INTO coupon_redemptions (coupon_id, application_number, redeemed_at) VALUES ('V-LEGACY', 'PA20250101-LEGACY0001', 1)".to_owned(),
    ] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement)).execute(&mut conn).await.unwrap();
    }
}

/// Open `n` connections that send part of a request's headers and then nothing.
fn stalled(base: &str, n: usize) -> Vec<std::net::TcpStream> {
    let address = base.trim_start_matches("http://");
    (0..n)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream.write_all(b"POST /api/quotes HTTP/1.1\r\nHost: premia\r\nContent-Ty").unwrap();
            stream
        })
        .collect()
}

/// Row "connections that never finish their headers": cut off after the header timeout, and while they
/// hang the server answers others (more of them than the connection cap: the rest wait their turn).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_and_health_still_answers() {
    let limits = |c: &mut Config| {
        c.limits.header_timeout = Duration::from_secs(1);
        c.limits.max_connections = 16;
    };
    for (server, label, _db) in servers(limits).await {
        let started = Instant::now();
        let mut hanging = stalled(&server.base, 50);
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
        let health = client.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200, "{label}");
        assert!(started.elapsed() < Duration::from_secs(8), "{label}: healthz took {:?}", started.elapsed());
        // Each stalled connection is closed by the server (an answer or the end of the stream).
        for stream in &mut hanging {
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut buffer = Vec::new();
            let read = stream.read_to_end(&mut buffer);
            assert!(read.is_ok(), "{label}: {read:?}");
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{label}: {:?}", started.elapsed());
    }
}

/// The same with a small file limit (the process may open 64 files): 50 stalled connections do not
/// starve `/healthz` of file descriptors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_small_file_limit_health_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let command = format!(
        "ulimit -n 64 && exec '{}' --bind 127.0.0.1:{port} --allow-demo --header-timeout 1s --max-connections 24 --data-dir '{}'",
        env!("CARGO_BIN_EXE_premia-server"),
        dir.path().display()
    );
    let mut child = tokio::process::Command::new("sh")
        .args(["-c", &command])
        .env("RUST_LOG", "error")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut up = false;
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server started under ulimit -n 64");
    let _hanging = stalled(&base, 50);
    for _ in 0..3 {
        let response = client.get(format!("{base}/healthz")).send().await;
        assert_eq!(response.map(|r| r.status().as_u16()).ok(), Some(200));
    }
    child.start_kill().unwrap();
}

/// Row "a body sent a byte at a time": 408 `timeout.body`; and a request holding the only in-flight slot
/// makes the next one 503 `overloaded` with `Retry-After`, at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_time_out_and_overload_is_refused_at_once() {
    let limits = |c: &mut Config| {
        c.limits.body_timeout = Duration::from_secs(1);
        c.limits.max_in_flight = 1;
    };
    for (server, label, _db) in servers(limits).await {
        let address = server.base.trim_start_matches("http://").to_owned();
        let slow = std::thread::spawn(move || {
            let mut stream = std::net::TcpStream::connect(address).unwrap();
            stream
                .write_all(b"POST /api/quotes/verify HTTP/1.1\r\nHost: premia\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                .unwrap();
            let mut answer = String::new();
            stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let _ = stream.read_to_string(&mut answer);
            answer
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        let response = server.get("/healthz", &[]).await;
        assert_eq!(response.status(), 503, "{label}: the one slot is taken");
        assert_eq!(response.headers()["retry-after"], "1");
        let (_, answer) = read_json(response).await;
        assert_eq!(first(&answer).0, "overloaded");
        let answer = slow.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 408"), "{label}: {answer}");
        assert!(answer.contains("timeout.body"), "{label}: {answer}");
        assert_eq!(server.get("/healthz", &[]).await.status(), 200, "{label}: the slot is free again");
    }
}

/// Row "a request flood": per client, 429 with `Retry-After` past the rate; another client (another
/// address) is not affected, and a client cannot pick its own bucket with `X-Forwarded-For`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_are_limited_per_client() {
    let limits = |c: &mut Config| {
        c.limits.verify_rate = 1;
        c.limits.verify_burst = 3;
        c.limits.submit_rate = 1;
        c.limits.submit_burst = 2;
    };
    let catalogue = premia_core::demo::catalogue();
    let quote = serde_json::to_vec(&quotes::one(&catalogue, 780, None).quote).unwrap();
    for (server, label, _db) in servers(limits).await {
        let mut statuses = Vec::new();
        for i in 0..5 {
            let forwarded = format!("10.0.0.{i}");
            let response = server.post("/api/quotes/verify", quote.clone(), &[("x-forwarded-for", &forwarded)]).await;
            statuses.push(response.status().as_u16());
            if response.status() == 429 {
                let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
                assert!((1..=2).contains(&retry), "{label}: {retry}");
                let (_, answer) = read_json(response).await;
                assert_eq!(first(&answer).0, "rate_limited");
            }
        }
        assert_eq!(statuses, [200, 200, 200, 429, 429], "{label}");
        // Another address on the loopback network has its own bucket.
        let other = reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
        let response = other
            .post(server.url("/api/quotes/verify"))
            .header("content-type", "application/json")
            .body(quote.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{label}");
        // Submissions have their own, smaller, budget.
        let application = quotes::one(&catalogue, 781, None);
        let statuses: Vec<u16> = {
            let mut out = Vec::new();
            for _ in 0..3 {
                out.push(server.post("/api/quotes", application.envelope(), &[]).await.status().as_u16());
            }
            out
        };
        assert_eq!(statuses, [201, 201, 429], "{label}");
        assert!(server.metrics().contains("premia_rate_limited_total 3\n"), "{label}");
    }
}

/// Row "missing security headers": CSP (with what the WebAssembly needs), frame-ancestors, nosniff,
/// Referrer-Policy everywhere; HSTS only behind `--tls-terminated`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    for (tls, servers) in [(false, servers(|_| {}).await), (true, servers(|c| c.tls_terminated = true).await)] {
        for (server, label, _db) in servers {
            std::fs::create_dir_all(server.site_dir()).unwrap();
            std::fs::write(server.site_dir().join("index.html"), "<!doctype html><title>Premia</title>").unwrap();
            let page = server.get("/", &[]).await;
            let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
            for part in [
                "script-src 'self' 'wasm-unsafe-eval'",
                "frame-ancestors 'none'",
                "default-src 'self'",
                "object-src 'none'",
            ] {
                assert!(csp.contains(part), "{label}: {csp}");
            }
            assert!(!csp.contains("unsafe-inline"), "{label}: {csp}");
            // No payment gateway configured: forms post to the site only.
            assert!(csp.contains("form-action 'self';"), "{label}: {csp}");
            assert_eq!(page.headers()["x-frame-options"], "DENY");
            // Revalidating the page: the 304 must not carry another policy (the browser would apply it).
            let etag = page.headers()["etag"].to_str().unwrap().to_owned();
            let again = server.get("/", &[("if-none-match", &etag)]).await;
            assert_eq!(again.status(), 304, "{label}");
            assert!(!again.headers().contains_key("content-security-policy"), "{label}: {:?}", again.headers());
            for path in ["/", "/api/catalogue", "/healthz", "/nope.html"] {
                let response = server.get(path, &[]).await;
                let headers = response.headers();
                assert_eq!(headers["x-content-type-options"], "nosniff", "{label} {path}");
                assert_eq!(headers["referrer-policy"], "no-referrer", "{label} {path}");
                assert_eq!(headers.contains_key("strict-transport-security"), tls, "{label} {path}");
            }
        }
    }
}

/// Row "public metrics": not on the public address unless behind a token; on `--metrics-bind` only
/// there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_not_public() {
    for (server, label, _db) in servers(|_| {}).await {
        assert_eq!(server.get("/metrics", &[]).await.status(), 404, "{label}");
        // What --metrics-bind serves, on its own listener.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let app = premia_server::routes::metrics_router(server.state.clone());
        let limits = server.state.config.limits.clone();
        tokio::spawn(async move { premia_server::serve_on(listener, app, &limits, std::future::pending()).await });
        let text = reqwest::get(format!("http://{address}/metrics")).await.unwrap().text().await.unwrap();
        assert!(text.contains("premia_blacklist_hits_total"), "{label}");
        assert_eq!(reqwest::get(format!("http://{address}/api/catalogue")).await.unwrap().status(), 404);
    }
    let token = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(token.path(), "s3cret-metrics-token\n").unwrap();
    let path = token.path().to_path_buf();
    for (server, label, _db) in servers(|c| c.metrics_token_file = Some(path.clone())).await {
        let response = server.get("/metrics", &[]).await;
        assert_eq!(response.status(), 401, "{label}");
        assert_eq!(first(&read_json(response).await.1), pair("auth.required", "Authorization"));
        assert_eq!(server.get("/metrics", &[("authorization", "Bearer wrong")]).await.status(), 401);
        let ok = server.get("/metrics", &[("authorization", "Bearer s3cret-metrics-token")]).await;
        assert_eq!(ok.status(), 200, "{label}");
    }
}

/// Row "the site folder leaks": links out of it and dot-files are not served; error pages name no path.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_serves_only_its_own_files() {
    for (server, label, _db) in servers(|_| {}).await {
        let site = server.site_dir();
        let not_built = server.get("/", &[]).await.text().await.unwrap();
        assert!(!not_built.contains(&site.display().to_string()), "{label}: the not-built page names no path");
        std::fs::create_dir_all(site.join(".git")).unwrap();
        std::fs::write(site.join("index.html"), "<!doctype html><title>Premia</title>").unwrap();
        std::fs::write(site.join(".env"), "DATABASE_PASSWORD=x").unwrap();
        std::fs::write(site.join(".git/config"), "[core]").unwrap();
        let outside = site.parent().unwrap().join("outside.txt");
        std::fs::write(&outside, "secret outside the site").unwrap();
        std::os::unix::fs::symlink(&outside, site.join("link.txt")).unwrap();
        std::os::unix::fs::symlink("/etc", site.join("etc")).unwrap();
        std::fs::write(site.join("inside.txt"), "fine").unwrap();
        std::os::unix::fs::symlink(site.join("inside.txt"), site.join("alias.txt")).unwrap();
        for path in ["/.env", "/.git/config", "/%2eenv", "/link.txt", "/etc/hostname", "/etc/passwd"] {
            let response = server.get(path, &[]).await;
            assert_eq!(response.status(), 404, "{label} {path}");
            let body = response.text().await.unwrap();
            assert!(
                !body.contains("secret") && !body.contains("DATABASE") && !body.contains("/tmp"),
                "{label} {path}: {body}"
            );
        }
        assert_eq!(
            server.get("/alias.txt", &[]).await.text().await.unwrap(),
            "fine",
            "a link inside the folder is fine"
        );
    }
}

/// Row "demo material in production": an illustrative catalogue is refused without `--allow-demo`, and
/// vouchers signed by the key published in this repository are refused by a catalogue that is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_material_needs_allow_demo() {
    let data = tempfile::tempdir().unwrap();
    let config = Config::for_data_dir(data.path());
    let error = premia_server::state(config, std::sync::Arc::new(quotes::today)).await.unwrap_err();
    assert!(error.to_string().contains("illustrative") && error.to_string().contains("--allow-demo"), "{error}");

    let (_dir, path, filed) = demo_with(&[("illustrative = true", "illustrative = false")]);
    let voucher = quotes::voucher("V200", "V-DEMO-KEY");
    let (request, id) = quotes::applicant(790, std::slice::from_ref(&voucher));
    let quote = premia_core::quote(&filed, &request).unwrap();
    assert_eq!(quote.coupons_used.len(), 1);
    for allow_demo in [false, true] {
        for (server, label, _db) in servers(|c| {
            c.catalogues = vec![path.clone()];
            c.allow_demo = allow_demo;
        })
        .await
        {
            let (status, answer) =
                read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
            if allow_demo {
                assert_eq!(status, 201, "{label}: {answer}");
            } else {
                assert_eq!(
                    (status, first(&answer)),
                    (422, pair("coupon.demo_key", "quote.request.coupons[0]")),
                    "{label}: {answer}"
                );
            }
        }
    }
}

/// Row "another client's idempotency key": keys are the caller's own; a clash answers without naming
/// any application.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_keys_are_the_callers_own() {
    let catalogue = premia_core::demo::catalogue();
    for (server, label, _db) in servers(|_| {}).await {
        let key = [("idempotency-key", "order-1")];
        let first_agent = quotes::one(&catalogue, 800, Some("A1001"));
        let (status, a) = read_json(server.post("/api/quotes", first_agent.envelope(), &key).await).await;
        assert_eq!(status, 201, "{label}");
        // Another agent, another person: the same key is another key; so for a direct applicant.
        for other in [quotes::one(&catalogue, 801, Some("B2002")), quotes::one(&catalogue, 802, None)] {
            let (status, b) = read_json(server.post("/api/quotes", other.envelope(), &key).await).await;
            assert_eq!(status, 201, "{label}: {b}");
            assert_ne!(a["application"], b["application"], "{label}: never another caller's application");
        }
        // The same agent and person, another quote under the key: refused, nothing named.
        let mut changed = first_agent.quote.request.clone();
        changed.insured.smoker = !changed.insured.smoker;
        let changed = premia_core::quote(&catalogue, &changed).unwrap();
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&changed, &first_agent.resident_id), &key).await)
                .await;
        assert_eq!((status, first(&answer)), (422, pair("idempotency_key.reused", "Idempotency-Key")), "{label}");
        assert!(!answer.to_string().contains(a["application"].as_str().unwrap()), "{label}: {answer}");
    }
}

/// Row "voucher ids collide across series and catalogues": a redemption is keyed by catalogue, series and
/// id; the same triple is redeemed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vouchers_are_redeemed_by_catalogue_series_and_id() {
    for (server, label, _db) in servers(|_| {}).await {
        let mut statuses = Vec::new();
        for (days, series, product) in [(810, "V200", "CI"), (811, "V50", "ACC"), (812, "V200", "CI")] {
            let voucher = quotes::voucher(series, "V-0001");
            let (mut request, id) = quotes::applicant(days, std::slice::from_ref(&voucher));
            if product == "ACC" {
                request.coverages = vec![
                    serde_json::from_value(json!({ "product": "ACC", "sum_assured": "1000000",
                    "coverage_term": "years:1", "payment_term": "years:1", "frequency": "annual" }))
                    .unwrap(),
                ];
            }
            let quote = priced(&request);
            assert_eq!(quote.coupons_used.len(), 1, "{series}: {:?}", quote.rejected_coupons);
            let (status, answer) =
                read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
            statuses.push((status, answer["errors"][0]["code"].as_str().map(str::to_owned)));
        }
        assert_eq!(statuses, [(201, None), (201, None), (409, Some("coupon.redeemed".to_owned()))], "{label}");
    }
}

/// Row "a referral code used by its own referrer, or without end": bound to the referrer's application,
/// refused on their own, credited to them on others' up to the series' limit, listed by
/// `premia-server referrals list`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn referral_codes_are_bound_to_their_referrer() {
    for (server, label, _db) in servers(|_| {}).await {
        let (request, referrer_id) = quotes::applicant(820, &[]);
        let (_, created) =
            read_json(server.post("/api/quotes", quotes::envelope(&priced(&request), &referrer_id), &[]).await).await;
        let referrer = created["application"].as_str().unwrap().to_owned();
        let code = quotes::signed(TokenKind::Referral, "REFER-2026", "R-820", None, Some(&referrer));
        // On the referrer's own application: refused.
        let (own, _) = quotes::applicant(820, std::slice::from_ref(&code));
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&priced(&own), &referrer_id), &[]).await).await;
        assert_eq!(
            (status, first(&answer)),
            (422, pair("referral.own", "quote.request.coupons[0]")),
            "{label}: {answer}"
        );
        // A code naming nobody we know, and one naming nobody at all.
        let stranger = quotes::signed(TokenKind::Referral, "REFER-2026", "R-821", None, Some("PA20260101-NOBODY0000"));
        let (request, id) = quotes::applicant(821, std::slice::from_ref(&stranger));
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&priced(&request), &id), &[]).await).await;
        assert_eq!((status, first(&answer).0), (422, "referral.unknown_referrer".to_owned()), "{label}");
        let anonymous = quotes::signed(TokenKind::Referral, "REFER-2026", "R-822", None, None);
        let (request, _) = quotes::applicant(822, std::slice::from_ref(&anonymous));
        assert_eq!(priced(&request).rejected_coupons[0].code, "coupon.no_referrer");
        // Five friends are credited (the series' max_uses); the sixth is refused.
        let mut statuses = Vec::new();
        for friend in 0..6 {
            let (request, id) = quotes::applicant(830 + friend, std::slice::from_ref(&code));
            let quote = priced(&request);
            assert_eq!(quote.coupons_used.len(), 1, "the referral applies");
            let (status, answer) =
                read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
            statuses.push((status, answer["errors"][0]["code"].as_str().map(str::to_owned)));
        }
        let expected: Vec<(u16, Option<String>)> =
            std::iter::repeat_n((201, None), 5).chain([(409, Some("referral.limit_reached".to_owned()))]).collect();
        assert_eq!(statuses, expected, "{label}");
        let credits = server.state.store.referral_credits(Some(&referrer)).await.unwrap();
        assert_eq!(credits.len(), 5, "{label}");
        if label == "sqlite" {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_premia-server"))
                .args(["referrals", "list", "--json", "--referrer", &referrer])
                .arg("--data-dir")
                .arg(server.data_dir())
                .env_remove("PREMIA_DATABASE_URL")
                .output()
                .unwrap();
            let listed: Value = serde_json::from_slice(&output.stdout)
                .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&output.stderr)));
            assert_eq!(listed.as_array().unwrap().len(), 5);
            assert_eq!(listed[0]["referrer"], referrer.as_str());
        }
    }
}

/// Row "rotating the signing key breaks earlier tokens": /api/keys lists every key recorded; a token
/// signed before a rotation still verifies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_signed_before_a_rotation_still_verify() {
    let catalogue = premia_core::demo::catalogue();
    for db in [Some(support::db::sqlite().await), support::db::postgres().await].into_iter().flatten() {
        let data = tempfile::tempdir().unwrap();
        let start = |data: &std::path::Path| {
            let mut config = Config::for_data_dir(data);
            config.database_url = Some(db.url.clone());
            config.allow_demo = true;
            config
        };
        let before = TestServer::start_with_clock(
            start(data.path()),
            std::sync::Arc::new(quotes::today),
            tempfile::tempdir().unwrap(),
        )
        .await;
        let (_, first_answer) =
            read_json(before.post("/api/quotes", quotes::one(&catalogue, 840, None).envelope(), &[]).await).await;
        let (old, new) = premia_server::signing::rotate(&data.path().join("server-key.pem")).unwrap();
        before.state.store.retire_signing_key(old.as_deref().unwrap(), "test").await.unwrap();
        drop(before);
        let after = TestServer::start_with_clock(
            start(data.path()),
            std::sync::Arc::new(quotes::today),
            tempfile::tempdir().unwrap(),
        )
        .await;
        let (_, second) =
            read_json(after.post("/api/quotes", quotes::one(&catalogue, 841, None).envelope(), &[]).await).await;
        let (_, jwks) = read_json(after.get("/api/keys", &[]).await).await;
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 2, "{}: {jwks}", db.label);
        for token in [&first_answer["token"], &second["token"]] {
            premia_server::signing::verify_token(token.as_str().unwrap(), &jwks)
                .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        }
        let kid = |t: &Value| t.as_str().unwrap().split('.').next().map(str::to_owned).unwrap();
        assert_ne!(kid(&first_answer["token"]), kid(&second["token"]), "signed by the new key after the rotation");
        assert_eq!(after.state.key.kid(), new.kid());
    }
}

/// Row "the data folder is readable by others": 0700, and the database, key and secret files 0600.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start(None, |_| {}).await;
    let data = server.data_dir();
    let mode = |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(data.clone()), 0o700);
    for file in ["premia.db", "server-key.pem", "server-secret.key"] {
        assert_eq!(mode(data.join(file)), 0o600, "{file}");
    }
    // A folder made readable by others is tightened at the next start.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = server.state.config.clone();
    premia_server::state(config, std::sync::Arc::new(quotes::today)).await.unwrap();
    assert_eq!(mode(data), 0o700);
}

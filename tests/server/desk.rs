//! The underwriting desk over HTTP, on SQLite and (when available) PostgreSQL: cases made with referred
//! applications, the queue, the audited case view, decisions with two-person review (20 concurrent
//! confirmations finalise once), the applicant's and the agent's status, staff sign-in, and every staff
//! route × role × no session.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use premia_desk::Role;
use premia_server::signing::verify_token;
use premia_server::staff::{Access, STAFF_ROUTES};
use serde_json::{Value, json};
use support::desk::{self, Session, heart_request, heavy_request, referred, staff, submit};
use support::server::{TestServer, json as read_json, servers};

fn loading(share: &str) -> Value {
    json!({ "verdict": { "kind": "accept_with_terms", "loading": share }, "note": "ECG on file: stable" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referred_application_is_a_case_from_its_own_transaction_with_a_status_receipt() {
    for (server, label, _db) in servers(|_| {}).await {
        let (_, created) = submit(&server, heart_request(100)).await;
        assert_eq!(created["status"], "referred", "{label}");
        let number = created["application"].as_str().unwrap();
        let receipt = created["receipt"].as_str().unwrap();
        assert_eq!(receipt.len(), 43, "256 bits, base64url");
        assert_eq!(created["status_url"], format!("/status/{receipt}"));
        let case = server.state.store.case(number).await.unwrap().expect("a case");
        assert_eq!((case.status.as_str(), case.needs_second_review, case.product.as_str()), ("open", true, "CI"));
        assert_eq!(case.created_at, server.state.store.application(number).await.unwrap().unwrap().created_at);

        // Nobody has opened it: "submitted", in both languages, never a premium.
        let (status, view) = read_json(server.get(&format!("/api/status/{receipt}"), &[]).await).await;
        assert_eq!(status, 200, "{label}: {view}");
        assert_eq!(view["status"], "submitted");
        assert_eq!(view["label"]["zh"], "已提交，等待核保");
        assert!(view.get("premium").is_none() && view.get("token").is_none());

        // An application accepted automatically has a receipt and no case; its status is accepted.
        let (quote, accepted) = submit(&server, premia_core_request(101)).await;
        let number2 = accepted["application"].as_str().unwrap();
        assert!(server.state.store.case(number2).await.unwrap().is_none());
        let (_, view) =
            read_json(server.get(&format!("/api/status/{}", accepted["receipt"].as_str().unwrap()), &[]).await).await;
        assert_eq!(view["status"], "accepted");
        assert_eq!(view["premium"]["annual_premium"], quote.totals.annual_premium.to_string());
        assert_eq!(view["token"], accepted["token"]);

        // Unknown and malformed receipts: the same 404.
        for bad in ["x".repeat(43), "short".to_owned(), "%3Cscript%3E".to_owned()] {
            let (status, error) = read_json(server.get(&format!("/api/status/{bad}"), &[]).await).await;
            assert_eq!((status, error["errors"][0]["field"].as_str()), (404, Some("receipt")), "{bad}");
        }
        // The selling agent reads the same with their token; another agent cannot.
        let token = server.state.store.issue_agent_token("A1001", "test").await.unwrap().token;
        let other = server.state.store.issue_agent_token("B2002", "test").await.unwrap().token;
        let path = format!("/api/applications/{number}/status");
        let (status, agent_view) =
            read_json(server.get(&path, &[("authorization", &format!("Bearer {token}"))]).await).await;
        assert_eq!((status, &agent_view["status"]), (200, &json!("submitted")));
        let (status, _) = read_json(server.get(&path, &[("authorization", &format!("Bearer {other}"))]).await).await;
        assert_eq!(status, 404);
        assert_eq!(server.get(&path, &[]).await.status().as_u16(), 401);
    }
}

fn premia_core_request(days: u64) -> (premia_core::QuoteRequest, String) {
    support::quotes::applicant(days, &[])
}

/// The issue's walk: referred with two-person review; underwriter A accepts with a 50 % loading; A
/// cannot confirm; senior B confirms; the applicant's status shows the new premium and token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loading_needs_a_second_senior_who_is_not_its_author() {
    for (server, label, _db) in servers(|_| {}).await {
        let (quote, created) = submit(&server, heart_request(200)).await;
        let number = created["application"].as_str().unwrap().to_owned();
        let a = staff(&server, "a.underwriter", "underwriter").await;
        let s = staff(&server, "s.senior", "senior_underwriter").await;
        let b = staff(&server, "b.senior", "senior_underwriter").await;
        let case_path = format!("/api/desk/cases/{number}");

        let (status, view) = a.get(&server, &case_path).await;
        assert_eq!(status, 200, "{label}: {view}");
        assert!(view["allowed"]["decide"].as_bool().unwrap() && !view["allowed"]["review"].as_bool().unwrap());
        let (status, outcome) = a.post(&server, &format!("{case_path}/decisions"), &loading("0.50")).await;
        assert_eq!(status, 200, "{label}: {outcome}");
        assert_eq!(outcome["status"], "provisional");
        assert!(outcome.get("token").is_none(), "nothing is final before the second review");
        let new_first_year: rust_decimal::Decimal =
            outcome["quote"]["totals"]["first_year_premium"].as_str().unwrap().parse().unwrap();
        assert!(new_first_year > quote.totals.first_year_premium);
        let step = outcome["quote"]["coverages"][0]["worksheet"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == "underwriting.loading")
            .cloned()
            .expect("the loading is a worksheet step");
        assert_eq!(step["inputs"]["loading"], "0.50");

        // A (an underwriter) cannot confirm: the role. A senior cannot review a decision of their own.
        let agree = json!({ "agree": true });
        let (status, error) = a.post(&server, &format!("{case_path}/review"), &agree).await;
        assert_eq!((status, error["errors"][0]["code"].as_str()), (403, Some("role.forbidden")));
        let (_, second) = submit(&server, heart_request(201)).await;
        let second_path = format!("/api/desk/cases/{}", second["application"].as_str().unwrap());
        assert_eq!(s.post(&server, &format!("{second_path}/decisions"), &loading("0.25")).await.0, 200);
        let (status, error) = s.post(&server, &format!("{second_path}/review"), &agree).await;
        assert_eq!((status, error["errors"][0]["code"].as_str()), (403, Some("review.own_decision")), "{error}");
        assert_eq!(
            error["errors"][0]["message"]["en"],
            "a second review is by another senior underwriter: you cannot review your own decision"
        );

        // B confirms: final, with the new figures signed.
        let (status, done) = b.post(&server, &format!("{case_path}/review"), &agree).await;
        assert_eq!(status, 200, "{label}: {done}");
        assert_eq!(done["status"], "decided");
        let (_, jwks) = read_json(server.get("/api/keys", &[]).await).await;
        let payload = verify_token(done["token"].as_str().unwrap(), &jwks).unwrap();
        assert_eq!(payload["status"], "accepted");
        assert_eq!(payload["digest"], outcome["quote"]["digest"]);
        assert_eq!(payload["totals"]["first_year_premium"], new_first_year.to_string());
        let (_, again) = b.post(&server, &format!("{case_path}/review"), &agree).await;
        assert_eq!(again["errors"][0]["code"], "case.decided");

        let (status, view) =
            read_json(server.get(&format!("/api/status/{}", created["receipt"].as_str().unwrap()), &[]).await).await;
        assert_eq!(status, 200);
        assert_eq!(view["status"], "accepted");
        assert_eq!(view["premium"]["first_year_premium"], new_first_year.to_string());
        assert_eq!(view["loading"], "0.50");
        assert_eq!(view["token"], done["token"]);
        assert!(!view.to_string().contains("ECG"), "never the internal note");
        let (finals, reviews) = {
            let (d, r, f) = server.state.store.case_row_counts(&number).await.unwrap();
            assert_eq!(d, 1);
            (f, r)
        };
        assert_eq!((finals, reviews), (1, 1));
        let metrics = server.metrics();
        assert!(metrics.contains("premia_desk_time_to_decision_seconds_count 1\n"), "{metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_confirmations_finalise_once() {
    for (server, label, _db) in servers(|_| {}).await {
        let (_, created) = submit(&server, heart_request(300)).await;
        let number = created["application"].as_str().unwrap().to_owned();
        let a = staff(&server, "a.underwriter", "underwriter").await;
        assert_eq!(a.post(&server, &format!("/api/desk/cases/{number}/decisions"), &loading("1.00")).await.0, 200);
        let mut seniors = Vec::new();
        for i in 0..20 {
            seniors.push(staff(&server, &format!("senior{i:02}"), "senior_underwriter").await);
        }
        let server = std::sync::Arc::new(server);
        let tasks: Vec<_> = seniors
            .into_iter()
            .map(|senior| {
                let (server, path) = (std::sync::Arc::clone(&server), format!("/api/desk/cases/{number}/review"));
                tokio::spawn(async move { senior.post(&server, &path, &json!({ "agree": true })).await })
            })
            .collect();
        let mut codes = Vec::new();
        for task in tasks {
            let (status, body) = task.await.unwrap();
            codes.push((status, body["errors"][0]["code"].as_str().unwrap_or("ok").to_owned()));
        }
        let confirmed = codes.iter().filter(|(s, _)| *s == 200).count();
        assert_eq!(confirmed, 1, "{label}: {codes:?}");
        assert!(
            codes.iter().all(|(s, c)| *s == 200 || (*s == 409 && (c == "case.changed" || c == "case.decided"))),
            "{label}: {codes:?}"
        );
        assert_eq!(server.state.store.case_row_counts(&number).await.unwrap(), (1, 1, 1), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disagreement_goes_to_a_manager_who_made_neither_decision() {
    for (server, label, _db) in servers(|_| {}).await {
        let (_, created) = submit(&server, heart_request(400)).await;
        let path = format!("/api/desk/cases/{}", created["application"].as_str().unwrap());
        let a = staff(&server, "a.underwriter", "underwriter").await;
        let b = staff(&server, "b.senior", "senior_underwriter").await;
        let m = staff(&server, "m.manager", "manager").await;
        let (_, first) = a.post(&server, &format!("{path}/decisions"), &loading("0.25")).await;
        let decline = json!({ "agree": false, "verdict": { "kind": "decline", "reason": "HEALTH" }, "note": "echo shows LVEF 35%" });
        let (status, escalated) = b.post(&server, &format!("{path}/review"), &decline).await;
        assert_eq!((status, escalated["status"].as_str()), (200, Some("escalated")), "{label}: {escalated}");
        let (status, error) = b.post(&server, &format!("{path}/review"), &json!({ "agree": false })).await;
        assert_eq!((status, error["errors"][0]["field"].as_str()), (422, Some("verdict")));

        let (status, error) =
            a.post(&server, &format!("{path}/resolve"), &json!({ "decision": first["decision"] })).await;
        assert_eq!((status, error["errors"][0]["code"].as_str()), (403, Some("role.forbidden")));
        let (status, error) = m.post(&server, &format!("{path}/resolve"), &json!({ "decision": "nope" })).await;
        assert_eq!((status, error["errors"][0]["field"].as_str()), (422, Some("decision")));
        let (status, done) =
            m.post(&server, &format!("{path}/resolve"), &json!({ "decision": escalated["decision"] })).await;
        assert_eq!((status, done["status"].as_str()), (200, Some("decided")), "{done}");
        let (_, view) =
            read_json(server.get(&format!("/api/status/{}", created["receipt"].as_str().unwrap()), &[]).await).await;
        assert_eq!(view["status"], "declined");
        assert_eq!(view["reason"]["id"], "HEALTH");
        assert!(!view.to_string().contains("LVEF"), "never the internal note");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_underwriter_decides_an_ordinary_case_and_asks_for_facts() {
    for (server, label, _db) in servers(|_| {}).await {
        let (_, created) = submit(&server, heavy_request(500)).await;
        let number = created["application"].as_str().unwrap();
        let case = server.state.store.case(number).await.unwrap().unwrap();
        assert!(!case.needs_second_review, "{label}: BMI alone is one underwriter's");
        let receipt = created["receipt"].as_str().unwrap();
        let path = format!("/api/desk/cases/{number}");
        let a = staff(&server, "a.underwriter", "underwriter").await;
        let (status, outcome) =
            a.post(&server, &format!("{path}/decisions"), &json!({ "verdict": { "kind": "medical_exam" } })).await;
        assert_eq!((status, outcome["status"].as_str()), (200, Some("waiting")), "{outcome}");
        let (_, view) = read_json(server.get(&format!("/api/status/{receipt}"), &[]).await).await;
        assert_eq!(
            (view["status"].as_str(), view["requested"]["id"].as_str()),
            (Some("under_review"), Some("medical_exam"))
        );

        // Bad verdicts: typed, bilingual, naming the field.
        let (status, error) = a.post(&server, &format!("{path}/decisions"), &loading("0.30")).await;
        assert_eq!((status, error["errors"][0]["field"].as_str()), (422, Some("verdict.loading")));
        assert_eq!(error["errors"][0]["code"], "desk.loading_step");
        assert!(error["errors"][0]["message"]["zh"].as_str().unwrap().contains("加费"));
        let (status, error) = a
            .post(&server, &format!("{path}/decisions"), &json!({ "verdict": { "kind": "accept", "premium": "1" } }))
            .await;
        assert_eq!((status, error["errors"][0]["field"].as_str()), (400, Some("verdict")), "{error}");
        let (status, error) = a
            .post(
                &server,
                &format!("{path}/decisions"),
                &json!({ "verdict": { "kind": "postpone", "months": 5, "reason": "HEALTH" } }),
            )
            .await;
        assert_eq!((status, error["errors"][0]["field"].as_str()), (422, Some("verdict.months")));

        let postpone = json!({ "verdict": { "kind": "postpone", "months": 6, "reason": "HEALTH" } });
        let key = [("idempotency-key", "postpone-500")];
        let (status, done) = a.post_with(&server, &format!("{path}/decisions"), &postpone, &key).await;
        assert_eq!((status, done["status"].as_str()), (200, Some("decided")), "{done}");
        // A retry with the key answers the same, writing nothing; another body with it is refused.
        let (status, again) = a.post_with(&server, &format!("{path}/decisions"), &postpone, &key).await;
        assert_eq!((status, &again), (200, &done));
        let (status, error) = a.post_with(&server, &format!("{path}/decisions"), &loading("0.5"), &key).await;
        assert_eq!((status, error["errors"][0]["code"].as_str()), (422, Some("idempotency_key.reused")));
        assert_eq!(server.state.store.case_row_counts(number).await.unwrap(), (2, 0, 1));
        let (_, view) = read_json(server.get(&format!("/api/status/{receipt}"), &[]).await).await;
        assert_eq!((view["status"].as_str(), view["postpone_months"].as_u64()), (Some("postponed"), Some(6)));

        // The status page, in both languages.
        let page = server.get(&format!("/status/{receipt}?lang=en"), &[]).await;
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        let html = page.text().await.unwrap();
        assert!(html.contains("data-status=\"postponed\"") && html.contains("6 months"), "{html}");
        let html = server.get(&format!("/status/{receipt}"), &[]).await.text().await.unwrap();
        assert!(html.contains("延期承保") && html.contains("健康状况不符合承保要求"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_view_shows_what_is_needed_without_the_id_and_is_audited() {
    for (server, label, _db) in servers(|_| {}).await {
        // The same person applies twice: the second case lists the first.
        let (_, first) = submit(&server, heavy_request(600)).await;
        let (_, created) = submit(&server, heart_request(600)).await;
        let number = created["application"].as_str().unwrap();
        let a = staff(&server, "a.underwriter", "underwriter").await;
        let (status, view) = a.get(&server, &format!("/api/desk/cases/{number}")).await;
        assert_eq!(status, 200, "{label}: {view}");
        let text = view.to_string();
        assert!(!text.contains("resident_id"), "neither the number nor its hash");
        assert_eq!(view["related"][0]["application"], first["application"]);
        assert_eq!(view["insured"]["bmi"], "22.5");
        let heart = view["health"].as_array().unwrap().iter().find(|l| l["question"] == "HEART").unwrap();
        assert_eq!(heart["yes"], true);
        assert!(view["quote"]["decision"]["reasons"].as_array().unwrap().iter().any(|r| r["rule"] == "question.HEART"));
        assert_eq!(view["options"]["loadings"][0], "0.25");
        assert!(view["options"]["exclusions"].as_array().unwrap().iter().any(|e| e["id"] == "THYROID"));
        let audit = server.state.store.audit_of(number).await.unwrap();
        assert!(audit.iter().any(|e| e.event == "case.opened" && e.actor.as_deref() == Some("a.underwriter")));
        // Opened: the applicant now reads "under review".
        let (_, status_view) =
            read_json(server.get(&format!("/api/status/{}", created["receipt"].as_str().unwrap()), &[]).await).await;
        assert_eq!(status_view["status"], "under_review");
    }
}

/// A case whose application the release before issue 10 stored: its quote carries the insured's
/// salted `resident_id_hash`, which the core no longer reads. The desk still opens it (without the
/// hash), and its applicant's status still reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_stored_before_issue_10_still_opens() {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    for (server, label, _db) in servers(|_| {}).await {
        let (_, created) = submit(&server, heart_request(610)).await;
        let number = created["application"].as_str().unwrap();
        let record = server.state.store.application(number).await.unwrap().unwrap();
        let mut old: Value = serde_json::from_str(&record.quote_json).unwrap();
        old["request"]["insured"]["resident_id_hash"] =
            json!("9f2b8c1d0e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c");
        let mut conn = sqlx::AnyConnection::connect(&server.state.config.database_url()).await.unwrap();
        sqlx::query("UPDATE applications SET quote_json = $1 WHERE number = $2")
            .bind(old.to_string())
            .bind(number)
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();

        let a = staff(&server, "a.underwriter", "underwriter").await;
        let (status, view) = a.get(&server, &format!("/api/desk/cases/{number}")).await;
        assert_eq!(status, 200, "{label}: {view}");
        assert!(!view.to_string().contains("resident_id"), "{label}: neither the number nor its hash");
        assert_eq!(view["application"], created["application"]);
        assert!(view["quote"]["decision"]["reasons"].as_array().unwrap().iter().any(|r| r["rule"] == "question.HEART"));
        let (status, receipt) =
            read_json(server.get(&format!("/api/status/{}", created["receipt"].as_str().unwrap()), &[]).await).await;
        assert_eq!((status, &receipt["status"]), (200, &json!("under_review")), "{label}: {receipt}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_lists_oldest_first_with_filters_and_pages() {
    for (server, label, db) in servers(|config| config.desk.sla_hours = 24).await {
        let numbers = referred(&server, 5, 700).await;
        // The oldest is made 30 hours old, past the 24-hour target.
        let url = db.as_ref().map_or_else(|| server.state.config.database_url(), |d| d.url.clone());
        age_case(&url, &numbers[0], 30).await;
        let a = staff(&server, "a.underwriter", "underwriter").await;
        let (status, page) = a.get(&server, "/api/desk/cases?limit=2").await;
        assert_eq!(status, 200, "{label}: {page}");
        let listed: Vec<&str> =
            page["cases"].as_array().unwrap().iter().map(|c| c["application"].as_str().unwrap()).collect();
        assert_eq!(listed, [numbers[0].as_str(), numbers[1].as_str()]);
        assert_eq!(page["cases"][0]["sla_breached"], true);
        assert_eq!(page["cases"][0]["age_hours"], 30);
        let next = page["next"].as_str().unwrap();
        let (_, rest) = a.get(&server, &format!("/api/desk/cases?limit=2&cursor={next}")).await;
        assert_eq!(rest["cases"][0]["application"], numbers[2].as_str());

        let count = |v: &Value| v["cases"].as_array().unwrap().len();
        assert_eq!(count(&a.get(&server, "/api/desk/cases?sla=breached").await.1), 1);
        assert_eq!(count(&a.get(&server, "/api/desk/cases?second_review=true").await.1), 3);
        assert_eq!(count(&a.get(&server, "/api/desk/cases?min_age_hours=29").await.1), 1);
        assert_eq!(count(&a.get(&server, "/api/desk/cases?product=CI&line=critical_illness").await.1), 5);
        assert_eq!(count(&a.get(&server, "/api/desk/cases?product=TERM").await.1), 0);
        assert_eq!(count(&a.get(&server, "/api/desk/cases?status=decided").await.1), 0);
        for (query, field) in [
            ("status=closed", "status"),
            ("limit=0", "limit"),
            ("sla=late", "sla"),
            ("colour=red", "colour"),
            ("cursor=zz", "cursor"),
        ] {
            let (status, error) = a.get(&server, &format!("/api/desk/cases?{query}")).await;
            assert_eq!((status, error["errors"][0]["field"].as_str()), (422, Some(field)), "{query}");
        }
        let (status, stats) = a.get(&server, "/api/desk/stats").await;
        assert_eq!((status, stats["open"].as_i64(), stats["breached"].as_i64()), (200, Some(5), Some(1)), "{stats}");
        assert_eq!(stats["windows"][0]["days"], 7);

        // The review inbox: provisional cases someone else decided.
        let s = staff(&server, "s.senior", "senior_underwriter").await;
        let b = staff(&server, "b.senior", "senior_underwriter").await;
        s.post(&server, &format!("/api/desk/cases/{}/decisions", numbers[2]), &loading("0.5")).await;
        assert_eq!(count(&s.get(&server, "/api/desk/cases?review=awaiting").await.1), 0);
        let (_, inbox) = b.get(&server, "/api/desk/cases?review=awaiting").await;
        assert_eq!(inbox["cases"][0]["application"], numbers[2].as_str());
        assert_eq!(inbox["cases"][0]["pending_by"], "s.senior");
    }
}

async fn age_case(url: &str, number: &str, hours: i64) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query("UPDATE cases SET created_at = created_at - $1 WHERE application_number = $2")
        .bind(hours * 3_600_000)
        .bind(number)
        .execute(&mut conn)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_out_and_backing_off() {
    let server = TestServer::start(None, |_| {}).await;
    let password = desk::add_staff(&server, "wang", "underwriter").await;
    let wrong = json!({ "username": "wang", "password": "not-the-password" }).to_string();
    let nobody = json!({ "username": "nobody", "password": "not-the-password" }).to_string();
    for body in [&wrong, &nobody] {
        let (status, error) = read_json(server.post("/api/staff/login", body.clone(), &[]).await).await;
        assert_eq!((status, error["errors"][0]["code"].as_str()), (401, Some("auth.invalid")), "same answer for both");
    }
    let response =
        server.post("/api/staff/login", json!({ "username": "wang", "password": password }).to_string(), &[]).await;
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("; HttpOnly; SameSite=Strict") && !cookie.contains("Secure"), "{cookie}");
    let me: Value = response.json().await.unwrap();
    assert_eq!((me["role"].as_str(), me["csrf"].as_str().unwrap().len()), (Some("underwriter"), 43));
    let session = Session {
        username: "wang".into(),
        cookie: cookie.split(';').next().unwrap().to_owned(),
        csrf: me["csrf"].as_str().unwrap().to_owned(),
    };

    // No CSRF token, or a cross-site origin: refused before anything changes.
    let (status, error) = read_json(server.post("/api/staff/logout", "{}", &[("cookie", &session.cookie)]).await).await;
    assert_eq!((status, error["errors"][0]["code"].as_str()), (403, Some("csrf.invalid")));
    let (status, error) =
        session.post_with(&server, "/api/staff/logout", &json!({}), &[("origin", "https://evil.example")]).await;
    assert_eq!((status, error["errors"][0]["code"].as_str()), (403, Some("csrf.origin")));
    assert_eq!(session.post(&server, "/api/staff/logout", &json!({})).await.0, 204);
    let (status, error) = session.get(&server, "/api/staff/me").await;
    assert_eq!((status, error["errors"][0]["code"].as_str()), (401, Some("auth.expired")), "revoked");

    // After five failures in a row the next attempt waits, even with the right password.
    for _ in 0..5 {
        server.post("/api/staff/login", wrong.clone(), &[]).await;
    }
    let throttled =
        server.post("/api/staff/login", json!({ "username": "wang", "password": password }).to_string(), &[]).await;
    assert_eq!(throttled.status().as_u16(), 429);
    assert!(throttled.headers()["retry-after"].to_str().unwrap().parse::<u32>().unwrap() >= 1);
    // A disabled account cannot sign in; a reset password ends sessions and clears the count.
    let session = desk::login(&server, "a.b", &desk::add_staff(&server, "a.b", "manager").await).await;
    assert!(server.state.store.staff_disable("a.b", "test").await.unwrap());
    assert_eq!(session.get(&server, "/api/staff/me").await.0, 401);
    let again = server
        .post("/api/staff/login", json!({ "username": "a.b", "password": "a.b-correct-horse" }).to_string(), &[])
        .await;
    assert_eq!(again.status().as_u16(), 401);
    let events: Vec<String> = server.state.store.audit_log(100).await.unwrap().into_iter().map(|e| e.event).collect();
    for event in ["staff.login", "staff.login_failed", "staff.logout", "staff.disabled"] {
        assert!(events.iter().any(|e| e == event), "{event} audited");
    }
}

/// Every staff route, for every role and without a session: 401 without one, 403 for a role that may
/// not, and past the gate (anything but 401/403) for one that may. State-changing routes also refuse a
/// request without the CSRF token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_staff_route_by_role_and_without_a_session() {
    let server = TestServer::start(None, |_| {}).await;
    let number = referred(&server, 1, 900).await.remove(0);
    let mut sessions = Vec::new();
    for role in Role::ALL {
        sessions.push((role, staff(&server, &format!("user.{}", role.name()), role.name()).await));
    }
    let mut walked = 0;
    for &(method, pattern, access) in STAFF_ROUTES {
        let path = pattern.replace("{number}", &number);
        if access == Access::Public {
            let (status, _) = read_json(server.post(&path, "{}", &[]).await).await;
            assert_eq!(status, 400, "{pattern} is public and reads its body");
            continue;
        }
        let anonymous = match method {
            "get" => server.get(&path, &[]).await,
            _ => server.post(&path, "{}", &[]).await,
        };
        assert_eq!(anonymous.status().as_u16(), 401, "{method} {pattern} without a session");
        for (role, session) in &sessions {
            // Logging out would end the session the rest of the walk uses: that route is checked last.
            if pattern == "/api/staff/logout" {
                continue;
            }
            let (status, body) = match method {
                "get" => session.get(&server, &path).await,
                _ => session.post(&server, &path, &json!({})).await,
            };
            let allowed = match access {
                Access::Needs(permission) => role.may(permission),
                _ => true,
            };
            let code = body["errors"][0]["code"].as_str().unwrap_or_default().to_owned();
            if allowed {
                assert!(status != 401 && status != 403, "{method} {pattern} as {role:?}: {status} {body}");
                if method == "post" {
                    let bare = server.post(&path, "{}", &[("cookie", &session.cookie)]).await;
                    assert_eq!(bare.status().as_u16(), 403, "{pattern} as {role:?} without CSRF");
                }
            } else {
                assert_eq!((status, code.as_str()), (403, "role.forbidden"), "{method} {pattern} as {role:?}");
            }
            walked += 1;
        }
    }
    for (_, session) in &sessions {
        assert_eq!(session.post(&server, "/api/staff/logout", &json!({})).await.0, 204);
        walked += 1;
    }
    assert_eq!(walked, (STAFF_ROUTES.len() - 1) * Role::ALL.len());
}

/// `openapi.json` is written by hand: hold each documented answer to what the server sends (every key
/// sent is documented, every required key is sent), and the staff routes to the documented ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_the_desk_as_it_answers() {
    let server = TestServer::start(None, |_| {}).await;
    let (_, openapi) = read_json(server.get("/api/openapi.json", &[]).await).await;
    for (method, path, _) in STAFF_ROUTES {
        assert!(openapi["paths"][path][method].is_object(), "{method} {path} documented");
    }
    let (_, created) = submit(&server, heart_request(950)).await;
    let number = created["application"].as_str().unwrap();
    let a = staff(&server, "a.underwriter", "underwriter").await;
    let me = a.get(&server, "/api/staff/me").await.1;
    let list = a.get(&server, "/api/desk/cases").await.1;
    let view = a.get(&server, &format!("/api/desk/cases/{number}")).await.1;
    let outcome = a.post(&server, &format!("/api/desk/cases/{number}/decisions"), &loading("0.5")).await.1;
    let stats = a.get(&server, "/api/desk/stats").await.1;
    let status =
        read_json(server.get(&format!("/api/status/{}", created["receipt"].as_str().unwrap()), &[]).await).await.1;
    let schemas = &openapi["components"]["schemas"];
    for (schema, answer) in [
        ("Application", &created),
        ("StaffMe", &me),
        ("CaseList", &list),
        ("CaseSummary", &list["cases"][0]),
        ("CaseView", &view),
        ("DeskOutcome", &outcome),
        ("DeskStats", &stats),
        ("ApplicationStatus", &status),
    ] {
        let documented = schemas[schema]["properties"].as_object().unwrap();
        for key in answer.as_object().unwrap().keys() {
            assert!(documented.contains_key(key), "{schema}.{key} is sent but not documented");
        }
        for key in schemas[schema]["required"].as_array().unwrap() {
            assert!(answer.get(key.as_str().unwrap()).is_some(), "{schema}.{key} is required but not sent");
        }
    }
}

//! The HTTP API end to end, on SQLite and (when available) PostgreSQL: submitting, signing, idempotent
//! retries, the blacklist, agent access, bad input, caching, CORS, metrics and the static site.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::collections::BTreeSet;

use premia_server::config::BlacklistAction;
use premia_server::signing::verify_token;
use serde_json::{Value, json};
use support::quotes;
use support::server::{TestServer, json as read_json, servers};

fn body(quote: &premia_core::Quote) -> Vec<u8> {
    serde_json::to_vec(quote).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_stores_signs_and_lets_the_agent_read_it_back() {
    for (server, label, _db) in servers(|_| {}).await {
        let catalogue = premia_core::demo::catalogue();
        let application = quotes::one(&catalogue, 42, Some("A1001"));
        let quote = &application.quote;
        let (status, created) = read_json(server.post("/api/quotes", application.envelope(), &[]).await).await;
        assert_eq!(status, 201, "{label}: {created}");
        let number = created["application"].as_str().unwrap().to_owned();
        assert!(number.starts_with("PA20261125-"), "{number}");
        assert_eq!(created["status"], "accepted");
        assert_eq!(created["digest"], quote.digest.as_str());

        // The token verifies offline against /api/keys and names what was accepted.
        let (status, jwks) = read_json(server.get("/api/keys", &[]).await).await;
        assert_eq!(status, 200);
        let payload = verify_token(created["token"].as_str().unwrap(), &jwks).expect("token verifies");
        assert_eq!(payload["sub"], number.as_str());
        assert_eq!(payload["digest"], quote.digest.as_str());
        assert_eq!(payload["totals"]["annual_premium"], quote.totals.annual_premium.to_string().as_str());

        // Stored: the agent who sold it reads it with a token; nobody else can.
        let store = &server.state.store;
        let agent = store.issue_agent_token("A1001", "test").await.unwrap();
        let other = store.issue_agent_token("B2002", "test").await.unwrap();
        let path = format!("/api/applications/{number}");
        let bearer = |t: &str| format!("Bearer {t}");
        let (status, stored) = read_json(server.get(&path, &[("authorization", &bearer(&agent.token))]).await).await;
        assert_eq!(status, 200, "{label}: {stored}");
        assert_eq!(stored["quote"], serde_json::to_value(quote).unwrap(), "the server's quote is stored whole");
        assert_eq!(stored["request"], serde_json::to_value(&quote.request).unwrap());
        assert_eq!(stored["token"], created["token"]);
        let (status, _) = read_json(server.get(&path, &[("authorization", &bearer(&other.token))]).await).await;
        assert_eq!(status, 404, "another agent's application is not found");
        let missing = server.get(&path, &[]).await;
        assert_eq!(missing.status(), 401);
        assert_eq!(missing.headers()["www-authenticate"], "Bearer realm=\"premia\"");
        store.revoke_agent_tokens(&agent.id).await.unwrap();
        let (status, error) = read_json(server.get(&path, &[("authorization", &bearer(&agent.token))]).await).await;
        assert_eq!((status, error["errors"][0]["code"].as_str()), (401, Some("auth.invalid")), "revoked");
        assert_eq!(store.application_count().await.unwrap(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_retries_with_one_key_make_one_application() {
    for (server, label, _db) in servers(|_| {}).await {
        let catalogue = premia_core::demo::catalogue();
        let application = quotes::one(&catalogue, 5, Some("A1002"));
        let token = server.token_for("A1002").await;
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let (client, url, body) = (server.client.clone(), server.url("/api/quotes"), application.envelope());
                let token = token.clone();
                tokio::spawn(async move {
                    let response = client
                        .post(url)
                        .header("content-type", "application/json")
                        .header("authorization", token)
                        .header("idempotency-key", "4f1c7d6e-retry-once")
                        .body(body)
                        .send()
                        .await
                        .unwrap();
                    read_json(response).await
                })
            })
            .collect();
        let mut numbers = BTreeSet::new();
        let mut tokens = BTreeSet::new();
        for task in tasks {
            let (status, created) = task.await.unwrap();
            assert_eq!(status, 201, "{label}: {created}");
            numbers.insert(created["application"].as_str().unwrap().to_owned());
            tokens.insert(created["token"].as_str().unwrap().to_owned());
        }
        assert_eq!(numbers.len(), 1, "{label}: one application for every retry");
        assert_eq!(tokens.len(), 1, "{label}: the same token for every retry");
        assert_eq!(server.state.store.application_count().await.unwrap(), 1, "{label}");

        // Whitespace does not make a retry different; another quote does.
        let pretty =
            serde_json::to_vec_pretty(&json!({ "resident_id": application.resident_id, "quote": application.quote }))
                .unwrap();
        let response = server.post("/api/quotes", pretty, &[("idempotency-key", "4f1c7d6e-retry-once")]).await;
        assert_eq!(response.headers()["idempotent-replayed"], "true");
        assert_eq!(response.status(), 201);
        // Another quote for the same person under the same key: refused, naming no application.
        let mut changed = application.quote.request.clone();
        changed.insured.smoker = !changed.insured.smoker;
        let other = premia_core::quote(&catalogue, &changed).unwrap();
        let (status, error) = read_json(
            server
                .post(
                    "/api/quotes",
                    quotes::envelope(&other, &application.resident_id),
                    &[("idempotency-key", "4f1c7d6e-retry-once")],
                )
                .await,
        )
        .await;
        assert_eq!(status, 422, "{label}: {error}");
        assert_eq!(error["errors"][0]["code"], "idempotency_key.reused");
        assert_eq!(error["errors"][0]["field"], "Idempotency-Key");
        assert!(numbers.iter().all(|n| !error.to_string().contains(n.as_str())), "no application is named: {error}");
        assert_eq!(server.state.store.application_count().await.unwrap(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blacklisted_agents_are_declined_or_referred_as_configured() {
    let catalogue = premia_core::demo::catalogue();
    let application = quotes::one(&catalogue, 9, Some("A6666"));
    for (server, label, _db) in servers(|_| {}).await {
        let store = &server.state.store;
        store.blacklist_agent("A6666", "commission fraud", "test").await.unwrap();
        let (status, error) = read_json(server.post("/api/quotes", application.envelope(), &[]).await).await;
        assert_eq!(status, 403, "{label}: {error}");
        assert_eq!(error["errors"][0]["code"], "blacklist.declined");
        assert_eq!(error["errors"][0]["field"], "Authorization", "the agent's own token is refused: {error}");
        assert!(!error.to_string().contains("commission fraud"), "the reason stays internal");
        assert_eq!(store.application_count().await.unwrap(), 0);
        let log = store.audit_log(20).await.unwrap();
        assert!(log.iter().any(|e| e.event == "blacklist.declined" && e.actor.as_deref() == Some("A6666")), "{label}");
        // Another agent is not affected.
        let fine = quotes::one(&catalogue, 9, Some("A1001"));
        assert_eq!(server.post("/api/quotes", fine.envelope(), &[]).await.status(), 201);
    }
    for (server, label, _db) in servers(|c| c.blacklist_action = BlacklistAction::Refer).await {
        server.state.store.blacklist_agent("A6666", "commission fraud", "test").await.unwrap();
        let (status, created) = read_json(server.post("/api/quotes", application.envelope(), &[]).await).await;
        assert_eq!((status, created["status"].as_str()), (201, Some("referred")), "{label}: {created}");
        let log = server.state.store.audit_log(20).await.unwrap();
        let number = created["application"].as_str().unwrap();
        assert!(log.iter().any(|e| e.event == "blacklist.referred" && e.application.as_deref() == Some(number)));
    }
}

/// What an answer must be: status, and (unless empty) the first error's code and field.
type Expected = (u16, &'static str, &'static str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_typed_4xx_never_500() {
    let server = TestServer::start(None, |_| {}).await;
    let catalogue = premia_core::demo::catalogue();
    let application = quotes::one(&catalogue, 3, None);
    let id = application.resident_id.clone();
    let quote = serde_json::to_value(&application.quote).unwrap();
    let with = |pointer: &str, new: Value| {
        let mut q = quote.clone();
        *q.pointer_mut(pointer).unwrap() = new;
        serde_json::to_vec(&q).unwrap()
    };
    let without = |parent: &str, key: &str| {
        let mut q = quote.clone();
        q.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(key);
        serde_json::to_vec(&q).unwrap()
    };
    let mut unknown = quote.clone();
    unknown["request"]["insured"]["shoe_size"] = json!(42);
    let mut unknown_top = quote.clone();
    unknown_top["discount_override"] = json!("0.5");
    let mut huge = quote.clone();
    huge["request"]["insured"]["region"] = json!("x".repeat(70 * 1024));

    // (what, the quote's bytes, expected from /api/quotes/verify, expected from /api/quotes with the quote
    // in an envelope). Submitting names the quote's fields inside the envelope (`quote.…`), and checks the
    // resident ID number against the quote's birth date and sex before the core sees the request.
    let cases: Vec<(&str, Vec<u8>, Expected, Expected)> = vec![
        ("malformed JSON", b"{\"catalogue\": {".to_vec(), (400, "syntax", "body"), (400, "syntax", "body")),
        ("not an object", b"[1, 2, 3]".to_vec(), (400, "syntax", "body"), (400, "syntax", "quote")),
        ("empty body", Vec::new(), (400, "syntax", "body"), (400, "syntax", "body")),
        (
            "unknown field",
            serde_json::to_vec(&unknown).unwrap(),
            (400, "syntax", "request.insured.shoe_size"),
            (400, "syntax", "quote.request.insured.shoe_size"),
        ),
        (
            "unknown top-level field",
            serde_json::to_vec(&unknown_top).unwrap(),
            (400, "syntax", "discount_override"),
            (400, "syntax", "quote.discount_override"),
        ),
        (
            "wrong type",
            with("/coverages/0/age", json!("thirty")),
            (400, "syntax", "coverages[0].age"),
            (400, "syntax", "quote.coverages[0].age"),
        ),
        (
            "negative age",
            with("/coverages/0/age", json!(-1)),
            (400, "syntax", "coverages[0].age"),
            (400, "syntax", "quote.coverages[0].age"),
        ),
        (
            "money as a float in the request",
            with("/request/coverages/0/sum_assured", json!(300000.0)),
            (400, "syntax", "request.coverages[0].sum_assured"),
            (400, "syntax", "quote.request.coverages[0].sum_assured"),
        ),
        (
            "missing field",
            without("/request/insured", "smoker"),
            (400, "syntax", "request.insured"),
            (400, "syntax", "quote.request.insured"),
        ),
        (
            "missing sex (the core requires it without an ID; the submission, beside its number)",
            without("/request/insured", "sex"),
            (422, "required", "insured.sex"),
            (422, "required", "quote.request.insured.sex"),
        ),
        ("missing totals", without("", "totals"), (400, "syntax", "body"), (400, "syntax", "quote")),
        (
            "body over 64 KiB",
            serde_json::to_vec(&huge).unwrap(),
            (413, "range.out", "body"),
            (413, "range.out", "body"),
        ),
        (
            "absurd sum assured",
            with("/request/coverages/0/sum_assured", json!("1000000000000000000000")),
            (422, "", ""),
            (422, "", ""),
        ),
        (
            "birth date in 1800",
            with("/request/insured/birth_date", json!("1800-01-01")),
            (422, "", ""),
            (422, "resident_id.contradicts", "quote.request.insured.birth_date"),
        ),
        (
            "birth date in the future",
            with("/request/insured/birth_date", json!("2090-01-01")),
            (422, "birth_date.future", "insured.birth_date"),
            (422, "resident_id.contradicts", "quote.request.insured.birth_date"),
        ),
        (
            "occupation class 99",
            with("/request/insured/occupation_class", json!(99)),
            (422, "occupation.invalid", "insured.occupation_class"),
            (422, "occupation.invalid", "insured.occupation_class"),
        ),
    ];
    let check = |path: &str, what: &str, (got, answer): (u16, Value), (status, code, field): Expected| {
        assert_eq!(got, status, "{path} {what}: {answer}");
        let error = &answer["errors"][0];
        if !code.is_empty() {
            assert_eq!(error["code"], code, "{path} {what}: {answer}");
            assert_eq!(error["field"], field, "{path} {what}: {answer}");
        }
        assert!(error["message"]["zh"].as_str().is_some_and(|m| !m.is_empty()), "{what}: zh message");
        assert!(error["message"]["en"].as_str().is_some_and(|m| !m.is_empty()), "{what}: en message");
    };
    for (what, bytes, verify, submit) in &cases {
        let answer = read_json(server.post("/api/quotes/verify", bytes.clone(), &[]).await).await;
        check("/api/quotes/verify", what, answer, *verify);
        // The quote's bytes inside the envelope as they are, malformed or not.
        let envelope = [b"{\"quote\":".as_slice(), bytes, b",\"resident_id\":\"", id.as_bytes(), b"\"}"].concat();
        let answer = read_json(server.post("/api/quotes", envelope, &[]).await).await;
        check("/api/quotes", what, answer, *submit);
    }
    // A figure written as a JSON number instead of a decimal string is named as a mismatch.
    let float = with("/totals/annual_premium", json!(1234.5));
    let (status, verdict) = read_json(server.post("/api/quotes/verify", float.clone(), &[]).await).await;
    assert_eq!((status, verdict["mismatches"][0]["path"].as_str()), (200, Some("/totals/annual_premium")));
    let float: Value = serde_json::from_slice(&float).unwrap();
    let (status, answer) = read_json(server.post("/api/quotes", quotes::envelope_value(&float, &id), &[]).await).await;
    assert_eq!((status, answer["errors"][0]["field"].as_str()), (422, Some("/totals/annual_premium")));
    // Not JSON at all.
    let response = server
        .client
        .post(server.url("/api/quotes"))
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .unwrap();
    let (status, answer) = read_json(response).await;
    assert_eq!((status, answer["errors"][0]["code"].as_str()), (415, Some("content_type")));
    let (status, answer) =
        read_json(server.post("/api/quotes", application.envelope(), &[("idempotency-key", "")]).await).await;
    assert_eq!((status, answer["errors"][0]["code"].as_str()), (400, Some("idempotency_key.invalid")));
    let (status, _) = read_json(server.get("/api/nothing-here", &[]).await).await;
    assert_eq!(status, 404);
    assert_eq!(server.state.store.application_count().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_quotes_get_a_fresh_one() {
    let server = TestServer::start(None, |_| {}).await;
    let catalogue = premia_core::demo::catalogue();
    let application = quotes::one(&catalogue, 8, None);
    let mut request = application.quote.request;
    request.quote_date = quotes::today() - chrono::Days::new(40);
    let old = premia_core::quote(&catalogue, &request).unwrap();
    let (status, verdict) = read_json(server.post("/api/quotes/verify", body(&old), &[]).await).await;
    assert_eq!(status, 200);
    assert_eq!(verdict["verdict"], "requote_needed");
    assert_eq!(verdict["reason"], "expired");
    assert_eq!(verdict["fresh"]["request"]["quote_date"], "2026-11-25");
    let (status, answer) =
        read_json(server.post("/api/quotes", quotes::envelope(&old, &application.resident_id), &[]).await).await;
    assert_eq!(status, 409);
    assert_eq!(answer["errors"][0]["code"], "quote.requote_needed");
    assert_eq!(answer["requote"]["fresh"]["valid_until"], "2026-12-25");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_is_cacheable_by_etag() {
    let server = TestServer::start(None, |_| {}).await;
    let (status, list) = read_json(server.get("/api/catalogue", &[]).await).await;
    assert_eq!(status, 200);
    let version = list["in_force"].as_str().unwrap().to_owned();
    assert_eq!(list["versions"][0]["href"], format!("/api/catalogue/{version}"));
    let response = server.get(&format!("/api/catalogue/{version}"), &[]).await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let (status, document) = read_json(response).await;
    assert_eq!(status, 200);
    assert_eq!(etag, format!("\"{}\"", document["content_hash"].as_str().unwrap()));
    assert!(document["document"].as_str().unwrap().contains("[catalogue]"));
    let again = server.get(&format!("/api/catalogue/{version}"), &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(server.get("/api/catalogue/1999.1.0", &[]).await.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_documents_every_route() {
    let server = TestServer::start(None, |_| {}).await;
    let (status, openapi) = read_json(server.get("/api/openapi.json", &[]).await).await;
    assert_eq!(status, 200);
    assert_eq!(openapi["openapi"], "3.1.0");
    let documented: BTreeSet<(String, String)> = openapi["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| (m.clone(), path.clone())))
        .collect();
    let served: BTreeSet<(String, String)> =
        premia_server::routes::API.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    assert_eq!(documented, served);

    // The bodies: verifying takes a bare quote; submitting, the envelope with exactly the fields the server
    // reads, every one required, nothing else allowed.
    let resolve = |reference: &Value| {
        let pointer = reference["$ref"].as_str().unwrap().trim_start_matches('#').to_owned();
        openapi.pointer(&pointer).unwrap().clone()
    };
    let body_schema = |path: &str| {
        let body = resolve(&openapi["paths"][path]["post"]["requestBody"]);
        resolve(&body["content"]["application/json"]["schema"])
    };
    assert_eq!(body_schema("/api/quotes/verify"), openapi["components"]["schemas"]["Quote"]);
    let envelope = body_schema("/api/quotes");
    let fields: Vec<&str> = premia_server::envelope::FIELDS.to_vec();
    assert_eq!(envelope["required"], json!(["quote", "resident_id"]), "the stamp is optional");
    assert_eq!(envelope["properties"].as_object().unwrap().keys().map(String::as_str).collect::<Vec<_>>(), fields);
    assert_eq!(envelope["additionalProperties"], false);
    assert_eq!(resolve(&envelope["properties"]["quote"]), openapi["components"]["schemas"]["Quote"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_cors() {
    let server = TestServer::start(None, |c| c.allowed_origins = vec!["https://crm.example.com".into()]).await;
    let (status, health) = read_json(server.get("/healthz", &[]).await).await;
    assert_eq!((status, health["status"].as_str(), health["database"].as_str()), (200, Some("ok"), Some("sqlite")));

    let catalogue = premia_core::demo::catalogue();
    server.post("/api/quotes/verify", body(&quotes::one(&catalogue, 1, None).quote), &[]).await;
    server.post("/api/quotes/verify", b"{".to_vec(), &[]).await;
    server.post("/api/quotes", quotes::one(&catalogue, 2, None).envelope(), &[]).await;
    let metrics = server.metrics();
    for line in [
        "premia_verifications_total{outcome=\"valid\"} 2",
        "premia_verifications_total{outcome=\"rejected\"} 1",
        "premia_http_requests_total{route=\"/api/quotes/verify\",status=\"2xx\"} 1",
        "premia_http_requests_total{route=\"/api/quotes/verify\",status=\"4xx\"} 1",
        "premia_applications_total{outcome=\"accepted\"} 1",
        "premia_http_request_duration_seconds_count{route=\"/api/quotes\"} 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "missing {line:?} in\n{metrics}");
    }

    let allowed = server.get("/api/catalogue", &[("origin", "https://crm.example.com")]).await;
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://crm.example.com");
    let other = server.get("/api/catalogue", &[("origin", "https://evil.example.com")]).await;
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let preflight = server
        .client
        .request(reqwest::Method::OPTIONS, server.url("/api/quotes"))
        .header("origin", "https://crm.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,idempotency-key")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert!(preflight.headers()["access-control-allow-headers"].to_str().unwrap().contains("idempotency-key"));

    let same_origin_only = TestServer::start(None, |_| {}).await;
    let response = same_origin_only.get("/api/catalogue", &[("origin", "https://crm.example.com")]).await;
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_site_is_served_or_explained() {
    let server = TestServer::start(None, |_| {}).await;
    let response = server.get("/", &[]).await;
    assert_eq!(response.status(), 503);
    let page = response.text().await.unwrap();
    assert!(page.contains("scripts/web-build.sh") && page.contains("尚未构建"), "{page}");

    let site = server.site_dir();
    std::fs::create_dir_all(site.join("widget")).unwrap();
    std::fs::write(site.join("index.html"), "<!doctype html><title>Premia</title>").unwrap();
    std::fs::write(site.join("widget/index.html"), "<!doctype html><title>Widget demo</title>").unwrap();
    let home = server.get("/", &[]).await;
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("<title>Premia</title>"));
    assert!(server.get("/widget/", &[]).await.text().await.unwrap().contains("Widget demo"));
    assert_eq!(server.get("/no-such-page.html", &[]).await.status(), 404);
}

/// 64 applicants submit at once, each quote using the same single-use voucher: exactly one application
/// redeems it; the 63 others are refused with 409 naming the coupon (not the application that has it).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coupon_race_over_http_redeems_the_voucher_once() {
    let catalogue = premia_core::demo::catalogue();
    let voucher = quotes::voucher("V200", "V200-RACE-1");
    let bodies: Vec<Vec<u8>> = (0..64)
        .map(|i| {
            let (request, id) = quotes::applicant(i * 37, std::slice::from_ref(&voucher));
            let quote = premia_core::quote(&catalogue, &request).unwrap();
            assert!(quote.coupons_used.iter().any(|c| c.id == "V200-RACE-1" && c.single_use), "the voucher applies");
            quotes::envelope(&quote, &id)
        })
        .collect();
    for (server, label, _db) in servers(|_| {}).await {
        let token = server.token_for("A1001").await;
        let tasks: Vec<_> = bodies
            .iter()
            .cloned()
            .map(|body| {
                let (client, url) = (server.client.clone(), server.url("/api/quotes"));
                let token = token.clone();
                tokio::spawn(async move {
                    let request =
                        client.post(url).header("content-type", "application/json").header("authorization", token);
                    let response = request.body(body).send().await.unwrap();
                    read_json(response).await
                })
            })
            .collect();
        let (mut winners, mut refusals) = (Vec::new(), Vec::new());
        for task in tasks {
            match task.await.unwrap() {
                (201, created) => winners.push(created["application"].as_str().unwrap().to_owned()),
                (409, refused) => {
                    assert_eq!(refused["errors"][0]["code"], "coupon.redeemed", "{label}: {refused}");
                    assert_eq!(refused["errors"][0]["field"], "quote.request.coupons[0]", "{label}: {refused}");
                    assert_eq!(
                        refused["redeemed_by"],
                        json!({ "coupon": "V200-RACE-1" }),
                        "another application is never named"
                    );
                    refusals.push(refused);
                }
                other => panic!("{label}: unexpected {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "{label}: exactly one redemption");
        assert_eq!(refusals.len(), 63, "{label}");
        let store = &server.state.store;
        let redemption = premia_store::Redemption {
            catalogue_id: "PREMIA-DEMO".into(),
            series: "V200".into(),
            coupon_id: "V200-RACE-1".into(),
        };
        assert_eq!(store.redemption(&redemption).await.unwrap().as_ref(), Some(&winners[0]));
        assert_eq!(store.application_count().await.unwrap(), 1, "{label}");
        let metrics = server.metrics();
        assert!(metrics.contains("premia_coupon_redemptions_total 1\n"), "{label}");
        assert!(metrics.contains("premia_coupon_redemptions_refused_total 63\n"), "{label}");
        let refused_events = store.audit_log(200).await.unwrap().iter().filter(|e| e.event == "coupon.refused").count();
        assert_eq!(refused_events, 63, "{label}: every refusal is in the audit log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blacklisted_customers_are_found_by_their_keyed_identity() {
    let catalogue = premia_core::demo::catalogue();
    let (request, id) = quotes::applicant(0, &[]);
    let quote = premia_core::quote(&catalogue, &request).unwrap();
    assert!(!body(&quote).windows(id.len()).any(|w| w == id.as_bytes()), "the number itself never leaves the engine");
    let server = TestServer::start(None, |_| {}).await;
    // What `premia-server blacklist add --resident-id` stores: HMAC of the number under the server's secret.
    let keyed = server.state.secret.identity(&id);
    server.state.store.blacklist_person(&keyed, "claims fraud", "test").await.unwrap();
    let (status, error) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
    assert_eq!(status, 403, "{error}");
    assert_eq!(error["errors"][0]["field"], "resident_id");
    let (request, other_id) = quotes::applicant(5, &[]);
    let other = premia_core::quote(&catalogue, &request).unwrap();
    assert_eq!(server.post("/api/quotes", quotes::envelope(&other, &other_id), &[]).await.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn underwriting_decides_what_may_be_applied_for() {
    let server = TestServer::start(None, |_| {}).await;
    let catalogue = premia_core::demo::catalogue();
    let (mut declined, id) = quotes::applicant(1, &[]);
    declined.insured.health_answers.get_mut("CANCER").unwrap().yes = true;
    let quote = premia_core::quote(&catalogue, &declined).unwrap();
    assert_eq!(quote.decision.outcome, premia_core::underwriting::Outcome::Decline);
    let (status, error) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
    assert_eq!((status, error["errors"][0]["code"].as_str()), (422, Some("underwriting.declined")), "{error}");

    let (mut referred, id) = quotes::applicant(2, &[]);
    referred.insured.weight_kg = Some("88".parse().unwrap());
    let quote = premia_core::quote(&catalogue, &referred).unwrap();
    assert_eq!(quote.decision.outcome, premia_core::underwriting::Outcome::Refer);
    let (status, created) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
    assert_eq!((status, created["status"].as_str()), (201, Some("referred")), "{created}");
    assert_eq!(server.state.store.application_count().await.unwrap(), 1);
}

//! The resident ID number beside the quote. A quote carries nothing from which the number could be
//! found (only the birth date and sex it gives: before issue 10 it carried the catalogue's public salted
//! hash, which gave the number back in a fraction of a second). `POST /api/quotes` takes
//! `{"quote", "resident_id"}`, checks the number (GB 11643) and its birth date and sex against the quote,
//! and keys the person by HMAC of the number under the server's secret: the blacklist meets the number
//! actually sent, whatever the quote says.
//!
//! These tests also check that the number itself is never stored or logged. On SQLite and (when
//! available) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::process::Stdio;
use std::time::Duration;

use chrono::NaiveDate;
use premia_core::QuoteRequest;
use premia_server::config::BlacklistAction;
use serde_json::{Value, json};
use support::quotes;
use support::server::{TestServer, json as read_json, servers};

/// `request` (which gives the insured by `id`) as priced by birth date and sex instead: the same quote.
fn by_birth_date(request: &QuoteRequest, id: &str) -> QuoteRequest {
    let person = premia_core::resident_id::parse(id, request.quote_date, "id").unwrap();
    let mut request = request.clone();
    request.insured.resident_id = None;
    request.insured.birth_date = Some(person.birth_date);
    request.insured.sex = Some(person.sex);
    request
}

fn priced(request: &QuoteRequest) -> premia_core::Quote {
    premia_core::quote(&premia_core::demo::catalogue(), request).unwrap()
}

/// `(code, field)` of every error in an answer.
fn errors(answer: &Value) -> Vec<Named> {
    answer["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {answer}"))
        .iter()
        .map(|e| (e["code"].as_str().unwrap().to_owned(), e["field"].as_str().unwrap().to_owned()))
        .collect()
}

/// An error's code and field.
type Named = (String, String);

fn pair(code: &str, field: &str) -> Named {
    (code.to_owned(), field.to_owned())
}

fn bilingual(answer: &Value) {
    for error in answer["errors"].as_array().unwrap() {
        assert!(error["message"]["zh"].as_str().is_some_and(|m| !m.is_empty()), "zh message: {error}");
        assert!(error["message"]["en"].as_str().is_some_and(|m| !m.is_empty()), "en message: {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_genuine_envelope_is_accepted_and_stored_with_the_keyed_identity() {
    for (server, label, _db) in servers(|_| {}).await {
        let (request, id) = quotes::applicant(10, &[]);
        let quote = priced(&request);
        let text = serde_json::to_string(&quote).unwrap();
        let salted = premia_core::resident_id::salted_hash(&id, &premia_core::demo::catalogue().id_hash_salt);
        assert!(!text.contains(&id[..17]) && !text.contains(&salted), "the quote holds nothing of the number");
        let (status, created) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
        assert_eq!((status, created["status"].as_str()), (201, Some("accepted")), "{label}: {created}");
        let stored = server.state.store.application(created["application"].as_str().unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.resident_id_hash.as_deref(), Some(server.state.secret.identity(&id).as_str()), "{label}");
        assert_eq!(stored.resident_id_scheme, "hmac");
        // As a person types it: a lower-case check character, spaces between the groups.
        let (request, id) = (100..).map(|days| quotes::applicant(days, &[])).find(|(_, id)| id.ends_with('X')).unwrap();
        let typed = format!("{} {} {}", &id[..6], &id[6..14], id[14..].to_ascii_lowercase());
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&priced(&request), &typed), &[]).await).await;
        assert_eq!(status, 201, "{label}: {answer}");
        let stored = server.state.store.application(answer["application"].as_str().unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.resident_id_hash.as_deref(), Some(server.state.secret.identity(&id).as_str()), "{label}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_contradicting_the_quotes_birth_date_or_sex_is_refused() {
    let (request, id) = quotes::applicant(30, &[]);
    let genuine = by_birth_date(&request, &id);
    let mut older = genuine.clone();
    older.insured.birth_date = older.insured.birth_date.map(|d| d - chrono::Days::new(400));
    let mut male = genuine.clone();
    male.insured.sex = Some(premia_core::Sex::Male);
    // Another person's number (born another day), sent with a quote priced for this one.
    let (_, other_id) = quotes::applicant(31, &[]);
    let server = TestServer::start(None, |_| {}).await;
    let cases = [
        (
            "an older birth date",
            priced(&older),
            id.as_str(),
            vec![pair("resident_id.contradicts", "quote.request.insured.birth_date")],
        ),
        (
            "the other sex",
            priced(&male),
            id.as_str(),
            vec![pair("resident_id.contradicts", "quote.request.insured.sex")],
        ),
        (
            "another person's number",
            priced(&genuine),
            other_id.as_str(),
            vec![pair("resident_id.contradicts", "quote.request.insured.birth_date")],
        ),
    ];
    for (what, forged, number, expected) in cases {
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&forged, number), &[]).await).await;
        assert_eq!(status, 422, "{what}: {answer}");
        assert_eq!(errors(&answer), expected, "{what}");
        bilingual(&answer);
    }
    // The same quote priced by birth date and sex rather than by the number is the same quote: fine.
    let (status, answer) =
        read_json(server.post("/api/quotes", quotes::envelope(&priced(&genuine), &id), &[]).await).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(server.state.store.application_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blacklisted_number_meets_the_blacklist_however_the_quote_was_priced() {
    let (request, id) = quotes::applicant(40, &[]);
    let quotes_of_the_person = [
        ("priced with the number", priced(&request)),
        ("by birth date and sex", priced(&by_birth_date(&request, &id))),
    ];
    for action in [BlacklistAction::Decline, BlacklistAction::Refer] {
        for (server, label, _db) in servers(|c| c.blacklist_action = action).await {
            let store = &server.state.store;
            store.blacklist_person(&server.state.secret.identity(&id), "claims fraud", "test").await.unwrap();
            for (what, quote) in &quotes_of_the_person {
                let (status, answer) =
                    read_json(server.post("/api/quotes", quotes::envelope(quote, &id), &[]).await).await;
                match action {
                    BlacklistAction::Decline => {
                        assert_eq!(status, 403, "{label} {what}: {answer}");
                        assert_eq!(errors(&answer), [pair("blacklist.declined", "resident_id")]);
                        assert!(!answer.to_string().contains("claims fraud"), "the reason stays internal");
                        bilingual(&answer);
                    }
                    BlacklistAction::Refer => {
                        assert_eq!(
                            (status, answer["status"].as_str()),
                            (201, Some("referred")),
                            "{label} {what}: {answer}"
                        );
                    }
                }
            }
            let logged =
                store.audit_log(100).await.unwrap().iter().filter(|e| e.event.starts_with("blacklist.")).count();
            assert!(logged >= 2, "{label} {action:?}: every hit is in the audit log");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bare_quotes_and_bad_numbers_get_typed_errors() {
    let server = TestServer::start(None, |_| {}).await;
    let (request, id) = quotes::applicant(50, &[]);
    let genuine = priced(&request);
    let bare = serde_json::to_vec(&genuine).unwrap();
    let wrong_check = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
    let envelope = |number: Value| serde_json::to_vec(&json!({ "quote": genuine, "resident_id": number })).unwrap();
    let cases: Vec<(&str, Vec<u8>, u16, Vec<Named>)> = vec![
        ("a bare quote (the format before the envelope)", bare.clone(), 422, vec![pair("required", "resident_id")]),
        (
            "no number",
            serde_json::to_vec(&json!({ "quote": genuine })).unwrap(),
            422,
            vec![pair("required", "resident_id")],
        ),
        ("a null number", envelope(Value::Null), 422, vec![pair("required", "resident_id")]),
        ("no quote", serde_json::to_vec(&json!({ "resident_id": id })).unwrap(), 422, vec![pair("required", "quote")]),
        (
            "a number as a JSON number",
            envelope(json!(110_101_199_003_070_026_u64)),
            400,
            vec![pair("syntax", "resident_id")],
        ),
        (
            "a wrong check character",
            envelope(json!(wrong_check)),
            422,
            vec![pair("resident_id.checksum", "resident_id")],
        ),
        ("17 characters", envelope(json!(&id[..17])), 422, vec![pair("resident_id.length", "resident_id")]),
        (
            "an unknown field beside them",
            serde_json::to_vec(&json!({ "quote": genuine, "resident_id": id, "resident_id_hash": "0".repeat(64) }))
                .unwrap(),
            400,
            vec![pair("syntax", "resident_id_hash")],
        ),
    ];
    for (what, body, status, expected) in cases {
        let (got, answer) = read_json(server.post("/api/quotes", body, &[]).await).await;
        assert_eq!(got, status, "{what}: {answer}");
        assert_eq!(errors(&answer), expected, "{what}");
        bilingual(&answer);
    }
    // Stateless verification needs no number: it still takes the bare quote.
    let (status, verdict) = read_json(server.post("/api/quotes/verify", bare, &[]).await).await;
    assert_eq!((status, verdict["verdict"].as_str()), (200, Some("valid")), "{verdict}");
    assert_eq!(server.state.store.application_count().await.unwrap(), 0);
}

/// Today as the server binary sees it (its clock, at the default +08:00).
fn server_today() -> NaiveDate {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    chrono::Utc::now().with_timezone(&offset).date_naive()
}

/// Run the server binary with every log line on (`RUST_LOG=trace`), submit accepted, declined, refused
/// and replayed applications, stop it, then search its output and every file of its SQLite database
/// for the numbers sent: none is there, while their hashes are.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_number_is_never_stored_or_logged() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("sqlite:{}", data.path().join("premia.db").display());
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_premia-server"))
        .args(["--bind", &format!("127.0.0.1:{port}"), "--database-url", &url, "--allow-demo"])
        .arg("--data-dir")
        .arg(data.path())
        .arg("--site-dir")
        .arg(data.path().join("no-site"))
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start premia-server");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut healthy = false;
    for _ in 0..300 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(healthy, "premia-server did not become healthy");
    // The applicants are sold by agent A1001, who submits with a token.
    let store = premia_store::Store::open(&url).await.unwrap();
    let token = format!("Bearer {}", store.issue_agent_token("A1001", "test").await.unwrap().token);
    let post = |body: Vec<u8>, key: Option<&'static str>| {
        let mut request = client
            .post(format!("{base}/api/quotes"))
            .header("content-type", "application/json")
            .header("authorization", token.clone());
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        async move { request.body(body).send().await.unwrap().status().as_u16() }
    };

    let today = server_today();
    let (accepted, accepted_id) = quotes::applicant_on(today, 60, &[]);
    let (blacklisted, blacklisted_id) = quotes::applicant_on(today, 61, &[]);
    let (forger, _) = quotes::applicant_on(today, 62, &[]);
    let (_, bystander_id) = quotes::applicant_on(today, 63, &[]);
    let secret = std::fs::read_to_string(data.path().join("server-secret.key")).unwrap();
    let secret =
        premia_server::secret::ServerSecret::from_master(&premia_core::coupon::key_bytes(secret.trim()).unwrap());
    let hash = |id: &str| secret.identity(id);
    store.blacklist_person(&hash(&blacklisted_id), "test", "test").await.unwrap();
    let accepted = quotes::envelope(&priced(&accepted), &accepted_id);
    assert_eq!(post(accepted.clone(), Some("key-1")).await, 201);
    assert_eq!(post(accepted, Some("key-1")).await, 201, "the replay");
    assert_eq!(post(quotes::envelope(&priced(&blacklisted), &blacklisted_id), None).await, 403);
    // Another person's number beside a quote for a different birth date: refused.
    assert_eq!(post(quotes::envelope(&priced(&forger), &bystander_id), None).await, 422, "the bystander's number");
    drop(store);

    // Stop it as an operator would (SIGTERM: it finishes requests, closes the database), and read its logs.
    let pid = child.id().unwrap().to_string();
    let stopped = tokio::process::Command::new("sh").args(["-c", &format!("kill -TERM {pid}")]).status().await.unwrap();
    assert!(stopped.success());
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.unwrap().unwrap();
    let logs = [output.stdout, output.stderr].concat();
    let text = String::from_utf8_lossy(&logs);
    // The log is read (the start is in it, and every request at trace level).
    assert!(text.contains("premia-server listening on"), "{text}");

    let mut stored = Vec::new();
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    let contains = |haystack: &[u8], needle: &str| haystack.windows(needle.len()).any(|w| w == needle.as_bytes());
    for hashed in [&accepted_id, &blacklisted_id] {
        assert!(contains(&stored, &hash(hashed)), "the search sees the database: the hash of {hashed} is there");
    }
    for number in [&accepted_id, &blacklisted_id, &bystander_id] {
        assert!(!contains(&stored, number), "{number} is in the database files");
        assert!(!contains(&logs, number), "{number} is in the server's logs");
    }
}

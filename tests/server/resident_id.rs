//! The resident ID number beside the quote. A quote keeps only the salted hash of the insured's number,
//! and the engine passes a hash given in a request through unchanged, so a hash alone proves nothing: a
//! client could price a quote with another person's hash (or none) and it would verify, slipping past
//! the blacklist, which is keyed by that hash. `POST /api/quotes` therefore takes
//! `{"quote", "resident_id"}` and checks the number against the quote before trusting the hash.
//!
//! These tests fail on a server that takes the quote's hash on trust, and check that the number itself
//! is never stored or logged. On SQLite and (when available) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Stdio;
use std::time::Duration;

use chrono::NaiveDate;
use premia_core::QuoteRequest;
use premia_server::config::BlacklistAction;
use premia_store::BlacklistKind;
use serde_json::{Value, json};
use support::quotes;
use support::server::{TestServer, json as read_json, servers};

fn salt() -> String {
    premia_core::demo::catalogue().id_hash_salt
}

fn hash(id: &str) -> String {
    premia_core::resident_id::salted_hash(id, &salt())
}

/// `request` (which gives the insured by `id`) rewritten as a dishonest client would: the person's own
/// birth date and sex, and `hash` (another person's, or none) where the engine would put theirs.
fn behind(request: &QuoteRequest, id: &str, hash: Option<String>) -> QuoteRequest {
    let person = premia_core::resident_id::parse(id, request.quote_date, "id").unwrap();
    let mut request = request.clone();
    request.insured.resident_id = None;
    request.insured.birth_date = Some(person.birth_date);
    request.insured.sex = Some(person.sex);
    request.insured.resident_id_hash = hash;
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
async fn the_genuine_envelope_is_accepted_and_stored_with_the_numbers_hash() {
    for (server, label, _db) in servers(|_| {}).await {
        let (request, id) = quotes::applicant(10, &[]);
        let (status, created) =
            read_json(server.post("/api/quotes", quotes::envelope(&priced(&request), &id), &[]).await).await;
        assert_eq!((status, created["status"].as_str()), (201, Some("accepted")), "{label}: {created}");
        let stored = server.state.store.application(created["application"].as_str().unwrap()).await.unwrap().unwrap();
        assert_eq!(stored.resident_id_hash.as_deref(), Some(hash(&id).as_str()), "{label}");
        // A lower-case check character is the same number.
        let (request, id) = (100..).map(|days| quotes::applicant(days, &[])).find(|(_, id)| id.ends_with('X')).unwrap();
        let lower = id.to_ascii_lowercase();
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&priced(&request), &lower), &[]).await).await;
        assert_eq!(status, 201, "{label}: {answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quote_carrying_another_persons_hash_or_none_is_refused_on_resident_id() {
    let (request, id) = quotes::applicant(20, &[]);
    let (_, someone_else) = quotes::applicant(4_000, &[]);
    let with_other_hash = priced(&behind(&request, &id, Some(hash(&someone_else))));
    let without_hash = priced(&behind(&request, &id, None));
    for (server, label, _db) in servers(|_| {}).await {
        for (what, forged) in [("another person's hash", &with_other_hash), ("no hash", &without_hash)] {
            // The forged quote is genuine engine output: verification alone cannot tell.
            let (status, verdict) =
                read_json(server.post("/api/quotes/verify", serde_json::to_vec(forged).unwrap(), &[]).await).await;
            assert_eq!((status, verdict["verdict"].as_str()), (200, Some("valid")), "{label} {what}: {verdict}");

            let (status, answer) =
                read_json(server.post("/api/quotes", quotes::envelope(forged, &id), &[]).await).await;
            assert_eq!(status, 422, "{label} {what}: {answer}");
            assert_eq!(errors(&answer), [pair("resident_id.mismatch", "resident_id")], "{label} {what}");
            bilingual(&answer);
        }
        assert_eq!(server.state.store.application_count().await.unwrap(), 0, "{label}");
        let metrics = server.get("/metrics", &[]).await.text().await.unwrap();
        assert!(metrics.contains("premia_applications_total{outcome=\"refused\"} 2\n"), "{label}: {metrics}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_contradicting_the_quotes_birth_date_or_sex_is_refused() {
    let (request, id) = quotes::applicant(30, &[]);
    let genuine = behind(&request, &id, Some(hash(&id)));
    let mut older = genuine.clone();
    older.insured.birth_date = older.insured.birth_date.map(|d| d - chrono::Days::new(400));
    let mut male = genuine.clone();
    male.insured.sex = Some(premia_core::Sex::Male);
    // Another person's number, sent with a quote priced for this one.
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
            vec![
                pair("resident_id.mismatch", "resident_id"),
                pair("resident_id.contradicts", "quote.request.insured.birth_date"),
            ],
        ),
    ];
    for (what, forged, number, expected) in cases {
        let (status, answer) =
            read_json(server.post("/api/quotes", quotes::envelope(&forged, number), &[]).await).await;
        assert_eq!(status, 422, "{what}: {answer}");
        assert_eq!(errors(&answer), expected, "{what}");
        bilingual(&answer);
    }
    // The same quote with its own number, given by birth date, sex and hash rather than by the number, is fine.
    let (status, answer) =
        read_json(server.post("/api/quotes", quotes::envelope(&priced(&genuine), &id), &[]).await).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(server.state.store.application_count().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blacklisted_number_is_declined_even_behind_another_hash() {
    let (request, id) = quotes::applicant(40, &[]);
    let (_, clean) = quotes::applicant(41, &[]);
    let honest = priced(&request);
    let attempts = [
        ("a clean person's hash", priced(&behind(&request, &id, Some(hash(&clean))))),
        ("no hash", priced(&behind(&request, &id, None))),
    ];
    for action in [BlacklistAction::Decline, BlacklistAction::Refer] {
        for (server, label, _db) in servers(|c| c.blacklist_action = action).await {
            let store = &server.state.store;
            store.blacklist_add(BlacklistKind::ResidentId, &hash(&id), "claims fraud").await.unwrap();
            for (what, forged) in &attempts {
                let (status, answer) =
                    read_json(server.post("/api/quotes", quotes::envelope(forged, &id), &[]).await).await;
                assert_eq!(status, 422, "{label} {action:?} {what}: {answer}");
                assert_eq!(errors(&answer), [pair("resident_id.mismatch", "resident_id")], "{label} {what}");
            }
            assert_eq!(store.application_count().await.unwrap(), 0, "{label} {action:?}: nothing stored");
            // Each attempt is in the audit log, flagged: the number behind it is blacklisted.
            let log = store.audit_log(100).await.unwrap();
            let attempts_logged: Vec<_> = log.iter().filter(|e| e.event == "resident_id.mismatch").collect();
            assert_eq!(attempts_logged.len(), attempts.len(), "{label} {action:?}");
            for entry in attempts_logged {
                let detail: Value = serde_json::from_str(&entry.detail).unwrap();
                assert_eq!(detail["blacklisted"], true, "{label}: {detail}");
                assert_eq!(detail["number_hash"], hash(&id).as_str());
            }
            // Sent honestly, the number meets the blacklist.
            let (status, answer) =
                read_json(server.post("/api/quotes", quotes::envelope(&honest, &id), &[]).await).await;
            match action {
                BlacklistAction::Decline => {
                    assert_eq!(status, 403, "{label}: {answer}");
                    assert_eq!(errors(&answer), [pair("blacklist.declined", "request.insured.resident_id_hash")]);
                    assert!(!answer.to_string().contains("claims fraud"), "the reason stays internal");
                }
                BlacklistAction::Refer => {
                    assert_eq!((status, answer["status"].as_str()), (201, Some("referred")), "{label}: {answer}");
                }
            }
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
            serde_json::to_vec(&json!({ "quote": genuine, "resident_id": id, "resident_id_hash": hash(&id) })).unwrap(),
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
        .args(["--bind", &format!("127.0.0.1:{port}"), "--database-url", &url])
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
    let post = |body: Vec<u8>, key: Option<&'static str>| {
        let mut request = client.post(format!("{base}/api/quotes")).header("content-type", "application/json");
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        async move { request.body(body).send().await.unwrap().status().as_u16() }
    };

    let today = server_today();
    let (accepted, accepted_id) = quotes::applicant_on(today, 60, &[]);
    let (blacklisted, blacklisted_id) = quotes::applicant_on(today, 61, &[]);
    let (forger, forger_id) = quotes::applicant_on(today, 62, &[]);
    let (_, bystander_id) = quotes::applicant_on(today, 63, &[]);
    let store = premia_store::Store::open(&url).await.unwrap();
    store.blacklist_add(BlacklistKind::ResidentId, &hash(&blacklisted_id), "test").await.unwrap();
    let accepted = quotes::envelope(&priced(&accepted), &accepted_id);
    assert_eq!(post(accepted.clone(), Some("key-1")).await, 201);
    assert_eq!(post(accepted, Some("key-1")).await, 201, "the replay");
    assert_eq!(post(quotes::envelope(&priced(&blacklisted), &blacklisted_id), None).await, 403);
    let forged = priced(&behind(&forger, &forger_id, Some(hash(&bystander_id))));
    assert_eq!(post(quotes::envelope(&forged, &forger_id), None).await, 422);
    assert_eq!(post(quotes::envelope(&forged, &bystander_id), None).await, 422, "the bystander's number");
    drop(store);

    // Stop it as an operator would (SIGTERM: it finishes requests, closes the database), and read its logs.
    let pid = child.id().unwrap().to_string();
    let stopped = tokio::process::Command::new("sh").args(["-c", &format!("kill -TERM {pid}")]).status().await.unwrap();
    assert!(stopped.success());
    let output = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.unwrap().unwrap();
    let logs = [output.stdout, output.stderr].concat();
    let text = String::from_utf8_lossy(&logs);
    // The log is read (the start and the refusals are in it, the latter with the hashes only).
    assert!(text.contains("premia-server listening on"), "{text}");
    let refusals: Vec<&str> = text.lines().filter(|l| l.contains("does not match the quote")).collect();
    assert_eq!(refusals.len(), 2, "{text}");
    assert!(refusals.iter().all(|l| l.contains(&hash(&bystander_id))), "{refusals:?}");
    assert!(refusals.iter().any(|l| l.contains(&hash(&forger_id))), "{refusals:?}");

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
    for number in [&accepted_id, &blacklisted_id, &forger_id, &bystander_id] {
        assert!(!contains(&stored, number), "{number} is in the database files");
        assert!(!contains(&logs, number), "{number} is in the server's logs");
    }
}

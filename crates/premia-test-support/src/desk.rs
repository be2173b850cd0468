//! Staff sessions and referred applications for the desk's tests.

use premia_core::{Quote, QuoteRequest};
use serde_json::{Value, json};

use super::quotes;
use super::server::{TestServer, json as read_json};

/// A signed-in staff member: the session cookie and the CSRF token, as a browser would hold them.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub cookie: String,
    pub csrf: String,
}

/// Add an account with this role straight into the server's store; returns its password.
pub async fn add_staff(server: &TestServer, username: &str, role: &str) -> String {
    let password = format!("{username}-correct-horse");
    let hash = premia_server::staff::password::hash(&password).expect("hash");
    server
        .state
        .store
        .staff_add(username, &format!("{username} (test)"), role, &hash, "test")
        .await
        .expect("add staff");
    password
}

/// Sign in through the API.
pub async fn login(server: &TestServer, username: &str, password: &str) -> Session {
    let response =
        server.post("/api/staff/login", json!({ "username": username, "password": password }).to_string(), &[]).await;
    assert_eq!(response.status().as_u16(), 200, "login {username}");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let me: Value = response.json().await.unwrap();
    Session { username: username.to_owned(), cookie, csrf: me["csrf"].as_str().unwrap().to_owned() }
}

/// Add and sign in.
pub async fn staff(server: &TestServer, username: &str, role: &str) -> Session {
    let password = add_staff(server, username, role).await;
    login(server, username, &password).await
}

impl Session {
    pub async fn get(&self, server: &TestServer, path: &str) -> (u16, Value) {
        read_json(server.get(path, &[("cookie", &self.cookie)]).await).await
    }

    pub async fn post(&self, server: &TestServer, path: &str, body: &Value) -> (u16, Value) {
        self.post_with(server, path, body, &[]).await
    }

    pub async fn post_with(
        &self,
        server: &TestServer,
        path: &str,
        body: &Value,
        extra: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut headers = vec![("cookie", self.cookie.as_str()), ("x-csrf-token", self.csrf.as_str())];
        headers.extend_from_slice(extra);
        let response = server.post(path, body.to_string(), &headers).await;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
    }
}

/// A request for CI sold by agent A1001 to a woman born `days` after 1990-01-01, who declared heart
/// disease: referred, two-person review. With its resident ID number.
pub fn heart_request(days: u64) -> (QuoteRequest, String) {
    let (mut request, id) = quotes::applicant(days, &[]);
    request.insured.health_answers.get_mut("HEART").expect("HEART asked").yes = true;
    (request, id)
}

/// The same person overweight (BMI 30.4): referred, one underwriter.
pub fn heavy_request(days: u64) -> (QuoteRequest, String) {
    let (mut request, id) = quotes::applicant(days, &[]);
    request.insured.weight_kg = Some("88".parse().unwrap());
    (request, id)
}

/// Price and submit; the 201's body.
pub async fn submit(server: &TestServer, (request, id): (QuoteRequest, String)) -> (Quote, Value) {
    let quote = premia_core::quote(&premia_core::demo::catalogue(), &request).expect("priced");
    let (status, created) = read_json(server.post("/api/quotes", quotes::envelope(&quote, &id), &[]).await).await;
    assert_eq!(status, 201, "{created}");
    (quote, created)
}

/// Submit `n` referred applications (alternately two-person and single), oldest first; their numbers.
pub async fn referred(server: &TestServer, n: u64, first_day: u64) -> Vec<String> {
    let mut numbers = Vec::new();
    for i in 0..n {
        let day = first_day + i;
        let request = if i % 2 == 0 { heart_request(day) } else { heavy_request(day) };
        let (_, created) = submit(server, request).await;
        numbers.push(created["application"].as_str().unwrap().to_owned());
    }
    numbers
}

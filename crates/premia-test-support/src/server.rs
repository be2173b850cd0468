//! A Premia server running in this test process on a free loopback port, with a fixed clock.

use std::sync::Arc;

use premia_server::{AppState, Config};
use tokio::net::TcpListener;

use super::{db, quotes};

#[derive(Debug)]
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    _data: tempfile::TempDir,
    /// One agent token per agent code, issued when first needed (see [`TestServer::post`]).
    tokens: tokio::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl TestServer {
    /// Start with the given database URL (`None`: SQLite in the data folder) and configuration changes.
    pub async fn start(database_url: Option<&str>, configure: impl FnOnce(&mut Config)) -> TestServer {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(data.path().join("data"));
        config.database_url = database_url.map(str::to_owned);
        config.site_dir = data.path().join("site");
        // The tests price with the demo catalogue and sign vouchers with its published key.
        config.allow_demo = true;
        // The tests send many requests from one address: the rate limits have their own tests.
        config.limits.verify_rate = 0;
        config.limits.submit_rate = 0;
        configure(&mut config);
        let clock: premia_server::Clock = Arc::new(quotes::today);
        TestServer::start_with_clock(config, clock, data).await
    }

    /// Start with a given configuration and clock (`data` is kept until the server is dropped).
    pub async fn start_with_clock(config: Config, clock: premia_server::Clock, data: tempfile::TempDir) -> TestServer {
        let state = premia_server::state(config, clock).await.expect("server state");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let app = premia_server::routes::router(state.clone());
        let limits = state.config.limits.clone();
        tokio::spawn(async move { premia_server::serve_on(listener, app, &limits, std::future::pending()).await });
        TestServer { base, state, client: reqwest::Client::new(), _data: data, tokens: Default::default() }
    }

    /// The data folder (the server's secret and keys are in `data/`).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self._data.path().join("data")
    }

    /// Issue an agent token and return it as an `Authorization` value.
    pub async fn bearer(&self, agent_code: &str) -> String {
        let issued = self.state.store.issue_agent_token(agent_code, "test").await.expect("token");
        format!("Bearer {}", issued.token)
    }

    /// A server started elsewhere (e.g. with its own clocks), serving at `base`.
    pub fn from_parts(base: String, state: AppState, data: tempfile::TempDir) -> TestServer {
        TestServer { base, state, client: reqwest::Client::new(), _data: data, tokens: Default::default() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POST a JSON body (as given, byte for byte). An application of an agent-channel quote goes with a
    /// token of its agent unless `headers` has an `Authorization` (the agents' own tests send their own,
    /// or none, with [`TestServer::post_anonymous`]).
    pub async fn post(&self, path: &str, body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) -> reqwest::Response {
        let body: Vec<u8> = body.into();
        let mut all: Vec<(String, String)> = headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let has_auth = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("authorization"));
        if path == "/api/quotes" && !has_auth {
            let agent = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.pointer("/quote/request/channel/agent_code")?.as_str().map(str::to_owned));
            if let Some(agent) = agent {
                all.push(("authorization".into(), self.token_for(&agent).await));
            }
        }
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.post_anonymous(path, body, &pairs).await
    }

    /// The `Authorization` value of this agent's test token (issued once).
    pub async fn token_for(&self, agent: &str) -> String {
        let mut tokens = self.tokens.lock().await;
        if let Some(token) = tokens.get(agent) {
            return token.clone();
        }
        let token = self.bearer(agent).await;
        tokens.insert(agent.to_owned(), token.clone());
        token
    }

    /// POST exactly the given headers (no agent token added).
    pub async fn post_anonymous(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url(path)).header("content-type", "application/json").body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self.client.get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request sent")
    }

    /// The metrics as `/metrics` renders them (served on `--metrics-bind` or behind a token, not here).
    pub fn metrics(&self) -> String {
        self.state.metrics.render()
    }

    pub fn site_dir(&self) -> std::path::PathBuf {
        self._data.path().join("site")
    }
}

/// Send `request` and read its answer as JSON (a transport error or an answer that is not JSON fails the
/// caller).
pub async fn send_json(request: reqwest::RequestBuilder) -> serde_json::Value {
    request.send().await.expect("request sent").json().await.expect("a JSON answer")
}

/// The body and status of a response, with the body as JSON.
pub async fn json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"));
    (status, value)
}

/// SQLite in the server's data folder, then PostgreSQL when the test command started one.
pub async fn servers(configure: impl Fn(&mut Config)) -> Vec<(TestServer, &'static str, Option<db::TestDb>)> {
    let mut servers = vec![(TestServer::start(None, &configure).await, "sqlite", None)];
    if let Some(pg) = db::postgres().await {
        servers.push((TestServer::start(Some(&pg.url), &configure).await, "postgres", Some(pg)));
    }
    servers
}

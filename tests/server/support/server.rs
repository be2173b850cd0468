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
}

impl TestServer {
    /// Start with the given database URL (`None`: SQLite in the data folder) and configuration changes.
    pub async fn start(database_url: Option<&str>, configure: impl FnOnce(&mut Config)) -> TestServer {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_data_dir(data.path().join("data"));
        config.database_url = database_url.map(str::to_owned);
        config.site_dir = data.path().join("site");
        configure(&mut config);
        let clock: premia_server::Clock = Arc::new(quotes::today);
        let state = premia_server::state(config, clock).await.expect("server state");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let app = premia_server::routes::router(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        TestServer { base, state, client: reqwest::Client::new(), _data: data }
    }

    /// A server started elsewhere (e.g. with its own clocks), serving at `base`.
    pub fn from_parts(base: String, state: AppState, data: tempfile::TempDir) -> TestServer {
        TestServer { base, state, client: reqwest::Client::new(), _data: data }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POST a JSON body (as given, byte for byte).
    pub async fn post(
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

    pub fn site_dir(&self) -> std::path::PathBuf {
        self._data.path().join("site")
    }
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

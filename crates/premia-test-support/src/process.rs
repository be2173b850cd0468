//! The server binary as a child process, for the tests that kill it (`kill -9` mid-burst) and start it
//! again on the same port and store. The binary's path comes from the test
//! (`env!("CARGO_BIN_EXE_premia-server")`, which only a test of the server's own package can name).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

/// Today as the server binary sees it (its clock, at the default +08:00).
pub fn server_today() -> chrono::NaiveDate {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("+08:00");
    chrono::Utc::now().with_timezone(&offset).date_naive()
}

/// A loopback port free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port()
}

/// Start `binary` on `127.0.0.1:port` with the store at `url`, its data in `data` (no site), demo
/// catalogue allowed, `configure` adding the test's own flags and variables; returns once `/healthz`
/// answers. The child is killed when dropped.
pub async fn start(binary: &str, data: &Path, url: &str, port: u16, configure: impl FnOnce(&mut Command)) -> Child {
    let mut command = Command::new(binary);
    command
        .args(["--bind", &format!("127.0.0.1:{port}"), "--database-url", url, "--allow-demo"])
        .arg("--data-dir")
        .arg(data)
        .arg("--site-dir")
        .arg(data.join("no-site"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    configure(&mut command);
    let child = command.spawn().expect("start premia-server");
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(response) = client.get(format!("http://127.0.0.1:{port}/healthz")).send().await {
            if response.status().is_success() {
                return child;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("premia-server did not become healthy on port {port}");
}

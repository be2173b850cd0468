//! Configuration: command-line flags, each with an environment variable (flags win).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::FixedOffset;
use clap::{Parser, ValueEnum};

/// What happens to an application whose insured or agent is on the blacklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BlacklistAction {
    /// Refuse the application (403) and log the attempt.
    Decline,
    /// Store it with status `referred` for manual underwriting (人工核保), and log it.
    Refer,
}

impl BlacklistAction {
    pub fn name(self) -> &'static str {
        match self {
            BlacklistAction::Decline => "decline",
            BlacklistAction::Refer => "refer",
        }
    }
}

/// How `premia-server` runs: every flag with its environment variable (`premia-server serve --help`).
#[derive(Debug, Clone, Parser)]
#[command(name = "premia-server", version, about, long_about = None)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "PREMIA_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Folder for the embedded SQLite database and the generated signing key (created if missing).
    #[arg(long, env = "PREMIA_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Database URL: `sqlite:PATH` or `postgres://user:password@host:port/db`.
    /// Default: `sqlite:<data-dir>/premia.db`. Several replicas share one PostgreSQL.
    #[arg(long, env = "PREMIA_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Ed25519 signing key (PKCS#8 PEM). Default: `<data-dir>/server-key.pem`, generated on first start.
    /// Every key a server signs with is recorded in the database, so /api/keys on any replica lists them.
    #[arg(long, env = "PREMIA_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,

    /// The server secret (64 hex digits) that keys people's identities and stamps quotes. Default:
    /// `<data-dir>/server-secret.key`, generated (mode 0600) on first start. Replicas must share one file:
    /// a server whose secret is not the one the database was keyed with refuses to start.
    #[arg(long, env = "PREMIA_SERVER_SECRET")]
    pub server_secret: Option<PathBuf>,

    /// Allow demo material: an `illustrative` catalogue (refused without this flag) and vouchers signed by a
    /// key published in this repository (catalogue/keys/). For demos and tests only.
    #[arg(long, env = "PREMIA_ALLOW_DEMO")]
    pub allow_demo: bool,

    /// TLS is terminated by a proxy in front of this server: send `Strict-Transport-Security`, and mark the
    /// staff session cookie `Secure` (with the `__Host-` name).
    #[arg(long, env = "PREMIA_TLS_TERMINATED")]
    pub tls_terminated: bool,

    /// Serve `/metrics` on this address only (e.g. 127.0.0.1:9100 for the Prometheus scraper).
    #[arg(long, env = "PREMIA_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Serve `/metrics` on the main address to `Authorization: Bearer <the token in this file>`. Without
    /// this or `--metrics-bind`, `/metrics` is not served.
    #[arg(long, env = "PREMIA_METRICS_TOKEN_FILE")]
    pub metrics_token_file: Option<PathBuf>,

    #[command(flatten)]
    pub limits: Limits,

    /// Catalogue TOML files (repeat the flag, or comma-separate in the variable). The version in force is the
    /// one with the latest `effective_from` not after today. Default: the embedded demo catalogue.
    #[arg(long = "catalogue", env = "PREMIA_CATALOGUES", value_delimiter = ',')]
    pub catalogues: Vec<PathBuf>,

    /// Browser origins allowed to call the API (CORS), e.g. `https://crm.example.com` (repeat the flag, or
    /// comma-separate). None: same origin only.
    #[arg(long = "allowed-origin", env = "PREMIA_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Folder of the built quote site and widget (scripts/web-build.sh writes web/dist).
    #[arg(long, env = "PREMIA_SITE_DIR", default_value = "web/dist")]
    pub site_dir: PathBuf,

    /// What to do with an application whose insured or agent is blacklisted.
    #[arg(long, env = "PREMIA_BLACKLIST_ACTION", value_enum, default_value = "decline")]
    pub blacklist_action: BlacklistAction,

    /// The insurer's UTC offset, which decides what "today" is for quote validity. China: +08:00.
    #[arg(long, env = "PREMIA_UTC_OFFSET", default_value = "+08:00", value_parser = parse_offset, allow_hyphen_values = true)]
    pub utc_offset: FixedOffset,

    /// Payment providers' merchant configuration (TOML, mode 0600; crates/premia-pay/README.md). Without
    /// it applications are stored but not payable.
    #[arg(long = "payments", env = "PREMIA_PAYMENTS")]
    pub payments: Option<PathBuf>,

    /// How long a payment order may be paid before it expires and a new one may be made.
    #[arg(long, env = "PREMIA_PAYMENT_TTL", default_value = "30m", value_parser = parse_duration)]
    pub payment_ttl: Duration,

    /// How often the server asks the providers about orders whose notification has not come.
    #[arg(long, env = "PREMIA_RECONCILE_EVERY", default_value = "60s", value_parser = parse_duration)]
    pub reconcile_every: Duration,

    /// Worker threads (default: one per core).
    #[arg(long, env = "PREMIA_WORKERS")]
    pub workers: Option<usize>,

    #[command(flatten)]
    pub desk: DeskConfig,

    #[command(flatten)]
    pub dashboard: DashboardConfig,
}

/// The premium dashboard.
#[derive(Debug, Clone, clap::Args)]
pub struct DashboardConfig {
    /// Folder of the built dashboard page (scripts/dashboard-build.sh writes it), served at /dashboard/.
    #[arg(
        id = "dashboard_dir",
        long = "dashboard-dir",
        env = "PREMIA_DASHBOARD_DIR",
        default_value = "crates/premia-dashboard-web/dist"
    )]
    pub dir: PathBuf,

    /// Targets per period (TOML; docs/dashboard.md), shown on the dashboard as progress. None: no targets.
    #[arg(id = "dashboard_targets", long = "dashboard-targets", env = "PREMIA_DASHBOARD_TARGETS")]
    pub targets: Option<PathBuf>,
}

/// The underwriting desk and staff sign-in.
#[derive(Debug, Clone, clap::Args)]
pub struct DeskConfig {
    /// Hours from submission within which a referred application should have its final decision; the
    /// queue flags cases past it.
    #[arg(long = "desk-sla-hours", env = "PREMIA_DESK_SLA_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub sla_hours: u32,

    /// Folder of the built desk page (scripts/desk-build.sh writes it), served at /desk/.
    #[arg(long = "desk-dir", env = "PREMIA_DESK_DIR", default_value = "crates/premia-desk-web/dist")]
    pub dir: PathBuf,

    /// Hours a staff session lasts at most from sign-in.
    #[arg(long = "staff-session-hours", env = "PREMIA_STAFF_SESSION_HOURS", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=168))]
    pub session_hours: u32,

    /// Minutes of inactivity after which a staff session ends.
    #[arg(long = "staff-idle-minutes", env = "PREMIA_STAFF_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub idle_minutes: u32,
}

impl DeskConfig {
    pub fn sla_millis(&self) -> i64 {
        i64::from(self.sla_hours) * 3_600_000
    }
}

/// Timeouts, caps and per-client rate limits (docs/server.md, "Limits"). A rate of 0 turns that limit off.
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// Time a client has to send a request's headers; then the connection is closed.
    #[arg(long, env = "PREMIA_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,
    /// Time a client has to send a request's body: 408 `timeout.body` after it.
    #[arg(long, env = "PREMIA_BODY_TIMEOUT", default_value = "15s", value_parser = parse_duration)]
    pub body_timeout: Duration,
    /// Time the server gives itself to answer a request: 408 `timeout.request` after it.
    #[arg(long, env = "PREMIA_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Open connections at most; further clients wait in the listen queue until one closes.
    #[arg(long, env = "PREMIA_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// Requests being handled at once at most; beyond it 503 `overloaded` with `Retry-After`.
    #[arg(long, env = "PREMIA_MAX_IN_FLIGHT", default_value_t = 512)]
    pub max_in_flight: usize,
    /// `POST /api/quotes/verify` per client (address) per second; beyond it 429 with `Retry-After`.
    #[arg(long, env = "PREMIA_VERIFY_RATE", default_value_t = 50)]
    pub verify_rate: u32,
    /// Requests a client may send at once above `--verify-rate`.
    #[arg(long, env = "PREMIA_VERIFY_BURST", default_value_t = 100)]
    pub verify_burst: u32,
    /// `POST /api/quotes` per client per second.
    #[arg(long, env = "PREMIA_SUBMIT_RATE", default_value_t = 5)]
    pub submit_rate: u32,
    /// Submissions a client may send at once above `--submit-rate`.
    #[arg(long, env = "PREMIA_SUBMIT_BURST", default_value_t = 20)]
    pub submit_burst: u32,
    /// The header a proxy in front of the server writes the client's address in (e.g. `X-Real-IP`); the
    /// rate limits key on it. Without it they key on the connection's address; set it only behind a proxy
    /// that overwrites the header, or any client could choose its own bucket.
    #[arg(long, env = "PREMIA_CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,
}

/// `500ms`, `10s`, `2m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().map_err(|_| format!("{text:?} is not a duration such as 10s or 500ms"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" | "" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number * 60)),
        _ => Err(format!("{text:?} is not a duration such as 10s or 500ms")),
    }
}

fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    text.parse().map_err(|_| format!("{text:?} is not a UTC offset such as +08:00"))
}

impl Config {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("premia.db").display()))
    }

    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key.clone().unwrap_or_else(|| self.data_dir.join("server-key.pem"))
    }

    pub fn server_secret_path(&self) -> PathBuf {
        self.server_secret.clone().unwrap_or_else(|| self.data_dir.join("server-secret.key"))
    }

    /// A configuration for tests: every default, with the given data folder.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        let mut config = Config::parse_from(["premia-server"]);
        config.data_dir = data_dir.into();
        config
    }
}

/// China Standard Time, the insurer's default zone (the administration commands' "today").
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("+08:00 is a valid offset"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_readme() {
        let config = Config::try_parse_from(["premia-server"]).unwrap();
        assert_eq!(config.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite:data/premia.db");
        assert_eq!(config.signing_key_path(), PathBuf::from("data/server-key.pem"));
        assert_eq!(config.utc_offset, FixedOffset::east_opt(8 * 3600).unwrap());
        assert_eq!(config.blacklist_action, BlacklistAction::Decline);
        assert_eq!(config.server_secret_path(), PathBuf::from("data/server-secret.key"));
        assert!(!config.allow_demo && !config.tls_terminated && config.metrics_bind.is_none());
        assert_eq!(config.limits.header_timeout, Duration::from_secs(10));
        assert_eq!((config.limits.verify_rate, config.limits.submit_rate), (50, 5));
        assert_eq!((config.desk.sla_hours, config.desk.session_hours), (24, 10));
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn flags_parse() {
        let config = Config::try_parse_from([
            "premia-server",
            "--database-url",
            "postgres://premia@127.0.0.1:5432/premia",
            "--allowed-origin",
            "https://crm.example.com,https://agents.example.com",
            "--blacklist-action",
            "refer",
            "--utc-offset",
            "-05:00",
        ])
        .unwrap();
        assert_eq!(config.database_url(), "postgres://premia@127.0.0.1:5432/premia");
        assert_eq!(config.allowed_origins.len(), 2);
        assert_eq!(config.blacklist_action, BlacklistAction::Refer);
        assert!(Config::try_parse_from(["premia-server", "--utc-offset", "China"]).is_err());
    }
}

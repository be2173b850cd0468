//! Configuration: command-line flags, each with an environment variable (flags win).

use std::net::SocketAddr;
use std::path::PathBuf;

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

/// The Premia server: re-computes every submitted quote with the native engine, stores accepted
/// applications exactly once, and serves the quote site.
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
    /// Replicas behind one load balancer must share one key file.
    #[arg(long, env = "PREMIA_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,

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

    /// Mark the staff session cookie `Secure`: set it when browsers reach the server over TLS (a
    /// terminating proxy in front of it), as they should.
    #[arg(long = "secure-cookies", env = "PREMIA_SECURE_COOKIES")]
    pub secure_cookies: bool,

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

    /// A configuration for tests: every default, with the given data folder.
    pub fn for_data_dir(data_dir: impl Into<PathBuf>) -> Self {
        let mut config = Config::parse_from(["premia-server"]);
        config.data_dir = data_dir.into();
        config
    }
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
        assert_eq!((config.desk.sla_hours, config.desk.secure_cookies), (24, false));
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

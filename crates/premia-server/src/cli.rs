//! The command line: with no subcommand, or `serve`, the server runs; other subcommands administer
//! what it stores (`staff`).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::staff::cmd::StaffCommand;

/// The Premia server: re-computes every submitted quote with the native engine, stores accepted
/// applications exactly once, and serves the quote site and the underwriting desk.
#[derive(Debug, Parser)]
#[command(name = "premia-server", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Server flags, as for `serve`.
    #[command(flatten)]
    pub serve: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(Config),
    /// Staff accounts of the underwriting desk and the dashboard.
    Staff {
        #[command(flatten)]
        store: StoreArgs,
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Demo data (`demo seed --allow-demo`): never on a production store.
    #[command(subcommand)]
    Demo(crate::demo::DemoCommand),
}

/// Which store an administrative command works on: the server's own settings.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// Folder of the embedded SQLite database.
    #[arg(long, env = "PREMIA_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Database URL: `sqlite:PATH` or `postgres://…` (default: `sqlite:<data-dir>/premia.db`).
    #[arg(long, env = "PREMIA_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl StoreArgs {
    pub fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("premia.db").display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_subcommand_or_serve_runs_the_server() {
        let bare = Cli::try_parse_from(["premia-server", "--bind", "127.0.0.1:9000"]).unwrap();
        assert!(bare.command.is_none());
        assert_eq!(bare.serve.bind.port(), 9000);
        let serve = Cli::try_parse_from(["premia-server", "serve", "--desk-sla-hours", "8"]).unwrap();
        let Some(Command::Serve(config)) = serve.command else { panic!("serve") };
        assert_eq!(config.desk.sla_hours, 8);
    }

    #[test]
    fn staff_commands_parse() {
        let cli = Cli::try_parse_from([
            "premia-server",
            "staff",
            "--database-url",
            "sqlite:x.db",
            "add",
            "wang",
            "--role",
            "senior_underwriter",
        ])
        .unwrap();
        let Some(Command::Staff { store, command }) = cli.command else { panic!("staff") };
        assert_eq!(store.url(), "sqlite:x.db");
        assert!(matches!(command, StaffCommand::Add { .. }));
        assert!(Cli::try_parse_from(["premia-server", "staff", "add", "wang", "--role", "admin"]).is_err());
    }
}

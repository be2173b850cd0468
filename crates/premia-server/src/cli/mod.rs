//! The `premia-server` command line: with no subcommand, or `serve`, it runs the server; the other
//! subcommands administer the server's data (the blacklist is keyed by the server's secret, so they live
//! with the server, beside its configuration).
//!
//! To add a command group: a module here with a clap `Subcommand` enum `Command`, `type Args =
//! OnStore<Command>` with `async fn run(self) -> anyhow::Result<ExitCode>`, and a variant of
//! [`Command`]. Every group shares [`StoreArgs`] (database, data folder, secret) through [`OnStore`],
//! opened once by [`Admin::open`]; lists print with [`output::list`].

pub mod agent;
pub mod blacklist;
pub mod demo;
pub mod keys;
mod output;
pub mod referrals;
pub mod staff;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use premia_store::Store;

use crate::config::Config;
use crate::secret::ServerSecret;

/// The Premia server: re-computes every submitted quote with the native engine, stores accepted
/// applications exactly once, and serves the quote site and the underwriting desk. `premia-server` (or
/// `premia-server serve`)
/// runs it; the subcommands administer its data.
#[derive(Debug, Parser)]
#[command(name = "premia-server", version, about, long_about = None, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: Config,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(Box<Config>),
    /// The blacklist (黑名单): add, remove, list customers (by resident ID number) and agents.
    Blacklist(blacklist::Args),
    /// Agent tokens for the API: issue, revoke, list.
    Agent(agent::Args),
    /// Referral credits (老客户转介绍奖励): list who is owed what.
    Referrals(referrals::Args),
    /// The quote-token signing key: rotate, list.
    Keys(keys::Args),
    /// Staff accounts of the underwriting desk and the dashboard: add, disable, list, reset-password.
    Staff(staff::Args),
    /// Demo data (`demo seed --allow-demo`): generated applications through the server's own code path.
    /// Never on a production store.
    Demo(demo::Args),
}

/// A command group on the server's store: the store's flags and the group's subcommand `C`.
#[derive(Debug, clap::Args)]
pub struct OnStore<C: clap::Subcommand> {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(subcommand)]
    pub command: C,
}

/// Where the server keeps its data: the same flags and variables as `premia-server serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct StoreArgs {
    /// Database URL (`sqlite:PATH` or `postgres://…`); default `sqlite:<data-dir>/premia.db`.
    #[arg(long, env = "PREMIA_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// The server's data folder.
    #[arg(long, env = "PREMIA_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// The server secret file; default `<data-dir>/server-secret.key`.
    #[arg(long, env = "PREMIA_SERVER_SECRET", global = true)]
    pub server_secret: Option<PathBuf>,
    /// The signing key file; default `<data-dir>/server-key.pem`.
    #[arg(long, env = "PREMIA_SIGNING_KEY", global = true)]
    pub signing_key: Option<PathBuf>,
}

impl StoreArgs {
    pub fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("premia.db").display()))
    }

    pub fn secret_path(&self) -> PathBuf {
        self.server_secret.clone().unwrap_or_else(|| self.data_dir.join("server-secret.key"))
    }

    pub fn signing_key_path(&self) -> PathBuf {
        self.signing_key.clone().unwrap_or_else(|| self.data_dir.join("server-key.pem"))
    }

    /// The store alone, for commands that key nothing by the server's secret (`staff`).
    pub async fn open_store(&self) -> anyhow::Result<Store> {
        let url = self.url();
        Store::open(&url).await.with_context(|| format!("opening the store at {}", crate::redact(&url)))
    }
}

/// An opened store with the server's secret, checked against it, for the administration commands.
#[derive(Debug)]
pub struct Admin {
    pub store: Store,
    pub secret: ServerSecret,
    pub legacy_salts: Vec<String>,
    pub args: StoreArgs,
}

impl Admin {
    pub async fn open(args: &StoreArgs) -> anyhow::Result<Admin> {
        let store = args.open_store().await?;
        let secret = ServerSecret::load_or_generate(&args.secret_path())?;
        store.check_secret(secret.fingerprint()).await?;
        let legacy_salts = store.legacy_salts().await?;
        Ok(Admin { store, secret, legacy_salts, args: args.clone() })
    }

    /// A person as the store may hold them: keyed, and under the legacy salts.
    pub fn identity(&self, number: &str) -> premia_store::Identity {
        premia_store::Identity {
            keyed: self.secret.identity(number),
            legacy: self.legacy_salts.iter().map(|s| premia_core::resident_id::salted_hash(number, s)).collect(),
        }
    }
}

/// Run an administration command on a current-thread runtime (the demo seed on a multi-threaded one).
/// Errors are printed in both languages.
pub fn administer(command: Command) -> ExitCode {
    // The seed submits and decides concurrently, as the server's own workers would.
    let mut builder = match command {
        Command::Demo(_) => tokio::runtime::Builder::new_multi_thread(),
        _ => tokio::runtime::Builder::new_current_thread(),
    };
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return output::failed(&anyhow::anyhow!("starting the async runtime: {error}")),
    };
    let result = runtime.block_on(async {
        match command {
            Command::Serve(_) => Ok(ExitCode::SUCCESS),
            Command::Blacklist(args) => args.run().await,
            Command::Agent(args) => args.run().await,
            Command::Referrals(args) => args.run().await,
            Command::Keys(args) => args.run().await,
            Command::Staff(args) => args.run().await,
            Command::Demo(args) => args.run().await,
        }
    });
    result.unwrap_or_else(|error| output::failed(&error))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

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
    fn staff_commands_parse_beside_the_others() {
        let parse = |args: &[&str]| Cli::try_parse_from(["premia-server"].iter().chain(args));
        let cli = parse(&["staff", "--database-url", "sqlite:x.db", "add", "wang", "--role", "senior_underwriter"]);
        assert!(matches!(cli.unwrap().command, Some(Command::Staff(_))));
        // The store flags are global, as for the other groups: after the subcommand too.
        assert!(parse(&["staff", "list", "--json", "--database-url", "sqlite:x.db"]).is_ok());
        assert!(parse(&["staff", "add", "wang", "--role", "admin"]).is_err(), "no such role");
    }
}

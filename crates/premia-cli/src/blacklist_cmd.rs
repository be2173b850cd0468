//! `premia blacklist add / remove / list`: the server's blacklist, in its database.
//!
//! A customer is listed by the salted hash of the resident ID (the catalogue's `id_hash_salt`, the same
//! hash a quote carries); the number itself is checked, hashed and never stored or printed. An agent is
//! listed by agent code.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use premia_core::Catalogue;
use premia_store::{BlacklistKind, Store};

use crate::output::{Failure, Table, print_json};

/// Where the server keeps its data: the same flags and variables as `premia-server`.
#[derive(Debug, Clone, clap::Args)]
pub struct Database {
    /// Database URL (`sqlite:PATH` or `postgres://…`); default `sqlite:<data-dir>/premia.db`.
    #[arg(long, env = "PREMIA_DATABASE_URL", global = true)]
    database_url: Option<String>,
    /// The server's data folder.
    #[arg(long, env = "PREMIA_DATA_DIR", default_value = "data", global = true)]
    data_dir: PathBuf,
}

impl Database {
    pub fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join("premia.db").display()))
    }
}

/// `premia blacklist`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    database: Database,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Add a customer (by resident ID number, stored only as its salted hash) or an agent.
    Add {
        #[command(flatten)]
        who: Who,
        /// Why (kept in the store and the audit log, never shown to the applicant).
        #[arg(long)]
        reason: String,
        /// Catalogue whose `id_hash_salt` hashes IDs; default: the embedded demo catalogue.
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
    /// Remove a customer or an agent.
    Remove {
        #[command(flatten)]
        who: Who,
        #[arg(long)]
        catalogue: Option<PathBuf>,
    },
    /// List the entries (hashes and agent codes).
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
struct Who {
    /// The customer's 18-character resident ID number.
    #[arg(long)]
    resident_id: Option<String>,
    /// The agent's code.
    #[arg(long)]
    agent: Option<String>,
}

impl Who {
    fn subject(&self) -> Subject {
        match (&self.resident_id, &self.agent) {
            (Some(id), _) => Subject::ResidentId(id.clone()),
            (None, Some(code)) => Subject::Agent(code.clone()),
            (None, None) => Subject::Agent(String::new()),
        }
    }
}

impl Args {
    pub fn run(self) -> Result<ExitCode, Failure> {
        let url = self.database.url();
        let today = crate::verify_cmd::china_today();
        match self.command {
            Command::Add { who, reason, catalogue: path } => {
                add(&url, &catalogue(path.as_deref())?, &who.subject(), &reason, today)
            }
            Command::Remove { who, catalogue: path } => {
                remove(&url, &catalogue(path.as_deref())?, &who.subject(), today)
            }
            Command::List { json } => list(&url, json),
        }
    }
}

/// Who an entry is about.
#[derive(Debug, Clone)]
pub enum Subject {
    ResidentId(String),
    Agent(String),
}

/// The database the server uses, for the CLI's store commands.
pub fn open_store(url: &str) -> Result<(tokio::runtime::Runtime, Store), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Io(format!("starting the async runtime: {e}")))?;
    let store = runtime.block_on(Store::open(url)).map_err(|e| Failure::Io(format!("{url}: {e}")))?;
    Ok((runtime, store))
}

/// The stored form of a subject: the salted hash of a (valid) resident ID, or the agent code.
fn key(subject: &Subject, catalogue: &Catalogue, today: NaiveDate) -> Result<(BlacklistKind, String), Failure> {
    match subject {
        Subject::ResidentId(number) => {
            let id = premia_core::resident_id::parse(number.trim(), today, "resident_id").map_err(Failure::Rules)?;
            Ok((BlacklistKind::ResidentId, premia_core::resident_id::salted_hash(&id.number, &catalogue.id_hash_salt)))
        }
        Subject::Agent(code) => Ok((BlacklistKind::Agent, code.trim().to_owned())),
    }
}

pub fn add(
    url: &str,
    catalogue: &Catalogue,
    subject: &Subject,
    reason: &str,
    today: NaiveDate,
) -> Result<ExitCode, Failure> {
    let (kind, value) = key(subject, catalogue, today)?;
    let (runtime, store) = open_store(url)?;
    let added = runtime.block_on(store.blacklist_add(kind, &value, reason)).map_err(|e| Failure::Io(e.to_string()))?;
    if added {
        eprintln!("added to the blacklist ({}) · 已加入黑名单", kind.as_str());
    } else {
        eprintln!("already on the blacklist ({}) · 已在黑名单中", kind.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn remove(url: &str, catalogue: &Catalogue, subject: &Subject, today: NaiveDate) -> Result<ExitCode, Failure> {
    let (kind, value) = key(subject, catalogue, today)?;
    let (runtime, store) = open_store(url)?;
    let removed = runtime.block_on(store.blacklist_remove(kind, &value)).map_err(|e| Failure::Io(e.to_string()))?;
    if removed {
        eprintln!("removed from the blacklist · 已移出黑名单");
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("not on the blacklist · 不在黑名单中");
        Ok(ExitCode::from(1))
    }
}

pub fn list(url: &str, json: bool) -> Result<ExitCode, Failure> {
    let (runtime, store) = open_store(url)?;
    let entries = runtime.block_on(store.blacklist()).map_err(|e| Failure::Io(e.to_string()))?;
    if json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["kind 类型", "value 值", "reason 原因", "added 加入时间"], &[false; 4]);
    for entry in &entries {
        let added = chrono::DateTime::from_timestamp_millis(entry.added_at).map(|t| t.to_rfc3339()).unwrap_or_default();
        table.row(vec![entry.kind.as_str().to_owned(), entry.value.clone(), entry.reason.clone(), added]);
    }
    print!("{}", table.render());
    Ok(ExitCode::SUCCESS)
}

/// Load the catalogue whose salt hashes resident IDs (the demo catalogue without `--catalogue`).
pub fn catalogue(path: Option<&Path>) -> Result<Catalogue, Failure> {
    crate::input::catalogue(path)
}

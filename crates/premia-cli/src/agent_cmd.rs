//! `premia agent issue / revoke / list`: agent tokens for `GET /api/applications/{number}`.

use std::process::ExitCode;

use crate::blacklist_cmd::{Database, open_store};
use crate::output::{Failure, Table, print_json};

/// `premia agent`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    database: Database,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Issue a token for an agent; prints it once.
    Issue {
        /// Agent code: 2-16 upper-case letters and digits.
        agent_code: String,
        /// A note to tell tokens apart (e.g. the device).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by its id, or every token of an agent by agent code.
    Revoke { token_id_or_agent_code: String },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
}

impl Args {
    pub fn run(self) -> Result<ExitCode, Failure> {
        let url = self.database.url();
        match self.command {
            Command::Issue { agent_code, label } => issue(&url, &agent_code, &label),
            Command::Revoke { token_id_or_agent_code } => revoke(&url, &token_id_or_agent_code),
            Command::List { json } => list(&url, json),
        }
    }
}

/// Issue a token and print it once; only its hash is stored.
pub fn issue(url: &str, agent_code: &str, label: &str) -> Result<ExitCode, Failure> {
    let code = agent_code.trim();
    let valid = (2..=16).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid {
        let kind = premia_core::ErrorKind::AgentCode { value: code.to_owned() };
        return Err(Failure::Rules(premia_core::Errors::one("agent_code", kind)));
    }
    let (runtime, store) = open_store(url)?;
    let issued = runtime.block_on(store.issue_agent_token(code, label)).map_err(|e| Failure::Io(e.to_string()))?;
    println!("{}", issued.token);
    eprintln!(
        "token {} issued for agent {code}: shown once, store it now (revoke: premia agent revoke {})\n已为代理人 {code} 签发令牌 {}：仅显示一次，请立即保存",
        issued.id, issued.id, issued.id
    );
    Ok(ExitCode::SUCCESS)
}

/// Revoke a token by id, or every token of an agent by agent code.
pub fn revoke(url: &str, which: &str) -> Result<ExitCode, Failure> {
    let (runtime, store) = open_store(url)?;
    let revoked = runtime.block_on(store.revoke_agent_tokens(which.trim())).map_err(|e| Failure::Io(e.to_string()))?;
    eprintln!("{revoked} token(s) revoked · 已吊销 {revoked} 个令牌");
    Ok(if revoked == 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

pub fn list(url: &str, json: bool) -> Result<ExitCode, Failure> {
    let (runtime, store) = open_store(url)?;
    let tokens = runtime.block_on(store.agent_tokens()).map_err(|e| Failure::Io(e.to_string()))?;
    if json {
        print_json(&tokens)?;
        return Ok(ExitCode::SUCCESS);
    }
    let time = |ms: i64| chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default();
    let mut table = Table::new(&["token id", "agent 代理人", "label 标签", "issued 签发", "revoked 吊销"], &[false; 5]);
    for t in &tokens {
        table.row(vec![
            t.id.clone(),
            t.agent_code.clone(),
            t.label.clone(),
            time(t.created_at),
            t.revoked_at.map(time).unwrap_or_default(),
        ]);
    }
    print!("{}", table.render());
    Ok(ExitCode::SUCCESS)
}

//! `premia-server blacklist add / remove / list`.
//!
//! A customer is listed by their keyed identity (HMAC of the resident ID number under the server's
//! secret); the number is checked (GB 11643, normalized as typed: spaces, a lower-case x), keyed and
//! never stored or printed. An agent is listed by agent code.

use std::process::ExitCode;

use super::{Admin, OnStore, output};

/// `premia-server blacklist …`: the store's flags and a subcommand.
pub type Args = OnStore<Command>;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a customer (by resident ID number) or an agent.
    Add {
        #[command(flatten)]
        who: Who,
        /// Why (kept in the store and the audit log, never shown to the applicant).
        #[arg(long)]
        reason: String,
    },
    /// Remove a customer (every entry for them, old or new) or an agent.
    Remove {
        #[command(flatten)]
        who: Who,
    },
    /// List the entries (keyed hashes and agent codes).
    List(output::Listing),
}

#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Who {
    /// The customer's 18-character resident ID number.
    #[arg(long)]
    resident_id: Option<String>,
    /// The agent's code.
    #[arg(long)]
    agent: Option<String>,
}

impl Args {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let admin = Admin::open(&self.store).await?;
        let today = chrono::Utc::now().with_timezone(&crate::config::china()).date_naive();
        match self.command {
            Command::Add { who, reason } => match (who.resident_id, who.agent) {
                (Some(number), _) => {
                    let id = match premia_core::resident_id::parse(&number, today, "resident_id") {
                        Ok(id) => id,
                        Err(errors) => return Ok(output::refused(&errors)),
                    };
                    let added =
                        admin.store.blacklist_person(&admin.secret.identity(&id.number), &reason, "cli").await?;
                    Ok(said(added, "customer"))
                }
                (None, Some(code)) => {
                    let code = code.trim();
                    if !premia_core::Channel::is_agent_code(code) {
                        let kind = premia_core::ErrorKind::AgentCode { value: code.to_owned() };
                        return Ok(output::refused(&premia_core::Errors::one("agent", kind)));
                    }
                    Ok(said(admin.store.blacklist_agent(code, &reason, "cli").await?, "agent"))
                }
                (None, None) => Ok(ExitCode::from(2)),
            },
            Command::Remove { who } => {
                let removed = match (who.resident_id, who.agent) {
                    (Some(number), _) => {
                        let id = match premia_core::resident_id::parse(&number, today, "resident_id") {
                            Ok(id) => id,
                            Err(errors) => return Ok(output::refused(&errors)),
                        };
                        admin.store.unblacklist_person(&admin.identity(&id.number), "cli").await?
                    }
                    (None, Some(code)) => admin.store.unblacklist_agent(code.trim(), "cli").await?,
                    (None, None) => false,
                };
                if removed {
                    output::note("removed from the blacklist · 已移出黑名单");
                    Ok(ExitCode::SUCCESS)
                } else {
                    output::note("not on the blacklist · 不在黑名单中");
                    Ok(ExitCode::from(1))
                }
            }
            Command::List(output::Listing { json }) => {
                let entries = admin.store.blacklist().await?;
                output::list(
                    json,
                    &entries,
                    &["kind 类型", "scheme", "value 值", "reason 原因", "added 加入时间"],
                    |e| {
                        vec![
                            e.kind.as_str().into(),
                            e.scheme.clone(),
                            e.value.clone(),
                            e.reason.clone(),
                            output::time(e.added_at),
                        ]
                    },
                )
            }
        }
    }
}

fn said(added: bool, what: &str) -> ExitCode {
    if added {
        output::note(&format!("added to the blacklist ({what}) · 已加入黑名单"));
    } else {
        output::note(&format!("already on the blacklist ({what}) · 已在黑名单中"));
    }
    ExitCode::SUCCESS
}

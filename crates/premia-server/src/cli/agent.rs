//! `premia-server agent issue / revoke / list`: agent tokens, for agent-channel applications and for
//! reading them back (`Authorization: Bearer …`).

use std::process::ExitCode;

use super::{Admin, OnStore, output};

/// `premia-server agent …`: the store's flags and a subcommand.
pub type Args = OnStore<Command>;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Issue a token for an agent; prints it once (only its hash is stored).
    Issue {
        /// Agent code: 2-16 upper-case letters and digits.
        agent_code: String,
        /// A note to tell tokens apart (e.g. the device or the CRM).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// Revoke a token by its id, or every token of an agent by agent code.
    Revoke { token_id_or_agent_code: String },
    /// List tokens (never their secrets).
    List(output::Listing),
}

impl Args {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let admin = Admin::open(&self.store).await?;
        match self.command {
            Command::Issue { agent_code, label } => {
                let code = agent_code.trim();
                if !premia_core::Channel::is_agent_code(code) {
                    let kind = premia_core::ErrorKind::AgentCode { value: code.to_owned() };
                    return Ok(output::refused(&premia_core::Errors::one("agent_code", kind)));
                }
                let issued = admin.store.issue_agent_token(code, &label).await?;
                #[allow(clippy::print_stdout)]
                {
                    println!("{}", issued.token);
                }
                output::note(&format!(
                    "token {id} issued for agent {code}: shown once, store it now (revoke: premia-server agent revoke {id})\n\
                     已为代理人 {code} 签发令牌 {id}：仅显示一次，请立即保存",
                    id = issued.id
                ));
                Ok(ExitCode::SUCCESS)
            }
            Command::Revoke { token_id_or_agent_code } => {
                let revoked = admin.store.revoke_agent_tokens(token_id_or_agent_code.trim()).await?;
                output::note(&format!("{revoked} token(s) revoked · 已吊销 {revoked} 个令牌"));
                Ok(if revoked == 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
            }
            Command::List(output::Listing { json }) => {
                let tokens = admin.store.agent_tokens().await?;
                output::list(
                    json,
                    &tokens,
                    &["token id", "agent 代理人", "label 标签", "issued 签发", "revoked 吊销"],
                    |t| {
                        vec![
                            t.id.clone(),
                            t.agent_code.clone(),
                            t.label.clone(),
                            output::time(t.created_at),
                            t.revoked_at.map(output::time).unwrap_or_default(),
                        ]
                    },
                )
            }
        }
    }
}

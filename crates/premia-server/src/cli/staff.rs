//! `premia-server staff add / disable / list / reset-password`: staff accounts of the underwriting desk
//! and the dashboard, in the server's store.
//!
//! A new password is generated and printed once (or read from standard input with `--password-stdin`,
//! for scripts); only its Argon2id hash is stored. Disabling an account or giving it a new password ends
//! its sessions. Every change is in the audit log (actor `cli`). Accounts do not involve the server's
//! secret, so these commands open the store alone.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use premia_desk::Role;

use super::{OnStore, output};
use crate::staff::password;

/// `premia-server staff …`: the store's flags and a subcommand.
pub type Args = OnStore<Command>;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add an account. Prints a generated password once, unless --password-stdin.
    Add {
        /// Sign-in name: 2-32 lower-case letters, digits, '.', '_' or '-'.
        username: String,
        /// underwriter, senior_underwriter, manager or analyst.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The name shown on the desk (default: the username).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// List the accounts (never their password hashes).
    List(output::Listing),
    /// Give an account a new password (ending its sessions). Prints a generated one once, unless
    /// --password-stdin.
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
        format!("{text:?} is not a role; roles: {}", names.join(", "))
    })
}

/// Whether `name` may be a username.
pub fn valid_username(name: &str) -> bool {
    (2..=32).contains(&name.len())
        && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
}

/// A refusal of the operator's input, in both languages; exit code 1 like the other groups' refusals.
fn refused(en: &str, zh: &str) -> ExitCode {
    output::note(&format!("{en} · {zh}"));
    ExitCode::from(1)
}

impl Args {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let store = self.store.open_store().await?;
        match self.command {
            Command::Add { username, role, name, password_stdin } => {
                if !valid_username(&username) {
                    return Ok(refused(
                        &format!("{username:?} is not a username: 2-32 lower-case letters, digits, '.', '_' or '-'"),
                        "用户名须为 2-32 个小写字母、数字、'.'、'_' 或 '-'",
                    ));
                }
                let display = name.unwrap_or_else(|| username.clone());
                if display.trim().is_empty() || display.chars().count() > 64 {
                    return Ok(refused("--name must be 1-64 characters", "--name 须为 1-64 个字符"));
                }
                let Some((secret, generated)) = new_password(password_stdin)? else {
                    return Ok(ExitCode::from(1));
                };
                let hash = hashed(secret.clone()).await?;
                store.staff_add(&username, display.trim(), role.name(), &hash, "cli").await?;
                output::note(&format!("added {username} ({}) · 已添加 {username}", role.name()));
                if generated {
                    shown_once(&secret);
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Disable { username } => {
                if !store.staff_disable(&username, "cli").await? {
                    return Ok(refused(
                        &format!("no enabled account is called {username:?}"),
                        &format!("没有名为 {username:?} 的启用账户"),
                    ));
                }
                output::note(&format!("disabled {username}; its sessions are ended · 已停用，其会话已结束"));
                Ok(ExitCode::SUCCESS)
            }
            Command::List(output::Listing { json }) => {
                let accounts = store.staff_list().await?;
                output::list(
                    json,
                    &accounts,
                    &["username 用户名", "role 角色", "state 状态", "name 姓名"],
                    |a| {
                        let state = if a.disabled_at.is_some() { "disabled 停用" } else { "active 启用" };
                        vec![a.username.clone(), a.role.clone(), state.to_owned(), a.display_name.clone()]
                    },
                )
            }
            Command::ResetPassword { username, password_stdin } => {
                let Some((secret, generated)) = new_password(password_stdin)? else {
                    return Ok(ExitCode::from(1));
                };
                let hash = hashed(secret.clone()).await?;
                if !store.staff_set_password(&username, &hash, "cli").await? {
                    return Ok(refused(
                        &format!("no account is called {username:?}"),
                        &format!("没有名为 {username:?} 的账户"),
                    ));
                }
                output::note(&format!(
                    "new password for {username}; its sessions are ended · 已重设密码，其会话已结束"
                ));
                if generated {
                    shown_once(&secret);
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    }
}

/// A generated password: on stdout (for the operator to hand over), the note on stderr.
fn shown_once(secret: &str) {
    #[allow(clippy::print_stdout)]
    {
        println!("{secret}");
    }
    output::note("the password above is shown once · 以上密码仅显示一次");
}

/// The password to set and whether it was generated (and must be shown); `None` when the one read from
/// standard input breaks the policy (said on stderr).
fn new_password(from_stdin: bool) -> anyhow::Result<Option<(String, bool)>> {
    if !from_stdin {
        return Ok(Some((password::generate().map_err(anyhow::Error::msg)?, true)));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let secret = line.trim_end_matches(['\r', '\n']).to_owned();
    if let Err((zh, en)) = password::policy(&secret) {
        output::note(&format!("{en} · {zh}"));
        return Ok(None);
    }
    Ok(Some((secret, false)))
}

async fn hashed(secret: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || password::hash(&secret)).await?.map_err(anyhow::Error::msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert!(valid_username("wang.li") && valid_username("a1"));
        assert!(!valid_username("Wang") && !valid_username("x") && !valid_username(".x") && !valid_username("王"));
    }
}

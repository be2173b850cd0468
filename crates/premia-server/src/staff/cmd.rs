//! `premia-server staff add|disable|list|reset-password`: staff accounts in the server's store.
//!
//! A new password is generated and printed once (or read from standard input with `--password-stdin`,
//! for scripts); only its Argon2id hash is stored. Disabling an account or giving it a new password ends
//! its sessions. Every change is in the audit log (actor `cli`).

use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use clap::Subcommand;
use premia_desk::Role;
use premia_store::Store;

use super::password;
use crate::cli::StoreArgs;

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
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
    /// List the accounts.
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
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

pub async fn run(store_args: &StoreArgs, command: StaffCommand) -> anyhow::Result<()> {
    let url = store_args.url();
    let store = Store::open(&url).await.with_context(|| format!("opening the store at {}", crate::redact(&url)))?;
    let mut out = std::io::stdout().lock();
    match command {
        StaffCommand::Add { username, role, name, password_stdin } => {
            if !valid_username(&username) {
                bail!("{username:?} is not a username: 2-32 lower-case letters, digits, '.', '_' or '-'");
            }
            let display = name.unwrap_or_else(|| username.clone());
            if display.trim().is_empty() || display.chars().count() > 64 {
                bail!("--name must be 1-64 characters");
            }
            let (secret, generated) = new_password(password_stdin)?;
            let hash = hashed(secret.clone()).await?;
            store.staff_add(&username, display.trim(), role.name(), &hash, "cli").await?;
            writeln!(out, "added {username} ({})", role.name())?;
            if generated {
                writeln!(out, "password (shown once): {secret}")?;
            }
        }
        StaffCommand::Disable { username } => {
            if !store.staff_disable(&username, "cli").await? {
                bail!("no enabled account is called {username:?}");
            }
            writeln!(out, "disabled {username}; its sessions are ended")?;
        }
        StaffCommand::List { json } => list(&store, json, &mut out).await?,
        StaffCommand::ResetPassword { username, password_stdin } => {
            let (secret, generated) = new_password(password_stdin)?;
            let hash = hashed(secret.clone()).await?;
            if !store.staff_set_password(&username, &hash, "cli").await? {
                bail!("no account is called {username:?}");
            }
            writeln!(out, "new password for {username}; its sessions are ended")?;
            if generated {
                writeln!(out, "password (shown once): {secret}")?;
            }
        }
    }
    Ok(())
}

async fn list(store: &Store, json: bool, out: &mut impl Write) -> anyhow::Result<()> {
    let accounts = store.staff_list().await?;
    if json {
        for account in &accounts {
            writeln!(out, "{}", serde_json::to_string(account)?)?;
        }
        return Ok(());
    }
    writeln!(out, "{:<20} {:<20} {:<19} NAME", "USERNAME", "ROLE", "STATE")?;
    for a in &accounts {
        let state = if a.disabled_at.is_some() { "disabled" } else { "active" };
        writeln!(out, "{:<20} {:<20} {:<19} {}", a.username, a.role, state, a.display_name)?;
    }
    Ok(())
}

/// The password to set, and whether it was generated (and must be shown).
fn new_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if !from_stdin {
        return Ok((password::generate().map_err(anyhow::Error::msg)?, true));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("reading the password from standard input")?;
    let secret = line.trim_end_matches(['\r', '\n']).to_owned();
    if let Err((_, en)) = password::policy(&secret) {
        bail!("{en}");
    }
    Ok((secret, false))
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

//! `premia-server keys rotate / list`: the Ed25519 key that signs quote tokens.
//!
//! `rotate` writes a new key over the key file (the old private key is gone: nothing needs it), records
//! its public key and marks the previous one retired. Retired public keys stay in `/api/keys`, so every
//! token signed before the rotation still verifies. Restart the servers (all replicas share the file)
//! to sign with the new key.

use std::process::ExitCode;

use super::{Admin, OnStore, output};

/// `premia-server keys …`: the store's flags and a subcommand.
pub type Args = OnStore<Command>;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Replace the signing key with a new one; earlier tokens keep verifying.
    Rotate,
    /// Every recorded public key, current and retired.
    List(output::Listing),
}

impl Args {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let admin = Admin::open(&self.store).await?;
        match self.command {
            Command::Rotate => {
                let path = admin.args.signing_key_path();
                let (old, new) = crate::signing::rotate(&path)?;
                if let Some(old) = &old {
                    // Recorded (a server that never started with it did not), then retired.
                    admin.store.retire_signing_key(old, "cli").await?;
                }
                admin.store.record_signing_key(new.kid(), &new.public_x()).await?;
                output::note(&format!(
                    "signing key rotated: {} -> {} ({}); restart the servers to sign with it · 签名密钥已轮换，请重启服务器",
                    old.as_deref().unwrap_or("none"),
                    new.kid(),
                    path.display()
                ));
                Ok(ExitCode::SUCCESS)
            }
            Command::List(output::Listing { json }) => {
                let keys = admin.store.signing_keys().await?;
                output::list(json, &keys, &["kid", "recorded 记录", "retired 停用"], |k| {
                    vec![k.kid.clone(), output::time(k.created_at), k.retired_at.map(output::time).unwrap_or_default()]
                })
            }
        }
    }
}

//! `premia-server referrals list`: the referral credits (老客户转介绍奖励) owed, by referrer.

use std::process::ExitCode;

use super::{Admin, OnStore, output};

/// `premia-server referrals …`: the store's flags and a subcommand.
pub type Args = OnStore<Command>;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Every credit: code, use number, referrer, the application that earned it.
    List {
        /// Only this referrer's (their application number).
        #[arg(long)]
        referrer: Option<String>,
        #[command(flatten)]
        listing: output::Listing,
    },
}

impl Args {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let admin = Admin::open(&self.store).await?;
        let Command::List { referrer, listing: output::Listing { json } } = self.command;
        let credits = admin.store.referral_credits(referrer.as_deref()).await?;
        output::list(
            json,
            &credits,
            &["referrer 推荐人", "code 推荐码", "use 次", "application 投保单", "credited 记入"],
            |c| {
                vec![
                    c.referrer.clone(),
                    format!("{}/{}/{}", c.catalogue_id, c.series, c.code_id),
                    c.use_number.to_string(),
                    c.application.clone(),
                    output::time(c.credited_at),
                ]
            },
        )
    }
}

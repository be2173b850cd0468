//! `premia-server referrals list`: the referral credits (老客户转介绍奖励) owed, by referrer.

use std::process::ExitCode;

use super::{Admin, StoreArgs, output};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Every credit: code, use number, referrer, the application that earned it.
    List {
        /// Only this referrer's (their application number).
        #[arg(long)]
        referrer: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

impl Args {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        let admin = Admin::open(&self.store).await?;
        let Command::List { referrer, json } = self.command;
        let credits = admin.store.referral_credits(referrer.as_deref()).await?;
        if json {
            output::json(&credits)?;
        } else {
            let rows: Vec<Vec<String>> = credits
                .iter()
                .map(|c| {
                    vec![
                        c.referrer.clone(),
                        format!("{}/{}/{}", c.catalogue_id, c.series, c.code_id),
                        c.use_number.to_string(),
                        c.application.clone(),
                        output::time(c.credited_at),
                    ]
                })
                .collect();
            output::table(&["referrer 推荐人", "code 推荐码", "use 次", "application 投保单", "credited 记入"], &rows);
        }
        Ok(ExitCode::SUCCESS)
    }
}

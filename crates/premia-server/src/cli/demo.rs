//! `premia-server demo seed --allow-demo --applications 5000 --days 365`: generated business submitted
//! through the server's own router (`crate::demo::seed`). Never on a production store: it refuses to run
//! without `--allow-demo`.

use std::process::ExitCode;

use crate::demo::seed;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Submit generated applications over past days, through the real code path (demo data only).
    Seed(Box<seed::SeedArgs>),
}

impl Args {
    pub async fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Seed(args) => seed::run(*args).await.map(|_| ExitCode::SUCCESS),
        }
    }
}

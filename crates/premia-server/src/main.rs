//! `premia-server`: see `premia-server --help` and docs/server.md. With no subcommand (or `serve`) it
//! runs the server; `blacklist`, `agent`, `referrals` and `keys` administer its data.

use clap::Parser;
use premia_server::cli::{Cli, Command, administer};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match cli.command {
        None => cli.serve,
        Some(Command::Serve(config)) => *config,
        Some(command) => return administer(command),
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = config.workers {
        runtime.worker_threads(workers.max(1));
    }
    let result = runtime
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(premia_server::serve(config)));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

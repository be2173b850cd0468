//! `premia-server`: see `premia-server --help` and docs/server.md.

use clap::Parser;
use premia_server::cli::{Cli, Command};

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let workers = match &cli.command {
        None => cli.serve.workers,
        Some(Command::Serve(config)) => config.workers,
        Some(Command::Staff { .. }) => Some(1),
        Some(Command::Demo(_)) => None,
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = workers {
        runtime.worker_threads(workers.max(1));
    }
    let result = runtime.enable_all().build().map_err(anyhow::Error::from).and_then(|rt| {
        rt.block_on(async move {
            match cli.command {
                None => premia_server::serve(cli.serve).await,
                Some(Command::Serve(config)) => premia_server::serve(config).await,
                Some(Command::Staff { store, command }) => premia_server::staff::cmd::run(&store, command).await,
                Some(Command::Demo(command)) => premia_server::demo::run(command).await,
            }
        })
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

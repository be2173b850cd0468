//! # premia-server
//!
//! The Premia server (axum on tokio). Browsers and CRMs price quotes themselves, so nothing they send is
//! trusted: every submitted quote is re-computed with the native engine (`premia_core`) and accepted only
//! if it matches to the cent. Accepted applications are stored exactly once (SQLite or PostgreSQL, see
//! `premia_store`), single-use coupons are redeemed once, the blacklist is enforced, and what is accepted
//! is signed with the server's Ed25519 key.
//!
//! The server is thin: pricing and comparison are the core's; this crate adds HTTP, the clock, storage
//! and signing. API: see `openapi.json` (served at `/api/openapi.json`) and docs/server.md.

pub mod body;
pub mod catalogues;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod desk;
pub mod envelope;
pub mod error;
pub mod metrics;
pub mod routes;
pub mod signing;
pub mod staff;
pub mod state;
pub mod verification;

use std::sync::Arc;

use anyhow::Context;
use premia_store::Store;

pub use config::Config;
pub use state::{AppState, Clock};

/// Everything a running server needs, built from its configuration: catalogues loaded, store opened and
/// migrated, signing key read or generated.
pub async fn state(config: Config, clock: Clock) -> anyhow::Result<AppState> {
    state_with_store_clock(config, clock, premia_store::StoreClock::system()).await
}

/// [`state`] with the store recording times by `store_clock` (`premia-server demo seed` submits a year
/// of applications through the real code path with its own clock).
pub async fn state_with_store_clock(
    config: Config,
    clock: Clock,
    store_clock: premia_store::StoreClock,
) -> anyhow::Result<AppState> {
    let catalogues = catalogues::Catalogues::load(&config.catalogues)?;
    let url = config.database_url();
    let backend = premia_store::Backend::of_url(&url)
        .ok_or_else(|| anyhow::anyhow!("unsupported database URL {}", redact(&url)))?;
    let mut options = premia_store::StoreOptions::for_backend(backend);
    options.clock = store_clock;
    options.utc_offset_seconds = config.utc_offset.local_minus_utc();
    let store =
        Store::open_with(&url, options).await.with_context(|| format!("opening the store at {}", redact(&url)))?;
    dashboard::backfill::run(&store).await.context("writing the dashboard's facts of earlier applications")?;
    let key = signing::ServerKey::load_or_generate(&config.signing_key_path())?;
    let jwks = serde_json::to_vec(&key.jwks())?;
    let dashboard = dashboard::Dashboard::load(&config.dashboard, &catalogues)?;
    dashboard::verified::spawn_flusher(&dashboard.verified, store.clone(), std::time::Duration::from_millis(500));
    Ok(AppState(Arc::new(state::Shared {
        config,
        catalogues,
        store,
        key,
        metrics: metrics::Metrics::default(),
        clock,
        jwks,
        dashboard,
    })))
}

/// Run the server until SIGINT or SIGTERM; in-flight requests finish first.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let clock = state::system_clock(config.utc_offset);
    let bind = config.bind;
    let state = state(config, clock).await?;
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("binding {bind}"))?;
    tracing::info!(
        "premia-server listening on http://{} (store: {}, catalogue in force: {})",
        listener.local_addr()?,
        state.store.backend().name(),
        state.catalogues.in_force(state.today()).catalogue.version,
    );
    if !state.config.site_dir.join("index.html").is_file() {
        tracing::warn!("no site at {}: run scripts/web-build.sh to build it", state.config.site_dir.display());
    }
    axum::serve(listener, routes::router(state)).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A database URL without its password, for logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact("postgres://premia:s3cret@db:5432/premia"), "postgres://premia:***@db:5432/premia");
        assert_eq!(super::redact("postgres://premia@db/premia"), "postgres://premia@db/premia");
        assert_eq!(super::redact("sqlite:data/premia.db"), "sqlite:data/premia.db");
    }
}

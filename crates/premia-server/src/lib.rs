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
pub mod built_page;
pub mod catalogues;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod desk;
pub mod envelope;
pub mod error;
pub mod headers;
pub mod limits;
pub mod metrics;
pub mod purchase;
pub mod routes;
pub mod secret;
pub mod signing;
pub mod staff;
pub mod state;
pub mod stored;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use premia_store::Store;
use tokio::net::TcpListener;
use tower::ServiceExt;

pub use config::Config;
pub use state::{AppState, Clock};

/// Everything a running server needs, built from its configuration: catalogues loaded (demo material
/// refused without `--allow-demo`), data folder made private, store opened and migrated, server secret
/// and signing key read or generated and checked against the database.
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
    demo::check(&catalogues, config.allow_demo)?;
    private_data_dir(&config.data_dir)?;
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
    let secret = secret::ServerSecret::load_or_generate(&config.server_secret_path())?;
    store.check_secret(secret.fingerprint()).await?;
    store.record_signing_key(key.kid(), &key.public_x()).await?;
    if store.has_legacy_identities().await? {
        // Rows from before the keyed identity: remember the salts they may have been hashed with.
        let salts: Vec<&str> = catalogues.all().iter().map(|v| v.catalogue.id_hash_salt.as_str()).collect();
        store.record_legacy_salts(&salts).await?;
    }
    let legacy_salts = store.legacy_salts().await?;
    let metrics_token = match &config.metrics_token_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the metrics token {}", path.display()))?
                .trim()
                .to_owned(),
        )
        .filter(|t| !t.is_empty()),
        None => None,
    };
    let rate_limits = limits::RateLimits::new(&config.limits);
    let payments = match &config.payments {
        Some(path) => Some(Arc::new(
            premia_pay::Payments::load(path).with_context(|| format!("loading payments {}", path.display()))?,
        )),
        None => None,
    };
    let dashboard = dashboard::Dashboard::load(&config.dashboard, &catalogues)?;
    dashboard::verified::spawn_flusher(&dashboard.verified, store.clone(), std::time::Duration::from_millis(500));
    let site_csp = headers::site_csp(&payments.as_ref().map(|p| p.form_origins()).unwrap_or_default())
        .context("the payment gateways' origins in the pages' Content-Security-Policy")?;
    Ok(AppState(Arc::new(state::Shared {
        config,
        catalogues,
        store,
        key,
        secret,
        legacy_salts,
        metrics: metrics::Metrics::default(),
        clock,
        rate_limits,
        metrics_token,
        payments,
        site_csp,
        dashboard,
    })))
}

/// The data folder holds the database and the keys: owner-only (0700), created so or tightened.
fn private_data_dir(folder: &Path) -> anyhow::Result<()> {
    premia_store::private_dir(folder).with_context(|| format!("creating {}", folder.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(folder)?.permissions().mode() & 0o777;
        if mode != 0o700 {
            tracing::info!("data folder {} was {mode:o}: made 0700 (owner only)", folder.display());
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// Run the server until SIGINT or SIGTERM; in-flight requests finish first.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let clock = state::system_clock(config.utc_offset);
    let bind = config.bind;
    let state = state(config, clock).await?;
    let listener = TcpListener::bind(bind).await.with_context(|| format!("binding {bind}"))?;
    tracing::info!(
        "premia-server listening on http://{} (store: {}, catalogue in force: {}, today: {} at UTC{})",
        listener.local_addr()?,
        state.store.backend().name(),
        state.catalogues.in_force(state.today()).catalogue.version,
        state.today(),
        state.config.utc_offset,
    );
    if !state.config.site_dir.join("index.html").is_file() {
        tracing::warn!("no site at {}: run scripts/web-build.sh to build it", state.config.site_dir.display());
    }
    if let Some(metrics_bind) = state.config.metrics_bind {
        let metrics = TcpListener::bind(metrics_bind).await.with_context(|| format!("binding {metrics_bind}"))?;
        tracing::info!("metrics on http://{}/metrics", metrics.local_addr()?);
        let app = routes::metrics_router(state.clone());
        let limits = state.config.limits.clone();
        tokio::spawn(async move { serve_on(metrics, app, &limits, std::future::pending()).await });
    }
    let forget = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            forget.rate_limits.forget_idle();
        }
    });
    if state.payments.is_some() {
        tokio::spawn(reconciliation(state.clone()));
    }
    let app = routes::router(state.clone());
    serve_on(listener, app, &state.config.limits, shutdown_signal()).await;
    Ok(())
}

/// Ask the providers about unnotified orders every `--reconcile-every`.
pub async fn reconciliation(state: AppState) {
    let mut every = tokio::time::interval(state.config.reconcile_every.max(std::time::Duration::from_millis(50)));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        purchase::reconcile(&state).await;
    }
}

/// Serve `app` on `listener` until `shutdown` resolves, then let the connections finish their requests.
/// HTTP/1.1 through hyper, with what `axum::serve` does not offer: the header-read timeout (hyper closes
/// a connection whose request headers have not all arrived in time, idle keep-alive ones too) and the
/// connection cap (no more accepted until one closes: the rest wait in the listen queue, and the server
/// keeps file descriptors for the connections it serves). Each request carries its peer's address
/// (`ConnectInfo`), which the rate limits key on.
pub async fn serve_on(
    listener: TcpListener,
    app: Router,
    limits: &config::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send,
) {
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&connections).acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted: wait a little.
                    tracing::warn!("accepting a connection: {error}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(move |request: axum::http::Request<hyper::body::Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            request
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), hyper_util::service::TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
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

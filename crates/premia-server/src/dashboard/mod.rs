//! The premium dashboard (保费数据看板) on the server: the facts written with every application and
//! desk decision ([`intake`]), the facts of applications stored before them ([`backfill`]), the
//! figures for staff with the manager or analyst role (`GET /api/dashboard`, [`read`]), their export
//! as CSV and Excel ([`export`]), live updates by server-sent events ([`live`]), the count of quotes
//! verified ([`verified`]), and the page at `/dashboard/` ([`page`]). What a figure is — its
//! definition, its rounding, its comparisons and targets — is `premia_dashboard`'s; the SQL that sums
//! the facts is `premia_store::dashboard`'s: this module is the HTTP and the wiring between them.

pub mod backfill;
pub mod export;
pub mod intake;
pub mod live;
pub mod page;
pub mod read;
pub mod verified;

use std::sync::Arc;

use axum::Router;
use axum::middleware;
use axum::routing::get;
use premia_dashboard::build::Names;
use premia_dashboard::targets::Targets;
use premia_desk::Permission;

use crate::staff::session::{self, Access};
use crate::state::AppState;

/// The dashboard's staff routes and who may use them (manager and analyst: `Permission::ViewDashboard`).
/// The staff gate reads this table beside `STAFF_ROUTES`.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("get", "/api/dashboard", Access::Needs(Permission::ViewDashboard)),
    ("get", "/api/dashboard/export", Access::Needs(Permission::ViewDashboard)),
    ("get", "/api/dashboard/live", Access::Needs(Permission::ViewDashboard)),
];

/// What the dashboard keeps while the server runs.
#[derive(Debug)]
pub struct Dashboard {
    pub targets: Targets,
    pub names: Names,
    pub verified: Arc<verified::Counter>,
    pub cache: live::Cache,
}

impl Dashboard {
    /// Read the targets file (if any) and the catalogues' names.
    pub fn load(
        config: &crate::config::DashboardConfig,
        catalogues: &crate::catalogues::Catalogues,
    ) -> anyhow::Result<Dashboard> {
        let targets = match &config.targets {
            Some(path) => read_targets(path)?,
            None => Targets::default(),
        };
        Ok(Dashboard {
            targets,
            names: read::names(catalogues),
            verified: Arc::default(),
            cache: live::Cache::default(),
        })
    }
}

/// A targets file (TOML, `premia_dashboard::targets`), every problem named.
pub fn read_targets(path: &std::path::Path) -> anyhow::Result<Targets> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the targets file {}", path.display()))?;
    let targets: Targets = toml::from_str(&text).with_context(|| format!("{}: not a targets file", path.display()))?;
    targets.check().map_err(|problems| anyhow::anyhow!("{}: {}", path.display(), problems.join("; ")))?;
    Ok(targets)
}

/// The dashboard's API (behind the staff gate) and its page.
pub fn router(state: AppState) -> Router<AppState> {
    let api = Router::new()
        .route("/api/dashboard", get(read::get))
        .route("/api/dashboard/export", get(export::get))
        .route("/api/dashboard/live", get(live::get))
        .route_layer(middleware::from_fn_with_state(state, session::gate));
    Router::new().merge(api).merge(page::PAGE.routes())
}

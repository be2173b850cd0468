//! The underwriting desk (人工核保) on the server: cases created with referred applications, the queue
//! and the case view for staff, decisions with two-person review, the desk's figures, and the status an
//! applicant and an agent read. The rules are elsewhere — what may be decided and the repricing in
//! `premia_core::desk`, the workflow and the wire types in `premia_desk` — and the state in
//! `premia_store` (`cases`, `decisions`): this module is the HTTP around them.

pub mod cases;
pub mod decide;
pub mod input;
pub mod intake;
pub mod metrics;
pub mod page;
pub mod stats;
pub mod status;

use axum::Router;
use axum::middleware;
use axum::routing::{get, post};

use crate::staff::{routes as staff_routes, session};
use crate::state::AppState;

/// The staff API (behind the access gate), the sign-in page, the desk page and the status routes.
pub fn router(state: AppState) -> Router<AppState> {
    let staff = Router::new()
        .route("/api/staff/login", post(staff_routes::login))
        .route("/api/staff/logout", post(staff_routes::logout))
        .route("/api/staff/me", get(staff_routes::me))
        .route("/api/desk/cases", get(cases::list))
        .route("/api/desk/cases/{number}", get(cases::view))
        .route("/api/desk/cases/{number}/decisions", post(decide::decide))
        .route("/api/desk/cases/{number}/review", post(decide::review))
        .route("/api/desk/cases/{number}/resolve", post(decide::resolve))
        .route("/api/desk/stats", get(stats::stats))
        .route_layer(middleware::from_fn_with_state(state, session::gate));
    Router::new()
        .merge(staff)
        .merge(page::PAGE.routes())
        .route("/staff/login", get(staff_routes::page))
        .route("/staff/login.js", get(staff_routes::script))
        .route("/staff/login.css", get(staff_routes::style))
        .route("/status.css", get(status::style))
        .route("/api/status/{receipt}", get(status::by_receipt))
        .route("/status/{receipt}", get(status::page))
        .route("/api/applications/{number}/status", get(status::for_agent))
}

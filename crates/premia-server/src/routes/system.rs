//! `/healthz`, `/metrics`, `/api/keys`, `/api/openapi.json`.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::json_response;
use crate::state::AppState;

/// The OpenAPI 3.1 document describing this API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// Ready when the database answers.
pub(super) async fn healthz(State(state): State<AppState>) -> Response {
    let database = state.store.ping().await;
    let status = if database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": if database { "ok" } else { "unavailable" },
        "database": state.store.backend().name(),
        "catalogue": state.catalogues.in_force(state.today()).catalogue.version,
        "version": env!("CARGO_PKG_VERSION"),
    });
    json_response(status, &body)
}

pub(super) async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}

/// The JSON Web Key Set that verifies quote tokens.
pub(super) async fn keys(State(state): State<AppState>) -> Response {
    let mut response = (StatusCode::OK, state.jwks.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/jwk-set+json"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

pub(super) async fn openapi() -> Response {
    let mut response = OPENAPI.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

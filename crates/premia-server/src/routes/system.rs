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

/// The JSON Web Key Set that verifies quote tokens: every key recorded in the database, current and
/// retired (a token signed before a rotation, or by another replica, still verifies).
pub(super) async fn keys(State(state): State<AppState>) -> Response {
    let keys = match state.store.signing_keys().await {
        Ok(keys) => keys,
        Err(error) => return crate::error::ApiError::unavailable(&error.to_string()).into_response(),
    };
    let jwks = crate::signing::jwks(&keys);
    let mut response = (StatusCode::OK, serde_json::to_vec(&jwks).unwrap_or_default()).into_response();
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

/// `/metrics` on the main address: only with `--metrics-token-file`, and only to that bearer token
/// (the counts of applications and blacklist hits are the insurer's business). Without the flag it is
/// not there (404): serve it with `--metrics-bind` on an address only the scraper reaches.
pub(super) async fn metrics_with_token(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(expected) = state.metrics_token.as_deref() else {
        return crate::error::ApiError::not_found("path").into_response();
    };
    let presented = crate::body::bearer(&headers).unwrap_or_default();
    let same = presented.len() == expected.len()
        && presented.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !same {
        let mut response = crate::error::ApiError::server(
            StatusCode::UNAUTHORIZED,
            crate::error::ServerError::new(
                "auth.required",
                "Authorization",
                "需要监控令牌（Authorization: Bearer …）",
                "the metrics token is required (Authorization: Bearer …)",
            ),
        )
        .into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"metrics\""));
        return response;
    }
    metrics(State(state)).await
}

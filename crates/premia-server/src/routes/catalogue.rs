//! `GET /api/catalogue` and `GET /api/catalogue/{version}`: cacheable by ETag.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::ApiError;
use crate::state::AppState;

/// The versions known, and which is in force today.
pub(super) async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let today = state.today();
    let in_force = &state.catalogues.in_force(today).catalogue.version;
    let versions: Vec<_> = state
        .catalogues
        .all()
        .iter()
        .map(|v| {
            let c = &v.catalogue;
            json!({
                "id": c.id, "version": c.version, "effective_from": c.effective_from,
                "content_hash": c.content_hash, "illustrative": c.illustrative,
                "in_force": &c.version == in_force, "href": format!("/api/catalogue/{}", c.version),
            })
        })
        .collect();
    let body = serde_json::to_vec(&json!({
        "today": today, "utc_offset": state.config.utc_offset.to_string(), "in_force": in_force, "versions": versions,
    }))
    .unwrap_or_default();
    // The list changes only when the version in force does, i.e. with the date.
    let etag = format!("\"{}-{}\"", premia_core::digest::hex(&sha2_of(&body))[..16].to_owned(), today);
    cached(&headers, body, &etag, "public, max-age=60")
}

/// One version: the TOML document and the files it refers to.
pub(super) async fn version(
    State(state): State<AppState>,
    Path(version): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let found = state.catalogues.get(&version).ok_or_else(|| ApiError::not_found("version"))?;
    // A version's content never changes under its hash; caches may keep it for a day.
    Ok(cached(&headers, found.document.clone(), &found.etag, "public, max-age=86400"))
}

fn sha2_of(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

/// 304 when the client holds this ETag, else the body with ETag and Cache-Control.
fn cached(headers: &HeaderMap, body: Vec<u8>, etag: &str, cache_control: &'static str) -> Response {
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == etag || tag.trim() == "*"));
    let mut response = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = (StatusCode::OK, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    };
    if let Ok(value) = HeaderValue::from_str(etag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    response
}

//! `GET /api/applications/{number}`: for the agent who submitted it, with an agent token.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::body::bearer;
use crate::error::{ApiError, ServerError, json_response};
use crate::state::AppState;

pub(super) async fn get(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(token) = bearer(&headers) else {
        return Err(unauthorized(
            "auth.required",
            "需要代理人令牌（Authorization: Bearer …）",
            "an agent token is required (Authorization: Bearer …)",
        ));
    };
    let agent = state.store.authenticate_agent(token).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
    let Some(agent) = agent else {
        return Err(unauthorized("auth.invalid", "代理人令牌无效或已吊销", "the agent token is invalid or revoked"));
    };
    let record = state.store.application(&number).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
    // Another agent's application, or none: the same answer, so numbers cannot be probed.
    let Some(record) = record.filter(|r| r.agent_code.as_deref() == Some(agent.as_str())) else {
        return Err(ApiError::not_found("number"));
    };
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap_or(Value::Null);
    // Where the sale stands (paid / issued / cancelled, the policy's links): what the applicant sees.
    let purchase_token = state.secret.purchase_token(&record.number);
    // Best effort: an application stored before buying existed (or whose quote no longer reads) has none.
    let purchase = crate::purchase::status(&state, &purchase_token, &record.number).await.ok();
    let body = json!({
        "application": record.number,
        "status": record.status,
        "created_at": chrono::DateTime::from_timestamp_millis(record.created_at).map(|t| t.to_rfc3339()),
        "channel": record.channel,
        "agent_code": record.agent_code,
        "catalogue": { "id": record.catalogue_id, "version": record.catalogue_version },
        "digest": record.digest,
        "decision": parse(&record.decision),
        "coupons_redeemed": record.coupons,
        "request": parse(&record.request_json),
        "quote": crate::stored::quote_value(&record.quote_json).unwrap_or(Value::Null),
        "token": record.token,
        "purchase": { "token": purchase_token, "status": purchase },
    });
    let mut response = json_response(StatusCode::OK, &body);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

fn unauthorized(code: &'static str, zh: &str, en: &str) -> ApiError {
    ApiError::server(StatusCode::UNAUTHORIZED, ServerError::new(code, "Authorization", zh, en))
}

/// 401 answers carry the scheme, as RFC 6750 asks.
pub(super) async fn with_challenge(mut response: Response) -> Response {
    if response.status() == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"premia\""));
    }
    response.into_response()
}

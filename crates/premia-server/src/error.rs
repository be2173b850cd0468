//! Errors as the API answers them: an HTTP status and a list of typed errors, each
//! `{code, field, message: {zh, en}}` — the same shape as `premia_core::Error`, so a client shows every
//! error the same way whether the core or the server found it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use premia_core::{Errors, Text};
use serde::Serialize;

/// One typed error found by the server itself (HTTP, store, credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerError {
    pub code: &'static str,
    pub field: String,
    pub message: Text,
}

impl ServerError {
    pub fn new(code: &'static str, field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ServerError { code, field: field.into(), message: Text::new(zh.into(), en.into()) }
    }
}

/// An error answer: a status and the errors behind it.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub errors: serde_json::Value,
    /// An extra top-level field (e.g. the coupon already redeemed, a re-quote), as written: a quote in it
    /// keeps the engine's field order, so a client can send it back byte for byte.
    pub extra: Option<(&'static str, Box<serde_json::value::RawValue>)>,
}

impl ApiError {
    /// Errors the core found in the request.
    pub fn core(status: StatusCode, errors: &Errors) -> Self {
        ApiError { status, errors: serde_json::to_value(errors).unwrap_or_default(), extra: None }
    }

    pub fn server(status: StatusCode, error: ServerError) -> Self {
        ApiError { status, errors: serde_json::to_value([error]).unwrap_or_default(), extra: None }
    }

    pub fn with(mut self, key: &'static str, value: &impl Serialize) -> Self {
        self.extra = serde_json::value::to_raw_value(value).ok().map(|raw| (key, raw));
        self
    }

    pub fn not_found(field: &str) -> Self {
        ApiError::server(StatusCode::NOT_FOUND, ServerError::new("not_found", field, "未找到", "not found"))
    }

    /// The store could not be reached or could not commit: nothing was stored; retrying is safe.
    pub fn unavailable(detail: &str) -> Self {
        tracing::error!("store unavailable: {detail}");
        ApiError::server(
            StatusCode::SERVICE_UNAVAILABLE,
            ServerError::new(
                "store.unavailable",
                "",
                "服务暂时不可用，请稍后重试",
                "temporarily unavailable; retry later",
            ),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Body<'a> {
            errors: &'a serde_json::Value,
        }
        let mut bytes = serde_json::to_vec(&Body { errors: &self.errors }).unwrap_or_else(|_| b"{}".to_vec());
        if let Some((key, value)) = &self.extra {
            bytes.pop();
            bytes.extend_from_slice(format!(",\"{key}\":{}}}", value.get()).as_bytes());
        }
        let mut response = (self.status, bytes).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }
}

/// A JSON answer with the given status.
pub fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_errors_have_the_core_shape() {
        let error = ServerError::new("coupon.redeemed", "coupons_used[0]", "已使用", "already redeemed");
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], "coupon.redeemed");
        assert_eq!(json["field"], "coupons_used[0]");
        assert_eq!(json["message"]["zh"], "已使用");
        assert_eq!(json["message"]["en"], "already redeemed");
    }
}

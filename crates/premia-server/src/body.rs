//! Reading request bodies and headers defensively: a size limit, a content type, and typed errors for
//! everything else, so that no input reaches a handler as anything but a byte slice within bounds.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use premia_core::{ErrorKind, Errors};

use crate::error::{ApiError, ServerError};

/// Largest accepted request body: 64 KiB. A quote with every product of the demo catalogue and all its
/// riders and worksheet steps is well under half of that.
pub const MAX_BODY: usize = 64 * 1024;

/// Oversized bodies up to this size are read to the end before the 413 answer; larger ones are cut off.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// A JSON request body of at most [`MAX_BODY`] bytes, not yet parsed.
#[derive(Debug)]
pub struct JsonBody(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(request.headers()) {
            return Err(ApiError::server(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ServerError::new(
                    "content_type",
                    "Content-Type",
                    "请求体须为 JSON（Content-Type: application/json）",
                    "the body must be JSON (Content-Type: application/json)",
                ),
            ));
        }
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
            return Err(too_large(declared.unwrap_or_default()));
        }
        // Read a little past the limit, so that a client sending a slightly oversized body still reads
        // our 413 instead of a connection closed under its upload.
        match axum::body::to_bytes(request.into_body(), DRAIN_LIMIT).await {
            Ok(bytes) if bytes.len() > MAX_BODY => Err(too_large(bytes.len() as u64)),
            Ok(bytes) => Ok(JsonBody(bytes)),
            Err(error) if is_length_limit(&error) => Err(too_large(DRAIN_LIMIT as u64 + 1)),
            Err(error) if is_timeout(&error) => Err(ApiError::server(
                StatusCode::REQUEST_TIMEOUT,
                ServerError::new(
                    "timeout.body",
                    "body",
                    "请求体发送超时，请重试",
                    "the request body did not arrive in time: retry",
                ),
            )),
            Err(error) => Err(ApiError::core(
                StatusCode::BAD_REQUEST,
                &Errors::one("body", ErrorKind::Syntax { message: format!("could not read the body: {error}") }),
            )),
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// The body's deadline passed (`--body-timeout`, tower-http's `RequestBodyDeadlineLayer`).
fn is_timeout(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = e.source();
    }
    false
}

fn too_large(size: u64) -> ApiError {
    ApiError::core(
        StatusCode::PAYLOAD_TOO_LARGE,
        &Errors::one(
            "body",
            ErrorKind::OutOfRange { value: format!("{size} bytes"), min: "0".into(), max: format!("{MAX_BODY} bytes") },
        ),
    )
}

/// The `Idempotency-Key` header: absent, or 1-255 visible ASCII characters.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(ApiError::server(
            StatusCode::BAD_REQUEST,
            ServerError::new(
                "idempotency_key.invalid",
                "Idempotency-Key",
                "Idempotency-Key 须为 1–255 个可见 ASCII 字符（建议使用 UUID）",
                "Idempotency-Key must be 1-255 visible ASCII characters (a UUID is best)",
            ),
        )),
    }
}

/// The bearer token in `Authorization`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(&headers(&[("content-type", "application/json")])));
        assert!(is_json(&headers(&[("content-type", "Application/JSON; charset=utf-8")])));
        assert!(!is_json(&headers(&[("content-type", "text/plain")])));
        assert!(!is_json(&headers(&[])));
    }

    #[test]
    fn idempotency_keys() {
        assert_eq!(idempotency_key(&headers(&[])).unwrap(), None);
        let key = "0b6f1c1e-5d4a-4c51-9f0e-3f7f7e1e2d3c";
        assert_eq!(idempotency_key(&headers(&[("idempotency-key", key)])).unwrap().as_deref(), Some(key));
        assert!(idempotency_key(&headers(&[("idempotency-key", "has space")])).is_err());
        assert!(idempotency_key(&headers(&[("idempotency-key", &"k".repeat(256))])).is_err());
    }

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer(&headers(&[("authorization", "Bearer pat_abc")])), Some("pat_abc"));
        assert_eq!(bearer(&headers(&[("authorization", "bearer  pat_abc ")])), Some("pat_abc"));
        assert_eq!(bearer(&headers(&[("authorization", "Basic dXNlcg==")])), None);
        assert_eq!(bearer(&headers(&[])), None);
    }
}

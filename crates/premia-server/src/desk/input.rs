//! Reading the desk's JSON bodies and query strings into `premia_desk::api` types, with typed errors
//! naming the field; and times as the desk shows them.

use axum::http::StatusCode;
use premia_core::{ErrorKind, Errors};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ServerError};

/// `bytes` as a `T`: malformed JSON, an unknown field, a wrong type or a missing field is a 400
/// `syntax` error naming the field (`verdict.loading`).
pub fn json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        let message = error.into_inner().to_string();
        ApiError::core(StatusCode::BAD_REQUEST, &Errors::one(field, ErrorKind::Syntax { message }))
    })
}

/// A 422 for a value that reads but is not allowed.
pub fn invalid(field: &str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
    ApiError::server(StatusCode::UNPROCESSABLE_ENTITY, ServerError::new("invalid", field, zh, en))
}

/// A refusal of the desk's workflow, with the status it carries.
pub fn problem(problem: &premia_desk::Problem) -> ApiError {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::CONFLICT);
    ApiError::server(
        status,
        ServerError::new(problem.code, problem.field, problem.message.zh.clone(), problem.message.en.clone()),
    )
}

/// Unix milliseconds as RFC 3339 in the insurer's offset (`2026-11-25T09:30:00+08:00`).
pub fn time(millis: i64, offset: chrono::FixedOffset) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, false))
        .unwrap_or_default()
}

//! `POST /api/staff/login`, `POST /api/staff/logout`, `GET /api/staff/me`, and the sign-in page.
//!
//! Signing in checks the password with Argon2id off the async workers; an unknown username is checked
//! against a decoy hash, so both cost the same and answer the same (401 `auth.invalid`). After
//! [`FREE_FAILURES`] failed attempts in a row a username must wait before the next one, doubling each
//! time up to [`MAX_WAIT_SECONDS`] (429 `auth.throttled`, `Retry-After`); a success clears the count.
//! Every sign-in, failure and sign-out is in the audit log.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use premia_desk::Role;
use premia_desk::api::{Login, Me};

use super::password;
use super::session::{self, Staff};
use crate::desk::input;
use crate::error::{ApiError, ServerError, json_response};
use crate::state::AppState;

/// Failed sign-ins in a row allowed without waiting.
pub const FREE_FAILURES: i64 = 5;
/// The longest wait between attempts after repeated failures.
pub const MAX_WAIT_SECONDS: i64 = 15 * 60;

/// Seconds to wait after `failures` failed attempts in a row: none for the first few, then 1, 2, 4, …
pub fn wait_after(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from((failures - FREE_FAILURES).min(20)).unwrap_or(20);
    (1_i64 << doublings).min(MAX_WAIT_SECONDS)
}

pub async fn login(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    let Login { username, password } = input::json(&body)?;
    let now = premia_store::now_millis();
    let unavailable = |e: premia_store::StoreError| ApiError::unavailable(&e.to_string());
    if let Some((failures, last)) = state.store.login_failures(&username).await.map_err(unavailable)? {
        let retry = last + wait_after(failures) * 1000 - now;
        if retry > 0 {
            let seconds = (retry + 999) / 1000;
            let mut error = ApiError::server(
                StatusCode::TOO_MANY_REQUESTS,
                ServerError::new(
                    "auth.throttled",
                    "username",
                    format!("登录失败次数过多，请 {} 秒后再试", seconds),
                    format!("too many failed sign-ins: try again in {} s", seconds),
                ),
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                error.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(error);
        }
    }
    let found = state.store.staff_login(&username).await.map_err(unavailable)?;
    let phc = found.as_ref().map_or_else(|| password::decoy().to_owned(), |(_, hash)| hash.clone());
    let typed = password.clone();
    let matches = tokio::task::spawn_blocking(move || password::verify(&typed, &phc)).await.unwrap_or(false);
    let account = match found {
        Some((account, _)) if matches && account.disabled_at.is_none() && Role::parse(&account.role).is_some() => {
            account
        }
        _ => {
            let detail = serde_json::json!({ "known": found.is_some() }).to_string();
            state.store.login_failed(&username, &detail).await.map_err(unavailable)?;
            return Err(ApiError::server(
                StatusCode::UNAUTHORIZED,
                ServerError::new("auth.invalid", "password", "用户名或密码错误", "wrong username or password"),
            ));
        }
    };
    let fail = |e: String| ApiError::unavailable(&e);
    let secret = session::random_token().map_err(fail)?;
    let csrf = session::random_token().map_err(fail)?;
    let lifetime = i64::from(state.config.desk.session_hours) * 3_600_000;
    let expires_at = now + lifetime;
    let id = premia_store::sha256_hex(secret.as_bytes());
    state.store.session_open(&account, &id, &csrf, expires_at).await.map_err(unavailable)?;
    let role = Role::parse(&account.role).unwrap_or(Role::Analyst);
    let staff = Staff { session: id, account, role, csrf, expires_at };
    let mut response = me_response(&state, &staff);
    let cookie = session::set_cookie(&secret, lifetime / 1000, state.config.tls_terminated);
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, Extension(staff): Extension<Staff>) -> Result<Response, ApiError> {
    state
        .store
        .session_revoke(&staff.session, &staff.account.username)
        .await
        .map_err(|e| ApiError::unavailable(&e.to_string()))?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session::clear_cookie(state.config.tls_terminated));
    Ok(response)
}

pub async fn me(State(state): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    me_response(&state, &staff)
}

fn me_response(state: &AppState, staff: &Staff) -> Response {
    let me = Me {
        username: staff.account.username.clone(),
        display_name: staff.account.display_name.clone(),
        role: staff.role,
        csrf: staff.csrf.clone(),
        expires_at: input::time(staff.expires_at, state.config.utc_offset),
    };
    let mut response = json_response(StatusCode::OK, &me);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /staff/login`: the sign-in page shared by the desk and the dashboard (`?next=/desk/`).
pub async fn page() -> Response {
    static_file(LOGIN_PAGE, "text/html; charset=utf-8")
}

/// `GET /staff/login.js`: the page's script (a file of its own, so that a Content-Security-Policy
/// without inline scripts allows it).
pub async fn script() -> Response {
    static_file(LOGIN_SCRIPT, "text/javascript; charset=utf-8")
}

/// `GET /staff/login.css`: the page's style (a file of its own, for the same reason).
pub async fn style() -> Response {
    static_file(LOGIN_STYLE, "text/css; charset=utf-8")
}

fn static_file(body: &'static str, content_type: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

const LOGIN_PAGE: &str = include_str!("login.html");
const LOGIN_STYLE: &str = include_str!("login.css");
const LOGIN_SCRIPT: &str = include_str!("login.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_and_stop_growing() {
        let waits: Vec<i64> = (0..8).map(wait_after).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 1, 2, 4]);
        assert_eq!(wait_after(40), MAX_WAIT_SECONDS);
    }
}

//! Staff sessions: the cookie, the gate every staff route passes, and the CSRF check.
//!
//! A session is a random 256-bit secret in an `HttpOnly; SameSite=Strict` cookie (`Secure`, and the
//! `__Host-` name, behind `--tls-terminated`); the store keeps its SHA-256, so a copy of the database opens
//! no session. Sessions end at logout, after `--staff-session-hours`, after `--staff-idle-minutes`
//! unused, and when the account is disabled or given a new password.
//!
//! Every staff route is listed in [`STAFF_ROUTES`] with what it needs, and [`gate`] enforces it before
//! the handler runs: a route missing from the table is refused (500), never served open. A request
//! that changes state must also carry the session's CSRF token in `X-CSRF-Token` (a cross-site form
//! cannot set a header, and the cookie is not sent cross-site anyway), and, when the browser says where
//! it comes from (`Origin`, `Sec-Fetch-Site`), come from this site.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use premia_desk::{Permission, Role};
use premia_store::StaffAccount;

use crate::error::{ApiError, ServerError};
use crate::state::AppState;

/// Who may use a staff route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (signing in).
    Public,
    /// Any signed-in staff member.
    SignedIn,
    /// A signed-in staff member whose role may do this.
    Needs(Permission),
}

/// Every staff route: method, path as routed, who may use it. The router, the gate, `openapi.json` and
/// the route × role test all read this table.
pub const STAFF_ROUTES: &[(&str, &str, Access)] = &[
    ("post", "/api/staff/login", Access::Public),
    ("post", "/api/staff/logout", Access::SignedIn),
    ("get", "/api/staff/me", Access::SignedIn),
    ("get", "/api/desk/cases", Access::Needs(Permission::ViewCases)),
    ("get", "/api/desk/cases/{number}", Access::Needs(Permission::ViewCases)),
    ("post", "/api/desk/cases/{number}/decisions", Access::Needs(Permission::Decide)),
    ("post", "/api/desk/cases/{number}/review", Access::Needs(Permission::Review)),
    ("post", "/api/desk/cases/{number}/resolve", Access::Needs(Permission::Resolve)),
    ("get", "/api/desk/stats", Access::Needs(Permission::ViewStats)),
];

/// The signed-in staff member, put in the request's extensions by [`gate`].
#[derive(Debug, Clone)]
pub struct Staff {
    pub session: String,
    pub account: StaffAccount,
    pub role: Role,
    pub csrf: String,
    pub expires_at: i64,
}

/// The session cookie's name: `__Host-` prefixed when it is `Secure` (the browser then refuses it from
/// plain HTTP and from other hosts' pages).
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-premia_staff" } else { "premia_staff" }
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(secret: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure_flag = if secure { "; Secure" } else { "" };
    let name = cookie_name(secure);
    let value = format!("{name}={secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure_flag}");
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure_flag = if secure { "; Secure" } else { "" };
    let value = format!("{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure_flag}", cookie_name(secure));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The session secret from the request's cookies, if it is there and has the secret's shape.
pub fn session_secret(headers: &HeaderMap, secure: bool) -> Option<String> {
    let name = cookie_name(secure);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 43 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// 256 random bits, base64url: a session secret or a CSRF token.
pub fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

pub fn unauthorized(code: &'static str, zh: &str, en: &str) -> ApiError {
    ApiError::server(StatusCode::UNAUTHORIZED, ServerError::new(code, "Cookie", zh, en))
}

fn forbidden(code: &'static str, field: &str, zh: &str, en: &str) -> ApiError {
    ApiError::server(StatusCode::FORBIDDEN, ServerError::new(code, field, zh, en))
}

/// Check the route's access rule, then run the handler with the [`Staff`] in its extensions.
pub async fn gate(State(state): State<AppState>, mut request: Request, next: Next) -> Result<Response, ApiError> {
    let path = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let method = request.method().as_str().to_ascii_lowercase();
    let routes = STAFF_ROUTES.iter().chain(crate::dashboard::ROUTES);
    let Some(&(_, _, access)) = routes.into_iter().find(|(m, p, _)| *m == method && *p == path) else {
        tracing::error!("staff route {method} {path} has no access rule: refused");
        return Err(ApiError::server(
            StatusCode::INTERNAL_SERVER_ERROR,
            ServerError::new("internal", "", "服务器内部错误", "internal server error"),
        ));
    };
    if access != Access::Public {
        let staff = authenticate(&state, request.headers()).await?;
        if let Access::Needs(permission) = access {
            if !staff.role.may(permission) {
                return Err(forbidden("role.forbidden", "role", "您的角色无权执行此操作", "your role may not do this"));
            }
        }
        if request.method() != Method::GET && request.method() != Method::HEAD {
            check_csrf(request.headers(), &staff.csrf)?;
        }
        request.extensions_mut().insert(staff);
    }
    if request.method() != Method::GET {
        check_origin(request.headers())?;
    }
    Ok(next.run(request).await)
}

/// The live session the request's cookie names.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Staff, ApiError> {
    let desk = &state.config.desk;
    let Some(secret) = session_secret(headers, state.config.tls_terminated) else {
        return Err(unauthorized("auth.required", "请先登录", "sign in first"));
    };
    let id = premia_store::sha256_hex(secret.as_bytes());
    let now = premia_store::now_millis();
    let idle = i64::from(desk.idle_minutes) * 60_000;
    let session = state.store.session(&id, now, idle).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
    let Some(session) = session else {
        return Err(unauthorized("auth.expired", "登录已失效，请重新登录", "your session has ended: sign in again"));
    };
    let Some(role) = Role::parse(&session.staff.role) else {
        return Err(forbidden("role.forbidden", "role", "您的角色无权执行此操作", "your role may not do this"));
    };
    // The idle clock, moved at most once a minute (a write per request would be waste).
    if now - session.last_seen_at > 60_000 {
        state.store.session_seen(&id, now).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
    }
    Ok(Staff { session: session.id, account: session.staff, role, csrf: session.csrf, expires_at: session.expires_at })
}

fn check_csrf(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    let given = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let same = given.len() == expected.len()
        && given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same {
        Ok(())
    } else {
        Err(forbidden(
            "csrf.invalid",
            "X-CSRF-Token",
            "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
            "the request lacks a valid CSRF token: reload the page and try again",
        ))
    }
}

/// A state-changing request a browser says comes from another site is refused.
fn check_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let cross_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| !matches!(site, "same-origin" | "none"));
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let foreign_origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|origin| origin.split_once("://").map(|(_, h)| h) != host);
    if cross_site || foreign_origin {
        return Err(forbidden(
            "csrf.origin",
            "Origin",
            "不接受来自其他网站的请求",
            "requests from other sites are not accepted here",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_strict_and_secure_on_request() {
        let plain = set_cookie("abc", 60, false);
        assert_eq!(plain, "premia_staff=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60");
        let secure = set_cookie("abc", 60, true);
        assert_eq!(secure, "__Host-premia_staff=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=60; Secure");
        assert!(clear_cookie(false).to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn the_secret_is_read_from_its_own_cookie_only() {
        let secret = random_token().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&format!("a=b; premia_staff={secret}; c=d")).unwrap());
        assert_eq!(session_secret(&headers, false), Some(secret.clone()));
        assert_eq!(session_secret(&headers, true), None, "the secure name is another cookie");
        headers.insert(header::COOKIE, HeaderValue::from_static("premia_staff=short"));
        assert_eq!(session_secret(&headers, false), None);
    }

    #[test]
    fn cross_site_requests_are_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("desk.example:8080"));
        assert!(check_origin(&headers).is_ok(), "no Origin: not a browser's cross-site request");
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://desk.example:8080"));
        assert!(check_origin(&headers).is_ok());
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(check_origin(&headers).is_err());
        headers.remove(header::ORIGIN);
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(check_origin(&headers).is_err());
        assert!(check_csrf(&HeaderMap::new(), "token").is_err());
    }
}

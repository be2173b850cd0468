//! Security headers on every answer.
//!
//! - `X-Content-Type-Options: nosniff` everywhere: a browser takes each file for what its
//!   `Content-Type` says (an uploaded-looking JSON answer is never run as a script).
//! - `Referrer-Policy: no-referrer`: the site's addresses (a `?date=`) go nowhere.
//! - On HTML pages, [`site_csp`] and `X-Frame-Options: DENY` (for browsers before `frame-ancestors`);
//!   [`API_CSP`] on every other answer but a 304, which keeps the policy of the page it revalidates.
//! - `Strict-Transport-Security` when TLS is terminated in front of the server (`--tls-terminated`); not
//!   otherwise, as it would tell browsers to insist on an HTTPS the server does not have.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// The quote site's Content-Security-Policy: its own scripts, styles, images and API only.
/// `'wasm-unsafe-eval'` is what compiling the WebAssembly module needs (`WebAssembly.instantiate`
/// counts as evaluation); it allows no JavaScript `eval`. No `'unsafe-inline'`: the pages have no inline
/// script or style. `frame-ancestors 'none'`: the site is never framed (the widget is embedded by script,
/// not by frame). `form-action`: the site itself and the configured payment gateways a payer's browser
/// posts an order form to (UnionPay's; [`premia_pay::Payments::form_origins`]), nothing else.
/// web/README.md says what a CRM embedding the widget must allow.
pub fn site_csp(form_origins: &[String]) -> Result<HeaderValue, axum::http::header::InvalidHeaderValue> {
    let mut form_action = String::from("'self'");
    for origin in form_origins {
        form_action.push(' ');
        form_action.push_str(origin);
    }
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action {form_action}; \
         frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy)
}

/// Everything else (JSON, scripts, the module): nothing to load, never framed.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

pub async fn security(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    // A 304 has no Content-Type, and a browser copies its headers onto the page it kept: an API policy
    // there would replace the page's own and block its scripts and styles (seen on the desk's second visit).
    let revalidated = response.status() == axum::http::StatusCode::NOT_MODIFIED;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if html {
        headers.insert(header::CONTENT_SECURITY_POLICY, state.site_csp.clone());
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    } else if !revalidated && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(API_CSP));
    }
    if state.config.tls_terminated {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=63072000; includeSubDomains"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::site_csp;

    #[test]
    fn forms_post_to_the_site_and_the_configured_gateways_only() {
        let alone = site_csp(&[]).unwrap();
        assert!(alone.to_str().unwrap().contains("form-action 'self'; frame-ancestors 'none'"), "{alone:?}");
        let gateways = ["https://gateway.95516.com".to_owned(), "http://127.0.0.1:4180".to_owned()];
        let with = site_csp(&gateways).unwrap();
        assert!(
            with.to_str()
                .unwrap()
                .contains("form-action 'self' https://gateway.95516.com http://127.0.0.1:4180; frame-ancestors"),
            "{with:?}"
        );
    }
}

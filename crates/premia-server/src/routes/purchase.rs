//! Buying: the applicant's purchase routes, keyed by the unguessable token the 201 of
//! `POST /api/quotes` returned (`/api/purchases/{token}…`), the providers' notifications
//! (`/api/pay/notify/{provider}`) and the printable policy (`/policy/{token}`). The logic is in
//! `crate::purchase`; this is HTTP.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use premia_pay::Provider;
use serde::Deserialize;
use serde_json::json;

use crate::body::JsonBody;
use crate::error::{ApiError, ServerError, json_response};
use crate::purchase;
use crate::state::AppState;

/// The application number a token is for: 404 for anything not made by this server's secret.
fn number<'t>(state: &AppState, token: &'t str) -> Result<&'t str, ApiError> {
    state.secret.purchase_number(token).ok_or_else(|| ApiError::not_found("token"))
}

fn private(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    response
}

/// `GET /api/purchases/{token}`: where the application stands (accepted, paid, issued, cancelled).
pub(super) async fn status(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let number = number(&state, &token)?;
    let body = purchase::status(&state, &token, number).await?;
    Ok(private(json_response(StatusCode::OK, &body)))
}

/// What the applicant chooses: how to pay. Nothing else (the amount is the server's).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PayRequest {
    method: String,
    #[serde(default)]
    return_url: Option<String>,
}

/// `POST /api/purchases/{token}/payment`: make (or show again) the order for the first premium.
pub(super) async fn pay(
    State(state): State<AppState>,
    Path(token): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let number = number(&state, &token)?;
    let request: PayRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::server(
            StatusCode::BAD_REQUEST,
            ServerError::new("syntax", "body", format!("请求体有误：{e}"), e.to_string()),
        )
    })?;
    let method = purchase::method(&request.method, request.return_url.as_deref()).ok_or_else(|| {
        ApiError::server(
            StatusCode::UNPROCESSABLE_ENTITY,
            ServerError::new(
                "payment.method",
                "method",
                "支付方式应为 wechat_native、alipay_qr、alipay_page 或 unionpay（后两者需 return_url）",
                "the method is wechat_native, alipay_qr, alipay_page or unionpay (the last two with a return_url)",
            ),
        )
    })?;
    let order = purchase::pay(&state, number, method).await?;
    Ok(private(json_response(StatusCode::OK, &order)))
}

/// `POST /api/purchases/{token}/cancel`: cancel within the cooling-off period; the premium is refunded.
pub(super) async fn cancel(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let number = number(&state, &token)?;
    let body = purchase::cancel(&state, number).await?;
    Ok(private(json_response(StatusCode::OK, &body)))
}

/// `GET /api/purchases/{token}/policy`: the policy document and its signature (a compact JWS, `typ`
/// `premia-policy+jws`, verifiable offline with `/api/keys`).
pub(super) async fn policy(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response, ApiError> {
    let number = number(&state, &token)?;
    let policy = state.store.policy_of(number).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
    let policy = policy.ok_or_else(|| ApiError::not_found("policy"))?;
    let document: serde_json::Value = serde_json::from_str(&policy.policy_json).unwrap_or_default();
    let body = json!({ "status": policy.status, "policy": document, "signed": policy.signature });
    Ok(private(json_response(StatusCode::OK, &body)))
}

/// `GET /policy/{token}`: the policy as a page to print, in Chinese and English.
pub(super) async fn printable(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(number) = state.secret.purchase_number(&token) else {
        return (StatusCode::NOT_FOUND, Html(page("未找到 Not found", "<p>未找到该保单。No such policy.</p>")))
            .into_response();
    };
    let policy = match state.store.policy_of(number).await {
        Ok(Some(policy)) => policy,
        Ok(None) => {
            let body =
                "<p>保单尚未签发：支付首期保险费后签发。The policy is issued once the first premium is paid.</p>";
            return (StatusCode::NOT_FOUND, Html(page("保单尚未签发 Not issued yet", body))).into_response();
        }
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let Ok(document) = serde_json::from_str::<premia_core::purchase::Policy>(&policy.policy_json) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let printed = premia_core::purchase::print::render(&document);
    private((StatusCode::OK, Html(render_html(&printed, &policy.status))).into_response())
}

/// The printed policy as HTML: every value escaped; the wording is the core's.
fn render_html(printed: &premia_core::purchase::print::Printed, status: &str) -> String {
    let mut body = String::new();
    if status == "cancelled" {
        body.push_str("<p class=\"cancelled\">已于犹豫期内解除，保险费已退还。Cancelled in the cooling-off period; the premium was refunded.</p>");
    }
    if let Some(notice) = &printed.notice {
        body.push_str(&format!("<p class=\"notice\">{}<br>{}</p>", escape(&notice.zh), escape(&notice.en)));
    }
    for section in &printed.sections {
        body.push_str(&format!(
            "<section><h2>{} <span lang=\"en\">{}</span></h2><table>",
            escape(&section.heading.zh),
            escape(&section.heading.en)
        ));
        for row in &section.rows {
            body.push_str(&format!(
                "<tr><th>{}<br><span lang=\"en\">{}</span></th><td>{}<br><span lang=\"en\">{}</span></td></tr>",
                escape(&row.label.zh),
                escape(&row.label.en),
                escape(&row.value.zh),
                escape(&row.value.en)
            ));
        }
        body.push_str("</table></section>");
    }
    let title = format!("{} {}", printed.title.zh, printed.title.en);
    page(&title, &body)
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"><style>\
         body{{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#111}}\
         h1{{font-size:1.4rem}}h2{{font-size:1.1rem;margin-top:1.5rem;border-bottom:1px solid #999}}\
         table{{border-collapse:collapse;width:100%}}th{{text-align:left;width:30%;vertical-align:top;padding:.3rem .5rem .3rem 0}}\
         td{{padding:.3rem 0;word-break:break-all}}span[lang=en]{{color:#444;font-size:.9em}}\
         .notice,.cancelled{{border:1px solid #c60;padding:.5rem}}@media print{{body{{margin:0}}}}\
         </style></head><body><h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `GET /api/documents/{sha256}`: a consent document's text by its hash, from any catalogue version
/// loaded, for the page to show before the person confirms it. Content-addressed: cacheable forever.
pub(super) async fn document(State(state): State<AppState>, Path(sha256): Path<String>) -> Result<Response, ApiError> {
    let found = state.catalogues.all().iter().find_map(|v| v.catalogue.sale.document_by_hash(&sha256));
    let Some(document) = found.filter(|d| d.text.is_some()) else { return Err(ApiError::not_found("sha256")) };
    let body = json!({
        "id": document.id,
        "kind": document.kind,
        "version": document.version,
        "title": document.title,
        "sha256": document.sha256,
        "text": document.text.as_deref(),
    });
    let mut response = json_response(StatusCode::OK, &body);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}

/// `POST /api/pay/notify/{provider}`: a provider's asynchronous notification, answered in the
/// provider's terms (acknowledged only once what it says is committed).
pub(super) async fn notify(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(provider) = Provider::ALL.into_iter().find(|p| p.as_str() == provider) else {
        return ApiError::not_found("provider").into_response();
    };
    let ack = purchase::notified(&state, provider, &headers, &body).await;
    let status = StatusCode::from_u16(ack.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, ack.content_type)], ack.body).into_response()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn every_value_is_escaped() {
        assert_eq!(escape("<script>\"'&"), "&lt;script&gt;&quot;&#39;&amp;");
    }
}

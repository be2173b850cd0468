//! Where an application stands, for the applicant (with the receipt the 201 gave them) and for the
//! agent who sold it (with their token):
//!
//! - `GET /api/status/{receipt}` and `GET /api/applications/{number}/status`: `premia_desk::status::
//!   StatusView` as JSON;
//! - `GET /status/{receipt}`: the same as a page, zh-CN or English (`?lang=en`, or the browser's
//!   language), refreshing itself every 30 s until the application is settled.
//!
//! A receipt is 256 random bits: unknown and malformed receipts get the same 404. The pages are not
//! cached, not indexed, and send no referrer (their address is the receipt).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use premia_core::desk::Verdict;
use premia_core::{Lang, Text};
use premia_desk::status::{self, Progress, StatusView};

use super::cases::{private, unavailable};
use super::input;
use super::intake::is_receipt;
use crate::body::bearer;
use crate::error::{ApiError, ServerError, json_response};
use crate::state::AppState;

/// The status page of a receipt, as the 201 gives it (`status_url`).
pub fn page_path(receipt: &str) -> String {
    format!("/status/{receipt}")
}

pub async fn by_receipt(State(state): State<AppState>, Path(receipt): Path<String>) -> Result<Response, ApiError> {
    let view = receipt_view(&state, &receipt).await?;
    // Buying (issue 15): paid / issued / cancelled, with the policy's links, beside the desk's view.
    let mut body = serde_json::to_value(&view).unwrap_or_default();
    if let Some(object) = body.as_object_mut() {
        // Best effort, as on the page: an application from before buying existed has none.
        let purchase = purchase_of(&state, &view.application).await.unwrap_or(serde_json::Value::Null);
        object.insert("purchase".into(), purchase);
    }
    Ok(no_referrer(private(json_response(StatusCode::OK, &body))))
}

/// The purchase's status (`crate::purchase::status`) of application `number`.
async fn purchase_of(state: &AppState, number: &str) -> Result<serde_json::Value, ApiError> {
    let token = state.secret.purchase_token(number);
    crate::purchase::status(state, &token, number).await
}

/// `GET /api/applications/{number}/status`, for the agent who sold it.
pub async fn for_agent(
    State(state): State<AppState>,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let unauthorized = |code, zh: &str, en: &str| {
        let mut response =
            ApiError::server(StatusCode::UNAUTHORIZED, ServerError::new(code, "Authorization", zh, en)).into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"premia\""));
        response
    };
    let Some(token) = bearer(&headers) else {
        return Ok(unauthorized(
            "auth.required",
            "需要代理人令牌（Authorization: Bearer …）",
            "an agent token is required (Authorization: Bearer …)",
        ));
    };
    let Some(agent) = state.store.authenticate_agent(token).await.map_err(unavailable)? else {
        return Ok(unauthorized("auth.invalid", "代理人令牌无效或已吊销", "the agent token is invalid or revoked"));
    };
    let record = state.store.application(&number).await.map_err(unavailable)?;
    // Another agent's application, or none: the same answer, so numbers cannot be probed.
    if record.filter(|r| r.agent_code.as_deref() == Some(agent.as_str())).is_none() {
        return Err(ApiError::not_found("number"));
    }
    let view = view_of(&state, &number).await?.ok_or_else(|| ApiError::not_found("number"))?;
    Ok(private(json_response(StatusCode::OK, &view)))
}

#[derive(Debug, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    lang: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    Path(receipt): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = match query.lang.as_deref() {
        Some("en") => Lang::En,
        Some(_) => Lang::Zh,
        None => {
            let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or_default();
            if accept.trim_start().starts_with("en") { Lang::En } else { Lang::Zh }
        }
    };
    let (code, body) = match receipt_view(&state, &receipt).await {
        Ok(view) => {
            let purchase = purchase_of(&state, &view.application).await.ok();
            (StatusCode::OK, render(&view, &receipt, purchase.as_ref(), lang))
        }
        Err(error) if error.status == StatusCode::NOT_FOUND => (StatusCode::NOT_FOUND, missing(lang)),
        Err(error) => (error.status, unavailable_page(lang)),
    };
    let mut response = (code, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    no_referrer(private(response))
}

fn no_referrer(mut response: Response) -> Response {
    response.headers_mut().insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

async fn receipt_view(state: &AppState, receipt: &str) -> Result<StatusView, ApiError> {
    if !is_receipt(receipt) {
        return Err(ApiError::not_found("receipt"));
    }
    let number = state.store.application_of_receipt(receipt).await.map_err(unavailable)?;
    let Some(number) = number else { return Err(ApiError::not_found("receipt")) };
    view_of(state, &number).await?.ok_or_else(|| ApiError::not_found("receipt"))
}

/// What is known of the application, as [`StatusView`].
pub async fn view_of(state: &AppState, number: &str) -> Result<Option<StatusView>, ApiError> {
    let Some(record) = state.store.application(number).await.map_err(unavailable)? else { return Ok(None) };
    let case = state.store.case(number).await.map_err(unavailable)?;
    let offset = state.config.utc_offset;
    let parse_quote = |text: &str| crate::stored::quote(text).map_err(|e| ApiError::unavailable(&e));
    let rules = state.catalogues.get(&record.catalogue_version).map(|v| v.catalogue.desk.clone()).unwrap_or_default();
    let Some(case) = case else {
        // Decided automatically (or referred before the desk existed: shown as submitted).
        let quote = parse_quote(&record.quote_json)?;
        let progress = if record.status == "accepted" {
            Progress::Accepted { quote: &quote, token: &record.token }
        } else {
            Progress::Unopened
        };
        let at = input::time(record.created_at, offset);
        return Ok(Some(status::view(number, at.clone(), at, progress, &rules)));
    };
    let decisions = state.store.case_decisions(number).await.map_err(unavailable)?;
    let verdict_of = |id: Option<&str>| -> Option<Verdict> {
        let row = decisions.iter().find(|d| Some(d.id.as_str()) == id)?;
        serde_json::from_str(&row.verdict_json).ok()
    };
    let final_row = state.store.case_final(number).await.map_err(unavailable)?;
    let (final_quote, final_verdict, requested);
    let progress = match &final_row {
        Some(f) if f.outcome == "accepted" => {
            final_quote = parse_quote(f.quote_json.as_deref().unwrap_or_default())?;
            Progress::Accepted { quote: &final_quote, token: f.token.as_deref().unwrap_or_default() }
        }
        Some(f) => {
            final_verdict = verdict_of(Some(&f.decision_id)).unwrap_or(Verdict::MoreInformation {});
            Progress::Refused(&final_verdict)
        }
        None if case.opened_at.is_none() && case.status == "open" => Progress::Unopened,
        None => {
            requested = if case.status == "waiting" { verdict_of(case.requested_decision.as_deref()) } else { None };
            Progress::InReview { requested: requested.as_ref() }
        }
    };
    let updated = case.updated_at.max(case.opened_at.unwrap_or(0));
    Ok(Some(status::view(
        number,
        input::time(record.created_at, offset),
        input::time(updated, offset),
        progress,
        &rules,
    )))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn t(text: &Text, lang: Lang) -> String {
    escape(text.get(lang))
}

/// The status page.
fn render(view: &StatusView, receipt: &str, purchase: Option<&serde_json::Value>, lang: Lang) -> String {
    let w = |zh: &str, en: &str| if lang == Lang::En { en.to_owned() } else { zh.to_owned() };
    let mut rows = String::new();
    let mut row = |label: String, value: String| rows.push_str(&format!("<tr><th>{label}</th><td>{value}</td></tr>\n"));
    row(w("投保单号", "Application"), escape(&view.application));
    row(w("提交时间", "Submitted"), escape(&view.submitted_at));
    row(w("更新时间", "Updated"), escape(&view.updated_at));
    if let Some(premium) = &view.premium {
        let money = |d: &rust_decimal::Decimal| format!("{d} {}", w("元", "CNY"));
        row(w("年交保费", "Annual premium"), money(&premium.annual_premium));
        row(w("首年保费（优惠后）", "First-year premium (after discounts)"), money(&premium.net_first_year_premium));
        row(w("交费期内总保费", "Total premium over the term"), money(&premium.net_total_premium));
    }
    if let Some(loading) = view.loading {
        row(
            w("核保加费", "Underwriting loading"),
            format!("+{}%", (loading * rust_decimal::Decimal::ONE_HUNDRED).normalize()),
        );
    }
    for exclusion in &view.exclusions {
        row(w("除外责任", "Exclusion"), t(exclusion, lang));
    }
    if let Some(months) = view.postpone_months {
        row(w("延期", "Postponed for"), format!("{months} {}", w("个月", "months")));
    }
    if let Some(reason) = &view.reason {
        row(w("原因", "Reason"), t(&reason.text, lang));
    }
    if let Some(purchase) = purchase {
        let stage = match purchase["status"].as_str().unwrap_or_default() {
            "paid" => Some(w("已支付首期保险费，保单签发中", "First premium paid; the policy is being issued")),
            "issued" => Some(w("保单已签发", "Policy issued")),
            "cancelled" => {
                Some(w("已于犹豫期内解除，保险费已退还", "Cancelled in the cooling-off period; premium refunded"))
            }
            "under_review" => Some(w("支付信息待人工核对", "The payment is being checked by a person")),
            _ if purchase["payable"] == true => Some(w("待支付首期保险费", "Awaiting the first premium")),
            _ => None,
        };
        if let Some(stage) = stage {
            row(w("投保进度", "Purchase"), escape(&stage));
        }
        if let Some(printable) = purchase["policy"]["printable"].as_str() {
            let number = purchase["policy"]["number"].as_str().unwrap_or_default();
            row(w("电子保单", "Policy"), format!("<a href=\"{}\">{}</a>", escape(printable), escape(number)));
        }
    }
    if let Some(requested) = &view.requested {
        row(w("需要您", "We need you to"), t(&requested.text, lang));
    }
    let token = view.token.as_deref().map_or_else(String::new, |token| {
        format!(
            "<details><summary>{}</summary><p class=\"token\">{}</p></details>",
            w("电子凭证（服务器签名，可用 /api/keys 验证）", "Signed token (verify with /api/keys)"),
            escape(token)
        )
    });
    let refresh = if view.status.is_settled() { "" } else { "<meta http-equiv=\"refresh\" content=\"30\">" };
    let (html_lang, other, other_label) =
        if lang == Lang::En { ("en", "zh", "中文") } else { ("zh-CN", "en", "English") };
    format!(
        "<!doctype html>\n<html lang=\"{html_lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">{refresh}\
         <title>{title} · Premia</title><link rel=\"stylesheet\" href=\"/status.css\"></head><body><main>\
         <p class=\"lang\"><a href=\"{path}?lang={other}\">{other_label}</a></p>\
         <h1>{title}</h1><p class=\"status\" data-status=\"{status}\">{label}</p>\
         <table>{rows}</table>{token}<p class=\"note\">{note}</p></main></body></html>\n",
        title = w("投保申请进度", "Application status"),
        path = escape(&page_path(receipt)),
        status = view.status.name(),
        label = t(&view.label, lang),
        note = w(
            "本页每 30 秒自动刷新，直至核保完成。请勿将本页地址告知他人。",
            "This page refreshes every 30 seconds until underwriting is complete. Keep its address to yourself."
        ),
    )
}

fn missing(lang: Lang) -> String {
    let (title, text) = if lang == Lang::En {
        ("Not found", "No application has this receipt. Check the link you were given.")
    } else {
        ("未找到", "没有与此凭证对应的投保申请，请核对您收到的链接。")
    };
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title} · Premia</title><link rel=\"stylesheet\" href=\"/status.css\"></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>\n"
    )
}

fn unavailable_page(lang: Lang) -> String {
    let text = if lang == Lang::En {
        "Temporarily unavailable; try again shortly."
    } else {
        "服务暂时不可用，请稍后重试。"
    };
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Premia</title></head><body><p>{text}</p></body></html>\n"
    )
}

const STYLE: &str = include_str!("status.css");

/// `GET /status.css`: the status page's style (a file of its own: the page's Content-Security-Policy
/// allows no inline style).
pub async fn style() -> Response {
    let mut response = STYLE.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

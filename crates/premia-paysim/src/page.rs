//! The simulated cashier: one small HTML page per order where a person "pays" (no scripts from
//! anywhere, no CDN; the QR code is inline SVG), and the page the admin API shares with it.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use premia_pay::Provider;
use qrcode::QrCode;
use qrcode::render::svg;

use crate::Sim;
use crate::ledger::{Order, OrderState};

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
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

fn provider_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Wechat => "WeChat Pay 微信支付 (simulated)",
        Provider::Alipay => "Alipay 支付宝 (simulated)",
        Provider::UnionPay => "UnionPay 银联在线支付 (simulated)",
    }
}

/// An inline SVG QR code of `content`.
pub fn qr_svg(content: &str) -> String {
    match QrCode::new(content.as_bytes()) {
        Ok(code) => code.render::<svg::Color<'_>>().min_dimensions(180, 180).build(),
        Err(_) => String::new(),
    }
}

fn layout(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{title}</title><style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}\
         .amount{{font-size:2rem;font-weight:bold}}button{{font-size:1.1rem;padding:.5rem 1.5rem;margin:.25rem}}\
         .note{{color:#555;font-size:.9rem}}</style></head><body>{body}</body></html>",
        title = escape(title)
    ))
}

/// The page of an order.
pub fn render(order: &Order, qr: Option<&str>) -> Html<String> {
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><p class=\"amount\" id=\"amount\">¥{}</p><p class=\"note\">Order 订单号 <code id=\"order\">{}</code></p>",
        provider_name(order.provider),
        escape(&order.description),
        order.amount.yuan_text(),
        escape(&order.out_trade_no),
    );
    if let Some(content) = qr {
        body.push_str(&format!("<div id=\"qr\">{}</div><p class=\"note\">{}</p>", qr_svg(content), escape(content)));
    }
    let expired = chrono::Utc::now() > order.expires;
    match order.state {
        OrderState::Created if !expired => body.push_str(&format!(
            "<form method=\"post\" action=\"/sim/pay/{token}\"><button id=\"pay\" type=\"submit\">Pay 支付 ¥{amount}</button></form>\
             <p class=\"note\">A simulator: nothing is charged. 模拟支付，不会扣款。</p>",
            token = escape(&order.token),
            amount = order.amount.yuan_text()
        )),
        OrderState::Created => body.push_str("<p id=\"state\">Expired 订单已过期</p>"),
        OrderState::Paid => body.push_str("<p id=\"state\">Paid 支付成功</p>"),
        OrderState::Closed => body.push_str("<p id=\"state\">Closed 订单已关闭</p>"),
    }
    if order.state == OrderState::Paid {
        if let Some(url) = &order.return_url {
            body.push_str(&format!(
                "<p><a id=\"return\" href=\"{}\">Back to the merchant 返回商户</a></p>",
                escape(url)
            ));
        }
    }
    layout("Pay 支付", &body)
}

/// `GET /sim/pay/{token}`: the cashier. Opening it is "scanning" the code (an Alipay precreated
/// trade exists from then on).
pub async fn show(State(sim): State<Arc<Sim>>, Path(token): Path<String>) -> Response {
    let mut ledger = sim.ledger.lock().expect("ledger lock");
    let Some(order) = ledger.by_token(&token) else {
        return (axum::http::StatusCode::NOT_FOUND, layout("Not found", "<p>No such order 订单不存在</p>"))
            .into_response();
    };
    order.scanned = true;
    let qr = (order.product == "NATIVE" || order.product == "precreate").then(|| sim.qr_content(order));
    render(order, qr.as_deref()).into_response()
}

/// `POST /sim/pay/{token}`: the person pays.
pub async fn pay(State(sim): State<Arc<Sim>>, Path(token): Path<String>) -> Response {
    let key = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        ledger.by_token(&token).map(|o| (o.provider, o.out_trade_no.clone()))
    };
    match key {
        Some((provider, out_trade_no)) => {
            let _ = crate::pay_order(&sim, provider, &out_trade_no);
            Redirect::to(&format!("/sim/pay/{token}")).into_response()
        }
        None => {
            (axum::http::StatusCode::NOT_FOUND, layout("Not found", "<p>No such order 订单不存在</p>")).into_response()
        }
    }
}

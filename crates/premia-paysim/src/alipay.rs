//! Alipay's gateway (`/gateway.do`): `alipay.trade.precreate`, `alipay.trade.page.pay` (the
//! browser arrives with the signed URL), `alipay.trade.query`, `alipay.trade.refund`,
//! `alipay.trade.close`, and the `trade_status_sync` notification — requests checked with the
//! app's public key, answers and notifications signed with Alipay's key.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset};
use premia_pay::alipay::{self as adapter, sign, wire};
use premia_pay::{Fen, Provider};

use crate::ledger::{Fault, Order, OrderState, Refund};
use crate::notify::{self, Message, NoticeKind};
use crate::{Sim, page};

/// The gateway's route.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new().route("/gateway.do", get(gateway).post(gateway))
}

fn time_text(time: DateTime<FixedOffset>) -> String {
    time.format(wire::TIME_FORMAT).to_string()
}

fn json(body: String) -> Response {
    ([("content-type", "application/json;charset=utf-8")], body).into_response()
}

/// A signed answer: `member` is the response member's JSON.
fn answer(sim: &Sim, method: &str, member: &impl serde::Serialize) -> Response {
    let member = serde_json::to_string(member).expect("JSON");
    json(sign::sign_response(&sim.identity.alipay.alipay_key, method, &member))
}

fn failure(sim: &Sim, method: &str, sub_code: &str, sub_msg: &str) -> Response {
    let status = wire::Status {
        code: "40004".into(),
        msg: "Business Failed".into(),
        sub_code: Some(sub_code.into()),
        sub_msg: Some(sub_msg.into()),
    };
    answer(sim, method, &status)
}

fn success() -> wire::Status {
    wire::Status { code: adapter::SUCCESS.into(), msg: "Success".into(), sub_code: None, sub_msg: None }
}

/// A successful answer about a trade.
fn trade(trade_no: Option<String>, out_trade_no: Option<String>) -> wire::Trade {
    wire::Trade { status: success(), trade_no, out_trade_no }
}

/// The request's parameters, from the query string and the form body together.
fn params(query: Option<&str>, body: &[u8]) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes()).chain(form_urlencoded::parse(body));
    for (name, value) in pairs {
        if let Some(previous) = params.insert(name.into_owned(), value.clone().into_owned()) {
            if previous != value {
                return None;
            }
        }
    }
    Some(params)
}

async fn gateway(State(sim): State<Arc<Sim>>, RawQuery(query): RawQuery, body: Bytes) -> Response {
    let refuse = |sub_code: &str, sub_msg: &str| {
        // Alipay answers a refused signature unsigned, under error_response.
        json(format!(
            r#"{{"error_response":{{"code":"40002","msg":"Invalid Arguments","sub_code":"{sub_code}","sub_msg":"{sub_msg}"}}}}"#
        ))
    };
    let Some(params) = params(query.as_deref(), &body) else { return refuse("isv.invalid-parameter", "参数重复") };
    let field = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    if field("app_id") != sim.identity.alipay.app_id {
        return refuse("isv.invalid-app-id", "无效的AppID参数");
    }
    if field("sign_type") != "RSA2"
        || sign::verify_request(&sim.identity.alipay.app_key.verifying_key(), &params).is_err()
    {
        return refuse("isv.invalid-signature", "验签出错");
    }
    let method = field("method").to_owned();
    let biz = field("biz_content").to_owned();
    match method.as_str() {
        "alipay.trade.precreate" => create(&sim, &method, &biz, field("notify_url"), None).await,
        "alipay.trade.page.pay" => create(&sim, &method, &biz, field("notify_url"), Some(field("return_url"))).await,
        "alipay.trade.query" => query_trade(&sim, &method, &biz).await,
        "alipay.trade.close" => close(&sim, &method, &biz),
        "alipay.trade.refund" => refund(&sim, &method, &biz),
        "alipay.trade.fastpay.refund.query" => query_refund(&sim, &method, &biz),
        _ => refuse("isv.invalid-method", "不存在的方法名"),
    }
}

async fn create(sim: &Arc<Sim>, method: &str, biz: &str, notify_url: &str, return_url: Option<&str>) -> Response {
    let page_pay = return_url.is_some();
    let parsed = serde_json::from_str::<wire::PayContent>(biz).ok().and_then(|content| {
        let amount = Fen::parse_yuan_text(&content.total_amount).ok()?;
        let expires = adapter::parse_time(&content.time_expire)?;
        Some((content, amount, expires))
    });
    let Some((content, amount, expires)) = parsed else {
        return failure(sim, method, "ACQ.INVALID_PARAMETER", "参数无效");
    };
    if page_pay && content.product_code.as_deref() != Some("FAST_INSTANT_TRADE_PAY") {
        return failure(sim, method, "ACQ.INVALID_PARAMETER", "product_code 错误");
    }
    let key = (Provider::Alipay, content.out_trade_no.clone());
    let (order, slow) = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        if let Some(order) = ledger.orders.get(&key) {
            if order.state == OrderState::Paid {
                return failure(sim, method, "ACQ.TRADE_HAS_SUCCESS", "交易已被支付");
            }
            if order.amount != amount || order.description != content.subject {
                return failure(sim, method, "ACQ.CONTEXT_INCONSISTENT", "交易信息被篡改");
            }
        } else {
            let fault = ledger.fault_for(Provider::Alipay, &content.out_trade_no);
            let date = sim.now().format("%Y%m%d");
            let digits: String =
                premia_pay::keys::random_bytes::<15>().iter().map(|b| char::from(b'0' + b % 10)).collect();
            let return_link = return_url.map(|url| {
                let mut url = url::Url::parse(url).unwrap_or_else(|_| sim.base.clone());
                url.query_pairs_mut().append_pair("out_trade_no", &content.out_trade_no);
                url.to_string()
            });
            ledger.orders.insert(
                key.clone(),
                Order {
                    trade_no: format!("{date}22001{digits}"),
                    description: content.subject.clone(),
                    notify_url: notify_url.to_owned(),
                    return_url: return_link,
                    product: if page_pay { "page" } else { "precreate" }.to_owned(),
                    // A page-pay trade exists as soon as the browser is at the cashier.
                    scanned: page_pay,
                    fault,
                    ..Order::created(Provider::Alipay, content.out_trade_no.clone(), amount, sim.now(), expires)
                },
            );
        }
        let order = ledger.orders.get_mut(&key).expect("just inserted");
        // Page pay makes no server call to slow down: its first query is slowed instead.
        let slow = !page_pay && order.fault == Some(Fault::TimeoutThenLateSuccess) && !order.slow_call_made;
        if !page_pay {
            order.slow_call_made = true;
        }
        (order.clone(), slow)
    };
    if page_pay {
        return page::render(&order, None).into_response();
    }
    if slow {
        tokio::time::sleep(sim.config.slow_delay).await;
    }
    let response = wire::PrecreateResponse {
        status: success(),
        out_trade_no: Some(order.out_trade_no.clone()),
        qr_code: Some(sim.qr_content(&order)),
    };
    answer(sim, method, &response)
}

fn order_no(biz: &str) -> Option<String> {
    serde_json::from_str::<wire::OrderContent>(biz).ok().map(|c| c.out_trade_no)
}

async fn query_trade(sim: &Arc<Sim>, method: &str, biz: &str) -> Response {
    let Some(no) = order_no(biz) else { return failure(sim, method, "ACQ.INVALID_PARAMETER", "参数无效") };
    let (response, slow) = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        let Some(order) = ledger.orders.get_mut(&(Provider::Alipay, no)).filter(|o| o.scanned) else {
            return failure(sim, method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
        };
        let slow = order.fault == Some(Fault::TimeoutThenLateSuccess) && !order.slow_call_made;
        order.slow_call_made = true;
        let paid = order.query_sees_paid();
        let full_refund = order.refunded() == order.amount.get();
        let status = match order.state {
            OrderState::Paid if paid && full_refund => "TRADE_CLOSED",
            OrderState::Paid if paid => "TRADE_SUCCESS",
            OrderState::Paid | OrderState::Created => "WAIT_BUYER_PAY",
            OrderState::Closed => "TRADE_CLOSED",
        };
        let response = wire::QueryResponse {
            trade: trade(Some(order.trade_no.clone()), Some(order.out_trade_no.clone())),
            trade_status: Some(status.to_owned()),
            total_amount: Some(order.reported_amount().yuan_text()),
            trans_currency: None,
            send_pay_date: order.paid_at.filter(|_| paid).map(time_text),
            buyer_logon_id: Some("pre***@example.com".to_owned()),
        };
        (response, slow)
    };
    if slow {
        tokio::time::sleep(sim.config.slow_delay).await;
    }
    answer(sim, method, &response)
}

fn close(sim: &Arc<Sim>, method: &str, biz: &str) -> Response {
    let Some(no) = order_no(biz) else { return failure(sim, method, "ACQ.INVALID_PARAMETER", "参数无效") };
    let mut ledger = sim.ledger.lock().expect("ledger lock");
    let Some(order) = ledger.orders.get_mut(&(Provider::Alipay, no)).filter(|o| o.scanned) else {
        return failure(sim, method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
    };
    if order.state != OrderState::Created {
        return failure(sim, method, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
    }
    order.state = OrderState::Closed;
    let response: wire::CloseResponse = trade(Some(order.trade_no.clone()), Some(order.out_trade_no.clone()));
    answer(sim, method, &response)
}

fn refund(sim: &Arc<Sim>, method: &str, biz: &str) -> Response {
    let parsed = serde_json::from_str::<wire::RefundContent>(biz)
        .ok()
        .and_then(|c| Some((Fen::parse_yuan_text(&c.refund_amount).ok()?, c)));
    let Some((amount, content)) = parsed else { return failure(sim, method, "ACQ.INVALID_PARAMETER", "参数无效") };
    let (response, new) = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        let now = sim.now();
        let Some(order) = ledger.orders.get_mut(&(Provider::Alipay, content.out_trade_no.clone())) else {
            return failure(sim, method, "ACQ.TRADE_NOT_EXIST", "交易不存在");
        };
        if order.state != OrderState::Paid {
            return failure(sim, method, "ACQ.TRADE_STATUS_ERROR", "交易状态不合法");
        }
        let existing = order.refunds.iter().any(|r| r.out_refund_no == content.out_request_no);
        if !existing {
            if order.refunded() + amount.get() > order.amount.get() {
                return failure(sim, method, "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", "退款金额超限");
            }
            order.refunds.push(Refund {
                out_refund_no: content.out_request_no.clone(),
                refund_id: order.trade_no.clone(),
                amount,
                done: true,
                at: Some(now),
                txn_time: String::new(),
                reserved: String::new(),
            });
        }
        let response = wire::RefundResponse {
            trade: trade(Some(order.trade_no.clone()), Some(order.out_trade_no.clone())),
            fund_change: Some(if existing { "N" } else { "Y" }.to_owned()),
            refund_fee: Some(Fen::new(order.refunded()).map(Fen::yuan_text).unwrap_or_default()),
            gmt_refund_pay: Some(time_text(now)),
        };
        (response, !existing)
    };
    if new {
        notify::spawn(
            Arc::clone(sim),
            Provider::Alipay,
            content.out_trade_no.clone(),
            NoticeKind::Refund(content.out_request_no),
        );
    }
    answer(sim, method, &response)
}

fn query_refund(sim: &Arc<Sim>, method: &str, biz: &str) -> Response {
    let Ok(content) = serde_json::from_str::<wire::RefundQueryContent>(biz) else {
        return failure(sim, method, "ACQ.INVALID_PARAMETER", "参数无效");
    };
    let ledger = sim.ledger.lock().expect("ledger lock");
    let order = ledger.orders.get(&(Provider::Alipay, content.out_trade_no.clone()));
    let refund =
        order.and_then(|o| o.refunds.iter().find(|r| r.out_refund_no == content.out_request_no).map(|r| (o, r)));
    // No refund: a success without refund fields, as Alipay answers.
    let response = wire::RefundQueryResponse {
        trade: trade(refund.map(|(o, _)| o.trade_no.clone()), Some(content.out_trade_no.clone())),
        out_request_no: Some(content.out_request_no.clone()),
        refund_amount: refund.map(|(_, r)| r.amount.yuan_text()),
        refund_status: refund.map(|_| "REFUND_SUCCESS".to_owned()),
        gmt_refund_pay: refund.and_then(|(_, r)| r.at).map(time_text),
    };
    answer(sim, method, &response)
}

/// A `trade_status_sync` notification about `order`.
pub fn notification(sim: &Sim, order: &Order, kind: &NoticeKind, bad_signature: bool) -> Option<Message> {
    let identity = &sim.identity.alipay;
    let paid_at = order.paid_at?;
    let total = order.reported_amount().yuan_text();
    let mut params: BTreeMap<String, String> = [
        ("notify_time", time_text(sim.now())),
        ("notify_type", "trade_status_sync".to_owned()),
        ("notify_id", notify::stable_id(&order.trade_no, kind).replace('-', "")),
        ("app_id", identity.app_id.clone()),
        ("auth_app_id", identity.app_id.clone()),
        ("charset", "utf-8".to_owned()),
        ("version", "1.0".to_owned()),
        ("sign_type", "RSA2".to_owned()),
        ("trade_no", order.trade_no.clone()),
        ("out_trade_no", order.out_trade_no.clone()),
        ("trade_status", "TRADE_SUCCESS".to_owned()),
        ("total_amount", total.clone()),
        ("receipt_amount", total.clone()),
        ("buyer_pay_amount", total),
        ("subject", order.description.clone()),
        ("gmt_create", time_text(order.created)),
        ("gmt_payment", time_text(paid_at)),
        ("seller_id", identity.seller_id.clone()),
        ("buyer_id", "2088102177846880".to_owned()),
        ("buyer_logon_id", "pre***@example.com".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let NoticeKind::Refund(no) = kind {
        let refund = order.refunds.iter().find(|r| &r.out_refund_no == no)?;
        let refunded = order.refunded();
        if refunded == order.amount.get() {
            params.insert("trade_status".into(), "TRADE_CLOSED".into());
        }
        params.insert("out_biz_no".into(), refund.out_refund_no.clone());
        params.insert("refund_fee".into(), Fen::new(refunded).ok()?.yuan_text());
        params.insert("gmt_refund".into(), time_text(refund.at?));
    }
    let key = if bad_signature { &identity.app_key } else { &identity.alipay_key };
    let sign = sign::sign_notification(key, &params);
    params.insert("sign".into(), sign);
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish().into_bytes();
    Some(Message {
        url: order.notify_url.clone(),
        content_type: "application/x-www-form-urlencoded;charset=utf-8",
        headers: Vec::new(),
        body,
    })
}

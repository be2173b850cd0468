//! WeChat Pay API v3 (直连商户): Native/JSAPI prepay, query by `out_trade_no`, close, refund, and
//! the `TRANSACTION.SUCCESS` / `REFUND.SUCCESS` notifications — requests checked against the
//! merchant's `Authorization`, answers and notifications signed with the platform key,
//! resources encrypted with the APIv3 key.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, SecondsFormat, Utc};
use premia_pay::keys::nonce;
use premia_pay::wechat::sign::{self, Authorization};
use premia_pay::wechat::wire;
use premia_pay::{Fen, Provider};
use serde::Deserialize;

use crate::ledger::{Fault, Order, OrderState, Refund};
use crate::notify::{self, Message, NoticeKind};
use crate::{Sim, ledger};

/// The API's routes.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v3/pay/transactions/native", post(prepay))
        .route("/v3/pay/transactions/jsapi", post(prepay))
        .route("/v3/pay/transactions/out-trade-no/{no}", get(query))
        .route("/v3/pay/transactions/out-trade-no/{no}/close", post(close))
        .route("/v3/refund/domestic/refunds", post(refund))
        .route("/v3/refund/domestic/refunds/{no}", get(query_refund))
}

fn rfc3339(time: DateTime<chrono::FixedOffset>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A signed answer.
fn answer(sim: &Sim, status: StatusCode, body: String) -> Response {
    let identity = &sim.identity.wechat;
    let headers =
        sign::sign_answer(&identity.platform_key, &identity.platform_key_id, body.as_bytes(), Utc::now().timestamp());
    let mut response = (status, body).into_response();
    for (name, value) in headers {
        response.headers_mut().insert(name, value.parse().expect("a header value"));
    }
    if status != StatusCode::NO_CONTENT {
        response.headers_mut().insert("content-type", "application/json".parse().expect("a header value"));
    }
    response
}

fn error(sim: &Sim, status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::to_string(&wire::ErrorBody { code: code.into(), message: message.into() }).expect("JSON");
    answer(sim, status, body)
}

/// Checks the merchant's `Authorization` against the request as received; the refusal's message.
fn check(
    sim: &Sim,
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), &'static str> {
    let identity = &sim.identity.wechat;
    let refuse = Err;
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(Authorization::parse) else {
        return refuse("Authorization 头缺失或格式错误");
    };
    if auth.mchid != identity.mchid || auth.serial_no != identity.merchant_serial_no {
        return refuse("商户号或证书序列号不匹配");
    }
    if (Utc::now().timestamp() - auth.timestamp).abs() > sign::MAX_SKEW_SECONDS {
        return refuse("签名时间戳已过期");
    }
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let body = std::str::from_utf8(body).unwrap_or("\u{fffd}");
    if auth.verify(&identity.merchant_key.verifying_key(), method.as_str(), path, body).is_err() {
        return refuse("签名错误");
    }
    Ok(())
}

/// A request the merchant's `Authorization` signs ([`check`]), and its body; refused as WeChat Pay
/// does: 401 `SIGN_ERROR`. Every route of the API takes one.
struct Signed(Bytes);

impl FromRequest<Arc<Sim>> for Signed {
    type Rejection = Response;

    async fn from_request(request: Request, sim: &Arc<Sim>) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Ok(OriginalUri(uri)) = OriginalUri::from_request_parts(&mut parts, sim).await;
        let (method, headers) = (parts.method.clone(), parts.headers.clone());
        let body =
            Bytes::from_request(Request::from_parts(parts, body), sim).await.map_err(IntoResponse::into_response)?;
        check(sim, &method, &uri, &headers, &body)
            .map_err(|message| error(sim, StatusCode::UNAUTHORIZED, "SIGN_ERROR", message))?;
        Ok(Signed(body))
    }
}

fn transaction(sim: &Sim, order: &Order, visible_paid: bool) -> wire::Transaction {
    let identity = &sim.identity.wechat;
    let paid = visible_paid && order.state == OrderState::Paid;
    let trade_state = match order.state {
        OrderState::Paid if paid && !order.refunds.is_empty() => "REFUND",
        OrderState::Paid if paid => "SUCCESS",
        OrderState::Paid | OrderState::Created => "NOTPAY",
        OrderState::Closed => "CLOSED",
    };
    let amount = order.reported_amount().get();
    wire::Transaction {
        appid: identity.appid.clone(),
        mchid: identity.mchid.clone(),
        out_trade_no: order.out_trade_no.clone(),
        transaction_id: paid.then(|| order.trade_no.clone()),
        trade_type: Some(order.product.clone()),
        trade_state: trade_state.to_owned(),
        trade_state_desc: Some(trade_state.to_owned()),
        bank_type: paid.then(|| "OTHERS".to_owned()),
        success_time: order.paid_at.filter(|_| paid).map(rfc3339),
        payer: None,
        amount: Some(wire::TransactionAmount {
            total: Some(amount),
            payer_total: paid.then_some(amount),
            currency: Some("CNY".to_owned()),
            payer_currency: Some("CNY".to_owned()),
        }),
    }
}

async fn prepay(State(sim): State<Arc<Sim>>, OriginalUri(uri): OriginalUri, Signed(body): Signed) -> Response {
    let Ok(request) = serde_json::from_slice::<wire::PrepayRequest>(&body) else {
        return error(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "请求参数格式错误");
    };
    let identity = &sim.identity.wechat;
    if request.appid != identity.appid || request.mchid != identity.mchid {
        return error(&sim, StatusCode::BAD_REQUEST, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配");
    }
    let jsapi = uri.path().ends_with("/jsapi");
    let (Ok(amount), Ok(expires), true) = (
        Fen::new(request.amount.total),
        DateTime::parse_from_rfc3339(&request.time_expire),
        request.amount.currency == "CNY" && (!jsapi || request.payer.is_some()),
    ) else {
        return error(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "参数错误");
    };
    let key = (Provider::Wechat, request.out_trade_no.clone());
    let (token, slow) = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        if let Some(order) = ledger.orders.get(&key) {
            if order.state == OrderState::Paid {
                return error(&sim, StatusCode::FORBIDDEN, "ORDERPAID", "订单已支付");
            }
            if order.amount != amount || order.description != request.description {
                return error(&sim, StatusCode::FORBIDDEN, "OUT_TRADE_NO_USED", "商户订单号重复");
            }
        } else {
            let fault = ledger.fault_for(Provider::Wechat, &request.out_trade_no);
            let order = new_order(&sim, &request, amount, expires, jsapi, fault);
            ledger.orders.insert(key.clone(), order);
        }
        let order = ledger.orders.get_mut(&key).expect("just inserted");
        let slow = order.fault == Some(Fault::TimeoutThenLateSuccess) && !order.slow_call_made;
        order.slow_call_made = true;
        (order.token.clone(), slow)
    };
    if slow {
        tokio::time::sleep(sim.config.slow_delay).await;
    }
    let body = if jsapi {
        serde_json::to_string(&wire::JsapiPrepay { prepay_id: format!("wx{token}") })
    } else {
        serde_json::to_string(&wire::NativePrepay { code_url: format!("weixin://wxpay/bizpayurl?pr={token}") })
    };
    answer(&sim, StatusCode::OK, body.expect("JSON"))
}

fn new_order(
    sim: &Sim,
    request: &wire::PrepayRequest,
    amount: Fen,
    expires: DateTime<chrono::FixedOffset>,
    jsapi: bool,
    fault: Option<Fault>,
) -> Order {
    let digits: String = premia_pay::keys::random_bytes::<20>().iter().map(|b| char::from(b'0' + b % 10)).collect();
    Order {
        trade_no: format!("42000{digits}"),
        description: request.description.clone(),
        notify_url: request.notify_url.clone(),
        product: if jsapi { "JSAPI" } else { "NATIVE" }.to_owned(),
        fault,
        ..Order::created(Provider::Wechat, request.out_trade_no.clone(), amount, sim.now(), expires)
    }
}

#[derive(Debug, Deserialize)]
struct MchidQuery {
    mchid: String,
}

async fn query(
    State(sim): State<Arc<Sim>>,
    Path(no): Path<String>,
    Query(params): Query<MchidQuery>,
    _: Signed,
) -> Response {
    if params.mchid != sim.identity.wechat.mchid {
        return error(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "mchid错误");
    }
    let transaction = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        let Some(order) = ledger.orders.get_mut(&(Provider::Wechat, no)) else {
            return error(&sim, StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在");
        };
        let visible = order.query_sees_paid();
        transaction(&sim, order, visible)
    };
    answer(&sim, StatusCode::OK, serde_json::to_string(&transaction).expect("JSON"))
}

async fn close(State(sim): State<Arc<Sim>>, Path(no): Path<String>, Signed(body): Signed) -> Response {
    match serde_json::from_slice::<wire::CloseRequest>(&body) {
        Ok(request) if request.mchid == sim.identity.wechat.mchid => {}
        _ => return error(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "参数错误"),
    }
    let mut ledger = sim.ledger.lock().expect("ledger lock");
    let Some(order) = ledger.orders.get_mut(&(Provider::Wechat, no)) else {
        return error(&sim, StatusCode::NOT_FOUND, "ORDER_NOT_EXIST", "订单不存在");
    };
    if order.state == OrderState::Paid {
        return error(&sim, StatusCode::BAD_REQUEST, "ORDERPAID", "订单已支付");
    }
    order.state = OrderState::Closed;
    answer(&sim, StatusCode::NO_CONTENT, String::new())
}

async fn refund(State(sim): State<Arc<Sim>>, Signed(body): Signed) -> Response {
    let Ok(request) = serde_json::from_slice::<wire::RefundRequest>(&body) else {
        return error(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "请求参数格式错误");
    };
    let (refund, start) = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        let Some(order) = ledger.orders.get_mut(&(Provider::Wechat, request.out_trade_no.clone())) else {
            return error(&sim, StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "订单不存在");
        };
        if order.state != OrderState::Paid {
            return error(&sim, StatusCode::BAD_REQUEST, "INVALID_REQUEST", "订单未支付");
        }
        if let Some(existing) = order.refunds.iter().find(|r| r.out_refund_no == request.out_refund_no) {
            (wire_refund(order, existing), false)
        } else {
            let Ok(amount) = Fen::new(request.amount.refund) else {
                return error(&sim, StatusCode::BAD_REQUEST, "PARAM_ERROR", "退款金额错误");
            };
            if request.amount.total != order.amount.get() || order.refunded() + amount.get() > order.amount.get() {
                return error(&sim, StatusCode::BAD_REQUEST, "INVALID_REQUEST", "申请退款金额超过订单可退金额");
            }
            let digits: String =
                premia_pay::keys::random_bytes::<24>().iter().map(|b| char::from(b'0' + b % 10)).collect();
            let refund = Refund {
                out_refund_no: request.out_refund_no.clone(),
                refund_id: format!("50{digits}"),
                amount,
                done: false,
                at: None,
                txn_time: String::new(),
                reserved: String::new(),
            };
            order.refunds.push(refund.clone());
            (wire_refund(order, &refund), true)
        }
    };
    if start {
        crate::finish_refund(
            Arc::clone(&sim),
            Provider::Wechat,
            request.out_trade_no.clone(),
            request.out_refund_no.clone(),
        );
    }
    answer(&sim, StatusCode::OK, serde_json::to_string(&refund).expect("JSON"))
}

async fn query_refund(State(sim): State<Arc<Sim>>, Path(no): Path<String>, _: Signed) -> Response {
    let found = {
        let ledger = sim.ledger.lock().expect("ledger lock");
        let wechat = ledger.orders.values().filter(|o| o.provider == Provider::Wechat);
        wechat
            .flat_map(|o| o.refunds.iter().map(move |r| (o, r)))
            .find(|(_, r)| r.out_refund_no == no)
            .map(|(o, r)| wire_refund(o, r))
    };
    match found {
        Some(refund) => answer(&sim, StatusCode::OK, serde_json::to_string(&refund).expect("JSON")),
        None => error(&sim, StatusCode::NOT_FOUND, "RESOURCE_NOT_EXISTS", "退款单不存在"),
    }
}

fn wire_refund(order: &Order, refund: &Refund) -> wire::Refund {
    wire::Refund {
        refund_id: refund.refund_id.clone(),
        out_refund_no: refund.out_refund_no.clone(),
        transaction_id: order.trade_no.clone(),
        out_trade_no: order.out_trade_no.clone(),
        status: if refund.done { "SUCCESS" } else { "PROCESSING" }.to_owned(),
        success_time: refund.at.map(rfc3339),
        create_time: Some(rfc3339(order.created)),
        amount: wire::RefundAmount {
            total: order.amount.get(),
            refund: refund.amount.get(),
            currency: Some("CNY".to_owned()),
        },
    }
}

/// A notification about `order`.
pub fn notification(sim: &Sim, order: &ledger::Order, kind: &NoticeKind, bad_signature: bool) -> Option<Message> {
    let identity = &sim.identity.wechat;
    let (event, original, plain, summary) = match kind {
        NoticeKind::Paid => {
            let resource = transaction(sim, order, true);
            ("TRANSACTION.SUCCESS", "transaction", serde_json::to_vec(&resource).ok()?, "支付成功")
        }
        NoticeKind::Refund(no) => {
            let refund = order.refunds.iter().find(|r| &r.out_refund_no == no)?;
            let resource = wire::RefundNotice {
                mchid: identity.mchid.clone(),
                out_trade_no: order.out_trade_no.clone(),
                transaction_id: order.trade_no.clone(),
                out_refund_no: refund.out_refund_no.clone(),
                refund_id: refund.refund_id.clone(),
                refund_status: "SUCCESS".to_owned(),
                success_time: refund.at.map(rfc3339),
                amount: wire::RefundAmount { total: order.amount.get(), refund: refund.amount.get(), currency: None },
            };
            ("REFUND.SUCCESS", "refund", serde_json::to_vec(&resource).ok()?, "退款成功")
        }
    };
    let resource_nonce = nonce(12);
    let envelope = wire::Notification {
        id: notify::stable_id(&order.trade_no, kind),
        create_time: rfc3339(sim.now()),
        event_type: event.to_owned(),
        resource_type: "encrypt-resource".to_owned(),
        resource: wire::EncryptedResource {
            algorithm: sign::AEAD_ALGORITHM.to_owned(),
            ciphertext: identity.apiv3_key.encrypt(&resource_nonce, original, &plain),
            associated_data: Some(original.to_owned()),
            original_type: original.to_owned(),
            nonce: resource_nonce,
        },
        summary: summary.to_owned(),
    };
    let body = serde_json::to_vec(&envelope).ok()?;
    let mut headers =
        sign::sign_answer(&identity.platform_key, &identity.platform_key_id, &body, Utc::now().timestamp());
    if bad_signature {
        // A well-formed signature over something else: what a forger without the key can send.
        headers[2].1 = identity.merchant_key.sign_base64(&body);
    }
    Some(Message {
        url: order.notify_url.clone(),
        content_type: "application/json",
        headers: headers.into_iter().collect(),
        body,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct ScanQuery {
    code: Option<String>,
    prepay_id: Option<String>,
}

/// `GET /sim/scan?code=weixin://…` or `?prepay_id=wx…`: what scanning the code in WeChat (or
/// opening the JSAPI cashier) leads to: the order's cashier page.
pub(crate) async fn scan(Query(scan): Query<ScanQuery>) -> Response {
    let token = scan
        .code
        .as_deref()
        .and_then(|c| c.strip_prefix("weixin://wxpay/bizpayurl?pr="))
        .or_else(|| scan.prepay_id.as_deref().and_then(|p| p.strip_prefix("wx")));
    match token {
        Some(token) if token.bytes().all(|b| b.is_ascii_alphanumeric()) => {
            Redirect::to(&format!("/sim/pay/{token}")).into_response()
        }
        _ => (StatusCode::NOT_FOUND, "no such code").into_response(),
    }
}

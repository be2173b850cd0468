//! UnionPay's 全渠道 gateway, version 5.1.0: the front transaction the browser submits
//! (`frontTransReq.do`, which shows the card page), the status query (`queryTrans.do`), refunds
//! (`backTransReq.do`, txnType 04), and the back notification — requests checked with the
//! merchant's signing key (`certId`), answers and notifications signed by UnionPay's signing
//! certificate, which they carry in `signPubKeyCert`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::post;
use premia_pay::unionpay::{self as adapter, path, sign};
use premia_pay::{Fen, Provider};

use crate::ledger::{Fault, Order, OrderState, Refund};
use crate::notify::{Message, NoticeKind};
use crate::{Sim, page};

/// The gateway's routes.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new().route(path::FRONT, post(front)).route(path::QUERY, post(query)).route(path::BACK, post(back))
}

fn digits(n: usize) -> String {
    premia_pay::keys::random_bytes::<32>().iter().take(n).map(|b| char::from(b'0' + b % 10)).collect()
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// Checks a merchant's request: version, signing method, merchant, certificate and signature.
fn verify_merchant(sim: &Sim, fields: &BTreeMap<String, String>) -> Result<(), (&'static str, &'static str)> {
    let identity = &sim.identity.unionpay;
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    if field("version") != adapter::VERSION || field("signMethod") != "01" {
        return Err(("10", "报文格式错误"));
    }
    if field("merId") != identity.mer_id {
        return Err(("11", "商户未开通或状态异常"));
    }
    if field("certId") != identity.merchant_cert_id
        || sign::verify(&identity.merchant_key.verifying_key(), fields).is_err()
    {
        return Err(("11", "验证签名失败"));
    }
    Ok(())
}

/// Signs fields as UnionPay does (certificate included); with `bad`, by another key.
fn signed(sim: &Sim, mut fields: BTreeMap<String, String>, bad: bool) -> BTreeMap<String, String> {
    let identity = &sim.identity.unionpay;
    fields.insert("signPubKeyCert".into(), identity.signer.to_pem());
    let key = if bad { &identity.merchant_key } else { &identity.signer_key };
    let signature = sign::sign(key, &fields);
    fields.insert("signature".into(), signature);
    fields
}

fn answer(sim: &Sim, fields: BTreeMap<String, String>) -> Response {
    ([("content-type", "text/plain;charset=UTF-8")], sign::write_answer(&signed(sim, fields, false))).into_response()
}

fn common(request: &BTreeMap<String, String>, code: &str, message: &str) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for name in ["version", "encoding", "bizType", "txnType", "txnSubType", "accessType", "merId", "orderId", "txnTime"]
    {
        if let Some(value) = request.get(name) {
            fields.insert(name.to_owned(), value.clone());
        }
    }
    fields.insert("signMethod".into(), "01".into());
    fields.insert("respCode".into(), code.into());
    fields.insert("respMsg".into(), message.into());
    fields
}

fn error_page(code: &str, message: &str) -> Response {
    let html = format!(
        "<!doctype html><meta charset=\"utf-8\"><title>UnionPay</title><p id=\"error\">{code} {}</p>",
        page::escape(message)
    );
    (StatusCode::BAD_REQUEST, Html(html)).into_response()
}

/// `frontTransReq.do`: the browser submits the merchant's signed form; UnionPay shows its pages.
async fn front(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let fields = form(&body);
    if let Err((code, message)) = verify_merchant(&sim, &fields) {
        return error_page(code, message);
    }
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    let parsed = (
        Fen::parse_fen_text(field("txnAmt")).ok(),
        adapter::parse_time(field("payTimeout")),
        adapter::parse_time(field("txnTime")),
    );
    let (Some(amount), Some(expires), Some(_)) = parsed else { return error_page("10", "报文格式错误") };
    if field("txnType") != "01" || field("currencyCode") != "156" {
        return error_page("10", "报文格式错误");
    }
    let key = (Provider::UnionPay, field("orderId").to_owned());
    let mut ledger = sim.ledger.lock().expect("ledger lock");
    if let Some(order) = ledger.orders.get(&key) {
        if order.txn_time != field("txnTime") || order.amount != amount {
            return error_page("12", "重复交易");
        }
    } else {
        let fault = ledger.fault_for(Provider::UnionPay, field("orderId"));
        ledger.orders.insert(
            key.clone(),
            Order {
                trade_no: digits(21),
                description: format!("UnionPay order {}", field("orderId")),
                notify_url: field("backUrl").to_owned(),
                return_url: Some(field("frontUrl").to_owned()).filter(|u| !u.is_empty()),
                product: "gateway".to_owned(),
                txn_time: field("txnTime").to_owned(),
                fault,
                ..Order::created(Provider::UnionPay, field("orderId").to_owned(), amount, sim.now(), expires)
            },
        );
    }
    page::render(&ledger.orders[&key], None).into_response()
}

/// The fields reporting a consume.
fn consume_fields(order: &Order, paid: bool) -> Vec<(&'static str, String)> {
    let mut fields = vec![("txnAmt", order.reported_amount().get().to_string()), ("currencyCode", "156".to_owned())];
    if let (true, Some(at)) = (paid, order.paid_at) {
        fields.extend([
            ("queryId", order.trade_no.clone()),
            ("traceNo", order.trade_no[order.trade_no.len() - 6..].to_owned()),
            ("traceTime", at.format("%m%d%H%M%S").to_string()),
            ("settleAmt", order.reported_amount().get().to_string()),
            ("settleCurrencyCode", "156".to_owned()),
            ("settleDate", at.format("%m%d").to_string()),
        ]);
    }
    fields
}

/// `queryTrans.do`: a consume or a refund by its `orderId` and `txnTime`.
async fn query(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let request = form(&body);
    if let Err((code, message)) = verify_merchant(&sim, &request) {
        return answer(&sim, common(&request, code, message));
    }
    let field = |name: &str| request.get(name).cloned().unwrap_or_default();
    let (mut fields, slow) = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        let key = (Provider::UnionPay, field("orderId"));
        match ledger.orders.get_mut(&key).filter(|o| o.txn_time == field("txnTime")) {
            Some(order) => {
                let slow = order.fault == Some(Fault::TimeoutThenLateSuccess) && !order.slow_call_made;
                order.slow_call_made = true;
                let paid = order.query_sees_paid();
                let (orig, message) = match order.state {
                    OrderState::Paid if paid => ("00", "成功[0000000]"),
                    OrderState::Created if chrono::Utc::now() > order.expires => ("01", "交易失败[支付超时]"),
                    OrderState::Closed => ("01", "交易失败"),
                    _ => ("05", "交易处理中"),
                };
                let mut fields = common(&request, "00", "成功[0000000]");
                fields.insert("origRespCode".into(), orig.into());
                fields.insert("origRespMsg".into(), message.into());
                fields.extend(consume_fields(order, paid).into_iter().map(|(k, v)| (k.to_owned(), v)));
                (fields, slow)
            }
            None => (refund_status(&ledger, &request), false),
        }
    };
    if slow {
        tokio::time::sleep(sim.config.slow_delay).await;
    }
    fields.insert("txnType".into(), "00".into());
    answer(&sim, fields)
}

/// The query answer for a refund's `orderId` and `txnTime` (or "not found").
fn refund_status(ledger: &crate::ledger::Ledger, request: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let field = |name: &str| request.get(name).map(String::as_str).unwrap_or("");
    let found = ledger
        .orders
        .values()
        .filter(|o| o.provider == Provider::UnionPay)
        .flat_map(|o| o.refunds.iter())
        .find(|r| r.out_refund_no == field("orderId") && r.txn_time == field("txnTime"));
    let Some(refund) = found else { return common(request, "34", "查无此交易[0000034]") };
    let mut fields = common(request, "00", "成功[0000000]");
    let (orig, message) = if refund.done { ("00", "成功[0000000]") } else { ("05", "交易处理中") };
    fields.insert("origRespCode".into(), orig.into());
    fields.insert("origRespMsg".into(), message.into());
    fields.insert("queryId".into(), refund.refund_id.clone());
    fields.insert("txnAmt".into(), refund.amount.get().to_string());
    fields.insert("currencyCode".into(), "156".into());
    if let Some(at) = refund.at {
        fields.insert("traceTime".into(), at.format("%m%d%H%M%S").to_string());
    }
    fields
}

/// `backTransReq.do`: refunds (txnType 04).
async fn back(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let request = form(&body);
    if let Err((code, message)) = verify_merchant(&sim, &request) {
        return answer(&sim, common(&request, code, message));
    }
    let field = |name: &str| request.get(name).cloned().unwrap_or_default();
    if field("txnType") != "04" {
        return answer(&sim, common(&request, "10", "报文格式错误"));
    }
    let Ok(amount) = Fen::parse_fen_text(&field("txnAmt")) else {
        return answer(&sim, common(&request, "10", "报文格式错误"));
    };
    let (fields, started) = {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        let original = ledger.orders.values_mut().find(|o| {
            o.provider == Provider::UnionPay && o.trade_no == field("origQryId") && o.state == OrderState::Paid
        });
        let Some(order) = original else {
            return answer(&sim, common(&request, "35", "原交易不存在或状态不正确"));
        };
        let existing = order.refunds.iter().find(|r| r.out_refund_no == field("orderId")).cloned();
        let (refund, new) = match existing {
            Some(refund) => (refund, false),
            None => {
                if order.refunded() + amount.get() > order.amount.get() {
                    return answer(&sim, common(&request, "36", "交易金额超限"));
                }
                let refund = Refund {
                    out_refund_no: field("orderId"),
                    refund_id: digits(21),
                    amount,
                    done: false,
                    at: None,
                    txn_time: field("txnTime"),
                    reserved: field("reqReserved"),
                };
                order.refunds.push(refund.clone());
                (refund, true)
            }
        };
        let mut fields = common(&request, "00", "成功[0000000]");
        fields.insert("queryId".into(), refund.refund_id.clone());
        fields.insert("origQryId".into(), order.trade_no.clone());
        fields.insert("txnAmt".into(), refund.amount.get().to_string());
        (fields, new.then(|| order.out_trade_no.clone()))
    };
    if let Some(out_trade_no) = started {
        crate::finish_refund(Arc::clone(&sim), Provider::UnionPay, out_trade_no, field("orderId"));
    }
    answer(&sim, fields)
}

/// A back notification about `order`.
pub fn notification(sim: &Sim, order: &Order, kind: &NoticeKind, bad_signature: bool) -> Option<Message> {
    let identity = &sim.identity.unionpay;
    let mut fields: BTreeMap<String, String> = [
        ("version", adapter::VERSION),
        ("encoding", "UTF-8"),
        ("signMethod", "01"),
        ("bizType", "000201"),
        ("accessType", "0"),
        ("channelType", "07"),
        ("merId", identity.mer_id.as_str()),
        ("respCode", "00"),
        ("respMsg", "成功[0000000]"),
        ("currencyCode", "156"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    match kind {
        NoticeKind::Paid => {
            fields.extend([("txnType", "01"), ("txnSubType", "01")].map(|(k, v)| (k.to_owned(), v.to_owned())));
            fields.insert("orderId".into(), order.out_trade_no.clone());
            fields.insert("txnTime".into(), order.txn_time.clone());
            fields.extend(consume_fields(order, true).into_iter().map(|(k, v)| (k.to_owned(), v)));
        }
        NoticeKind::Refund(no) => {
            let refund = order.refunds.iter().find(|r| &r.out_refund_no == no)?;
            let at = refund.at?;
            fields.extend([("txnType", "04"), ("txnSubType", "00")].map(|(k, v)| (k.to_owned(), v.to_owned())));
            for (name, value) in [
                ("orderId", refund.out_refund_no.clone()),
                ("txnTime", refund.txn_time.clone()),
                ("txnAmt", refund.amount.get().to_string()),
                ("queryId", refund.refund_id.clone()),
                ("origQryId", order.trade_no.clone()),
                ("reqReserved", refund.reserved.clone()),
                ("traceTime", at.format("%m%d%H%M%S").to_string()),
            ] {
                fields.insert(name.to_owned(), value);
            }
        }
    }
    let fields = signed(sim, fields, bad_signature);
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish().into_bytes();
    Some(Message {
        url: order.notify_url.clone(),
        content_type: "application/x-www-form-urlencoded;charset=UTF-8",
        headers: Vec::new(),
        body,
    })
}

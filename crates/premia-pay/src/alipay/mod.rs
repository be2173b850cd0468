//! Alipay open platform (支付宝开放平台), RSA2: face-to-face QR (`alipay.trade.precreate`) and
//! computer-website pay (`alipay.trade.page.pay`), query, refund, close, and the asynchronous
//! `trade_status_sync` notification, answered `success`.

pub mod sign;
pub mod wire;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use url::Url;

use crate::error::{NotifyError, PayError};
use crate::http::HttpClient;
use crate::keys::{SigningKey, VerifyingKey};
use crate::model::{
    CloseOutcome, CreatedOrder, Notice, NoticeEvent, OrderRef, OrderRequest, OrderStatus, PayAction, PayMethod,
    Payment, Provider, RefundRequest, RefundState, RefundStatus, TradeState, check_order_number, china_time,
};
use crate::money::{Currency, Fen, Money};

/// The production gateway.
pub const GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// The code of a successful call.
pub const SUCCESS: &str = "10000";

/// An app's Alipay credentials and endpoint.
#[derive(Clone, Debug)]
pub struct AlipayConfig {
    /// The app's id (APPID).
    pub app_id: String,
    /// The app's private key (应用私钥).
    pub app_key: SigningKey,
    /// Alipay's public key (支付宝公钥).
    pub alipay_key: VerifyingKey,
    /// The merchant's Alipay account (PID, `2088…`): when set, notifications for another seller
    /// are refused.
    pub seller_id: Option<String>,
    /// Where notifications go.
    pub notify_url: Url,
    /// The gateway ([`GATEWAY`], or a simulator).
    pub gateway: Url,
}

/// The Alipay adapter.
#[derive(Clone, Debug)]
pub struct Alipay {
    config: AlipayConfig,
    http: HttpClient,
}

fn time_text(time: DateTime<FixedOffset>) -> String {
    time.with_timezone(&china_time()).format(wire::TIME_FORMAT).to_string()
}

/// Reads an Alipay time (China time).
pub fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(text, wire::TIME_FORMAT).ok()?;
    china_time().from_local_datetime(&naive).single()
}

fn retryable(status: &wire::Status) -> bool {
    status.code == "20000" || matches!(status.sub_code.as_deref(), Some("ACQ.SYSTEM_ERROR" | "aop.ACQ.SYSTEM_ERROR"))
}

fn rejected(operation: &'static str, status: wire::Status) -> PayError {
    let retryable = retryable(&status);
    let code = status.sub_code.unwrap_or(status.code);
    let message = status.sub_msg.unwrap_or(status.msg);
    PayError::Rejected { operation, http_status: None, code, message, retryable }
}

impl Alipay {
    /// An adapter for these credentials.
    pub fn new(config: AlipayConfig, http: HttpClient) -> Alipay {
        Alipay { config, http }
    }

    /// The credentials.
    pub fn config(&self) -> &AlipayConfig {
        &self.config
    }

    /// The common parameters and `biz_content`, signed.
    fn signed_params(&self, method: &str, biz_content: String, extra: &[(&str, String)]) -> BTreeMap<String, String> {
        let mut params: BTreeMap<String, String> = [
            ("app_id", self.config.app_id.clone()),
            ("method", method.to_owned()),
            ("format", "JSON".to_owned()),
            ("charset", "utf-8".to_owned()),
            ("sign_type", "RSA2".to_owned()),
            ("timestamp", time_text(Utc::now().fixed_offset())),
            ("version", "1.0".to_owned()),
            ("biz_content", biz_content),
        ]
        .into_iter()
        .chain(extra.iter().cloned())
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let sign = sign::sign_request(&self.config.app_key, &params);
        params.insert("sign".to_owned(), sign);
        params
    }

    /// Calls `method` and returns the verified response member, parsed.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        operation: &'static str,
        method: &str,
        biz_content: String,
        extra: &[(&str, String)],
    ) -> Result<(wire::Status, T), PayError> {
        let params = self.signed_params(method, biz_content, extra);
        let mut url = self.config.gateway.clone();
        url.query_pairs_mut().append_pair("charset", "utf-8");
        let form: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&params).finish();
        let content_type = (http::header::CONTENT_TYPE, "application/x-www-form-urlencoded;charset=utf-8".to_owned());
        let answer = self.http.send(operation, http::Method::POST, &url, &[content_type], form.into_bytes()).await?;
        let malformed = |detail: String| PayError::MalformedResponse { operation, detail };
        if answer.status != 200 {
            return Err(malformed(format!("HTTP {}", answer.status)));
        }
        let body = std::str::from_utf8(&answer.body).map_err(|_| malformed("not UTF-8".into()))?;
        let split = sign::split_response(body, method).ok_or_else(|| malformed("no response member".into()))?;
        let status: wire::Status = serde_json::from_str(split.content).map_err(|e| malformed(e.to_string()))?;
        match split.sign {
            Some(sign) => self
                .config
                .alipay_key
                .verify_base64(split.content.as_bytes(), &sign)
                .map_err(|_| PayError::BadResponseSignature { operation })?,
            // Alipay leaves some refusals (a bad app_id, a bad signature of ours) unsigned; a
            // success must always be signed.
            None if status.code == SUCCESS => return Err(PayError::BadResponseSignature { operation }),
            None => return Err(rejected(operation, status)),
        }
        let parsed = serde_json::from_str(split.content).map_err(|e| malformed(e.to_string()))?;
        Ok((status, parsed))
    }

    /// Creates a precreate (QR code) or page-pay order.
    pub async fn create_order(&self, request: &OrderRequest) -> Result<CreatedOrder, PayError> {
        const OP: &str = "create";
        let amount = request.validate()?;
        let placed_at = Utc::now().with_timezone(&china_time());
        let expires_at = request.expires_at.with_timezone(&china_time());
        let mut content = wire::PayContent {
            out_trade_no: request.out_trade_no.clone(),
            total_amount: amount.yuan_text(),
            subject: request.description.clone(),
            product_code: None,
            time_expire: time_text(expires_at),
        };
        let notify = ("notify_url", self.config.notify_url.to_string());
        let action = match &request.method {
            PayMethod::AlipayQr => {
                let biz = serde_json::to_string(&content).expect("biz_content serializes");
                let (status, answer): (_, wire::PrecreateResponse) =
                    self.call(OP, "alipay.trade.precreate", biz, &[notify]).await?;
                if status.code != SUCCESS {
                    return Err(rejected(OP, status));
                }
                if answer.out_trade_no.as_deref() != Some(request.out_trade_no.as_str()) {
                    return Err(PayError::MalformedResponse { operation: OP, detail: "another order's number".into() });
                }
                let qr_code = answer
                    .qr_code
                    .ok_or_else(|| PayError::MalformedResponse { operation: OP, detail: "no qr_code".into() })?;
                PayAction::QrCode { content: qr_code }
            }
            PayMethod::AlipayPage { return_url } => {
                content.product_code = Some("FAST_INSTANT_TRADE_PAY".to_owned());
                let biz = serde_json::to_string(&content).expect("biz_content serializes");
                let params =
                    self.signed_params("alipay.trade.page.pay", biz, &[notify, ("return_url", return_url.to_string())]);
                let mut url = self.config.gateway.clone();
                url.query_pairs_mut().extend_pairs(&params);
                PayAction::Redirect { url: url.to_string() }
            }
            _ => return Err(PayError::InvalidRequest { field: "method", rule: "an Alipay method" }),
        };
        Ok(CreatedOrder {
            provider: Provider::Alipay,
            order: OrderRef { out_trade_no: request.out_trade_no.clone(), placed_at },
            amount: Money::cny(amount),
            expires_at,
            action,
        })
    }

    /// Queries an order.
    pub async fn query_order(&self, order: &OrderRef) -> Result<OrderStatus, PayError> {
        const OP: &str = "query";
        let biz = order_content(order)?;
        let (status, answer): (_, wire::QueryResponse) = self.call(OP, "alipay.trade.query", biz, &[]).await?;
        let state = if status.code == SUCCESS {
            if answer.trade.out_trade_no.as_deref() != Some(order.out_trade_no.as_str()) {
                return Err(PayError::MalformedResponse { operation: OP, detail: "another order's number".into() });
            }
            query_state(&order.out_trade_no, &answer)?
        } else if status.sub_code.as_deref() == Some("ACQ.TRADE_NOT_EXIST") {
            TradeState::NotFound
        } else {
            return Err(rejected(OP, status));
        };
        Ok(OrderStatus { provider: Provider::Alipay, out_trade_no: order.out_trade_no.clone(), state })
    }

    /// Closes an unpaid order. A trade Alipay refuses to close for its state is queried, so that
    /// a paid one reads [`CloseOutcome::AlreadyPaid`].
    pub async fn close_order(&self, order: &OrderRef) -> Result<CloseOutcome, PayError> {
        const OP: &str = "close";
        let biz = order_content(order)?;
        let (status, _answer): (_, wire::CloseResponse) = self.call(OP, "alipay.trade.close", biz, &[]).await?;
        if status.code == SUCCESS {
            return Ok(CloseOutcome::Closed);
        }
        match status.sub_code.as_deref() {
            Some("ACQ.TRADE_NOT_EXIST") => Ok(CloseOutcome::NotAtProvider),
            Some("ACQ.TRADE_STATUS_ERROR") => match self.query_order(order).await?.state {
                TradeState::Paid(_) | TradeState::Refunded(_) => Ok(CloseOutcome::AlreadyPaid),
                TradeState::Closed => Ok(CloseOutcome::Closed),
                _ => Err(rejected(OP, status)),
            },
            _ => Err(rejected(OP, status)),
        }
    }

    /// Refunds (part of) a paid order. Alipay refunds synchronously: success means the money is
    /// on its way back.
    pub async fn refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        const OP: &str = "refund";
        check_order_number("out_trade_no", &request.out_trade_no)?;
        check_order_number("out_refund_no", &request.out_refund_no)?;
        let amount = Fen::from_yuan(request.amount)?;
        if amount > Fen::from_yuan(request.order_amount)? {
            return Err(PayError::InvalidRequest { field: "amount", rule: "at most the order's amount" });
        }
        let content = wire::RefundContent {
            out_trade_no: request.out_trade_no.clone(),
            refund_amount: amount.yuan_text(),
            out_request_no: request.out_refund_no.clone(),
            refund_reason: Some(request.reason.chars().take(80).collect()).filter(|r: &String| !r.is_empty()),
        };
        let biz = serde_json::to_string(&content).expect("biz_content serializes");
        let (status, answer): (_, wire::RefundResponse) = self.call(OP, "alipay.trade.refund", biz, &[]).await?;
        if status.code != SUCCESS {
            return Err(rejected(OP, status));
        }
        Ok(request.reported(
            Provider::Alipay,
            answer.trade.trade_no,
            amount,
            RefundState::Succeeded { at: answer.gmt_refund_pay.as_deref().and_then(parse_time) },
        ))
    }

    /// Queries a refund (`alipay.trade.fastpay.refund.query`).
    pub async fn query_refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        const OP: &str = "query_refund";
        check_order_number("out_trade_no", &request.out_trade_no)?;
        check_order_number("out_refund_no", &request.out_refund_no)?;
        let content = wire::RefundQueryContent {
            out_trade_no: request.out_trade_no.clone(),
            out_request_no: request.out_refund_no.clone(),
        };
        let biz = serde_json::to_string(&content).expect("biz_content serializes");
        let (status, answer): (_, wire::RefundQueryResponse) =
            self.call(OP, "alipay.trade.fastpay.refund.query", biz, &[]).await?;
        if status.code != SUCCESS {
            return Err(rejected(OP, status));
        }
        let (amount, state) = match answer.refund_amount.as_deref() {
            Some(amount) if answer.refund_status.as_deref().is_none_or(|s| s == "REFUND_SUCCESS") => (
                Fen::parse_yuan_text(amount)?,
                RefundState::Succeeded { at: answer.gmt_refund_pay.as_deref().and_then(parse_time) },
            ),
            Some(amount) => (Fen::parse_yuan_text(amount)?, RefundState::Processing),
            None => (Fen::from_yuan(request.amount)?, RefundState::NotFound),
        };
        Ok(request.reported(Provider::Alipay, answer.trade.trade_no, amount, state))
    }

    /// Verifies a notification: the form body as received.
    pub fn verify_notification(&self, body: &[u8]) -> Result<Notice, NotifyError> {
        let mut params = BTreeMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            if params.insert(name.into_owned(), value.into_owned()).is_some() {
                return Err(NotifyError::Malformed("a field given twice".into()));
            }
        }
        if params.get("sign_type").is_some_and(|t| t != "RSA2") {
            return Err(NotifyError::Malformed("sign_type is not RSA2".into()));
        }
        if !params.contains_key("sign") {
            return Err(NotifyError::Missing("sign"));
        }
        sign::verify_notification(&self.config.alipay_key, &params).map_err(|_| NotifyError::BadSignature)?;
        let field = |name: &'static str| params.get(name).map(String::as_str).ok_or(NotifyError::Missing(name));
        if field("app_id")? != self.config.app_id {
            return Err(NotifyError::WrongMerchant { field: "app_id", value: field("app_id")?.to_owned() });
        }
        if let Some(seller) = &self.config.seller_id {
            if field("seller_id")? != seller {
                return Err(NotifyError::WrongMerchant { field: "seller_id", value: field("seller_id")?.to_owned() });
            }
        }
        notice(&params)
    }
}

/// The event a verified notification reports.
fn notice(params: &BTreeMap<String, String>) -> Result<Notice, NotifyError> {
    let field = |name: &'static str| params.get(name).map(String::as_str).ok_or(NotifyError::Missing(name));
    let (out_trade_no, trade_no, status) = (field("out_trade_no")?, field("trade_no")?, field("trade_status")?);
    let amount = |name: &'static str| {
        Fen::parse_yuan_text(field(name)?).map_err(|e| NotifyError::Malformed(format!("{name}: {e}")))
    };
    let time = |name: &'static str| parse_time(field(name)?).ok_or(NotifyError::Malformed(name.to_owned()));
    let (id, event) = if let Some(refund_no) = params.get("out_biz_no").filter(|_| params.contains_key("refund_fee")) {
        // A refund: Alipay reports it with the trade's status (TRADE_SUCCESS after a partial
        // refund, TRADE_CLOSED after a full one), `out_biz_no` the refund's number, `refund_fee`
        // the total refunded so far.
        let refund = RefundStatus {
            provider: Provider::Alipay,
            out_trade_no: out_trade_no.to_owned(),
            out_refund_no: refund_no.clone(),
            provider_refund_no: Some(trade_no.to_owned()),
            amount: Money::cny(amount("refund_fee")?),
            state: RefundState::Succeeded { at: params.get("gmt_refund").and_then(|t| parse_time(t)) },
        };
        (format!("alipay:refund:{trade_no}:{refund_no}"), NoticeEvent::Refund(refund))
    } else {
        match status {
            "TRADE_SUCCESS" | "TRADE_FINISHED" => {
                let payment = Payment {
                    provider: Provider::Alipay,
                    out_trade_no: out_trade_no.to_owned(),
                    provider_trade_no: trade_no.to_owned(),
                    amount: Money {
                        amount: amount("total_amount")?,
                        currency: params.get("trans_currency").map_or(Currency::Cny, |c| Currency::parse(c)),
                    },
                    paid_at: time("gmt_payment")?,
                };
                (format!("alipay:paid:{trade_no}"), NoticeEvent::Paid(payment))
            }
            "TRADE_CLOSED" => {
                (format!("alipay:closed:{trade_no}"), NoticeEvent::Closed { out_trade_no: out_trade_no.to_owned() })
            }
            other => return Err(NotifyError::Unhandled(format!("trade_status {other}"))),
        }
    };
    Ok(Notice { provider: Provider::Alipay, id, provider_notify_id: params.get("notify_id").cloned(), event })
}

/// `biz_content` naming `order` (query, close), its number checked first.
fn order_content(order: &OrderRef) -> Result<String, PayError> {
    check_order_number("out_trade_no", &order.out_trade_no)?;
    Ok(serde_json::to_string(&wire::OrderContent { out_trade_no: order.out_trade_no.clone() })
        .expect("biz_content serializes"))
}

fn query_state(out_trade_no: &str, answer: &wire::QueryResponse) -> Result<TradeState, PayError> {
    const OP: &str = "query";
    let malformed = |detail: &str| PayError::MalformedResponse { operation: OP, detail: detail.to_owned() };
    let status = answer.trade_status.as_deref().ok_or_else(|| malformed("no trade_status"))?;
    Ok(match status {
        "TRADE_SUCCESS" | "TRADE_FINISHED" => {
            let total = answer.total_amount.as_deref().ok_or_else(|| malformed("paid without total_amount"))?;
            let paid = answer.send_pay_date.as_deref().ok_or_else(|| malformed("paid without send_pay_date"))?;
            TradeState::Paid(Payment {
                provider: Provider::Alipay,
                out_trade_no: out_trade_no.to_owned(),
                provider_trade_no: answer.trade.trade_no.clone().ok_or_else(|| malformed("paid without trade_no"))?,
                amount: Money {
                    amount: Fen::parse_yuan_text(total)?,
                    currency: answer.trans_currency.as_deref().map_or(Currency::Cny, Currency::parse),
                },
                paid_at: parse_time(paid).ok_or_else(|| malformed("send_pay_date"))?,
            })
        }
        "WAIT_BUYER_PAY" => TradeState::AwaitingPayment,
        "TRADE_CLOSED" => TradeState::Closed,
        other => return Err(malformed(&format!("trade_status {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        let base = [
            ("out_trade_no", "PRM20261203000001"),
            ("trade_no", "2026120322001400000000000001"),
            ("total_amount", "88.88"),
            ("gmt_payment", "2026-12-03 10:00:00"),
            ("notify_id", "n1"),
        ];
        base.iter().chain(pairs).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn notifications_read_as_payment_refund_or_closure() {
        let paid = notice(&params(&[("trade_status", "TRADE_SUCCESS")])).expect("paid");
        let NoticeEvent::Paid(payment) = &paid.event else { panic!("paid") };
        assert_eq!(
            (payment.amount.amount.get(), payment.paid_at.to_rfc3339().as_str()),
            (8888, "2026-12-03T10:00:00+08:00")
        );
        assert_eq!(paid.id, "alipay:paid:2026120322001400000000000001");
        let finished = notice(&params(&[("trade_status", "TRADE_FINISHED")])).expect("finished");
        assert_eq!(finished.id, paid.id, "TRADE_FINISHED is the same payment");
        let refund = [("trade_status", "TRADE_CLOSED"), ("out_biz_no", "RFD00000001"), ("refund_fee", "88.88")];
        let refunded = notice(&params(&refund)).expect("refund");
        assert!(
            matches!(refunded.event, NoticeEvent::Refund(RefundStatus { ref out_refund_no, .. }) if out_refund_no == "RFD00000001")
        );
        let closed = notice(&params(&[("trade_status", "TRADE_CLOSED")])).expect("closed");
        assert!(matches!(closed.event, NoticeEvent::Closed { .. }));
        assert!(matches!(notice(&params(&[("trade_status", "WAIT_BUYER_PAY")])), Err(NotifyError::Unhandled(_))));
        let bad = params(&[("trade_status", "TRADE_SUCCESS"), ("total_amount", "1e2")]);
        assert!(matches!(notice(&bad), Err(NotifyError::Malformed(_))));
    }
}

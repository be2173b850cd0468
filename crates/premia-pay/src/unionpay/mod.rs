//! UnionPay online payment (银联在线支付), the 全渠道 gateway consume product (跳转网关支付,
//! bizType 000201), version 5.1.0 with RSA certificate signatures: the signed form that takes the
//! person to UnionPay's card pages, the status query (`queryTrans.do`), refunds (退货,
//! `backTransReq.do`) and the back notification (后台通知, `backUrl`), answered HTTP 200.
//!
//! Why UnionPay's gateway and not another card acquirer: it is the one card scheme every Chinese
//! bank card is on, its gateway is what "bank card" means to a Chinese payer paying online, and it
//! is documented openly with the same certificate-signature scheme for every product.

pub mod cert;
pub mod sign;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, TimeZone, Timelike, Utc};
use url::Url;

pub use cert::{Certificate, Trust};

use crate::error::{NotifyError, PayError};
use crate::http::HttpClient;
use crate::keys::SigningKey;
use crate::model::{
    CloseOutcome, CreatedOrder, Notice, NoticeEvent, OrderRef, OrderRequest, OrderStatus, PayAction, PayMethod,
    Payment, Provider, RefundRequest, RefundState, RefundStatus, TradeState, check_order_number, china_time,
};
use crate::money::{Currency, Fen, Money};

/// The production gateway.
pub const GATEWAY: &str = "https://gateway.95516.com";
/// The common name of UnionPay's production signing certificate.
pub const SIGNER_CN: &str = "中国银联股份有限公司";
/// The protocol version.
pub const VERSION: &str = "5.1.0";
/// `txnTime`, `payTimeout`.
pub const TIME_FORMAT: &str = "%Y%m%d%H%M%S";

/// Paths under the gateway.
pub mod path {
    /// Front (browser) transactions.
    pub const FRONT: &str = "/gateway/api/frontTransReq.do";
    /// Back (server) transactions: refunds.
    pub const BACK: &str = "/gateway/api/backTransReq.do";
    /// Status queries.
    pub const QUERY: &str = "/gateway/api/queryTrans.do";
}

/// A merchant's UnionPay credentials and endpoint.
#[derive(Clone, Debug)]
pub struct UnionPayConfig {
    /// Merchant code (商户代码).
    pub mer_id: String,
    /// The merchant signing certificate's serial number in decimal (`certId`).
    pub sign_cert_id: String,
    /// The merchant signing key (from the signing `.pfx`).
    pub sign_key: SigningKey,
    /// What UnionPay's signatures must chain to.
    pub trust: Trust,
    /// Where back notifications go (`backUrl`).
    pub back_url: Url,
    /// The gateway ([`GATEWAY`], or a simulator).
    pub gateway: Url,
}

/// The UnionPay adapter.
#[derive(Clone, Debug)]
pub struct UnionPay {
    config: UnionPayConfig,
    http: HttpClient,
}

impl UnionPay {
    /// The gateway's origin (`scheme://host[:port]`), where the payer's browser posts the order form.
    pub fn gateway_origin(&self) -> String {
        self.config.gateway.origin().ascii_serialization()
    }
}

fn time_text(time: DateTime<FixedOffset>) -> String {
    time.with_timezone(&china_time()).format(TIME_FORMAT).to_string()
}

/// Reads `txnTime` (China time).
pub fn parse_time(text: &str) -> Option<DateTime<FixedOffset>> {
    let naive = NaiveDateTime::parse_from_str(text, TIME_FORMAT).ok()?;
    china_time().from_local_datetime(&naive).single()
}

/// `traceTime` is `MMDDhhmmss` without a year: the year is the order's (`txnTime`), or the next
/// one when the payment crossed New Year.
pub fn trace_time(txn_time: &str, trace: &str) -> Option<DateTime<FixedOffset>> {
    let placed = parse_time(txn_time)?;
    let with_year = |year: i32| parse_time(&format!("{year}{trace}"));
    let same = with_year(placed.year())?;
    if same + chrono::Duration::days(1) < placed { with_year(placed.year() + 1) } else { Some(same) }
}

fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// `respCode` 03, 04, 05: the transaction is still being processed.
fn processing(code: &str) -> bool {
    matches!(code, "03" | "04" | "05")
}

impl UnionPay {
    /// An adapter for these credentials.
    pub fn new(config: UnionPayConfig, http: HttpClient) -> UnionPay {
        UnionPay { config, http }
    }

    /// The credentials.
    pub fn config(&self) -> &UnionPayConfig {
        &self.config
    }

    fn url(&self, path: &str) -> Result<Url, PayError> {
        self.config
            .gateway
            .join(path.trim_start_matches('/'))
            .map_err(|_| PayError::InvalidRequest { field: "gateway", rule: "a base URL" })
    }

    /// The fields every request carries, for transaction type and subtype.
    fn common(&self, txn_type: &str, txn_sub_type: &str, biz_type: &str) -> BTreeMap<String, String> {
        fields(&[
            ("version", VERSION),
            ("encoding", "UTF-8"),
            ("signMethod", "01"),
            ("certId", &self.config.sign_cert_id),
            ("merId", &self.config.mer_id),
            ("accessType", "0"),
            ("channelType", "07"),
            ("txnType", txn_type),
            ("txnSubType", txn_sub_type),
            ("bizType", biz_type),
        ])
    }

    fn signed(&self, mut fields: BTreeMap<String, String>) -> BTreeMap<String, String> {
        let signature = sign::sign(&self.config.sign_key, &fields);
        fields.insert("signature".to_owned(), signature);
        fields
    }

    /// Checks a message from UnionPay: its certificate chain and its signature.
    pub fn verify_fields(&self, fields: &BTreeMap<String, String>, now: u64) -> Result<(), NotifyError> {
        let pem = fields.get("signPubKeyCert").ok_or(NotifyError::Missing("signPubKeyCert"))?;
        let key = self.config.trust.signer(pem, now).map_err(NotifyError::Certificate)?;
        if !fields.contains_key("signature") {
            return Err(NotifyError::Missing("signature"));
        }
        sign::verify(&key, fields).map_err(|_| NotifyError::BadSignature)
    }

    /// The transaction query (交易状态查询) of `order_id` sent at `sent_at` (an order's or a refund's).
    async fn query(
        &self,
        operation: &'static str,
        order_id: &str,
        sent_at: DateTime<FixedOffset>,
    ) -> Result<BTreeMap<String, String>, PayError> {
        let mut request = self.common("00", "00", "000000");
        request.insert("orderId".into(), order_id.to_owned());
        request.insert("txnTime".into(), time_text(sent_at));
        self.call(operation, path::QUERY, request).await
    }

    async fn call(
        &self,
        operation: &'static str,
        path: &str,
        request: BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, PayError> {
        let form: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&self.signed(request)).finish();
        let content_type = (http::header::CONTENT_TYPE, "application/x-www-form-urlencoded;charset=UTF-8".to_owned());
        let url = self.url(path)?;
        let answer = self.http.send(operation, http::Method::POST, &url, &[content_type], form.into_bytes()).await?;
        let malformed = |detail: String| PayError::MalformedResponse { operation, detail };
        if answer.status != 200 {
            return Err(malformed(format!("HTTP {}", answer.status)));
        }
        let text = std::str::from_utf8(&answer.body).map_err(|_| malformed("not UTF-8".into()))?;
        let fields = sign::parse_answer(text).ok_or_else(|| malformed("not name=value&…".into()))?;
        match self.verify_fields(&fields, now()) {
            Ok(()) => Ok(fields),
            // UnionPay leaves some refusals (its own signature check of ours failing) unsigned.
            Err(NotifyError::Missing(_)) if fields.get("respCode").is_some_and(|c| c != "00") => {
                Err(rejected(operation, &fields))
            }
            Err(_) => Err(PayError::BadResponseSignature { operation }),
        }
    }

    /// A gateway consume: the signed form the browser submits to UnionPay. Nothing is sent from
    /// here; the order exists at UnionPay once the person submits it.
    pub fn create_order(&self, request: &OrderRequest) -> Result<CreatedOrder, PayError> {
        let amount = request.validate()?;
        let PayMethod::UnionPayGateway { front_url } = &request.method else {
            return Err(PayError::InvalidRequest { field: "method", rule: "a UnionPay method" });
        };
        let placed_at = Utc::now().with_timezone(&china_time()).with_nanosecond(0).expect("zero nanoseconds");
        let expires_at = request.expires_at.with_timezone(&china_time());
        let mut form = self.common("01", "01", "000201");
        for (name, value) in [
            ("orderId", request.out_trade_no.clone()),
            ("txnTime", time_text(placed_at)),
            ("txnAmt", amount.get().to_string()),
            ("currencyCode", Currency::Cny.numeric().to_owned()),
            ("frontUrl", front_url.to_string()),
            ("backUrl", self.config.back_url.to_string()),
            ("payTimeout", time_text(expires_at)),
        ] {
            form.insert(name.to_owned(), value);
        }
        Ok(CreatedOrder {
            provider: Provider::UnionPay,
            order: OrderRef { out_trade_no: request.out_trade_no.clone(), placed_at },
            amount: Money::cny(amount),
            expires_at,
            action: PayAction::AutoPostForm {
                action: self.url(path::FRONT)?.to_string(),
                fields: self.signed(form).into_iter().collect(),
            },
        })
    }

    /// Queries an order by its number and placing time.
    pub async fn query_order(&self, order: &OrderRef) -> Result<OrderStatus, PayError> {
        const OP: &str = "query";
        check_order_number("out_trade_no", &order.out_trade_no)?;
        let answer = self.query(OP, &order.out_trade_no, order.placed_at).await?;
        let field = |name: &str| answer.get(name).map(String::as_str).unwrap_or("");
        let state = match field("respCode") {
            "00" => {
                if field("orderId") != order.out_trade_no || field("merId") != self.config.mer_id {
                    return Err(PayError::MalformedResponse { operation: OP, detail: "another order".into() });
                }
                match field("origRespCode") {
                    "00" => TradeState::Paid(payment(OP, &answer)?),
                    code if processing(code) => TradeState::AwaitingPayment,
                    code => TradeState::Failed { reason: format!("{code} {}", field("origRespMsg")) },
                }
            }
            "34" => TradeState::NotFound,
            _ => return Err(rejected(OP, &answer)),
        };
        Ok(OrderStatus { provider: Provider::UnionPay, out_trade_no: order.out_trade_no.clone(), state })
    }

    /// UnionPay has no close for an unpaid gateway order: it ends at its `payTimeout`. The order
    /// is queried, so that a paid one reads [`CloseOutcome::AlreadyPaid`].
    pub async fn close_order(&self, order: &OrderRef) -> Result<CloseOutcome, PayError> {
        Ok(match self.query_order(order).await?.state {
            TradeState::Paid(_) | TradeState::Refunded(_) => CloseOutcome::AlreadyPaid,
            _ => CloseOutcome::NotAtProvider,
        })
    }

    /// A refund (退货) of a paid order, by its `queryId`. UnionPay accepts it at once and reports
    /// the result by back notification (or query).
    pub async fn refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        const OP: &str = "refund";
        check_order_number("out_trade_no", &request.out_trade_no)?;
        check_order_number("out_refund_no", &request.out_refund_no)?;
        if request.provider_trade_no.is_empty() || request.provider_trade_no.len() > 21 {
            return Err(PayError::InvalidRequest { field: "provider_trade_no", rule: "the payment's queryId" });
        }
        let amount = Fen::from_yuan(request.amount)?;
        if amount > Fen::from_yuan(request.order_amount)? {
            return Err(PayError::InvalidRequest { field: "amount", rule: "at most the order's amount" });
        }
        let mut form = self.common("04", "00", "000201");
        for (name, value) in [
            ("orderId", request.out_refund_no.clone()),
            ("origQryId", request.provider_trade_no.clone()),
            ("txnTime", time_text(request.requested_at)),
            ("txnAmt", amount.get().to_string()),
            ("backUrl", self.config.back_url.to_string()),
            // Echoed in the refund's notification, which otherwise names only the payment's queryId.
            ("reqReserved", request.out_trade_no.clone()),
        ] {
            form.insert(name.to_owned(), value);
        }
        let answer = self.call(OP, path::BACK, form).await?;
        let code = answer.get("respCode").map(String::as_str).unwrap_or("");
        if code != "00" && !processing(code) {
            return Err(rejected(OP, &answer));
        }
        Ok(request.reported(Provider::UnionPay, answer.get("queryId").cloned(), amount, RefundState::Processing))
    }

    /// Queries a refund by its number and `requested_at` (the `txnTime` it was sent with).
    pub async fn query_refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        const OP: &str = "query_refund";
        check_order_number("out_refund_no", &request.out_refund_no)?;
        let answer = self.query(OP, &request.out_refund_no, request.requested_at).await?;
        let field = |name: &str| answer.get(name).map(String::as_str).unwrap_or("");
        let state = match (field("respCode"), field("origRespCode")) {
            ("00", "00") => RefundState::Succeeded { at: trace_time(field("txnTime"), field("traceTime")) },
            ("00", code) if processing(code) => RefundState::Processing,
            ("00", code) => RefundState::Failed { reason: format!("{code} {}", field("origRespMsg")) },
            ("34", _) => RefundState::NotFound,
            _ => return Err(rejected(OP, &answer)),
        };
        let amount = match field("txnAmt") {
            "" => Fen::from_yuan(request.amount)?,
            text => Fen::parse_fen_text(text)?,
        };
        Ok(request.reported(Provider::UnionPay, answer.get("queryId").cloned(), amount, state))
    }

    /// Verifies a back notification: the form body as received.
    pub fn verify_notification(&self, body: &[u8]) -> Result<Notice, NotifyError> {
        self.verify_notification_at(body, now())
    }

    /// [`UnionPay::verify_notification`] at a given time (Unix seconds; certificate validity).
    pub fn verify_notification_at(&self, body: &[u8], now: u64) -> Result<Notice, NotifyError> {
        let mut fields = BTreeMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            if fields.insert(name.into_owned(), value.into_owned()).is_some() {
                return Err(NotifyError::Malformed("a field given twice".into()));
            }
        }
        self.verify_fields(&fields, now)?;
        let field = |name: &'static str| fields.get(name).map(String::as_str).ok_or(NotifyError::Missing(name));
        if field("merId")? != self.config.mer_id {
            return Err(NotifyError::WrongMerchant { field: "merId", value: field("merId")?.to_owned() });
        }
        let (query_id, code) = (field("queryId")?, field("respCode")?);
        let reason = || format!("{code} {}", fields.get("respMsg").map_or("", String::as_str));
        let (id, event) = match field("txnType")? {
            "01" if code == "00" => {
                let payment = payment("notification", &fields).map_err(|e| NotifyError::Malformed(e.to_string()))?;
                (format!("unionpay:paid:{query_id}"), NoticeEvent::Paid(payment))
            }
            "01" => (
                format!("unionpay:failed:{query_id}"),
                NoticeEvent::PaymentFailed { out_trade_no: field("orderId")?.to_owned(), reason: reason() },
            ),
            "04" => {
                let amount =
                    Fen::parse_fen_text(field("txnAmt")?).map_err(|e| NotifyError::Malformed(e.to_string()))?;
                let refund = RefundStatus {
                    provider: Provider::UnionPay,
                    out_trade_no: field("reqReserved")?.to_owned(),
                    out_refund_no: field("orderId")?.to_owned(),
                    provider_refund_no: Some(query_id.to_owned()),
                    amount: Money { amount, currency: Currency::parse(field("currencyCode")?) },
                    state: if code == "00" {
                        RefundState::Succeeded {
                            at: fields.get("traceTime").and_then(|t| trace_time(field("txnTime").ok()?, t)),
                        }
                    } else {
                        RefundState::Failed { reason: reason() }
                    },
                };
                (format!("unionpay:refund:{query_id}:{code}"), NoticeEvent::Refund(refund))
            }
            other => return Err(NotifyError::Unhandled(format!("txnType {other}"))),
        };
        Ok(Notice { provider: Provider::UnionPay, id, provider_notify_id: None, event })
    }
}

fn now() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap_or(0)
}

fn rejected(operation: &'static str, fields: &BTreeMap<String, String>) -> PayError {
    let code = fields.get("respCode").cloned().unwrap_or_default();
    PayError::Rejected {
        operation,
        http_status: None,
        retryable: processing(&code) || code == "34",
        message: fields.get("respMsg").cloned().unwrap_or_default(),
        code,
    }
}

/// The payment a successful consume's query answer or notification reports.
fn payment(operation: &'static str, fields: &BTreeMap<String, String>) -> Result<Payment, PayError> {
    let malformed = |detail: &str| PayError::MalformedResponse { operation, detail: detail.to_owned() };
    let field = |name: &str| fields.get(name).map(String::as_str).ok_or_else(|| malformed(&format!("no {name}")));
    let txn_time = field("txnTime")?;
    Ok(Payment {
        provider: Provider::UnionPay,
        out_trade_no: field("orderId")?.to_owned(),
        provider_trade_no: field("queryId")?.to_owned(),
        amount: Money {
            amount: Fen::parse_fen_text(field("txnAmt")?)?,
            currency: Currency::parse(field("currencyCode")?),
        },
        paid_at: trace_time(txn_time, field("traceTime")?).ok_or_else(|| malformed("traceTime"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_time_takes_the_orders_year_or_the_next() {
        let paid = trace_time("20240315101010", "0315101500").expect("time");
        assert_eq!(paid.to_rfc3339(), "2024-03-15T10:15:00+08:00");
        let new_year = trace_time("20241231235500", "0101000100").expect("time");
        assert_eq!(new_year.to_rfc3339(), "2025-01-01T00:01:00+08:00");
        assert!(trace_time("20240315101010", "1340101500").is_none());
    }
}

//! WeChat Pay API v3, direct merchant (直连商户): Native and JSAPI orders, query, close, refund,
//! and the payment and refund notifications, verified with the WeChat Pay public key (微信支付公钥,
//! `PUB_KEY_ID_…`) and decrypted with the APIv3 key.

pub mod sign;
pub mod wire;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use url::Url;

use crate::error::{NotifyError, PayError};
use crate::http::{Answer, HttpClient};
use crate::keys::{SigningKey, VerifyingKey, nonce};
use crate::model::{
    CloseOutcome, CreatedOrder, JsapiParams, Notice, NoticeEvent, OrderRef, OrderRequest, OrderStatus, PayAction,
    PayMethod, Payment, Provider, RefundRequest, RefundState, RefundStatus, TradeState, check_order_number, china_time,
};
use crate::money::{Currency, Fen, Money};
use sign::{AnswerRefused, ApiV3Key, Authorization};

/// The production API.
pub const API_BASE: &str = "https://api.mch.weixin.qq.com";
/// WeChat Pay's `total` is a 32-bit signed integer of fen.
pub const MAX_TOTAL: u64 = i32::MAX as u64;

/// A merchant's WeChat Pay credentials and endpoints.
#[derive(Clone, Debug)]
pub struct WechatConfig {
    /// Merchant id (商户号).
    pub mchid: String,
    /// The appid orders are made under (official account, mini program or website app).
    pub appid: String,
    /// The serial number of the merchant API certificate (商户API证书序列号).
    pub merchant_serial_no: String,
    /// The merchant API private key (`apiclient_key.pem`).
    pub merchant_key: SigningKey,
    /// The WeChat Pay public key's id (`PUB_KEY_ID_…`), which answers name in `Wechatpay-Serial`.
    pub platform_key_id: String,
    /// The WeChat Pay public key (微信支付公钥).
    pub platform_key: VerifyingKey,
    /// The APIv3 key (APIv3密钥).
    pub apiv3_key: ApiV3Key,
    /// Where payment and refund notifications go.
    pub notify_url: Url,
    /// The API's base URL ([`API_BASE`], or a simulator).
    pub api_base: Url,
}

/// The WeChat Pay adapter.
#[derive(Clone, Debug)]
pub struct WechatPay {
    config: WechatConfig,
    http: HttpClient,
}

fn time_text(time: DateTime<FixedOffset>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, false)
}

fn parse_time(operation: &'static str, text: &str) -> Result<DateTime<FixedOffset>, PayError> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|_| PayError::MalformedResponse { operation, detail: format!("time {text:?}") })
}

/// Codes WeChat Pay documents as temporary.
fn retryable(status: u16, code: &str) -> bool {
    status >= 500 || matches!(code, "SYSTEM_ERROR" | "SYSTEMERROR" | "FREQUENCY_LIMITED" | "BANK_ERROR")
}

impl WechatPay {
    /// An adapter for these credentials.
    pub fn new(config: WechatConfig, http: HttpClient) -> WechatPay {
        WechatPay { config, http }
    }

    /// The credentials.
    pub fn config(&self) -> &WechatConfig {
        &self.config
    }

    /// Sends a signed request and checks the answer's signature. Error answers without any
    /// signature headers (a proxy's 502) are passed on as they are; everything else must verify.
    async fn call(
        &self,
        operation: &'static str,
        method: http::Method,
        path_and_query: &str,
        body: Option<String>,
    ) -> Result<Answer, PayError> {
        let url = self
            .config
            .api_base
            .join(path_and_query.trim_start_matches('/'))
            .map_err(|_| PayError::InvalidRequest { field: "api_base", rule: "a base URL" })?;
        // The signature covers the path and query actually requested (the base may have a path).
        let signed_path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let auth = Authorization::sign(
            &self.config.merchant_key,
            &self.config.mchid,
            &self.config.merchant_serial_no,
            method.as_str(),
            &signed_path,
            body.as_deref().unwrap_or(""),
            Utc::now().timestamp(),
        );
        let mut headers = vec![
            (http::header::AUTHORIZATION, auth.to_string()),
            (http::header::ACCEPT, "application/json".to_owned()),
        ];
        if body.is_some() {
            headers.push((http::header::CONTENT_TYPE, "application/json".to_owned()));
        }
        let answer = self.http.send(operation, method, &url, &headers, body.unwrap_or_default().into_bytes()).await?;
        let signed = answer.headers.contains_key(sign::header::SIGNATURE);
        if (200..300).contains(&answer.status) || signed {
            sign::verify_answer(
                &answer.headers,
                &answer.body,
                &self.config.platform_key,
                &self.config.platform_key_id,
                Utc::now().timestamp(),
            )
            .map_err(|_| PayError::BadResponseSignature { operation })?;
        }
        Ok(answer)
    }

    fn rejected(operation: &'static str, answer: &Answer) -> PayError {
        let body: Option<wire::ErrorBody> = serde_json::from_slice(&answer.body).ok();
        let (code, message) = body.map_or_else(
            || (format!("HTTP {}", answer.status), String::from_utf8_lossy(&answer.body).into_owned()),
            |b| (b.code, b.message),
        );
        PayError::Rejected {
            operation,
            http_status: Some(answer.status),
            retryable: retryable(answer.status, &code),
            code,
            message,
        }
    }

    fn parse<T: serde::de::DeserializeOwned>(operation: &'static str, answer: &Answer) -> Result<T, PayError> {
        serde_json::from_slice(&answer.body)
            .map_err(|e| PayError::MalformedResponse { operation, detail: e.to_string() })
    }

    /// Creates a Native (QR code) or JSAPI order.
    pub async fn create_order(&self, request: &OrderRequest) -> Result<CreatedOrder, PayError> {
        const OP: &str = "create";
        let amount = request.validate()?.check_limit(MAX_TOTAL)?;
        let (path, payer) = match &request.method {
            PayMethod::WechatNative => ("/v3/pay/transactions/native", None),
            PayMethod::WechatJsapi { openid } if !openid.is_empty() && openid.len() <= 128 => {
                ("/v3/pay/transactions/jsapi", Some(wire::Payer { openid: openid.clone() }))
            }
            PayMethod::WechatJsapi { .. } => {
                return Err(PayError::InvalidRequest { field: "openid", rule: "1 to 128 characters" });
            }
            _ => return Err(PayError::InvalidRequest { field: "method", rule: "a WeChat Pay method" }),
        };
        let placed_at = Utc::now().with_timezone(&china_time());
        let expires_at = request.expires_at.with_timezone(&china_time());
        let body = wire::PrepayRequest {
            appid: self.config.appid.clone(),
            mchid: self.config.mchid.clone(),
            description: request.description.clone(),
            out_trade_no: request.out_trade_no.clone(),
            time_expire: time_text(expires_at),
            notify_url: self.config.notify_url.to_string(),
            amount: wire::OrderAmount { total: amount.get(), currency: Currency::Cny.code().to_owned() },
            payer,
        };
        let body = serde_json::to_string(&body).expect("prepay request serializes");
        let answer = self.call(OP, http::Method::POST, path, Some(body)).await?;
        if answer.status != 200 {
            return Err(Self::rejected(OP, &answer));
        }
        let action = match request.method {
            PayMethod::WechatNative => {
                let prepay: wire::NativePrepay = Self::parse(OP, &answer)?;
                PayAction::QrCode { content: prepay.code_url }
            }
            _ => {
                let prepay: wire::JsapiPrepay = Self::parse(OP, &answer)?;
                PayAction::Jsapi(self.jsapi_params(&prepay.prepay_id, Utc::now().timestamp()))
            }
        };
        Ok(CreatedOrder {
            provider: Provider::Wechat,
            order: OrderRef { out_trade_no: request.out_trade_no.clone(), placed_at },
            amount: Money::cny(amount),
            expires_at,
            action,
        })
    }

    /// The signed parameters for `getBrandWCPayRequest` (JSAPI调起支付).
    pub fn jsapi_params(&self, prepay_id: &str, timestamp: i64) -> JsapiParams {
        let (time_stamp, nonce_str, package) = (timestamp.to_string(), nonce(32), format!("prepay_id={prepay_id}"));
        let message = sign::jsapi_message(&self.config.appid, &time_stamp, &nonce_str, &package);
        JsapiParams {
            app_id: self.config.appid.clone(),
            pay_sign: self.config.merchant_key.sign_base64(message.as_bytes()),
            time_stamp,
            nonce_str,
            package,
            sign_type: "RSA".to_owned(),
        }
    }

    /// Queries an order by the merchant's number.
    pub async fn query_order(&self, order: &OrderRef) -> Result<OrderStatus, PayError> {
        const OP: &str = "query";
        check_order_number("out_trade_no", &order.out_trade_no)?;
        let path = format!("/v3/pay/transactions/out-trade-no/{}?mchid={}", order.out_trade_no, self.config.mchid);
        let answer = self.call(OP, http::Method::GET, &path, None).await?;
        let state = match answer.status {
            200 => {
                let transaction: wire::Transaction = Self::parse(OP, &answer)?;
                self.check_merchant(OP, &transaction)?;
                if transaction.out_trade_no != order.out_trade_no {
                    return Err(PayError::MalformedResponse { operation: OP, detail: "another order's number".into() });
                }
                trade_state(OP, &transaction)?
            }
            404 => TradeState::NotFound,
            _ => return Err(Self::rejected(OP, &answer)),
        };
        Ok(OrderStatus { provider: Provider::Wechat, out_trade_no: order.out_trade_no.clone(), state })
    }

    fn check_merchant(&self, operation: &'static str, transaction: &wire::Transaction) -> Result<(), PayError> {
        if transaction.mchid != self.config.mchid || transaction.appid != self.config.appid {
            return Err(PayError::MalformedResponse { operation, detail: "another merchant's order".into() });
        }
        Ok(())
    }

    /// Closes an unpaid order.
    pub async fn close_order(&self, order: &OrderRef) -> Result<CloseOutcome, PayError> {
        const OP: &str = "close";
        check_order_number("out_trade_no", &order.out_trade_no)?;
        let path = format!("/v3/pay/transactions/out-trade-no/{}/close", order.out_trade_no);
        let body = serde_json::to_string(&wire::CloseRequest { mchid: self.config.mchid.clone() })
            .expect("close request serializes");
        let answer = self.call(OP, http::Method::POST, &path, Some(body)).await?;
        match answer.status {
            200 | 204 => Ok(CloseOutcome::Closed),
            404 => Ok(CloseOutcome::NotAtProvider),
            _ => match Self::rejected(OP, &answer) {
                PayError::Rejected { code, .. } if code == "ORDERPAID" || code == "ORDER_PAID" => {
                    Ok(CloseOutcome::AlreadyPaid)
                }
                other => Err(other),
            },
        }
    }

    /// Refunds (part of) a paid order.
    pub async fn refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        const OP: &str = "refund";
        check_order_number("out_trade_no", &request.out_trade_no)?;
        check_order_number("out_refund_no", &request.out_refund_no)?;
        let refund = Fen::from_yuan(request.amount)?.check_limit(MAX_TOTAL)?;
        let total = Fen::from_yuan(request.order_amount)?.check_limit(MAX_TOTAL)?;
        if refund > total {
            return Err(PayError::InvalidRequest { field: "amount", rule: "at most the order's amount" });
        }
        let body = wire::RefundRequest {
            out_trade_no: request.out_trade_no.clone(),
            out_refund_no: request.out_refund_no.clone(),
            reason: Some(request.reason.chars().take(80).collect()).filter(|r: &String| !r.is_empty()),
            notify_url: Some(self.config.notify_url.to_string()),
            amount: wire::RefundAmountRequest {
                refund: refund.get(),
                total: total.get(),
                currency: Currency::Cny.code().to_owned(),
            },
        };
        let body = serde_json::to_string(&body).expect("refund request serializes");
        let answer = self.call(OP, http::Method::POST, "/v3/refund/domestic/refunds", Some(body)).await?;
        if answer.status != 200 {
            return Err(Self::rejected(OP, &answer));
        }
        let refund: wire::Refund = Self::parse(OP, &answer)?;
        refund_answer(OP, &refund)
    }

    /// Queries a refund by its number (退款查询).
    pub async fn query_refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        const OP: &str = "query_refund";
        check_order_number("out_refund_no", &request.out_refund_no)?;
        let path = format!("/v3/refund/domestic/refunds/{}", request.out_refund_no);
        let answer = self.call(OP, http::Method::GET, &path, None).await?;
        match answer.status {
            200 => {
                let refund: wire::Refund = Self::parse(OP, &answer)?;
                refund_answer(OP, &refund)
            }
            404 => Ok(RefundStatus {
                provider: Provider::Wechat,
                out_trade_no: request.out_trade_no.clone(),
                out_refund_no: request.out_refund_no.clone(),
                provider_refund_no: None,
                amount: Money::cny(Fen::from_yuan(request.amount)?),
                state: RefundState::NotFound,
            }),
            _ => Err(Self::rejected(OP, &answer)),
        }
    }

    /// Verifies and decrypts a notification, with the clock's time for the timestamp check.
    pub fn verify_notification(&self, headers: &http::HeaderMap, body: &[u8]) -> Result<Notice, NotifyError> {
        self.verify_notification_at(headers, body, Utc::now().timestamp())
    }

    /// [`WechatPay::verify_notification`] at a given time (seconds since the epoch).
    pub fn verify_notification_at(
        &self,
        headers: &http::HeaderMap,
        body: &[u8],
        now: i64,
    ) -> Result<Notice, NotifyError> {
        let config = &self.config;
        sign::verify_answer(headers, body, &config.platform_key, &config.platform_key_id, now).map_err(|refused| {
            match refused {
                AnswerRefused::Missing(header) => NotifyError::Missing(header),
                AnswerRefused::UnknownKey(serial) => NotifyError::UnknownKey { serial },
                AnswerRefused::Stale(timestamp) => NotifyError::StaleTimestamp { timestamp },
                AnswerRefused::BadSignature => NotifyError::BadSignature,
            }
        })?;
        let notification: wire::Notification =
            serde_json::from_slice(body).map_err(|e| NotifyError::Malformed(e.to_string()))?;
        let resource = &notification.resource;
        if resource.algorithm != sign::AEAD_ALGORITHM {
            return Err(NotifyError::Malformed(format!("algorithm {:?}", resource.algorithm)));
        }
        let plain = config
            .apiv3_key
            .decrypt(&resource.nonce, resource.associated_data.as_deref().unwrap_or(""), &resource.ciphertext)
            .map_err(|_| NotifyError::Decrypt)?;
        let malformed = |e: serde_json::Error| NotifyError::Malformed(e.to_string());
        let (id, event) = match notification.event_type.as_str() {
            "TRANSACTION.SUCCESS" => {
                let transaction: wire::Transaction = serde_json::from_slice(&plain).map_err(malformed)?;
                if transaction.mchid != config.mchid {
                    return Err(NotifyError::WrongMerchant { field: "mchid", value: transaction.mchid });
                }
                if transaction.appid != config.appid {
                    return Err(NotifyError::WrongMerchant { field: "appid", value: transaction.appid });
                }
                // A retry sent after the payment was refunded reads `REFUND`: still the genuine payment
                // it announced (the same id), so applied — in practice found applied — like the first.
                let payment = match trade_state("notification", &transaction) {
                    Ok(TradeState::Paid(payment) | TradeState::Refunded(payment)) => payment,
                    _ => return Err(NotifyError::Malformed("TRANSACTION.SUCCESS of an unpaid order".into())),
                };
                (format!("wechat:paid:{}", payment.provider_trade_no), NoticeEvent::Paid(payment))
            }
            "REFUND.SUCCESS" | "REFUND.ABNORMAL" | "REFUND.CLOSED" => {
                let refund: wire::RefundNotice = serde_json::from_slice(&plain).map_err(malformed)?;
                if refund.mchid != config.mchid {
                    return Err(NotifyError::WrongMerchant { field: "mchid", value: refund.mchid });
                }
                let status = refund_status(
                    "notification",
                    &refund.out_trade_no,
                    &refund.out_refund_no,
                    &refund.refund_id,
                    &refund.refund_status,
                    refund.success_time.as_deref(),
                    &refund.amount,
                )
                .map_err(|e| NotifyError::Malformed(e.to_string()))?;
                (format!("wechat:refund:{}:{}", refund.refund_id, refund.refund_status), NoticeEvent::Refund(status))
            }
            other => return Err(NotifyError::Unhandled(other.to_owned())),
        };
        Ok(Notice { provider: Provider::Wechat, id, provider_notify_id: Some(notification.id), event })
    }
}

/// Reads a transaction's state; a paid one must carry its number, amount and time.
fn trade_state(operation: &'static str, transaction: &wire::Transaction) -> Result<TradeState, PayError> {
    let payment = || -> Result<Payment, PayError> {
        let missing = |what: &str| PayError::MalformedResponse { operation, detail: format!("paid without {what}") };
        let amount = transaction.amount.as_ref().ok_or_else(|| missing("amount"))?;
        let total = amount.total.ok_or_else(|| missing("amount.total"))?;
        let currency = amount.currency.as_deref().ok_or_else(|| missing("amount.currency"))?;
        let paid_at = transaction.success_time.as_deref().ok_or_else(|| missing("success_time"))?;
        Ok(Payment {
            provider: Provider::Wechat,
            out_trade_no: transaction.out_trade_no.clone(),
            provider_trade_no: transaction.transaction_id.clone().ok_or_else(|| missing("transaction_id"))?,
            amount: Money { amount: Fen::new(total)?, currency: Currency::parse(currency) },
            paid_at: parse_time(operation, paid_at)?,
        })
    };
    Ok(match transaction.trade_state.as_str() {
        "SUCCESS" => TradeState::Paid(payment()?),
        "REFUND" => TradeState::Refunded(payment()?),
        "NOTPAY" => TradeState::AwaitingPayment,
        "USERPAYING" => TradeState::Paying,
        "CLOSED" | "REVOKED" => TradeState::Closed,
        "PAYERROR" => {
            TradeState::Failed { reason: format!("PAYERROR {}", transaction.trade_state_desc.as_deref().unwrap_or("")) }
        }
        other => {
            return Err(PayError::MalformedResponse { operation, detail: format!("trade_state {other:?}") });
        }
    })
}

/// A refund as an answer (refund, refund query) states it.
fn refund_answer(operation: &'static str, refund: &wire::Refund) -> Result<RefundStatus, PayError> {
    refund_status(
        operation,
        &refund.out_trade_no,
        &refund.out_refund_no,
        &refund.refund_id,
        &refund.status,
        refund.success_time.as_deref(),
        &refund.amount,
    )
}

fn refund_status(
    operation: &'static str,
    out_trade_no: &str,
    out_refund_no: &str,
    refund_id: &str,
    status: &str,
    success_time: Option<&str>,
    amount: &wire::RefundAmount,
) -> Result<RefundStatus, PayError> {
    let state = match status {
        "SUCCESS" => RefundState::Succeeded { at: success_time.map(|t| parse_time(operation, t)).transpose()? },
        "PROCESSING" => RefundState::Processing,
        "CLOSED" | "ABNORMAL" => RefundState::Failed { reason: status.to_owned() },
        other => return Err(PayError::MalformedResponse { operation, detail: format!("refund status {other:?}") }),
    };
    let currency = amount.currency.as_deref().map_or(Currency::Cny, Currency::parse);
    Ok(RefundStatus {
        provider: Provider::Wechat,
        out_trade_no: out_trade_no.to_owned(),
        out_refund_no: out_refund_no.to_owned(),
        provider_refund_no: Some(refund_id.to_owned()),
        amount: Money { amount: Fen::new(amount.refund)?, currency },
        state,
    })
}

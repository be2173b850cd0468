//! What the server passes in and gets back, the same for every provider.

use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::PayError;
use crate::money::{Currency, Fen, Money};

/// China Standard Time, in which Alipay and UnionPay write their times.
pub fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The three providers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// WeChat Pay API v3 (微信支付).
    Wechat,
    /// Alipay open platform (支付宝).
    Alipay,
    /// UnionPay online payment, 全渠道 gateway (银联在线支付).
    #[serde(rename = "unionpay")]
    UnionPay,
}

impl Provider {
    /// All three, in a fixed order.
    pub const ALL: [Provider; 3] = [Provider::Wechat, Provider::Alipay, Provider::UnionPay];

    /// `wechat`, `alipay`, `unionpay`: the name in configuration, URLs and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Wechat => "wechat",
            Provider::Alipay => "alipay",
            Provider::UnionPay => "unionpay",
        }
    }

    /// The answer that tells the provider its notification was received and need not be sent
    /// again. Send it only once what the notification says is committed.
    pub fn ack_received(self) -> Ack {
        match self {
            // 接收成功：HTTP 应答状态码需返回 200 或 204，无需返回应答报文。
            Provider::Wechat => Ack { status: 204, content_type: "text/plain", body: "" },
            // 程序执行完后必须打印输出 "success"（不包含引号）。
            Provider::Alipay => Ack { status: 200, content_type: "text/plain", body: "success" },
            // 商户返回码为 200 时，银联判定为通知成功。
            Provider::UnionPay => Ack { status: 200, content_type: "text/plain", body: "ok" },
        }
    }

    /// The answer that makes the provider send the notification again later: for a notification
    /// that did not verify, or one that could not be committed.
    pub fn ack_rejected(self) -> Ack {
        match self {
            Provider::Wechat => {
                Ack { status: 500, content_type: "application/json", body: r#"{"code":"FAIL","message":"失败"}"# }
            }
            Provider::Alipay => Ack { status: 200, content_type: "text/plain", body: "failure" },
            Provider::UnionPay => Ack { status: 500, content_type: "text/plain", body: "fail" },
        }
    }
}

/// The HTTP answer to an asynchronous notification, in the provider's expected form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Body.
    pub body: &'static str,
}

/// How the person pays: the provider and its product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PayMethod {
    /// WeChat Pay Native: a `weixin://` code shown as a QR code, scanned in WeChat.
    WechatNative,
    /// WeChat Pay JSAPI: paid inside WeChat's browser or an official account by the payer with
    /// this `openid` (for the merchant's `appid`).
    WechatJsapi {
        /// The payer's openid.
        openid: String,
    },
    /// Alipay face-to-face (`alipay.trade.precreate`): a QR code scanned in Alipay.
    AlipayQr,
    /// Alipay computer-website pay (`alipay.trade.page.pay`): a redirect to Alipay's cashier.
    AlipayPage {
        /// Where Alipay sends the person back (only a courtesy: the notification decides).
        return_url: Url,
    },
    /// UnionPay gateway consume (`frontTransReq.do`, bizType 000201): an automatically submitted
    /// form that takes the person to UnionPay's card pages.
    UnionPayGateway {
        /// Where UnionPay sends the person back (`frontUrl`; again only a courtesy).
        front_url: Url,
    },
}

impl PayMethod {
    /// The provider that serves this method.
    pub fn provider(&self) -> Provider {
        match self {
            PayMethod::WechatNative | PayMethod::WechatJsapi { .. } => Provider::Wechat,
            PayMethod::AlipayQr | PayMethod::AlipayPage { .. } => Provider::Alipay,
            PayMethod::UnionPayGateway { .. } => Provider::UnionPay,
        }
    }
}

/// A payment order for the server's own figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    /// The merchant's order number: 8 to 32 ASCII letters and digits (the one format all three
    /// providers accept). Unique per order; repeating it repeats the same order.
    pub out_trade_no: String,
    /// The amount in yuan: the server's figure, a whole number of fen.
    pub amount: Decimal,
    /// What is bought, as the payer sees it (at most 127 characters).
    pub description: String,
    /// After this the order cannot be paid (WeChat `time_expire`, Alipay `time_expire`, UnionPay
    /// `payTimeout`).
    pub expires_at: DateTime<Utc>,
    /// How the person pays.
    pub method: PayMethod,
}

impl OrderRequest {
    /// The checks every provider needs, before anything is sent.
    pub(crate) fn validate(&self) -> Result<Fen, PayError> {
        check_order_number("out_trade_no", &self.out_trade_no)?;
        let chars = self.description.chars().count();
        if chars == 0 || chars > 127 || self.description.chars().any(char::is_control) {
            return Err(PayError::InvalidRequest {
                field: "description",
                rule: "1 to 127 characters, no control characters",
            });
        }
        Ok(Fen::from_yuan(self.amount)?)
    }
}

/// 8 to 32 ASCII letters and digits: WeChat allows 6–32 of `[0-9A-Za-z_|*-]`, Alipay up to 64 of
/// letters, digits and underscores, UnionPay 8–32 letters and digits.
pub(crate) fn check_order_number(field: &'static str, value: &str) -> Result<(), PayError> {
    if !(8..=32).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(PayError::InvalidRequest { field, rule: "8 to 32 ASCII letters and digits" });
    }
    Ok(())
}

/// An order the provider has accepted (or, for UnionPay, a signed form it will accept), and what
/// the page must do for the person to pay it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedOrder {
    /// The provider.
    pub provider: Provider,
    /// Which order, and when it was placed: keep it, [`crate::Gateway::query_order`] and
    /// [`crate::Gateway::close_order`] need it (UnionPay keys orders by number *and* time).
    pub order: OrderRef,
    /// The amount asked for.
    pub amount: Money,
    /// When it stops being payable.
    pub expires_at: DateTime<FixedOffset>,
    /// What the page shows or does.
    pub action: PayAction,
}

/// Identifies an order at its provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRef {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// When the order was placed, as sent to the provider (UnionPay `txnTime`).
    pub placed_at: DateTime<FixedOffset>,
}

/// What the page does so that the person can pay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PayAction {
    /// Show this text as a QR code (WeChat `code_url`, Alipay `qr_code`).
    QrCode {
        /// The QR code's content.
        content: String,
    },
    /// Call `WeixinJSBridge.invoke('getBrandWCPayRequest', params)` with these parameters.
    Jsapi(JsapiParams),
    /// Send the browser to this URL (Alipay page pay, `GET`).
    Redirect {
        /// The signed URL.
        url: String,
    },
    /// Submit this form from the browser (UnionPay `frontTransReq.do`, `POST`).
    AutoPostForm {
        /// The form's action URL.
        action: String,
        /// The fields, signed, in order.
        fields: Vec<(String, String)>,
    },
}

/// The parameters of WeChat's `getBrandWCPayRequest`, signed with the merchant key over
/// `appId\ntimeStamp\nnonceStr\npackage\n`. Field names as WeChat's JS bridge wants them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsapiParams {
    /// The merchant's appid.
    pub app_id: String,
    /// Seconds since the epoch, as text.
    pub time_stamp: String,
    /// Random text.
    pub nonce_str: String,
    /// `prepay_id=…`.
    pub package: String,
    /// Always `RSA`.
    pub sign_type: String,
    /// base64 SHA256withRSA signature.
    pub pay_sign: String,
}

/// What the provider says about an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStatus {
    /// The provider.
    pub provider: Provider,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Its state.
    pub state: TradeState,
}

/// The state of an order at its provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TradeState {
    /// The provider has no such order. Alipay creates a precreated trade only when its code is
    /// scanned; a UnionPay gateway order exists only once the form was submitted.
    NotFound,
    /// Created, not paid (WeChat `NOTPAY`, Alipay `WAIT_BUYER_PAY`, UnionPay `03`/`04`/`05`).
    AwaitingPayment,
    /// The payer is entering a password or the bank is deciding (WeChat `USERPAYING`).
    Paying,
    /// Paid (WeChat `SUCCESS`, Alipay `TRADE_SUCCESS`/`TRADE_FINISHED`, UnionPay `origRespCode` 00).
    Paid(Payment),
    /// Paid, then (partly or wholly) refunded (WeChat `REFUND`).
    Refunded(Payment),
    /// Closed unpaid, or (Alipay `TRADE_CLOSED`) closed after a full refund.
    Closed,
    /// The payment failed (WeChat `PAYERROR`, UnionPay another `origRespCode`).
    Failed {
        /// The provider's code and message.
        reason: String,
    },
}

/// A payment as the provider reports it (in a notification or a query).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The provider.
    pub provider: Provider,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The provider's transaction number (WeChat `transaction_id`, Alipay `trade_no`, UnionPay
    /// `queryId`): refunds name it.
    pub provider_trade_no: String,
    /// The order amount the provider collected.
    pub amount: Money,
    /// When it was paid (the provider's time, with its offset).
    pub paid_at: DateTime<FixedOffset>,
}

/// How a reported payment differs from the order the server made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum Mismatch {
    /// For another order number.
    #[error("payment for order {reported}, expected {expected}")]
    OrderNumber {
        /// The server's order number.
        expected: String,
        /// The reported one.
        reported: String,
    },
    /// Another amount.
    #[error("payment of {reported}, expected {expected}")]
    Amount {
        /// The server's amount.
        expected: Fen,
        /// The reported amount.
        reported: Fen,
    },
    /// The server's own amount is not a whole number of fen (a bug upstream: the order could not
    /// have been made for it).
    #[error("the expected amount {expected} is not a whole number of fen")]
    ExpectedNotFen {
        /// The server's amount.
        expected: String,
    },
    /// Another currency.
    #[error("payment in {reported}, expected CNY")]
    Currency {
        /// The reported currency.
        reported: String,
    },
}

impl Payment {
    /// Checks the payment against the order the server made (its number and its own amount in
    /// yuan). A mismatch must not issue anything: refuse, flag, and leave it to a person.
    pub fn reconcile(&self, out_trade_no: &str, amount: Decimal) -> Result<(), Mismatch> {
        if self.out_trade_no != out_trade_no {
            return Err(Mismatch::OrderNumber {
                expected: out_trade_no.to_owned(),
                reported: self.out_trade_no.clone(),
            });
        }
        if self.amount.currency != Currency::Cny {
            return Err(Mismatch::Currency { reported: self.amount.currency.code().to_owned() });
        }
        let expected = Fen::from_yuan(amount)
            .map_err(|_| Mismatch::Amount { expected: Fen::new(1).expect("1 fen"), reported: self.amount.amount })?;
        if self.amount.amount != expected {
            return Err(Mismatch::Amount { expected, reported: self.amount.amount });
        }
        Ok(())
    }
}

/// A refund of (part of) a paid order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// The order's number.
    pub out_trade_no: String,
    /// The provider's transaction number from the [`Payment`] (UnionPay refunds by it).
    pub provider_trade_no: String,
    /// The merchant's refund number: 8 to 32 ASCII letters and digits, unique per refund;
    /// repeating it repeats the same refund.
    pub out_refund_no: String,
    /// The amount to refund, in yuan.
    pub amount: Decimal,
    /// The order's whole amount, in yuan (WeChat Pay wants it).
    pub order_amount: Decimal,
    /// Why (shown to the payer by WeChat Pay and Alipay), at most 80 characters.
    pub reason: String,
    /// When the server first asked for this refund (its own clock). UnionPay keys a refund by its
    /// number *and* this time (`txnTime`): a retry or a query must send the same one, so the
    /// server stores it with the refund.
    pub requested_at: DateTime<FixedOffset>,
}

impl RefundRequest {
    /// This refund as `provider` reports it: its number for the refund (if it gave one), the amount
    /// in yuan and the state.
    pub fn reported(
        &self,
        provider: Provider,
        provider_refund_no: Option<String>,
        amount: Fen,
        state: RefundState,
    ) -> RefundStatus {
        RefundStatus {
            provider,
            out_trade_no: self.out_trade_no.clone(),
            out_refund_no: self.out_refund_no.clone(),
            provider_refund_no,
            amount: Money::cny(amount),
            state,
        }
    }
}

/// A refund as the provider reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundStatus {
    /// The provider.
    pub provider: Provider,
    /// The order's number.
    pub out_trade_no: String,
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// The provider's refund number, where it has one (WeChat `refund_id`, UnionPay `queryId`).
    pub provider_refund_no: Option<String>,
    /// The amount refunded.
    pub amount: Money,
    /// Where it stands.
    pub state: RefundState,
}

/// Where a refund stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RefundState {
    /// The provider has no such refund ([`crate::Gateway::query_refund`] only): it was never
    /// accepted, so asking again with the same number is safe.
    NotFound,
    /// Accepted, not yet final: a notification (WeChat, UnionPay) or a later query tells.
    Processing,
    /// Money returned.
    Succeeded {
        /// When, if the provider says.
        at: Option<DateTime<FixedOffset>>,
    },
    /// Closed or abnormal (WeChat `CLOSED`/`ABNORMAL`): needs a person.
    Failed {
        /// The provider's status.
        reason: String,
    },
}

/// The outcome of closing an unpaid order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseOutcome {
    /// Closed: it can no longer be paid.
    Closed,
    /// Already paid: not closed. Query it and record the payment.
    AlreadyPaid,
    /// The provider holds no trade to close (Alipay: the code was never scanned; UnionPay gateway
    /// orders have no close and end at their `payTimeout`). It stays payable until the
    /// `expires_at` it was made with: query it after that before treating it as unpaid.
    NotAtProvider,
}

/// A verified, decrypted asynchronous notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The provider.
    pub provider: Provider,
    /// A stable id: the same for every delivery (retry or duplicate) of the same event, different
    /// for different events. Built from the event's own content (provider, transaction or refund
    /// number, state), so it holds whatever the provider does with its own notification ids.
    pub id: String,
    /// The provider's own notification id, where it sends one (WeChat `id`, Alipay `notify_id`),
    /// for logs.
    pub provider_notify_id: Option<String>,
    /// What happened.
    pub event: NoticeEvent,
}

/// What a notification says happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum NoticeEvent {
    /// Paid. Reconcile it ([`Payment::reconcile`]) before issuing anything.
    Paid(Payment),
    /// A refund advanced.
    Refund(RefundStatus),
    /// The trade closed (Alipay `TRADE_CLOSED`).
    Closed {
        /// The order's number.
        out_trade_no: String,
    },
    /// The payment failed (UnionPay `respCode` other than 00).
    PaymentFailed {
        /// The order's number.
        out_trade_no: String,
        /// The provider's code and message.
        reason: String,
    },
}

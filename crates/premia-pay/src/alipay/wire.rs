//! Alipay open platform messages (`alipay.trade.precreate`, `alipay.trade.page.pay`,
//! `alipay.trade.query`, `alipay.trade.refund`, `alipay.trade.close`, 异步通知) as the API reference
//! writes them. Amounts are yuan text with two decimals; times `yyyy-MM-dd HH:mm:ss` in China time.

use serde::{Deserialize, Serialize};

/// The time format of every Alipay field.
pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// `biz_content` of `alipay.trade.precreate` and `alipay.trade.page.pay`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayContent {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Yuan, two decimals.
    pub total_amount: String,
    /// What is bought.
    pub subject: String,
    /// `FAST_INSTANT_TRADE_PAY` for page pay (precreate leaves it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    /// Absolute expiry.
    pub time_expire: String,
}

/// `biz_content` naming an order (query, close).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderContent {
    /// The merchant's order number.
    pub out_trade_no: String,
}

/// `biz_content` of `alipay.trade.refund`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundContent {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// Yuan, two decimals.
    pub refund_amount: String,
    /// The refund's number (标识一次退款请求).
    pub out_request_no: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_reason: Option<String>,
}

/// The fields every response member carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `10000` for success.
    pub code: String,
    /// Message.
    pub msg: String,
    /// The business error (`ACQ.TRADE_NOT_EXIST`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_code: Option<String>,
    /// Its message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_msg: Option<String>,
}

/// What every response about a trade starts with: the status and the trade's two numbers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    /// Status.
    #[serde(flatten)]
    pub status: Status,
    /// Alipay's trade number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_no: Option<String>,
    /// The order's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
}

/// `alipay_trade_precreate_response`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrecreateResponse {
    /// Status.
    #[serde(flatten)]
    pub status: Status,
    /// The order's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_trade_no: Option<String>,
    /// The QR code's content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code: Option<String>,
}

/// `alipay_trade_query_response`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryResponse {
    /// The status and the trade's numbers.
    #[serde(flatten)]
    pub trade: Trade,
    /// `WAIT_BUYER_PAY`, `TRADE_CLOSED`, `TRADE_SUCCESS`, `TRADE_FINISHED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_status: Option<String>,
    /// Yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_amount: Option<String>,
    /// The trade's currency, when not CNY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_currency: Option<String>,
    /// When the payment was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_pay_date: Option<String>,
    /// The payer's masked login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_logon_id: Option<String>,
}

/// `alipay_trade_refund_response`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundResponse {
    /// The status and the trade's numbers.
    #[serde(flatten)]
    pub trade: Trade,
    /// `Y` if this call moved money (`N` on a repeated request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fund_change: Option<String>,
    /// Total refunded so far on the trade, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_fee: Option<String>,
    /// When the refund was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmt_refund_pay: Option<String>,
}

/// `alipay_trade_close_response`: the trade alone.
pub type CloseResponse = Trade;

/// `biz_content` of `alipay.trade.fastpay.refund.query`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundQueryContent {
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The refund's number.
    pub out_request_no: String,
}

/// `alipay_trade_fastpay_refund_query_response`: without `refund_amount` the refund does not
/// exist (was never accepted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundQueryResponse {
    /// The status and the trade's numbers.
    #[serde(flatten)]
    pub trade: Trade,
    /// The refund's number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_request_no: Option<String>,
    /// Refunded by this request, yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_amount: Option<String>,
    /// `REFUND_SUCCESS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_status: Option<String>,
    /// When the refund was paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gmt_refund_pay: Option<String>,
}

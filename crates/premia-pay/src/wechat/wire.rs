//! WeChat Pay API v3 messages as the API reference writes them (直连商户: JSAPI/Native 下单,
//! 查询订单, 关闭订单, 申请退款, 支付成功回调, 退款结果回调). Unknown fields in answers are ignored:
//! WeChat Pay adds fields without notice.

use serde::{Deserialize, Serialize};

/// `POST /v3/pay/transactions/native` and `/jsapi`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepayRequest {
    /// The merchant's appid.
    pub appid: String,
    /// The merchant id.
    pub mchid: String,
    /// What is bought.
    pub description: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// RFC 3339, e.g. `2018-06-08T10:34:56+08:00`.
    pub time_expire: String,
    /// Where the notification goes.
    pub notify_url: String,
    /// Amount.
    pub amount: OrderAmount,
    /// JSAPI only: the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
}

/// `amount` of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderAmount {
    /// Fen.
    pub total: u64,
    /// `CNY`.
    pub currency: String,
}

/// `payer`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    /// The payer's openid under the appid.
    pub openid: String,
}

/// Native prepay answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NativePrepay {
    /// `weixin://wxpay/bizpayurl?pr=…`, shown as a QR code.
    pub code_url: String,
}

/// JSAPI prepay answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsapiPrepay {
    /// Valid for two hours.
    pub prepay_id: String,
}

/// An order as `GET /v3/pay/transactions/out-trade-no/{out_trade_no}` and the payment
/// notification's decrypted resource write it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// appid.
    pub appid: String,
    /// mchid.
    pub mchid: String,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// WeChat's transaction number (absent until paid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// `NATIVE`, `JSAPI`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_type: Option<String>,
    /// `SUCCESS`, `REFUND`, `NOTPAY`, `CLOSED`, `REVOKED`, `USERPAYING`, `PAYERROR`.
    pub trade_state: String,
    /// Description of the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_state_desc: Option<String>,
    /// Paying bank.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_type: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    /// The payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer: Option<Payer>,
    /// Amounts (absent for unpaid orders in some answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<TransactionAmount>,
}

/// `amount` of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionAmount {
    /// Order total, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// What the payer paid, fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_total: Option<u64>,
    /// `CNY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The payer's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payer_currency: Option<String>,
}

/// `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseRequest {
    /// mchid.
    pub mchid: String,
}

/// `POST /v3/refund/domestic/refunds`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// The order's number.
    pub out_trade_no: String,
    /// The refund's number.
    pub out_refund_no: String,
    /// Shown to the payer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where the refund notification goes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify_url: Option<String>,
    /// Amounts.
    pub amount: RefundAmountRequest,
}

/// `amount` of a refund request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAmountRequest {
    /// Fen to refund.
    pub refund: u64,
    /// The order's total, fen.
    pub total: u64,
    /// `CNY`.
    pub currency: String,
}

/// A refund as the refund call answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// WeChat's refund number.
    pub refund_id: String,
    /// The refund's number.
    pub out_refund_no: String,
    /// WeChat's transaction number.
    pub transaction_id: String,
    /// The order's number.
    pub out_trade_no: String,
    /// `SUCCESS`, `CLOSED`, `PROCESSING`, `ABNORMAL`.
    pub status: String,
    /// RFC 3339, when successful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// Amounts.
    pub amount: RefundAmount,
}

/// `amount` of a refund answer or notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundAmount {
    /// The order's total, fen.
    pub total: u64,
    /// Refunded, fen.
    pub refund: u64,
    /// `CNY` (absent in notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// The refund notification's decrypted resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundNotice {
    /// mchid.
    pub mchid: String,
    /// The order's number.
    pub out_trade_no: String,
    /// WeChat's transaction number.
    pub transaction_id: String,
    /// The refund's number.
    pub out_refund_no: String,
    /// WeChat's refund number.
    pub refund_id: String,
    /// `SUCCESS`, `CLOSED`, `ABNORMAL`.
    pub refund_status: String,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_time: Option<String>,
    /// Amounts.
    pub amount: RefundAmount,
}

/// An error answer (4xx, 5xx).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// e.g. `ORDER_NOT_EXIST`, `SYSTEM_ERROR`.
    pub code: String,
    /// Description.
    pub message: String,
}

/// A notification's body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The notification's id.
    pub id: String,
    /// RFC 3339.
    pub create_time: String,
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`.
    pub event_type: String,
    /// `encrypt-resource`.
    pub resource_type: String,
    /// The encrypted resource.
    pub resource: EncryptedResource,
    /// Summary.
    #[serde(default)]
    pub summary: String,
}

/// The encrypted resource of a notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedResource {
    /// `AEAD_AES_256_GCM`.
    pub algorithm: String,
    /// base64 ciphertext with the tag appended.
    pub ciphertext: String,
    /// Associated data (may be absent, meaning empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associated_data: Option<String>,
    /// `transaction` or `refund`.
    pub original_type: String,
    /// 12 characters.
    pub nonce: String,
}

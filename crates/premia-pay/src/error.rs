//! Typed outcomes of calls that did not succeed. Each variant says what the server should do
//! (README, "What the server must do with each outcome").

use crate::money::AmountError;

/// A call to a provider (create, query, close, refund) that did not produce its result.
#[derive(Debug, thiserror::Error)]
pub enum PayError {
    /// The request breaks a rule before anything is sent: nothing happened at the provider.
    #[error("{field}: {rule}")]
    InvalidRequest {
        /// The request field.
        field: &'static str,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// The amount cannot be carried exactly: nothing happened at the provider.
    #[error(transparent)]
    Amount(#[from] AmountError),
    /// No answer within the timeout. The provider may or may not have acted: query (or repeat
    /// the same request — the providers treat a repeated `out_trade_no` / `out_refund_no` as
    /// the same operation) before doing anything else.
    #[error("{operation}: no answer from the provider within the timeout; the outcome is unknown")]
    Timeout {
        /// The operation (`create`, `query`, `close`, `refund`).
        operation: &'static str,
    },
    /// The connection failed or broke. Treated like [`PayError::Timeout`]: the outcome is unknown.
    #[error("{operation}: transport failed: {message}")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// What failed.
        message: String,
    },
    /// The answer is not signed by the provider's key (or the signature is missing). It is
    /// ignored: its content may be forged. Flag it; retry later.
    #[error("{operation}: the provider's answer does not carry a valid signature")]
    BadResponseSignature {
        /// The operation.
        operation: &'static str,
    },
    /// The answer is signed but is not in the provider's documented format.
    #[error("{operation}: malformed answer: {detail}")]
    MalformedResponse {
        /// The operation.
        operation: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// The provider refused, with its own code (e.g. WeChat `ORDER_CLOSED`, Alipay
    /// `ACQ.TRADE_HAS_SUCCESS`, UnionPay `respCode` 12).
    #[error("{operation}: refused by the provider: {code} {message}")]
    Rejected {
        /// The operation.
        operation: &'static str,
        /// HTTP status, where the provider uses it (WeChat Pay).
        http_status: Option<u16>,
        /// The provider's code (WeChat `code`, Alipay `sub_code` or `code`, UnionPay `respCode`).
        code: String,
        /// The provider's message.
        message: String,
        /// Whether the provider documents the code as temporary (system busy, frequency limit).
        retryable: bool,
    },
}

impl PayError {
    /// Whether the same call may be repeated as it is: the outcome is unknown or the provider
    /// said it was busy. Every other error needs a different request or a person.
    pub fn is_retryable(&self) -> bool {
        match self {
            PayError::Timeout { .. } | PayError::Transport { .. } | PayError::BadResponseSignature { .. } => true,
            PayError::Rejected { retryable, .. } => *retryable,
            PayError::InvalidRequest { .. } | PayError::Amount(_) | PayError::MalformedResponse { .. } => false,
        }
    }

    /// A stable code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            PayError::InvalidRequest { .. } => "invalid_request",
            PayError::Amount(_) => "amount",
            PayError::Timeout { .. } => "timeout",
            PayError::Transport { .. } => "transport",
            PayError::BadResponseSignature { .. } => "bad_response_signature",
            PayError::MalformedResponse { .. } => "malformed_response",
            PayError::Rejected { .. } => "rejected",
        }
    }
}

/// An asynchronous notification that is not a genuine, readable message from the provider.
/// Answer it with the provider's rejection ([`crate::Provider::ack_rejected`]) and change nothing:
/// a genuine one is retried by the provider.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// A header or field the provider always sends is missing.
    #[error("notification without {0}")]
    Missing(&'static str),
    /// The signature does not verify with the provider's key: forged or altered.
    #[error("notification signature does not verify")]
    BadSignature,
    /// Signed by a key this merchant does not know (WeChat Pay `Wechatpay-Serial`).
    #[error("notification signed by unknown key {serial:?}")]
    UnknownKey {
        /// The key id the notification names.
        serial: String,
    },
    /// Signed too long ago (or in the future): a replay. WeChat Pay allows five minutes.
    #[error("notification timestamp {timestamp} is more than five minutes from now")]
    StaleTimestamp {
        /// The timestamp the notification carries.
        timestamp: i64,
    },
    /// The encrypted resource does not decrypt under the APIv3 key (altered, or another key).
    #[error("notification resource does not decrypt")]
    Decrypt,
    /// The certificate that signed it is not issued by the provider's configured roots
    /// (UnionPay), or has expired, or names another signer.
    #[error("notification certificate refused: {0}")]
    Certificate(String),
    /// Addressed to another merchant or app (`mchid`, `appid`, `app_id`, `seller_id`, `merId`).
    #[error("notification for another merchant: {field} = {value:?}")]
    WrongMerchant {
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// Genuine, but not in the documented format.
    #[error("malformed notification: {0}")]
    Malformed(String),
    /// Genuine, well-formed, but an event this adapter does not handle. Acknowledge it (the
    /// provider would otherwise retry it for a day) and log it.
    #[error("notification of unhandled kind {0:?}")]
    Unhandled(String),
}

impl NotifyError {
    /// A stable code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            NotifyError::Missing(_) => "missing",
            NotifyError::BadSignature => "bad_signature",
            NotifyError::UnknownKey { .. } => "unknown_key",
            NotifyError::StaleTimestamp { .. } => "stale_timestamp",
            NotifyError::Decrypt => "decrypt",
            NotifyError::Certificate(_) => "certificate",
            NotifyError::WrongMerchant { .. } => "wrong_merchant",
            NotifyError::Malformed(_) => "malformed",
            NotifyError::Unhandled(_) => "unhandled",
        }
    }
}

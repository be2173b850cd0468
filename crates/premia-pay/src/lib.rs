//! Payment provider adapters: WeChat Pay API v3, Alipay open platform and UnionPay online payment
//! behind one [`Gateway`], with typed outcomes the server acts on. README.md describes the
//! adapters, the configuration file, and what the server must do with each outcome.
//!
//! # Code map
//!
//! - [`money`] — `Decimal` yuan ↔ integer fen, exact or refused; the providers' amount texts.
//! - [`model`] — what goes in (orders, refunds) and comes out (created orders, states, payments,
//!   notices, acknowledgements), the same for every provider.
//! - [`error`] — [`PayError`] for calls, [`NotifyError`] for notifications.
//! - [`keys`] — RSA keys and SHA256withRSA, the signature all three providers use.
//! - [`config`] — the merchant configuration file (TOML, mode 0600) and the key files it names.
//! - [`http`] — the HTTPS client (hyper over rustls on ring, webpki roots, timeouts, no redirects).
//! - [`wechat`], [`alipay`], [`unionpay`] — one module per provider: `sign` (its signatures, with
//!   the provider's published test vectors), `wire` (its messages), and the adapter.
//!
//! **Architecture Invariant:** an adapter never decides an amount: it carries the server's figure
//! to the provider exactly (or refuses it) and reports the provider's figure exactly; comparing
//! the two is [`Payment::reconcile`], which the server calls.
//!
//! **Architecture Invariant:** nothing from a provider is believed before its signature verifies
//! (responses included); a notification is read only after verification and decryption.
//!
//! **Architecture Invariant:** the adapters hold no state: idempotency and exactly-once issue are
//! the server's, keyed on [`Notice::id`] and the order number.

pub mod alipay;
pub mod config;
pub mod error;
pub mod http;
pub mod keys;
pub mod model;
pub mod money;
pub mod unionpay;
pub mod wechat;

pub use config::{ConfigError, PaymentsConfig};
pub use error::{NotifyError, PayError};
pub use model::{
    Ack, CloseOutcome, CreatedOrder, JsapiParams, Mismatch, Notice, NoticeEvent, OrderRef, OrderRequest, OrderStatus,
    PayAction, PayMethod, Payment, Provider, RefundRequest, RefundState, RefundStatus, TradeState,
};
pub use money::{AmountError, Currency, Fen, Money};

/// One provider's adapter. The server holds one per configured provider ([`Payments`]) and calls
/// these methods; each provider's own methods are on its type.
#[derive(Clone, Debug)]
pub enum Gateway {
    /// WeChat Pay.
    Wechat(wechat::WechatPay),
    /// Alipay.
    Alipay(alipay::Alipay),
    /// UnionPay (boxed: its certificates make it the largest).
    UnionPay(Box<unionpay::UnionPay>),
}

impl Gateway {
    /// Which provider.
    pub fn provider(&self) -> Provider {
        match self {
            Gateway::Wechat(_) => Provider::Wechat,
            Gateway::Alipay(_) => Provider::Alipay,
            Gateway::UnionPay(_) => Provider::UnionPay,
        }
    }

    /// Creates a payment order for the server's own amount. The request's method must be this
    /// provider's.
    pub async fn create_order(&self, request: &OrderRequest) -> Result<CreatedOrder, PayError> {
        if request.method.provider() != self.provider() {
            return Err(PayError::InvalidRequest { field: "method", rule: "a method of this gateway's provider" });
        }
        match self {
            Gateway::Wechat(g) => g.create_order(request).await,
            Gateway::Alipay(g) => g.create_order(request).await,
            Gateway::UnionPay(g) => g.create_order(request),
        }
    }

    /// Asks the provider where an order stands (for orders whose notification has not come).
    pub async fn query_order(&self, order: &OrderRef) -> Result<OrderStatus, PayError> {
        match self {
            Gateway::Wechat(g) => g.query_order(order).await,
            Gateway::Alipay(g) => g.query_order(order).await,
            Gateway::UnionPay(g) => g.query_order(order).await,
        }
    }

    /// Closes an unpaid order (expired, or replaced by a new one).
    pub async fn close_order(&self, order: &OrderRef) -> Result<CloseOutcome, PayError> {
        match self {
            Gateway::Wechat(g) => g.close_order(order).await,
            Gateway::Alipay(g) => g.close_order(order).await,
            Gateway::UnionPay(g) => g.close_order(order).await,
        }
    }

    /// Refunds (part of) a paid order through the provider.
    pub async fn refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        match self {
            Gateway::Wechat(g) => g.refund(request).await,
            Gateway::Alipay(g) => g.refund(request).await,
            Gateway::UnionPay(g) => g.refund(request).await,
        }
    }

    /// Asks the provider where a refund stands (for refunds whose notification has not come), with
    /// the same request the refund was made with.
    pub async fn query_refund(&self, request: &RefundRequest) -> Result<RefundStatus, PayError> {
        match self {
            Gateway::Wechat(g) => g.query_refund(request).await,
            Gateway::Alipay(g) => g.query_refund(request).await,
            Gateway::UnionPay(g) => g.query_refund(request).await,
        }
    }

    /// Verifies (and, for WeChat Pay, decrypts) an asynchronous notification: its headers and body
    /// exactly as received. Answer it with [`Provider::ack_received`] once its effect is committed,
    /// or [`Provider::ack_rejected`] if it did not verify or could not be committed.
    pub fn verify_notification(&self, headers: &::http::HeaderMap, body: &[u8]) -> Result<Notice, NotifyError> {
        match self {
            Gateway::Wechat(g) => g.verify_notification(headers, body),
            Gateway::Alipay(g) => g.verify_notification(body),
            Gateway::UnionPay(g) => g.verify_notification(body),
        }
    }
}

/// The gateways of every configured provider.
#[derive(Clone, Debug)]
pub struct Payments {
    gateways: Vec<Gateway>,
}

impl Payments {
    /// Gateways for a configuration, sharing one HTTP client. Every endpoint and notify URL must be
    /// HTTPS (plain HTTP only to a loopback host), however the configuration was made.
    pub fn new(config: PaymentsConfig) -> Result<Payments, ConfigError> {
        let check = http::check_endpoint;
        if let Some(c) = &config.wechat {
            check("wechat.api_base", &c.api_base)?;
            check("wechat.notify_url", &c.notify_url)?;
        }
        if let Some(c) = &config.alipay {
            check("alipay.gateway", &c.gateway)?;
            check("alipay.notify_url", &c.notify_url)?;
        }
        if let Some(c) = &config.unionpay {
            check("unionpay.gateway", &c.gateway)?;
            check("unionpay.back_url", &c.back_url)?;
        }
        let http = http::HttpClient::new(config.timeout)?;
        let mut gateways = Vec::new();
        if let Some(c) = config.wechat {
            gateways.push(Gateway::Wechat(wechat::WechatPay::new(c, http.clone())));
        }
        if let Some(c) = config.alipay {
            gateways.push(Gateway::Alipay(alipay::Alipay::new(c, http.clone())));
        }
        if let Some(c) = config.unionpay {
            gateways.push(Gateway::UnionPay(Box::new(unionpay::UnionPay::new(c, http))));
        }
        Ok(Payments { gateways })
    }

    /// Reads the configuration file at `path` (see [`PaymentsConfig::load`]).
    pub fn load(path: &std::path::Path) -> Result<Payments, ConfigError> {
        Payments::new(PaymentsConfig::load(path)?)
    }

    /// The gateway of `provider`, if configured.
    pub fn gateway(&self, provider: Provider) -> Option<&Gateway> {
        self.gateways.iter().find(|g| g.provider() == provider)
    }

    /// The configured providers.
    pub fn providers(&self) -> impl Iterator<Item = Provider> + '_ {
        self.gateways.iter().map(Gateway::provider)
    }

    /// The origins a payer's browser posts a form to ([`PayAction::AutoPostForm`]: UnionPay's gateway),
    /// which the page's `form-action` policy must allow. Alipay's page pay is a redirect and WeChat's a
    /// QR code or the JS bridge: neither posts a form from the page.
    pub fn form_origins(&self) -> Vec<String> {
        self.gateways
            .iter()
            .filter_map(|gateway| match gateway {
                Gateway::UnionPay(g) => Some(g.gateway_origin()),
                Gateway::Wechat(_) | Gateway::Alipay(_) => None,
            })
            .collect()
    }
}

//! The simulated providers' books: orders, refunds, the failure mode each order shows, and every
//! notification delivery attempt.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use premia_pay::{Fen, Provider};
use serde::{Deserialize, Serialize};

/// A failure mode an order can be told to show (admin `POST /sim/admin/faults`, or
/// `--fault` for every order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The payment notification is delivered once more after it was acknowledged.
    DuplicateNotification,
    /// The notification is sent at payment, but the first query after it still says unpaid.
    NotifyBeforeQuery,
    /// Notification and query report one fen more than the order was for.
    WrongAmount,
    /// Every notification carries a signature that does not verify.
    BadSignature,
    /// The first API call for the order (create; query for page-pay and UnionPay orders) is
    /// answered only after the slow delay, although it takes effect at once; the notification is
    /// sent only after the same delay.
    TimeoutThenLateSuccess,
    /// No notification is ever sent; the query shows the payment.
    NeverNotify,
}

impl Fault {
    /// Every failure mode.
    pub const ALL: [Fault; 6] = [
        Fault::DuplicateNotification,
        Fault::NotifyBeforeQuery,
        Fault::WrongAmount,
        Fault::BadSignature,
        Fault::TimeoutThenLateSuccess,
        Fault::NeverNotify,
    ];
}

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Created, not paid.
    Created,
    /// Paid.
    Paid,
    /// Closed unpaid.
    Closed,
}

/// A refund of an order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Refund {
    /// The merchant's refund number.
    pub out_refund_no: String,
    /// The simulator's refund number.
    pub refund_id: String,
    /// Amount.
    pub amount: Fen,
    /// `true` once the money is back.
    pub done: bool,
    /// When it succeeded.
    pub at: Option<DateTime<FixedOffset>>,
    /// UnionPay: the refund's own `txnTime`.
    pub txn_time: String,
    /// UnionPay: the refund's `reqReserved`, echoed in its notification.
    pub reserved: String,
}

/// An order at a simulated provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Order {
    /// Provider.
    pub provider: Provider,
    /// The merchant's order number.
    pub out_trade_no: String,
    /// The simulator's transaction number (WeChat `transaction_id`, Alipay `trade_no`, UnionPay
    /// `queryId`).
    pub trade_no: String,
    /// The token of its pay page (`/sim/pay/{token}`).
    pub token: String,
    /// Amount asked for.
    pub amount: Fen,
    /// What is bought.
    pub description: String,
    /// Where notifications go.
    pub notify_url: String,
    /// Where the browser returns (Alipay page pay, UnionPay).
    pub return_url: Option<String>,
    /// The provider's product (`NATIVE`, `JSAPI`, `precreate`, `page`, `gateway`).
    pub product: String,
    /// When created.
    pub created: DateTime<FixedOffset>,
    /// The order's own time as the merchant sent it (UnionPay `txnTime`).
    pub txn_time: String,
    /// After this it cannot be paid.
    pub expires: DateTime<FixedOffset>,
    /// State.
    pub state: OrderState,
    /// Alipay precreate: the trade exists only once the code was scanned (the pay page opened).
    pub scanned: bool,
    /// When paid.
    pub paid_at: Option<DateTime<FixedOffset>>,
    /// Refunds.
    pub refunds: Vec<Refund>,
    /// The failure mode it shows.
    pub fault: Option<Fault>,
    /// Queries left that still say unpaid ([`Fault::NotifyBeforeQuery`]).
    pub lagging_queries: u32,
    /// Whether the first slow call was made ([`Fault::TimeoutThenLateSuccess`]).
    pub slow_call_made: bool,
}

impl Order {
    /// A new, unpaid order of `provider` for `amount`, made `now` and payable until `expires`, with a
    /// fresh pay-page token and no fault. The provider's request says the rest (its numbers, texts,
    /// URLs and product): the caller sets them, `Order { trade_no, …, ..Order::created(…) }`.
    pub fn created(
        provider: Provider,
        out_trade_no: String,
        amount: Fen,
        now: DateTime<FixedOffset>,
        expires: DateTime<FixedOffset>,
    ) -> Order {
        Order {
            provider,
            out_trade_no,
            trade_no: String::new(),
            token: premia_pay::keys::nonce(24),
            amount,
            description: String::new(),
            notify_url: String::new(),
            return_url: None,
            product: String::new(),
            created: now,
            txn_time: String::new(),
            expires,
            state: OrderState::Created,
            scanned: true,
            paid_at: None,
            refunds: Vec::new(),
            fault: None,
            lagging_queries: 0,
            slow_call_made: false,
        }
    }

    /// The amount reported back: one fen more under [`Fault::WrongAmount`].
    pub fn reported_amount(&self) -> Fen {
        if self.fault == Some(Fault::WrongAmount) {
            Fen::new(self.amount.get() + 1).expect("one fen more is still an amount")
        } else {
            self.amount
        }
    }

    /// Fen refunded so far.
    pub fn refunded(&self) -> u64 {
        self.refunds.iter().map(|r| r.amount.get()).sum()
    }

    /// Whether a query now shows it paid (and consumes one lagging query if not).
    pub fn query_sees_paid(&mut self) -> bool {
        if self.state != OrderState::Paid {
            return false;
        }
        if self.lagging_queries > 0 {
            self.lagging_queries -= 1;
            return false;
        }
        true
    }
}

/// One attempt to deliver a notification.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Delivery {
    /// Provider.
    pub provider: Provider,
    /// The order.
    pub out_trade_no: String,
    /// `paid` or `refund`.
    pub kind: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The merchant's HTTP status (none if it did not answer).
    pub status: Option<u16>,
    /// Whether the answer acknowledged it in the provider's terms.
    pub acknowledged: bool,
}

/// All books.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Orders by provider and number.
    pub orders: BTreeMap<(Provider, String), Order>,
    /// Faults waiting for an order not yet created.
    pub pending_faults: BTreeMap<(Provider, String), Fault>,
    /// A fault for the next order created at a provider.
    pub next_fault: BTreeMap<Provider, Fault>,
    /// The fault for every order without its own.
    pub default_fault: Option<Fault>,
    /// Every delivery attempt.
    pub deliveries: Vec<Delivery>,
}

impl Ledger {
    /// The fault a new order gets.
    pub fn fault_for(&mut self, provider: Provider, out_trade_no: &str) -> Option<Fault> {
        self.pending_faults
            .remove(&(provider, out_trade_no.to_owned()))
            .or_else(|| self.next_fault.remove(&provider))
            .or(self.default_fault)
    }

    /// The order whose pay page has this token.
    pub fn by_token(&mut self, token: &str) -> Option<&mut Order> {
        self.orders.values_mut().find(|o| o.token == token)
    }
}

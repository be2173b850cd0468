//! Notification delivery: POST to the merchant's notify URL, retried on the configured schedule
//! until the merchant acknowledges in the provider's terms (WeChat: 2xx; Alipay: body `success`;
//! UnionPay: 200). Each attempt is built afresh from the books (WeChat signs each with a new
//! timestamp and nonce) and recorded.

use std::sync::Arc;

use premia_pay::Provider;

use crate::Sim;
use crate::ledger::{Delivery, Fault};

/// What a notification reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    /// The payment.
    Paid,
    /// A refund, by the merchant's refund number.
    Refund(String),
}

impl NoticeKind {
    fn name(&self) -> &'static str {
        match self {
            NoticeKind::Paid => "paid",
            NoticeKind::Refund(_) => "refund",
        }
    }
}

/// A notification ready to send.
#[derive(Debug)]
pub struct Message {
    /// Where to.
    pub url: String,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// Extra headers (WeChat's signature headers).
    pub headers: Vec<(&'static str, String)>,
    /// Body.
    pub body: Vec<u8>,
}

fn build(sim: &Sim, provider: Provider, out_trade_no: &str, kind: &NoticeKind) -> Option<Message> {
    let ledger = sim.ledger.lock().expect("ledger lock");
    let order = ledger.orders.get(&(provider, out_trade_no.to_owned()))?;
    let bad = order.fault == Some(Fault::BadSignature);
    match provider {
        Provider::Wechat => crate::wechat::notification(sim, order, kind, bad),
        Provider::Alipay => crate::alipay::notification(sim, order, kind, bad),
        Provider::UnionPay => crate::unionpay::notification(sim, order, kind, bad),
    }
}

fn acknowledged(provider: Provider, status: u16, body: &str) -> bool {
    match provider {
        Provider::Wechat => (200..300).contains(&status),
        Provider::Alipay => status == 200 && body.trim() == "success",
        Provider::UnionPay => status == 200,
    }
}

async fn attempt(sim: &Sim, provider: Provider, out_trade_no: &str, kind: &NoticeKind, number: u32) -> bool {
    let Some(message) = build(sim, provider, out_trade_no, kind) else { return true };
    let mut request = sim.client.post(&message.url).header("content-type", message.content_type).body(message.body);
    for (name, value) in message.headers {
        request = request.header(name, value);
    }
    let (status, acked) = match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            (Some(status), acknowledged(provider, status, &body))
        }
        Err(_) => (None, false),
    };
    sim.ledger.lock().expect("ledger lock").deliveries.push(Delivery {
        provider,
        out_trade_no: out_trade_no.to_owned(),
        kind: kind.name().to_owned(),
        attempt: number,
        status,
        acknowledged: acked,
    });
    acked
}

/// Delivers a notification in the background.
pub fn spawn(sim: Arc<Sim>, provider: Provider, out_trade_no: String, kind: NoticeKind) {
    tokio::spawn(async move {
        let fault = {
            let ledger = sim.ledger.lock().expect("ledger lock");
            ledger.orders.get(&(provider, out_trade_no.clone())).and_then(|o| o.fault)
        };
        if kind == NoticeKind::Paid && fault == Some(Fault::NeverNotify) {
            return;
        }
        if kind == NoticeKind::Paid && fault == Some(Fault::TimeoutThenLateSuccess) {
            tokio::time::sleep(sim.config.slow_delay).await;
        }
        let mut number = 0;
        let mut acked = false;
        for wait in sim.config.retry_schedule.clone() {
            tokio::time::sleep(wait).await;
            number += 1;
            if attempt(&sim, provider, &out_trade_no, &kind, number).await {
                acked = true;
                break;
            }
        }
        if acked && kind == NoticeKind::Paid && fault == Some(Fault::DuplicateNotification) {
            attempt(&sim, provider, &out_trade_no, &kind, number + 1).await;
        }
    });
}

/// A stable id for the notification of `kind` about `trade_no`: the same for every delivery.
pub fn stable_id(trade_no: &str, kind: &NoticeKind) -> String {
    use rsa::sha2::{Digest, Sha256};
    let refund = match kind {
        NoticeKind::Paid => "",
        NoticeKind::Refund(no) => no,
    };
    let digest = hex::encode(Sha256::digest(format!("{trade_no}|{}|{refund}", kind.name())));
    format!("{}-{}-{}-{}-{}", &digest[0..8], &digest[8..12], &digest[12..16], &digest[16..20], &digest[20..32])
}

//! Buying, on the server: the application's details checked by the core beside the verified quote,
//! a payment order for the server's **own** first premium at a provider (`premia_pay`), the providers'
//! notifications applied exactly once (`premia_store::purchases`), orders whose notification never
//! came found by querying, the policy issued and signed on payment, and a cooling-off cancellation
//! refunded through the provider.
//!
//! What the client is the authority for: the details it declares (names, numbers, relationships,
//! shares) and which documents were shown and confirmed. What the server decides: whether they pass
//! the core's rules, today's date, the amount to pay (from the quote it verified), the order number,
//! the expiry, whether a payment is genuine (the provider's signature) and for the right amount, the
//! policy number, the dates, whether a cancellation is within the cooling-off period, and the refund.

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use premia_core::purchase::{self, Application, Checked};
use premia_core::{Catalogue, Errors, Quote};
use premia_pay::{
    CloseOutcome, Gateway, Notice, NoticeEvent, NotifyError, OrderRef, OrderRequest, PayError, PayMethod, Payment,
    Payments, Provider, RefundRequest, RefundState, RefundStatus, TradeState,
};
use premia_store::{
    ApplicationRecord, NewOrder, NewPolicy, NewPurchase, NewRefund, OrderOpening, OrderRecord, PaidNotice,
    PaymentApplied, PaymentContext, PurchaseRecord, PurchaseView,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::error::{ApiError, ServerError};
use crate::signing::POLICY_TYPE;
use crate::state::{AppState, Shared};

/// What is stored of an application's details: the checked application (no ID number in it) and the
/// keyed identities of everyone in it, for the blacklist and for finding a person's applications.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredDetails {
    pub application: Application,
    pub keyed: KeyedParties,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyedParties {
    pub policyholder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insured: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub beneficiaries: Vec<String>,
}

/// Details checked at submission, ready to store once the application is.
#[derive(Debug)]
pub struct Details {
    pub stored: StoredDetails,
    /// The first premium by the schedule the core computes from the quote: what the order will ask.
    pub first_premium: Decimal,
    /// Everyone in the details besides the insured sent beside the quote, as every scheme the
    /// blacklist may list them under, each with where they are in the body (for the audit log only:
    /// the refusal does not say who is listed).
    pub parties: Vec<(String, premia_store::Identity)>,
}

/// Errors of the details, named where they are in the body (`application.insured.name`); the quote's
/// own (`quote.…`) stay as they are.
fn in_application(errors: Errors) -> Errors {
    let moved = errors.into_vec().into_iter().map(|mut e| {
        if !e.field.starts_with("quote") {
            e.field = if e.field.is_empty() { "application".to_owned() } else { format!("application.{}", e.field) };
        }
        e
    });
    Errors::from_vec(moved.collect()).unwrap_or_else(|| Errors::one("application", premia_core::ErrorKind::Required))
}

/// Check the details sent beside a verified quote (422 naming every field), as of the server's `today`.
pub fn check_details(
    state: &Shared,
    catalogue: &Catalogue,
    quote: &Quote,
    raw: &RawValue,
    today: NaiveDate,
) -> Result<Details, ApiError> {
    let unprocessable = |errors: Errors| ApiError::core(StatusCode::UNPROCESSABLE_ENTITY, &in_application(errors));
    let form = purchase::form::from_json_str(raw.get()).map_err(unprocessable)?;
    let Checked { application, identities } = purchase::check(catalogue, quote, &form, today).map_err(unprocessable)?;
    let schedule = purchase::schedule(catalogue, quote, today).map_err(unprocessable)?;
    let first_premium = schedule.payments.first().map_or(Decimal::ZERO, |p| p.amount);
    let keyed = KeyedParties {
        policyholder: state.secret.identity(&identities.policyholder),
        insured: identities.insured.as_deref().map(|n| state.secret.identity(n)),
        beneficiaries: identities.beneficiaries.iter().map(|n| state.secret.identity(n)).collect(),
    };
    let mut parties = vec![("application.policyholder".to_owned(), state.identity(&identities.policyholder))];
    if let Some(insured) = &identities.insured {
        parties.push(("application.insured".to_owned(), state.identity(insured)));
    }
    for (i, number) in identities.beneficiaries.iter().enumerate() {
        parties.push((format!("application.beneficiaries.people[{i}]"), state.identity(number)));
    }
    Ok(Details { stored: StoredDetails { application, keyed }, first_premium, parties })
}

/// Store checked details for application `number` (again on a retry: nothing changes).
pub async fn record(state: &Shared, number: &str, details: &Details) -> Result<(), ApiError> {
    let fen = fen(details.first_premium)?;
    let purchase = NewPurchase {
        application_number: number.to_owned(),
        application_json: serde_json::to_string(&details.stored).unwrap_or_default(),
        received_at: premia_store::now_millis(),
        first_premium_fen: fen,
        currency: "CNY".into(),
    };
    state.store.record_purchase(&purchase).await.map_err(|e| ApiError::unavailable(&e.to_string()))?;
    Ok(())
}

fn fen(amount: Decimal) -> Result<i64, ApiError> {
    let fen = premia_pay::Fen::from_yuan(amount).map_err(|e| ApiError::unavailable(&format!("first premium: {e}")))?;
    i64::try_from(fen.get()).map_err(|_| ApiError::unavailable("first premium out of range"))
}

fn yuan(fen: i64) -> Decimal {
    Decimal::new(fen, 2)
}

fn conflict(code: &'static str, field: &str, zh: &str, en: &str) -> ApiError {
    ApiError::server(StatusCode::CONFLICT, ServerError::new(code, field, zh, en))
}

fn unavailable(code: &'static str, zh: &str, en: &str) -> ApiError {
    ApiError::server(StatusCode::SERVICE_UNAVAILABLE, ServerError::new(code, "", zh, en))
}

fn store_error(error: premia_store::StoreError) -> ApiError {
    ApiError::unavailable(&error.to_string())
}

fn payments(state: &Shared) -> Result<&Arc<Payments>, ApiError> {
    state.payments.as_ref().ok_or_else(|| {
        unavailable(
            "payment.not_configured",
            "本服务器未配置在线支付",
            "online payment is not configured on this server",
        )
    })
}

/// The payment method a person chose, as the API names it.
pub fn method(name: &str, return_url: Option<&str>) -> Option<PayMethod> {
    match name {
        "wechat_native" => Some(PayMethod::WechatNative),
        "alipay_qr" => Some(PayMethod::AlipayQr),
        "alipay_page" => url(return_url).map(|return_url| PayMethod::AlipayPage { return_url }),
        "unionpay" => url(return_url).map(|front_url| PayMethod::UnionPayGateway { front_url }),
        _ => None,
    }
}

fn url(text: Option<&str>) -> Option<url::Url> {
    text.and_then(|t| url::Url::parse(t).ok()).filter(|u| matches!(u.scheme(), "https" | "http"))
}

/// A new order number: `PRM`, the server's date, 13 random letters and digits (29 characters: within
/// every provider's 8–32).
fn order_number(today: NaiveDate) -> Result<String, ApiError> {
    const DIGITS: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut random = [0u8; 13];
    getrandom::fill(&mut random).map_err(|e| ApiError::unavailable(&format!("no randomness from the OS: {e}")))?;
    let suffix: String = random.iter().map(|b| char::from(DIGITS[usize::from(b & 31)])).collect();
    Ok(format!("PRM{}{suffix}", today.format("%Y%m%d")))
}

/// The policy number of application `number`: the same digits under `PL`, so a retry issues the same.
pub fn policy_number(application: &str) -> String {
    format!("PL{}", application.trim_start_matches("PA"))
}

/// The order as the page sees it.
fn order_view(order: &OrderRecord) -> Value {
    let at = |ms: i64| DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339());
    json!({
        "order": order.out_trade_no,
        "provider": order.provider,
        "amount": yuan(order.amount_fen).to_string(),
        "currency": order.currency,
        "state": order.state,
        "expires_at": at(order.expires_at),
        "action": serde_json::from_str::<Value>(&order.action_json).unwrap_or(Value::Null),
    })
}

/// Make (or show again) the order for application `number`'s first premium, paid by `method`.
pub async fn pay(state: &AppState, number: &str, method: PayMethod) -> Result<Value, ApiError> {
    let payments = payments(state)?;
    let provider = method.provider();
    let gateway = payments.gateway(provider).ok_or_else(|| {
        conflict("payment.provider", "method", "该支付方式暂不可用", "this payment method is not available")
    })?;
    let (record, purchase, amount_fen) = payable(state, number).await?;
    let now = Utc::now();
    let ttl = chrono::Duration::from_std(state.config.payment_ttl).unwrap_or(chrono::Duration::minutes(30));
    let new = NewOrder {
        out_trade_no: order_number(state.today())?,
        application_number: record.number.clone(),
        provider: provider.as_str().to_owned(),
        amount_fen,
        currency: purchase.currency.clone(),
        placed_at: now.timestamp_millis(),
        expires_at: (now + ttl).timestamp_millis(),
        action_json: "null".into(),
    };
    let mut order = match state.store.open_order(&new, now.timestamp_millis()).await.map_err(store_error)? {
        OrderOpening::Created(order) | OrderOpening::StillOpen(order) => order,
        OrderOpening::NotPayable { state } => return Err(not_payable(&state)),
        OrderOpening::NoPurchase => return Err(details_required()),
    };
    if order.provider != provider.as_str() {
        return Err(conflict(
            "payment.order_open",
            "method",
            "已有一笔未过期的订单使用其他支付方式，请完成该订单或待其过期后再试",
            "an order with another payment method is still open: pay it, or try again when it expires",
        )
        .with("open_order", &order_view(&order)));
    }
    if order.action_json == "null" {
        // Placed at the provider now (or again, with the same number, after a timeout: the provider
        // answers with the same order).
        order = place(state, gateway, order, method).await?;
    }
    Ok(order_view(&order))
}

async fn place(
    state: &Shared,
    gateway: &Gateway,
    order: OrderRecord,
    method: PayMethod,
) -> Result<OrderRecord, ApiError> {
    let expires_at = DateTime::from_timestamp_millis(order.expires_at).unwrap_or_else(Utc::now);
    let request = OrderRequest {
        out_trade_no: order.out_trade_no.clone(),
        amount: yuan(order.amount_fen),
        description: "保险费 first premium".into(),
        expires_at,
        method,
    };
    match gateway.create_order(&request).await {
        Ok(created) => {
            let action = serde_json::to_string(&created.action).unwrap_or_default();
            let placed_at = created.order.placed_at.timestamp_millis();
            state.store.place_order(&order.out_trade_no, &action, placed_at).await.map_err(store_error)?;
            Ok(OrderRecord { action_json: action, placed_at, ..order })
        }
        Err(PayError::Timeout { .. } | PayError::Transport { .. }) => {
            state.metrics.payment("create_unknown");
            Err(unavailable(
                "payment.provider_unavailable",
                "支付机构暂未应答，请稍后重试（不会重复扣款）",
                "the payment provider did not answer: try again shortly (you will not be charged twice)",
            ))
        }
        Err(error) => {
            tracing::warn!(order = %order.out_trade_no, code = error.code(), "payment order refused by the provider");
            state.metrics.payment("create_refused");
            Err(unavailable("payment.refused", "支付机构拒绝了该订单", "the payment provider refused the order")
                .with("provider_code", &error.code()))
        }
    }
}

/// The quote an application was accepted on: its own when pre-underwriting accepted it, the desk's
/// final one (re-priced with a loading, or with exclusions) when a person did; `None` while it is not
/// accepted.
pub async fn accepted_quote(state: &Shared, record: &ApplicationRecord) -> Result<Option<Quote>, String> {
    if record.status == "accepted" {
        return crate::stored::quote(&record.quote_json).map(Some);
    }
    let case_final = state.store.case_final(&record.number).await.map_err(|e| e.to_string())?;
    accepted_of(
        &record.status,
        &record.quote_json,
        case_final.as_ref().map(|f| (f.outcome.as_str(), f.quote_json.as_deref())),
    )
}

/// [`accepted_quote`] of an application (its status and stored quote) and its desk's final decision
/// (outcome and quote), read before.
fn accepted_of(
    status: &str,
    quote_json: &str,
    case_final: Option<(&str, Option<&str>)>,
) -> Result<Option<Quote>, String> {
    if status == "accepted" {
        return crate::stored::quote(quote_json).map(Some);
    }
    match case_final {
        Some(("accepted", final_quote)) => crate::stored::quote(final_quote.unwrap_or(quote_json)).map(Some),
        _ => Ok(None),
    }
}

/// The first premium of `quote`, in fen: the first payment of the core's schedule.
fn first_premium_fen(state: &Shared, quote: &Quote) -> Result<i64, ApiError> {
    let version =
        state.catalogues.get(&quote.catalogue.version).ok_or_else(|| ApiError::unavailable("catalogue not loaded"))?;
    let schedule = purchase::schedule(&version.catalogue, quote, state.today())
        .map_err(|e| ApiError::core(StatusCode::UNPROCESSABLE_ENTITY, &e))?;
    fen(schedule.payments.first().map_or(Decimal::ZERO, |p| p.amount))
}

async fn payable(state: &Shared, number: &str) -> Result<(ApplicationRecord, PurchaseRecord, i64), ApiError> {
    let record =
        state.store.application(number).await.map_err(store_error)?.ok_or_else(|| ApiError::not_found("number"))?;
    let Some(quote) = accepted_quote(state, &record).await.map_err(|e| ApiError::unavailable(&e))? else {
        return Err(conflict(
            "application.not_accepted",
            "status",
            "投保申请尚未被接受，暂不能支付",
            "the application has not been accepted: it cannot be paid yet",
        )
        .with("status", &record.status));
    };
    let purchase = state.store.purchase(number).await.map_err(store_error)?.ok_or_else(details_required)?;
    let amount = first_premium_fen(state, &quote)?;
    Ok((record, purchase, amount))
}

fn details_required() -> ApiError {
    conflict(
        "application.details_required",
        "application",
        "该投保申请缺少投保人、被保险人和受益人信息及文件确认，不能支付：请重新投保",
        "this application has no policyholder, insured, beneficiary details or confirmed documents: it cannot be paid; apply again",
    )
}

fn not_payable(state: &str) -> ApiError {
    conflict(
        "payment.not_payable",
        "status",
        "该投保申请已支付或已撤销",
        "this application is already paid or cancelled",
    )
    .with("state", &state)
}

/// What a notification changed, for the logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Issued,
    Duplicate,
    Flagged,
    Recorded,
}

/// Handle a provider's notification: the HTTP status, content type and body the provider expects.
/// Acknowledged only after what it says is committed; a genuine one that cannot be committed now is
/// rejected, so the provider sends it again.
pub async fn notified(
    state: &Shared,
    provider: Provider,
    headers: &axum::http::HeaderMap,
    body: &[u8],
) -> premia_pay::Ack {
    let Some(gateway) = state.payments.as_ref().and_then(|p| p.gateway(provider)) else {
        return provider.ack_rejected();
    };
    let notice = match gateway.verify_notification(headers, body) {
        Ok(notice) => notice,
        Err(NotifyError::Unhandled(what)) => {
            tracing::info!(provider = provider.as_str(), what, "notification of an event not read");
            return provider.ack_received();
        }
        Err(error) => {
            tracing::warn!(provider = provider.as_str(), code = error.code(), "notification refused");
            state.metrics.payment("notice_refused");
            return provider.ack_rejected();
        }
    };
    crash_window().await;
    match apply_notice(state, &notice).await {
        Ok(applied) => {
            state.metrics.payment(match applied {
                Applied::Issued => "issued",
                Applied::Duplicate => "duplicate",
                Applied::Flagged => "flagged",
                Applied::Recorded => "recorded",
            });
            provider.ack_received()
        }
        Err(error) => {
            tracing::error!(provider = provider.as_str(), notice = %notice.id, "notification not committed: {error}");
            provider.ack_rejected()
        }
    }
}

/// A failpoint for the crash test (`tests/server/payment_crash.rs`): in debug builds only, wait
/// `PREMIA_FAILPOINT_NOTICE_DELAY_MS` between a notification's verification and its commit, so the
/// test can kill -9 the server there. Release builds have no such wait.
async fn crash_window() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("PREMIA_FAILPOINT_NOTICE_DELAY_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

async fn apply_notice(state: &Shared, notice: &Notice) -> Result<Applied, String> {
    match &notice.event {
        NoticeEvent::Paid(payment) => paid(state, &notice.id, payment).await,
        NoticeEvent::Refund(status) => refunded(state, status).await.map(|()| Applied::Recorded),
        NoticeEvent::Closed { out_trade_no, .. } | NoticeEvent::PaymentFailed { out_trade_no, .. } => {
            state.store.close_order(out_trade_no).await.map_err(|e| e.to_string())?;
            Ok(Applied::Recorded)
        }
    }
}

/// A verified payment (notification or query): reconciled with the order, then applied exactly once.
///
/// Everything it needs is read in one statement before the writer's transaction
/// (`Store::payment_context`), and the policy is computed and signed here, outside it: the writer's
/// critical section is only the inserts and updates of `apply_payment`.
pub async fn paid(state: &Shared, notice_id: &str, payment: &Payment) -> Result<Applied, String> {
    let now = premia_store::now_millis();
    let context = state.store.payment_context(&payment.out_trade_no, notice_id).await.map_err(|e| e.to_string())?;
    let Some(context) = context else {
        let detail = format!("payment {} for no order of ours", payment.provider_trade_no);
        let fresh = state
            .store
            .flag_payment(notice_id, &payment.out_trade_no, now, &detail)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(if fresh { Applied::Flagged } else { Applied::Duplicate });
    };
    // A provider's retry or a replay: answered before a policy is computed for it (the transaction
    // would find its id taken anyway).
    if context.notice_seen {
        return Ok(Applied::Duplicate);
    }
    let order = &context.order;
    if let Err(mismatch) = payment.reconcile(&order.out_trade_no, yuan(order.amount_fen)) {
        let detail = mismatch.to_string();
        tracing::warn!(order = %order.out_trade_no, "payment differs from the order: {detail}");
        let fresh =
            state.store.flag_payment(notice_id, &order.out_trade_no, now, &detail).await.map_err(|e| e.to_string())?;
        return Ok(if fresh { Applied::Flagged } else { Applied::Duplicate });
    }
    let policy = issue(state, &context, payment)?;
    let notice = PaidNotice {
        notice_id: notice_id.to_owned(),
        out_trade_no: order.out_trade_no.clone(),
        provider_trade_no: payment.provider_trade_no.clone(),
        paid_at: payment.paid_at.timestamp_millis(),
        received_at: now,
    };
    let applied = state.store.apply_payment(&notice, &policy).await.map_err(|e| e.to_string())?;
    Ok(match applied {
        PaymentApplied::Issued => Applied::Issued,
        PaymentApplied::Duplicate => Applied::Duplicate,
        PaymentApplied::PaidTwice | PaymentApplied::UnknownOrder => Applied::Flagged,
    })
}

/// The policy for the order's application, paid by `payment`: computed by the core from the stored
/// quote and details, signed. Deterministic but for the signature, and only one is ever stored.
fn issue(state: &Shared, context: &PaymentContext, payment: &Payment) -> Result<NewPolicy, String> {
    let number = &context.order.application_number;
    let details = context.details_json.as_deref().ok_or_else(|| format!("application {number} has no details"))?;
    let details: StoredDetails = serde_json::from_str(details).map_err(|e| format!("stored details: {e}"))?;
    let case_final = context.final_outcome.as_deref().map(|outcome| (outcome, context.final_quote_json.as_deref()));
    let quote = accepted_of(&context.application_status, &context.quote_json, case_final)?
        .ok_or_else(|| format!("application {number} is not accepted"))?;
    let version = state
        .catalogues
        .get(&quote.catalogue.version)
        .ok_or_else(|| format!("catalogue {} is no longer loaded", quote.catalogue.version))?;
    // The day it was paid, in the insurer's time zone — never after the server's own today (a
    // provider's clock does not decide the policy's dates).
    let paid_on = payment.paid_at.with_timezone(&state.config.utc_offset).date_naive().min(state.today());
    let policy_number = policy_number(number);
    let policy =
        purchase::issue(&version.catalogue, &quote, &details.application, &policy_number, paid_on).map_err(|e| {
            format!("issuing {policy_number}: {}", e.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
        })?;
    let policy_json = policy.to_json();
    let payload: Value = serde_json::from_str(&policy_json).map_err(|e| e.to_string())?;
    Ok(NewPolicy {
        number: policy_number,
        application_number: number.clone(),
        issued_at: payment.paid_at.timestamp_millis(),
        signature: state.key.sign_typed(&payload, POLICY_TYPE),
        policy_json,
    })
}

/// A refund advanced at the provider: record it; `Succeeded` cancels the policy.
async fn refunded(state: &Shared, status: &RefundStatus) -> Result<(), String> {
    let now = premia_store::now_millis();
    let (name, at) = match &status.state {
        RefundState::Succeeded { at } => ("succeeded", at.map_or(now, |at| at.timestamp_millis())),
        RefundState::Processing => ("processing", now),
        RefundState::Failed { .. } => ("failed", now),
        RefundState::NotFound => return Ok(()),
    };
    state.store.settle_refund(&status.out_refund_no, name, at).await.map_err(|e| e.to_string())
}

/// Ask the providers about orders whose notification has not come (open a minute or more; expired in
/// the last day: a payment may land just before the expiry). Returns how many were asked about.
pub async fn reconcile(state: &Shared) -> usize {
    let Some(payments) = state.payments.as_ref() else { return 0 };
    let now = premia_store::now_millis();
    // An order gets one `--reconcile-every` for its notification before it is asked about.
    let grace = i64::try_from(state.config.reconcile_every.as_millis()).unwrap_or(60_000);
    let orders = match state.store.orders_to_reconcile(now - grace, now - 86_400_000, 200).await {
        Ok(orders) => orders,
        Err(error) => {
            tracing::warn!("reconciliation: {error}");
            return 0;
        }
    };
    for order in &orders {
        let Some(gateway) =
            Provider::ALL.iter().find(|p| p.as_str() == order.provider).and_then(|p| payments.gateway(*p))
        else {
            continue;
        };
        if let Err(error) = reconcile_order(state, gateway, order, now).await {
            tracing::warn!(order = %order.out_trade_no, "reconciliation: {error}");
        }
    }
    orders.len()
}

async fn reconcile_order(state: &Shared, gateway: &Gateway, order: &OrderRecord, now: i64) -> Result<(), String> {
    let placed_at = DateTime::from_timestamp_millis(order.placed_at).unwrap_or_else(Utc::now);
    let reference = OrderRef {
        out_trade_no: order.out_trade_no.clone(),
        placed_at: placed_at.with_timezone(&premia_pay::model::china_time()),
    };
    let status = gateway.query_order(&reference).await.map_err(|e| e.to_string())?;
    match status.state {
        TradeState::Paid(payment) | TradeState::Refunded(payment) => {
            // The id a notification of this payment has: a late one dedups against this.
            let id = format!("{}:paid:{}", order.provider, payment.provider_trade_no);
            let applied = paid(state, &id, &payment).await?;
            state.metrics.payment(if applied == Applied::Issued { "issued_by_query" } else { "queried" });
        }
        TradeState::Closed | TradeState::Failed { .. } => {
            state.store.close_order(&order.out_trade_no).await.map_err(|e| e.to_string())?;
        }
        TradeState::NotFound | TradeState::AwaitingPayment | TradeState::Paying if order.expires_at <= now => {
            // Past its expiry and still unpaid: close it at the provider, so it cannot be paid late.
            match gateway.close_order(&reference).await.map_err(|e| e.to_string())? {
                CloseOutcome::Closed | CloseOutcome::NotAtProvider => {
                    state.store.close_order(&order.out_trade_no).await.map_err(|e| e.to_string())?;
                }
                // Paid meanwhile: the next round's query records it.
                CloseOutcome::AlreadyPaid => {}
            }
        }
        TradeState::NotFound | TradeState::AwaitingPayment | TradeState::Paying => {}
    }
    Ok(())
}

/// Cancel application `number`'s policy within the cooling-off period (犹豫期), as of the server's
/// `today`: the refund the core computes, requested from the provider that took the payment.
pub async fn cancel(state: &AppState, number: &str) -> Result<Value, ApiError> {
    let payments = payments(state)?;
    let policy =
        state.store.policy_of(number).await.map_err(store_error)?.ok_or_else(|| ApiError::not_found("policy"))?;
    if policy.status == "cancelled" {
        return Ok(json!({ "policy": policy.number, "status": "cancelled" }));
    }
    let document: purchase::Policy =
        serde_json::from_str(&policy.policy_json).map_err(|e| ApiError::unavailable(&format!("stored policy: {e}")))?;
    let orders = state.store.orders_of(number).await.map_err(store_error)?;
    let order = orders.into_iter().find(|o| o.state == "paid").ok_or_else(|| ApiError::not_found("payment"))?;
    let paid = yuan(order.amount_fen);
    let refund = purchase::cooling_off_refund(&document, state.today(), paid)
        .map_err(|e| ApiError::core(StatusCode::UNPROCESSABLE_ENTITY, &e))?;
    let provider = Provider::ALL
        .into_iter()
        .find(|p| p.as_str() == order.provider)
        .ok_or_else(|| ApiError::not_found("payment"))?;
    let gateway =
        payments.gateway(provider).ok_or_else(|| ApiError::unavailable("the provider is no longer configured"))?;
    let stored = state
        .store
        .begin_refund(&NewRefund {
            out_refund_no: format!("R{}", order.out_trade_no),
            policy_number: policy.number.clone(),
            out_trade_no: order.out_trade_no.clone(),
            amount_fen: fen(refund.amount)?,
            requested_at: Utc::now().timestamp_millis(),
        })
        .await
        .map_err(store_error)?;
    let requested_at = DateTime::from_timestamp_millis(stored.requested_at).unwrap_or_else(Utc::now);
    let request = RefundRequest {
        out_trade_no: order.out_trade_no.clone(),
        provider_trade_no: order.provider_trade_no.clone().unwrap_or_default(),
        out_refund_no: stored.out_refund_no.clone(),
        amount: yuan(stored.amount_fen),
        order_amount: paid,
        reason: "犹豫期内解除合同 cancelled in the cooling-off period".into(),
        requested_at: requested_at.with_timezone(&premia_pay::model::china_time()),
    };
    let status = gateway.refund(&request).await.map_err(|e| {
        tracing::warn!(order = %order.out_trade_no, "refund: {e}");
        unavailable(
            "refund.provider_unavailable",
            "退款请求暂未完成，请稍后重试",
            "the refund could not be requested now: try again shortly",
        )
    })?;
    refunded(state, &status).await.map_err(|e| ApiError::unavailable(&e))?;
    let now = state.store.policy_of(number).await.map_err(store_error)?;
    Ok(json!({
        "policy": policy.number,
        "status": now.map_or("issued".to_owned(), |p| p.status),
        "refund": { "number": stored.out_refund_no, "amount": yuan(stored.amount_fen).to_string(), "fee": refund.fee.to_string() },
    }))
}

/// Where an application stands in buying, for its applicant: accepted / paid / issued / cancelled,
/// the open order, the policy's links. Everything as of one moment (`Store::purchase_view`): a
/// payment committed meanwhile shows wholly or not at all.
pub async fn status(state: &Shared, token: &str, number: &str) -> Result<Value, ApiError> {
    let view =
        state.store.purchase_view(number).await.map_err(store_error)?.ok_or_else(|| ApiError::not_found("token"))?;
    let PurchaseView { application: record, purchase, orders, policy, case_final } = view;
    let case_final = case_final.as_ref().map(|f| (f.outcome.as_str(), f.quote_json.as_deref()));
    let accepted =
        accepted_of(&record.status, &record.quote_json, case_final).map_err(|e| ApiError::unavailable(&e))?;
    let first_premium = match &accepted {
        Some(quote) => Some(yuan(first_premium_fen(state, quote)?).to_string()),
        None => None,
    };
    let stage = match (&policy, &purchase) {
        (Some(p), _) if p.status == "cancelled" => "cancelled",
        (Some(_), _) => "issued",
        (None, Some(p)) if p.state == "flagged" => "under_review",
        (None, _) if orders.iter().any(|o| o.state == "paid") => "paid",
        (None, _) if accepted.is_some() => "accepted",
        (None, _) => record.status.as_str(),
    };
    Ok(json!({
        "application": record.number,
        "status": stage,
        "payable": policy.is_none() && purchase.as_ref().is_some_and(|p| p.state == "awaiting_payment") && accepted.is_some(),
        "first_premium": first_premium,
        "orders": orders.iter().map(order_view).collect::<Vec<_>>(),
        "policy": policy.as_ref().map(|p| json!({
            "number": p.number,
            "status": p.status,
            "document": format!("/api/purchases/{token}/policy"),
            "printable": format!("/policy/{token}"),
        })),
    }))
}

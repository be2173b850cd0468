//! Each payment adapter against its simulator over real loopback HTTP: the whole flow (create →
//! pay → notification verified → query → refund → refund notification), and every failure mode
//! the simulators can show, each producing its typed outcome at the adapter.
//!
//! A small merchant endpoint stands in for the server: it verifies each notification with the
//! adapter, records the outcome, and answers with the provider's acknowledgement (or rejection).

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use premia_pay::{
    CloseOutcome, Gateway, Mismatch, Notice, NoticeEvent, NotifyError, OrderRef, OrderRequest, PayAction, PayError,
    PayMethod, Payment, Payments, Provider, RefundRequest, RefundState, TradeState,
};
use premia_paysim::{Fault, Identity, SimConfig, Simulator};
use rust_decimal::Decimal;
use url::Url;

type Outcomes = Arc<Mutex<Vec<(Provider, Result<Notice, NotifyError>)>>>;

/// One throwaway identity per test binary: key generation is the slow part.
fn identity() -> Identity {
    static IDENTITY: OnceLock<Identity> = OnceLock::new();
    IDENTITY.get_or_init(Identity::generate).clone()
}

struct Harness {
    sim: Simulator,
    payments: Arc<Payments>,
    outcomes: Outcomes,
    browser: reqwest::Client,
}

async fn receive(
    State((payments, outcomes)): State<(Arc<Payments>, Outcomes)>,
    Path(provider): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let provider = serde_json::from_value::<Provider>(serde_json::Value::String(provider)).expect("a provider");
    let gateway = payments.gateway(provider).expect("configured");
    let outcome = gateway.verify_notification(&headers, &body);
    let ack = if outcome.is_ok() { provider.ack_received() } else { provider.ack_rejected() };
    outcomes.lock().expect("lock").push((provider, outcome));
    let status = axum::http::StatusCode::from_u16(ack.status).expect("a status");
    (status, [("content-type", ack.content_type)], ack.body).into_response()
}

async fn harness(config: SimConfig, timeout: Duration) -> Harness {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let merchant = Url::parse(&format!("http://{}/", listener.local_addr().expect("address"))).expect("url");
    let sim = Simulator::start_with(identity(), config, 0).await.expect("simulator");
    let notify = |p: Provider| merchant.join(&format!("notify/{}", p.as_str())).expect("url");
    let payments = Arc::new(Payments::new(sim.merchant_config(notify, timeout)).expect("gateways"));
    let outcomes: Outcomes = Arc::default();
    let app = axum::Router::new()
        .route("/notify/{provider}", axum::routing::post(receive))
        .with_state((Arc::clone(&payments), Arc::clone(&outcomes)));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(3)).build().expect("client");
    Harness { sim, payments, outcomes, browser }
}

fn fast() -> SimConfig {
    let ms = Duration::from_millis;
    SimConfig {
        retry_schedule: vec![ms(0), ms(100), ms(200), ms(300)],
        slow_delay: ms(1200),
        refund_delay: ms(50),
        default_fault: None,
    }
}

const TIMEOUT: Duration = Duration::from_millis(600);

fn yuan(text: &str) -> Decimal {
    Decimal::from_str(text).expect("decimal")
}

fn order_no(tag: &str) -> String {
    let nonce = premia_pay::keys::nonce(10);
    format!("{tag}{nonce}").chars().filter(char::is_ascii_alphanumeric).take(32).collect()
}

fn request(method: PayMethod, amount: &str) -> OrderRequest {
    OrderRequest {
        out_trade_no: order_no("PRM"),
        amount: yuan(amount),
        description: "Premia 首期保费 first premium".to_owned(),
        expires_at: Utc::now() + chrono::Duration::minutes(30),
        method,
    }
}

impl Harness {
    fn gateway(&self, provider: Provider) -> &Gateway {
        self.payments.gateway(provider).expect("configured")
    }

    fn notices(&self, provider: Provider, out_trade_no: &str) -> Vec<Result<Notice, NotifyError>> {
        let outcomes = self.outcomes.lock().expect("lock");
        outcomes
            .iter()
            .filter(|(p, outcome)| {
                *p == provider
                    && match outcome {
                        Ok(notice) => notice_order(notice) == out_trade_no,
                        Err(_) => true,
                    }
            })
            .map(|(_, outcome)| outcome.clone())
            .collect()
    }

    async fn wait_for<T>(&self, what: &str, within: Duration, mut found: impl FnMut(&Harness) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(value) = found(self) {
                return value;
            }
            assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn paid_notice(&self, provider: Provider, out_trade_no: &str) -> Payment {
        self.wait_for("the payment notification", Duration::from_secs(5), |h| {
            h.notices(provider, out_trade_no).into_iter().find_map(|n| match n.ok()?.event {
                NoticeEvent::Paid(payment) => Some(payment),
                _ => None,
            })
        })
        .await
    }

    /// Does in a browser what the person does: opens the QR code or redirect, submits the form,
    /// presses "pay" on the cashier page.
    async fn pay_in_browser(&self, action: &PayAction) {
        let page = match action {
            PayAction::QrCode { content } if content.starts_with("weixin://") => {
                let mut scan = self.sim.base().join("sim/scan").expect("url");
                scan.query_pairs_mut().append_pair("code", content);
                self.browser.get(scan).send().await.expect("scan")
            }
            PayAction::QrCode { content } => self.browser.get(content).send().await.expect("open the code"),
            PayAction::Jsapi(params) => {
                let mut scan = self.sim.base().join("sim/scan").expect("url");
                let prepay = params.package.strip_prefix("prepay_id=").expect("package");
                scan.query_pairs_mut().append_pair("prepay_id", prepay);
                self.browser.get(scan).send().await.expect("open the cashier")
            }
            PayAction::Redirect { url } => self.browser.get(url).send().await.expect("redirect"),
            PayAction::AutoPostForm { action, fields } => {
                let form = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
                let post = self.browser.post(action).header("content-type", "application/x-www-form-urlencoded");
                post.body(form).send().await.expect("submit the form")
            }
        };
        assert_eq!(page.status(), 200, "the cashier page opens");
        let html = page.text().await.expect("page");
        let token = html
            .split("action=\"/sim/pay/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("a pay button in {html}"));
        let paid = self
            .browser
            .post(self.sim.base().join(&format!("sim/pay/{token}")).expect("url"))
            .send()
            .await
            .expect("pay");
        assert_eq!(paid.status(), 200);
        assert!(paid.text().await.expect("page").contains("Paid 支付成功"));
    }
}

fn notice_order(notice: &Notice) -> &str {
    match &notice.event {
        NoticeEvent::Paid(p) => &p.out_trade_no,
        NoticeEvent::Refund(r) => &r.out_trade_no,
        NoticeEvent::Closed { out_trade_no } | NoticeEvent::PaymentFailed { out_trade_no, .. } => out_trade_no,
    }
}

fn methods(base: &Url) -> Vec<PayMethod> {
    vec![
        PayMethod::WechatNative,
        PayMethod::WechatJsapi { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o".to_owned() },
        PayMethod::AlipayQr,
        PayMethod::AlipayPage { return_url: base.join("return/alipay").expect("url") },
        PayMethod::UnionPayGateway { front_url: base.join("return/unionpay").expect("url") },
    ]
}

#[tokio::test]
async fn every_method_runs_the_whole_flow_over_loopback() {
    let h = harness(fast(), TIMEOUT).await;
    for method in methods(h.sim.base()) {
        let provider = method.provider();
        let gateway = h.gateway(provider);
        let order = request(method.clone(), "1288.50");
        let created = gateway.create_order(&order).await.unwrap_or_else(|e| panic!("{method:?}: {e}"));
        assert_eq!(created.amount.amount.get(), 128_850);
        if let PayAction::Jsapi(params) = &created.action {
            let message = premia_pay::wechat::sign::jsapi_message(
                &params.app_id,
                &params.time_stamp,
                &params.nonce_str,
                &params.package,
            );
            let merchant = h.sim.sim().identity.wechat.merchant_key.verifying_key();
            assert_eq!(merchant.verify_base64(message.as_bytes(), &params.pay_sign), Ok(()), "paySign");
        }

        h.pay_in_browser(&created.action).await;
        let payment = h.paid_notice(provider, &order.out_trade_no).await;
        assert_eq!(payment.reconcile(&order.out_trade_no, order.amount), Ok(()), "{method:?}");
        assert_eq!(payment.provider, provider);

        let status = gateway.query_order(&created.order).await.expect("query");
        assert_eq!(status.state, TradeState::Paid(payment.clone()), "{method:?}: query agrees with the notification");

        let refund = RefundRequest {
            out_trade_no: order.out_trade_no.clone(),
            provider_trade_no: payment.provider_trade_no.clone(),
            out_refund_no: order_no("RFD"),
            amount: yuan("1288.50"),
            order_amount: order.amount,
            reason: "犹豫期退保 cooling-off cancellation".to_owned(),
            requested_at: Utc::now().with_timezone(&premia_pay::model::china_time()),
        };
        let unknown = gateway.query_refund(&refund).await.unwrap_or_else(|e| panic!("{method:?}: query_refund: {e}"));
        assert_eq!(unknown.state, RefundState::NotFound, "{method:?}: not asked for yet");
        let refunded = gateway.refund(&refund).await.unwrap_or_else(|e| panic!("{method:?}: refund: {e}"));
        assert_eq!(refunded.amount.amount.get(), 128_850);
        match provider {
            Provider::Alipay => assert!(matches!(refunded.state, RefundState::Succeeded { .. })),
            _ => assert_eq!(refunded.state, RefundState::Processing),
        }
        let refund_notice = h
            .wait_for("the refund notification", Duration::from_secs(5), |h| {
                h.notices(provider, &order.out_trade_no).into_iter().find_map(|n| match n.ok()?.event {
                    NoticeEvent::Refund(r) => Some(r),
                    _ => None,
                })
            })
            .await;
        assert_eq!(refund_notice.out_refund_no, refund.out_refund_no, "{method:?}");
        assert!(matches!(refund_notice.state, RefundState::Succeeded { .. }), "{method:?}");
        let queried = gateway.query_refund(&refund).await.unwrap_or_else(|e| panic!("{method:?}: query_refund: {e}"));
        assert!(matches!(queried.state, RefundState::Succeeded { .. }), "{method:?}: {queried:?}");
        assert_eq!(queried.amount.amount.get(), 128_850);
        // The same refund again is the same refund, not a second one.
        let again = gateway.refund(&refund).await.expect("repeated refund");
        assert_eq!(again.out_refund_no, refund.out_refund_no);
        assert_eq!(h.sim.order(provider, &order.out_trade_no).expect("order").refunds.len(), 1);
    }
}

#[tokio::test]
async fn a_second_payment_of_the_same_order_changes_nothing() {
    let h = harness(fast(), TIMEOUT).await;
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr] {
        let provider = method.provider();
        let order = request(method, "10.00");
        let created = h.gateway(provider).create_order(&order).await.expect("create");
        // Creating it again (a retry after a timeout) gives the same order.
        let again = h.gateway(provider).create_order(&order).await.expect("create again");
        assert_eq!(again.action, created.action);
        assert_eq!(h.sim.pay(provider, &order.out_trade_no), Ok(()));
        assert_eq!(h.sim.pay(provider, &order.out_trade_no), Err(premia_paysim::PayRefused::AlreadyPaid));
        // Another amount under the same number is refused by the provider.
        let changed = OrderRequest { amount: yuan("11.00"), ..order.clone() };
        let refused = h.gateway(provider).create_order(&changed).await;
        assert!(matches!(refused, Err(PayError::Rejected { .. })), "{refused:?}");
    }
}

#[tokio::test]
async fn duplicate_notifications_carry_the_same_id() {
    let h = harness(fast(), TIMEOUT).await;
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr, unionpay(&h)] {
        let provider = method.provider();
        let order = request(method, "99.99");
        h.sim.set_fault(provider, &order.out_trade_no, Fault::DuplicateNotification);
        let created = h.gateway(provider).create_order(&order).await.expect("create");
        h.pay_in_browser(&created.action).await;
        let notices = h
            .wait_for("two deliveries", Duration::from_secs(5), |h| {
                let ok: Vec<Notice> =
                    h.notices(provider, &order.out_trade_no).into_iter().filter_map(Result::ok).collect();
                (ok.len() >= 2).then_some(ok)
            })
            .await;
        assert_eq!(notices[0].id, notices[1].id, "{provider:?}: a duplicate has the same stable id");
        assert_eq!(notices[0].event, notices[1].event);
    }
}

fn unionpay(h: &Harness) -> PayMethod {
    PayMethod::UnionPayGateway { front_url: h.sim.base().join("return").expect("url") }
}

#[tokio::test]
async fn a_notification_can_come_before_the_query_shows_the_payment() {
    let h = harness(fast(), TIMEOUT).await;
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr, unionpay(&h)] {
        let provider = method.provider();
        let order = request(method, "50.00");
        h.sim.set_fault(provider, &order.out_trade_no, Fault::NotifyBeforeQuery);
        let created = h.gateway(provider).create_order(&order).await.expect("create");
        h.pay_in_browser(&created.action).await;
        let payment = h.paid_notice(provider, &order.out_trade_no).await;
        let first = h.gateway(provider).query_order(&created.order).await.expect("query");
        assert_eq!(first.state, TradeState::AwaitingPayment, "{provider:?}: the query lags the notification");
        let second = h.gateway(provider).query_order(&created.order).await.expect("query");
        assert_eq!(second.state, TradeState::Paid(payment), "{provider:?}");
    }
}

#[tokio::test]
async fn a_wrong_amount_is_reported_as_a_mismatch() {
    let h = harness(fast(), TIMEOUT).await;
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr, unionpay(&h)] {
        let provider = method.provider();
        let order = request(method, "200.00");
        h.sim.set_fault(provider, &order.out_trade_no, Fault::WrongAmount);
        let created = h.gateway(provider).create_order(&order).await.expect("create");
        h.pay_in_browser(&created.action).await;
        let payment = h.paid_notice(provider, &order.out_trade_no).await;
        let mismatch = payment.reconcile(&order.out_trade_no, order.amount);
        let expected = premia_pay::Fen::new(20_000).expect("fen");
        let reported = premia_pay::Fen::new(20_001).expect("fen");
        assert_eq!(mismatch, Err(Mismatch::Amount { expected, reported }), "{provider:?}");
        assert!(matches!(payment.reconcile("ANOTHERORDER1", order.amount), Err(Mismatch::OrderNumber { .. })));
        let TradeState::Paid(queried) = h.gateway(provider).query_order(&created.order).await.expect("query").state
        else {
            panic!("{provider:?}: paid");
        };
        assert!(queried.reconcile(&order.out_trade_no, order.amount).is_err(), "{provider:?}: the query too");
    }
}

#[tokio::test]
async fn a_bad_signature_is_refused_and_retried_by_the_provider() {
    let h = harness(fast(), TIMEOUT).await;
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr, unionpay(&h)] {
        let provider = method.provider();
        let order = request(method, "30.00");
        h.sim.set_fault(provider, &order.out_trade_no, Fault::BadSignature);
        let created = h.gateway(provider).create_order(&order).await.expect("create");
        h.pay_in_browser(&created.action).await;
        let attempts = h
            .wait_for("every retry", Duration::from_secs(5), |h| {
                let deliveries = h.sim.deliveries(provider, &order.out_trade_no);
                (deliveries.len() == 4).then_some(deliveries)
            })
            .await;
        assert!(attempts.iter().all(|d| !d.acknowledged), "{provider:?}: never acknowledged");
        let notices = h.notices(provider, &order.out_trade_no);
        assert!(notices.iter().all(|n| n == &Err(NotifyError::BadSignature)), "{provider:?}: {notices:?}");
        // The payment happened: the query (signed correctly) shows it.
        let status = h.gateway(provider).query_order(&created.order).await.expect("query");
        assert!(matches!(status.state, TradeState::Paid(_)), "{provider:?}");
    }
}

#[tokio::test]
async fn a_timeout_then_a_late_success() {
    let h = harness(fast(), Duration::from_millis(400)).await;
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr] {
        let provider = method.provider();
        let order = request(method, "66.60");
        h.sim.set_fault(provider, &order.out_trade_no, Fault::TimeoutThenLateSuccess);
        let timed_out = h.gateway(provider).create_order(&order).await;
        assert!(matches!(timed_out, Err(PayError::Timeout { operation: "create" })), "{provider:?}: {timed_out:?}");
        assert!(timed_out.as_ref().err().is_some_and(PayError::is_retryable));
        // The provider did create it: the same request again returns it.
        let created = h.gateway(provider).create_order(&order).await.expect("the retry");
        h.pay_in_browser(&created.action).await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(h.notices(provider, &order.out_trade_no).is_empty(), "{provider:?}: not yet");
        let payment = h.paid_notice(provider, &order.out_trade_no).await;
        assert_eq!(payment.reconcile(&order.out_trade_no, order.amount), Ok(()));
    }
    // UnionPay's order needs no call: its first query is the slow one.
    let order = request(unionpay(&h), "66.60");
    h.sim.set_fault(Provider::UnionPay, &order.out_trade_no, Fault::TimeoutThenLateSuccess);
    let created = h.gateway(Provider::UnionPay).create_order(&order).await.expect("create");
    h.pay_in_browser(&created.action).await;
    let timed_out = h.gateway(Provider::UnionPay).query_order(&created.order).await;
    assert!(matches!(timed_out, Err(PayError::Timeout { operation: "query" })), "{timed_out:?}");
    let late = h.gateway(Provider::UnionPay).query_order(&created.order).await.expect("query");
    assert!(matches!(late.state, TradeState::Paid(_)));
    h.paid_notice(Provider::UnionPay, &order.out_trade_no).await;
}

#[tokio::test]
async fn a_notification_that_never_comes_is_found_by_query() {
    let h = harness(fast(), TIMEOUT).await;
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr, unionpay(&h)] {
        let provider = method.provider();
        let order = request(method, "12.34");
        h.sim.set_fault(provider, &order.out_trade_no, Fault::NeverNotify);
        let created = h.gateway(provider).create_order(&order).await.expect("create");
        h.pay_in_browser(&created.action).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(h.notices(provider, &order.out_trade_no).is_empty(), "{provider:?}");
        let TradeState::Paid(payment) = h.gateway(provider).query_order(&created.order).await.expect("query").state
        else {
            panic!("{provider:?}: the query shows the payment");
        };
        assert_eq!(payment.reconcile(&order.out_trade_no, order.amount), Ok(()));
    }
}

#[tokio::test]
async fn unpaid_orders_close_and_cannot_be_paid_after() {
    let h = harness(fast(), TIMEOUT).await;
    // WeChat: closed at once.
    let order = request(PayMethod::WechatNative, "8.00");
    let created = h.gateway(Provider::Wechat).create_order(&order).await.expect("create");
    assert_eq!(h.gateway(Provider::Wechat).close_order(&created.order).await.expect("close"), CloseOutcome::Closed);
    assert_eq!(h.gateway(Provider::Wechat).query_order(&created.order).await.expect("query").state, TradeState::Closed);
    assert_eq!(h.sim.pay(Provider::Wechat, &order.out_trade_no), Err(premia_paysim::PayRefused::NotPayable));
    // Alipay: a code never scanned has no trade yet; once scanned it closes.
    let order = request(PayMethod::AlipayQr, "8.00");
    let created = h.gateway(Provider::Alipay).create_order(&order).await.expect("create");
    assert_eq!(
        h.gateway(Provider::Alipay).query_order(&created.order).await.expect("query").state,
        TradeState::NotFound
    );
    assert_eq!(
        h.gateway(Provider::Alipay).close_order(&created.order).await.expect("close"),
        CloseOutcome::NotAtProvider
    );
    let PayAction::QrCode { content } = &created.action else { panic!("a QR code") };
    h.browser.get(content).send().await.expect("scan");
    assert_eq!(
        h.gateway(Provider::Alipay).query_order(&created.order).await.expect("query").state,
        TradeState::AwaitingPayment
    );
    assert_eq!(h.gateway(Provider::Alipay).close_order(&created.order).await.expect("close"), CloseOutcome::Closed);
    // A paid order is not closed.
    let order = request(PayMethod::AlipayQr, "8.00");
    let created = h.gateway(Provider::Alipay).create_order(&order).await.expect("create");
    h.pay_in_browser(&created.action).await;
    assert_eq!(
        h.gateway(Provider::Alipay).close_order(&created.order).await.expect("close"),
        CloseOutcome::AlreadyPaid
    );
    // UnionPay: no close call; paid or not is what the query says.
    let order = request(unionpay(&h), "8.00");
    let created = h.gateway(Provider::UnionPay).create_order(&order).await.expect("create");
    assert_eq!(
        h.gateway(Provider::UnionPay).query_order(&created.order).await.expect("query").state,
        TradeState::NotFound
    );
    assert_eq!(
        h.gateway(Provider::UnionPay).close_order(&created.order).await.expect("close"),
        CloseOutcome::NotAtProvider
    );
    let paid = request(PayMethod::WechatNative, "8.00");
    let created = h.gateway(Provider::Wechat).create_order(&paid).await.expect("create");
    h.pay_in_browser(&created.action).await;
    assert_eq!(
        h.gateway(Provider::Wechat).close_order(&created.order).await.expect("close"),
        CloseOutcome::AlreadyPaid
    );
}

#[tokio::test]
async fn requests_the_providers_cannot_carry_exactly_are_refused_before_sending() {
    let h = harness(fast(), TIMEOUT).await;
    for method in methods(h.sim.base()) {
        let provider = method.provider();
        let bad_amount = request(method.clone(), "1.005");
        assert!(matches!(h.gateway(provider).create_order(&bad_amount).await, Err(PayError::Amount(_))));
        let bad_number = OrderRequest { out_trade_no: "PRM-1".to_owned(), ..request(method.clone(), "1.00") };
        assert!(matches!(
            h.gateway(provider).create_order(&bad_number).await,
            Err(PayError::InvalidRequest { field: "out_trade_no", .. })
        ));
        assert!(h.sim.order(provider, "PRM-1").is_none());
    }
    let wrong = request(PayMethod::AlipayQr, "1.00");
    assert!(matches!(
        h.gateway(Provider::Wechat).create_order(&wrong).await,
        Err(PayError::InvalidRequest { field: "method", .. })
    ));
    let huge = request(PayMethod::WechatNative, "21474836.48");
    assert!(matches!(h.gateway(Provider::Wechat).create_order(&huge).await, Err(PayError::Amount(_))));
}

#[tokio::test]
async fn a_merchant_key_the_provider_does_not_know_is_refused() {
    let h = harness(fast(), TIMEOUT).await;
    let merchant = Url::parse("http://127.0.0.1:9/").expect("url");
    let mut config = h.sim.merchant_config(|p| merchant.join(p.as_str()).expect("url"), TIMEOUT);
    let stranger = premia_pay::keys::SigningKey::generate(2048);
    if let Some(w) = config.wechat.as_mut() {
        w.merchant_key = stranger.clone();
    }
    if let Some(a) = config.alipay.as_mut() {
        a.app_key = stranger.clone();
    }
    if let Some(u) = config.unionpay.as_mut() {
        u.sign_key = stranger;
    }
    let payments = Payments::new(config).expect("gateways");
    for method in [PayMethod::WechatNative, PayMethod::AlipayQr] {
        let provider = method.provider();
        let refused = payments.gateway(provider).expect("gateway").create_order(&request(method, "1.00")).await;
        assert!(
            matches!(&refused, Err(PayError::Rejected { code, .. }) if code.contains("SIGN") || code.contains("signature")),
            "{refused:?}"
        );
    }
    let placed = OrderRef { out_trade_no: order_no("PRM"), placed_at: Utc::now().fixed_offset() };
    let refused = payments.gateway(Provider::UnionPay).expect("gateway").query_order(&placed).await;
    assert!(matches!(&refused, Err(PayError::Rejected { code, .. }) if code == "11"), "{refused:?}");
}

#[tokio::test]
async fn the_merchant_configuration_file_is_read_and_guarded() {
    let h = harness(fast(), TIMEOUT).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let merchant = Url::parse("http://127.0.0.1:9/").expect("url");
    let path = h
        .sim
        .sim()
        .identity
        .write_merchant_config(dir.path(), h.sim.base(), |p| merchant.join(p.as_str()).expect("url"))
        .expect("written");
    let payments = Payments::load(&path).expect("the written file loads");
    assert_eq!(payments.providers().collect::<Vec<_>>(), Provider::ALL.to_vec());
    let created = payments
        .gateway(Provider::Alipay)
        .expect("alipay")
        .create_order(&request(PayMethod::AlipayQr, "3.00"))
        .await
        .expect("the loaded credentials work");
    assert!(matches!(created.action, PayAction::QrCode { .. }));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in ["payments.toml", "wechat_merchant_key.pem"] {
            let target = dir.path().join(file);
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let refused = Payments::load(&path).expect_err("readable by others");
            assert!(
                matches!(&refused, premia_pay::ConfigError::Permissions { path, mode: 0o644 } if *path == target),
                "{refused:?}"
            );
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        }
    }
    let text = std::fs::read_to_string(&path).expect("read");
    let typo = text.replace("mchid =", "mch_id =");
    let error = premia_pay::PaymentsConfig::from_toml(&typo, dir.path()).expect_err("unknown field");
    assert!(error.to_string().contains("mch_id"), "{error}");
    let insecure = text.replace("http://127.0.0.1:9/wechat", "http://example.com/wechat");
    let error = premia_pay::PaymentsConfig::from_toml(&insecure, dir.path()).expect_err("plain http");
    assert!(matches!(error, premia_pay::ConfigError::Invalid { field: "wechat.notify_url", .. }), "{error}");
}

#[tokio::test]
async fn notifications_for_another_merchant_or_replayed_late_are_refused() {
    let h = harness(fast(), TIMEOUT).await;
    let order = request(PayMethod::WechatNative, "5.00");
    h.sim.set_fault(Provider::Wechat, &order.out_trade_no, Fault::NeverNotify);
    let created = h.gateway(Provider::Wechat).create_order(&order).await.expect("create");
    h.pay_in_browser(&created.action).await;
    let sim = h.sim.sim();
    let stored = h.sim.order(Provider::Wechat, &order.out_trade_no).expect("order");
    let message = premia_paysim::wechat::notification(sim, &stored, &premia_paysim::notify::NoticeKind::Paid, false)
        .expect("a notification");
    let mut headers = http::HeaderMap::new();
    for (name, value) in &message.headers {
        headers.insert(*name, value.parse().expect("header"));
    }
    let Gateway::Wechat(wechat) = h.gateway(Provider::Wechat) else { panic!("wechat") };
    let now = Utc::now().timestamp();
    assert!(wechat.verify_notification_at(&headers, &message.body, now).is_ok());
    assert!(matches!(
        wechat.verify_notification_at(&headers, &message.body, now + 301),
        Err(NotifyError::StaleTimestamp { .. })
    ));
    let mut tampered = message.body.clone();
    let at = tampered.iter().position(|b| *b == b'"').expect("a quote");
    tampered.insert(at, b' ');
    assert_eq!(wechat.verify_notification_at(&headers, &tampered, now), Err(NotifyError::BadSignature));
    let mut foreign = headers.clone();
    foreign.insert("wechatpay-serial", "PUB_KEY_ID_OTHER".parse().expect("header"));
    assert!(matches!(wechat.verify_notification_at(&foreign, &message.body, now), Err(NotifyError::UnknownKey { .. })));
    // Another APIv3 key: the signature verifies, the resource does not decrypt.
    let mut other =
        h.sim.merchant_config(|p| Url::parse(&format!("http://127.0.0.1:9/{}", p.as_str())).expect("url"), TIMEOUT);
    if let Some(w) = other.wechat.as_mut() {
        w.apiv3_key = premia_pay::wechat::sign::ApiV3Key::generate();
    }
    let other = Payments::new(other).expect("gateways");
    let Some(Gateway::Wechat(other)) = other.gateway(Provider::Wechat) else { panic!("wechat") };
    assert_eq!(other.verify_notification_at(&headers, &message.body, now), Err(NotifyError::Decrypt));

    // Alipay: a notification for another app is refused even when genuinely signed.
    let order = request(PayMethod::AlipayQr, "5.00");
    h.sim.set_fault(Provider::Alipay, &order.out_trade_no, Fault::NeverNotify);
    let created = h.gateway(Provider::Alipay).create_order(&order).await.expect("create");
    h.pay_in_browser(&created.action).await;
    let stored = h.sim.order(Provider::Alipay, &order.out_trade_no).expect("order");
    let message = premia_paysim::alipay::notification(sim, &stored, &premia_paysim::notify::NoticeKind::Paid, false)
        .expect("a notification");
    let mut fields: BTreeMap<String, String> =
        form_urlencoded::parse(&message.body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    fields.insert("app_id".into(), "2021000000000000".into());
    let sign = premia_pay::alipay::sign::sign_notification(&sim.identity.alipay.alipay_key, &fields);
    fields.insert("sign".into(), sign);
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
    assert!(matches!(
        h.gateway(Provider::Alipay).verify_notification(&http::HeaderMap::new(), body.as_bytes()),
        Err(NotifyError::WrongMerchant { field: "app_id", .. })
    ));
}

#[tokio::test]
async fn the_admin_api_sets_faults_pays_and_reports_deliveries() {
    let h = harness(fast(), TIMEOUT).await;
    let admin = |path: &str| h.sim.base().join(&format!("sim/admin/{path}")).expect("url");
    // A fault for the provider's next order, by HTTP.
    let set = h
        .browser
        .post(admin("faults"))
        .json(&serde_json::json!({ "provider": "alipay", "fault": "duplicate_notification" }))
        .send()
        .await
        .expect("set a fault");
    assert_eq!(set.status(), 200);
    let order = request(PayMethod::AlipayQr, "7.00");
    h.gateway(Provider::Alipay).create_order(&order).await.expect("create");
    let key = serde_json::json!({ "provider": "alipay", "out_trade_no": order.out_trade_no });
    let paid: serde_json::Value =
        h.browser.post(admin("pay")).json(&key).send().await.expect("pay").json().await.expect("json");
    assert_eq!(paid["ok"], true);
    let again: serde_json::Value =
        h.browser.post(admin("pay")).json(&key).send().await.expect("pay").json().await.expect("json");
    assert_eq!(again["refused"], "already_paid");
    let deliveries = h
        .wait_for("both deliveries", Duration::from_secs(5), |h| {
            let d = h.sim.deliveries(Provider::Alipay, &order.out_trade_no);
            (d.len() == 2).then_some(d)
        })
        .await;
    assert!(deliveries.iter().all(|d| d.acknowledged && d.status == Some(200)));
    let mut url = admin("deliveries");
    url.query_pairs_mut().append_pair("provider", "alipay").append_pair("out_trade_no", &order.out_trade_no);
    let listed: Vec<serde_json::Value> = h.browser.get(url).send().await.expect("list").json().await.expect("json");
    assert_eq!(listed.len(), 2);
    let orders: Vec<serde_json::Value> =
        h.browser.get(admin("orders")).send().await.expect("orders").json().await.expect("json");
    assert!(orders.iter().any(|o| o["out_trade_no"] == order.out_trade_no.as_str() && o["state"] == "paid"));
    // The public half of the run's keys, as a merchant configures them.
    let keys: serde_json::Value = h.browser.get(admin("keys")).send().await.expect("keys").json().await.expect("json");
    let published =
        premia_pay::keys::VerifyingKey::from_pem(keys["wechat"]["platform_public_key"].as_str().expect("pem"));
    assert_eq!(published, Ok(h.sim.sim().identity.wechat.platform_key.verifying_key()));
    assert!(premia_pay::unionpay::Certificate::from_pem(keys["unionpay"]["root_cert"].as_str().expect("pem")).is_ok());
}

#[tokio::test]
async fn unionpay_trusts_only_its_certificate_chain_and_signer() {
    let h = harness(fast(), TIMEOUT).await;
    let order = request(unionpay(&h), "9.00");
    h.sim.set_fault(Provider::UnionPay, &order.out_trade_no, Fault::NeverNotify);
    let created = h.gateway(Provider::UnionPay).create_order(&order).await.expect("create");
    h.pay_in_browser(&created.action).await;
    let stored = h.sim.order(Provider::UnionPay, &order.out_trade_no).expect("order");
    let message =
        premia_paysim::unionpay::notification(h.sim.sim(), &stored, &premia_paysim::notify::NoticeKind::Paid, false)
            .expect("a notification");
    assert!(h.gateway(Provider::UnionPay).verify_notification(&http::HeaderMap::new(), &message.body).is_ok());
    let merchant = Url::parse("http://127.0.0.1:9/").expect("url");
    let identity = &h.sim.sim().identity.unionpay;
    type Change<'a> = Box<dyn Fn(&mut premia_pay::unionpay::Trust) + 'a>;
    let variants: [(&str, Change<'_>); 3] = [
        ("another signer name", Box::new(|t| t.signer_cn = "00040000:SIGN".to_owned())),
        ("the middle certificate as root", Box::new(|t| t.root = t.middle.clone())),
        ("another middle certificate", Box::new(|t| t.middle = identity.signer.clone())),
    ];
    for (what, change) in variants {
        let mut config = h.sim.merchant_config(|p| merchant.join(p.as_str()).expect("url"), TIMEOUT);
        change(&mut config.unionpay.as_mut().expect("unionpay").trust);
        let payments = Payments::new(config).expect("gateways");
        let refused = payments
            .gateway(Provider::UnionPay)
            .expect("unionpay")
            .verify_notification(&http::HeaderMap::new(), &message.body);
        assert!(matches!(refused, Err(NotifyError::Certificate(_))), "{what}: {refused:?}");
    }
    // A certificate swapped for another one the chain does not know.
    let mut fields: BTreeMap<String, String> =
        form_urlencoded::parse(&message.body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    fields.insert("signPubKeyCert".into(), identity.root.to_pem());
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
    let refused = h.gateway(Provider::UnionPay).verify_notification(&http::HeaderMap::new(), body.as_bytes());
    assert!(matches!(refused, Err(NotifyError::Certificate(_))), "{refused:?}");
    // The amount altered after signing.
    fields.insert("signPubKeyCert".into(), identity.signer.to_pem());
    fields.insert("txnAmt".into(), "1".into());
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
    let refused = h.gateway(Provider::UnionPay).verify_notification(&http::HeaderMap::new(), body.as_bytes());
    assert_eq!(refused, Err(NotifyError::BadSignature));
}

#[tokio::test]
async fn configurations_made_in_code_are_held_to_https_too() {
    let h = harness(fast(), TIMEOUT).await;
    let public = |p: Provider| Url::parse(&format!("http://premia.example.com/notify/{}", p.as_str())).expect("url");
    let refused = Payments::new(h.sim.merchant_config(public, TIMEOUT)).expect_err("plain http off loopback");
    assert!(matches!(refused, premia_pay::ConfigError::Invalid { field: "wechat.notify_url", .. }), "{refused}");
}

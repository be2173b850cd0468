//! Buying through the server against the payment simulators, on SQLite and PostgreSQL: an application
//! with its details and consent, an order for the server's own first premium, payment in the simulator,
//! the policy issued exactly once and signed (verified with /api/keys), the printable page; every
//! failure mode of the notification corpus (duplicate, wrong amount, bad signature, never notified,
//! notification before the query), forged notifications, expiry, and a cooling-off refund.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use premia_core::{Quote, QuoteRequest, demo};
use premia_pay::Provider;
use premia_paysim::{Fault, Identity, SimConfig, Simulator};
use premia_server::{AppState, Config};
use serde_json::{Value, json};
use support::db;
use support::quotes;
use tokio::net::TcpListener;

fn identity() -> Identity {
    static IDENTITY: OnceLock<Identity> = OnceLock::new();
    IDENTITY.get_or_init(Identity::generate).clone()
}

struct Shop {
    base: String,
    state: AppState,
    sim: Simulator,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

/// A server with payments configured against a fresh simulator (which notifies this server).
async fn shop(database_url: Option<&str>) -> Shop {
    shop_with(database_url, |_| {}, |_| {}).await
}

/// [`shop`], with the simulator's and the server's configuration changed first.
async fn shop_with(
    database_url: Option<&str>,
    sim_changes: impl FnOnce(&mut SimConfig),
    server_changes: impl FnOnce(&mut Config),
) -> Shop {
    let data = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let ms = Duration::from_millis;
    let mut sim_config = SimConfig {
        retry_schedule: vec![ms(0), ms(150), ms(300), ms(600), ms(1200)],
        slow_delay: ms(1500),
        refund_delay: ms(50),
        default_fault: None,
    };
    sim_changes(&mut sim_config);
    let sim = Simulator::start_with(identity(), sim_config, 0).await.unwrap();
    let notify = |p: Provider| url::Url::parse(&format!("{base}/api/pay/notify/{}", p.as_str())).unwrap();
    let payments = identity().write_merchant_config(&data.path().join("payments"), sim.base(), notify).unwrap();
    let mut config = Config::for_data_dir(data.path().join("data"));
    config.database_url = database_url.map(str::to_owned);
    config.site_dir = data.path().join("site");
    config.allow_demo = true;
    config.limits.verify_rate = 0;
    config.limits.submit_rate = 0;
    config.payments = Some(payments);
    config.reconcile_every = ms(100);
    server_changes(&mut config);
    let clock: premia_server::Clock = Arc::new(quotes::today);
    let state = premia_server::state(config, clock).await.unwrap();
    let app = premia_server::routes::router(state.clone());
    let limits = state.config.limits.clone();
    tokio::spawn(async move { premia_server::serve_on(listener, app, &limits, std::future::pending()).await });
    Shop { base, state, sim, http: reqwest::Client::new(), _data: data }
}

impl Shop {
    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let response = self.http.post(format!("{}{path}", self.base)).json(body).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.http.get(format!("{}{path}", self.base)).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    /// Apply with details for the policyholder insuring himself (term life: his heirs by law).
    async fn apply(&self, sequence: u16) -> (String, Quote) {
        let number = id("19800101", sequence);
        let quote = term_quote(&number);
        let body = json!({ "quote": quote, "resident_id": number, "application": details(&quote, &number) });
        let (status, answer) = self.post("/api/quotes", &body).await;
        assert_eq!(status, 201, "{answer}");
        (answer["purchase"]["token"].as_str().unwrap().to_owned(), quote)
    }

    async fn order(&self, token: &str) -> Value {
        let (status, order) =
            self.post(&format!("/api/purchases/{token}/payment"), &json!({ "method": "wechat_native" })).await;
        assert_eq!(status, 200, "{order}");
        order
    }

    /// Deliver a notification the simulator built as its own delivery would: the HTTP status and body.
    async fn deliver(&self, message: premia_paysim::notify::Message) -> (u16, String) {
        let mut request = self.http.post(&message.url).header("content-type", message.content_type).body(message.body);
        for (name, value) in message.headers {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// The simulator's payment notification of `order`, signed afresh (a provider's retry or a replay).
    fn paid_notice(&self, provider: Provider, order: &str) -> premia_paysim::notify::Message {
        let order = self.sim.order(provider, order).unwrap();
        let kind = premia_paysim::notify::NoticeKind::Paid;
        match provider {
            Provider::Wechat => premia_paysim::wechat::notification(self.sim.sim(), &order, &kind, false),
            Provider::Alipay => premia_paysim::alipay::notification(self.sim.sim(), &order, &kind, false),
            Provider::UnionPay => premia_paysim::unionpay::notification(self.sim.sim(), &order, &kind, false),
        }
        .unwrap()
    }

    async fn status(&self, token: &str) -> Value {
        self.get(&format!("/api/purchases/{token}")).await.1
    }

    /// Wait (up to 10 s) until the purchase's status is `want`.
    async fn until(&self, token: &str, want: &str) -> Value {
        for _ in 0..100 {
            let status = self.status(token).await;
            if status["status"] == want {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("status never became {want}: {}", self.status(token).await);
    }
}

fn id(born: &str, sequence: u16) -> String {
    let first17 = format!("310104{born}{sequence:03}");
    format!("{first17}{}", premia_core::resident_id::check_char(first17.as_bytes()))
}

fn term_quote(number: &str) -> Quote {
    let request: QuoteRequest = serde_json::from_value(json!({
        "quote_date": quotes::today(),
        "insured": {
            "resident_id": number, "smoker": false, "occupation_class": 1, "social_insurance": true,
            "height_cm": "170", "weight_kg": "65", "annual_income": "400000",
            "health_answers": { "CANCER": { "yes": false }, "HEART": { "yes": false }, "HTN": { "yes": false },
                                "DIABETES": { "yes": false } },
        },
        "coverages": [{ "product": "TERM", "sum_assured": "500000", "coverage_term": "years:20",
                        "payment_term": "years:20", "frequency": "annual" }],
        "channel": { "kind": "direct" },
    }))
    .unwrap();
    premia_core::quote(&demo::catalogue(), &request).unwrap()
}

fn details(quote: &Quote, number: &str) -> Value {
    let catalogue = demo::catalogue();
    let confirmations: Vec<Value> = premia_core::purchase::consent::required(&catalogue, quote)
        .unwrap()
        .iter()
        .map(|d| json!({ "document": d.id, "sha256": d.sha256, "confirmed_at": "2026-11-25T10:15:00+08:00" }))
        .collect();
    json!({
        "policyholder": { "name": "王建国", "resident_id": number, "mobile": "138 0013 8000",
                          "address": { "region": "310104", "detail": "漕溪北路 88 号 3 楼" } },
        "insured": { "relationship": "self" },
        "beneficiaries": { "kind": "statutory" },
        "confirmations": confirmations,
    })
}

/// Verify a compact EdDSA JWS against the server's /api/keys, as a CRM would offline.
async fn verify_jws(shop: &Shop, jws: &str) -> Value {
    let (_, keys) = shop.get("/api/keys").await;
    let mut parts = jws.split('.');
    let (header, payload, signature) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["typ"], "premia-policy+jws");
    let key =
        keys["keys"].as_array().unwrap().iter().find(|k| k["kid"] == header["kid"]).expect("the key is published");
    let x: [u8; 32] = URL_SAFE_NO_PAD.decode(key["x"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
    let signature = ed25519_dalek::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    let (signing_input, _) = jws.rsplit_once('.').unwrap();
    key.verify_strict(signing_input.as_bytes(), &signature).expect("the policy's signature verifies");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The deliveries of `order`'s refund notification, once the simulator has made at least one (up to 5 s).
async fn refund_deliveries(shop: &Shop, provider: Provider, order: &str) -> Vec<premia_paysim::Delivery> {
    for _ in 0..50 {
        let refunds: Vec<_> = shop.sim.deliveries(provider, order).into_iter().filter(|d| d.kind == "refund").collect();
        if refunds.iter().any(|d| d.status.is_some()) {
            return refunds;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no refund notification of {order} was delivered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn apply_pay_and_receive_the_policy_exactly_once() {
    for db in db::all().await {
        let shop = shop(Some(db.url.as_str())).await;
        let (token, quote) = shop.apply(11).await;
        let status = shop.status(&token).await;
        assert_eq!(
            (status["status"].as_str(), status["payable"].as_bool()),
            (Some("accepted"), Some(true)),
            "{status}"
        );
        let first =
            premia_core::purchase::schedule(&demo::catalogue(), &quote, quotes::today()).unwrap().payments[0].amount;
        assert_eq!(status["first_premium"], first.to_string(), "the server's own figure");

        // The amount is the server's: a client's figure is not even read.
        let (code, refused) = shop
            .post(&format!("/api/purchases/{token}/payment"), &json!({ "method": "wechat_native", "amount": "0.01" }))
            .await;
        assert_eq!(code, 400, "{refused}");
        let order = shop.order(&token).await;
        assert_eq!(order["amount"], first.to_string());
        assert_eq!(order["action"]["kind"], "qr_code");
        let again = shop.order(&token).await;
        assert_eq!(again["order"], order["order"], "{}: one open order, shown again", db.label);
        let number = order["order"].as_str().unwrap().to_owned();

        // Paid in the simulator, twice over: the second payment of the same order changes nothing.
        shop.sim.set_fault(Provider::Wechat, &number, Fault::DuplicateNotification);
        shop.sim.pay(Provider::Wechat, &number).unwrap();
        let issued = shop.until(&token, "issued").await;
        assert!(shop.sim.pay(Provider::Wechat, &number).is_err(), "an order is paid once at the provider");
        tokio::time::sleep(Duration::from_millis(800)).await;
        let deliveries = shop.sim.deliveries(Provider::Wechat, &number);
        assert!(deliveries.len() >= 2 && deliveries.iter().all(|d| d.status == Some(204)), "{deliveries:?}");
        assert_eq!(shop.state.store.policy_count().await.unwrap(), 1, "{}", db.label);
        // Any later order is refused: the application is paid.
        let (code, refused) =
            shop.post(&format!("/api/purchases/{token}/payment"), &json!({ "method": "alipay_qr" })).await;
        assert_eq!((code, refused["errors"][0]["code"].as_str()), (409, Some("payment.not_payable")), "{refused}");

        // The documents the person confirmed, by the hash they confirmed.
        let notice = premia_core::purchase::consent::required(&demo::catalogue(), &quote).unwrap()[0].sha256.clone();
        let (code, document) = shop.get(&format!("/api/documents/{notice}")).await;
        assert_eq!(code, 200);
        let text = document["text"].as_str().unwrap();
        assert_eq!(premia_core::digest::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes())), notice);

        // The policy: signed, verifiable with /api/keys, and printable.
        let (code, policy) = shop.get(&format!("/api/purchases/{token}/policy")).await;
        assert_eq!(code, 200);
        let signed = verify_jws(&shop, policy["signed"].as_str().unwrap()).await;
        assert_eq!(signed, policy["policy"]);
        assert_eq!(signed["number"], issued["policy"]["number"]);
        assert_eq!(signed["effective_from"], "2026-11-26", "00:00 the day after payment");
        assert_eq!(signed["schedule"]["payments"][0]["amount"], first.to_string());
        assert!(!policy.to_string().contains("19800101011"), "no ID number in the policy");
        let page = shop.http.get(format!("{}/policy/{token}", shop.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(signed["number"].as_str().unwrap()) && page.contains("138****8000"), "{page}");
        assert!(shop.get("/api/purchases/PA20261125-NOPE.0123456789abcdef0123456789abcdef").await.0 == 404);

        // Cancelled within the cooling-off period: refunded through the provider, recorded.
        let (code, cancelled) = shop.post(&format!("/api/purchases/{token}/cancel"), &json!({})).await;
        assert_eq!(code, 200, "{cancelled}");
        assert_eq!(cancelled["refund"]["amount"], first.to_string());
        shop.until(&token, "cancelled").await;
        // The provider's notification of the refund: acknowledged (recorded, or already known), never
        // refused — a refused one would be sent again and again.
        let refunds = refund_deliveries(&shop, Provider::Wechat, &number).await;
        assert!(refunds.iter().all(|d| d.status == Some(204) && d.acknowledged), "{}: {refunds:?}", db.label);
        shop.sim.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_notification_corpus_issues_once_or_flags() {
    for db in db::all().await {
        let shop = shop(Some(db.url.as_str())).await;

        // Wrong amount: refused and flagged, never issued.
        let (token, _) = shop.apply(13).await;
        let number = shop.order(&token).await["order"].as_str().unwrap().to_owned();
        shop.sim.set_fault(Provider::Wechat, &number, Fault::WrongAmount);
        shop.sim.pay(Provider::Wechat, &number).unwrap();
        let flagged = shop.until(&token, "under_review").await;
        assert!(flagged["policy"].is_null(), "{}: {flagged}", db.label);

        // Bad signature on every notification: refused each time; the query finds the payment.
        let (token, _) = shop.apply(15).await;
        let number = shop.order(&token).await["order"].as_str().unwrap().to_owned();
        shop.sim.set_fault(Provider::Wechat, &number, Fault::BadSignature);
        shop.sim.pay(Provider::Wechat, &number).unwrap();
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(shop.sim.deliveries(Provider::Wechat, &number).iter().all(|d| d.status == Some(500)));
        assert_eq!(shop.status(&token).await["status"], "accepted", "{}: nothing changed", db.label);
        premia_server::purchase::reconcile(&shop.state).await;
        shop.until(&token, "issued").await;

        // Never notified: the reconciliation's query issues it.
        let (token, _) = shop.apply(17).await;
        let number = shop.order(&token).await["order"].as_str().unwrap().to_owned();
        shop.sim.set_fault(Provider::Wechat, &number, Fault::NeverNotify);
        shop.sim.pay(Provider::Wechat, &number).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        premia_server::purchase::reconcile(&shop.state).await;
        shop.until(&token, "issued").await;

        // Notified before the query shows it paid: the verified payment stands.
        let (token, _) = shop.apply(19).await;
        let number = shop.order(&token).await["order"].as_str().unwrap().to_owned();
        shop.sim.set_fault(Provider::Wechat, &number, Fault::NotifyBeforeQuery);
        shop.sim.pay(Provider::Wechat, &number).unwrap();
        shop.until(&token, "issued").await;
        premia_server::purchase::reconcile(&shop.state).await;
        assert_eq!(shop.status(&token).await["status"], "issued", "{}: a lagging query never downgrades", db.label);

        // A forged notification changes nothing and is answered as WeChat Pay expects a rejection.
        let forged = shop
            .http
            .post(format!("{}/api/pay/notify/wechat", shop.base))
            .header("content-type", "application/json")
            .body(r#"{"id":"x","event_type":"TRANSACTION.SUCCESS","resource":{}}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status().as_u16(), 500);
        assert_eq!(shop.state.store.policy_count().await.unwrap(), 3, "{}: three issued, once each", db.label);

        // Without details an application is stored but cannot be paid; with a confirmation missing it is refused.
        let number = id("19800101", 21);
        let quote = term_quote(&number);
        let (code, answer) = shop.post("/api/quotes", &json!({ "quote": quote, "resident_id": number })).await;
        assert_eq!(code, 201);
        let bare = answer["purchase"]["token"].as_str().unwrap();
        let (code, refused) =
            shop.post(&format!("/api/purchases/{bare}/payment"), &json!({ "method": "wechat_native" })).await;
        assert_eq!((code, refused["errors"][0]["code"].as_str()), (409, Some("application.details_required")));
        let mut partial = details(&quote, &id("19800101", 23));
        partial["confirmations"].as_array_mut().unwrap().pop();
        let number = id("19800101", 23);
        let body = json!({ "quote": term_quote(&number), "resident_id": number, "application": partial });
        let (code, refused) = shop.post("/api/quotes", &body).await;
        assert_eq!(code, 422, "{refused}");
        let fields: Vec<&str> =
            refused["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["application.confirmations"], "{refused}");
        assert!(refused["errors"][0]["message"]["zh"].as_str().unwrap().contains("健康告知"), "{refused}");
        shop.sim.stop().await;
    }
}

/// Every provider's notification of a cooling-off refund is acknowledged in its terms (never the
/// rejection that makes it send again), and a copy of it sent again changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refund_notification_is_acknowledged_once_recorded() {
    for db in db::all().await {
        let shop = shop(Some(db.url.as_str())).await;
        for (sequence, provider, method) in [
            (81, Provider::Wechat, json!({ "method": "wechat_native" })),
            (83, Provider::Alipay, json!({ "method": "alipay_qr" })),
            (85, Provider::UnionPay, json!({ "method": "unionpay", "return_url": "https://shop.example/paid" })),
        ] {
            let (token, _) = shop.apply(sequence).await;
            let (code, order) = shop.post(&format!("/api/purchases/{token}/payment"), &method).await;
            assert_eq!(code, 200, "{order}");
            let number = order["order"].as_str().unwrap().to_owned();
            if provider == Provider::UnionPay {
                // The browser submits the signed form to the gateway: that is when UnionPay has the order.
                let fields: Vec<(String, String)> = serde_json::from_value(order["action"]["fields"].clone()).unwrap();
                let url = order["action"]["action"].as_str().unwrap();
                let form = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
                let form_type = "application/x-www-form-urlencoded";
                let submitted = shop.http.post(url).header("content-type", form_type).body(form).send().await.unwrap();
                assert!(submitted.status().is_success(), "{}", submitted.text().await.unwrap());
            }
            shop.sim.pay(provider, &number).unwrap_or_else(|e| panic!("{provider:?}: {e:?}"));
            shop.until(&token, "issued").await;
            let (code, cancelled) = shop.post(&format!("/api/purchases/{token}/cancel"), &json!({})).await;
            assert_eq!(code, 200, "{}: {provider:?}: {cancelled}", db.label);
            let cancelled = shop.until(&token, "cancelled").await;
            let refunds = refund_deliveries(&shop, provider, &number).await;
            let ack = provider.ack_received().status;
            assert!(
                refunds.iter().all(|d| d.status == Some(ack) && d.acknowledged),
                "{}: {provider:?}: {refunds:?}",
                db.label
            );
            assert_eq!(shop.status(&token).await, cancelled, "{}: {provider:?}", db.label);
            // The payment's notification as the provider builds it after the refund (a retry: WeChat
            // Pay's transaction now reads REFUND): the payment it reports was applied, so acknowledged.
            let (code, body) = shop.deliver(shop.paid_notice(provider, &number)).await;
            let acknowledged = provider.ack_received();
            assert_eq!((code, body.as_str()), (acknowledged.status, acknowledged.body), "{}: {provider:?}", db.label);
            assert_eq!(shop.status(&token).await, cancelled, "{}: {provider:?}: nothing revived", db.label);
        }
        assert_eq!(shop.state.store.policy_count().await.unwrap(), 3, "{}", db.label);
        shop.sim.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_selling_agent_sees_the_sale_with_their_token() {
    let shop = shop(None).await;
    let issued = shop.state.store.issue_agent_token("A1001", "test").await.unwrap();
    let number = id("19800101", 31);
    let mut request = serde_json::to_value(term_quote(&number).request).unwrap();
    request["channel"] = json!({ "kind": "agent", "agent_code": "A1001" });
    let request: QuoteRequest = serde_json::from_value(request).unwrap();
    let quote = premia_core::quote(&demo::catalogue(), &request).unwrap();
    let body = json!({ "quote": quote, "resident_id": number, "application": details(&quote, &number) });
    let response = shop
        .http
        .post(format!("{}/api/quotes", shop.base))
        .header("authorization", format!("Bearer {}", issued.token))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let answer: Value = response.json().await.unwrap();
    let (application, token) = (answer["application"].as_str().unwrap(), answer["purchase"]["token"].as_str().unwrap());
    let number = shop.order(token).await["order"].as_str().unwrap().to_owned();
    shop.sim.pay(Provider::Wechat, &number).unwrap();
    shop.until(token, "issued").await;
    let seen: Value = shop
        .http
        .get(format!("{}/api/applications/{application}", shop.base))
        .header("authorization", format!("Bearer {}", issued.token))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(seen["purchase"]["status"]["status"], "issued", "{seen}");
    assert!(seen["purchase"]["status"]["policy"]["number"].as_str().unwrap().starts_with("PL"));
    shop.sim.stop().await;
}

/// An application the desk accepts with a loading is paid at the desk's figure, and its policy is the
/// desk's quote (the loading in it); before the decision it cannot be paid.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_desk_accepted_application_is_paid_at_the_desks_figure() {
    let ms = Duration::from_millis;
    let config =
        SimConfig { retry_schedule: vec![ms(0)], slow_delay: ms(500), refund_delay: ms(50), default_fault: None };
    let sim = Simulator::start_with(identity(), config, 0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Notifications go nowhere: the reconciliation's query finds the payment.
    let dead = |p: Provider| url::Url::parse(&format!("http://127.0.0.1:9/api/pay/notify/{}", p.as_str())).unwrap();
    let payments = identity().write_merchant_config(&dir.path().join("payments"), sim.base(), dead).unwrap();
    let server = support::server::TestServer::start(None, |c| {
        c.payments = Some(payments.clone());
        c.reconcile_every = ms(1);
    })
    .await;
    let (request, number) = support::desk::heavy_request(300);
    let quote = premia_core::quote(&demo::catalogue(), &request).unwrap();
    let body = json!({ "quote": quote, "resident_id": number, "application": details(&quote, &number) });
    let (status, created) = support::server::json(server.post("/api/quotes", body.to_string(), &[]).await).await;
    assert_eq!((status, created["status"].as_str()), (201, Some("referred")), "{created}");
    let (application, token) =
        (created["application"].as_str().unwrap(), created["purchase"]["token"].as_str().unwrap());
    let pay_path = format!("/api/purchases/{token}/payment");
    let pay = || server.post(&pay_path, r#"{"method":"wechat_native"}"#, &[]);
    let (status, refused) = support::server::json(pay().await).await;
    assert_eq!((status, refused["errors"][0]["code"].as_str()), (409, Some("application.not_accepted")), "{refused}");

    let underwriter = support::desk::staff(&server, "u.one", "underwriter").await;
    let decision = json!({ "verdict": { "kind": "accept_with_terms", "loading": "0.25" }, "note": "BMI 30.4" });
    let (status, outcome) =
        underwriter.post(&server, &format!("/api/desk/cases/{application}/decisions"), &decision).await;
    assert_eq!((status, outcome["status"].as_str()), (200, Some("decided")), "{outcome}");
    let desk_quote: Quote = serde_json::from_value(outcome["quote"].clone()).unwrap();
    let desk_first =
        premia_core::purchase::schedule(&demo::catalogue(), &desk_quote, quotes::today()).unwrap().payments[0].amount;
    let own_first =
        premia_core::purchase::schedule(&demo::catalogue(), &quote, quotes::today()).unwrap().payments[0].amount;
    assert!(desk_first > own_first, "the loading costs more: {desk_first} > {own_first}");

    let (status, order) = support::server::json(pay().await).await;
    assert_eq!(status, 200, "{order}");
    assert_eq!(order["amount"], desk_first.to_string(), "the desk's figure, not the quote the client sent");
    sim.pay(Provider::Wechat, order["order"].as_str().unwrap()).unwrap();
    tokio::time::sleep(ms(50)).await;
    premia_server::purchase::reconcile(&server.state).await;
    let (_, policy) = support::server::json(server.get(&format!("/api/purchases/{token}/policy"), &[]).await).await;
    assert_eq!(policy["policy"]["coverages"][0]["loading"], "0.25", "{policy}");
    assert_eq!(policy["policy"]["schedule"]["payments"][0]["amount"], desk_first.to_string());
    // The applicant's status receipt shows it, with the policy's link.
    let receipt = created["receipt"].as_str().unwrap();
    let (_, view) = support::server::json(server.get(&format!("/api/status/{receipt}"), &[]).await).await;
    assert_eq!(view["purchase"]["status"], "issued", "{view}");
    let page = server.get(&format!("/status/{receipt}?lang=en"), &[]).await.text().await.unwrap();
    assert!(page.contains("Policy issued") && page.contains("/policy/"), "{page}");
    sim.stop().await;
}

/// The policyholder and named beneficiaries are checked against the blacklist like the insured, by
/// their keyed identities; the refusal is the insured's (bilingual, typed) and does not say who in the
/// application is listed. The audit log names the hits for staff.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_blacklisted_policyholder_or_beneficiary_is_refused_like_the_insured() {
    for db in db::all().await {
        let shop = shop(Some(db.url.as_str())).await;
        let listed = async |number: &str| {
            shop.state.store.blacklist_person(&shop.state.secret.identity(number), "fraud", "test").await
        };
        // The insured (sent beside the quote) and, apart from them, a policyholder and a beneficiary.
        let apply = |sequence: u16, holder: Option<&str>, beneficiary: Option<&str>| {
            let insured = id("19800101", sequence);
            let quote = term_quote(&insured);
            let mut application = details(&quote, &insured);
            if let Some(holder) = holder {
                application["policyholder"]["resident_id"] = json!(holder);
                application["insured"] = json!({ "relationship": "spouse", "name": "李丽", "resident_id": insured,
                                                  "consent_to_death_benefit": true });
            }
            if let Some(beneficiary) = beneficiary {
                application["beneficiaries"] = json!({ "kind": "named", "people": [
                    { "name": "王小红", "resident_id": beneficiary, "relationship": "spouse", "order": 1, "share": "100" }] });
            }
            json!({ "quote": quote, "resident_id": insured, "application": application })
        };
        let (holder, beneficiary) = (id("19820202", 42), id("19820202", 44));
        // Before they are listed, both applications are accepted: the refusals below are the blacklist's.
        let (code, answer) = shop.post("/api/quotes", &apply(41, Some(&holder), None)).await;
        assert_eq!(code, 201, "{}: {answer}", db.label);
        let (code, answer) = shop.post("/api/quotes", &apply(43, None, Some(&beneficiary))).await;
        assert_eq!(code, 201, "{}: {answer}", db.label);

        listed(&holder).await.unwrap();
        listed(&beneficiary).await.unwrap();
        let (code, by_holder) = shop.post("/api/quotes", &apply(45, Some(&holder), None)).await;
        assert_eq!(code, 403, "{}: {by_holder}", db.label);
        let (code, by_beneficiary) = shop.post("/api/quotes", &apply(47, None, Some(&beneficiary))).await;
        assert_eq!(code, 403, "{}: {by_beneficiary}", db.label);
        let error = &by_holder["errors"][0];
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some("blacklist.declined"), Some("application"))
        );
        assert_eq!(error["message"]["zh"], "无法受理此投保申请，请联系客服");
        assert_eq!(error["message"]["en"], "this application cannot be accepted; please contact us");
        assert_eq!(by_holder, by_beneficiary, "{}: the refusal does not say who is listed", db.label);
        let text = by_holder.to_string();
        assert!(!text.contains("policyholder") && !text.contains("beneficiar"), "{text}");

        // The insured's own refusal is unchanged, and the log tells staff who was listed.
        let insured = id("19800101", 49);
        listed(&insured).await.unwrap();
        let (code, by_insured) = shop.post("/api/quotes", &apply(49, None, None)).await;
        assert_eq!((code, by_insured["errors"][0]["field"].as_str()), (403, Some("resident_id")), "{by_insured}");
        let events = shop.state.store.audit_log(100).await.unwrap();
        let hits: Vec<String> = events
            .iter()
            .filter(|e| e.event == "blacklist.declined")
            .map(|e| serde_json::from_str::<Value>(&e.detail).unwrap()["hits"].to_string())
            .collect();
        for hit in ["application.policyholder", "application.beneficiaries.people[0]", "resident_id"] {
            assert!(hits.iter().any(|h| h.contains(hit)), "{}: {hit} in {hits:?}", db.label);
        }
        shop.sim.stop().await;
    }
}

/// Timeout then late success: the provider takes the order but answers after the server gave up
/// (`http.timeout_ms` below the simulator's slow delay), and its notification comes late too. The
/// person is told to try again and is shown the same order; the payment is applied exactly once, by
/// whichever comes first of the reconciliation's query and the late notification.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_timed_out_order_is_paid_once_by_the_query_or_the_late_notification() {
    for db in db::all().await {
        let shop = shop_with(
            Some(db.url.as_str()),
            |sim| sim.default_fault = Some(Fault::TimeoutThenLateSuccess),
            |config| {
                let path = config.payments.clone().unwrap();
                let mut toml = std::fs::read_to_string(&path).unwrap();
                toml.push_str("\n[http]\ntimeout_ms = 400\n");
                std::fs::write(&path, toml).unwrap();
            },
        )
        .await;
        let mut issued_by = Vec::new();
        for (sequence, query_first) in [(51, true), (53, false)] {
            let (token, _) = shop.apply(sequence).await;
            let pay = format!("/api/purchases/{token}/payment");
            let (code, timed_out) = shop.post(&pay, &json!({ "method": "wechat_native" })).await;
            assert_eq!(code, 503, "{}: {timed_out}", db.label);
            assert_eq!(timed_out["errors"][0]["code"], "payment.provider_unavailable");
            let pending = shop.status(&token).await;
            assert_eq!(pending["payable"], true, "{pending}");
            let number = pending["orders"][0]["order"].as_str().unwrap().to_owned();
            // The same order, placed again under its number: the provider answers with the one it has.
            let order = shop.order(&token).await;
            assert_eq!(order["order"], number, "{}: no second order", db.label);
            assert_eq!(order["action"]["kind"], "qr_code");
            shop.sim.pay(Provider::Wechat, &number).unwrap();
            if query_first {
                tokio::time::sleep(Duration::from_millis(150)).await;
                premia_server::purchase::reconcile(&shop.state).await;
                assert_eq!(shop.status(&token).await["status"], "issued", "{}: issued by the query", db.label);
            }
            // The late notification (after the simulator's 1.5 s), acknowledged either way.
            shop.until(&token, "issued").await;
            for _ in 0..50 {
                if !shop.sim.deliveries(Provider::Wechat, &number).is_empty() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let deliveries = shop.sim.deliveries(Provider::Wechat, &number);
            assert!(
                !deliveries.is_empty() && deliveries.iter().all(|d| d.status == Some(204)),
                "{}: {deliveries:?}",
                db.label
            );
            premia_server::purchase::reconcile(&shop.state).await;
            issued_by.push(shop.status(&token).await["policy"]["number"].clone());
        }
        assert_eq!(shop.state.store.policy_count().await.unwrap(), 2, "{}: once each", db.label);
        assert!(issued_by.iter().all(Value::is_string), "{issued_by:?}");
        let log = shop.state.metrics.render();
        assert!(log.contains(r#"outcome="issued_by_query"} 1"#), "{}: one by the query: {log}", db.label);
        shop.sim.stop().await;
    }
}

/// An unpaid order expires after `--payment-ttl`: the provider no longer takes it, a new order (a new
/// number) is made when the person pays again, the reconciliation closes the old one at the provider,
/// and the new one is paid once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unpaid_order_expires_and_a_new_one_is_made() {
    for db in db::all().await {
        let shop = shop_with(Some(db.url.as_str()), |_| {}, |config| config.payment_ttl = Duration::from_secs(2)).await;
        let (token, _) = shop.apply(61).await;
        let first = shop.order(&token).await;
        let first_number = first["order"].as_str().unwrap().to_owned();
        assert_eq!(shop.order(&token).await["order"], first_number, "still open: shown again");
        tokio::time::sleep(Duration::from_millis(2300)).await;
        assert!(shop.sim.pay(Provider::Wechat, &first_number).is_err(), "the provider took the expiry");

        let second = shop.order(&token).await;
        let second_number = second["order"].as_str().unwrap().to_owned();
        assert_ne!(second_number, first_number, "{}: a new order", db.label);
        let states = |status: &Value| -> Vec<(String, String)> {
            status["orders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| (o["order"].as_str().unwrap().to_owned(), o["state"].as_str().unwrap().to_owned()))
                .collect()
        };
        let status = shop.status(&token).await;
        assert!(states(&status).contains(&(first_number.clone(), "expired".into())), "{status}");
        premia_server::purchase::reconcile(&shop.state).await;
        let status = shop.status(&token).await;
        assert!(states(&status).contains(&(first_number.clone(), "closed".into())), "{}: {status}", db.label);
        assert_eq!(shop.sim.order(Provider::Wechat, &first_number).unwrap().state, premia_paysim::OrderState::Closed);

        shop.sim.pay(Provider::Wechat, &second_number).unwrap();
        shop.until(&token, "issued").await;
        // Read again: the status's reads are not one snapshot, so the read that first saw the policy
        // may have read the orders just before the same commit.
        let issued = shop.status(&token).await;
        assert_eq!(
            states(&issued),
            [(first_number, "closed".to_owned()), (second_number, "paid".to_owned())],
            "{}",
            db.label
        );
        assert_eq!(shop.state.store.policy_count().await.unwrap(), 1);
        shop.sim.stop().await;
    }
}

/// Replayed and reordered notifications: the same signed payment notification sent again (the same
/// bytes, and a fresh signature), for WeChat Pay and Alipay, is acknowledged and changes nothing; the
/// payment's notification arriving after the cooling-off refund's (reordered) neither revives the
/// cancelled policy nor issues another.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replayed_and_reordered_notifications_change_nothing() {
    for db in db::all().await {
        let shop = shop(Some(db.url.as_str())).await;
        for (sequence, provider, method) in
            [(71, Provider::Wechat, "wechat_native"), (73, Provider::Alipay, "alipay_qr")]
        {
            let (token, _) = shop.apply(sequence).await;
            let (code, order) =
                shop.post(&format!("/api/purchases/{token}/payment"), &json!({ "method": method })).await;
            assert_eq!(code, 200, "{order}");
            let number = order["order"].as_str().unwrap().to_owned();
            shop.sim.pay(provider, &number).unwrap();
            shop.until(&token, "issued").await;
            let issued = shop.status(&token).await; // read again: see `an_unpaid_order_expires…`
            let replay = shop.paid_notice(provider, &number);
            let again = premia_paysim::notify::Message {
                url: replay.url.clone(),
                content_type: replay.content_type,
                headers: replay.headers.clone(),
                body: replay.body.clone(),
            };
            let acknowledged = |(code, body): (u16, String)| match provider {
                Provider::Alipay => code == 200 && body.trim() == "success",
                _ => (200..300).contains(&code),
            };
            assert!(acknowledged(shop.deliver(replay).await), "{}: a replay is acknowledged", db.label);
            assert!(acknowledged(shop.deliver(again).await), "{}: the same bytes again", db.label);
            assert!(acknowledged(shop.deliver(shop.paid_notice(provider, &number)).await), "{}", db.label);
            assert_eq!(shop.status(&token).await, issued, "{}: nothing changed", db.label);

            // Cancelled and refunded, then a retry of the payment's notification (as sent before the
            // refund) arrives after the refund's: still cancelled.
            let retry = shop.paid_notice(provider, &number);
            let (code, cancelled) = shop.post(&format!("/api/purchases/{token}/cancel"), &json!({})).await;
            assert_eq!(code, 200, "{cancelled}");
            shop.until(&token, "cancelled").await;
            let cancelled = shop.status(&token).await;
            let late = shop.deliver(retry).await;
            assert!(acknowledged(late.clone()), "{}: {late:?}", db.label);
            assert_eq!(shop.status(&token).await, cancelled, "{}: a late payment notice revives nothing", db.label);
        }
        assert_eq!(shop.state.store.policy_count().await.unwrap(), 2, "{}", db.label);
        shop.sim.stop().await;
    }
}

//! Simulators of WeChat Pay API v3, Alipay's open platform gateway and UnionPay's 全渠道 gateway,
//! on one loopback port, for Premia's tests and demo. Each speaks its provider's paths, formats
//! and signatures (checking the merchant's, signing its own with keys made for the run), keeps
//! orders, serves a cashier page where a person "pays", sends signed notifications to the
//! merchant's notify URL with retries until acknowledged, answers query, close and refund, and
//! can be told to show each failure mode ([`Fault`]).
//!
//! # Code map
//!
//! - [`identity`] — the run's keys and certificates, both sides, and the merchant configuration
//!   (in memory, or written as the documented file set).
//! - [`ledger`] — orders, refunds, faults, the delivery log.
//! - [`wechat`], [`alipay`], [`unionpay`] — each provider's API: verify the merchant's request,
//!   act on the books, answer signed; build its notifications.
//! - [`notify`] — delivery with retries.
//! - [`page`] — the cashier page.
//! - `admin` (below) — `/sim/admin/…`: orders, faults, paying without a browser, the delivery log.
//!
//! **Architecture Invariant:** the simulators reuse `premia_pay`'s signature primitives (one
//! definition of each provider's canonical strings), which the providers' published test vectors
//! pin in `premia_pay`'s unit tests; the requests they check are read from the HTTP request as
//! received, never from the adapter's own values.

pub mod alipay;
pub mod identity;
pub mod ledger;
pub mod notify;
pub mod page;
pub mod unionpay;
pub mod wechat;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, Utc};
use premia_pay::Provider;
use premia_pay::model::china_time;
use serde::{Deserialize, Serialize};
use url::Url;

pub use identity::Identity;
pub use ledger::{Delivery, Fault, Order, OrderState};

/// How the simulators behave.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Waits before each delivery attempt (the first usually zero). Real providers wait minutes
    /// (WeChat 15 s, 15 s, 30 s, 3 min…; Alipay 4 min, 10 min, 10 min, 1 h…); tests want
    /// milliseconds.
    pub retry_schedule: Vec<Duration>,
    /// How late a [`Fault::TimeoutThenLateSuccess`] answer and notification come.
    pub slow_delay: Duration,
    /// How long a WeChat or UnionPay refund stays processing before it succeeds.
    pub refund_delay: Duration,
    /// The fault of every order that is not given its own.
    pub default_fault: Option<Fault>,
}

impl Default for SimConfig {
    fn default() -> SimConfig {
        let ms = Duration::from_millis;
        SimConfig {
            retry_schedule: vec![ms(0), ms(500), ms(1000), ms(2000), ms(5000), ms(10_000), ms(30_000)],
            slow_delay: Duration::from_secs(3),
            refund_delay: ms(200),
            default_fault: None,
        }
    }
}

/// The state every handler shares.
#[derive(Debug)]
pub struct Sim {
    /// Keys of the run.
    pub identity: Identity,
    /// The books.
    pub ledger: Mutex<ledger::Ledger>,
    /// For notifications.
    pub client: reqwest::Client,
    /// Behaviour.
    pub config: SimConfig,
    /// The simulator's own base URL.
    pub base: Url,
}

impl Sim {
    /// A simulator's keys and books without its HTTP server, said to be at `base` (the benches make
    /// its orders and notifications in process): fresh keys, the default behaviour.
    pub fn unserved(base: Url) -> Sim {
        Sim {
            identity: Identity::generate(),
            ledger: Mutex::default(),
            client: reqwest::Client::new(),
            config: SimConfig::default(),
            base,
        }
    }

    /// The QR code content of a QR order (WeChat Native: a `weixin://` URL, as WeChat writes it;
    /// Alipay: a loopback URL of the cashier, as Alipay's is an https URL of its own).
    pub fn qr_content(&self, order: &Order) -> String {
        match order.provider {
            Provider::Wechat => format!("weixin://wxpay/bizpayurl?pr={}", order.token),
            _ => self.pay_page(&order.token),
        }
    }

    /// The cashier page of an order.
    pub fn pay_page(&self, token: &str) -> String {
        self.base.join(&format!("sim/pay/{token}")).expect("a page URL").to_string()
    }

    /// Now, in China time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().with_timezone(&china_time())
    }
}

/// Why an order could not be paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayRefused {
    /// No such order.
    NotFound,
    /// Already paid (paying again changes nothing).
    AlreadyPaid,
    /// Closed or expired.
    NotPayable,
}

/// Pays an order, as the cashier page's button does, and sends its notification.
pub fn pay_order(sim: &Arc<Sim>, provider: Provider, out_trade_no: &str) -> Result<(), PayRefused> {
    {
        let mut ledger = sim.ledger.lock().expect("ledger lock");
        let order = ledger.orders.get_mut(&(provider, out_trade_no.to_owned())).ok_or(PayRefused::NotFound)?;
        match order.state {
            OrderState::Paid => return Err(PayRefused::AlreadyPaid),
            OrderState::Closed => return Err(PayRefused::NotPayable),
            OrderState::Created if Utc::now() > order.expires => return Err(PayRefused::NotPayable),
            OrderState::Created => {}
        }
        order.state = OrderState::Paid;
        order.scanned = true;
        order.paid_at = Some(sim.now());
        if order.fault == Some(Fault::NotifyBeforeQuery) {
            order.lagging_queries = 1;
        }
    }
    notify::spawn(Arc::clone(sim), provider, out_trade_no.to_owned(), notify::NoticeKind::Paid);
    Ok(())
}

/// Completes a refund after the configured delay and notifies it.
pub(crate) fn finish_refund(sim: Arc<Sim>, provider: Provider, out_trade_no: String, out_refund_no: String) {
    tokio::spawn(async move {
        tokio::time::sleep(sim.config.refund_delay).await;
        {
            let mut ledger = sim.ledger.lock().expect("ledger lock");
            let now = sim.now();
            let Some(order) = ledger.orders.get_mut(&(provider, out_trade_no.clone())) else { return };
            if let Some(refund) = order.refunds.iter_mut().find(|r| r.out_refund_no == out_refund_no) {
                refund.done = true;
                refund.at = Some(now);
            }
        }
        notify::spawn(sim, provider, out_trade_no, notify::NoticeKind::Refund(out_refund_no));
    });
}

/// A running simulator.
#[derive(Debug)]
pub struct Simulator {
    sim: Arc<Sim>,
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Simulator {
    /// Starts all three simulators on `127.0.0.1:port` (0: any free port) with fresh keys.
    pub async fn start(config: SimConfig, port: u16) -> std::io::Result<Simulator> {
        let identity = tokio::task::spawn_blocking(Identity::generate).await.map_err(std::io::Error::other)?;
        Simulator::start_with(identity, config, port).await
    }

    /// Starts with given keys.
    pub async fn start_with(identity: Identity, config: SimConfig, port: u16) -> std::io::Result<Simulator> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let address = listener.local_addr()?;
        let base = Url::parse(&format!("http://{address}/")).expect("a loopback URL");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        let ledger = ledger::Ledger { default_fault: config.default_fault, ..Default::default() };
        let sim = Arc::new(Sim { identity, ledger: Mutex::new(ledger), client, config, base });
        let app = router(Arc::clone(&sim));
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            let _ = serve.await;
        });
        Ok(Simulator { sim, address, shutdown: Some(shutdown), task: Some(task) })
    }

    /// `http://127.0.0.1:PORT/`: WeChat's `api_base`, UnionPay's gateway; Alipay's gateway is
    /// `gateway.do` under it.
    pub fn base(&self) -> &Url {
        &self.sim.base
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The shared state (keys, books).
    pub fn sim(&self) -> &Arc<Sim> {
        &self.sim
    }

    /// The merchant configuration for this run, notifications going to `notify(provider)`.
    pub fn merchant_config(&self, notify: impl Fn(Provider) -> Url, timeout: Duration) -> premia_pay::PaymentsConfig {
        self.sim.identity.merchant_config(&self.sim.base, notify, timeout)
    }

    /// Sets the fault of an order (before or after it is created).
    pub fn set_fault(&self, provider: Provider, out_trade_no: &str, fault: Fault) {
        let mut ledger = self.sim.ledger.lock().expect("ledger lock");
        match ledger.orders.get_mut(&(provider, out_trade_no.to_owned())) {
            Some(order) => order.fault = Some(fault),
            None => {
                ledger.pending_faults.insert((provider, out_trade_no.to_owned()), fault);
            }
        }
    }

    /// Pays an order as a person would.
    pub fn pay(&self, provider: Provider, out_trade_no: &str) -> Result<(), PayRefused> {
        pay_order(&self.sim, provider, out_trade_no)
    }

    /// A copy of an order.
    pub fn order(&self, provider: Provider, out_trade_no: &str) -> Option<Order> {
        self.sim.ledger.lock().expect("ledger lock").orders.get(&(provider, out_trade_no.to_owned())).cloned()
    }

    /// The delivery attempts of an order's notifications.
    pub fn deliveries(&self, provider: Provider, out_trade_no: &str) -> Vec<Delivery> {
        let ledger = self.sim.ledger.lock().expect("ledger lock");
        ledger.deliveries.iter().filter(|d| d.provider == provider && d.out_trade_no == out_trade_no).cloned().collect()
    }

    /// Stops serving (deliveries in flight are abandoned).
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .merge(wechat::routes())
        .merge(alipay::routes())
        .merge(unionpay::routes())
        .route("/sim/pay/{token}", get(page::show).post(page::pay))
        .route("/sim/scan", get(wechat::scan))
        .route("/sim/admin/orders", get(admin_orders))
        .route("/sim/admin/faults", post(admin_fault))
        .route("/sim/admin/pay", post(admin_pay))
        .route("/sim/admin/deliveries", get(admin_deliveries))
        .route("/sim/admin/keys", get(admin_keys))
        .with_state(sim)
}

/// Names an order in the admin API.
#[derive(Debug, Deserialize)]
pub struct OrderKey {
    /// Provider.
    pub provider: Provider,
    /// The merchant's order number.
    pub out_trade_no: String,
}

/// `POST /sim/admin/faults`: a fault for one order (`out_trade_no`), or for the provider's next
/// order (no `out_trade_no`).
#[derive(Debug, Deserialize)]
pub struct FaultRequest {
    /// Provider.
    pub provider: Provider,
    /// The order, or none for the next one.
    pub out_trade_no: Option<String>,
    /// The fault.
    pub fault: Fault,
}

async fn admin_orders(State(sim): State<Arc<Sim>>) -> Json<Vec<Order>> {
    Json(sim.ledger.lock().expect("ledger lock").orders.values().cloned().collect())
}

async fn admin_fault(State(sim): State<Arc<Sim>>, Json(request): Json<FaultRequest>) -> Json<serde_json::Value> {
    let mut ledger = sim.ledger.lock().expect("ledger lock");
    match request.out_trade_no {
        Some(no) => match ledger.orders.get_mut(&(request.provider, no.clone())) {
            Some(order) => order.fault = Some(request.fault),
            None => {
                ledger.pending_faults.insert((request.provider, no), request.fault);
            }
        },
        None => {
            ledger.next_fault.insert(request.provider, request.fault);
        }
    }
    Json(serde_json::json!({ "ok": true }))
}

async fn admin_pay(State(sim): State<Arc<Sim>>, Json(key): Json<OrderKey>) -> Json<serde_json::Value> {
    match pay_order(&sim, key.provider, &key.out_trade_no) {
        Ok(()) => Json(serde_json::json!({ "ok": true })),
        Err(refused) => Json(serde_json::json!({ "ok": false, "refused": refused })),
    }
}

#[derive(Debug, Deserialize)]
struct DeliveryFilter {
    provider: Option<Provider>,
    out_trade_no: Option<String>,
}

async fn admin_deliveries(State(sim): State<Arc<Sim>>, Query(filter): Query<DeliveryFilter>) -> Json<Vec<Delivery>> {
    let ledger = sim.ledger.lock().expect("ledger lock");
    let matches = |d: &&Delivery| {
        filter.provider.is_none_or(|p| p == d.provider)
            && filter.out_trade_no.as_ref().is_none_or(|n| *n == d.out_trade_no)
    };
    Json(ledger.deliveries.iter().filter(matches).cloned().collect())
}

/// `GET /sim/admin/keys`: the public half of this run's provider keys, which a merchant configures
/// (the merchant's own keys are in the configuration the simulator writes or hands over).
async fn admin_keys(State(sim): State<Arc<Sim>>) -> Json<serde_json::Value> {
    let (w, a, u) = (&sim.identity.wechat, &sim.identity.alipay, &sim.identity.unionpay);
    Json(serde_json::json!({
        "wechat": {
            "mchid": w.mchid,
            "appid": w.appid,
            "platform_public_key_id": w.platform_key_id,
            "platform_public_key": w.platform_key.verifying_key().to_pem(),
        },
        "alipay": { "app_id": a.app_id, "seller_id": a.seller_id, "alipay_public_key": a.alipay_key.verifying_key().to_pem() },
        "unionpay": {
            "mer_id": u.mer_id,
            "root_cert": u.root.to_pem(),
            "middle_cert": u.middle.to_pem(),
            "signer_cert": u.signer.to_pem(),
        },
    }))
}

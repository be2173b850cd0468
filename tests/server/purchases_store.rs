//! Payments in the store on real SQLite and real PostgreSQL: one open order per application, expiry and
//! a new order, a payment applied exactly once under duplicate, replayed, concurrent and late
//! notifications, a second order paid flagged, a differing amount flagged, a cooling-off refund.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::sync::Arc;

use premia_store::{NewOrder, NewPolicy, NewPurchase, NewRefund, OrderOpening, PaidNotice, PaymentApplied, Store};
use support::db::{self, TestDb};

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url).await.unwrap_or_else(|e| panic!("{}: open {}: {e}", db.label, db.url))
}

/// An accepted application awaiting its first premium of 1,565.61 yuan.
async fn awaiting(store: &Store, number: &str) {
    store.submit(support::store::application(number)).await.unwrap();
    let purchase = NewPurchase {
        application_number: number.into(),
        application_json: "{}".into(),
        received_at: 1_000,
        first_premium_fen: 156_561,
        currency: "CNY".into(),
    };
    assert!(store.record_purchase(&purchase).await.unwrap());
    assert!(!store.record_purchase(&purchase).await.unwrap(), "a retry stores nothing twice");
}

fn order(application: &str, number: &str, placed_at: i64) -> NewOrder {
    NewOrder {
        out_trade_no: number.into(),
        application_number: application.into(),
        provider: "wechat".into(),
        amount_fen: 156_561,
        currency: "CNY".into(),
        placed_at,
        expires_at: placed_at + 1_800_000,
        action_json: r#"{"kind":"qr_code","content":"weixin://wxpay/bizpayurl?pr=x"}"#.into(),
    }
}

fn paid(notice: &str, order: &str) -> PaidNotice {
    PaidNotice {
        notice_id: notice.into(),
        out_trade_no: order.into(),
        provider_trade_no: format!("42000{order}"),
        paid_at: 5_000,
        received_at: 5_001,
    }
}

fn policy(application: &str) -> NewPolicy {
    NewPolicy {
        number: format!("P{application}"),
        application_number: application.into(),
        issued_at: 5_002,
        policy_json: "{}".into(),
        signature: "sig".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_open_order_then_a_new_one_after_expiry() {
    for db in db::all().await {
        let store = open(&db).await;
        awaiting(&store, "A1").await;
        let first = order("A1", "PRM0000000001", 10_000);
        assert!(matches!(store.open_order(&first, 10_000).await.unwrap(), OrderOpening::Created(_)), "{}", db.label);
        let second = order("A1", "PRM0000000002", 20_000);
        let OrderOpening::StillOpen(open) = store.open_order(&second, 20_000).await.unwrap() else {
            panic!("{}: the open order is shown again", db.label)
        };
        assert_eq!(open.out_trade_no, "PRM0000000001");
        // Past its expiry the order is expired and a new one is made.
        let later = 10_000 + 1_800_000;
        let third = order("A1", "PRM0000000003", later);
        assert!(matches!(store.open_order(&third, later).await.unwrap(), OrderOpening::Created(_)), "{}", db.label);
        let states: Vec<String> = store.orders_of("A1").await.unwrap().into_iter().map(|o| o.state).collect();
        assert_eq!(states, ["expired", "open"], "{}", db.label);
        assert_eq!(
            store.open_order(&order("NOPE", "PRM0000000009", 1), 1).await.unwrap(),
            OrderOpening::NoPurchase,
            "{}",
            db.label
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_is_applied_exactly_once() {
    for db in db::all().await {
        let store = Arc::new(open(&db).await);
        awaiting(&store, "A2").await;
        store.open_order(&order("A2", "PRM0000000021", 0), 0).await.unwrap();
        // Twenty copies of one notification at once: one issues.
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store.apply_payment(&paid("wechat:paid:T21", "PRM0000000021"), &policy("A2")).await.unwrap()
            }));
        }
        let mut issued = 0;
        for task in tasks {
            match task.await.unwrap() {
                PaymentApplied::Issued => issued += 1,
                PaymentApplied::Duplicate => {}
                other => panic!("{}: {other:?}", db.label),
            }
        }
        assert_eq!(issued, 1, "{}", db.label);
        // The query's result for the same payment, under another id, is a duplicate too.
        let late = store.apply_payment(&paid("wechat:query:T21", "PRM0000000021"), &policy("A2")).await.unwrap();
        assert_eq!(late, PaymentApplied::Duplicate, "{}", db.label);
        assert_eq!(store.policy_count().await.unwrap(), 1, "{}", db.label);
        assert_eq!(store.purchase("A2").await.unwrap().unwrap().state, "issued");
        let order = store.order("PRM0000000021").await.unwrap().unwrap();
        assert_eq!((order.state.as_str(), order.paid_at), ("paid", Some(5_000)), "{}", db.label);
        // Paid: no further order.
        let again = store.open_order(&self::order("A2", "PRM0000000022", 9), 9).await.unwrap();
        assert_eq!(again, OrderOpening::NotPayable { state: "issued".into() }, "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_order_paid_is_flagged_not_issued() {
    for db in db::all().await {
        let store = Arc::new(open(&db).await);
        awaiting(&store, "A3").await;
        store.open_order(&order("A3", "PRM0000000031", 0), 0).await.unwrap();
        // The first expires unpaid; a second is made; then both are paid, at once (two tabs).
        store.open_order(&order("A3", "PRM0000000032", 1_800_000), 1_800_000).await.unwrap();
        let (n1, n2, p) =
            (paid("wechat:paid:T31", "PRM0000000031"), paid("wechat:paid:T32", "PRM0000000032"), policy("A3"));
        let (a, b) = tokio::join!(store.apply_payment(&n1, &p), store.apply_payment(&n2, &p));
        let mut outcomes = [a.unwrap(), b.unwrap()];
        outcomes.sort_by_key(|o| format!("{o:?}"));
        assert_eq!(outcomes, [PaymentApplied::Issued, PaymentApplied::PaidTwice], "{}", db.label);
        assert_eq!(store.policy_count().await.unwrap(), 1, "{}", db.label);
        let purchase = store.purchase("A3").await.unwrap().unwrap();
        assert_eq!(purchase.state, "issued", "{}", db.label);
        assert!(purchase.flag.unwrap().contains("paid twice"), "{}", db.label);
        // A payment for an order nobody made is flagged, once.
        let unknown = store.apply_payment(&paid("wechat:paid:X", "PRM9999999999"), &policy("A3")).await.unwrap();
        assert_eq!(unknown, PaymentApplied::UnknownOrder, "{}", db.label);
        let again = store.apply_payment(&paid("wechat:paid:X", "PRM9999999999"), &policy("A3")).await.unwrap();
        assert_eq!(again, PaymentApplied::Duplicate, "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_differing_amount_is_flagged_and_a_refund_cancels() {
    for db in db::all().await {
        let store = open(&db).await;
        awaiting(&store, "A4").await;
        store.open_order(&order("A4", "PRM0000000041", 0), 0).await.unwrap();
        assert!(store.flag_payment("wechat:paid:T41", "PRM0000000041", 7, "amount 1.00 ≠ 1565.61").await.unwrap());
        assert!(!store.flag_payment("wechat:paid:T41", "PRM0000000041", 8, "again").await.unwrap(), "{}", db.label);
        assert_eq!(store.order("PRM0000000041").await.unwrap().unwrap().state, "mismatch");
        let purchase = store.purchase("A4").await.unwrap().unwrap();
        assert_eq!((purchase.state.as_str(), purchase.flag.as_deref()), ("flagged", Some("amount 1.00 ≠ 1565.61")));
        assert_eq!(store.policy_count().await.unwrap(), 0, "{}", db.label);

        awaiting(&store, "A5").await;
        store.open_order(&order("A5", "PRM0000000051", 0), 0).await.unwrap();
        store.apply_payment(&paid("wechat:paid:T51", "PRM0000000051"), &policy("A5")).await.unwrap();
        let refund = NewRefund {
            out_refund_no: "RPA5".into(),
            policy_number: "PA5".into(),
            out_trade_no: "PRM0000000051".into(),
            amount_fen: 156_561,
            requested_at: 9_000,
        };
        let first = store.begin_refund(&refund).await.unwrap();
        let retry = store.begin_refund(&NewRefund { requested_at: 9_999, ..refund.clone() }).await.unwrap();
        assert_eq!(first, retry, "{}: a retry sends the stored request again", db.label);
        store.settle_refund("RPA5", "succeeded", 10_000).await.unwrap();
        store.settle_refund("RPA5", "succeeded", 11_000).await.unwrap();
        let policy = store.policy("PA5").await.unwrap().unwrap();
        assert_eq!((policy.status.as_str(), policy.cancelled_at), ("cancelled", Some(10_000)), "{}", db.label);
        assert_eq!(store.purchase("A5").await.unwrap().unwrap().state, "cancelled", "{}", db.label);
    }
}

/// What the buying status reads is one moment: a payment committed between two of its reads shows
/// wholly or not at all. Read statement by statement (PostgreSQL's READ COMMITTED gives each its own
/// snapshot) the same interleaving shows a mixed state — the order still open beside the policy it
/// issued; in one `Snapshot` the later read still sees the earlier moment.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_purchase_status_is_read_as_of_one_moment() {
    for db in db::all().await {
        let store = open(&db).await;
        awaiting(&store, "A9").await;
        store.open_order(&order("A9", "PRM0000000091", 0), 0).await.unwrap();

        let mut snapshot = store.snapshot().await.unwrap();
        let before = store.orders_of("A9").await.unwrap();
        let seen = snapshot.orders_of("A9").await.unwrap();
        assert_eq!(seen, before, "{}", db.label);
        assert_eq!(seen[0].state, "open");
        // Paid and issued between the reads.
        let applied = store.apply_payment(&paid("wechat:paid:T91", "PRM0000000091"), &policy("A9")).await.unwrap();
        assert_eq!(applied, PaymentApplied::Issued, "{}", db.label);
        // Statement by statement: an open order beside an issued policy (the skew).
        assert!(store.policy_of("A9").await.unwrap().is_some(), "{}: separate reads mix two moments", db.label);
        // In the snapshot: still the moment before the payment, whole.
        assert_eq!(snapshot.policy_of("A9").await.unwrap(), None, "{}: one moment", db.label);
        let view = snapshot.purchase_view("A9").await.unwrap().unwrap();
        assert_eq!((view.orders[0].state.as_str(), &view.policy), ("open", &None), "{}", db.label);
        assert_eq!(view.purchase.unwrap().state, "awaiting_payment", "{}", db.label);
        snapshot.finish().await.unwrap();

        // Read afresh: the payment, whole.
        let view = store.purchase_view("A9").await.unwrap().unwrap();
        assert_eq!(view.orders[0].state, "paid", "{}", db.label);
        assert_eq!(view.policy.unwrap().number, "PA9", "{}", db.label);
        assert_eq!(view.purchase.unwrap().state, "issued", "{}", db.label);
        assert_eq!(view.application.number, "A9");
        assert!(store.purchase_view("NOPE").await.unwrap().is_none());
    }
}

//! The store on real SQLite and real PostgreSQL: single-use coupons under a 64-way race, idempotent
//! retries under a 20-way race, the blacklist, agent tokens and the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use premia_store::{BlacklistKind, IdempotencyKey, NewApplication, NewAuditEvent, Store, StoreError, Submitted};
use support::db::{self, TestDb};

fn application(number: &str) -> NewApplication {
    NewApplication {
        number: number.to_owned(),
        status: "accepted".into(),
        channel: "agent".into(),
        agent_code: Some("A1001".into()),
        resident_id_hash: Some("ab".repeat(32)),
        catalogue_id: "PREMIA-DEMO".into(),
        catalogue_version: "2026.11.0".into(),
        digest: format!("digest-of-{number}"),
        decision: r#"{"overall":"accept"}"#.into(),
        request_json: r#"{"quote_date":"2026-11-25"}"#.into(),
        quote_json: format!(r#"{{"number":"{number}"}}"#),
        token: format!("token-for-{number}"),
        coupons: Vec::new(),
        idempotency: None,
        audit: Vec::new(),
        receipt: None,
        case: None,
        dashboard: None,
    }
}

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url).await.unwrap_or_else(|e| panic!("{}: open {}: {e}", db.label, db.url))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn applications_round_trip_and_reopen() {
    for db in db::all().await {
        let store = open(&db).await;
        let mut app = application("PA-ROUND-TRIP");
        app.coupons = vec!["VOUCHER-B".into(), "VOUCHER-A".into()];
        let stored = store.submit(app.clone()).await.unwrap();
        let Submitted::Created(record) = stored else { panic!("{}: expected a new application", db.label) };
        assert_eq!(record.coupons, ["VOUCHER-A", "VOUCHER-B"], "{}", db.label);
        drop(store);
        // Opening again runs the migrations again: nothing changes, nothing is lost.
        let store = open(&db).await;
        let loaded = store.application("PA-ROUND-TRIP").await.unwrap().expect("stored");
        assert_eq!(loaded, record, "{}", db.label);
        assert_eq!(loaded.request_json, app.request_json);
        assert_eq!(store.application("PA-NOPE").await.unwrap(), None);
        assert_eq!(store.redemption("VOUCHER-A").await.unwrap().as_deref(), Some("PA-ROUND-TRIP"));
        let log = store.audit_log(10).await.unwrap();
        assert!(
            log.iter().any(|e| e.event == "application.stored" && e.application.as_deref() == Some("PA-ROUND-TRIP"))
        );
    }
}

/// 64 concurrent applications using the same single-use voucher: exactly one redeems it, the others are
/// refused naming the application that did.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coupon_race_redeems_exactly_once() {
    for db in db::all().await {
        let store = open(&db).await;
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut app = application(&format!("PA-RACE-{i:02}"));
                    app.coupons = vec!["VOUCHER-ONCE".into(), format!("REFERRAL-{i}")];
                    store.submit(app).await
                })
            })
            .collect();
        let mut winners = Vec::new();
        let mut refused_by = BTreeSet::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(Submitted::Created(record)) => winners.push(record.number),
                Err(StoreError::CouponRedeemed { coupon, application }) => {
                    assert_eq!(coupon, "VOUCHER-ONCE");
                    refused_by.insert(application);
                }
                other => panic!("{}: unexpected outcome {other:?}", db.label),
            }
        }
        assert_eq!(winners.len(), 1, "{}: exactly one redemption", db.label);
        assert_eq!(refused_by, BTreeSet::from([winners[0].clone()]), "{}: refusals name the winner", db.label);
        assert_eq!(store.application_count().await.unwrap(), 1, "{}: losers stored nothing", db.label);
        assert_eq!(store.redemption("VOUCHER-ONCE").await.unwrap(), Some(winners[0].clone()));
        // The losers' other coupons were rolled back with them.
        let winner_index = winners[0].trim_start_matches("PA-RACE-").parse::<u32>().unwrap();
        for i in (0..64).filter(|&i| i != winner_index) {
            assert_eq!(store.redemption(&format!("REFERRAL-{i}")).await.unwrap(), None, "{}", db.label);
        }
    }
}

/// The same request sent 20 times at once with one Idempotency-Key makes one application.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idempotent_retries_make_one_application() {
    for db in db::all().await {
        let store = open(&db).await;
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut app = application(&format!("PA-RETRY-{i:02}"));
                    app.idempotency = Some(IdempotencyKey { key: "key-1".into(), body_hash: "body-1".into() });
                    store.submit(app).await
                })
            })
            .collect();
        let mut created = 0;
        let mut numbers = BTreeSet::new();
        for task in tasks {
            let outcome = task.await.unwrap().unwrap_or_else(|e| panic!("{}: {e}", db.label));
            created += usize::from(matches!(outcome, Submitted::Created(_)));
            numbers.insert(outcome.record().number.clone());
        }
        assert_eq!(created, 1, "{}", db.label);
        assert_eq!(numbers.len(), 1, "{}: every retry answers with the same application", db.label);
        assert_eq!(store.application_count().await.unwrap(), 1, "{}", db.label);
        assert_eq!(store.idempotent("key-1").await.unwrap().map(|(hash, _)| hash).as_deref(), Some("body-1"));

        // The same key with another body is refused, naming the application the key made.
        let mut other = application("PA-RETRY-OTHER");
        other.idempotency = Some(IdempotencyKey { key: "key-1".into(), body_hash: "body-2".into() });
        match store.submit(other).await {
            Err(StoreError::IdempotencyConflict { application }) => assert!(numbers.contains(&application)),
            other => panic!("{}: expected a conflict, got {other:?}", db.label),
        }
    }
}

/// Batches mix outcomes: a refused submission does not undo the others committed with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refusals_do_not_undo_their_batch() {
    for db in db::all().await {
        let store = open(&db).await;
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut app = application(&format!("PA-MIX-{i:03}"));
                    // Every tenth application tries a voucher another one already claims.
                    app.coupons = vec![format!("V-{}", i - i % 10)];
                    store.submit(app).await
                })
            })
            .collect();
        let mut stored = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Submitted::Created(_)) => stored += 1,
                Err(StoreError::CouponRedeemed { .. }) => {}
                other => panic!("{}: {other:?}", db.label),
            }
        }
        assert_eq!(stored, 20, "{}: one per voucher", db.label);
        assert_eq!(store.application_count().await.unwrap(), 20, "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blacklist_add_list_remove() {
    for db in db::all().await {
        let store = open(&db).await;
        let hash = "cd".repeat(32);
        assert!(store.blacklist_add(BlacklistKind::ResidentId, &hash, "fraud record 2025-17").await.unwrap());
        assert!(!store.blacklist_add(BlacklistKind::ResidentId, &hash, "again").await.unwrap(), "{}", db.label);
        assert!(store.blacklist_add(BlacklistKind::Agent, "A666", "commission fraud").await.unwrap());
        let listed = store.blacklist().await.unwrap();
        assert_eq!(listed.len(), 2, "{}", db.label);
        assert_eq!(listed[0].kind, BlacklistKind::Agent);
        let hit = store.blacklisted(BlacklistKind::ResidentId, &hash).await.unwrap().expect("listed");
        assert_eq!(hit.reason, "fraud record 2025-17", "the first reason is kept");
        assert_eq!(store.blacklisted(BlacklistKind::Agent, &hash).await.unwrap(), None, "kinds are separate");
        assert!(store.blacklist_remove(BlacklistKind::ResidentId, &hash).await.unwrap());
        assert!(!store.blacklist_remove(BlacklistKind::ResidentId, &hash).await.unwrap());
        assert_eq!(store.blacklisted(BlacklistKind::ResidentId, &hash).await.unwrap(), None);
        let events: Vec<_> = store.audit_log(10).await.unwrap().into_iter().map(|e| e.event).collect();
        assert_eq!(events.iter().filter(|e| *e == "blacklist.added").count(), 2, "{}: {events:?}", db.label);
        assert!(events.contains(&"blacklist.removed".to_owned()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_tokens_authenticate_until_revoked() {
    for db in db::all().await {
        let store = open(&db).await;
        let first = store.issue_agent_token("A1001", "laptop").await.unwrap();
        let second = store.issue_agent_token("A1001", "phone").await.unwrap();
        let other = store.issue_agent_token("B2002", "").await.unwrap();
        assert_ne!(first.token, second.token);
        assert_eq!(store.authenticate_agent(&first.token).await.unwrap().as_deref(), Some("A1001"));
        assert_eq!(store.authenticate_agent(&other.token).await.unwrap().as_deref(), Some("B2002"));
        // A token with a wrong secret, a mangled one and an empty one get nobody.
        let forged =
            format!("{}{}", &first.token[..first.token.len() - 1], if first.token.ends_with('0') { '1' } else { '0' });
        assert_eq!(store.authenticate_agent(&forged).await.unwrap(), None, "{}", db.label);
        assert_eq!(store.authenticate_agent("pat_x").await.unwrap(), None);
        assert_eq!(store.authenticate_agent("").await.unwrap(), None);
        // Revoke one token by id, then every token of an agent by code.
        assert_eq!(store.revoke_agent_tokens(&first.id).await.unwrap(), 1);
        assert_eq!(store.authenticate_agent(&first.token).await.unwrap(), None);
        assert_eq!(store.authenticate_agent(&second.token).await.unwrap().as_deref(), Some("A1001"));
        assert_eq!(store.revoke_agent_tokens("A1001").await.unwrap(), 1);
        assert_eq!(store.authenticate_agent(&second.token).await.unwrap(), None);
        assert_eq!(store.revoke_agent_tokens("A1001").await.unwrap(), 0, "already revoked");
        let tokens = store.agent_tokens().await.unwrap();
        assert_eq!(tokens.len(), 3);
        assert_eq!(tokens.iter().filter(|t| t.revoked_at.is_some()).count(), 2, "{}", db.label);
        assert!(!format!("{tokens:?}").contains(&first.token[17..]), "secrets are never listed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_events_go_in_with_their_application() {
    for db in db::all().await {
        let store = Arc::new(open(&db).await);
        let mut app = application("PA-AUDITED");
        app.audit = vec![NewAuditEvent::new("blacklist.referred", r#"{"kind":"agent"}"#).application("PA-AUDITED")];
        store.submit(app).await.unwrap();
        store.audit(&NewAuditEvent::new("coupon.refused", "{}").actor("A1001")).await.unwrap();
        let events: Vec<_> = store.audit_log(10).await.unwrap().into_iter().map(|e| e.event).collect();
        for expected in ["blacklist.referred", "application.stored", "coupon.refused"] {
            assert!(events.iter().any(|e| e == expected), "{}: {expected} in {events:?}", db.label);
        }
    }
}

//! The store on real SQLite and real PostgreSQL: single-use coupons under a 64-way race, idempotent
//! retries under a 20-way race, the blacklist, agent tokens and the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::collections::BTreeSet;
use std::sync::Arc;

use premia_store::{
    BlacklistKind, IdempotencyKey, Identity, NewApplication, NewAuditEvent, Redemption, ReferralUse, Store, StoreError,
    Submitted,
};
use support::db::{self, TestDb};

fn application(number: &str) -> NewApplication {
    NewApplication {
        channel: "agent".into(),
        agent_code: Some("A1001".into()),
        agent_token_id: Some("0123456789ab".into()),
        ..support::store::application(number)
    }
}

/// A voucher of the demo catalogue's series V200.
fn voucher(id: &str) -> Redemption {
    Redemption { catalogue_id: "PREMIA-DEMO".into(), series: "V200".into(), coupon_id: id.into() }
}

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url).await.unwrap_or_else(|e| panic!("{}: open {}: {e}", db.label, db.url))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn applications_round_trip_and_reopen() {
    for db in db::all().await {
        let store = open(&db).await;
        let mut app = application("PA-ROUND-TRIP");
        app.coupons = vec![voucher("VOUCHER-B"), voucher("VOUCHER-A")];
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
        assert_eq!(store.redemption(&voucher("VOUCHER-A")).await.unwrap().as_deref(), Some("PA-ROUND-TRIP"));
        assert_eq!(loaded.agent_token_id.as_deref(), Some("0123456789ab"), "the token id is kept");
        let log = store.audit_log(10).await.unwrap();
        assert!(
            log.iter().any(|e| e.event == "application.stored" && e.application.as_deref() == Some("PA-ROUND-TRIP"))
        );
    }
}

/// 64 concurrent applications using the same single-use voucher: exactly one redeems it, the others are
/// refused (the store names the application that did, for the audit log; the API does not pass it on).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coupon_race_redeems_exactly_once() {
    for db in db::all().await {
        let store = open(&db).await;
        let tasks: Vec<_> = (0..64)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut app = application(&format!("PA-RACE-{i:02}"));
                    app.coupons = vec![voucher("VOUCHER-ONCE"), voucher(&format!("OTHER-{i}"))];
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
        assert_eq!(store.redemption(&voucher("VOUCHER-ONCE")).await.unwrap(), Some(winners[0].clone()));
        // The losers' other coupons were rolled back with them.
        let winner_index = winners[0].trim_start_matches("PA-RACE-").parse::<u32>().unwrap();
        for i in (0..64).filter(|&i| i != winner_index) {
            assert_eq!(store.redemption(&voucher(&format!("OTHER-{i}"))).await.unwrap(), None, "{}", db.label);
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
                    app.idempotency = Some(IdempotencyKey {
                        scope: "agent:A1001".into(),
                        key: "key-1".into(),
                        body_hash: "body-1".into(),
                    });
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
        let found = store.idempotent("agent:A1001", "key-1").await.unwrap();
        assert_eq!(found.map(|(hash, _)| hash).as_deref(), Some("body-1"));
        assert_eq!(store.idempotent("direct", "key-1").await.unwrap(), None, "keys are per scope");

        // The same key with another body is refused, naming nothing.
        let mut other = application("PA-RETRY-OTHER");
        other.idempotency =
            Some(IdempotencyKey { scope: "agent:A1001".into(), key: "key-1".into(), body_hash: "body-2".into() });
        match store.submit(other).await {
            Err(StoreError::IdempotencyConflict) => {}
            other => panic!("{}: expected a conflict, got {other:?}", db.label),
        }
        // In another scope the same key is another key.
        let mut elsewhere = application("PA-RETRY-ELSEWHERE");
        elsewhere.idempotency =
            Some(IdempotencyKey { scope: "agent:B2002".into(), key: "key-1".into(), body_hash: "body-2".into() });
        assert!(matches!(store.submit(elsewhere).await, Ok(Submitted::Created(_))), "{}", db.label);
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
                    app.coupons = vec![voucher(&format!("V-{}", i - i % 10))];
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
        let person = Identity { keyed: "cd".repeat(32), legacy: vec!["ef".repeat(32)] };
        assert!(store.blacklist_person(&person.keyed, "fraud record 2025-17", "test").await.unwrap());
        assert!(!store.blacklist_person(&person.keyed, "again", "test").await.unwrap(), "{}", db.label);
        assert!(store.blacklist_agent("A666", "commission fraud", "test").await.unwrap());
        let listed = store.blacklist().await.unwrap();
        assert_eq!(listed.len(), 2, "{}", db.label);
        assert_eq!(listed[0].kind, BlacklistKind::Agent);
        let hit = store.blacklisted_person(&person).await.unwrap().expect("listed");
        assert_eq!(hit.reason, "fraud record 2025-17", "the first reason is kept");
        assert_eq!(store.blacklisted_agent(&person.keyed).await.unwrap(), None, "kinds are separate");
        assert!(store.unblacklist_person(&person, "test").await.unwrap());
        assert!(!store.unblacklist_person(&person, "test").await.unwrap());
        assert_eq!(store.blacklisted_person(&person).await.unwrap(), None);
        // An entry made before migration 0002 (the catalogue's salted hash) still finds the person, and is
        // copied under the keyed identity on the first hit.
        store.blacklist_raw(BlacklistKind::ResidentId, "salted", &person.legacy[0], "legacy").await.unwrap();
        assert_eq!(store.blacklisted_person(&person).await.unwrap().map(|e| e.scheme).as_deref(), Some("salted"));
        let keyed_only = Identity { keyed: person.keyed.clone(), legacy: Vec::new() };
        assert!(store.blacklisted_person(&keyed_only).await.unwrap().is_some(), "{}: copied under the key", db.label);
        let events: Vec<_> = store.audit_log(10).await.unwrap().into_iter().map(|e| e.event).collect();
        assert!(events.iter().filter(|e| *e == "blacklist.added").count() >= 2, "{}: {events:?}", db.label);
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

/// A referral code credits its referrer once per application, up to its series' limit, even when the
/// applications race.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn referral_credits_stop_at_the_limit() {
    for db in db::all().await {
        let store = open(&db).await;
        let tasks: Vec<_> = (0..12)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut app = application(&format!("PA-REF-{i:02}"));
                    app.referrals = vec![ReferralUse {
                        catalogue_id: "PREMIA-DEMO".into(),
                        series: "REFER-2026".into(),
                        code_id: "R-1".into(),
                        referrer: "PA-REFERRER".into(),
                        max_uses: 5,
                    }];
                    store.submit(app).await
                })
            })
            .collect();
        let (mut credited, mut refused) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(Submitted::Created(_)) => credited += 1,
                Err(StoreError::ReferralLimit { code, max_uses: 5 }) if code == "R-1" => refused += 1,
                other => panic!("{}: {other:?}", db.label),
            }
        }
        assert_eq!((credited, refused), (5, 7), "{}", db.label);
        let credits = store.referral_credits(Some("PA-REFERRER")).await.unwrap();
        let uses: BTreeSet<i64> = credits.iter().map(|c| c.use_number).collect();
        assert_eq!(uses, (1..=5).collect(), "{}", db.label);
        assert_eq!(store.referral_credits(Some("PA-NOBODY")).await.unwrap(), Vec::new());
    }
}

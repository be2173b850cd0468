//! The desk's rules the database holds by itself, on SQLite and (when available) PostgreSQL: a case is
//! written with its application or not at all, finalised once (20 concurrent confirmations), never
//! reviewed or finalised by the author of a decision that needs a second person; the role names agree
//! with `premia_desk::Role`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::sync::Arc;

use premia_store::{
    Applied, CaseChange, IdempotencyKey, NewApplication, NewCase, NewDecision, NewFinal, NewReview, Slot, Store,
    StoreError,
};
use support::db::{self, TestDb};

fn application(number: &str, two_people: bool) -> NewApplication {
    NewApplication {
        status: "referred".into(),
        resident_id_hash: Some("cd".repeat(32)),
        decision: "{}".into(),
        request_json: "{}".into(),
        quote_json: "{}".into(),
        receipt: Some(format!("{number:_<43}")),
        case: Some(NewCase {
            product: "CI".into(),
            line: "critical_illness".into(),
            needs_second_review: two_people,
            blacklist_referral: false,
        }),
        ..support::store::application(number)
    }
}

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url).await.unwrap_or_else(|e| panic!("{}: {e}", db.label))
}

async fn person(store: &Store, name: &str, role: &str) -> String {
    store.staff_add(name, name, role, "$argon2id$test", "test").await.unwrap().id
}

fn decision(id: &str, staff: &str) -> NewDecision {
    NewDecision {
        id: id.into(),
        staff_id: staff.into(),
        role: "underwriter".into(),
        kind: "accept".into(),
        verdict_json: r#"{"kind":"accept"}"#.into(),
        note: String::new(),
        quote_json: None,
    }
}

fn change(number: &str, version: i64, status: &str) -> CaseChange {
    CaseChange { response_json: "{}".into(), ..CaseChange::to_status(number, version, status) }
}

fn final_of(decision: &str, by: &str, finaliser: &str) -> NewFinal {
    NewFinal {
        decision_id: decision.into(),
        decided_by: by.into(),
        finalised_by: finaliser.into(),
        outcome: "accepted".into(),
        quote_json: None,
        token: None,
        dashboard: None,
    }
}

/// A two-person case with a provisional decision by `author`: (number, version now).
async fn provisional(store: &Store, number: &str, author: &str) -> i64 {
    store.submit(application(number, true)).await.unwrap();
    let mut c = change(number, 0, "provisional");
    c.decision = Some(decision(&format!("{number}-d1"), author));
    c.pending = Slot::Set(format!("{number}-d1"));
    assert_eq!(store.apply_case_change(&c).await.unwrap(), Applied::Done);
    1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_database_refuses_ones_own_second_review_and_a_second_final() {
    for db in db::all().await {
        let store = open(&db).await;
        let a = person(&store, "a", "senior_underwriter").await;
        let b = person(&store, "b", "senior_underwriter").await;
        let version = provisional(&store, "PA-OWN", &a).await;

        // The server's checks bypassed: A reviews and finalises A's own decision. The database refuses.
        let mut own = change("PA-OWN", version, "decided");
        own.review = Some(NewReview {
            id: "r1".into(),
            decision_id: "PA-OWN-d1".into(),
            decided_by: a.clone(),
            reviewer: a.clone(),
            agree: true,
            note: String::new(),
        });
        assert!(
            matches!(store.apply_case_change(&own).await, Err(StoreError::Database(_))),
            "{}: own review",
            db.label
        );
        let mut own_final = change("PA-OWN", version, "decided");
        own_final.final_decision = Some(final_of("PA-OWN-d1", &a, &a));
        assert!(
            matches!(store.apply_case_change(&own_final).await, Err(StoreError::Database(_))),
            "{}: own final",
            db.label
        );
        // Lying about the author (to get past the CHECK) breaks the foreign key instead.
        let mut forged = change("PA-OWN", version, "decided");
        forged.final_decision = Some(final_of("PA-OWN-d1", &b, &a));
        assert!(
            matches!(store.apply_case_change(&forged).await, Err(StoreError::Database(_))),
            "{}: forged author",
            db.label
        );
        assert_eq!(store.case_row_counts("PA-OWN").await.unwrap(), (1, 0, 0), "{}: nothing written", db.label);

        // B may. Then a second final decision, even on the right version, is refused by the key.
        let mut agree = change("PA-OWN", version, "decided");
        agree.review = Some(NewReview {
            id: "r2".into(),
            decision_id: "PA-OWN-d1".into(),
            decided_by: a.clone(),
            reviewer: b.clone(),
            agree: true,
            note: String::new(),
        });
        agree.final_decision = Some(final_of("PA-OWN-d1", &a, &b));
        assert_eq!(store.apply_case_change(&agree).await.unwrap(), Applied::Done);
        let mut twice = change("PA-OWN", version + 1, "decided");
        twice.final_decision = Some(final_of("PA-OWN-d1", &a, &b));
        assert!(
            matches!(store.apply_case_change(&twice).await, Err(StoreError::Database(_))),
            "{}: second final",
            db.label
        );
        assert_eq!(store.case_row_counts("PA-OWN").await.unwrap(), (1, 1, 1));

        // A case that needs one person is finalised by its author.
        store.submit(application("PA-ONE", false)).await.unwrap();
        let mut single = change("PA-ONE", 0, "decided");
        single.decision = Some(decision("PA-ONE-d1", &a));
        single.final_decision = Some(final_of("PA-ONE-d1", &a, &a));
        assert_eq!(store.apply_case_change(&single).await.unwrap(), Applied::Done, "{}", db.label);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_confirmations_in_the_store_finalise_once() {
    for db in db::all().await {
        let store = Arc::new(open(&db).await);
        let author = person(&store, "author", "underwriter").await;
        let version = provisional(&store, "PA-RACE", &author).await;
        let mut reviewers = Vec::new();
        for i in 0..20 {
            reviewers.push(person(&store, &format!("r{i}"), "senior_underwriter").await);
        }
        let tasks: Vec<_> = reviewers
            .into_iter()
            .enumerate()
            .map(|(i, reviewer)| {
                let (store, author) = (Arc::clone(&store), author.clone());
                tokio::spawn(async move {
                    let mut c = change("PA-RACE", version, "decided");
                    c.review = Some(NewReview {
                        id: format!("review-{i}"),
                        decision_id: "PA-RACE-d1".into(),
                        decided_by: author.clone(),
                        reviewer: reviewer.clone(),
                        agree: true,
                        note: String::new(),
                    });
                    c.final_decision = Some(final_of("PA-RACE-d1", &author, &reviewer));
                    store.apply_case_change(&c).await
                })
            })
            .collect();
        let mut done = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Applied::Done) => done += 1,
                Ok(Applied::Stale) => {}
                other => panic!("{}: {other:?}", db.label),
            }
        }
        assert_eq!(done, 1, "{}", db.label);
        assert_eq!(store.case_row_counts("PA-RACE").await.unwrap(), (1, 1, 1), "{}", db.label);
        assert_eq!(store.case("PA-RACE").await.unwrap().unwrap().status, "decided");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_case_is_stored_with_its_application_or_not_at_all() {
    for db in db::all().await {
        let store = open(&db).await;
        let mut first = application("PA-KEY-1", true);
        first.idempotency =
            Some(IdempotencyKey { scope: "direct|someone".into(), key: "k".into(), body_hash: "h1".into() });
        store.submit(first).await.unwrap();
        // Another application under the same key is refused: its case and receipt are not written.
        let mut second = application("PA-KEY-2", true);
        second.idempotency =
            Some(IdempotencyKey { scope: "direct|someone".into(), key: "k".into(), body_hash: "h2".into() });
        assert!(matches!(store.submit(second).await, Err(StoreError::IdempotencyConflict)));
        assert!(store.case("PA-KEY-2").await.unwrap().is_none(), "{}", db.label);
        assert!(store.receipt_of("PA-KEY-2").await.unwrap().is_none());
        assert!(store.case("PA-KEY-1").await.unwrap().is_some());
        assert_eq!(
            store.application_of_receipt(&format!("{:_<43}", "PA-KEY-1")).await.unwrap().as_deref(),
            Some("PA-KEY-1")
        );
    }
}

#[tokio::test]
async fn the_databases_roles_are_premia_desks() {
    for db in db::all().await {
        let store = open(&db).await;
        let mut names: Vec<&str> = premia_desk::Role::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        assert_eq!(store.staff_roles().await.unwrap(), names, "{}", db.label);
        assert!(store.staff_add("x", "x", "admin", "h", "test").await.is_err(), "an unknown role is refused");
        assert!(store.staff_add("y", "y", "analyst", "h", "test").await.is_ok());
        assert!(matches!(store.staff_add("y", "y", "analyst", "h", "test").await, Err(StoreError::Conflict(_))));
    }
}

//! Changes to a case — a decision, a second review, a manager's choice — each one transaction: a
//! compare-and-set on the case's version, the rows it adds, its audit entries, and the caller's
//! Idempotency-Key with the answer it gave, so that a retry (after a timeout, a crash) gets that answer
//! again and nothing is stored twice.

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::audit::{self, NewAuditEvent};
use crate::{Store, StoreError};

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDecision {
    pub id: String,
    pub staff_id: String,
    pub role: String,
    /// The verdict's name (`accept_with_terms`, …) and the verdict as JSON.
    pub kind: String,
    pub verdict_json: String,
    pub note: String,
    /// The core's new quote of an acceptance.
    pub quote_json: Option<String>,
}

/// A second review to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview {
    pub id: String,
    pub decision_id: String,
    /// The reviewed decision's author, as stored with it (the foreign key checks it).
    pub decided_by: String,
    pub reviewer: String,
    pub agree: bool,
    pub note: String,
}

/// The final decision of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFinal {
    pub decision_id: String,
    pub decided_by: String,
    pub finalised_by: String,
    /// `accepted`, `postponed` or `declined`.
    pub outcome: String,
    pub quote_json: Option<String>,
    /// The signed token of an acceptance.
    pub token: Option<String>,
    /// The premium dashboard's facts of an acceptance's terms (its repriced quote); `None` keeps the
    /// facts of the application as submitted.
    pub dashboard: Option<premia_dashboard::ApplicationFacts>,
}

/// What to do with one of the case's decision pointers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    Keep,
    Set(String),
    Clear,
}

/// One change to a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    pub application: String,
    /// The version the change was worked out from: if the case changed since, nothing is written.
    pub version: i64,
    pub status: String,
    pub pending: Slot,
    pub counter: Slot,
    pub requested: Slot,
    pub decision: Option<NewDecision>,
    pub review: Option<NewReview>,
    pub final_decision: Option<NewFinal>,
    pub idempotency: Option<DeskKey>,
    /// The answer to give the caller, kept with its key for a retry.
    pub response_json: String,
    pub audit: Vec<NewAuditEvent>,
}

impl CaseChange {
    /// A change of the case `application` (as read at `version`) to `status` alone: every slot kept,
    /// no decision, review or final, no key, answer or audit event. Add what the change is with
    /// `CaseChange { decision: …, ..CaseChange::to_status(…) }`.
    pub fn to_status(application: &str, version: i64, status: &str) -> CaseChange {
        CaseChange {
            application: application.to_owned(),
            version,
            status: status.to_owned(),
            pending: Slot::Keep,
            counter: Slot::Keep,
            requested: Slot::Keep,
            decision: None,
            review: None,
            final_decision: None,
            idempotency: None,
            response_json: String::new(),
            audit: Vec::new(),
        }
    }
}

/// An Idempotency-Key of a staff member's request and a fingerprint of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskKey {
    pub staff_id: String,
    pub key: String,
    pub body_hash: String,
}

/// What [`Store::apply_case_change`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Committed.
    Done,
    /// The case changed since `version` (someone else acted first): nothing written.
    Stale,
    /// The key was used before: nothing written; the first request's body fingerprint and answer.
    Replayed { body_hash: String, response_json: String },
}

/// A recorded decision with its author's username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRow {
    pub id: String,
    pub staff_id: String,
    pub username: String,
    pub role: String,
    pub kind: String,
    pub verdict_json: String,
    pub note: String,
    pub quote_json: Option<String>,
    pub created_at: i64,
}

/// A case's final decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalRow {
    pub decision_id: String,
    pub decided_by: String,
    pub finalised_by: String,
    pub outcome: String,
    pub quote_json: Option<String>,
    pub token: Option<String>,
    pub finalised_at: i64,
}

/// How often a change that failed for a passing reason (a busy SQLite, a PostgreSQL serialization
/// failure) is tried: it is one transaction, rolled back whole, so trying again is safe.
const ATTEMPTS: u32 = 5;

impl Store {
    /// Apply `change` in one transaction (see [`Applied`]). A constraint the change breaks (the same
    /// person reviewing or finalising their own decision, a second final decision) is an error and
    /// nothing is written.
    pub async fn apply_case_change(&self, change: &CaseChange) -> Result<Applied, StoreError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_apply(change).await {
                Err(error) if attempt < ATTEMPTS && crate::applications::is_transient(&error) => {
                    tokio::time::sleep(std::time::Duration::from_millis(2 << attempt)).await;
                }
                outcome => return outcome,
            }
        }
    }

    async fn try_apply(&self, change: &CaseChange) -> Result<Applied, StoreError> {
        let now = self.now();
        let mut tx = self.pool().begin_with(self.begin_statement()).await?;
        if let Some(key) = &change.idempotency {
            let claimed = sqlx::query::<Any>(
                "INSERT INTO desk_idempotency (staff_id, idempotency_key, body_hash, response_json, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (staff_id, idempotency_key) DO NOTHING",
            )
            .bind(key.staff_id.as_str())
            .bind(key.key.as_str())
            .bind(key.body_hash.as_str())
            .bind(change.response_json.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                drop(tx);
                return match self.desk_replay(&key.staff_id, &key.key).await? {
                    Some((body_hash, response_json)) => Ok(Applied::Replayed { body_hash, response_json }),
                    None => Err(StoreError::Batch("an idempotency key vanished while in use".into())),
                };
            }
        }
        if !update_case(&mut tx, change, now).await? {
            return Ok(Applied::Stale);
        }
        insert_rows(&mut tx, change, now).await?;
        if let Some(f) = &change.final_decision {
            let offset = self.inner.options.utc_offset_seconds;
            crate::dashboard::finalise(&mut tx, &change.application, f, now, offset).await?;
        }
        for event in &change.audit {
            audit::insert(&mut *tx, event).await?;
        }
        tx.commit().await?;
        if change.final_decision.is_some() {
            self.changed();
        }
        Ok(Applied::Done)
    }

    /// The body fingerprint and answer recorded for a staff member's Idempotency-Key.
    pub async fn desk_replay(&self, staff_id: &str, key: &str) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT body_hash, response_json FROM desk_idempotency WHERE staff_id = $1 AND idempotency_key = $2",
        )
        .bind(staff_id)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?))).transpose()?)
    }

    /// Every decision on a case, oldest first.
    pub async fn case_decisions(&self, number: &str) -> Result<Vec<DecisionRow>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT d.id, d.staff_id, s.username, d.role, d.kind, d.verdict_json, d.note, d.quote_json, d.created_at \
             FROM case_decisions d JOIN staff s ON s.id = d.staff_id WHERE d.application_number = $1 \
             ORDER BY d.created_at, d.id",
        )
        .bind(number)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(decision_row).collect::<Result<_, sqlx::Error>>().map_err(StoreError::from)
    }

    /// The final decision of a case, if it has one.
    pub async fn case_final(&self, number: &str) -> Result<Option<FinalRow>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(final_of(&mut conn, number).await?)
    }

    /// How many decisions, reviews and final decisions a case has (for the tests' "exactly once").
    pub async fn case_row_counts(&self, number: &str) -> Result<(i64, i64, i64), StoreError> {
        let count = |table: &'static str| {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE application_number = $1");
            async move {
                let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql)).bind(number).fetch_one(self.pool()).await?;
                row.try_get::<i64, _>(0)
            }
        };
        Ok((count("case_decisions").await?, count("case_reviews").await?, count("case_finals").await?))
    }
}

fn decision_row(r: &AnyRow) -> Result<DecisionRow, sqlx::Error> {
    Ok(DecisionRow {
        id: r.try_get("id")?,
        staff_id: r.try_get("staff_id")?,
        username: r.try_get("username")?,
        role: r.try_get("role")?,
        kind: r.try_get("kind")?,
        verdict_json: r.try_get("verdict_json")?,
        note: r.try_get("note")?,
        quote_json: r.try_get("quote_json")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The compare-and-set: `false` if the case is not at the expected version.
async fn update_case(conn: &mut AnyConnection, change: &CaseChange, now: i64) -> Result<bool, sqlx::Error> {
    // Values bound in the order their placeholders appear: every placeholder is used (PostgreSQL
    // refuses a parameter it cannot type).
    let mut values: Vec<Option<String>> = Vec::new();
    let mut set = vec!["status = $1".to_owned(), "updated_at = $2".to_owned(), "version = version + 1".to_owned()];
    let mut bind = |column: &str, value: Option<String>, values: &mut Vec<Option<String>>| {
        values.push(value);
        set.push(format!("{column} = ${}", values.len() + 4));
    };
    for (column, slot) in [
        ("pending_decision", &change.pending),
        ("counter_decision", &change.counter),
        ("requested_decision", &change.requested),
    ] {
        match slot {
            Slot::Keep => {}
            Slot::Set(id) => bind(column, Some(id.clone()), &mut values),
            Slot::Clear => bind(column, None, &mut values),
        }
    }
    if let Some(f) = &change.final_decision {
        bind("final_decision", Some(f.decision_id.clone()), &mut values);
        set.push("decided_at = $2".to_owned());
    }
    let sql = format!("UPDATE cases SET {} WHERE application_number = $3 AND version = $4", set.join(", "));
    let mut query = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql))
        .bind(change.status.as_str())
        .bind(now)
        .bind(change.application.as_str())
        .bind(change.version);
    for value in values {
        query = query.bind(value);
    }
    Ok(query.execute(&mut *conn).await?.rows_affected() == 1)
}

async fn insert_rows(conn: &mut AnyConnection, change: &CaseChange, now: i64) -> Result<(), sqlx::Error> {
    let number = change.application.as_str();
    if let Some(d) = &change.decision {
        sqlx::query::<Any>(
            "INSERT INTO case_decisions (id, application_number, staff_id, role, kind, verdict_json, note, quote_json, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(d.id.as_str())
        .bind(number)
        .bind(d.staff_id.as_str())
        .bind(d.role.as_str())
        .bind(d.kind.as_str())
        .bind(d.verdict_json.as_str())
        .bind(d.note.as_str())
        .bind(d.quote_json.as_deref())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(r) = &change.review {
        sqlx::query::<Any>(
            "INSERT INTO case_reviews (id, application_number, decision_id, decided_by, reviewer, agree, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(r.id.as_str())
        .bind(number)
        .bind(r.decision_id.as_str())
        .bind(r.decided_by.as_str())
        .bind(r.reviewer.as_str())
        .bind(i64::from(r.agree))
        .bind(r.note.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    if let Some(f) = &change.final_decision {
        // The review flag is the case's own, read here (and checked by the foreign key).
        sqlx::query::<Any>(
            "INSERT INTO case_finals (application_number, needs_second_review, decision_id, decided_by, finalised_by, \
             outcome, quote_json, token, finalised_at) SELECT $1, needs_second_review, $2, $3, $4, $5, $6, $7, $8 \
             FROM cases WHERE application_number = $1",
        )
        .bind(number)
        .bind(f.decision_id.as_str())
        .bind(f.decided_by.as_str())
        .bind(f.finalised_by.as_str())
        .bind(f.outcome.as_str())
        .bind(f.quote_json.as_deref())
        .bind(f.token.as_deref())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A case's final decision, on `conn` (a snapshot's transaction, or a pooled connection).
pub(crate) async fn final_of(conn: &mut AnyConnection, number: &str) -> Result<Option<FinalRow>, sqlx::Error> {
    let row = sqlx::query::<Any>(
        "SELECT decision_id, decided_by, finalised_by, outcome, quote_json, token, finalised_at \
         FROM case_finals WHERE application_number = $1",
    )
    .bind(number)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(FinalRow {
        decision_id: r.try_get("decision_id")?,
        decided_by: r.try_get("decided_by")?,
        finalised_by: r.try_get("finalised_by")?,
        outcome: r.try_get("outcome")?,
        quote_json: r.try_get("quote_json")?,
        token: r.try_get("token")?,
        finalised_at: r.try_get("finalised_at")?,
    }))
}

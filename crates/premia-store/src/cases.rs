//! The underwriting desk's state: cases (written with their application, in the same transaction),
//! their decisions, second reviews and final decision, the status receipts of applications, and the
//! desk's idempotency keys.
//!
//! The workflow's rules are the server's (`premia_desk::workflow`); this module stores what it decided,
//! and the schema holds the two that must hold whatever the server does: a case is finalised once
//! (`case_finals` primary key; every change is also a compare-and-set on `cases.version`), and a case
//! that needs a second review is never finalised, nor a decision reviewed, by the decision's author
//! (CHECK constraints over columns copied through composite foreign keys).

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, Row};

use crate::applications::NewApplication;
use crate::audit::{self, AuditEntry, NewAuditEvent};
use crate::{Backend, Store, StoreError};

/// What the desk needs of an application not decided automatically; stored with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCase {
    /// The product (and its line) that referred it: the first coverage not decided automatically.
    pub product: String,
    pub line: String,
    pub needs_second_review: bool,
    pub blacklist_referral: bool,
}

/// Write an application's receipt and case beside it, in the submission's transaction.
pub(crate) async fn insert_with_application(
    conn: &mut AnyConnection,
    app: &NewApplication,
    now: i64,
) -> Result<(), sqlx::Error> {
    if let Some(receipt) = &app.receipt {
        sqlx::query::<Any>("INSERT INTO application_receipts (receipt, application_number) VALUES ($1, $2)")
            .bind(receipt.as_str())
            .bind(app.number.as_str())
            .execute(&mut *conn)
            .await?;
    }
    if let Some(case) = &app.case {
        sqlx::query::<Any>(
            "INSERT INTO cases (application_number, created_at, status, product, line, needs_second_review, \
             blacklist_referral, version, updated_at) VALUES ($1, $2, 'open', $3, $4, $5, $6, 0, $2)",
        )
        .bind(app.number.as_str())
        .bind(now)
        .bind(case.product.as_str())
        .bind(case.line.as_str())
        .bind(i64::from(case.needs_second_review))
        .bind(i64::from(case.blacklist_referral))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A case as the queue and the case view read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub application: String,
    pub created_at: i64,
    pub status: String,
    pub product: String,
    pub line: String,
    pub needs_second_review: bool,
    pub blacklist_referral: bool,
    pub opened_at: Option<i64>,
    pub pending_decision: Option<String>,
    /// Staff id and username of the pending decision's author.
    pub pending_by: Option<(String, String)>,
    pub counter_decision: Option<String>,
    pub counter_by: Option<(String, String)>,
    /// The outstanding request for facts (exam, information), if the case waits for one.
    pub requested_decision: Option<String>,
    pub final_decision: Option<String>,
    pub decided_at: Option<i64>,
    pub version: i64,
    pub updated_at: i64,
    pub channel: String,
    pub agent_code: Option<String>,
}

const CASE_SELECT: &str = "SELECT c.application_number, c.created_at, c.status, c.product, c.line, \
     c.needs_second_review, c.blacklist_referral, c.opened_at, c.pending_decision, c.counter_decision, \
     c.requested_decision, c.final_decision, c.decided_at, c.version, c.updated_at, a.channel, a.agent_code, \
     pd.staff_id AS pending_id, ps.username AS pending_name, cd.staff_id AS counter_id, cs.username AS counter_name \
     FROM cases c JOIN applications a ON a.number = c.application_number \
     LEFT JOIN case_decisions pd ON pd.id = c.pending_decision LEFT JOIN staff ps ON ps.id = pd.staff_id \
     LEFT JOIN case_decisions cd ON cd.id = c.counter_decision LEFT JOIN staff cs ON cs.id = cd.staff_id";

fn case_row(row: &AnyRow) -> Result<CaseRow, sqlx::Error> {
    let author = |id: &str, name: &str| -> Result<Option<(String, String)>, sqlx::Error> {
        Ok(row.try_get::<Option<String>, _>(id)?.zip(row.try_get::<Option<String>, _>(name)?))
    };
    Ok(CaseRow {
        application: row.try_get("application_number")?,
        created_at: row.try_get("created_at")?,
        status: row.try_get("status")?,
        product: row.try_get("product")?,
        line: row.try_get("line")?,
        needs_second_review: row.try_get::<i64, _>("needs_second_review")? == 1,
        blacklist_referral: row.try_get::<i64, _>("blacklist_referral")? == 1,
        opened_at: row.try_get("opened_at")?,
        pending_decision: row.try_get("pending_decision")?,
        pending_by: author("pending_id", "pending_name")?,
        counter_decision: row.try_get("counter_decision")?,
        counter_by: author("counter_id", "counter_name")?,
        requested_decision: row.try_get("requested_decision")?,
        final_decision: row.try_get("final_decision")?,
        decided_at: row.try_get("decided_at")?,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
        channel: row.try_get("channel")?,
        agent_code: row.try_get("agent_code")?,
    })
}

/// Which cases the queue shows. Times are unix milliseconds, worked out by the caller from its clock.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// `None`: every case still with the desk (not decided). `Some("all")`: every case.
    pub status: Option<String>,
    pub product: Option<String>,
    pub line: Option<String>,
    /// Submitted at or before (the case is at least this old).
    pub submitted_until: Option<i64>,
    /// Submitted at or after (the case is at most this old).
    pub submitted_from: Option<i64>,
    /// `Some((true, sla))`: past the service level (`sla`: its length); `Some((false, sla))`: within it.
    /// `now` is `submitted_until`'s clock, given as `sla_now`.
    pub sla_breached: Option<bool>,
    pub sla_millis: i64,
    pub sla_now: i64,
    pub needs_second_review: Option<bool>,
    /// Awaiting a second review by someone other than this staff id (the review inbox).
    pub review_for: Option<String>,
    /// Keyset: the last row of the previous page.
    pub after: Option<(i64, String)>,
    pub limit: i64,
}

enum Bind {
    Int(i64),
    Text(String),
}

/// The WHERE clause and its values. Written so that each main view meets its index: the default
/// (`status <> 'decided'`, the partial index), one status (`cases_queue`), or all (`cases_by_age`).
fn filter_sql(filter: &CaseFilter) -> (String, Vec<Bind>) {
    let mut clauses: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    let mut bind = |b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    match filter.status.as_deref() {
        None => clauses.push("c.status <> 'decided'".into()),
        Some("all") => {}
        Some(status) => clauses.push(format!("c.status = {}", bind(Bind::Text(status.to_owned())))),
    }
    if let Some(product) = &filter.product {
        clauses.push(format!("c.product = {}", bind(Bind::Text(product.clone()))));
    }
    if let Some(line) = &filter.line {
        clauses.push(format!("c.line = {}", bind(Bind::Text(line.clone()))));
    }
    if let Some(until) = filter.submitted_until {
        clauses.push(format!("c.created_at <= {}", bind(Bind::Int(until))));
    }
    if let Some(from) = filter.submitted_from {
        clauses.push(format!("c.created_at >= {}", bind(Bind::Int(from))));
    }
    if let Some(breached) = filter.sla_breached {
        let cutoff = bind(Bind::Int(filter.sla_now - filter.sla_millis));
        let sla = bind(Bind::Int(filter.sla_millis));
        let past = format!(
            "((c.status <> 'decided' AND c.created_at <= {cutoff}) OR (c.status = 'decided' AND c.decided_at - c.created_at > {sla}))"
        );
        clauses.push(if breached { past } else { format!("NOT {past}") });
    }
    if let Some(two) = filter.needs_second_review {
        clauses.push(format!("c.needs_second_review = {}", bind(Bind::Int(i64::from(two)))));
    }
    if let Some(staff) = &filter.review_for {
        let me = bind(Bind::Text(staff.clone()));
        clauses.push(format!(
            "c.status = 'provisional' AND NOT EXISTS (SELECT 1 FROM case_decisions d WHERE d.id = c.pending_decision AND d.staff_id = {me})"
        ));
    }
    if let Some((at, number)) = &filter.after {
        let at = bind(Bind::Int(*at));
        let number = bind(Bind::Text(number.clone()));
        clauses.push(format!("(c.created_at > {at} OR (c.created_at = {at} AND c.application_number > {number}))"));
    }
    let sql = if clauses.is_empty() { String::new() } else { format!(" WHERE {}", clauses.join(" AND ")) };
    (sql, binds)
}

impl Store {
    /// A page of cases, oldest first.
    pub async fn cases(&self, filter: &CaseFilter) -> Result<Vec<CaseRow>, StoreError> {
        let (clause, binds) = filter_sql(filter);
        let limit = filter.limit.clamp(1, 500);
        let sql = format!("{CASE_SELECT}{clause} ORDER BY c.created_at, c.application_number LIMIT {limit}");
        let mut query = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            query = match b {
                Bind::Int(i) => query.bind(i),
                Bind::Text(t) => query.bind(t),
            };
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows.iter().map(case_row).collect::<Result<_, _>>()?)
    }

    pub async fn case(&self, number: &str) -> Result<Option<CaseRow>, StoreError> {
        let sql = format!("{CASE_SELECT} WHERE c.application_number = $1");
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(case_row).transpose()?)
    }

    /// Record that `username` opened the case (personal data access: audited every time); the first
    /// opening also moves the applicant's status from "submitted" to "under review".
    pub async fn case_opened(&self, number: &str, username: &str) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.pool().begin().await?;
        sqlx::query::<Any>("UPDATE cases SET opened_at = $1 WHERE application_number = $2 AND opened_at IS NULL")
            .bind(now)
            .bind(number)
            .execute(&mut *tx)
            .await?;
        let event = NewAuditEvent::new("case.opened", "{}").application(number).actor(username);
        audit::insert(&mut *tx, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The receipt issued with an application, if any (applications stored before receipts existed
    /// have none).
    pub async fn receipt_of(&self, number: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query::<Any>("SELECT receipt FROM application_receipts WHERE application_number = $1")
            .bind(number)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// The application a receipt was issued for.
    pub async fn application_of_receipt(&self, receipt: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query::<Any>("SELECT application_number FROM application_receipts WHERE receipt = $1")
            .bind(receipt)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Every entry of the audit log about this application, oldest first.
    pub async fn audit_of(&self, number: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT id, at, event, application_number, actor, detail FROM audit_log \
             WHERE application_number = $1 ORDER BY at, id",
        )
        .bind(number)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(audit::entry).collect::<Result<_, sqlx::Error>>().map_err(StoreError::from)
    }

    /// The other applications of the insured of `number`, oldest first (at most 50).
    ///
    /// "The same person" is decided here and only here: by the identity the applications table keeps
    /// for the insured — the server's keyed identity (HMAC of the resident ID number under the server's
    /// secret, scheme `hmac`, see [`crate::identity`]), compared with its scheme, so that a row keyed
    /// another way never matches by accident. An application without an identity has no relatives.
    pub async fn same_person(&self, number: &str) -> Result<Vec<RelatedRow>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT a.number, a.created_at, a.status, c.status AS case_status, f.outcome \
             FROM applications me \
             JOIN applications a ON a.resident_id_hash = me.resident_id_hash \
             AND a.resident_id_scheme = me.resident_id_scheme \
             LEFT JOIN cases c ON c.application_number = a.number \
             LEFT JOIN case_finals f ON f.application_number = a.number \
             WHERE me.number = $1 AND a.number <> $1 ORDER BY a.created_at, a.number LIMIT 50",
        )
        .bind(number)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RelatedRow {
                    application: r.try_get("number")?,
                    created_at: r.try_get("created_at")?,
                    status: r.try_get("status")?,
                    case_status: r.try_get("case_status")?,
                    outcome: r.try_get("outcome")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// How many cases are with the desk, and how many of those are past `cutoff` (submitted before).
    pub async fn queue_counts(&self, cutoff: i64) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN created_at <= $1 THEN 1 ELSE 0 END), 0) \
             FROM cases WHERE status <> 'decided'",
        )
        .bind(cutoff)
        .fetch_one(self.pool())
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    /// Milliseconds from submission to final decision of every case decided at or after `since`, sorted.
    pub async fn decision_times(&self, since: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT decided_at - created_at AS took FROM cases WHERE decided_at >= $1 ORDER BY took",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }

    /// Is this the backend that needs its write transactions opened with `BEGIN IMMEDIATE`?
    pub(crate) fn begin_statement(&self) -> &'static str {
        match self.backend() {
            // Take SQLite's write lock at BEGIN: a transaction that read first and wrote later could
            // find another writer's commit in between and fail at once instead of waiting.
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }
}

/// Another application of the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedRow {
    pub application: String,
    pub created_at: i64,
    pub status: String,
    pub case_status: Option<String>,
    pub outcome: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_view_is_the_partial_index_and_keysets_bind_in_order() {
        let (sql, binds) = filter_sql(&CaseFilter::default());
        assert_eq!(sql, " WHERE c.status <> 'decided'");
        assert!(binds.is_empty());
        let filter = CaseFilter {
            status: Some("provisional".into()),
            review_for: Some("me".into()),
            after: Some((5, "PA1".into())),
            ..CaseFilter::default()
        };
        let (sql, binds) = filter_sql(&filter);
        assert!(sql.starts_with(" WHERE c.status = $1 AND c.status = 'provisional' AND NOT EXISTS"), "{sql}");
        assert!(sql.ends_with("(c.created_at > $3 OR (c.created_at = $3 AND c.application_number > $4))"), "{sql}");
        assert_eq!(binds.len(), 4);
    }
}

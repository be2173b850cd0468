//! Applications: stored exactly once, committed before the caller answers.
//!
//! The writer tasks here also commit the providers' payments ([`crate::purchases`]): a payment is one
//! more job of a batch, in its own savepoint, answered after the same commit.
//!
//! Every submission goes through a writer task. A writer takes every submission waiting (up to
//! `max_batch`), opens one transaction, and gives each submission its own savepoint: the application
//! row, its idempotency key and its coupon redemptions go in together or not at all. A unique-key
//! conflict rolls back only that submission's savepoint, and the writer then tells why: a retry with
//! the same idempotency key and body (answered with the stored application), the same key with another
//! body, or a coupon already redeemed (answered with the application that redeemed it). Only after the
//! transaction commits does any caller get its answer, so a 201 always means "on disk", and one flush
//! serves the whole batch.
//!
//! The primary keys do the real work: `coupon_redemptions (catalogue_id, series, coupon_id)` makes a
//! voucher redeemable once even with several server replicas writing to one PostgreSQL,
//! `referral_credits (…, use_number)` holds a referral code to its use limit the same way, and
//! `idempotency_keys (scope, idempotency_key)` makes a retried submission create one application.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AnyPool, Row};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::audit::{self, NewAuditEvent};
use crate::purchases::{NewPolicy, PaidNotice, PaymentApplied};
use crate::{Store, StoreError, StoreOptions};

/// An application to store. The caller has verified the quote and signed the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    /// Unique application number, chosen by the caller.
    pub number: String,
    /// `accepted` or `referred` (e.g. to manual underwriting after a blacklist hit).
    pub status: String,
    /// `direct` or `agent`.
    pub channel: String,
    pub agent_code: Option<String>,
    /// The agent token the application was made with (its id, never its secret).
    pub agent_token_id: Option<String>,
    /// The insured's keyed identity: HMAC-SHA-256 of the resident ID number under the server's secret.
    pub resident_id_hash: Option<String>,
    pub catalogue_id: String,
    pub catalogue_version: String,
    /// The quote digest.
    pub digest: String,
    /// The underwriting decision, as JSON.
    pub decision: String,
    /// The request as submitted, as JSON.
    pub request_json: String,
    /// The quote as re-computed by the server, as JSON.
    pub quote_json: String,
    /// The server-signed quote token given to the client.
    pub token: String,
    /// Single-use coupons (vouchers) to redeem with this application.
    pub coupons: Vec<Redemption>,
    /// Referral codes to credit to their referrers, each within its use limit.
    pub referrals: Vec<ReferralUse>,
    pub idempotency: Option<IdempotencyKey>,
    /// Events recorded in the same transaction (the store adds `application.stored` itself).
    pub audit: Vec<NewAuditEvent>,
    /// The status receipt given to the applicant (`application_receipts`).
    pub receipt: Option<String>,
    /// The underwriting desk's case, for an application not decided automatically.
    pub case: Option<crate::cases::NewCase>,
    /// The premium dashboard's facts of the application (`premia_dashboard::facts::of_quote`).
    pub dashboard: Option<premia_dashboard::ApplicationFacts>,
}

/// An `Idempotency-Key` header, the caller it is scoped to, and a fingerprint of what it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Whose key it is (the server's choice, e.g. the agent and the person): keys never meet across scopes.
    pub scope: String,
    pub key: String,
    pub body_hash: String,
}

/// A single-use coupon (voucher), by what identifies it: its catalogue, its series and its id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Redemption {
    pub catalogue_id: String,
    pub series: String,
    pub coupon_id: String,
}

/// A referral code used by an application: credited to `referrer` if fewer than `max_uses` applications
/// were credited for the same code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralUse {
    pub catalogue_id: String,
    pub series: String,
    pub code_id: String,
    pub referrer: String,
    pub max_uses: u32,
}

/// A stored application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationRecord {
    pub number: String,
    /// Unix milliseconds.
    pub created_at: i64,
    pub status: String,
    pub channel: String,
    pub agent_code: Option<String>,
    pub agent_token_id: Option<String>,
    pub resident_id_hash: Option<String>,
    /// `hmac` (keyed by the server's secret) or `salted` (the catalogue's salt, before migration 0002).
    pub resident_id_scheme: String,
    pub catalogue_id: String,
    pub catalogue_version: String,
    pub digest: String,
    pub decision: String,
    pub request_json: String,
    pub quote_json: String,
    pub token: String,
    pub coupons: Vec<String>,
}

/// What [`Store::submit`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// A new application was stored.
    Created(ApplicationRecord),
    /// The idempotency key was used before with the same body: this is the application it made.
    Replayed(ApplicationRecord),
}

impl Submitted {
    pub fn record(&self) -> &ApplicationRecord {
        match self {
            Submitted::Created(record) | Submitted::Replayed(record) => record,
        }
    }
}

/// How often [`Store::submit`] tries a submission that failed for a passing reason.
const SUBMIT_ATTEMPTS: u32 = 5;

/// Errors after which the same submission may succeed: a failed batch, a deadlock, a serialization
/// failure (PostgreSQL 40P01, 40001) or a busy database (SQLite 5, 6).
pub(crate) fn is_transient(error: &StoreError) -> bool {
    match error {
        StoreError::Batch(_) => true,
        StoreError::Database(e) => e
            .as_database_error()
            .and_then(|d| d.code())
            .is_some_and(|code| matches!(code.as_ref(), "40P01" | "40001" | "5" | "6" | "261" | "517")),
        _ => false,
    }
}

/// What a writer task is given: a submission, or a verified payment to apply exactly once (see
/// [`crate::purchases`]). Both commit in the writers' batches: one flush serves them all, and on SQLite
/// a payment never waits for the write lock behind a batch of submissions (nor sleeps in SQLite's busy
/// handler): the one write connection takes them in turn.
pub(crate) enum Job {
    Submit { application: Box<NewApplication>, reply: oneshot::Sender<Result<Submitted, StoreError>> },
    Pay { notice: PaidNotice, policy: NewPolicy, reply: oneshot::Sender<Result<PaymentApplied, StoreError>> },
}

/// What a job came to, in the batch's order. Short-lived (one per job, answered at once): not boxed.
#[allow(clippy::large_enum_variant)]
enum JobOutcome {
    Submitted(Result<Submitted, StoreError>),
    Paid(Result<PaymentApplied, StoreError>),
}

impl Job {
    /// Answer the caller (who may have gone away: what was committed stays committed).
    fn answer(self, outcome: JobOutcome) {
        match (self, outcome) {
            (Job::Submit { reply, .. }, JobOutcome::Submitted(outcome)) => drop(reply.send(outcome)),
            (Job::Pay { reply, .. }, JobOutcome::Paid(outcome)) => drop(reply.send(outcome)),
            // `write_batch` answers each job with its own kind; were it ever not so, the caller is
            // told its job failed, and retries it (nothing is acknowledged that was not committed).
            (job, _) => {
                tracing::error!(?job, "a job answered with another kind's outcome");
                job.fail("a job answered with another kind's outcome");
            }
        }
    }

    /// The batch did not commit: nothing of this job was stored.
    fn fail(self, message: &str) {
        let error = || StoreError::Batch(message.to_owned());
        match self {
            Job::Submit { reply, .. } => drop(reply.send(Err(error()))),
            Job::Pay { reply, .. } => drop(reply.send(Err(error()))),
        }
    }
}

/// The queue into the writer tasks.
#[derive(Debug)]
pub(crate) struct Submissions {
    pub(crate) queue: mpsc::Sender<Job>,
}

impl Submissions {
    pub(crate) fn start(pool: AnyPool, options: &StoreOptions, changes: tokio::sync::watch::Sender<u64>) -> Self {
        let (queue, jobs) = mpsc::channel::<Job>(options.max_batch.max(1) * 8);
        let jobs = Arc::new(Mutex::new(jobs));
        for _ in 0..options.writers.max(1) {
            let writer = Writer { pool: pool.clone(), options: options.clone(), changes: changes.clone() };
            tokio::spawn(write_loop(writer, Arc::clone(&jobs)));
        }
        Submissions { queue }
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Submit { application, .. } => {
                f.debug_struct("Submit").field("number", &application.number).finish_non_exhaustive()
            }
            Job::Pay { notice, .. } => f.debug_struct("Pay").field("notice", &notice.notice_id).finish_non_exhaustive(),
        }
    }
}

/// What a writer task needs.
struct Writer {
    pool: AnyPool,
    options: StoreOptions,
    changes: tokio::sync::watch::Sender<u64>,
}

/// Take what is waiting, commit it as one batch, answer; until the store is dropped.
async fn write_loop(writer: Writer, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let mut batch = Vec::new();
        {
            let mut jobs = jobs.lock().await;
            if jobs.recv_many(&mut batch, writer.options.max_batch.max(1)).await == 0 {
                return;
            }
        }
        match write_batch(&writer, &batch).await {
            Ok(outcomes) => {
                debug_assert_eq!(outcomes.len(), batch.len(), "one outcome per job");
                if outcomes.iter().any(|o| matches!(o, JobOutcome::Submitted(Ok(Submitted::Created(_))))) {
                    writer.changes.send_modify(|n| *n = n.wrapping_add(1));
                }
                for (job, outcome) in batch.into_iter().zip(outcomes) {
                    // A caller that went away (client disconnected) still has its application stored.
                    job.answer(outcome);
                }
            }
            Err(error) => {
                let message = error.to_string();
                for job in batch {
                    job.fail(&message);
                }
            }
        }
    }
}

async fn write_batch(writer: &Writer, batch: &[Job]) -> Result<Vec<JobOutcome>, sqlx::Error> {
    let mut tx = writer.pool.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut rollup = crate::dashboard::Rollup::default();
    for job in batch {
        sqlx::query::<Any>("SAVEPOINT submission").execute(&mut *tx).await?;
        let now = writer.options.clock.now();
        let application = match job {
            Job::Submit { application, .. } => application,
            Job::Pay { notice, policy, .. } => {
                let applied = crate::purchases::apply_in(&mut tx, notice, policy).await;
                if applied.is_ok() {
                    sqlx::query::<Any>("RELEASE SAVEPOINT submission").execute(&mut *tx).await?;
                } else {
                    sqlx::query::<Any>("ROLLBACK TO SAVEPOINT submission").execute(&mut *tx).await?;
                    sqlx::query::<Any>("RELEASE SAVEPOINT submission").execute(&mut *tx).await?;
                }
                outcomes.push(JobOutcome::Paid(applied.map_err(StoreError::from)));
                continue;
            }
        };
        match insert(&mut tx, application, now, writer.options.utc_offset_seconds).await {
            Ok(record) => {
                sqlx::query::<Any>("RELEASE SAVEPOINT submission").execute(&mut *tx).await?;
                rollup.submitted_application(application, now, writer.options.utc_offset_seconds);
                outcomes.push(JobOutcome::Submitted(Ok(Submitted::Created(record))));
            }
            Err(refusal) => {
                sqlx::query::<Any>("ROLLBACK TO SAVEPOINT submission").execute(&mut *tx).await?;
                sqlx::query::<Any>("RELEASE SAVEPOINT submission").execute(&mut *tx).await?;
                outcomes.push(JobOutcome::Submitted(match refusal {
                    Refusal::Database(error) => explain(&mut tx, application, error).await?,
                    Refusal::ReferralLimit { code, max_uses } => Err(StoreError::ReferralLimit { code, max_uses }),
                }));
            }
        }
    }
    // The dashboard's rollups of the whole batch, in key order, in the same transaction.
    rollup.apply(&mut tx).await?;
    tx.commit().await?;
    Ok(outcomes)
}

/// Why one submission was rolled back to its savepoint.
enum Refusal {
    Database(sqlx::Error),
    /// Every use of a referral code is taken.
    ReferralLimit {
        code: String,
        max_uses: u32,
    },
}

impl From<sqlx::Error> for Refusal {
    fn from(error: sqlx::Error) -> Self {
        Refusal::Database(error)
    }
}

async fn insert(
    conn: &mut AnyConnection,
    app: &NewApplication,
    now: i64,
    utc_offset_seconds: i32,
) -> Result<ApplicationRecord, Refusal> {
    sqlx::query::<Any>(
        "INSERT INTO applications (number, created_at, status, channel, agent_code, agent_token_id, \
         resident_id_hash, resident_id_scheme, catalogue_id, catalogue_version, digest, decision, request_json, \
         quote_json, token) VALUES ($1, $2, $3, $4, $5, $6, $7, 'hmac', $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(app.number.as_str())
    .bind(now)
    .bind(app.status.as_str())
    .bind(app.channel.as_str())
    .bind(app.agent_code.as_deref())
    .bind(app.agent_token_id.as_deref())
    .bind(app.resident_id_hash.as_deref())
    .bind(app.catalogue_id.as_str())
    .bind(app.catalogue_version.as_str())
    .bind(app.digest.as_str())
    .bind(app.decision.as_str())
    .bind(app.request_json.as_str())
    .bind(app.quote_json.as_str())
    .bind(app.token.as_str())
    .execute(&mut *conn)
    .await?;
    if let Some(idempotency) = &app.idempotency {
        sqlx::query::<Any>(
            "INSERT INTO idempotency_keys (scope, idempotency_key, body_hash, application_number, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(idempotency.scope.as_str())
        .bind(idempotency.key.as_str())
        .bind(idempotency.body_hash.as_str())
        .bind(app.number.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    crate::cases::insert_with_application(&mut *conn, app, now).await?;
    crate::dashboard::insert_with_application(&mut *conn, app, now, utc_offset_seconds).await?;
    let coupons: BTreeSet<&Redemption> = app.coupons.iter().collect();
    for coupon in &coupons {
        sqlx::query::<Any>(
            "INSERT INTO coupon_redemptions (catalogue_id, series, coupon_id, application_number, redeemed_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(coupon.catalogue_id.as_str())
        .bind(coupon.series.as_str())
        .bind(coupon.coupon_id.as_str())
        .bind(app.number.as_str())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    let mut credits = Vec::new();
    for referral in &app.referrals {
        credits.push(credit_referral(conn, referral, &app.number, now).await?);
    }
    let ids: Vec<&str> = coupons.iter().map(|c| c.coupon_id.as_str()).collect();
    let detail = serde_json::json!({
        "status": app.status, "digest": app.digest, "catalogue_version": app.catalogue_version, "coupons": ids,
        "agent_token_id": app.agent_token_id, "referral_credits": credits,
    });
    let stored = NewAuditEvent {
        event: "application.stored".into(),
        application: Some(app.number.clone()),
        actor: Some(app.agent_code.clone().unwrap_or_else(|| app.channel.clone())),
        detail: detail.to_string(),
    };
    for event in app.audit.iter().chain(std::iter::once(&stored)) {
        audit::insert(&mut *conn, event).await?;
    }
    Ok(ApplicationRecord {
        number: app.number.clone(),
        created_at: now,
        status: app.status.clone(),
        channel: app.channel.clone(),
        agent_code: app.agent_code.clone(),
        agent_token_id: app.agent_token_id.clone(),
        resident_id_hash: app.resident_id_hash.clone(),
        resident_id_scheme: "hmac".into(),
        catalogue_id: app.catalogue_id.clone(),
        catalogue_version: app.catalogue_version.clone(),
        digest: app.digest.clone(),
        decision: app.decision.clone(),
        request_json: app.request_json.clone(),
        quote_json: app.quote_json.clone(),
        token: app.token.clone(),
        coupons: ids.into_iter().map(str::to_owned).collect(),
    })
}

/// Credit a referral code to its referrer with the first free use number up to its limit; each attempt in
/// its own savepoint, so that a number another submission (or replica) took just moves on to the next.
/// `Ok(n)`: this was use `n`.
async fn credit_referral(
    conn: &mut AnyConnection,
    referral: &ReferralUse,
    application: &str,
    now: i64,
) -> Result<u32, Refusal> {
    let taken: i64 = sqlx::query::<Any>(
        "SELECT COUNT(*) FROM referral_credits WHERE catalogue_id = $1 AND series = $2 AND code_id = $3",
    )
    .bind(referral.catalogue_id.as_str())
    .bind(referral.series.as_str())
    .bind(referral.code_id.as_str())
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    let first = u32::try_from(taken).unwrap_or(u32::MAX).saturating_add(1);
    for use_number in first..=referral.max_uses {
        sqlx::query::<Any>("SAVEPOINT referral_use").execute(&mut *conn).await?;
        let inserted = sqlx::query::<Any>(
            "INSERT INTO referral_credits (catalogue_id, series, code_id, use_number, referrer, application_number, \
             credited_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(referral.catalogue_id.as_str())
        .bind(referral.series.as_str())
        .bind(referral.code_id.as_str())
        .bind(i64::from(use_number))
        .bind(referral.referrer.as_str())
        .bind(application)
        .bind(now)
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => {
                sqlx::query::<Any>("RELEASE SAVEPOINT referral_use").execute(&mut *conn).await?;
                return Ok(use_number);
            }
            Err(error) if is_unique_violation(&error) => {
                sqlx::query::<Any>("ROLLBACK TO SAVEPOINT referral_use").execute(&mut *conn).await?;
                sqlx::query::<Any>("RELEASE SAVEPOINT referral_use").execute(&mut *conn).await?;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(Refusal::ReferralLimit { code: referral.code_id.clone(), max_uses: referral.max_uses })
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(|e| e.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// After a failed insert (rolled back to its savepoint): a replay, a refusal, or the error itself.
async fn explain(
    conn: &mut AnyConnection,
    app: &NewApplication,
    error: sqlx::Error,
) -> Result<Result<Submitted, StoreError>, sqlx::Error> {
    // A retry of a submission whose commit landed although it reported failure.
    if let Some(existing) = load(conn, &app.number).await? {
        if existing.digest == app.digest && existing.token == app.token {
            return Ok(Ok(Submitted::Created(existing)));
        }
    }
    if let Some(idempotency) = &app.idempotency {
        if let Some((body_hash, number)) = idempotency_row(conn, &idempotency.scope, &idempotency.key).await? {
            // Another body under the same key and scope: refused without naming the application.
            if body_hash != idempotency.body_hash {
                return Ok(Err(StoreError::IdempotencyConflict));
            }
            return Ok(match load(conn, &number).await? {
                Some(record) => Ok(Submitted::Replayed(record)),
                None => Err(StoreError::Corrupt(format!("idempotency key refers to missing application {number}"))),
            });
        }
    }
    for coupon in &app.coupons {
        if let Some(application) = redeemed_by(conn, coupon).await? {
            return Ok(Err(StoreError::CouponRedeemed { coupon: coupon.coupon_id.clone(), application }));
        }
    }
    Ok(Err(StoreError::Database(error)))
}

async fn idempotency_row(
    conn: &mut AnyConnection,
    scope: &str,
    key: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let row = sqlx::query::<Any>(
        "SELECT body_hash, application_number FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2",
    )
    .bind(scope)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).transpose()
}

async fn redeemed_by(conn: &mut AnyConnection, coupon: &Redemption) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query::<Any>(
        "SELECT application_number FROM coupon_redemptions WHERE catalogue_id = $1 AND series = $2 AND coupon_id = $3",
    )
    .bind(coupon.catalogue_id.as_str())
    .bind(coupon.series.as_str())
    .bind(coupon.coupon_id.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get(0)).transpose()
}

const SELECT_APPLICATION: &str = "SELECT number, created_at, status, channel, agent_code, agent_token_id, \
     resident_id_hash, resident_id_scheme, catalogue_id, catalogue_version, digest, decision, request_json, \
     quote_json, token FROM applications WHERE number = $1";

pub(crate) async fn load(conn: &mut AnyConnection, number: &str) -> Result<Option<ApplicationRecord>, sqlx::Error> {
    let Some(row) = sqlx::query::<Any>(SELECT_APPLICATION).bind(number).fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let coupons =
        sqlx::query::<Any>("SELECT coupon_id FROM coupon_redemptions WHERE application_number = $1 ORDER BY coupon_id")
            .bind(number)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?;
    record(&row, coupons).map(Some)
}

fn record(row: &AnyRow, coupons: Vec<String>) -> Result<ApplicationRecord, sqlx::Error> {
    Ok(ApplicationRecord {
        number: row.try_get("number")?,
        created_at: row.try_get("created_at")?,
        status: row.try_get("status")?,
        channel: row.try_get("channel")?,
        agent_code: row.try_get("agent_code")?,
        agent_token_id: row.try_get("agent_token_id")?,
        resident_id_hash: row.try_get("resident_id_hash")?,
        resident_id_scheme: row.try_get("resident_id_scheme")?,
        catalogue_id: row.try_get("catalogue_id")?,
        catalogue_version: row.try_get("catalogue_version")?,
        digest: row.try_get("digest")?,
        decision: row.try_get("decision")?,
        request_json: row.try_get("request_json")?,
        quote_json: row.try_get("quote_json")?,
        token: row.try_get("token")?,
        coupons,
    })
}

/// Fill in the series of vouchers redeemed before migration 0005 (marked ''), from the `coupons_used` of
/// the quote stored with their application. Idempotent; run by [`Store::open`] after the migrations.
pub(crate) async fn backfill_redemption_series(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let rows = sqlx::query::<Any>(
        "SELECT r.catalogue_id, r.coupon_id, a.number, a.quote_json FROM coupon_redemptions r \
         JOIN applications a ON a.number = r.application_number WHERE r.series = ''",
    )
    .fetch_all(pool)
    .await?;
    for row in rows {
        let (catalogue, coupon, quote): (String, String, String) = (row.try_get(0)?, row.try_get(1)?, row.try_get(3)?);
        let quote: serde_json::Value = serde_json::from_str(&quote).unwrap_or_default();
        let series = quote["coupons_used"]
            .as_array()
            .and_then(|used| used.iter().find(|c| c["id"] == coupon.as_str()))
            .and_then(|c| c["series"].as_str());
        if let Some(series) = series {
            sqlx::query::<Any>(
                "UPDATE coupon_redemptions SET series = $1 WHERE catalogue_id = $2 AND series = '' AND coupon_id = $3",
            )
            .bind(series)
            .bind(catalogue.as_str())
            .bind(coupon.as_str())
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Store `application`, redeeming its coupons and recording its idempotency key, in one transaction
    /// committed before this returns. See the module documentation for the outcomes.
    ///
    /// A submission that lost a deadlock (PostgreSQL, with several writers or replicas) or whose batch
    /// failed to commit is sent again, a few times: nothing of it was stored, and if a commit did land
    /// despite reporting failure, the retry finds the application by its number.
    pub async fn submit(&self, application: NewApplication) -> Result<Submitted, StoreError> {
        let mut attempt = 0;
        loop {
            let (reply, answer) = oneshot::channel();
            let job = Job::Submit { application: Box::new(application.clone()), reply };
            self.inner.submissions.queue.send(job).await.map_err(|_| StoreError::Closed)?;
            let outcome = answer.await.map_err(|_| StoreError::Closed)?;
            attempt += 1;
            match outcome {
                Err(error) if attempt < SUBMIT_ATTEMPTS && is_transient(&error) => {
                    tokio::time::sleep(std::time::Duration::from_millis(5 << attempt)).await;
                }
                outcome => return outcome,
            }
        }
    }

    /// The application with this number.
    pub async fn application(&self, number: &str) -> Result<Option<ApplicationRecord>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(load(&mut conn, number).await?)
    }

    /// The body fingerprint and application recorded for an idempotency key in `scope`, if it was used.
    pub async fn idempotent(&self, scope: &str, key: &str) -> Result<Option<(String, ApplicationRecord)>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        let Some((hash, number)) = idempotency_row(&mut conn, scope, key).await? else {
            return Ok(None);
        };
        let record = load(&mut conn, &number)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("idempotency key refers to missing application {number}")))?;
        Ok(Some((hash, record)))
    }

    /// The application that redeemed `coupon`, if any.
    pub async fn redemption(&self, coupon: &Redemption) -> Result<Option<String>, StoreError> {
        let mut conn = self.pool().acquire().await?;
        Ok(redeemed_by(&mut conn, coupon).await?)
    }

    /// How many applications are stored.
    pub async fn application_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query::<Any>("SELECT COUNT(*) FROM applications").fetch_one(self.pool()).await?;
        Ok(row.try_get(0)?)
    }

    /// Every application number, in the order stored.
    pub async fn application_numbers(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query::<Any>("SELECT number FROM applications ORDER BY created_at, number")
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }
}

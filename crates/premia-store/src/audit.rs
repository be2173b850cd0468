//! The audit log: an append-only record of what happened to applications, the blacklist and agent
//! tokens, for the premium department and for regulators.

use serde::Serialize;
use sqlx::{Any, Executor, Row};

use crate::{Store, StoreError, now_millis, secret};

/// An event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    /// Dotted name, e.g. `application.accepted`, `blacklist.hit`, `coupon.refused`.
    pub event: String,
    pub application: Option<String>,
    /// Who caused it: an agent code, `cli`, or `direct` for the public site.
    pub actor: Option<String>,
    /// JSON details.
    pub detail: String,
}

impl NewAuditEvent {
    pub fn new(event: impl Into<String>, detail: impl Into<String>) -> Self {
        NewAuditEvent { event: event.into(), application: None, actor: None, detail: detail.into() }
    }

    pub fn application(mut self, number: impl Into<String>) -> Self {
        self.application = Some(number.into());
        self
    }

    pub fn actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = Some(actor.into());
        self
    }
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: String,
    /// Unix milliseconds.
    pub at: i64,
    pub event: String,
    pub application: Option<String>,
    pub actor: Option<String>,
    pub detail: String,
}

pub(crate) async fn insert<'e>(
    executor: impl Executor<'e, Database = Any>,
    event: &NewAuditEvent,
) -> Result<(), sqlx::Error> {
    sqlx::query::<Any>(
        "INSERT INTO audit_log (id, at, event, application_number, actor, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(secret::random_id())
    .bind(now_millis())
    .bind(event.event.as_str())
    .bind(event.application.as_deref())
    .bind(event.actor.as_deref())
    .bind(event.detail.as_str())
    .execute(executor)
    .await?;
    Ok(())
}

impl Store {
    /// Record one event on its own.
    pub async fn audit(&self, event: &NewAuditEvent) -> Result<(), StoreError> {
        insert(self.pool(), event).await?;
        Ok(())
    }

    /// The latest `limit` events, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT id, at, event, application_number, actor, detail FROM audit_log ORDER BY at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(entry).collect::<Result<_, sqlx::Error>>().map_err(StoreError::from)
    }
}

pub(crate) fn entry(row: &sqlx::any::AnyRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        id: row.try_get("id")?,
        at: row.try_get("at")?,
        event: row.try_get("event")?,
        application: row.try_get("application_number")?,
        actor: row.try_get("actor")?,
        detail: row.try_get("detail")?,
    })
}

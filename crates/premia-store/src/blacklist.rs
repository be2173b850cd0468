//! The blacklist (黑名单): customers and intermediaries with fraud records, refused or referred to
//! manual underwriting when they apply.
//!
//! Customers are listed by the salted hash of their resident ID, exactly as a quote carries it, so the
//! store never holds an ID number. Agents are listed by agent code.

use serde::Serialize;
use sqlx::{Any, Row};

use crate::audit::{self, NewAuditEvent};
use crate::{Store, StoreError, now_millis};

/// What a blacklist entry blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlacklistKind {
    /// A customer, by salted SHA-256 of the resident ID (hex).
    ResidentId,
    /// An intermediary, by agent code.
    Agent,
}

impl BlacklistKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BlacklistKind::ResidentId => "resident_id",
            BlacklistKind::Agent => "agent",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "resident_id" => Some(BlacklistKind::ResidentId),
            "agent" => Some(BlacklistKind::Agent),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlacklistEntry {
    pub kind: BlacklistKind,
    /// The resident-ID hash or the agent code.
    pub value: String,
    pub reason: String,
    /// Unix milliseconds.
    pub added_at: i64,
}

impl Store {
    /// Add an entry; `false` if it was already listed (the first reason is kept).
    pub async fn blacklist_add(&self, kind: BlacklistKind, value: &str, reason: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let added = sqlx::query::<Any>(
            "INSERT INTO blacklist (kind, value, reason, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(kind.as_str())
        .bind(value)
        .bind(reason)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            let detail = serde_json::json!({ "kind": kind.as_str(), "reason": reason }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("blacklist.added", detail).actor("cli")).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Remove an entry; `false` if it was not listed.
    pub async fn blacklist_remove(&self, kind: BlacklistKind, value: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let removed = sqlx::query::<Any>("DELETE FROM blacklist WHERE kind = $1 AND value = $2")
            .bind(kind.as_str())
            .bind(value)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        if removed {
            let detail = serde_json::json!({ "kind": kind.as_str() }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("blacklist.removed", detail).actor("cli")).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Every entry, by kind then value.
    pub async fn blacklist(&self) -> Result<Vec<BlacklistEntry>, StoreError> {
        let rows = sqlx::query::<Any>("SELECT kind, value, reason, added_at FROM blacklist ORDER BY kind, value")
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(entry).collect()
    }

    /// The entry for `value` of `kind`, if listed.
    pub async fn blacklisted(&self, kind: BlacklistKind, value: &str) -> Result<Option<BlacklistEntry>, StoreError> {
        let row =
            sqlx::query::<Any>("SELECT kind, value, reason, added_at FROM blacklist WHERE kind = $1 AND value = $2")
                .bind(kind.as_str())
                .bind(value)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(entry).transpose()
    }
}

fn entry(row: &sqlx::any::AnyRow) -> Result<BlacklistEntry, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(BlacklistEntry {
        kind: BlacklistKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("blacklist kind {kind:?}")))?,
        value: row.try_get("value")?,
        reason: row.try_get("reason")?,
        added_at: row.try_get("added_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for kind in [BlacklistKind::ResidentId, BlacklistKind::Agent] {
            assert_eq!(BlacklistKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(BlacklistKind::parse("phone"), None);
    }
}

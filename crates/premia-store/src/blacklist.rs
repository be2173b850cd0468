//! The blacklist (黑名单): customers and intermediaries with fraud records, refused or referred to
//! manual underwriting when they apply.
//!
//! Customers are listed by their keyed identity (HMAC-SHA-256 of the resident ID number under the
//! server's secret; entries made before migration 0002 by the catalogue's salted hash, still matched:
//! see [`crate::identity`]), so the store never holds an ID number. Agents are listed by agent code.

use serde::Serialize;
use sqlx::{Any, Row};

use crate::audit::{self, NewAuditEvent};
use crate::identity::{Identity, Scheme};
use crate::{Store, StoreError, now_millis};

/// What a blacklist entry blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlacklistKind {
    /// A customer, by keyed hash of the resident ID number (hex).
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
    /// For customers, how `value` was hashed: `hmac` or `salted` (before migration 0002); `plain` for agents.
    pub scheme: String,
    pub reason: String,
    /// Unix milliseconds.
    pub added_at: i64,
}

impl Store {
    /// Add a person by their keyed identity; `false` if already listed (the first reason is kept).
    pub async fn blacklist_person(&self, keyed: &str, reason: &str, actor: &str) -> Result<bool, StoreError> {
        self.blacklist_insert(BlacklistKind::ResidentId, Scheme::Hmac.as_str(), keyed, reason, actor).await
    }

    /// Add an agent by code; `false` if already listed.
    pub async fn blacklist_agent(&self, code: &str, reason: &str, actor: &str) -> Result<bool, StoreError> {
        self.blacklist_insert(BlacklistKind::Agent, "plain", code, reason, actor).await
    }

    async fn blacklist_insert(
        &self,
        kind: BlacklistKind,
        scheme: &str,
        value: &str,
        reason: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let added = sqlx::query::<Any>(
            "INSERT INTO blacklist (kind, value, reason, added_at, scheme) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT DO NOTHING",
        )
        .bind(kind.as_str())
        .bind(value)
        .bind(reason)
        .bind(now_millis())
        .bind(scheme)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            let detail = serde_json::json!({ "kind": kind.as_str(), "scheme": scheme, "reason": reason }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("blacklist.added", detail).actor(actor)).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Remove a person under every scheme they may be listed by; `false` if they were not listed.
    pub async fn unblacklist_person(&self, identity: &Identity, actor: &str) -> Result<bool, StoreError> {
        let mut removed = 0;
        let mut tx = self.pool().begin().await?;
        for (scheme, value) in identity.keys() {
            removed +=
                sqlx::query::<Any>("DELETE FROM blacklist WHERE kind = 'resident_id' AND scheme = $1 AND value = $2")
                    .bind(scheme.as_str())
                    .bind(value)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
        }
        if removed > 0 {
            let detail = serde_json::json!({ "kind": "resident_id", "entries": removed }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("blacklist.removed", detail).actor(actor)).await?;
        }
        tx.commit().await?;
        Ok(removed > 0)
    }

    /// Remove an agent; `false` if not listed.
    pub async fn unblacklist_agent(&self, code: &str, actor: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let removed = sqlx::query::<Any>("DELETE FROM blacklist WHERE kind = 'agent' AND value = $1")
            .bind(code)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if removed {
            let detail = serde_json::json!({ "kind": "agent" }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("blacklist.removed", detail).actor(actor)).await?;
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// Every entry, by kind then value.
    pub async fn blacklist(&self) -> Result<Vec<BlacklistEntry>, StoreError> {
        let rows =
            sqlx::query::<Any>("SELECT kind, value, reason, added_at, scheme FROM blacklist ORDER BY kind, value")
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(entry).collect()
    }

    /// The entry listing this person, under any scheme. An entry found only by a legacy salted hash is
    /// copied under the keyed identity as well, so that it keeps stopping the person after the catalogue
    /// (and its salt) changes.
    pub async fn blacklisted_person(&self, identity: &Identity) -> Result<Option<BlacklistEntry>, StoreError> {
        for (scheme, value) in identity.keys() {
            let row = sqlx::query::<Any>(
                "SELECT kind, value, reason, added_at, scheme FROM blacklist \
                 WHERE kind = 'resident_id' AND scheme = $1 AND value = $2",
            )
            .bind(scheme.as_str())
            .bind(value)
            .fetch_optional(self.pool())
            .await?;
            if let Some(row) = row {
                let found = entry(&row)?;
                if scheme == Scheme::Salted {
                    self.blacklist_insert(
                        BlacklistKind::ResidentId,
                        "hmac",
                        &identity.keyed,
                        &found.reason,
                        "migration",
                    )
                    .await?;
                }
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The entry for an agent code, if listed.
    pub async fn blacklisted_agent(&self, code: &str) -> Result<Option<BlacklistEntry>, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT kind, value, reason, added_at, scheme FROM blacklist WHERE kind = 'agent' AND value = $1",
        )
        .bind(code)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(entry).transpose()
    }

    /// Add an entry exactly as given (a hash of `scheme`): for migrations and tests of them.
    pub async fn blacklist_raw(
        &self,
        kind: BlacklistKind,
        scheme: &str,
        value: &str,
        reason: &str,
    ) -> Result<bool, StoreError> {
        self.blacklist_insert(kind, scheme, value, reason, "test").await
    }
}

fn entry(row: &sqlx::any::AnyRow) -> Result<BlacklistEntry, StoreError> {
    let kind: String = row.try_get("kind")?;
    Ok(BlacklistEntry {
        kind: BlacklistKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("blacklist kind {kind:?}")))?,
        value: row.try_get("value")?,
        scheme: row.try_get("scheme")?,
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

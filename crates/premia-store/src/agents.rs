//! Agent credentials: bearer tokens issued by `premia-server agent issue`, revocable, stored only as hashes.
//!
//! A token reads `pat_<id>_<secret>`: the id (12 hex digits) finds the row, the secret (64 hex digits,
//! 256 random bits) proves possession. Only SHA-256 of the secret is stored, so a copy of the database
//! does not let anyone act as an agent.

use serde::Serialize;
use sqlx::{Any, Row};

use crate::audit::{self, NewAuditEvent};
use crate::{Store, StoreError, now_millis, secret, sha256_hex};

const PREFIX: &str = "pat_";

/// A token as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentToken {
    pub id: String,
    pub agent_code: String,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A presented token whose secret matched: which token and agent it is, and whether it was revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentCredential {
    pub token_id: String,
    pub agent_code: String,
    pub revoked: bool,
}

/// A newly issued token: `token` is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub id: String,
    pub token: String,
}

/// Split `pat_<id>_<secret>` into id and secret.
fn parse(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.strip_prefix(PREFIX)?.split_once('_')?;
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(id, 12) && hex(secret, 64)).then_some((id, secret))
}

impl Store {
    /// Issue a new token for `agent_code`.
    pub async fn issue_agent_token(&self, agent_code: &str, label: &str) -> Result<IssuedToken, StoreError> {
        let random = |e: getrandom::Error| StoreError::Corrupt(format!("no randomness from the OS: {e}"));
        let id = secret::hex(&secret::random_bytes::<6>().map_err(random)?);
        let secret = secret::hex(&secret::random_bytes::<32>().map_err(random)?);
        let mut tx = self.pool().begin().await?;
        sqlx::query::<Any>(
            "INSERT INTO agent_tokens (id, agent_code, secret_hash, label, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.as_str())
        .bind(agent_code)
        .bind(sha256_hex(secret.as_bytes()))
        .bind(label)
        .bind(now_millis())
        .execute(&mut *tx)
        .await?;
        let detail = serde_json::json!({ "token_id": id, "agent_code": agent_code }).to_string();
        audit::insert(&mut *tx, &NewAuditEvent::new("agent_token.issued", detail).actor("cli")).await?;
        tx.commit().await?;
        Ok(IssuedToken { token: format!("{PREFIX}{id}_{secret}"), id })
    }

    /// Revoke one token by its id, or every live token of an agent when `id_or_agent` is an agent code.
    /// Returns how many tokens were revoked.
    pub async fn revoke_agent_tokens(&self, id_or_agent: &str) -> Result<u64, StoreError> {
        let mut tx = self.pool().begin().await?;
        let revoked = sqlx::query::<Any>(
            "UPDATE agent_tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND (id = $2 OR agent_code = $2)",
        )
        .bind(now_millis())
        .bind(id_or_agent)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if revoked > 0 {
            let detail = serde_json::json!({ "revoked": revoked, "which": id_or_agent }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("agent_token.revoked", detail).actor("cli")).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// Every token, oldest first.
    pub async fn agent_tokens(&self) -> Result<Vec<AgentToken>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT id, agent_code, label, created_at, revoked_at FROM agent_tokens ORDER BY created_at, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AgentToken {
                    id: row.try_get("id")?,
                    agent_code: row.try_get("agent_code")?,
                    label: row.try_get("label")?,
                    created_at: row.try_get("created_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// The token a bearer token is, if it is well-formed, known and its secret matches (revoked or not:
    /// the caller tells a revoked token from an unknown one).
    pub async fn agent_credential(&self, token: &str) -> Result<Option<AgentCredential>, StoreError> {
        let Some((id, secret)) = parse(token) else {
            return Ok(None);
        };
        let row = sqlx::query::<Any>("SELECT agent_code, secret_hash, revoked_at FROM agent_tokens WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let stored: String = row.try_get("secret_hash")?;
        if !secret::constant_time_eq(&stored, &sha256_hex(secret.as_bytes())) {
            return Ok(None);
        }
        let revoked: Option<i64> = row.try_get("revoked_at")?;
        Ok(Some(AgentCredential {
            token_id: id.to_owned(),
            agent_code: row.try_get("agent_code")?,
            revoked: revoked.is_some(),
        }))
    }

    /// The agent code a bearer token belongs to, if it is well-formed, known and not revoked.
    pub async fn authenticate_agent(&self, token: &str) -> Result<Option<String>, StoreError> {
        Ok(self.agent_credential(token).await?.filter(|c| !c.revoked).map(|c| c.agent_code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_strictly() {
        let good = format!("pat_{}_{}", "a".repeat(12), "0".repeat(64));
        assert_eq!(parse(&good), Some(("aaaaaaaaaaaa", "0".repeat(64).as_str())));
        assert_eq!(parse(&good[1..]), None);
        assert_eq!(parse(&format!("pat_{}_{}", "a".repeat(11), "0".repeat(64))), None);
        assert_eq!(parse(&format!("pat_{}_{}", "a".repeat(12), "g".repeat(64))), None);
        assert_eq!(parse(""), None);
    }
}

//! The public halves of every key the servers have signed quote tokens with. Each server records its
//! current key when it starts; a rotation (`premia-server keys rotate`) marks the previous one retired.
//! `/api/keys` lists them all, so a token signed by any replica, before or after a rotation, verifies.

use serde::Serialize;
use sqlx::{Any, Row};

use crate::audit::{self, NewAuditEvent};
use crate::{Store, StoreError, now_millis};

/// A signing key as recorded: its id and its public key (base64url, as in a JWK's `x`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningKeyRecord {
    pub kid: String,
    pub public_key: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

impl Store {
    /// Record a public key (nothing happens if it is already recorded).
    pub async fn record_signing_key(&self, kid: &str, public_key: &str) -> Result<(), StoreError> {
        sqlx::query::<Any>(
            "INSERT INTO signing_keys (kid, public_key, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(kid)
        .bind(public_key)
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Mark a key retired: it signs nothing more, and still verifies what it signed.
    pub async fn retire_signing_key(&self, kid: &str, actor: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query::<Any>("UPDATE signing_keys SET retired_at = $1 WHERE kid = $2 AND retired_at IS NULL")
            .bind(now_millis())
            .bind(kid)
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({ "kid": kid }).to_string();
        audit::insert(&mut *tx, &NewAuditEvent::new("signing_key.retired", detail).actor(actor)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every recorded key, oldest first.
    pub async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT kid, public_key, created_at, retired_at FROM signing_keys ORDER BY created_at, kid",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SigningKeyRecord {
                    kid: row.try_get("kid")?,
                    public_key: row.try_get("public_key")?,
                    created_at: row.try_get("created_at")?,
                    retired_at: row.try_get("retired_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

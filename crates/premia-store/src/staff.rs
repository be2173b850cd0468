//! Staff accounts, their sessions and failed logins (for the underwriting desk and the dashboard).
//!
//! The store keeps what the server decided: a password's Argon2id hash (hashing and checking are the
//! server's), a session's id as the SHA-256 of the cookie's secret, and counts of failed logins. Every
//! change to an account is written to the audit log in the same transaction.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::audit::{self, NewAuditEvent};
use crate::{Store, StoreError, now_millis, secret};

/// An account as listed (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffAccount {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub created_at: i64,
    pub password_changed_at: i64,
    pub disabled_at: Option<i64>,
}

/// A live session and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSession {
    /// SHA-256 of the cookie's secret.
    pub id: String,
    pub staff: StaffAccount,
    pub csrf: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_seen_at: i64,
}

const ACCOUNT_COLUMNS: &str =
    "s.id, s.username, s.display_name, s.role, s.created_at, s.password_changed_at, s.disabled_at";

fn account(row: &AnyRow) -> Result<StaffAccount, sqlx::Error> {
    Ok(StaffAccount {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: row.try_get("role")?,
        created_at: row.try_get("created_at")?,
        password_changed_at: row.try_get("password_changed_at")?,
        disabled_at: row.try_get("disabled_at")?,
    })
}

impl Store {
    /// Add an account. `Conflict` if the username is taken; an unknown role is refused by the database.
    pub async fn staff_add(
        &self,
        username: &str,
        display_name: &str,
        role: &str,
        password_hash: &str,
        actor: &str,
    ) -> Result<StaffAccount, StoreError> {
        let now = now_millis();
        let id = secret::random_id();
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query::<Any>(
            "INSERT INTO staff (id, username, display_name, role, password_hash, created_at, password_changed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (username) DO NOTHING",
        )
        .bind(id.as_str())
        .bind(username)
        .bind(display_name)
        .bind(role)
        .bind(password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::Conflict(format!("a staff member is already called {username}")));
        }
        let detail = serde_json::json!({ "username": username, "role": role }).to_string();
        audit::insert(&mut *tx, &NewAuditEvent::new("staff.added", detail).actor(actor)).await?;
        tx.commit().await?;
        let account = StaffAccount {
            id,
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            role: role.to_owned(),
            created_at: now,
            password_changed_at: now,
            disabled_at: None,
        };
        Ok(account)
    }

    /// Every account, by username.
    pub async fn staff_list(&self) -> Result<Vec<StaffAccount>, StoreError> {
        let rows = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS} FROM staff s ORDER BY s.username"
        )))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(account).collect::<Result<_, _>>()?)
    }

    /// The account called `username` and its password hash (disabled accounts included: the caller
    /// refuses them after checking the password, so that a wrong password and a disabled account take
    /// the same time).
    pub async fn staff_login(&self, username: &str) -> Result<Option<(StaffAccount, String)>, StoreError> {
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS}, s.password_hash FROM staff s WHERE s.username = $1"
        )))
        .bind(username)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|row| Ok::<_, sqlx::Error>((account(&row)?, row.try_get("password_hash")?))).transpose()?)
    }

    /// Disable an account and end its sessions; `false` if there is no such account (or it was
    /// disabled already).
    pub async fn staff_disable(&self, username: &str, actor: &str) -> Result<bool, StoreError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        let changed =
            sqlx::query::<Any>("UPDATE staff SET disabled_at = $1 WHERE username = $2 AND disabled_at IS NULL")
                .bind(now)
                .bind(username)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 1 {
            revoke_all(&mut tx, username, now).await?;
            let detail = serde_json::json!({ "username": username }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("staff.disabled", detail).actor(actor)).await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Set a new password hash, end every session of the account and clear its failed logins (a
    /// disabled account stays disabled); `false` if there is no such account.
    pub async fn staff_set_password(&self, username: &str, hash: &str, actor: &str) -> Result<bool, StoreError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        let changed =
            sqlx::query::<Any>("UPDATE staff SET password_hash = $1, password_changed_at = $2 WHERE username = $3")
                .bind(hash)
                .bind(now)
                .bind(username)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if changed == 1 {
            revoke_all(&mut tx, username, now).await?;
            sqlx::query::<Any>("DELETE FROM staff_login_failures WHERE username = $1")
                .bind(username)
                .execute(&mut *tx)
                .await?;
            let detail = serde_json::json!({ "username": username }).to_string();
            audit::insert(&mut *tx, &NewAuditEvent::new("staff.password_reset", detail).actor(actor)).await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Failed logins in a row for `username` and when the last was, if any.
    pub async fn login_failures(&self, username: &str) -> Result<Option<(i64, i64)>, StoreError> {
        let row = sqlx::query::<Any>("SELECT failures, last_failed_at FROM staff_login_failures WHERE username = $1")
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?))).transpose()?)
    }

    /// Count a failed login (audited); returns the failures in a row.
    pub async fn login_failed(&self, username: &str, detail: &str) -> Result<i64, StoreError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query::<Any>(
            "INSERT INTO staff_login_failures (username, failures, last_failed_at) VALUES ($1, 1, $2) \
             ON CONFLICT (username) DO UPDATE SET failures = staff_login_failures.failures + 1, last_failed_at = $2 \
             RETURNING failures",
        )
        .bind(username)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let failures: i64 = row.try_get(0)?;
        let event = NewAuditEvent::new("staff.login_failed", detail.to_owned()).actor(username);
        audit::insert(&mut *tx, &event).await?;
        tx.commit().await?;
        Ok(failures)
    }

    /// Open a session after a good password: failed logins cleared, the login audited.
    pub async fn session_open(
        &self,
        staff: &StaffAccount,
        secret_hash: &str,
        csrf: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let now = now_millis();
        let mut tx = self.pool().begin().await?;
        sqlx::query::<Any>(
            "INSERT INTO staff_sessions (id, staff_id, csrf, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5, $4)",
        )
        .bind(secret_hash)
        .bind(staff.id.as_str())
        .bind(csrf)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query::<Any>("DELETE FROM staff_login_failures WHERE username = $1")
            .bind(staff.username.as_str())
            .execute(&mut *tx)
            .await?;
        let detail = serde_json::json!({ "role": staff.role }).to_string();
        audit::insert(&mut *tx, &NewAuditEvent::new("staff.login", detail).actor(staff.username.as_str())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session with this id: not revoked, not expired at `now`, seen within `idle_millis`, of
    /// an account that is not disabled.
    pub async fn session(&self, id: &str, now: i64, idle_millis: i64) -> Result<Option<StaffSession>, StoreError> {
        let row = sqlx::query::<Any>(sqlx::AssertSqlSafe(format!(
            "SELECT {ACCOUNT_COLUMNS}, x.id AS session_id, x.csrf, x.created_at AS session_created_at, \
             x.expires_at, x.last_seen_at FROM staff_sessions x JOIN staff s ON s.id = x.staff_id \
             WHERE x.id = $1 AND x.revoked_at IS NULL AND x.expires_at > $2 AND x.last_seen_at > $3 \
             AND s.disabled_at IS NULL"
        )))
        .bind(id)
        .bind(now)
        .bind(now.saturating_sub(idle_millis))
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(StaffSession {
            id: row.try_get("session_id")?,
            staff: account(&row)?,
            csrf: row.try_get("csrf")?,
            created_at: row.try_get("session_created_at")?,
            expires_at: row.try_get("expires_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
        }))
    }

    /// Note that a session was used (for its idle timeout).
    pub async fn session_seen(&self, id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query::<Any>("UPDATE staff_sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// End a session (logout), audited.
    pub async fn session_revoke(&self, id: &str, username: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query::<Any>("UPDATE staff_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(now_millis())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::insert(&mut *tx, &NewAuditEvent::new("staff.logout", "{}").actor(username)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every role the database knows.
    pub async fn staff_roles(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query::<Any>("SELECT role FROM staff_roles ORDER BY role").fetch_all(self.pool()).await?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }
}

async fn revoke_all(tx: &mut sqlx::AnyConnection, username: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query::<Any>(
        "UPDATE staff_sessions SET revoked_at = $1 WHERE revoked_at IS NULL \
         AND staff_id = (SELECT id FROM staff WHERE username = $2)",
    )
    .bind(now)
    .bind(username)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

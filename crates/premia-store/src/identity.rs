//! People as the store knows them: never by resident ID number, only by a keyed hash of it.
//!
//! Since migration 0002 the hash is HMAC-SHA-256 under the server's secret (scheme `hmac`), computed by
//! the server from the number sent with an application; the secret never leaves the server, so a copy of
//! the database, a quote or a CRM's records give nothing from which to find the number. Rows written
//! before keep the catalogue's public salted SHA-256 (scheme `salted`) and are still recognised: the
//! server also hashes the number under every salt in `legacy_id_salts` ([`Identity::legacy`]).

use sqlx::{Any, Row};

use crate::{Store, StoreError, now_millis};

/// How a stored resident-ID hash was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// HMAC-SHA-256 under the server's secret.
    Hmac,
    /// SHA-256 of a catalogue's public salt and the number (before migration 0002).
    Salted,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Hmac => "hmac",
            Scheme::Salted => "salted",
        }
    }

    pub fn parse(text: &str) -> Option<Scheme> {
        match text {
            "hmac" => Some(Scheme::Hmac),
            "salted" => Some(Scheme::Salted),
            _ => None,
        }
    }
}

/// One person, as every scheme the store may hold them under: the keyed hash, and the salted hashes under
/// the legacy salts. Made by the server from a checked number; the number itself is not kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub keyed: String,
    pub legacy: Vec<String>,
}

impl Identity {
    /// Whether a stored `value` of `scheme` is this person.
    pub fn is(&self, scheme: &str, value: &str) -> bool {
        match Scheme::parse(scheme) {
            Some(Scheme::Hmac) => crate::secret::constant_time_eq(&self.keyed, value),
            Some(Scheme::Salted) => self.legacy.iter().any(|hash| crate::secret::constant_time_eq(hash, value)),
            None => false,
        }
    }

    /// Every (scheme, value) this person may be stored under.
    pub fn keys(&self) -> impl Iterator<Item = (Scheme, &str)> {
        std::iter::once((Scheme::Hmac, self.keyed.as_str()))
            .chain(self.legacy.iter().map(|hash| (Scheme::Salted, hash.as_str())))
    }
}

impl Store {
    /// Check the fingerprint of the server secret against the one recorded with this database, recording
    /// it on first use. Another secret is [`StoreError::SecretMismatch`].
    pub async fn check_secret(&self, fingerprint: &str) -> Result<(), StoreError> {
        sqlx::query::<Any>(
            "INSERT INTO server_secret (id, fingerprint, created_at) VALUES ('identity', $1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(fingerprint)
        .bind(now_millis())
        .execute(self.pool())
        .await?;
        let stored: String = sqlx::query::<Any>("SELECT fingerprint FROM server_secret WHERE id = 'identity'")
            .fetch_one(self.pool())
            .await?
            .try_get(0)?;
        if stored == fingerprint {
            Ok(())
        } else {
            Err(StoreError::SecretMismatch { stored, ours: fingerprint.to_owned() })
        }
    }

    /// Whether any row still holds a salted hash (written before migration 0002).
    pub async fn has_legacy_identities(&self) -> Result<bool, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT (SELECT COUNT(*) FROM blacklist WHERE kind = 'resident_id' AND scheme = 'salted') + \
             (SELECT COUNT(*) FROM applications WHERE resident_id_scheme = 'salted' AND resident_id_hash IS NOT NULL)",
        )
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    /// Remember the salts the legacy rows may have been hashed with.
    pub async fn record_legacy_salts(&self, salts: &[&str]) -> Result<(), StoreError> {
        for salt in salts {
            sqlx::query::<Any>(
                "INSERT INTO legacy_id_salts (salt, recorded_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(*salt)
            .bind(now_millis())
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    /// The salts recorded for legacy rows.
    pub async fn legacy_salts(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query::<Any>("SELECT salt FROM legacy_id_salts ORDER BY salt").fetch_all(self.pool()).await?;
        Ok(rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?)
    }

    /// The stored identity of an application's insured: (scheme, hash), if it has one.
    pub async fn application_identity(&self, number: &str) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query::<Any>(
            "SELECT resident_id_scheme, resident_id_hash FROM applications WHERE number = $1 AND resident_id_hash IS NOT NULL",
        )
        .bind(number)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|r| Ok::<_, sqlx::Error>((r.try_get(0)?, r.try_get(1)?))).transpose()?)
    }
}

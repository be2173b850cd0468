//! Referral credits (老客户转介绍奖励): every accepted application that used a referral code credits the
//! code's referrer, up to the use limit of its series (written by [`Store::submit`]).

use serde::Serialize;
use sqlx::{Any, Row};

use crate::{Store, StoreError};

/// One credit: which code, its use number, whom it credits and which application earned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralCredit {
    pub catalogue_id: String,
    pub series: String,
    pub code_id: String,
    pub use_number: i64,
    /// The referrer, as the code names them (their own application number).
    pub referrer: String,
    pub application: String,
    /// Unix milliseconds.
    pub credited_at: i64,
}

impl Store {
    /// Every credit, by referrer then time; only `referrer`'s when given.
    pub async fn referral_credits(&self, referrer: Option<&str>) -> Result<Vec<ReferralCredit>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT catalogue_id, series, code_id, use_number, referrer, application_number, credited_at \
             FROM referral_credits WHERE ($1 = '' OR referrer = $1) ORDER BY referrer, credited_at, code_id, use_number",
        )
        .bind(referrer.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ReferralCredit {
                    catalogue_id: row.try_get("catalogue_id")?,
                    series: row.try_get("series")?,
                    code_id: row.try_get("code_id")?,
                    use_number: row.try_get("use_number")?,
                    referrer: row.try_get("referrer")?,
                    application: row.try_get("application_number")?,
                    credited_at: row.try_get("credited_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

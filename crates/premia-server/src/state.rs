//! What every handler shares.

use std::sync::Arc;

use chrono::NaiveDate;
use premia_store::Store;

use crate::catalogues::Catalogues;
use crate::config::Config;
use crate::limits::RateLimits;
use crate::metrics::Metrics;
use crate::secret::ServerSecret;
use crate::signing::ServerKey;

/// Today's date in the insurer's time zone. The server reads the clock here and passes the date into
/// the core, which never reads a clock.
pub type Clock = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// The shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

#[allow(missing_debug_implementations)] // holds a clock closure; AppState's Debug names the key
pub struct Shared {
    pub config: Config,
    pub catalogues: Catalogues,
    pub store: Store,
    pub key: ServerKey,
    pub secret: ServerSecret,
    /// Salts of the catalogues' public hashes that rows written before migration 0002 may hold.
    pub legacy_salts: Vec<String>,
    pub metrics: Metrics,
    pub clock: Clock,
    pub rate_limits: RateLimits,
    /// The bearer token `/metrics` asks for on the main address (`--metrics-token-file`).
    pub metrics_token: Option<String>,
    /// The payment providers (`--payments`); none: applications are not payable here.
    pub payments: Option<Arc<premia_pay::Payments>>,
    /// The HTML pages' Content-Security-Policy ([`crate::headers::site_csp`] of the payment gateways).
    pub site_csp: axum::http::HeaderValue,
    /// The premium dashboard's targets, names, counts of verified quotes and shared readings.
    pub dashboard: crate::dashboard::Dashboard,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("key", &self.0.key).finish_non_exhaustive()
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl Shared {
    pub fn today(&self) -> NaiveDate {
        (self.clock)()
    }

    /// Everything a resident ID number may be stored under: its keyed identity, and its salted hashes
    /// under the legacy salts.
    pub fn identity(&self, number: &str) -> premia_store::Identity {
        premia_store::Identity {
            keyed: self.secret.identity(number),
            legacy: self.legacy_salts.iter().map(|salt| premia_core::resident_id::salted_hash(number, salt)).collect(),
        }
    }
}

/// The system clock, read in the given UTC offset.
pub fn system_clock(offset: chrono::FixedOffset) -> Clock {
    clock_at(chrono::Utc::now, offset)
}

/// A clock reading the instant `now` gives in the insurer's offset: the date there, whatever the zone
/// of the machine the server runs on.
pub fn clock_at(
    now: impl Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync + 'static,
    offset: chrono::FixedOffset,
) -> Clock {
    Arc::new(move || now().with_timezone(&offset).date_naive())
}

//! What every handler shares.

use std::sync::Arc;

use chrono::NaiveDate;
use premia_store::Store;

use crate::catalogues::Catalogues;
use crate::config::Config;
use crate::metrics::Metrics;
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
    pub metrics: Metrics,
    pub clock: Clock,
    /// `/api/keys`, serialized once.
    pub jwks: Vec<u8>,
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
}

/// The system clock, read in the given UTC offset.
pub fn system_clock(offset: chrono::FixedOffset) -> Clock {
    Arc::new(move || chrono::Utc::now().with_timezone(&offset).date_naive())
}

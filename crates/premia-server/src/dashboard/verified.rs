//! Quotes `POST /api/quotes/verify` found valid, counted by day and channel in memory and added to the
//! store every half second (one small transaction, whatever the rate: verification stays stateless and
//! fast). A crash loses at most the last half second's counts: the conversion figure's only
//! approximation, said in docs/dashboard.md.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::NaiveDate;
use premia_store::Store;

/// Counts waiting to be added: (epoch day, channel) → how many.
#[derive(Debug, Default)]
pub struct Counter {
    waiting: Mutex<BTreeMap<(i64, String), i64>>,
}

impl Counter {
    /// One quote verified valid on `today` in `channel`.
    pub fn count(&self, today: NaiveDate, channel: &str) {
        let day = premia_dashboard::period::epoch_day(today);
        if let Ok(mut waiting) = self.waiting.lock() {
            *waiting.entry((day, channel.to_owned())).or_default() += 1;
        }
    }

    fn take(&self) -> Vec<(i64, String, i64)> {
        let Ok(mut waiting) = self.waiting.lock() else { return Vec::new() };
        std::mem::take(&mut *waiting).into_iter().map(|((day, channel), n)| (day, channel, n)).collect()
    }

    fn put_back(&self, counts: Vec<(i64, String, i64)>) {
        if let Ok(mut waiting) = self.waiting.lock() {
            for (day, channel, n) in counts {
                *waiting.entry((day, channel)).or_default() += n;
            }
        }
    }

    /// Add what is waiting to the store now.
    pub async fn flush(&self, store: &Store) {
        let counts = self.take();
        if let Err(error) = store.add_verified(&counts).await {
            tracing::warn!("verified quotes not counted yet: {error}");
            self.put_back(counts);
        }
    }
}

/// Count a verification's outcome if it was valid (the hook in `POST /api/quotes/verify`).
pub fn count(state: &crate::state::AppState, outcome: &premia_core::verify::BodyVerdict, today: NaiveDate) {
    if let premia_core::verify::BodyVerdict::Valid(quote) = outcome {
        state.dashboard.verified.count(today, quote.request.channel.name());
    }
}

/// Flush every `every` until the counter is dropped (with the server's state).
pub fn spawn_flusher(counter: &Arc<Counter>, store: Store, every: Duration) {
    let counter: Weak<Counter> = Arc::downgrade(counter);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(counter) = counter.upgrade() else { return };
            counter.flush(&store).await;
        }
    });
}

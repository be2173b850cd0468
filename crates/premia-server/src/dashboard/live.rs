//! `GET /api/dashboard/live?…` (server-sent events): the dashboard for the query (`event: dashboard`),
//! then, after every change to the facts, only the figures that changed (`event: update`, a
//! `premia_dashboard::Update`). A change is noticed at once when this server committed it (the store's
//! change counter) and within a second when another replica did (the latest `changed_at`, read every
//! second); a burst is gathered for 150 ms, so that an update follows a 201 or a desk decision within
//! well under a second. The session is checked again every minute: when it has ended the stream says
//! `event: expired` and closes. Connections with the same query share one reading per change.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Extension;
use axum::extract::State;
use axum::http::Uri;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use premia_dashboard::{Dashboard, Query};
use premia_store::StoreError;

use super::read;
use crate::desk::cases::{private, unavailable};
use crate::error::ApiError;
use crate::staff::Staff;
use crate::state::AppState;

/// How long a burst of changes is gathered before the figures are read again.
const GATHER: Duration = Duration::from_millis(150);
/// How often other replicas' writes are looked for.
const REMOTE_POLL: Duration = Duration::from_secs(1);
/// How often the session is checked again.
const SESSION_CHECK: Duration = Duration::from_secs(60);

/// Dashboards read for a query at a generation of changes, shared by the connections that ask.
#[derive(Debug, Default)]
pub struct Cache(Mutex<HashMap<String, Arc<Dashboard>>>);

impl Cache {
    async fn get(&self, state: &AppState, query: &Query, generation: &str) -> Result<Arc<Dashboard>, StoreError> {
        let key = format!("{}|{generation}", query.to_query_string());
        if let Some(found) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(found);
        }
        let fresh = Arc::new(read::load(state, query).await?);
        if let Ok(mut entries) = self.0.lock() {
            // Older generations are of no more use.
            entries.retain(|k, _| k.ends_with(generation));
            entries.insert(key, Arc::clone(&fresh));
        }
        Ok(fresh)
    }
}

pub async fn get(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let query = read::parse(&uri)?;
    let first = read::load(&state, &query).await.map_err(unavailable)?;
    let remote = state.store.facts_changed_at().await.map_err(unavailable)?;
    let live = Live {
        changes: state.store.changes(),
        state,
        query,
        session: staff.session,
        last: Arc::new(first),
        remote,
        session_checked: Instant::now(),
        phase: Phase::First,
    };
    let stream = futures_util::stream::unfold(live, |mut live| async move {
        let event = live.next().await?;
        Some((Ok::<Event, Infallible>(event), live))
    });
    let events = Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)));
    Ok(private(events.into_response()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    First,
    Following,
    Ended,
}

struct Live {
    state: AppState,
    query: Query,
    session: String,
    changes: tokio::sync::watch::Receiver<u64>,
    last: Arc<Dashboard>,
    remote: Option<i64>,
    session_checked: Instant,
    phase: Phase,
}

fn event(name: &str, body: &impl serde::Serialize) -> Event {
    Event::default().event(name).data(serde_json::to_string(body).unwrap_or_default())
}

impl Live {
    /// The next event, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        match self.phase {
            Phase::Ended => return None,
            Phase::First => {
                self.phase = Phase::Following;
                return Some(event("dashboard", &*self.last));
            }
            Phase::Following => {}
        }
        loop {
            let changed = tokio::select! {
                result = self.changes.changed() => {
                    if result.is_err() {
                        return None;
                    }
                    true
                }
                () = tokio::time::sleep(REMOTE_POLL) => self.remote_changed().await,
            };
            if self.session_checked.elapsed() >= SESSION_CHECK {
                if !self.session_alive().await {
                    self.phase = Phase::Ended;
                    return Some(event("expired", &serde_json::json!({ "reason": "session" })));
                }
                self.session_checked = Instant::now();
            }
            let new_day =
                self.query.period.is_none() && self.query.period_on(self.state.today()).key() != self.last.period.key;
            if !changed && !new_day {
                continue;
            }
            tokio::time::sleep(GATHER).await;
            let generation = format!("{}:{:?}", *self.changes.borrow_and_update(), self.remote);
            let fresh = match self.state.dashboard.cache.get(&self.state, &self.query, &generation).await {
                Ok(fresh) => fresh,
                Err(error) => {
                    tracing::warn!("live dashboard: {error}");
                    continue;
                }
            };
            if fresh.period.key != self.last.period.key {
                self.last = fresh;
                return Some(event("dashboard", &*self.last));
            }
            let update = fresh.changes_since(&self.last);
            self.last = fresh;
            if !update.is_empty() {
                return Some(event("update", &update));
            }
        }
    }

    /// Whether another replica wrote facts since the last look.
    async fn remote_changed(&mut self) -> bool {
        match self.state.store.facts_changed_at().await {
            Ok(latest) if latest != self.remote => {
                self.remote = latest;
                true
            }
            _ => false,
        }
    }

    async fn session_alive(&self) -> bool {
        let idle = i64::from(self.state.config.desk.idle_minutes) * 60_000;
        // Reading the stream counts as using the session.
        let now = premia_store::now_millis();
        matches!(self.state.store.session(&self.session, now, idle).await, Ok(Some(_)))
            && self.state.store.session_seen(&self.session, now).await.is_ok()
    }
}

//! `GET /api/desk/stats`: the queue and the time from submission to final decision, p50 and p90 over
//! the last 7 and 30 days (nearest rank, whole minutes).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use premia_desk::api::{Stats, Window, percentile};

use super::cases::{private, unavailable};
use crate::error::{ApiError, json_response};
use crate::state::AppState;

pub async fn stats(State(state): State<AppState>) -> Result<Response, ApiError> {
    let now = premia_store::now_millis();
    let desk = &state.config.desk;
    let (open, breached) = state.store.queue_counts(now - desk.sla_millis()).await.map_err(unavailable)?;
    let mut windows = Vec::with_capacity(2);
    for days in [7_u32, 30] {
        let times = state.store.decision_times(now - i64::from(days) * 86_400_000).await.map_err(unavailable)?;
        let minutes: Vec<i64> = times.iter().map(|ms| ms / 60_000).collect();
        windows.push(Window {
            days,
            decided: minutes.len() as u64,
            p50_minutes: percentile(&minutes, 50),
            p90_minutes: percentile(&minutes, 90),
        });
    }
    Ok(private(json_response(StatusCode::OK, &Stats { sla_hours: desk.sla_hours, open, breached, windows })))
}

//! What keeps one client from taking the server from the others: timeouts, caps and per-client rate
//! limits, each configurable (`config::Limits`, docs/server.md "Limits") and each answered with a typed
//! error naming what ran out.
//!
//! - Headers: hyper closes a connection that has not sent its request headers within `--header-timeout`
//!   (set where connections are served, [`crate::serve_on`]); idle keep-alive connections too.
//! - Connections: at most `--max-connections` are served; further clients wait in the listen queue.
//! - Bodies: tower-http's `RequestBodyDeadlineLayer` cuts a body not received within `--body-timeout`
//!   (408 `timeout.body`, from `body::JsonBody`).
//! - Requests in flight: at most `--max-in-flight` handled at once; beyond it 503 `overloaded` with
//!   `Retry-After` at once rather than a queue (a queue only hides the overload until clients time out).
//! - Time to answer: `--request-timeout`, then 408 `timeout.request`.
//! - Rates: `POST /api/quotes/verify` and `POST /api/quotes` per client with governor's GCRA (a token
//!   bucket without a timer per client): 429 `rate_limited` with `Retry-After`.
//!
//! The in-flight cap and the request timeout are one small middleware ([`guard`]) rather than tower's
//! `GlobalConcurrencyLimit` + `LoadShed` + `Timeout`, whose refusals are bare statuses or boxed errors:
//! here each is the API's typed, bilingual error.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use tokio::sync::Semaphore;

use crate::config::Limits;
use crate::error::{ApiError, ServerError};
use crate::state::AppState;

/// The per-client limiters and the in-flight cap.
#[derive(Debug)]
pub struct RateLimits {
    verify: Option<DefaultKeyedRateLimiter<IpAddr>>,
    submit: Option<DefaultKeyedRateLimiter<IpAddr>>,
    in_flight: Arc<Semaphore>,
    request_timeout: Duration,
    client_ip_header: Option<header::HeaderName>,
}

/// Which rate a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Verify,
    Submit,
}

fn limiter(rate: u32, burst: u32) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    let rate = NonZeroU32::new(rate)?;
    let burst = NonZeroU32::new(burst.max(rate.get())).unwrap_or(rate);
    Some(DefaultKeyedRateLimiter::keyed(Quota::per_second(rate).allow_burst(burst)))
}

impl RateLimits {
    pub fn new(limits: &Limits) -> RateLimits {
        RateLimits {
            verify: limiter(limits.verify_rate, limits.verify_burst),
            submit: limiter(limits.submit_rate, limits.submit_burst),
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            request_timeout: limits.request_timeout,
            client_ip_header: limits.client_ip_header.as_deref().and_then(|h| h.parse().ok()),
        }
    }

    /// Forget clients not seen lately (the limiters keep one small state per address).
    pub fn forget_idle(&self) {
        for limiter in [&self.verify, &self.submit].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// `Ok` or how long the client must wait.
    fn check(&self, route: Route, client: IpAddr) -> Result<(), Duration> {
        let limiter = match route {
            Route::Verify => &self.verify,
            Route::Submit => &self.submit,
        };
        match limiter.as_ref().map(|l| l.check_key(&client)) {
            None | Some(Ok(())) => Ok(()),
            Some(Err(not_until)) => Err(not_until.wait_time_from(DefaultClock::default().now())),
        }
    }

    /// The client's address: the configured proxy header's (its last value) or the connection's.
    fn client(&self, request: &Request) -> IpAddr {
        let from_header = self.client_ip_header.as_ref().and_then(|name| {
            let value = request.headers().get_all(name).iter().next_back()?.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse().ok()
        });
        from_header
            .or_else(|| request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
            .unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }
}

/// Per-client rate limit for one route (`axum::middleware::from_fn_with_state` with the route).
pub async fn rate_limit(State((state, route)): State<(AppState, Route)>, request: Request, next: Next) -> Response {
    let client = state.rate_limits.client(&request);
    match state.rate_limits.check(route, client) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            state.metrics.rate_limited();
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut response = ApiError::server(
                StatusCode::TOO_MANY_REQUESTS,
                ServerError::new(
                    "rate_limited",
                    "",
                    format!("请求过于频繁，请 {} 秒后重试", seconds.max(1)),
                    format!("too many requests: retry in {} s", seconds.max(1)),
                ),
            )
            .into_response();
            retry_after(&mut response, seconds.max(1));
            response
        }
    }
}

/// The in-flight cap and the time to answer, around every request.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limits = &state.rate_limits;
    let Ok(_permit) = Arc::clone(&limits.in_flight).try_acquire_owned() else {
        state.metrics.overloaded();
        let mut response = ApiError::server(
            StatusCode::SERVICE_UNAVAILABLE,
            ServerError::new("overloaded", "", "服务器繁忙，请稍后重试", "the server is busy: retry shortly"),
        )
        .into_response();
        retry_after(&mut response, 1);
        return response;
    };
    match tokio::time::timeout(limits.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::server(
            StatusCode::REQUEST_TIMEOUT,
            ServerError::new(
                "timeout.request",
                "",
                "服务器未能及时处理请求，请重试",
                "the request took too long to handle: retry",
            ),
        )
        .into_response(),
    }
}

fn retry_after(response: &mut Response, seconds: u64) {
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn a_client_over_its_rate_waits_and_others_do_not() {
        let mut config = crate::Config::parse_from(["premia-server"]);
        config.limits.submit_rate = 1;
        config.limits.submit_burst = 2;
        let limits = RateLimits::new(&config.limits);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        assert!(limits.check(Route::Submit, a).is_ok());
        assert!(limits.check(Route::Submit, a).is_ok());
        let wait = limits.check(Route::Submit, a).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1), "{wait:?}");
        assert!(limits.check(Route::Submit, b).is_ok(), "another client has its own bucket");
        config.limits.submit_rate = 0;
        let off = RateLimits::new(&config.limits);
        assert!((0..1000).all(|_| off.check(Route::Submit, a).is_ok()), "0 turns the limit off");
    }
}

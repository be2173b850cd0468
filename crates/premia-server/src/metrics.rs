//! Prometheus metrics in the text exposition format: requests and latency per route, verifications by
//! outcome, coupon redemptions, applications by status, blacklist hits.
//!
//! Every series is a fixed atomic counter (routes and outcomes are known at compile time), so counting a
//! request takes no lock and no allocation.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// The routes, as labelled in metrics.
pub const ROUTES: &[&str] = &[
    "/api/catalogue",
    "/api/catalogue/{version}",
    "/api/quotes/verify",
    "/api/quotes",
    "/api/applications/{number}",
    "/api/purchases/{token}",
    "/api/purchases/{token}/payment",
    "/api/purchases/{token}/cancel",
    "/api/purchases/{token}/policy",
    "/api/pay/notify/{provider}",
    "/api/documents/{sha256}",
    "/policy/{token}",
    "/api/keys",
    "/api/openapi.json",
    "/healthz",
    "/metrics",
    "/api/staff/login",
    "/api/staff/logout",
    "/api/staff/me",
    "/api/desk/cases",
    "/api/desk/cases/{number}",
    "/api/desk/cases/{number}/decisions",
    "/api/desk/cases/{number}/review",
    "/api/desk/cases/{number}/resolve",
    "/api/desk/stats",
    "/api/status/{receipt}",
    "/api/applications/{number}/status",
    "/status/{receipt}",
    "/staff/login",
    "/desk",
    "site",
];

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];
/// The same bounds in microseconds, for integer comparison on the hot path.
const BUCKETS_MICROS: [u64; 12] =
    [500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 5_000_000];
const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

pub const VERIFICATION_OUTCOMES: [&str; 4] = ["valid", "invalid", "requote_needed", "rejected"];
pub const APPLICATION_OUTCOMES: [&str; 5] = ["accepted", "referred", "replayed", "declined", "refused"];
/// What became of payment orders and notifications (`purchase.rs`).
pub const PAYMENT_OUTCOMES: [&str; 9] = [
    "issued",
    "issued_by_query",
    "duplicate",
    "flagged",
    "recorded",
    "queried",
    "notice_refused",
    "create_unknown",
    "create_refused",
];

#[derive(Debug, Default)]
struct RouteSeries {
    by_status: [AtomicU64; 5],
    /// Cumulative counts are computed at export; each slot counts requests up to its bound (last: +Inf).
    latency: [AtomicU64; BUCKETS.len() + 1],
    latency_sum_micros: AtomicU64,
}

/// The server's counters.
#[derive(Debug)]
pub struct Metrics {
    routes: Vec<RouteSeries>,
    verifications: [AtomicU64; 4],
    applications: [AtomicU64; 5],
    payments: [AtomicU64; 9],
    redemptions: AtomicU64,
    redemptions_refused: AtomicU64,
    blacklist_hits: AtomicU64,
    /// The underwriting desk's series.
    pub desk: crate::desk::metrics::DeskMetrics,
    rate_limited: AtomicU64,
    overloaded: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            routes: ROUTES.iter().map(|_| RouteSeries::default()).collect(),
            verifications: Default::default(),
            applications: Default::default(),
            payments: Default::default(),
            redemptions: AtomicU64::new(0),
            redemptions_refused: AtomicU64::new(0),
            blacklist_hits: AtomicU64::new(0),
            desk: crate::desk::metrics::DeskMetrics::default(),
            rate_limited: AtomicU64::new(0),
            overloaded: AtomicU64::new(0),
        }
    }
}

impl Metrics {
    /// Count one answered request. `route` is the matched route pattern (or `site` for static files).
    pub fn request(&self, route: &str, status: u16, elapsed: Duration) {
        let Some(series) = ROUTES.iter().position(|r| *r == route).map(|i| &self.routes[i]) else {
            return;
        };
        let class = usize::from(status / 100).saturating_sub(1).min(4);
        series.by_status[class].fetch_add(1, Relaxed);
        let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        let bucket = BUCKETS_MICROS.iter().position(|&b| micros <= b).unwrap_or(BUCKETS.len());
        series.latency[bucket].fetch_add(1, Relaxed);
        series.latency_sum_micros.fetch_add(micros, Relaxed);
    }

    pub fn verification(&self, outcome: &str) {
        if let Some(i) = VERIFICATION_OUTCOMES.iter().position(|o| *o == outcome) {
            self.verifications[i].fetch_add(1, Relaxed);
        }
    }

    pub fn application(&self, outcome: &str) {
        if let Some(i) = APPLICATION_OUTCOMES.iter().position(|o| *o == outcome) {
            self.applications[i].fetch_add(1, Relaxed);
        }
    }

    pub fn payment(&self, outcome: &str) {
        if let Some(i) = PAYMENT_OUTCOMES.iter().position(|o| *o == outcome) {
            self.payments[i].fetch_add(1, Relaxed);
        }
    }

    pub fn redeemed(&self, coupons: usize) {
        self.redemptions.fetch_add(coupons as u64, Relaxed);
    }

    pub fn redemption_refused(&self) {
        self.redemptions_refused.fetch_add(1, Relaxed);
    }

    pub fn blacklist_hit(&self) {
        self.blacklist_hits.fetch_add(1, Relaxed);
    }

    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Relaxed);
    }

    pub fn overloaded(&self) {
        self.overloaded.fetch_add(1, Relaxed);
    }

    /// The Prometheus text exposition (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(8192);
        out.push_str("# HELP premia_http_requests_total HTTP requests answered, by route and status class.\n");
        out.push_str("# TYPE premia_http_requests_total counter\n");
        for (route, series) in ROUTES.iter().zip(&self.routes) {
            for (class, count) in STATUS_CLASSES.iter().zip(&series.by_status) {
                let n = count.load(Relaxed);
                if n > 0 {
                    let _ = writeln!(out, "premia_http_requests_total{{route=\"{route}\",status=\"{class}\"}} {n}");
                }
            }
        }
        out.push_str("# HELP premia_http_request_duration_seconds Time from request to response, by route.\n");
        out.push_str("# TYPE premia_http_request_duration_seconds histogram\n");
        for (route, series) in ROUTES.iter().zip(&self.routes) {
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(&series.latency) {
                cumulative += count.load(Relaxed);
                let _ = writeln!(
                    out,
                    "premia_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            cumulative += series.latency[BUCKETS.len()].load(Relaxed);
            let _ = writeln!(
                out,
                "premia_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {cumulative}"
            );
            let micros = series.latency_sum_micros.load(Relaxed);
            let _ = writeln!(
                out,
                "premia_http_request_duration_seconds_sum{{route=\"{route}\"}} {}.{:06}",
                micros / 1_000_000,
                micros % 1_000_000
            );
            let _ = writeln!(out, "premia_http_request_duration_seconds_count{{route=\"{route}\"}} {cumulative}");
        }
        counter_family(
            &mut out,
            "premia_verifications_total",
            "Submitted quotes verified, by outcome.",
            "outcome",
            &VERIFICATION_OUTCOMES,
            &self.verifications,
        );
        counter_family(
            &mut out,
            "premia_applications_total",
            "Application submissions, by outcome.",
            "outcome",
            &APPLICATION_OUTCOMES,
            &self.applications,
        );
        counter_family(
            &mut out,
            "premia_payments_total",
            "Payment orders and notifications, by outcome.",
            "outcome",
            &PAYMENT_OUTCOMES,
            &self.payments,
        );
        counter(&mut out, "premia_coupon_redemptions_total", "Single-use coupons redeemed.", &self.redemptions);
        counter(
            &mut out,
            "premia_coupon_redemptions_refused_total",
            "Submissions refused because a coupon was already redeemed.",
            &self.redemptions_refused,
        );
        counter(
            &mut out,
            "premia_blacklist_hits_total",
            "Submissions whose insured or agent is blacklisted.",
            &self.blacklist_hits,
        );
        counter(
            &mut out,
            "premia_rate_limited_total",
            "Requests refused by a per-client rate limit (429).",
            &self.rate_limited,
        );
        counter(
            &mut out,
            "premia_overloaded_total",
            "Requests refused over the in-flight cap (503).",
            &self.overloaded,
        );
        self.desk.render(&mut out);
        out
    }
}

fn counter(out: &mut String, name: &str, help: &str, value: &AtomicU64) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", value.load(Relaxed));
}

fn counter_family(out: &mut String, name: &str, help: &str, label: &str, values: &[&str], counts: &[AtomicU64]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
    for (value, count) in values.iter().zip(counts) {
        let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {}", count.load(Relaxed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.request("/api/quotes/verify", 200, Duration::from_micros(300));
        metrics.request("/api/quotes/verify", 200, Duration::from_millis(3));
        metrics.request("/api/quotes/verify", 422, Duration::from_secs(9));
        metrics.request("/not/a/route", 200, Duration::ZERO);
        metrics.verification("valid");
        metrics.redeemed(2);
        let text = metrics.render();
        assert!(text.contains("premia_http_requests_total{route=\"/api/quotes/verify\",status=\"2xx\"} 2\n"));
        assert!(text.contains("premia_http_requests_total{route=\"/api/quotes/verify\",status=\"4xx\"} 1\n"));
        assert!(
            text.contains(
                "premia_http_request_duration_seconds_bucket{route=\"/api/quotes/verify\",le=\"0.0005\"} 1\n"
            )
        );
        assert!(
            text.contains("premia_http_request_duration_seconds_bucket{route=\"/api/quotes/verify\",le=\"0.005\"} 2\n")
        );
        assert!(
            text.contains("premia_http_request_duration_seconds_bucket{route=\"/api/quotes/verify\",le=\"5\"} 2\n")
        );
        assert!(
            text.contains("premia_http_request_duration_seconds_bucket{route=\"/api/quotes/verify\",le=\"+Inf\"} 3\n")
        );
        assert!(text.contains("premia_http_request_duration_seconds_sum{route=\"/api/quotes/verify\"} 9.003300\n"));
        assert!(text.contains("premia_verifications_total{outcome=\"valid\"} 1\n"));
        assert!(text.contains("premia_coupon_redemptions_total 2\n"));
        assert!(!text.contains("/not/a/route"));
    }
}

//! The HTTP routes and the layers around them.

mod agents;
mod applications;
mod catalogue;
mod purchase;
mod quotes;
mod site;
mod system;

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::RequestBodyDeadlineLayer;

use crate::error::{ApiError, ServerError};
use crate::limits::{self, Route};
use crate::state::AppState;

/// Every API route with its method, as documented in `openapi.json` (a test keeps the two in step).
pub const API: &[(&str, &str)] = &[
    ("get", "/api/catalogue"),
    ("get", "/api/catalogue/{version}"),
    ("post", "/api/quotes/verify"),
    ("post", "/api/quotes"),
    ("get", "/api/applications/{number}"),
    ("get", "/api/purchases/{token}"),
    ("post", "/api/purchases/{token}/payment"),
    ("post", "/api/purchases/{token}/cancel"),
    ("get", "/api/purchases/{token}/policy"),
    ("post", "/api/pay/notify/{provider}"),
    ("get", "/api/documents/{sha256}"),
    ("get", "/api/keys"),
    ("get", "/api/openapi.json"),
    ("get", "/healthz"),
    ("get", "/metrics"),
    // The underwriting desk and staff (crate::desk, crate::staff::STAFF_ROUTES).
    ("post", "/api/staff/login"),
    ("post", "/api/staff/logout"),
    ("get", "/api/staff/me"),
    ("get", "/api/desk/cases"),
    ("get", "/api/desk/cases/{number}"),
    ("post", "/api/desk/cases/{number}/decisions"),
    ("post", "/api/desk/cases/{number}/review"),
    ("post", "/api/desk/cases/{number}/resolve"),
    ("get", "/api/desk/stats"),
    ("get", "/api/status/{receipt}"),
    ("get", "/api/applications/{number}/status"),
    ("get", "/status/{receipt}"),
    ("get", "/staff/login"),
    ("get", "/desk/"),
    // The premium dashboard (crate::dashboard::ROUTES).
    ("get", "/api/dashboard"),
    ("get", "/api/dashboard/export"),
    ("get", "/api/dashboard/live"),
    ("get", "/dashboard/"),
];

/// The whole application: API, metrics (behind `--metrics-token-file`), CORS for the configured origins,
/// the static site as fallback; limits and security headers around all of it (`limits`, `headers`).
pub fn router(state: AppState) -> Router {
    let rate = |route| middleware::from_fn_with_state((state.clone(), route), limits::rate_limit);
    let api = Router::new()
        .route("/api/catalogue", get(catalogue::list))
        .route("/api/catalogue/{version}", get(catalogue::version))
        .route("/api/quotes/verify", post(quotes::verify).layer(rate(Route::Verify)))
        .route(
            "/api/quotes",
            post(quotes::submit)
                .layer(rate(Route::Submit))
                .layer(middleware::map_response(applications::with_challenge)),
        )
        .route(
            "/api/applications/{number}",
            get(applications::get).layer(middleware::map_response(applications::with_challenge)),
        )
        .route("/api/purchases/{token}", get(purchase::status))
        .route("/api/purchases/{token}/payment", post(purchase::pay).layer(rate(Route::Submit)))
        .route("/api/purchases/{token}/cancel", post(purchase::cancel).layer(rate(Route::Submit)))
        .route("/api/purchases/{token}/policy", get(purchase::policy))
        .route("/api/pay/notify/{provider}", post(purchase::notify))
        .route("/api/documents/{sha256}", get(purchase::document))
        .route("/policy/{token}", get(purchase::printable))
        .route("/api/keys", get(system::keys))
        .route("/api/openapi.json", get(system::openapi))
        .route("/healthz", get(system::healthz))
        .route("/metrics", get(system::metrics_with_token))
        .merge(crate::desk::router(state.clone()))
        .merge(crate::dashboard::router(state.clone()))
        .route("/api/{*rest}", axum::routing::any(not_found))
        .fallback(site::serve);
    let mut app = api
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(RequestBodyDeadlineLayer::new(state.config.limits.body_timeout))
        .layer(middleware::from_fn_with_state(state.clone(), limits::guard))
        .with_state(state.clone());
    if let Some(cors) = cors(&state.config.allowed_origins) {
        app = app.layer(cors);
    }
    app.layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn_with_state(state.clone(), crate::headers::security))
}

/// `/metrics` alone, for `--metrics-bind` (an address only the scraper reaches).
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(system::metrics))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), crate::headers::security))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("path")
}

/// Count and time every request by its route pattern.
async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let response = next.run(request).await;
    let route = match route.as_deref() {
        Some(r) if r.starts_with("/desk") || r.starts_with("/staff/login.") || r == "/status.css" => Some("/desk"),
        Some(r) if r.starts_with("/dashboard") => Some("/dashboard"),
        r => r,
    };
    let route = route.filter(|r| !r.starts_with("/api/{*")).unwrap_or("site");
    state.metrics.request(route, response.status().as_u16(), start.elapsed());
    response
}

fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    (!origins.is_empty()).then(|| {
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([header::LOCATION, header::ETAG])
            .max_age(std::time::Duration::from_secs(3600))
    })
}

/// A panic is a bug; the request gets a typed 500 and the server keeps serving.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    axum::response::IntoResponse::into_response(ApiError::server(
        StatusCode::INTERNAL_SERVER_ERROR,
        ServerError::new("internal", "", "服务器内部错误", "internal server error"),
    ))
}

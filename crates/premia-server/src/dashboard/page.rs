//! `/dashboard/`: the dashboard page as built by scripts/dashboard-build.sh (its own WebAssembly module
//! with Apache ECharts beside it, all served from here: nothing from a CDN). The files are public;
//! every figure they show comes from `/api/dashboard`, which needs a manager's or analyst's session.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::state::AppState;

pub async fn redirect() -> Redirect {
    Redirect::permanent("/dashboard/")
}

/// Files under the dashboard folder, `/dashboard/x` → `<dashboard-dir>/x` (`index.html` for the folder).
pub async fn serve(State(state): State<AppState>, mut request: Request) -> Response {
    let folder = &state.config.dashboard.dir;
    let path = request.uri().path().strip_prefix("/dashboard").unwrap_or("/").to_owned();
    let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
    if let Ok(uri) = format!("{path}{query}").parse::<Uri>() {
        *request.uri_mut() = uri;
    }
    let files = ServeDir::new(folder).append_index_html_on_directories(true).precompressed_gzip();
    match files.oneshot(request).await {
        Ok(response) if response.status() != StatusCode::NOT_FOUND => {
            let mut response = response.map(Body::new);
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        _ if !folder.join("index.html").is_file() => {
            let mut response = (StatusCode::SERVICE_UNAVAILABLE, NOT_BUILT).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            response
        }
        _ => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

const NOT_BUILT: &str = "<!doctype html>\n<html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>数据看板尚未构建 · dashboard not built</title>\
<h1>数据看板尚未构建 · The dashboard page is not built</h1>\
<p>请在仓库根目录运行 <code>scripts/dashboard-build.sh</code>。Run <code>scripts/dashboard-build.sh</code> at the repository root.</p>\
<p>API: <a href=\"/api/openapi.json\">/api/openapi.json</a></p></html>\n";

//! A page built by its own script into a folder of its own (the desk's by scripts/desk-build.sh, the
//! dashboard's by scripts/dashboard-build.sh: each its own WebAssembly module), served under a path:
//! `/x` → `/x/`, `/x/f` → `<folder>/f` (`index.html` for the folder, precompressed files when the client
//! takes them, never cached without asking). The files are public; what they show comes from the staff
//! API. Until the page is built, its path says how to build it.

use std::path::PathBuf;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::state::AppState;

/// One built page.
#[derive(Debug)]
pub struct BuiltPage {
    /// Where it is served: `/desk`.
    pub path: &'static str,
    /// Its folder, from the server's configuration.
    pub folder: fn(&AppState) -> PathBuf,
    /// Its name, in Chinese and in English (`核保台`, `desk`).
    pub name: (&'static str, &'static str),
    /// The script that builds it: `scripts/desk-build.sh`.
    pub script: &'static str,
}

impl BuiltPage {
    /// The page's routes.
    pub fn routes(&'static self) -> Router<AppState> {
        let path = self.path;
        let serve = move |State(state): State<AppState>, request: Request| self.serve(state, request);
        Router::new()
            .route(path, get(move || async move { Redirect::permanent(&format!("{path}/")) }))
            .route(&format!("{path}/"), get(serve))
            .route(&format!("{path}/{{*path}}"), get(serve))
    }

    async fn serve(&self, state: AppState, mut request: Request) -> Response {
        let folder = (self.folder)(&state);
        let path = request.uri().path().strip_prefix(self.path).unwrap_or("/").to_owned();
        let query = request.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
        if let Ok(uri) = format!("{path}{query}").parse::<Uri>() {
            *request.uri_mut() = uri;
        }
        let files =
            ServeDir::new(&folder).append_index_html_on_directories(true).precompressed_gzip().precompressed_br();
        match files.oneshot(request).await {
            Ok(response) if response.status() != StatusCode::NOT_FOUND => {
                let mut response = response.map(Body::new);
                response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
                response
            }
            _ if !folder.join("index.html").is_file() => {
                let mut response = (StatusCode::SERVICE_UNAVAILABLE, self.not_built()).into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
                response
            }
            _ => (StatusCode::NOT_FOUND, "not found").into_response(),
        }
    }

    /// What the path says until the page is built.
    fn not_built(&self) -> String {
        let ((zh, en), script) = (self.name, self.script);
        format!(
            "<!doctype html>\n<html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{zh}尚未构建 · {en} not built</title>\
             <h1>{zh}尚未构建 · The {en} page is not built</h1>\
             <p>请在仓库根目录运行 <code>{script}</code>。Run <code>{script}</code> at the repository root.</p>\
             <p>API: <a href=\"/api/openapi.json\">/api/openapi.json</a></p></html>\n"
        )
    }
}

//! The quote site and the widget demo page, as built by scripts/web-build.sh into web/dist; a page that
//! says so when the site has not been built.
//!
//! scripts/web-build.sh writes `FILE.gz` (zopfli) and `FILE.br` (brotli) beside every file a browser
//! fetches: a request accepting `br` or `gzip` gets the smaller file with `Content-Encoding`, the original's
//! `Content-Type` and `Vary: Accept-Encoding` (the wasm module is a third of its size that way). Nothing
//! is compressed per request.

use std::path::Path;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::state::AppState;

/// Files under the site folder (`index.html` for folders), precompressed when the browser accepts it; a
/// 404 page, or the "not built" page when there is no site yet. The folder is looked at per request, so
/// building the site needs no restart.
pub(super) async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let folder = &state.config.site_dir;
    let files = ServeDir::new(folder).append_index_html_on_directories(true).precompressed_br().precompressed_gzip();
    match files.oneshot(request).await {
        Ok(response) if response.status() != StatusCode::NOT_FOUND => with_revalidation(response.map(Body::new)),
        _ => missing_page(folder),
    }
}

/// The file names carry no content hash, and the glue `pkg/premia.js` must match the module
/// `pkg/premia_bg.wasm` it loads: a browser may keep the files but asks before each use. ServeDir's
/// `ETag` and `Last-Modified` make that question a `304 Not Modified` when nothing changed.
fn with_revalidation(mut response: Response) -> Response {
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    response
}

fn missing_page(folder: &Path) -> Response {
    let built = folder.join("index.html").is_file();
    let (status, body) = if built {
        (StatusCode::NOT_FOUND, NOT_FOUND.to_owned())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, NOT_BUILT.replace("{folder}", &escape(&folder.display().to_string())))
    };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

const NOT_FOUND: &str = r#"<!doctype html>
<html lang="zh-CN"><meta charset="utf-8"><title>404 · Premia</title>
<h1>未找到页面 · Page not found</h1>
<p><a href="/">返回首页 · Back to the quote site</a></p>
</html>
"#;

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="zh-CN"><meta charset="utf-8"><title>Premia · 网站尚未构建 · site not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#f2f2f2;padding:0 .25em}</style>
<h1>报价网站尚未构建 · The quote site is not built</h1>
<p>服务器正在运行，API 可用，但在 <code>{folder}</code> 中找不到网站文件。请在仓库根目录运行
<code>scripts/web-build.sh</code>，然后刷新本页。</p>
<p>The server is running and its API works, but there is no site in <code>{folder}</code>. Run
<code>scripts/web-build.sh</code> at the repository root, then reload this page.</p>
<ul>
<li><a href="/api/openapi.json">/api/openapi.json</a> — API</li>
<li><a href="/api/catalogue">/api/catalogue</a> — 产品目录 · catalogue</li>
<li><a href="/healthz">/healthz</a></li>
</ul>
</html>
"#;

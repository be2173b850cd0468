//! The quote site and the widget demo page, as built by scripts/web-build.sh into web/dist; a page that
//! says so when the site has not been built.
//!
//! scripts/web-build.sh writes `FILE.gz` (zopfli) and `FILE.br` (brotli) beside every file a browser
//! fetches: a request accepting `br` or `gzip` gets the smaller file with `Content-Encoding`, the original's
//! `Content-Type` and `Vary: Accept-Encoding` (the wasm module is a third of its size that way). Nothing
//! is compressed per request.
//!
//! Only what the build put there is served: a path with a segment starting with `.` (`.env`, `.git/`) is
//! not found, and neither is a file that resolves, through a symbolic link, outside the site folder.
//! Error pages name no path of the server's.

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
    if !allowed(folder, request.uri().path()) {
        return missing_page(folder);
    }
    let files = ServeDir::new(folder).append_index_html_on_directories(true).precompressed_br().precompressed_gzip();
    match files.oneshot(request).await {
        Ok(response) if response.status() != StatusCode::NOT_FOUND => with_revalidation(response.map(Body::new)),
        _ => missing_page(folder),
    }
}

/// Whether `path` may be served from `folder`: no dot-segment, and everything it could resolve to (the
/// file, its folder's `index.html`, their `.gz`/`.br`) inside the folder once links are followed.
fn allowed(folder: &Path, path: &str) -> bool {
    let decoded = percent_decode(path);
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    if segments.iter().any(|s| s.starts_with('.') || s.contains('\\')) {
        return false;
    }
    let Ok(root) = folder.canonicalize() else { return true };
    let target = segments.iter().fold(folder.to_path_buf(), |p, s| p.join(s));
    let mut candidates = vec![target.clone(), target.join("index.html")];
    for base in [target.clone(), target.join("index.html")] {
        for ext in ["gz", "br"] {
            let mut name = base.clone().into_os_string();
            name.push(format!(".{ext}"));
            candidates.push(name.into());
        }
    }
    candidates
        .iter()
        .filter(|c| c.symlink_metadata().is_ok())
        .all(|c| c.canonicalize().is_ok_and(|real| real.starts_with(&root)))
}

/// `%XX` escapes decoded (as ServeDir decodes them before it looks for the file).
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
        (StatusCode::SERVICE_UNAVAILABLE, NOT_BUILT.to_owned())
    };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response
}

const NOT_FOUND: &str = r#"<!doctype html>
<html lang="zh-CN"><meta charset="utf-8"><title>404 · Premia</title>
<h1>未找到页面 · Page not found</h1>
<p><a href="/">返回首页 · Back to the quote site</a></p>
</html>
"#;

const NOT_BUILT: &str = r#"<!doctype html>
<html lang="zh-CN"><meta charset="utf-8"><title>Premia · 网站尚未构建 · site not built</title>
<h1>报价网站尚未构建 · The quote site is not built</h1>
<p>服务器正在运行，API 可用，但网站文件夹（--site-dir）中没有网站。请在仓库根目录运行
<code>scripts/web-build.sh</code>，然后刷新本页。</p>
<p>The server is running and its API works, but its site folder (--site-dir) holds no site. Run
<code>scripts/web-build.sh</code> at the repository root, then reload this page.</p>
<ul>
<li><a href="/api/openapi.json">/api/openapi.json</a> — API</li>
<li><a href="/api/catalogue">/api/catalogue</a> — 产品目录 · catalogue</li>
<li><a href="/healthz">/healthz</a></li>
</ul>
</html>
"#;

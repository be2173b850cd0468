//! The static site as the browser gets it: precompressed files (`FILE.br`, `FILE.gz` beside `FILE`, as
//! scripts/web-build.sh writes them) chosen by `Accept-Encoding`, with the original's content type,
//! `Vary: Accept-Encoding`, revalidation headers, and the raw file for everyone else. A temp site of
//! small files, not the real build.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use premia_test_support as support;

use std::convert::Infallible;
use std::path::Path;

use axum::body::Bytes;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, VARY,
};
use axum::http::{Request, Response};
use http_body_util::{BodyExt, Empty, Full};
use support::server::TestServer;
use tower::{Layer, ServiceExt, service_fn};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::decompression::DecompressionLayer;

/// What a browser would download: a wasm module (starting like one, then repetitive enough to compress
/// well), the glue, the widget loader, the stylesheet, the page.
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    for i in 0..4000u32 {
        wasm.extend_from_slice(format!("premia_quote_{} ", i % 97).as_bytes());
        wasm.push((i % 251) as u8);
    }
    let js = "export function quote(request) { return JSON.parse(quoteJson(JSON.stringify(request))); }\n".repeat(40);
    let css = ".premia-amount { font-variant-numeric: tabular-nums; color: var(--premia-primary); }\n".repeat(40);
    let html = format!("<!doctype html><title>Premia</title>\n{}", "<p>报价 · quote</p>\n".repeat(40));
    vec![
        ("pkg/premia_bg.wasm", wasm),
        ("pkg/premia.js", js.clone().into_bytes()),
        ("premia-widget.js", js.into_bytes()),
        ("premia.css", css.into_bytes()),
        ("index.html", html.into_bytes()),
    ]
}

/// Write the site: every file with its `.gz` and `.br`, and `site.css` with neither.
async fn write_site(site: &Path) {
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    for (name, raw) in files() {
        std::fs::write(site.join(name), &raw).unwrap();
        std::fs::write(site.join(format!("{name}.gz")), encode("gzip", &raw).await).unwrap();
        std::fs::write(site.join(format!("{name}.br")), encode("br", &raw).await).unwrap();
    }
    std::fs::write(site.join("site.css"), "body { margin: 0 }\n".repeat(40)).unwrap();
}

/// Compress with a real encoder (tower-http's, at its best level).
async fn encode(encoding: &'static str, raw: &[u8]) -> Vec<u8> {
    let raw = Bytes::copy_from_slice(raw);
    let always = |_, _, _: &_, _: &_| true;
    let service = CompressionLayer::new().quality(CompressionLevel::Best).compress_when(always).layer(service_fn(
        move |_: Request<Empty<Bytes>>| {
            let raw = raw.clone();
            async move { Ok::<_, Infallible>(Response::new(Full::new(raw))) }
        },
    ));
    let request = Request::builder().header(ACCEPT_ENCODING, encoding).body(Empty::new()).unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(response.headers()[CONTENT_ENCODING], encoding);
    response.into_body().collect().await.unwrap().to_bytes().to_vec()
}

/// Decode a body as a browser would, by its `Content-Encoding`.
async fn decode(encoding: &str, body: Bytes) -> Vec<u8> {
    let encoding = encoding.to_owned();
    let service = DecompressionLayer::new().layer(service_fn(move |_: Request<Empty<Bytes>>| {
        let response = Response::builder().header(CONTENT_ENCODING, &encoding).body(Full::new(body.clone()));
        async move { Ok::<_, Infallible>(response.unwrap()) }
    }));
    let response = service.oneshot(Request::new(Empty::new())).await.unwrap();
    response.into_body().collect().await.unwrap().to_bytes().to_vec()
}

fn header(response: &reqwest::Response, name: impl reqwest::header::AsHeaderName) -> Option<&str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

/// GET `path` with the given `Accept-Encoding`; the response must be a 200 of `expected` (the encoding
/// it must come in, `None` for the raw file) whose body decodes to the raw file.
async fn fetch(server: &TestServer, path: &str, accept: Option<&str>, expected: Option<&str>) -> reqwest::Response {
    let headers: Vec<(&str, &str)> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
    let response = server.get(path, &headers).await;
    assert_eq!(response.status(), 200, "{path} with {accept:?}");
    assert_eq!(header(&response, CONTENT_ENCODING), expected, "{path} with {accept:?}");
    assert_eq!(header(&response, VARY), Some("accept-encoding"), "{path}: caches must key on the encoding");
    assert_eq!(header(&response, CACHE_CONTROL), Some("no-cache"), "{path}: revalidated before each use");
    assert!(header(&response, ETAG).is_some() && header(&response, LAST_MODIFIED).is_some(), "{path}");
    response
}

async fn body_of(server: &TestServer, path: &str, accept: Option<&str>, expected: Option<&str>) -> Vec<u8> {
    let response = fetch(server, path, accept, expected).await;
    let length: usize = header(&response, CONTENT_LENGTH).unwrap().parse().unwrap();
    let sent = response.bytes().await.unwrap();
    assert_eq!(length, sent.len(), "{path}: Content-Length is the size sent");
    let file = server.site_dir().join(path.trim_start_matches('/'));
    match expected {
        None => assert_eq!(sent, std::fs::read(&file).unwrap(), "{path}: the raw file"),
        Some(encoding) => {
            let suffix = if encoding == "br" { "br" } else { "gz" };
            let precompressed = std::fs::read(format!("{}.{suffix}", file.display())).unwrap();
            assert_eq!(sent, precompressed, "{path}: the {encoding} file as it is, not compressed again");
        }
    }
    match expected {
        None => sent.to_vec(),
        Some(encoding) => decode(encoding, sent).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wasm_module_is_sent_precompressed_to_browsers_that_accept_it() {
    let server = TestServer::start(None, |_| {}).await;
    write_site(&server.site_dir()).await;
    let wasm = "/pkg/premia_bg.wasm";
    let raw = std::fs::read(server.site_dir().join("pkg/premia_bg.wasm")).unwrap();
    let compressed = |suffix: &str| std::fs::read(server.site_dir().join(format!("pkg/premia_bg.wasm.{suffix}")));
    assert!(compressed("gz").unwrap().len() * 3 < raw.len() && compressed("br").unwrap().len() * 3 < raw.len());

    // (Accept-Encoding, what must be sent): brotli when accepted (a browser's list), gzip when only it
    // is, or brotli is refused (q=0); the raw file for no header, identity, or encodings without a file.
    let cases = [
        (None, None),
        (Some("gzip"), Some("gzip")),
        (Some("br"), Some("br")),
        (Some("gzip, deflate, br, zstd"), Some("br")),
        (Some("br;q=0, gzip"), Some("gzip")),
        (Some("gzip;q=0.5, br;q=0.2"), Some("gzip")),
        (Some("identity"), None),
        (Some("deflate"), None),
    ];
    for (accept, expected) in cases {
        let response = fetch(&server, wasm, accept, expected).await;
        assert_eq!(header(&response, CONTENT_TYPE), Some("application/wasm"), "{accept:?}: streaming compile needs it");
        let body = body_of(&server, wasm, accept, expected).await;
        assert!(body == raw, "{accept:?}: the body decodes to the module byte for byte");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_text_file_keeps_its_content_type_when_compressed() {
    let server = TestServer::start(None, |_| {}).await;
    write_site(&server.site_dir()).await;
    let types = [
        ("/pkg/premia.js", "text/javascript"),
        ("/premia-widget.js", "text/javascript"),
        ("/premia.css", "text/css"),
        ("/index.html", "text/html"),
        ("/", "text/html"),
    ];
    for (path, content_type) in types {
        let file = if path == "/" { "index.html" } else { path.trim_start_matches('/') };
        let raw = std::fs::read(server.site_dir().join(file)).unwrap();
        for (accept, expected) in [(Some("gzip"), Some("gzip")), (Some("br"), Some("br")), (None, None)] {
            let response = fetch(&server, path, accept, expected).await;
            let sent_type = header(&response, CONTENT_TYPE).unwrap();
            assert!(sent_type.starts_with(content_type), "{path} with {accept:?}: {sent_type}");
            let body = if path == "/" {
                let sent = response.bytes().await.unwrap();
                match expected {
                    Some(encoding) => decode(encoding, sent).await,
                    None => sent.to_vec(),
                }
            } else {
                body_of(&server, path, accept, expected).await
            };
            assert!(body == raw, "{path} with {accept:?}");
        }
    }
    // A file without precompressed forms is sent as it is, whatever the browser accepts.
    let raw = std::fs::read(server.site_dir().join("site.css")).unwrap();
    assert_eq!(body_of(&server, "/site.css", Some("gzip, br"), None).await, raw);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_file_is_revalidated_with_304() {
    let server = TestServer::start(None, |_| {}).await;
    write_site(&server.site_dir()).await;
    let wasm = "/pkg/premia_bg.wasm";
    for accept in ["gzip", "br"] {
        let first = fetch(&server, wasm, Some(accept), Some(accept)).await;
        let (etag, modified) =
            (header(&first, ETAG).unwrap().to_owned(), header(&first, LAST_MODIFIED).unwrap().to_owned());
        for condition in [(IF_NONE_MATCH, etag.as_str()), (IF_MODIFIED_SINCE, modified.as_str())] {
            let again = server.get(wasm, &[("accept-encoding", accept), (condition.0.as_str(), condition.1)]).await;
            assert_eq!(again.status(), 304, "{accept}, {}", condition.0);
            assert_eq!(header(&again, CACHE_CONTROL), Some("no-cache"));
            assert!(again.bytes().await.unwrap().is_empty());
        }
        // The compressed and the raw file are different representations, with different tags.
        let raw = fetch(&server, wasm, None, None).await;
        assert_ne!(header(&raw, ETAG).unwrap(), etag, "{accept}");
    }
    // A rebuilt module has a new tag: the old one no longer matches.
    let first = fetch(&server, wasm, Some("gzip"), Some("gzip")).await;
    let etag = header(&first, ETAG).unwrap().to_owned();
    let gz = server.site_dir().join("pkg/premia_bg.wasm.gz");
    std::fs::write(&gz, encode("gzip", b"\0asm\x01\0\0\0 a rebuilt module, a different size").await).unwrap();
    let again = server.get(wasm, &[("accept-encoding", "gzip"), ("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_site_and_missing_files_keep_their_pages_whatever_is_accepted() {
    let server = TestServer::start(None, |_| {}).await;
    for accept in [None, Some("gzip, br")] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept-encoding", a)).into_iter().collect();
        let response = server.get("/", &headers).await;
        assert_eq!(response.status(), 503, "{accept:?}");
        assert_eq!(header(&response, CONTENT_ENCODING), None);
        assert!(response.text().await.unwrap().contains("scripts/web-build.sh"));
    }
    write_site(&server.site_dir()).await;
    let response = server.get("/pkg/no-such.wasm", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(response.status(), 404);
    assert_eq!(header(&response, CONTENT_ENCODING), None);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

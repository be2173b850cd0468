//! The HTTP client the adapters share: hyper's client over rustls (ring) with the webpki roots, a
//! timeout on every call (connection included), a cap on answer size, and no redirects (a provider
//! API never redirects; following one would send a signed request somewhere else).
//!
//! Why hyper and not reqwest (already in the workspace): reqwest's TLS comes either with aws-lc (a
//! large C build) or as `rustls-no-provider`, and cargo unifies features across the workspace, so
//! the latter would make `reqwest::Client::new()` panic in every other crate's tests.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use url::Url;

use crate::config::ConfigError;
use crate::error::PayError;

/// The default time a call may take, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read (providers' answers are a few KiB).
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// A provider's answer, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// One connection pool for all providers.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: Client<Connector, Full<Bytes>>,
    timeout: Duration,
}

impl HttpClient {
    /// A client whose calls give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<HttpClient, ConfigError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::Http(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(timeout));
        // Plain http is reachable only where `check_endpoint` allowed it: a loopback simulator.
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(HttpClient { client, timeout })
    }

    /// Sends a request and reads the whole answer. Any status is an answer; only a timeout or a
    /// broken connection is an error.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        method: http::Method,
        url: &Url,
        headers: &[(http::HeaderName, String)],
        body: Vec<u8>,
    ) -> Result<Answer, PayError> {
        let transport = |message: String| PayError::Transport { operation, message };
        let mut request = http::Request::builder()
            .method(method)
            .uri(url.as_str())
            .header(http::header::USER_AGENT, concat!("premia-pay/", env!("CARGO_PKG_VERSION")));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let request = request.body(Full::new(Bytes::from(body))).map_err(|e| transport(e.to_string()))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| transport(e.to_string()))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER_BYTES).collect().await.map_err(|e| transport(e.to_string()))?;
            Ok(Answer { status: parts.status.as_u16(), headers: parts.headers, body: body.to_bytes().to_vec() })
        };
        tokio::time::timeout(self.timeout, exchange).await.unwrap_or(Err(PayError::Timeout { operation }))
    }
}

/// A provider endpoint or notify URL must be HTTPS; plain HTTP is allowed only to a loopback
/// host (the simulators).
pub fn check_endpoint(field: &'static str, url: &Url) -> Result<(), ConfigError> {
    let loopback = match url.host() {
        Some(url::Host::Domain(host)) => host == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(ConfigError::Invalid { field, rule: "an https:// URL (http:// only to a loopback host)" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_https_or_loopback() {
        let ok = ["https://api.mch.weixin.qq.com", "http://127.0.0.1:8080/x", "http://localhost:1/", "http://[::1]:2/"];
        for url in ok {
            assert!(check_endpoint("f", &Url::parse(url).expect("url")).is_ok(), "{url}");
        }
        for url in ["http://api.mch.weixin.qq.com", "http://10.0.0.1/", "ftp://127.0.0.1/", "file:///etc/passwd"] {
            assert!(check_endpoint("f", &Url::parse(url).expect("url")).is_err(), "{url}");
        }
    }

    #[test]
    fn the_client_builds_with_ring_and_webpki_roots() {
        assert!(HttpClient::new(DEFAULT_TIMEOUT).is_ok());
    }
}

//! The HTTP client the adapters share: HTTPS with rustls (ring) and the webpki roots, a timeout on
//! every call, and no redirects (a provider API never redirects; following one would send a
//! signed request somewhere else).

use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::config::ConfigError;
use crate::error::PayError;

/// The default time a call may take, connection included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// A provider's answer, read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: Vec<u8>,
}

/// Installs ring as the process's default rustls crypto provider (once; harmless if one is
/// already installed).
///
/// premia-pay turns on reqwest's `rustls-no-provider` feature, and cargo unifies features: in any
/// program that links premia-pay, `reqwest::Client::new()` (or `builder().build()`) panics unless
/// a provider is installed first. [`HttpClient::new`] calls this; a program that builds its own
/// reqwest clients (the server's tests, the simulator) calls it at start.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// One connection pool for all providers.
#[derive(Clone, Debug)]
pub struct HttpClient {
    client: reqwest::Client,
}

impl HttpClient {
    /// A client whose calls give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<HttpClient, ConfigError> {
        install_crypto_provider();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| ConfigError::Http(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("premia-pay/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        Ok(HttpClient { client })
    }

    /// Sends a request and reads the whole answer. Any status is an answer; only a timeout or a
    /// broken connection is an error.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer, PayError> {
        let failed = |error: reqwest::Error| {
            if error.is_timeout() {
                PayError::Timeout { operation }
            } else {
                PayError::Transport { operation, message: error.to_string() }
            }
        };
        let response = request.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(failed)?.to_vec();
        Ok(Answer { status, headers, body })
    }

    pub(crate) fn inner(&self) -> &reqwest::Client {
        &self.client
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

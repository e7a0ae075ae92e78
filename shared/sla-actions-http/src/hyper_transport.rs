//! [`HttpTransport`] over hyper 1: plain HTTP for loopback URLs (tests), rustls with the
//! system's roots for `https://`.

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};

/// Time allowed for one call, connection and body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Largest response body read (error messages, the ticket reads); more is an error.
const MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

type Body = Full<Bytes>;

/// The production transport: one connection pool per scheme.
#[derive(Debug, Clone)]
pub struct HyperTransport {
    plain: Client<HttpConnector, Body>,
    tls: Option<Client<HttpsConnector<HttpConnector>, Body>>,
    timeout: Duration,
}

impl HyperTransport {
    /// A transport; `https://` calls fail (as transport errors) if the system has no
    /// usable CA certificates.
    pub fn new() -> Self {
        let plain = Client::builder(TokioExecutor::new()).build_http();
        let tls = HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(
                |e| tracing::warn!(error = %e, "no usable CA certificates: https calls will fail"),
            )
            .ok()
            .map(|builder| {
                let connector = builder.https_only().enable_http1().build();
                Client::builder(TokioExecutor::new()).build(connector)
            });
        Self {
            plain,
            tls,
            timeout: REQUEST_TIMEOUT,
        }
    }

    /// Replaces the per-call timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn call(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let label = request.label.clone();
        let fail = |what: String| TransportError(format!("{label}: {what}"));
        let https = request.url.starts_with("https://");
        let mut builder = Request::builder()
            .method(request.method)
            .uri(request.url.as_str())
            .header(hyper::header::USER_AGENT, "sla-tracker");
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        // The URL may be a secret (chat webhooks): never echo it.
        let http_request = builder
            .body(Full::new(Bytes::from(request.body)))
            .map_err(|_| fail("invalid URL or header".into()))?;
        let response = if https {
            let client = self
                .tls
                .as_ref()
                .ok_or_else(|| fail("no usable CA certificates for https".into()))?;
            client.request(http_request).await
        } else {
            self.plain.request(http_request).await
        }
        .map_err(|e| fail(format!("request failed: {e}")))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(n, v)| Some((n.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let body = http_body_util::Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| fail(format!("reading the response: {e}")))?
            .to_bytes()
            .to_vec();
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpTransport for HyperTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let label = request.label.clone();
        tokio::time::timeout(self.timeout, self.call(request))
            .await
            .map_err(|_| TransportError(format!("{label}: timed out after {:?}", self.timeout)))?
    }
}

//! The one seam to the network: send a request, get a response. Tests answer with fakes;
//! production uses [`crate::HyperTransport`].

use std::fmt;
use std::future::Future;

pub use http::Method;

/// One HTTP request, built by a vendor or chat builder.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL (may hold a secret: chat webhooks).
    pub url: String,
    /// Headers, in order (may hold credentials: `Authorization`).
    pub headers: Vec<(String, String)>,
    /// The body (JSON for every call made here; empty for reads).
    pub body: Vec<u8>,
    /// What the call is, for messages and logs; never holds a secret
    /// (`PUT /api/v2/tickets/42/tags`, `Slack webhook`).
    pub label: String,
}

impl HttpRequest {
    /// A request with no headers or body; `label` is `METHOD path`.
    pub fn new(method: Method, base_url: &str, path: &str) -> Self {
        Self {
            label: format!("{method} {path}"),
            url: format!("{base_url}{path}"),
            method,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// Sets a JSON body (and its content type).
    pub fn json(mut self, body: &serde_json::Value) -> Self {
        self.body = body.to_string().into_bytes();
        self.header("Content-Type", "application/json")
    }

    /// The value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Prints the label and header names only: URLs and header values may be secrets.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("HttpRequest")
            .field("label", &self.label)
            .field("headers", &names)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// One HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The body as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The request never got an HTTP answer (connection refused, timeout, TLS); retried.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(pub String);

/// Sends one request.
pub trait HttpTransport: Send + Sync {
    /// The response, whatever its status; `Err` only when there is none.
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send;
}

impl<T: HttpTransport> HttpTransport for &T {
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        (**self).send(request)
    }
}

impl<T: HttpTransport> HttpTransport for std::sync::Arc<T> {
    fn send(
        &self,
        request: HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        (**self).send(request)
    }
}

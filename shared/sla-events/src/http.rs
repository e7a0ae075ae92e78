//! POSTing each SLA event as JSON to an http(s) endpoint, retrying transient failures.

use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Request, StatusCode, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sla_core::SlaEvent;

use crate::{EventSink, PublishReport, SendRetry, SinkError};

/// Time allowed for one POST, connection included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Header carrying the deterministic `event_id`, for receivers that de-duplicate.
pub const EVENT_ID_HEADER: &str = "x-sla-event-id";

type Body = Full<Bytes>;

/// The connection pool: plain for `http://`, rustls with the system's roots for `https://`.
#[derive(Debug, Clone)]
enum Transport {
    Plain(Client<HttpConnector, Body>),
    Tls(Client<HttpsConnector<HttpConnector>, Body>),
}

/// Why one POST failed, and whether trying again may help.
enum PostFailure {
    Transient(String),
    Permanent(String),
}

/// Sends each event as one `POST <url>` with the event JSON as body; 2xx counts as
/// delivered, 408/429/5xx and network errors are retried, other statuses are not.
#[derive(Debug, Clone)]
pub struct HttpSink {
    url: Uri,
    transport: Transport,
    retry: SendRetry,
}

impl HttpSink {
    /// A sink posting to `url` (`http://` or `https://`).
    pub fn new(url: &str) -> Result<Self, SinkError> {
        let parsed: Uri = url.parse().map_err(|e| {
            SinkError::Backend(format!("event URL {url:?} is not a valid URI: {e}"))
        })?;
        let transport = match parsed.scheme_str() {
            Some("http") => Transport::Plain(Client::builder(TokioExecutor::new()).build_http()),
            Some("https") => {
                let connector = HttpsConnectorBuilder::new()
                    .with_native_roots()
                    .map_err(|e| {
                        SinkError::Backend(format!(
                            "event URL {url:?}: no usable CA certificates: {e}"
                        ))
                    })?
                    .https_only()
                    .enable_http1()
                    .build();
                Transport::Tls(Client::builder(TokioExecutor::new()).build(connector))
            }
            _ => {
                return Err(SinkError::Backend(format!(
                    "event URL {url:?} must start with http:// or https://"
                )))
            }
        };
        Ok(Self {
            url: parsed,
            transport,
            retry: SendRetry::default(),
        })
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: SendRetry) -> Self {
        self.retry = retry;
        self
    }

    async fn post_with_retries(&self, event_id: &str, body: Bytes) -> Result<(), String> {
        let mut attempt = 1;
        loop {
            match self.post_once(event_id, body.clone()).await {
                Ok(()) => return Ok(()),
                Err(PostFailure::Permanent(reason)) => return Err(reason),
                Err(PostFailure::Transient(reason))
                    if attempt >= self.retry.max_attempts.max(1) =>
                {
                    return Err(reason)
                }
                Err(PostFailure::Transient(reason)) => {
                    attempt += 1;
                    tracing::warn!(url = %self.url, event_id, attempt, %reason, "retrying event POST");
                    tokio::time::sleep(self.retry.delay_before(attempt)).await;
                }
            }
        }
    }

    async fn post_once(&self, event_id: &str, body: Bytes) -> Result<(), PostFailure> {
        let request = Request::post(self.url.clone())
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(hyper::header::USER_AGENT, "sla-tracker")
            .header(EVENT_ID_HEADER, event_id)
            .body(Full::new(body))
            .map_err(|e| {
                PostFailure::Permanent(format!("building the POST to {}: {e}", self.url))
            })?;
        let sent = match &self.transport {
            Transport::Plain(client) => {
                tokio::time::timeout(REQUEST_TIMEOUT, client.request(request)).await
            }
            Transport::Tls(client) => {
                tokio::time::timeout(REQUEST_TIMEOUT, client.request(request)).await
            }
        };
        let response = sent
            .map_err(|_| {
                PostFailure::Transient(format!(
                    "POST {} timed out after {REQUEST_TIMEOUT:?}",
                    self.url
                ))
            })?
            .map_err(|e| PostFailure::Transient(format!("POST {} failed: {e}", self.url)))?;
        classify(response.status(), &self.url)
    }
}

fn classify(status: StatusCode, url: &Uri) -> Result<(), PostFailure> {
    let reason = || format!("POST {url} answered {status}");
    if status.is_success() {
        Ok(())
    } else if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        Err(PostFailure::Transient(reason()))
    } else {
        Err(PostFailure::Permanent(reason()))
    }
}

impl EventSink for HttpSink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        let mut report = PublishReport::default();
        for event in events {
            let body = serde_json::to_vec(event).map_err(|e| {
                SinkError::Backend(format!("event {} does not serialize: {e}", event.event_id))
            })?;
            match self
                .post_with_retries(&event.event_id, Bytes::from(body))
                .await
            {
                Ok(()) => report.published.push(event.event_id.clone()),
                Err(reason) => report.failed.push((event.event_id.clone(), reason)),
            }
        }
        Ok(report)
    }
}

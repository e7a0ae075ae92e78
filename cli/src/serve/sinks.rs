//! The events destination chosen by `--events`, counted for `/metrics`.

use std::sync::Arc;

use sla_core::SlaEvent;
use sla_events::{EventSink, HttpSink, JsonLinesFileSink, PublishReport, SinkError, StdoutSink};

use super::autopilot::Feed;
use super::metrics::Metrics;
use super::options::EventsTarget;

/// One of the local destinations.
#[derive(Debug, Clone)]
enum LocalSink {
    Stdout(StdoutSink),
    File(JsonLinesFileSink),
    /// Boxed: the connection pool is large beside the other two.
    Http(Box<HttpSink>),
}

impl LocalSink {
    fn open(target: &EventsTarget) -> Result<Self, SinkError> {
        Ok(match target {
            EventsTarget::Stdout => Self::Stdout(StdoutSink::new()),
            EventsTarget::File(path) => Self::File(JsonLinesFileSink::open(path)?),
            EventsTarget::Http(url) => Self::Http(Box::new(HttpSink::new(url)?)),
        })
    }

    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        match self {
            Self::Stdout(sink) => sink.publish(events).await,
            Self::File(sink) => sink.publish(events).await,
            Self::Http(sink) => sink.publish(events).await,
        }
    }
}

/// The `--events` destination, counting what it delivers by event type.
#[derive(Debug, Clone)]
pub struct CountingSink {
    inner: LocalSink,
    metrics: Arc<Metrics>,
    /// Receives what was published (the autopilot enqueues its actions).
    autopilot: Option<Arc<Feed>>,
}

impl CountingSink {
    /// Opens the destination (a file is created or appended to; a URL is only parsed).
    pub fn open(target: &EventsTarget, metrics: Arc<Metrics>) -> Result<Self, SinkError> {
        Ok(Self {
            inner: LocalSink::open(target)?,
            metrics,
            autopilot: None,
        })
    }

    /// This sink, handing what it publishes to the autopilot before it returns (so the
    /// actions are in the ledger before the outbox forgets the events).
    pub fn with_autopilot(mut self, feed: Arc<Feed>) -> Self {
        self.autopilot = Some(feed);
        self
    }
}

impl EventSink for CountingSink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        let result = self.inner.publish(events).await;
        match &result {
            Ok(report) => {
                for id in &report.published {
                    if let Some(event) = events.iter().find(|e| &e.event_id == id) {
                        self.metrics.record_published(event.kind);
                    }
                }
                self.metrics
                    .record_publish_failed(report.failed.len() as u64);
            }
            Err(_) => self.metrics.record_publish_failed(events.len() as u64),
        }
        if let (Some(feed), Ok(report)) = (&self.autopilot, &result) {
            feed.accept(events, &report.published).await;
        }
        result
    }
}

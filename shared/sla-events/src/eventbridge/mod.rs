//! Publishing to an EventBridge bus: `PutEvents` in requests of at most 10 entries and
//! [`MAX_REQUEST_BYTES`], retrying only the entries that failed, with bounded backoff.

mod api;
mod entry;

use sla_core::SlaEvent;

pub use api::{EntryOutcome, PutEventsApi};
pub use entry::{batches, PutEventsEntry, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES};

use crate::{EventSink, PublishReport, SendRetry, SinkError};

/// Publishes SLA events to one bus with a fixed `Source`; DetailType from the event kind.
#[derive(Debug, Clone)]
pub struct EventBridgeSink<A = aws_sdk_eventbridge::Client> {
    api: A,
    bus: String,
    source: String,
    retry: SendRetry,
}

impl EventBridgeSink {
    /// A sink sending to `bus_name` (name or ARN) as `source` (usually [`crate::DEFAULT_SOURCE`]).
    pub fn new(
        client: aws_sdk_eventbridge::Client,
        bus_name: impl Into<String>,
        source: impl Into<String>,
    ) -> Self {
        Self::with_api(client, bus_name, source)
    }
}

impl<A: PutEventsApi> EventBridgeSink<A> {
    /// A sink over any [`PutEventsApi`] (tests wrap the SDK client to observe requests).
    pub fn with_api(api: A, bus_name: impl Into<String>, source: impl Into<String>) -> Self {
        Self {
            api,
            bus: bus_name.into(),
            source: source.into(),
            retry: SendRetry::default(),
        }
    }

    /// Replaces the retry policy.
    pub fn with_retry(mut self, retry: SendRetry) -> Self {
        self.retry = retry;
        self
    }

    /// The wrapped API.
    pub fn api(&self) -> &A {
        &self.api
    }

    /// Sends `pending`, then resends what failed, until all are accepted or attempts run out.
    async fn send_with_retries(
        &self,
        mut pending: Vec<PutEventsEntry>,
        report: &mut PublishReport,
    ) {
        let mut attempt = 1;
        loop {
            let failed = self.send_once(pending, report).await;
            if failed.is_empty() || attempt >= self.retry.max_attempts.max(1) {
                report.failed.extend(
                    failed
                        .into_iter()
                        .map(|(entry, reason)| (entry.event_id, reason)),
                );
                return;
            }
            attempt += 1;
            tracing::warn!(bus = %self.bus, attempt, failed = failed.len(), "retrying failed PutEvents entries");
            tokio::time::sleep(self.retry.delay_before(attempt)).await;
            pending = failed.into_iter().map(|(entry, _)| entry).collect();
        }
    }

    /// One pass over `entries`; returns the entries that failed with their reason.
    async fn send_once(
        &self,
        entries: Vec<PutEventsEntry>,
        report: &mut PublishReport,
    ) -> Vec<(PutEventsEntry, String)> {
        let mut failed = Vec::new();
        for request in batches(entries, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES) {
            match self.api.send_entries(&self.bus, &request).await {
                Ok(outcomes) if outcomes.len() == request.len() => {
                    for (entry, outcome) in request.into_iter().zip(outcomes) {
                        match outcome {
                            EntryOutcome::Accepted => report.published.push(entry.event_id),
                            EntryOutcome::Rejected { code, message } => {
                                failed.push((entry, format!("{code}: {message}")))
                            }
                        }
                    }
                }
                Ok(outcomes) => {
                    let reason = format!(
                        "PutEvents answered {} results for {} entries",
                        outcomes.len(),
                        request.len()
                    );
                    failed.extend(request.into_iter().map(|e| (e, reason.clone())));
                }
                Err(reason) => failed.extend(request.into_iter().map(|e| (e, reason.clone()))),
            }
        }
        failed
    }
}

impl<A: PutEventsApi> EventSink for EventBridgeSink<A> {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        let mut report = PublishReport::default();
        let mut sendable = Vec::with_capacity(events.len());
        for event in events {
            let entry = PutEventsEntry::new(event, &self.source).map_err(|e| {
                SinkError::Backend(format!("event {} does not serialize: {e}", event.event_id))
            })?;
            if entry.size() > MAX_REQUEST_BYTES {
                let reason = format!(
                    "entry is {} bytes, over the {MAX_REQUEST_BYTES}-byte PutEvents limit",
                    entry.size()
                );
                report.failed.push((entry.event_id, reason));
            } else {
                sendable.push(entry);
            }
        }
        if !sendable.is_empty() {
            self.send_with_retries(sendable, &mut report).await;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests;

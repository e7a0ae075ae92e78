//! Publishing SLA events. CONTRACT SKELETON: the trait is fixed.

use std::future::Future;

use sla_core::SlaEvent;

/// What happened to each event of a publish call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublishReport {
    /// `event_id`s accepted by the destination.
    pub published: Vec<String>,
    /// `event_id`s that failed after retries, with the reason.
    pub failed: Vec<(String, String)>,
}

/// Sink failures that affect the whole call (not one entry).
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("event sink failed: {0}")]
    Backend(String),
}

/// Somewhere SLA events go.
pub trait EventSink: Send + Sync {
    fn publish(
        &self,
        events: &[SlaEvent],
    ) -> impl Future<Output = Result<PublishReport, SinkError>> + Send;
}

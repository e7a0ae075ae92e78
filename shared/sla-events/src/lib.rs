//! Publishing SLA events: to EventBridge (`EventBridgeSink`, feature `eventbridge`), as
//! JSON lines to stdout ([`StdoutSink`]) or a file ([`JsonLinesFileSink`]), by HTTP POST
//! (`HttpSink`, feature `http`), or into memory for tests ([`MemorySink`]).

#![warn(missing_docs)]
// Input-derived values never unwrap or panic: bad input is an error, never a crash.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::future::Future;

use sla_core::{SlaEvent, SlaEventType};

#[cfg(feature = "eventbridge")]
pub mod eventbridge;
#[cfg(feature = "http")]
pub mod http;
mod json_lines;
mod memory;
mod retry;
#[cfg(feature = "testkit")]
// Test support: a failed expectation there is a test failure, never a production path.
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
pub mod testkit;

#[cfg(feature = "eventbridge")]
pub use eventbridge::EventBridgeSink;
#[cfg(feature = "http")]
pub use http::HttpSink;
pub use json_lines::{JsonLinesFileSink, StdoutSink};
pub use memory::MemorySink;
pub use retry::SendRetry;

/// The default EventBridge `Source` of our events.
pub const DEFAULT_SOURCE: &str = "sla-tracker";

/// The EventBridge `DetailType` announcing `kind` (`SLA Breached`, ...).
pub fn detail_type(kind: SlaEventType) -> &'static str {
    match kind {
        SlaEventType::Warning => "SLA Warning",
        SlaEventType::Breached => "SLA Breached",
        SlaEventType::Met => "SLA Met",
        SlaEventType::Completed => "SLA Completed",
        SlaEventType::Cancelled => "SLA Cancelled",
        SlaEventType::Retracted => "SLA Retracted",
    }
}

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
    /// The backend refused or could not be reached (after the sink's own retries).
    #[error("event sink failed: {0}")]
    Backend(String),
}

/// Somewhere SLA events go.
pub trait EventSink: Send + Sync {
    /// Publishes `events`; the report names each one published or failed.
    fn publish(
        &self,
        events: &[SlaEvent],
    ) -> impl Future<Output = Result<PublishReport, SinkError>> + Send;
}

#[cfg(test)]
mod test_events {
    use chrono::{TimeZone, Utc};
    use sla_core::{Metric, Priority, SlaEvent, SlaEventType};

    /// A breach event with the given id.
    pub fn event(id: &str) -> SlaEvent {
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap();
        SlaEvent {
            event_id: id.to_owned(),
            kind: SlaEventType::Breached,
            tenant: "acme".into(),
            ticket_id: "42".into(),
            metric: Metric::FirstResponse,
            cycle: 1,
            policy: "default".into(),
            priority: Priority::Urgent,
            target_seconds: 3600,
            deadline: at,
            at,
            elapsed_seconds: 3600,
            threshold: None,
            retracts: None,
            context: Default::default(),
        }
    }
}

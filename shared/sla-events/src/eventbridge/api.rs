//! The one SDK call the sink makes, behind a trait so tests can observe or alter requests.

use std::future::Future;

use aws_sdk_eventbridge::error::DisplayErrorContext;
use aws_sdk_eventbridge::primitives::DateTime as SdkDateTime;
use aws_sdk_eventbridge::types::{PutEventsRequestEntry, PutEventsResultEntry};
use aws_sdk_eventbridge::Client;

use super::entry::PutEventsEntry;

/// What EventBridge said about one entry of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryOutcome {
    /// Put on the bus.
    Accepted,
    /// `code` is EventBridge's per-entry `ErrorCode` (`MalformedDetail`, `ThrottlingException`, ...).
    Rejected {
        /// EventBridge's error code.
        code: String,
        /// EventBridge's error message.
        message: String,
    },
}

/// Sends one `PutEvents` request to `bus`.
pub trait PutEventsApi: Send + Sync {
    /// The outcome of each entry, in request order; `Err` when the whole request failed.
    fn send_entries(
        &self,
        bus: &str,
        entries: &[PutEventsEntry],
    ) -> impl Future<Output = Result<Vec<EntryOutcome>, String>> + Send;
}

impl PutEventsApi for Client {
    async fn send_entries(
        &self,
        bus: &str,
        entries: &[PutEventsEntry],
    ) -> Result<Vec<EntryOutcome>, String> {
        let request: Vec<PutEventsRequestEntry> = entries.iter().map(|e| to_sdk(bus, e)).collect();
        let output = self
            .put_events()
            .set_entries(Some(request))
            .send()
            .await
            .map_err(|e| format!("PutEvents to bus {bus} failed: {}", DisplayErrorContext(&e)))?;
        Ok(output.entries().iter().map(outcome).collect())
    }
}

fn to_sdk(bus: &str, entry: &PutEventsEntry) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(bus)
        .source(&entry.source)
        .detail_type(entry.detail_type)
        .detail(&entry.detail)
        .time(SdkDateTime::from_millis(entry.time.timestamp_millis()))
        .build()
}

fn outcome(result: &PutEventsResultEntry) -> EntryOutcome {
    match (result.error_code(), result.event_id()) {
        (None, Some(_)) => EntryOutcome::Accepted,
        (code, _) => EntryOutcome::Rejected {
            code: code.unwrap_or("NoEventId").to_owned(),
            message: result
                .error_message()
                .unwrap_or("no event id returned")
                .to_owned(),
        },
    }
}

//! PutEvents entries built from SLA events, their size as EventBridge counts it, and the
//! split into requests.

use chrono::{DateTime, Utc};
use sla_core::SlaEvent;

use crate::detail_type;

/// Most entries one `PutEvents` request may carry.
pub const MAX_ENTRIES_PER_REQUEST: usize = 10;

/// Most bytes of entries one `PutEvents` request may carry (1 MB since January 2026; it
/// was 256 KB before). The one place this limit lives.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// Bytes EventBridge counts for a `Time` parameter.
const TIME_BYTES: usize = 14;

/// One event as a PutEvents entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutEventsEntry {
    /// The event's deterministic id (not sent as a field; it is inside `detail`).
    pub event_id: String,
    /// The EventBridge `Source`.
    pub source: String,
    /// The EventBridge `DetailType`, from the event's type.
    pub detail_type: &'static str,
    /// The `SlaEvent` as JSON.
    pub detail: String,
    /// The event's `at`.
    pub time: DateTime<Utc>,
}

impl PutEventsEntry {
    /// The entry announcing `event` from `source`.
    pub fn new(event: &SlaEvent, source: &str) -> Result<Self, serde_json::Error> {
        Ok(Self {
            event_id: event.event_id.clone(),
            source: source.to_owned(),
            detail_type: detail_type(event.kind),
            detail: serde_json::to_string(event)?,
            time: event.at,
        })
    }

    /// The entry size as AWS documents it: Time 14 bytes, plus the UTF-8 bytes of Source,
    /// DetailType, Detail and each Resource (we send none).
    pub fn size(&self) -> usize {
        TIME_BYTES + self.source.len() + self.detail_type.len() + self.detail.len()
    }
}

/// Splits `entries` into requests of at most `max_entries` entries and `max_bytes` bytes,
/// keeping order. An entry alone over `max_bytes` gets a request of its own (and fails there).
pub fn batches(
    entries: Vec<PutEventsEntry>,
    max_entries: usize,
    max_bytes: usize,
) -> Vec<Vec<PutEventsEntry>> {
    let mut requests: Vec<Vec<PutEventsEntry>> = Vec::new();
    let mut current: Vec<PutEventsEntry> = Vec::new();
    let mut current_bytes = 0;
    for entry in entries {
        let size = entry.size();
        let full = current.len() == max_entries || current_bytes + size > max_bytes;
        if full && !current.is_empty() {
            requests.push(std::mem::take(&mut current));
            current_bytes = 0;
        }
        current_bytes += size;
        current.push(entry);
    }
    if !current.is_empty() {
        requests.push(current);
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_events::event;

    fn entry(id: &str) -> PutEventsEntry {
        PutEventsEntry::new(&event(id), "sla-tracker").unwrap()
    }

    fn ids(requests: &[Vec<PutEventsEntry>]) -> Vec<Vec<&str>> {
        requests
            .iter()
            .map(|r| r.iter().map(|e| e.event_id.as_str()).collect())
            .collect()
    }

    #[test]
    fn size_counts_time_source_detail_type_and_detail() {
        let e = entry("a");
        let expected = 14 + "sla-tracker".len() + "SLA Breached".len() + e.detail.len();
        assert_eq!(e.size(), expected);
        let typical = PutEventsEntry::new(&event(&"f".repeat(32)), "sla-tracker").unwrap();
        println!(
            "entry size of a breach with a 32-hex event_id: {} bytes",
            typical.size()
        );
    }

    #[test]
    fn twenty_five_entries_make_three_requests() {
        let entries: Vec<_> = (0..25).map(|n| entry(&n.to_string())).collect();
        let requests = batches(entries, MAX_ENTRIES_PER_REQUEST, MAX_REQUEST_BYTES);
        assert_eq!(
            requests.iter().map(Vec::len).collect::<Vec<_>>(),
            [10, 10, 5]
        );
    }

    #[test]
    fn bytes_limit_splits_before_the_count_limit() {
        let one = entry("a").size();
        let entries: Vec<_> = ["a", "b", "c", "d", "e"].map(entry).into();
        let requests = batches(entries, 10, 2 * one);
        assert_eq!(ids(&requests), [vec!["a", "b"], vec!["c", "d"], vec!["e"]]);
    }

    #[test]
    fn an_oversized_entry_travels_alone() {
        let mut big = entry("big");
        big.detail = "x".repeat(500);
        let entries = vec![entry("a"), big, entry("b")];
        let requests = batches(entries, 10, 400);
        assert_eq!(ids(&requests), [vec!["a"], vec!["big"], vec!["b"]]);
    }

    #[test]
    fn detail_type_and_time_follow_the_event() {
        let e = entry("a");
        assert_eq!(e.detail_type, "SLA Breached");
        assert_eq!(e.time, event("a").at);
        let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
        assert_eq!(detail["event_id"], "a");
    }
}

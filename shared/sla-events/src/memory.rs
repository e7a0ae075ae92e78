//! A sink that keeps events in memory (tests, replays), optionally refusing some ids.

use std::collections::BTreeSet;
use std::sync::{Mutex, MutexGuard};

use sla_core::SlaEvent;

use crate::{EventSink, PublishReport, SinkError};

/// Records every published event; ids marked with [`fail_ids`](Self::fail_ids) fail.
#[derive(Debug, Default)]
pub struct MemorySink {
    state: Mutex<MemoryState>,
}

#[derive(Debug, Default)]
struct MemoryState {
    published: Vec<SlaEvent>,
    failing: BTreeSet<String>,
    calls: usize,
}

impl MemorySink {
    /// An empty sink that accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes events with these ids fail (reason `refused by MemorySink`) until cleared.
    pub fn fail_ids<I: IntoIterator<Item = S>, S: Into<String>>(&self, ids: I) {
        self.lock().failing = ids.into_iter().map(Into::into).collect();
    }

    /// Events accepted so far, in publish order (duplicates kept).
    pub fn published(&self) -> Vec<SlaEvent> {
        self.lock().published.clone()
    }

    /// Number of `publish` calls so far.
    pub fn calls(&self) -> usize {
        self.lock().calls
    }

    fn lock(&self) -> MutexGuard<'_, MemoryState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl EventSink for MemorySink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        let mut state = self.lock();
        state.calls += 1;
        let mut report = PublishReport::default();
        for event in events {
            if state.failing.contains(&event.event_id) {
                report
                    .failed
                    .push((event.event_id.clone(), "refused by MemorySink".into()));
            } else {
                state.published.push(event.clone());
                report.published.push(event.event_id.clone());
            }
        }
        Ok(report)
    }
}

//! A sink that keeps events in memory (tests, replays), with injectable faults: refusing
//! chosen ids, refusing the next few events, or hanging mid-publish (a crash, once the
//! caller drops the future).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use sla_core::SlaEvent;
use tokio::sync::Notify;

use crate::{EventSink, PublishReport, SinkError};

/// Records every published event. Clones share the same record.
#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    state: Arc<Mutex<MemoryState>>,
    hung: Arc<Notify>,
}

#[derive(Debug, Default)]
struct MemoryState {
    published: Vec<SlaEvent>,
    failing: BTreeSet<String>,
    fail_next: usize,
    hang: bool,
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

    /// Refuses the next `n` events it is given (each once), accepting the rest.
    pub fn fail_next(&self, n: usize) {
        self.lock().fail_next = n;
    }

    /// Makes every publish call hang until [`recover`](Self::recover).
    pub fn hang(&self) {
        self.lock().hang = true;
    }

    /// Resolves once a publish call is hanging (its caller is mid-publish).
    pub async fn hung(&self) {
        self.hung.notified().await;
    }

    /// Ends [`hang`](Self::hang).
    pub fn recover(&self) {
        self.lock().hang = false;
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

impl MemoryState {
    /// Whether `event` is refused, using up one `fail_next` if so.
    fn refuses(&mut self, event: &SlaEvent) -> bool {
        if self.failing.contains(&event.event_id) {
            return true;
        }
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return true;
        }
        false
    }
}

impl EventSink for MemorySink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        if self.lock().hang {
            self.hung.notify_one();
            std::future::pending::<()>().await;
        }
        let mut state = self.lock();
        state.calls += 1;
        let mut report = PublishReport::default();
        for event in events {
            if state.refuses(event) {
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

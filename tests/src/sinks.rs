//! Event sinks for tests: one that records what it is given, with injectable faults.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use sla_core::SlaEvent;
use sla_events::{EventSink, PublishReport, SinkError};

/// Records every accepted event; can refuse chosen ids once, or hang forever (a crash
/// mid-publish, when the caller drops the future).
#[derive(Clone, Default)]
pub struct RecordingSink {
    inner: Arc<Mutex<State>>,
    hung: Arc<tokio::sync::Notify>,
}

#[derive(Default)]
struct State {
    accepted: Vec<SlaEvent>,
    fail_once: HashSet<String>,
    fail_kinds_once: usize,
    hang: bool,
    calls: u64,
}

impl RecordingSink {
    /// A sink that accepts everything.
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuses the next `n` events it is given (each once), accepting the rest.
    pub fn fail_next(&self, n: usize) {
        self.lock().fail_kinds_once = n;
    }

    /// Refuses the event with this id once.
    pub fn fail_once(&self, event_id: &str) {
        self.lock().fail_once.insert(event_id.to_string());
    }

    /// Makes every publish call hang until [`RecordingSink::recover`].
    pub fn hang(&self) {
        self.lock().hang = true;
    }

    /// Resolves once a publish call is hanging (the caller is mid-publish).
    pub async fn hung(&self) {
        self.hung.notified().await;
    }

    /// Ends [`RecordingSink::hang`].
    pub fn recover(&self) {
        self.lock().hang = false;
    }

    /// Events accepted, in order.
    pub fn accepted(&self) -> Vec<SlaEvent> {
        self.lock().accepted.clone()
    }

    /// How many times each event id was accepted.
    pub fn deliveries(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for event in &self.lock().accepted {
            *counts.entry(event.event_id.clone()).or_insert(0) += 1;
        }
        counts
    }

    /// Publish calls made.
    pub fn calls(&self) -> u64 {
        self.lock().calls
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl EventSink for RecordingSink {
    async fn publish(&self, events: &[SlaEvent]) -> Result<PublishReport, SinkError> {
        if self.lock().hang {
            self.hung.notify_one();
            std::future::pending::<()>().await;
        }
        let mut state = self.lock();
        state.calls += 1;
        let mut report = PublishReport::default();
        for event in events {
            let refused = state.fail_once.remove(&event.event_id) || {
                let n = state.fail_kinds_once;
                if n > 0 {
                    state.fail_kinds_once = n - 1;
                }
                n > 0
            };
            if refused {
                report
                    .failed
                    .push((event.event_id.clone(), "injected failure".into()));
            } else {
                state.accepted.push(event.clone());
                report.published.push(event.event_id.clone());
            }
        }
        Ok(report)
    }
}

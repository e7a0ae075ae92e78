//! A ticket's SLA record: its ordered, de-duplicated event history and what has been
//! announced. CONTRACT SKELETON: signatures fixed, bodies being implemented.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::TicketEvent;
use crate::policy::PolicySet;
use crate::sla_event::SlaEvent;

/// Everything the engine needs to know about one ticket, persisted by the stores as JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketSla {
    /// Events in `at` order (ties: arrival order), duplicates dropped.
    pub history: Vec<TicketEvent>,
    /// Events already announced (kept for de-duplication and retractions).
    pub announced: Vec<SlaEvent>,
}

/// Outcome of offering an event to a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    Inserted,
    Duplicate,
}

/// Result of evaluating a ticket at `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct Advance {
    /// Newly due announcements (including retractions), now recorded as announced.
    pub new_events: Vec<SlaEvent>,
    /// The next instant at which something will become due, if any.
    pub next_due: Option<DateTime<Utc>>,
}

impl TicketSla {
    /// Inserts `event` in order, ignoring an `event_id` seen before.
    pub fn ingest(&mut self, _event: TicketEvent) -> Ingested {
        todo!()
    }
    /// Folds the history under `policies`, announces what is due at `now`.
    pub fn advance(&mut self, _policies: &PolicySet, _now: DateTime<Utc>) -> Advance {
        todo!()
    }
}

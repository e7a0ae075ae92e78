//! Record-level rules shared by ingest and sweep: when a record is next due, when it expires.

use chrono::{DateTime, Duration, Utc};
use sla_core::{SlaEvent, Status, TicketSla};
use sla_store::{OutboxEntry, TicketKey, TicketRecord};

/// A record for a ticket never stored before.
pub fn new_record(key: TicketKey) -> TicketRecord {
    TicketRecord {
        key,
        version: 0,
        sla: TicketSla::default(),
        outbox: Vec::new(),
        due_at: None,
        expires_at: None,
    }
}

/// Queues `events` for publishing, unclaimed.
pub fn enqueue(record: &mut TicketRecord, events: Vec<SlaEvent>) {
    record
        .outbox
        .extend(events.into_iter().map(|event| OutboxEntry {
            event,
            claimed_until: None,
        }));
}

/// The earliest instant the sweep must visit the record: now for unclaimed outbox
/// entries, the lease end for claimed ones, else the engine's next timer.
pub fn due_at(
    record: &TicketRecord,
    next_timer: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let outbox = record
        .outbox
        .iter()
        .map(|entry| entry.claimed_until.unwrap_or(now))
        .min();
    match (outbox, next_timer) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The ticket's latest known status.
pub fn current_status(sla: &TicketSla) -> Option<Status> {
    sla.history.iter().rev().find_map(|e| e.ticket.status)
}

/// When a record may be deleted: `ttl` after its last event once closed and quiet.
pub fn expires_at(record: &TicketRecord, ttl: Duration) -> Option<DateTime<Utc>> {
    let closed = current_status(&record.sla) == Some(Status::Closed);
    if !closed || !record.outbox.is_empty() {
        return None;
    }
    record.sla.history.last().map(|last| last.at + ttl)
}

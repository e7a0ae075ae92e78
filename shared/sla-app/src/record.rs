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

#[cfg(test)]
mod tests {
    use super::*;
    use sla_core::{Metric, Priority, SlaEventType, TicketEvent};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("instant")
    }

    fn announcement(id: &str) -> SlaEvent {
        SlaEvent {
            event_id: id.into(),
            kind: SlaEventType::Breached,
            tenant: "acme".into(),
            ticket_id: "1".into(),
            metric: Metric::FirstResponse,
            cycle: 1,
            policy: "standard".into(),
            priority: Priority::Normal,
            target_seconds: 3600,
            deadline: at("2026-11-02T10:00:00Z"),
            at: at("2026-11-02T10:00:00Z"),
            elapsed_seconds: 3600,
            threshold: None,
            retracts: None,
        }
    }

    fn status_event(status: &str, when: &str) -> TicketEvent {
        serde_json::from_value(serde_json::json!({
            "tenant": "acme", "ticket_id": "1", "event_id": when, "at": when,
            "kind": "updated", "ticket": {"status": status}
        }))
        .expect("event")
    }

    #[test]
    fn due_at_is_now_for_unclaimed_entries_and_the_lease_end_for_claimed_ones() {
        let now = at("2026-11-02T12:00:00Z");
        let timer = Some(at("2026-11-02T15:00:00Z"));
        let mut record = new_record(TicketKey::new("acme", "1"));
        assert_eq!(due_at(&record, None, now), None, "nothing pending");
        assert_eq!(due_at(&record, timer, now), timer, "the engine's timer");

        enqueue(&mut record, vec![announcement("a")]);
        assert_eq!(
            due_at(&record, timer, now),
            Some(now),
            "unclaimed: publish now"
        );

        let lease_end = at("2026-11-02T12:02:00Z");
        record.outbox[0].claimed_until = Some(lease_end);
        assert_eq!(
            due_at(&record, timer, now),
            Some(lease_end),
            "claimed: after the lease"
        );
        let early_timer = Some(at("2026-11-02T12:01:00Z"));
        assert_eq!(
            due_at(&record, early_timer, now),
            early_timer,
            "whichever is first"
        );
    }

    #[test]
    fn closed_and_quiet_tickets_expire_after_the_ttl() {
        let ttl = Duration::days(90);
        let mut record = new_record(TicketKey::new("acme", "1"));
        record
            .sla
            .history
            .push(status_event("open", "2026-11-02T09:00:00Z"));
        assert_eq!(expires_at(&record, ttl), None, "open tickets are kept");

        record
            .sla
            .history
            .push(status_event("closed", "2026-11-03T09:00:00Z"));
        assert_eq!(
            expires_at(&record, ttl),
            Some(at("2026-11-03T09:00:00Z") + ttl)
        );

        enqueue(&mut record, vec![announcement("a")]);
        assert_eq!(
            expires_at(&record, ttl),
            None,
            "not while events await publishing"
        );
    }
}

//! Record-level rules shared by ingest and sweep: when a record is next due, when it
//! expires, what a failed publish does to an outbox entry. Instant arithmetic is checked:
//! instants come from input.

use chrono::{DateTime, Duration, Utc};
use sla_core::{SlaEvent, Status, TicketSla};
use sla_store::{DeadLetter, OutboxEntry, TicketKey, TicketRecord};

use crate::retry::PublishRetry;

/// A record for a ticket never stored before.
pub fn new_record(key: TicketKey) -> TicketRecord {
    TicketRecord::new(key, TicketSla::default())
}

/// Queues `events` for publishing, unclaimed.
pub fn enqueue(record: &mut TicketRecord, events: Vec<SlaEvent>) {
    record
        .outbox
        .extend(events.into_iter().map(OutboxEntry::new));
}

/// What a failed publish makes of an outbox entry.
#[derive(Debug, Clone, PartialEq)]
pub enum AfterFailure {
    /// Kept in the outbox, backing off until its `claimed_until`.
    Retry(OutboxEntry),
    /// Given up on.
    Dead(DeadLetter),
}

/// Records a failed publish of `entry` at `now`: one more attempt, the error, and either
/// a backoff (the entry waits until then) or, once `retry` is exhausted, its dead letter.
pub fn fail_publish(
    mut entry: OutboxEntry,
    error: &str,
    now: DateTime<Utc>,
    retry: &PublishRetry,
) -> AfterFailure {
    entry.attempts = entry.attempts.saturating_add(1);
    if retry.exhausted(entry.attempts) {
        return AfterFailure::Dead(DeadLetter {
            event: entry.event,
            attempts: entry.attempts,
            last_error: error.to_owned(),
            dead_at: now,
        });
    }
    entry.last_error = Some(error.to_owned());
    entry.claimed_until = Some(later(now, retry.backoff(entry.attempts)));
    AfterFailure::Retry(entry)
}

/// `at + by`, saturating at the largest instant instead of overflowing.
pub fn later(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    at.checked_add_signed(by)
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `at - by`, saturating at the smallest instant instead of overflowing.
pub fn earlier(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    at.checked_sub_signed(by)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
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
    sla.current_status()
}

/// When a record may be deleted: `ttl` after its last event once solved or closed and
/// with nothing left to publish (dead letters do not hold it back).
pub fn expires_at(record: &TicketRecord, ttl: Duration) -> Option<DateTime<Utc>> {
    let finished = matches!(
        current_status(&record.sla),
        Some(Status::Solved | Status::Closed)
    );
    if !finished || !record.outbox.is_empty() {
        return None;
    }
    record.sla.last_event_at().map(|last| later(last, ttl))
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
            context: Default::default(),
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

    #[test]
    fn solved_tickets_expire_too_and_far_instants_do_not_overflow() {
        let mut record = new_record(TicketKey::new("acme", "1"));
        record
            .sla
            .history
            .push(status_event("solved", "2026-11-03T09:00:00Z"));
        let ttl = Duration::days(90);
        assert_eq!(
            expires_at(&record, ttl),
            Some(at("2026-11-03T09:00:00Z") + ttl)
        );
        assert_eq!(
            expires_at(&record, Duration::MAX),
            Some(DateTime::<Utc>::MAX_UTC),
            "saturates instead of panicking"
        );
        assert_eq!(
            earlier(DateTime::<Utc>::MIN_UTC, ttl),
            DateTime::<Utc>::MIN_UTC
        );
    }

    #[test]
    fn failed_publishes_back_off_then_dead_letter() {
        let now = at("2026-11-02T12:00:00Z");
        let retry = PublishRetry {
            max_attempts: 3,
            ..PublishRetry::default()
        };
        let retried = |outcome| match outcome {
            AfterFailure::Retry(entry) => entry,
            AfterFailure::Dead(dead) => panic!("dead too early: {dead:?}"),
        };
        let entry = OutboxEntry::new(announcement("a"));
        let once = retried(fail_publish(entry, "throttled", now, &retry));
        assert_eq!(once.attempts, 1);
        assert_eq!(once.last_error.as_deref(), Some("throttled"));
        assert_eq!(once.claimed_until, Some(now + Duration::minutes(1)));
        let twice = retried(fail_publish(once, "throttled", now, &retry));
        assert_eq!(twice.claimed_until, Some(now + Duration::minutes(2)));
        let AfterFailure::Dead(dead) = fail_publish(twice, "AccessDenied", now, &retry) else {
            panic!("the third failure dead-letters");
        };
        assert_eq!(
            (dead.attempts, dead.last_error.as_str(), dead.dead_at),
            (3, "AccessDenied", now)
        );
        assert_eq!(dead.event.event_id, "a");
    }
}

//! Snapshots: records stored before them still load, a long ticket's record stays small
//! while folding exactly as its whole history, and the documented rules for late events
//! and policy changes.

mod support;

use chrono::{DateTime, Duration, Utc};
use sla_core::snapshot::agrees;
use sla_core::{
    Author, CachedTicket, EventKind, Ingested, Metric, PolicySet, SlaEventType, SnapshotLimits,
    Status, TicketEvent, TicketSla,
};
use support::{event, t, with_comment, with_status};

const POLICY: &str = r#"
policies:
  - name: standard
    targets:
      normal: {first_response: 1h, next_response: 30m, resolution: 8h}
    warn_at: ["50%"]
"#;

fn policies() -> PolicySet {
    PolicySet::from_yaml("snapshot.yaml", POLICY).unwrap()
}

fn start() -> DateTime<Utc> {
    t("2026-03-02T09:00:00Z")
}

/// Created, then `comments` public comments alternating customer and agent, 10 minutes
/// apart except that every 7th reply comes 45 minutes late (a next-response breach).
fn conversation(comments: usize) -> Vec<TicketEvent> {
    let created = with_status(event("c0", start(), EventKind::Created), Status::Open);
    let mut events = vec![with_comment(created, Author::Customer, true)];
    events[0].kind = EventKind::Created;
    let mut at = start();
    for i in 1..=comments {
        let author = if i % 2 == 1 {
            Author::Agent
        } else {
            Author::Customer
        };
        let late = author == Author::Agent && i % 14 == 13;
        at += Duration::minutes(if late { 45 } else { 10 });
        let base = with_status(
            event(&format!("m{i}"), at, EventKind::Updated),
            Status::Open,
        );
        events.push(with_comment(base, author, true));
    }
    events
}

/// Ingests and advances `events` one by one on a snapshotting ticket and on the whole
/// history (incrementally folded), checking each step; returns the snapshotting ticket
/// and the largest stored size seen.
fn deliver_both(events: &[TicketEvent], limits: &SnapshotLimits) -> (TicketSla, usize) {
    let policies = policies();
    let mut whole = CachedTicket::default();
    let mut ticket = TicketSla::default();
    let mut largest = 0;
    for e in events {
        assert_eq!(ticket.ingest(e.clone()), whole.ingest(e.clone()));
        let expected = whole.advance(&policies, e.at);
        assert_eq!(ticket.advance(&policies, e.at), expected, "at {}", e.at);
        ticket.snapshot(&policies, e.at, limits);
        largest = largest.max(serde_json::to_string(&ticket).unwrap().len());
    }
    let end = events.last().unwrap().at + Duration::days(2);
    assert_eq!(
        ticket.advance(&policies, end),
        whole.advance(&policies, end)
    );
    let state = ticket.evaluate(&policies, end);
    assert!(
        agrees(&state, &whole.evaluate(&policies, end)),
        "{state:#?}"
    );
    (ticket, largest)
}

#[test]
fn ten_thousand_comments_fold_the_same_in_a_small_record() {
    let events = conversation(10_000);
    let (ticket, largest) = deliver_both(&events, &SnapshotLimits::default());
    assert!(largest < 64 * 1024, "largest record: {largest} bytes");
    assert!(ticket.history.len() <= SnapshotLimits::default().above);
    let old_cycles = ticket
        .announced
        .iter()
        .filter(|e| e.metric != Metric::Resolution && e.cycle < 4_900);
    assert_eq!(old_cycles.count(), 0, "finished cycles pruned");
    assert!(ticket.announced.len() < 100, "{}", ticket.announced.len());
    assert!(ticket.compacted_ids.len() <= 1);
}

#[test]
fn records_stored_before_snapshots_still_load() {
    let policies = policies();
    let stored = include_str!("snapshot/old-record.json");
    let mut old: TicketSla = serde_json::from_str(stored).unwrap();
    assert_eq!(old.snapshot, None);
    let reencoded: serde_json::Value = serde_json::to_value(&old).unwrap();
    let original: serde_json::Value = serde_json::from_str(stored).unwrap();
    assert_eq!(
        reencoded, original,
        "an untouched old record is stored as it was"
    );
    let noop = event("old-noop", start(), EventKind::Updated);
    assert_eq!(old.ingest(noop), Ingested::Duplicate, "compacted id kept");

    let mut fresh = TicketSla::default();
    for e in &old.history {
        fresh.ingest(e.clone());
    }
    let then = t("2026-03-02T09:30:00Z");
    fresh.advance(&policies, then);
    assert_eq!(
        old.announced, fresh.announced,
        "the fixture is what the engine stored"
    );

    let later = then + Duration::hours(3);
    assert_eq!(
        old.advance(&policies, later),
        fresh.advance(&policies, later)
    );
    let limits = SnapshotLimits { above: 0, keep: 0 };
    assert!(old.snapshot(&policies, later, &limits));
    assert!(old.history.is_empty());
    assert!(agrees(
        &old.evaluate(&policies, later),
        &fresh.evaluate(&policies, later)
    ));
}

#[test]
fn an_event_stamped_before_the_snapshot_point_is_ignored() {
    let policies = policies();
    let events = conversation(6);
    let (mut ticket, _) = deliver_both(&events, &SnapshotLimits { above: 0, keep: 2 });
    let point = ticket.snapshot.as_ref().unwrap().at;
    assert_eq!(point, events[events.len() - 3].at);
    let late = with_comment(
        event("late", point - Duration::minutes(1), EventKind::Updated),
        Author::Agent,
        true,
    );
    let before = ticket.clone();
    assert_eq!(ticket.ingest(late), Ingested::Duplicate);
    assert_eq!(ticket, before, "nothing recorded");

    // At the point itself: a new event is folded after the folded ones, as the whole
    // history would; a redelivery of the folded event is a duplicate.
    assert_eq!(
        ticket.ingest(events[events.len() - 3].clone()),
        Ingested::Duplicate
    );
    let same_instant = with_comment(
        event("same", point, EventKind::Updated),
        Author::Customer,
        true,
    );
    assert_eq!(ticket.ingest(same_instant.clone()), Ingested::Inserted);
    let mut whole = TicketSla::default();
    for e in events.iter().chain([&same_instant]) {
        whole.ingest(e.clone());
    }
    let now = events.last().unwrap().at + Duration::hours(1);
    whole.advance(&policies, now);
    ticket.advance(&policies, now);
    assert!(agrees(
        &ticket.evaluate(&policies, now),
        &whole.evaluate(&policies, now)
    ));
}

#[test]
fn a_snapshot_waits_until_everything_due_is_announced() {
    let policies = policies();
    let mut ticket = TicketSla::default();
    for e in conversation(4) {
        ticket.ingest(e);
    }
    let now = start() + Duration::hours(2);
    let limits = SnapshotLimits { above: 0, keep: 0 };
    assert!(
        !ticket.snapshot(&policies, now, &limits),
        "nothing announced yet"
    );
    ticket.advance(&policies, now);
    assert!(ticket.snapshot(&policies, now, &limits));
}

#[test]
fn a_policy_change_remeasures_the_open_cycles_from_the_snapshot_point() {
    let policies = policies();
    let mut ticket = TicketSla::default();
    for e in conversation(2) {
        ticket.ingest(e);
    }
    let point = start() + Duration::minutes(20);
    ticket.advance(&policies, point);
    assert!(ticket.snapshot(&policies, point, &SnapshotLimits { above: 0, keep: 0 }));
    let stricter = PolicySet::from_yaml(
        "stricter.yaml",
        &POLICY.replace("resolution: 8h", "resolution: 2h"),
    )
    .unwrap();
    let now = point + Duration::hours(3);
    let state = ticket.evaluate(&stricter, now);
    let resolution = state
        .clocks
        .iter()
        .find(|c| c.metric == Metric::Resolution)
        .unwrap();
    assert_eq!(resolution.target_seconds, Some(2 * 3600));
    assert_eq!(resolution.start, start(), "elapsed time kept");
    let breach = ticket.advance(&stricter, now).new_events;
    assert!(
        breach
            .iter()
            .any(|e| e.metric == Metric::Resolution && e.kind == SlaEventType::Breached),
        "{breach:#?}"
    );
}

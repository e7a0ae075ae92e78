//! Property tests: the fold does not depend on delivery order or duplicates (for events
//! with distinct `at`), and compaction never changes a fold result.

mod support;

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use sla_core::{
    Author, CachedTicket, EventKind, Ingested, PolicySet, Priority, SlaEvent, Status, TicketEvent,
    TicketSla,
};
use support::{event, standing, t, with_comment, with_priority, with_status};

const POLICY: &str = r#"
calendars:
  paris:
    timezone: Europe/Paris
    hours: {mon: [["09:00", "12:30"], ["13:30", "18:00"]], tue: [["09:00", "18:00"]],
            wed: [["09:00", "18:00"]], thu: [["09:00", "18:00"]], fri: [["09:00", "17:00"]]}
    holidays: ["2026-03-04"]
policies:
  - name: urgent
    when: {priority: [urgent]}
    on_priority_change: restart
    targets:
      urgent: {first_response: 30m, next_response: 1h, periodic_update: 2h, resolution: 4h}
    warn_at: ["50%", "10m"]
  - name: business
    calendar: paris
    targets:
      low: {first_response: 8h, resolution: 40h}
      normal: {first_response: 2h, next_response: 4h, resolution: 16h}
      high: {calendar: 24x7, first_response: 1h, periodic_update: 3h, resolution: 8h}
    warn_at: ["75%"]
    pause:
      resolution: [pending, on_hold]
      next_response: [pending]
"#;

fn policies() -> PolicySet {
    PolicySet::from_yaml("properties.yaml", POLICY).unwrap()
}

/// One step of a random ticket life.
#[derive(Debug, Clone)]
enum Step {
    Status(Status),
    Priority(Priority),
    Comment(Author, bool),
    Noop,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => prop::sample::select(vec![Status::Open, Status::Pending, Status::OnHold, Status::Solved, Status::Closed]).prop_map(Step::Status),
        2 => prop::sample::select(vec![Priority::Low, Priority::Normal, Priority::High, Priority::Urgent]).prop_map(Step::Priority),
        4 => (prop::sample::select(vec![Author::Agent, Author::Customer, Author::System]), any::<bool>()).prop_map(|(a, p)| Step::Comment(a, p)),
        2 => Just(Step::Noop),
    ]
}

/// A history with strictly increasing `at` (gaps of 1 minute to 30 hours).
fn history() -> impl Strategy<Value = Vec<TicketEvent>> {
    (
        prop::sample::select(vec![
            Priority::Low,
            Priority::Normal,
            Priority::High,
            Priority::Urgent,
        ]),
        prop::collection::vec((step(), 1i64..1800), 1..14),
    )
        .prop_map(|(priority, steps)| {
            let mut at = t("2026-03-02T08:00:00Z");
            let first = with_priority(
                with_status(event("e0", at, EventKind::Created), Status::New),
                priority,
            );
            let mut events = vec![with_comment(first, Author::Customer, true)];
            events[0].kind = EventKind::Created;
            for (i, (step, gap)) in steps.into_iter().enumerate() {
                at += Duration::minutes(gap);
                let base = event(&format!("e{}", i + 1), at, EventKind::Updated);
                events.push(match step {
                    Step::Status(s) => with_status(base, s),
                    Step::Priority(p) => with_priority(base, p),
                    Step::Comment(a, public) => with_comment(base, a, public),
                    Step::Noop => base,
                });
            }
            events
        })
}

fn end_of(events: &[TicketEvent]) -> DateTime<Utc> {
    events.last().unwrap().at + Duration::days(10)
}

fn one_shot(policies: &PolicySet, events: &[TicketEvent], now: DateTime<Utc>) -> TicketSla {
    let mut ticket = TicketSla::default();
    for e in events {
        ticket.ingest(e.clone());
    }
    ticket.advance(policies, now);
    ticket
}

fn keys(events: &[SlaEvent]) -> Vec<String> {
    let mut keys: Vec<String> = events
        .iter()
        .map(|e| format!("{:?} {} {:?} {:?}", e.metric, e.cycle, e.kind, e.threshold))
        .collect();
    keys.sort();
    keys
}

/// A delivery order: a permutation with some events repeated.
fn deliveries(len: usize) -> impl Strategy<Value = Vec<usize>> {
    (
        Just((0..len).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(0..len, 0..4),
    )
        .prop_map(|(mut order, repeats)| {
            for (k, index) in repeats.into_iter().enumerate() {
                let position = (k * 7 + index) % (order.len() + 1);
                order.insert(position, index);
            }
            order
        })
}

fn history_and_order() -> impl Strategy<Value = (Vec<TicketEvent>, Vec<usize>)> {
    history().prop_flat_map(|events| {
        let len = events.len();
        (Just(events), deliveries(len))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn shuffled_and_duplicated_history_folds_the_same((events, order) in history_and_order()) {
        let policies = policies();
        let now = end_of(&events);
        let expected = one_shot(&policies, &events, now);
        let mut shuffled = TicketSla::default();
        for &i in &order {
            shuffled.ingest(events[i].clone());
        }
        shuffled.advance(&policies, now);
        prop_assert_eq!(&shuffled.announced, &expected.announced);
        prop_assert_eq!(shuffled.evaluate(&policies, now), expected.evaluate(&policies, now));
    }

    #[test]
    fn incremental_late_delivery_converges((events, order) in history_and_order()) {
        let policies = policies();
        let now = end_of(&events);
        let expected = one_shot(&policies, &events, now);
        let mut ticket = TicketSla::default();
        let mut cached = CachedTicket::default();
        let mut clock = events[0].at;
        for &i in &order {
            clock = clock.max(events[i].at);
            ticket.ingest(events[i].clone());
            cached.ingest(events[i].clone());
            let plain = ticket.advance(&policies, clock);
            prop_assert_eq!(cached.advance(&policies, clock), plain);
        }
        ticket.advance(&policies, now);
        cached.advance(&policies, now);
        prop_assert_eq!(cached.sla(), &ticket);
        prop_assert_eq!(keys(&standing(&ticket.announced)), keys(&expected.announced));
        prop_assert_eq!(ticket.evaluate(&policies, now), expected.evaluate(&policies, now));
    }

    #[test]
    fn replay_clock_matches_one_shot(events in history()) {
        let policies = policies();
        let now = end_of(&events);
        let expected = one_shot(&policies, &events, now);
        let deliveries: Vec<_> = events.iter().map(|e| (e.at, e.clone())).collect();
        let (_, announced) = support::drive(&policies, &deliveries, now);
        prop_assert_eq!(announced, expected.announced);
    }

    #[test]
    fn compaction_keeps_every_fold_result(events in history(), max in 0usize..10) {
        let policies = policies();
        let now = end_of(&events);
        let original = one_shot(&policies, &events, now);
        let mut compacted = TicketSla::default();
        for e in &events {
            compacted.ingest(e.clone());
        }
        compacted.compact(max);
        prop_assert!(compacted.history.len() <= events.len());
        for e in &events {
            prop_assert_eq!(compacted.clone().ingest(e.clone()), Ingested::Duplicate);
        }
        let round_trip: TicketSla = serde_json::from_str(&serde_json::to_string(&compacted).unwrap()).unwrap();
        let mut folded = round_trip.clone();
        folded.advance(&policies, now);
        prop_assert_eq!(&folded.announced, &original.announced);
        prop_assert_eq!(round_trip.evaluate(&policies, now), original.evaluate(&policies, now));
    }
}

#[test]
fn same_instant_events_apply_in_arrival_order() {
    // Two updates at the same instant: the later arrival's snapshot wins, so the order
    // of arrival decides the state. This is why the order properties use distinct `at`.
    let policies = policies();
    let at = t("2026-03-02T09:00:00Z");
    let created = with_status(event("c", at, EventKind::Created), Status::Open);
    let pending = with_status(
        event("p", at + Duration::hours(1), EventKind::Updated),
        Status::Pending,
    );
    let open = with_status(
        event("o", at + Duration::hours(1), EventKind::Updated),
        Status::Open,
    );
    let now = at + Duration::hours(3);
    let a = one_shot(
        &policies,
        &[created.clone(), pending.clone(), open.clone()],
        now,
    );
    let b = one_shot(&policies, &[created, open, pending], now);
    assert_eq!(a.evaluate(&policies, now).status, Some(Status::Open));
    assert_eq!(b.evaluate(&policies, now).status, Some(Status::Pending));
}

#[test]
fn an_event_stamped_in_the_future_is_due_at_its_instant() {
    let policies = policies();
    let at = t("2026-03-02T09:00:00Z");
    let mut ticket = TicketSla::default();
    ticket.ingest(with_status(
        event("c", at, EventKind::Created),
        Status::Open,
    ));
    let skewed = at + Duration::minutes(5);
    ticket.ingest(with_status(
        event("s", skewed, EventKind::Updated),
        Status::Solved,
    ));
    let advance = ticket.advance(&policies, at + Duration::minutes(1));
    assert_eq!(advance.next_due, Some(skewed));
    let state = ticket.evaluate(&policies, skewed);
    assert_eq!(state.status, Some(Status::Solved));
}

use sla_core::snapshot::agrees;
use sla_core::SnapshotLimits;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Snapshots taken at arbitrary points of an in-order delivery (and stored, as JSON)
    /// change nothing: the same announcements, the same state less the finished cycles
    /// folded away, and every event delivered so far is still a duplicate.
    #[test]
    fn snapshots_keep_every_fold_result(
        events in history(),
        plan in prop::collection::vec(prop::option::of(0usize..4), 14),
    ) {
        let policies = policies();
        let mut whole = TicketSla::default();
        let mut snapped = TicketSla::default();
        let (mut expected, mut announced) = (Vec::new(), Vec::new());
        for (i, e) in events.iter().enumerate() {
            prop_assert_eq!(snapped.ingest(e.clone()), whole.ingest(e.clone()));
            let next = events.get(i + 1).map_or(e.at + Duration::days(1), |n| n.at);
            for now in [e.at, e.at + (next - e.at) / 2] {
                expected.extend(whole.advance(&policies, now).new_events);
                announced.extend(snapped.advance(&policies, now).new_events);
                if let Some(keep) = plan[i] {
                    let kept = snapped.history.len();
                    let took = snapped.snapshot(&policies, now, &SnapshotLimits { above: 0, keep });
                    prop_assert_eq!(took, kept > keep, "settled right after advance");
                    let stored = serde_json::to_string(&snapped).unwrap();
                    snapped = serde_json::from_str(&stored).unwrap();
                }
                let state = snapped.evaluate(&policies, now);
                prop_assert!(agrees(&state, &whole.evaluate(&policies, now)), "{:#?}", state);
            }
            for earlier in &events[..=i] {
                prop_assert_eq!(snapped.clone().ingest(earlier.clone()), Ingested::Duplicate);
            }
        }
        let now = end_of(&events);
        expected.extend(whole.advance(&policies, now).new_events);
        announced.extend(snapped.advance(&policies, now).new_events);
        prop_assert_eq!(announced, expected);
        prop_assert!(agrees(&snapped.evaluate(&policies, now), &whole.evaluate(&policies, now)));
    }
}

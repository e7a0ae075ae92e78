//! Engine throughput: one ticket's life driven by the replay driver `sla replay` uses
//! (`sla_core::replay::drive`), with the incremental `CachedTicket` and the re-folding
//! `TicketSla`.

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use sla_core::replay::drive;
use sla_core::{
    Author, CachedTicket, Comment, EventKind, PolicySet, Priority, Status, TicketEvent, TicketSla,
    TicketSnapshot,
};

const POLICY: &str = include_str!("../../../examples/policy.yaml");

fn event(
    n: usize,
    at: DateTime<Utc>,
    status: Option<Status>,
    author: Option<Author>,
) -> TicketEvent {
    TicketEvent {
        tenant: "acme".into(),
        ticket_id: "1".into(),
        event_id: format!("e{n}"),
        at,
        kind: if n == 0 {
            EventKind::Created
        } else if author.is_some() {
            EventKind::Comment
        } else {
            EventKind::Updated
        },
        ticket: TicketSnapshot {
            status,
            priority: (n == 0).then_some(Priority::High),
            segment: (n == 0).then(|| "enterprise".to_string()),
            group: (n == 0).then(|| "emea".to_string()),
            ..TicketSnapshot::default()
        },
        comment: author.map(|author| Comment {
            author,
            public: true,
        }),
        vendor: None,
    }
}

/// A ten-event life: created, reply, pending, customer, reply x3, solved, reopened, solved.
fn life() -> Vec<TicketEvent> {
    let start = DateTime::parse_from_rfc3339("2026-11-23T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let steps = [
        (0, Some(Status::New), Some(Author::Customer)),
        (50, Some(Status::Open), Some(Author::Agent)),
        (60, Some(Status::Pending), None),
        (600, Some(Status::Open), Some(Author::Customer)),
        (700, None, Some(Author::Agent)),
        (1500, None, Some(Author::Customer)),
        (1600, None, Some(Author::Agent)),
        (1700, Some(Status::Solved), Some(Author::Agent)),
        (3000, Some(Status::Open), Some(Author::Customer)),
        (3100, Some(Status::Solved), Some(Author::Agent)),
    ];
    steps
        .iter()
        .enumerate()
        .map(|(n, (minutes, status, author))| {
            event(n, start + Duration::minutes(*minutes), *status, *author)
        })
        .collect()
}

fn engine(c: &mut Criterion) {
    let policies = PolicySet::from_yaml("policy.yaml", POLICY).unwrap();
    let events = life();
    let until = events.last().unwrap().at + Duration::days(3);
    let deliveries = || events.iter().map(|e| (e.at, e.clone()));
    c.bench_function("ticket life, 10 events, CachedTicket", |b| {
        b.iter(|| drive(CachedTicket::default(), &policies, deliveries(), until))
    });
    c.bench_function("ticket life, 10 events, TicketSla", |b| {
        b.iter(|| drive(TicketSla::default(), &policies, deliveries(), until))
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);

//! Engine throughput: one ticket's life driven like `sla replay` (advance at every event
//! and timer), with the incremental `CachedTicket` and the re-folding `TicketSla`.

use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use sla_core::{
    Advance, Author, CachedTicket, Comment, EventKind, PolicySet, Priority, Status, TicketEvent,
    TicketSla, TicketSnapshot,
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

fn drive(
    mut ingest: impl FnMut(TicketEvent),
    mut advance: impl FnMut(DateTime<Utc>) -> Advance,
    events: &[TicketEvent],
) {
    let until = events.last().unwrap().at + Duration::days(3);
    let mut next_due = None;
    let mut pending = events.iter().peekable();
    loop {
        let now = match (pending.peek().map(|e| e.at), next_due) {
            (Some(a), Some(d)) => a.min(d),
            (Some(a), None) => a,
            (None, Some(d)) if d <= until => d,
            _ => break,
        };
        while let Some(event) = pending.next_if(|e| e.at == now) {
            ingest(event.clone());
        }
        next_due = advance(now).next_due;
    }
}

fn engine(c: &mut Criterion) {
    let policies = PolicySet::from_yaml("policy.yaml", POLICY).unwrap();
    let events = life();
    c.bench_function("ticket life, 10 events, CachedTicket", |b| {
        b.iter(|| {
            let ticket = std::cell::RefCell::new(CachedTicket::default());
            drive(
                |e| {
                    ticket.borrow_mut().ingest(e);
                },
                |now| ticket.borrow_mut().advance(&policies, now),
                &events,
            );
        })
    });
    c.bench_function("ticket life, 10 events, TicketSla", |b| {
        b.iter(|| {
            let ticket = std::cell::RefCell::new(TicketSla::default());
            drive(
                |e| {
                    ticket.borrow_mut().ingest(e);
                },
                |now| ticket.borrow_mut().advance(&policies, now),
                &events,
            );
        })
    });
}

criterion_group!(benches, engine);
criterion_main!(benches);

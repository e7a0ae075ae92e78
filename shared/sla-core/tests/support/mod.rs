//! Shared test helpers: compact event construction and a virtual-clock driver.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use sla_core::{
    Advance, Author, CachedTicket, Comment, EventKind, PolicySet, Priority, SlaEvent, SlaEventType,
    Status, TicketEvent, TicketSla, TicketSnapshot,
};

pub fn t(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
}

/// A compact event for tests.
pub fn event(id: &str, at: DateTime<Utc>, kind: EventKind) -> TicketEvent {
    TicketEvent {
        tenant: "acme".into(),
        ticket_id: "1".into(),
        event_id: id.into(),
        at,
        kind,
        ticket: TicketSnapshot::default(),
        comment: None,
        vendor: None,
    }
}

pub fn with_status(mut e: TicketEvent, status: Status) -> TicketEvent {
    e.ticket.status = Some(status);
    e
}

pub fn with_priority(mut e: TicketEvent, priority: Priority) -> TicketEvent {
    e.ticket.priority = Some(priority);
    e
}

pub fn with_comment(mut e: TicketEvent, author: Author, public: bool) -> TicketEvent {
    e.kind = EventKind::Comment;
    e.comment = Some(Comment { author, public });
    e
}

/// Drives a ticket like `sla replay`: deliveries in order, `advance` at each delivery
/// instant and at every `next_due`, until `until`. Returns every announcement.
pub fn drive(
    policies: &PolicySet,
    deliveries: &[(DateTime<Utc>, TicketEvent)],
    until: DateTime<Utc>,
) -> (TicketSla, Vec<SlaEvent>) {
    let (cached, out) = drive_with(CachedTicket::default(), policies, deliveries, until);
    (cached.into_inner(), out)
}

/// The operations `drive` needs, so it runs on `TicketSla` and `CachedTicket` alike.
pub trait Engine {
    fn ingest(&mut self, event: TicketEvent);
    fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance;
}

impl Engine for TicketSla {
    fn ingest(&mut self, event: TicketEvent) {
        TicketSla::ingest(self, event);
    }
    fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance {
        TicketSla::advance(self, policies, now)
    }
}

impl Engine for CachedTicket {
    fn ingest(&mut self, event: TicketEvent) {
        CachedTicket::ingest(self, event);
    }
    fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance {
        CachedTicket::advance(self, policies, now)
    }
}

/// `drive` on a given engine.
pub fn drive_with<E: Engine>(
    mut ticket: E,
    policies: &PolicySet,
    deliveries: &[(DateTime<Utc>, TicketEvent)],
    until: DateTime<Utc>,
) -> (E, Vec<SlaEvent>) {
    let mut out = Vec::new();
    let mut next_due: Option<DateTime<Utc>> = None;
    let mut index = 0;
    loop {
        let arrival = deliveries.get(index).map(|(at, _)| *at);
        let now = match (arrival, next_due) {
            (Some(a), Some(d)) => a.min(d),
            (Some(a), None) => a,
            (None, Some(d)) => d,
            (None, None) => break,
        };
        if now > until {
            break;
        }
        while let Some((at, event)) = deliveries.get(index) {
            if *at != now {
                break;
            }
            ticket.ingest(event.clone());
            index += 1;
        }
        let advance = ticket.advance(policies, now);
        out.extend(advance.new_events);
        next_due = advance.next_due;
    }
    let last = ticket.advance(policies, until);
    out.extend(last.new_events);
    (ticket, out)
}

/// The announcements still standing (not retracted), in announcement order.
pub fn standing(announced: &[SlaEvent]) -> Vec<SlaEvent> {
    let retracted: Vec<&str> = announced
        .iter()
        .filter_map(|e| e.retracts.as_deref())
        .collect();
    announced
        .iter()
        .filter(|e| e.kind != SlaEventType::Retracted && !retracted.contains(&e.event_id.as_str()))
        .cloned()
        .collect()
}

//! Shared test helpers: compact event construction and a virtual-clock driver.

#![allow(dead_code)]

use chrono::{DateTime, Utc};
use sla_core::replay::{self, Engine};
use sla_core::{
    Author, CachedTicket, Comment, EventKind, PolicySet, Priority, SlaEvent, SlaEventType, Status,
    TicketEvent, TicketSla, TicketSnapshot,
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

/// Drives a ticket with the replay driver users run (`sla_core::replay::drive`):
/// deliveries in order, `advance` at each delivery instant and at every `next_due`,
/// until `until`. Returns every announcement.
pub fn drive(
    policies: &PolicySet,
    deliveries: &[(DateTime<Utc>, TicketEvent)],
    until: DateTime<Utc>,
) -> (TicketSla, Vec<SlaEvent>) {
    let (cached, out) = drive_with(CachedTicket::default(), policies, deliveries, until);
    (cached.into_inner(), out)
}

/// `drive` on a given engine.
pub fn drive_with<E: Engine>(
    ticket: E,
    policies: &PolicySet,
    deliveries: &[(DateTime<Utc>, TicketEvent)],
    until: DateTime<Utc>,
) -> (E, Vec<SlaEvent>) {
    let driven = replay::drive(ticket, policies, deliveries.iter().cloned(), until);
    let announced = driven.announced.into_iter().map(|(_, e)| e).collect();
    (driven.ticket, announced)
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

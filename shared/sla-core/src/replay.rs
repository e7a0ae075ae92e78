//! The virtual-clock replay driver: the one loop that runs a ticket's event history
//! through the engine (`sla replay`, `sla report`, the engine bench and the tests use it).
//!
//! History semantics: each ticket's events are sorted by `at` (ties keep input order) and
//! a repeated `event_id` is dropped. The clock visits every delivery instant and every
//! timer instant (`next_due`) of the ticket, up to `until`, then advances once at `until`.
//! Tickets are independent, so [`replay_all`] runs them on all cores.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::event::TicketEvent;
use crate::policy::PolicySet;
use crate::sla_event::SlaEvent;
use crate::ticket::{Advance, CachedTicket, Ingested, TicketSla};

/// The two operations the driver needs, so it runs `TicketSla` and `CachedTicket` alike.
pub trait Engine {
    /// Offers an event (see [`TicketSla::ingest`]).
    fn ingest(&mut self, event: TicketEvent) -> Ingested;
    /// Announces what is due at `now` (see [`TicketSla::advance`]).
    fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance;
}

impl Engine for TicketSla {
    fn ingest(&mut self, event: TicketEvent) -> Ingested {
        TicketSla::ingest(self, event)
    }
    fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance {
        TicketSla::advance(self, policies, now)
    }
}

impl Engine for CachedTicket {
    fn ingest(&mut self, event: TicketEvent) -> Ingested {
        CachedTicket::ingest(self, event)
    }
    fn advance(&mut self, policies: &PolicySet, now: DateTime<Utc>) -> Advance {
        CachedTicket::advance(self, policies, now)
    }
}

/// What driving one ticket produced.
#[derive(Debug, Clone)]
pub struct Driven<E> {
    /// The engine after the last advance (at `until`).
    pub ticket: E,
    /// (announced at, event), in announcement order.
    pub announced: Vec<(DateTime<Utc>, SlaEvent)>,
    /// Deliveries dropped as repeated `event_id`s.
    pub duplicates: usize,
}

/// Drives `ticket` with a virtual clock: `deliveries` are (arrival instant, event) in
/// arrival order; each is ingested at its arrival, and the ticket advances at every
/// arrival instant and every `next_due` up to `until`, then once at `until`.
/// Deliveries after `until` are not ingested.
pub fn drive<E: Engine>(
    mut ticket: E,
    policies: &PolicySet,
    deliveries: impl IntoIterator<Item = (DateTime<Utc>, TicketEvent)>,
    until: DateTime<Utc>,
) -> Driven<E> {
    let mut announced = Vec::new();
    let mut duplicates = 0;
    let mut next_due: Option<DateTime<Utc>> = None;
    let mut pending = deliveries.into_iter().peekable();
    loop {
        let now = match (pending.peek().map(|(at, _)| *at), next_due) {
            (Some(a), Some(d)) => a.min(d),
            (Some(a), None) => a,
            (None, Some(d)) => d,
            (None, None) => break,
        };
        if now > until {
            break;
        }
        while let Some((_, event)) = pending.next_if(|(at, _)| *at == now) {
            if ticket.ingest(event) == Ingested::Duplicate {
                duplicates += 1;
            }
        }
        let advance = ticket.advance(policies, now);
        announced.extend(advance.new_events.into_iter().map(|e| (now, e)));
        next_due = advance.next_due;
    }
    let last = ticket.advance(policies, until);
    announced.extend(last.new_events.into_iter().map(|e| (until, e)));
    Driven {
        ticket,
        announced,
        duplicates,
    }
}

/// Replays one ticket's history (sorted by `at`), each event arriving at its `at`.
pub fn replay_ticket(
    policies: &PolicySet,
    events: Vec<TicketEvent>,
    until: DateTime<Utc>,
) -> Driven<CachedTicket> {
    let deliveries = events.into_iter().map(|e| (e.at, e));
    drive(CachedTicket::default(), policies, deliveries, until)
}

/// Events grouped per (tenant, ticket), in first-appearance order, each sorted by `at`
/// (ties keep input order).
pub fn group_by_ticket(events: Vec<TicketEvent>) -> Vec<Vec<TicketEvent>> {
    let numbered = (0..).zip(events).collect();
    group_numbered(numbered)
        .into_iter()
        .map(|(_, events)| events)
        .collect()
}

/// Groups (input position, event) pairs, given in any order, per (tenant, ticket):
/// each ticket's events sorted by `at` (ties by position), the tickets ordered by the
/// position of their first event, which comes with them.
pub fn group_numbered(events: Vec<(u64, TicketEvent)>) -> Vec<(u64, Vec<TicketEvent>)> {
    let mut slots = Vec::with_capacity(events.len());
    let mut firsts: Vec<u64> = Vec::new();
    {
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        for (position, event) in &events {
            let key = (event.tenant.as_str(), event.ticket_id.as_str());
            let slot = *index.entry(key).or_insert(firsts.len());
            match firsts.get_mut(slot) {
                Some(first) => *first = (*first).min(*position),
                None => firsts.push(*position),
            }
            slots.push(slot);
        }
    }
    let mut tickets: Vec<Vec<(u64, TicketEvent)>> = firsts.iter().map(|_| Vec::new()).collect();
    for (slot, numbered) in slots.into_iter().zip(events) {
        tickets[slot].push(numbered);
    }
    let mut grouped: Vec<(u64, Vec<TicketEvent>)> = firsts
        .into_iter()
        .zip(tickets)
        .map(|(first, mut events)| {
            events.sort_by_key(|(position, e)| (e.at, *position));
            (first, events.into_iter().map(|(_, e)| e).collect())
        })
        .collect();
    grouped.sort_by_key(|(first, _)| *first);
    grouped
}

/// Replays every ticket on all cores and maps each result with `finish` (on the worker
/// thread); results in ticket order. `progress` is told each ticket's event count as it
/// starts.
pub fn replay_all<T, F>(
    policies: &PolicySet,
    tickets: Vec<Vec<TicketEvent>>,
    until: DateTime<Utc>,
    progress: &(dyn Fn(usize) + Sync),
    finish: F,
) -> Vec<T>
where
    T: Send,
    F: Fn(Driven<CachedTicket>) -> T + Sync,
{
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(tickets.len().max(1));
    let mut lanes: Vec<Vec<(usize, Vec<TicketEvent>)>> = (0..workers).map(|_| Vec::new()).collect();
    for (index, ticket) in tickets.into_iter().enumerate() {
        lanes[index % workers].push((index, ticket));
    }
    let finish = &finish;
    let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
        let handles: Vec<_> = lanes
            .into_iter()
            .map(|lane| {
                scope.spawn(move || {
                    lane.into_iter()
                        .map(|(index, events)| {
                            progress(events.len());
                            (index, finish(replay_ticket(policies, events, until)))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventKind, TicketSnapshot};
    use crate::sla_event::SlaEventType;

    fn event(ticket: &str, id: &str, at: &str) -> TicketEvent {
        TicketEvent {
            tenant: "acme".into(),
            ticket_id: ticket.into(),
            event_id: id.into(),
            at: DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc),
            kind: EventKind::Created,
            ticket: TicketSnapshot::default(),
            comment: None,
            vendor: None,
        }
    }

    #[test]
    fn tickets_are_grouped_in_first_appearance_order_and_sorted_by_time() {
        let grouped = group_by_ticket(vec![
            event("2", "b2", "2026-03-02T10:00:00Z"),
            event("1", "a2", "2026-03-02T09:30:00Z"),
            event("2", "b1", "2026-03-02T09:00:00Z"),
            event("1", "a1", "2026-03-02T09:30:00Z"),
        ]);
        let ids: Vec<Vec<&str>> = grouped
            .iter()
            .map(|t| t.iter().map(|e| e.event_id.as_str()).collect())
            .collect();
        // Ties keep input order (a2 before a1).
        assert_eq!(ids, vec![vec!["b1", "b2"], vec!["a2", "a1"]]);
    }

    #[test]
    fn numbered_events_in_any_order_group_by_first_position() {
        let grouped = group_numbered(vec![
            (7, event("1", "a3", "2026-03-02T11:00:00Z")),
            (2, event("2", "b1", "2026-03-02T09:00:00Z")),
            (5, event("1", "a2", "2026-03-02T10:00:00Z")),
            (4, event("1", "a1", "2026-03-02T10:00:00Z")),
        ]);
        let ids: Vec<(u64, Vec<&str>)> = grouped
            .iter()
            .map(|(first, t)| (*first, t.iter().map(|e| e.event_id.as_str()).collect()))
            .collect();
        // Ties in `at` go by position (a1 at 4 before a2 at 5).
        assert_eq!(ids, vec![(2, vec!["b1"]), (4, vec!["a1", "a2", "a3"])]);
    }

    #[test]
    fn timers_fire_at_their_instant_and_duplicates_are_counted() {
        let policies = PolicySet::from_yaml(
            "test",
            "policies:\n  - name: p\n    targets:\n      normal: {first_response: 1h}\n",
        )
        .unwrap();
        let until = DateTime::parse_from_rfc3339("2026-03-02T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let tickets = vec![
            vec![
                event("1", "a", "2026-03-02T09:00:00Z"),
                event("1", "a", "2026-03-02T09:10:00Z"),
            ],
            vec![event("2", "b", "2026-03-02T13:00:00Z")],
        ];
        let runs = replay_all(&policies, tickets, until, &|_| {}, |driven| {
            (driven.duplicates, driven.announced)
        });
        assert_eq!(runs.len(), 2);
        let (duplicates, announced) = &runs[0];
        assert_eq!(*duplicates, 1);
        let breach = announced
            .iter()
            .find(|(_, e)| e.kind == SlaEventType::Breached)
            .expect("a breach");
        assert_eq!(breach.0.to_rfc3339(), "2026-03-02T10:00:00+00:00");
        // Ticket 2's only event is after `until`: nothing is ingested or announced.
        assert_eq!(runs[1], (0, Vec::new()));
    }
}

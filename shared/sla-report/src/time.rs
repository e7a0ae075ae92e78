//! Where the time goes: how a ticket's wall-clock life splits between waiting for the
//! first agent reply, being with an agent, and waiting on the customer (per status), and
//! how much of it fell outside business hours.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sla_core::calendar::Calendar;
use sla_core::policy::status_name;
use sla_core::{Author, Status, TicketEvent};

use crate::stats::percent_f;

/// Where one ticket's life (creation to its last solve, or to the report's end while
/// unsolved) went, in wall-clock seconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketTime {
    /// The whole life.
    pub life_seconds: i64,
    /// Before the first public agent reply.
    pub waiting_first_reply_seconds: i64,
    /// After it, in status new or open (or none known).
    pub with_agent_seconds: i64,
    /// After it, waiting on the customer, per status (`pending`, `on_hold`, and `solved`
    /// or `closed` before a reopen).
    pub paused_seconds: BTreeMap<String, i64>,
    /// The part of the life outside the business hours of the ticket's calendar.
    pub outside_hours_seconds: i64,
}

/// The life of a ticket with `history` (in `at` order) as of `until`; `calendar` is the
/// one measuring its clocks (None: business hours unknown, nothing counted outside).
pub fn ticket_time(
    history: &[TicketEvent],
    calendar: Option<&Calendar>,
    until: DateTime<Utc>,
) -> TicketTime {
    let mut time = TicketTime::default();
    let Some(created) = history.first().map(|e| e.at) else {
        return time;
    };
    let end = life_end(history, until).max(created);
    let mut status: Option<Status> = None;
    let mut replied = false;
    let mut since = created;
    for event in history.iter().take_while(|e| e.at <= end) {
        time.add(since, event.at, status, replied);
        since = event.at;
        status = event.ticket.status.or(status);
        replied |= event
            .comment
            .is_some_and(|c| c.author == Author::Agent && c.public);
    }
    time.add(since, end, status, replied);
    time.life_seconds = (end - created).num_seconds();
    if let Some(calendar) = calendar {
        let business = calendar.between(created, end).num_seconds();
        time.outside_hours_seconds = (time.life_seconds - business).max(0);
    }
    time
}

/// The last move to solved or closed when the ticket ends so, else `until`.
fn life_end(history: &[TicketEvent], until: DateTime<Utc>) -> DateTime<Utc> {
    let mut status = None;
    let mut solved_at = None;
    for event in history.iter().take_while(|e| e.at <= until) {
        let next = event.ticket.status.or(status);
        let solved = |s: Option<Status>| matches!(s, Some(Status::Solved | Status::Closed));
        if solved(next) && !solved(status) {
            solved_at = Some(event.at);
        } else if !solved(next) {
            solved_at = None;
        }
        status = next;
    }
    solved_at.unwrap_or(until)
}

impl TicketTime {
    /// Adds `other`'s seconds to these (summing tickets' times).
    pub fn add_up(&mut self, other: &TicketTime) {
        self.life_seconds += other.life_seconds;
        self.waiting_first_reply_seconds += other.waiting_first_reply_seconds;
        self.with_agent_seconds += other.with_agent_seconds;
        self.outside_hours_seconds += other.outside_hours_seconds;
        for (status, seconds) in &other.paused_seconds {
            *self.paused_seconds.entry(status.clone()).or_default() += seconds;
        }
    }

    fn add(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        status: Option<Status>,
        replied: bool,
    ) {
        let seconds = (to - from).num_seconds().max(0);
        if seconds == 0 {
            return;
        }
        match status {
            _ if !replied => self.waiting_first_reply_seconds += seconds,
            Some(s @ (Status::Pending | Status::OnHold | Status::Solved | Status::Closed)) => {
                *self.paused_seconds.entry(status_name(&s)).or_default() += seconds;
            }
            _ => self.with_agent_seconds += seconds,
        }
    }
}

/// The shares of the summed life of a row's tickets, in percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TimeShare {
    /// Summed wall-clock life of the row's tickets.
    pub life_seconds: i64,
    /// Waiting for the first public agent reply.
    pub waiting_first_reply_percent: Option<f64>,
    /// With an agent (after the first reply, not waiting on the customer).
    pub with_agent_percent: Option<f64>,
    /// Waiting on the customer, per status.
    pub paused_percent: BTreeMap<String, Option<f64>>,
    /// Outside business hours (overlaps the others).
    pub outside_hours_percent: Option<f64>,
}

impl TimeShare {
    /// The shares of the summed `times`.
    pub fn of<'a>(times: impl IntoIterator<Item = &'a TicketTime>) -> TimeShare {
        let mut total = TicketTime::default();
        for time in times {
            total.add_up(time);
        }
        TimeShare::of_total(&total)
    }

    /// The shares of `total`, the sum of the tickets' times ([`TicketTime::add_up`]).
    pub fn of_total(total: &TicketTime) -> TimeShare {
        let share = |part: i64| percent_f(part, total.life_seconds);
        TimeShare {
            life_seconds: total.life_seconds,
            waiting_first_reply_percent: share(total.waiting_first_reply_seconds),
            with_agent_percent: share(total.with_agent_seconds),
            paused_percent: total
                .paused_seconds
                .iter()
                .map(|(status, seconds)| (status.clone(), share(*seconds)))
                .collect(),
            outside_hours_percent: share(total.outside_hours_seconds),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_core::{Comment, EventKind, TicketSnapshot};

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn event(at: &str, status: Option<Status>, author: Option<Author>) -> TicketEvent {
        TicketEvent {
            tenant: "acme".into(),
            ticket_id: "1".into(),
            event_id: at.into(),
            at: t(at),
            kind: EventKind::Updated,
            ticket: TicketSnapshot {
                status,
                ..TicketSnapshot::default()
            },
            comment: author.map(|author| Comment {
                author,
                public: true,
            }),
            vendor: None,
        }
    }

    #[test]
    fn a_life_splits_into_waiting_with_agent_and_paused() {
        let history = vec![
            event(
                "2026-03-02T09:00:00Z",
                Some(Status::New),
                Some(Author::Customer),
            ),
            // An automatic reply does not end the wait.
            event("2026-03-02T09:05:00Z", None, Some(Author::System)),
            event(
                "2026-03-02T10:00:00Z",
                Some(Status::Open),
                Some(Author::Agent),
            ),
            event("2026-03-02T11:00:00Z", Some(Status::Pending), None),
            event(
                "2026-03-02T13:00:00Z",
                Some(Status::Open),
                Some(Author::Customer),
            ),
            event("2026-03-02T14:00:00Z", Some(Status::OnHold), None),
            event("2026-03-02T14:30:00Z", Some(Status::Solved), None),
            // Nothing after the solve counts.
            event("2026-03-02T18:00:00Z", None, None),
        ];
        let time = ticket_time(&history, None, t("2026-03-03T00:00:00Z"));
        assert_eq!(time.life_seconds, 5 * 3600 + 1800);
        assert_eq!(time.waiting_first_reply_seconds, 3600);
        assert_eq!(time.with_agent_seconds, 2 * 3600);
        assert_eq!(
            time.paused_seconds,
            BTreeMap::from([("on_hold".to_string(), 1800), ("pending".to_string(), 7200)])
        );
        assert_eq!(time.outside_hours_seconds, 0);
    }

    #[test]
    fn a_reopened_ticket_lives_until_its_last_solve_or_the_end() {
        let history = vec![
            event("2026-03-02T09:00:00Z", Some(Status::New), None),
            event(
                "2026-03-02T10:00:00Z",
                Some(Status::Solved),
                Some(Author::Agent),
            ),
            event(
                "2026-03-02T11:00:00Z",
                Some(Status::Open),
                Some(Author::Customer),
            ),
        ];
        let time = ticket_time(&history, None, t("2026-03-02T12:00:00Z"));
        assert_eq!(time.life_seconds, 3 * 3600);
        assert_eq!(time.waiting_first_reply_seconds, 3600);
        // Solved from 10:00 until the customer reopened it at 11:00.
        assert_eq!(time.paused_seconds["solved"], 3600);
        assert_eq!(time.with_agent_seconds, 3600);
    }

    #[test]
    fn shares_are_of_the_summed_life() {
        let a = TicketTime {
            life_seconds: 3000,
            waiting_first_reply_seconds: 1000,
            with_agent_seconds: 2000,
            ..TicketTime::default()
        };
        let b = TicketTime {
            life_seconds: 1000,
            waiting_first_reply_seconds: 500,
            paused_seconds: BTreeMap::from([("pending".to_string(), 500)]),
            outside_hours_seconds: 400,
            ..TicketTime::default()
        };
        let share = TimeShare::of([&a, &b]);
        assert_eq!(share.life_seconds, 4000);
        assert_eq!(share.waiting_first_reply_percent, Some(37.5));
        assert_eq!(share.with_agent_percent, Some(50.0));
        assert_eq!(share.paused_percent["pending"], Some(12.5));
        assert_eq!(share.outside_hours_percent, Some(10.0));
    }
}

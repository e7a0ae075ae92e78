//! One measured cycle of one metric of one ticket, as the report counts it: the drill-down
//! row (`--cycles`) every report number is computed from.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sla_core::{ClockPhase, ClockState, ClockStep, Metric, Priority, TicketAttributes};
use sla_core::{PolicySet, TicketEvent, TicketState};

use crate::time::{ticket_time, TicketTime};

/// How a cycle stands at the end of the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Completed within its target.
    Met,
    /// Used up its target: completed late (`end` set) or still open.
    Breached,
    /// Stopped without being measured to completion (e.g. solved before a reply).
    Cancelled,
    /// Running or paused, within its target.
    Open,
    /// Stopped because the ticket is excluded from measurement (not counted).
    Excluded,
}

impl Outcome {
    /// The name used in CSV and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Breached => "breached",
            Outcome::Cancelled => "cancelled",
            Outcome::Open => "open",
            Outcome::Excluded => "excluded",
        }
    }
}

/// One cycle with the ticket's attributes when it ended (still open: at the replay's end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleRecord {
    /// Tenant of the ticket.
    pub tenant: String,
    /// Ticket id.
    pub ticket_id: String,
    /// The metric measured.
    pub metric: Metric,
    /// 1-based cycle number of the metric on the ticket.
    pub cycle: u32,
    /// The policy in force at the cycle's end.
    pub policy: String,
    /// The priority whose target measured the cycle at its end.
    pub priority: Priority,
    /// Ticket segment.
    pub segment: Option<String>,
    /// Ticket group (team).
    pub group: Option<String>,
    /// The agent responsible.
    pub assignee: Option<String>,
    /// The customer account.
    pub organization: Option<String>,
    /// Channel the ticket came in by.
    pub channel: Option<String>,
    /// The helpdesk.
    pub vendor: Option<String>,
    /// When the cycle started.
    pub start: DateTime<Utc>,
    /// When it stopped (met, met late, cancelled); None while open.
    pub end: Option<DateTime<Utc>>,
    /// How it stands.
    pub outcome: Outcome,
    /// Business seconds used: final when ended, so far when open.
    pub business_seconds: i64,
    /// The target in business seconds.
    pub target_seconds: i64,
    /// Wall-clock seconds spent paused.
    pub paused_seconds: i64,
}

impl CycleRecord {
    /// Completed: met, or breached and then completed late.
    pub fn is_completed(&self) -> bool {
        self.end.is_some() && matches!(self.outcome, Outcome::Met | Outcome::Breached)
    }

    /// Breached and still open.
    pub fn is_breached_open(&self) -> bool {
        self.outcome == Outcome::Breached && self.end.is_none()
    }

    /// Business time past the target, for a cycle that breached and then completed.
    pub fn over_target(&self) -> Option<i64> {
        (self.outcome == Outcome::Breached && self.end.is_some())
            .then(|| (self.business_seconds - self.target_seconds).max(0))
    }
}

/// What a report keeps of one replayed ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketRecord {
    /// Its measured cycles.
    pub cycles: Vec<CycleRecord>,
    /// Where its time went.
    pub time: TicketTime,
    /// True when an exclusion rule takes it out of measurement.
    pub excluded: bool,
}

/// The record of a ticket from its final state (evaluated at the replay's end) and its
/// history (its events in `at` order).
pub fn ticket_record(
    policies: &PolicySet,
    state: &TicketState,
    history: &[TicketEvent],
) -> TicketRecord {
    let calendar = state
        .clocks
        .iter()
        .rev()
        .max_by_key(|c| c.metric == Metric::Resolution)
        .and_then(|c| c.calendar.as_ref())
        .and_then(|name| policies.calendars().get(name));
    TicketRecord {
        cycles: cycles_of(state, history),
        time: ticket_time(history, calendar.map(|c| &**c), state.at),
        excluded: state.excluded.is_some(),
    }
}

/// Every measured cycle of a ticket's final state (`state` evaluated at the replay's end
/// over `history`, the ticket's events in `at` order), in the state's order. Cycles no
/// policy measures at the end are left out; those of an excluded ticket are `Excluded`.
pub fn cycles_of(state: &TicketState, history: &[TicketEvent]) -> Vec<CycleRecord> {
    state
        .clocks
        .iter()
        .filter_map(|clock| record(state, history, clock))
        .collect()
}

fn record(state: &TicketState, history: &[TicketEvent], clock: &ClockState) -> Option<CycleRecord> {
    let outcome = match clock.state {
        _ if state.excluded.is_some() => Outcome::Excluded,
        ClockPhase::Met => Outcome::Met,
        ClockPhase::Breached => Outcome::Breached,
        ClockPhase::Cancelled => Outcome::Cancelled,
        ClockPhase::Running | ClockPhase::Paused => Outcome::Open,
        ClockPhase::Untracked => return None,
    };
    let end = clock.stopped_at;
    let attributes = attributes_at(history, end.unwrap_or(state.at));
    Some(CycleRecord {
        tenant: state.tenant.clone(),
        ticket_id: state.ticket_id.clone(),
        metric: clock.metric,
        cycle: clock.cycle,
        policy: clock.policy.clone()?,
        priority: clock.priority?,
        segment: attributes.segment,
        group: attributes.group,
        assignee: attributes.assignee,
        organization: attributes.organization,
        channel: attributes.channel,
        vendor: attributes.vendor,
        start: clock.start,
        end,
        outcome,
        business_seconds: clock.elapsed_seconds,
        target_seconds: clock.target_seconds?,
        paused_seconds: paused_seconds(&clock.timeline, end.unwrap_or(state.at)),
    })
}

/// The ticket's attributes after every event at or before `at`.
fn attributes_at(history: &[TicketEvent], at: DateTime<Utc>) -> TicketAttributes {
    let mut attributes = TicketAttributes::default();
    for event in history.iter().take_while(|e| e.at <= at) {
        attributes.apply(event);
    }
    attributes
}

/// Wall-clock seconds between each pause and the next resume (or stop, or `end`).
fn paused_seconds(timeline: &[ClockStep], end: DateTime<Utc>) -> i64 {
    let mut since: Option<DateTime<Utc>> = None;
    let mut total = 0;
    for step in timeline {
        match step {
            ClockStep::Paused { at, .. } => {
                since.get_or_insert(*at);
            }
            ClockStep::Resumed { at }
            | ClockStep::Met { at }
            | ClockStep::Cancelled { at, .. }
            | ClockStep::Stopped { at, .. } => {
                if let Some(from) = since.take() {
                    total += (*at - from).num_seconds().max(0);
                }
            }
            _ => {}
        }
    }
    if let Some(from) = since {
        total += (end - from).num_seconds().max(0);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_core::Status;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn paused_time_runs_from_each_pause_to_the_next_resume_or_the_end() {
        let timeline = vec![
            ClockStep::Started {
                at: t("2026-11-23T09:00:00Z"),
                reason: "created".into(),
            },
            ClockStep::Paused {
                at: t("2026-11-23T10:00:00Z"),
                status: Status::Pending,
            },
            ClockStep::Resumed {
                at: t("2026-11-23T10:30:00Z"),
            },
            ClockStep::Paused {
                at: t("2026-11-23T11:00:00Z"),
                status: Status::OnHold,
            },
        ];
        assert_eq!(paused_seconds(&timeline, t("2026-11-23T11:15:00Z")), 2700);
    }

    #[test]
    fn only_late_completed_breaches_have_time_over_target() {
        let mut cycle = CycleRecord {
            tenant: "acme".into(),
            ticket_id: "1".into(),
            metric: Metric::FirstResponse,
            cycle: 1,
            policy: "p".into(),
            priority: Priority::High,
            segment: None,
            group: None,
            assignee: None,
            organization: None,
            channel: None,
            vendor: None,
            start: t("2026-11-23T09:00:00Z"),
            end: None,
            outcome: Outcome::Breached,
            business_seconds: 5000,
            target_seconds: 3600,
            paused_seconds: 0,
        };
        assert!(cycle.is_breached_open());
        assert!(!cycle.is_completed());
        assert_eq!(cycle.over_target(), None);
        cycle.end = Some(t("2026-11-23T11:00:00Z"));
        assert!(cycle.is_completed());
        assert_eq!(cycle.over_target(), Some(1400));
    }
}

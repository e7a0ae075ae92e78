//! SLA clocks: metric cycles folded from a ticket's events, and their evaluated state.

pub(crate) mod cycle;
pub(crate) mod fold;
pub mod state;

use chrono::{DateTime, Utc};

use crate::calendar::DeadlineRule;
use crate::policy::PolicySet;
use fold::Fold;
pub use state::{ClockPhase, ClockState, ClockStep, MatchedPolicy, TicketState};

/// Summarises a fold (already fired through `at`) as a `TicketState`.
pub(crate) fn summarize(fold: &Fold, policies: &PolicySet, at: DateTime<Utc>) -> TicketState {
    let policy = fold.matched.map(|(index, _)| {
        let policy = &policies.policies()[index];
        MatchedPolicy {
            name: policy.name.clone(),
            index,
            reason: policy.match_reason(),
        }
    });
    let clocks = fold
        .cycles
        .iter()
        .filter(|c| c.ever_measured)
        .map(|cycle| {
            let terms = cycle.terms.as_ref();
            let stopped_at = cycle.ended.map(|(at, _)| at);
            ClockState {
                metric: cycle.metric,
                cycle: cycle.number,
                state: cycle.phase(),
                policy: terms.map(|t| t.policy.clone()),
                priority: terms.map(|t| t.priority),
                calendar: terms.map(|t| t.calendar_name.clone()),
                deadline_rule: terms.map(|t| rule_name(t.calendar.deadline_rule()).to_string()),
                target_seconds: terms.map(|t| t.target),
                start: cycle.start,
                deadline: cycle.deadline_at(stopped_at.unwrap_or(at)),
                elapsed_seconds: cycle.elapsed_at(stopped_at.unwrap_or(at)),
                stopped_at,
                timeline: cycle.steps.clone(),
            }
        })
        .collect();
    TicketState {
        tenant: fold.tenant.clone(),
        ticket_id: fold.ticket_id.clone(),
        at,
        created: fold.created,
        status: fold.attrs.status,
        priority: fold.attrs.effective_priority(),
        policy,
        clocks,
        announcements: fold.produced.clone(),
    }
}

/// `earliest` or `next_opening`.
pub fn rule_name(rule: DeadlineRule) -> &'static str {
    match rule {
        DeadlineRule::Earliest => "earliest",
        DeadlineRule::NextOpening => "next_opening",
    }
}

//! SLA clocks: metric cycles folded from a ticket's events, and their evaluated state.

pub(crate) mod cycle;
pub(crate) mod fold;
mod rules;
pub mod state;

use chrono::{DateTime, Utc};

use crate::calendar::DeadlineRule;
use crate::policy::PolicySet;
use crate::sla_event::METRICS;
use fold::Fold;
pub use state::{ClockPhase, ClockState, ClockStep, MatchedPolicy, PolicyVersion, TicketState};

/// Summarises a fold (already fired through `at`) as a `TicketState`.
pub(crate) fn summarize(fold: &Fold, policies: &PolicySet, at: DateTime<Utc>) -> TicketState {
    let policy = fold.policy(policies).map(|policy| MatchedPolicy {
        name: policy.name.clone(),
        index: policy.index,
        reason: policy.match_reason(),
    });
    let version = fold.version.and_then(|index| {
        let version = policies.versions().get(index)?;
        Some(PolicyVersion {
            index,
            effective_from: version.effective_from,
        })
    });
    let start_on = |metric| fold.policy(policies).map(|p| p.start_on(metric));
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
                start_on: start_on(cycle.metric),
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
        priority: policies.priority_of(&fold.attrs),
        priority_raise: policies.priority_raise(&fold.attrs),
        version,
        excluded: fold.excluded.clone(),
        awaiting_assignment: METRICS
            .into_iter()
            .filter(|m| fold.waits_for_assignee(*m))
            .collect(),
        warnings: zone_warnings(fold, policies),
        policy,
        clocks,
        announcements: fold.produced.clone(),
    }
}

/// Requester time zone fallbacks of the calendars measuring the ticket's clocks.
fn zone_warnings(fold: &Fold, policies: &PolicySet) -> Vec<String> {
    let Some(policy) = fold.policy(policies) else {
        return Vec::new();
    };
    let priority = policies.priority_of(&fold.attrs);
    let mut out: Vec<String> = Vec::new();
    for target in policy
        .targets_of(priority)
        .into_iter()
        .flat_map(|t| t.values())
    {
        if let (_, Some(fallback)) = fold.localized(&target.calendar) {
            let text = format!("calendar {}: {fallback}", target.calendar_name);
            if !out.contains(&text) {
                out.push(text);
            }
        }
    }
    out
}

/// `earliest` or `next_opening`.
pub fn rule_name(rule: DeadlineRule) -> &'static str {
    match rule {
        DeadlineRule::Earliest => "earliest",
        DeadlineRule::NextOpening => "next_opening",
    }
}

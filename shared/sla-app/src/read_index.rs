//! The read projection of a record, refreshed at every save that folds it (ingest,
//! sweep): its open cycles (what the queue lists) and its completions of the last 30 days
//! (what the summary counts). Stores index it (see `sla_store::queue`).

use chrono::{DateTime, Duration, Utc};
use sla_core::{ClockPhase, ClockState, ClockStep, PolicySet, TicketAttributes, TicketState};
use sla_store::queue::MAX_COMPLETIONS;
use sla_store::{Completion, OpenCycle, OpenState, Outcome, ReadIndex, TicketRecord};

use crate::record;

/// How long completions stay in the projection (the longest summary period).
pub const COMPLETIONS_KEPT_DAYS: i64 = 30;

/// Recomputes `record.read` from its SLA state as of `now`.
pub fn refresh(record: &mut TicketRecord, policies: &PolicySet, now: DateTime<Utc>) {
    let state = record.sla.evaluate(policies, now);
    let attributes = record.sla.attributes();
    record.read = project(&state, &attributes, &record.read, now);
}

/// The projection of `state`: open cycles (the latest per metric) and completions since
/// 30 days before `now`, merged with those of `previous` (a snapshot may have folded
/// stopped cycles away), at most [`MAX_COMPLETIONS`], most recent kept.
pub fn project(
    state: &TicketState,
    attributes: &TicketAttributes,
    previous: &ReadIndex,
    now: DateTime<Utc>,
) -> ReadIndex {
    let mut open: Vec<OpenCycle> = state
        .clocks
        .iter()
        .filter_map(|clock| open_cycle(clock, state, attributes))
        .collect();
    open.sort_by_key(|c| (c.metric, std::cmp::Reverse(c.cycle)));
    open.dedup_by_key(|c| c.metric);
    let since = record::earlier(now, Duration::days(COMPLETIONS_KEPT_DAYS));
    let mut completions: Vec<Completion> = previous
        .completions
        .iter()
        .filter(|old| {
            !state
                .clocks
                .iter()
                .any(|c| c.metric == old.metric && c.cycle == old.cycle)
        })
        .cloned()
        .chain(
            state
                .clocks
                .iter()
                .filter_map(|clock| completion(clock, state)),
        )
        .filter(|c| c.completed_at >= since)
        .collect();
    completions.sort_by_key(|c| (c.completed_at, c.metric, c.cycle));
    let excess = completions.len().saturating_sub(MAX_COMPLETIONS);
    completions.drain(..excess);
    ReadIndex { open, completions }
}

/// The clock as an open cycle, when it is measured and still open.
fn open_cycle(
    clock: &ClockState,
    state: &TicketState,
    attributes: &TicketAttributes,
) -> Option<OpenCycle> {
    let target = clock.target_seconds?;
    let open_state = match (clock.state, clock.stopped_at) {
        (ClockPhase::Running, _) => OpenState::Running,
        (ClockPhase::Paused, _) => OpenState::Paused,
        (ClockPhase::Breached, None) => OpenState::Breached,
        _ => return None,
    };
    let warned = clock
        .timeline
        .iter()
        .any(|step| matches!(step, ClockStep::Warned { .. }));
    Some(OpenCycle {
        metric: clock.metric,
        cycle: clock.cycle,
        state: open_state,
        at_risk: open_state == OpenState::Running && warned,
        deadline: clock.deadline.filter(|_| open_state != OpenState::Paused),
        business_seconds_left: target - clock.elapsed_seconds,
        target_seconds: target,
        calendar: clock.calendar.clone(),
        priority: clock.priority.unwrap_or(state.priority),
        policy: clock.policy.clone().unwrap_or_default(),
        group: attributes.group.clone(),
        assignee: attributes.assignee.clone(),
        organization: attributes.organization.clone(),
    })
}

/// The clock as a completion, when it stopped met or breached.
fn completion(clock: &ClockState, state: &TicketState) -> Option<Completion> {
    let outcome = match clock.state {
        ClockPhase::Met => Outcome::Met,
        ClockPhase::Breached => Outcome::Breached,
        _ => return None,
    };
    clock.target_seconds?;
    Some(Completion {
        metric: clock.metric,
        cycle: clock.cycle,
        priority: clock.priority.unwrap_or(state.priority),
        completed_at: clock.stopped_at?,
        outcome,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sla_core::{Metric, TicketEvent, TicketSla};
    use sla_store::TicketKey;

    const POLICY: &str = r#"
policies:
  - name: standard
    calendar: 24x7
    warn_at: ["50%"]
    targets:
      high: {first_response: 1h, resolution: 8h}
"#;

    fn policies() -> PolicySet {
        PolicySet::from_yaml("policy.yaml", POLICY).unwrap()
    }

    fn event(id: &str, at: &str, body: serde_json::Value) -> TicketEvent {
        let mut value = serde_json::json!({
            "tenant": "acme", "ticket_id": "1", "event_id": id, "at": at,
        });
        value
            .as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        serde_json::from_value(value).unwrap()
    }

    fn created() -> TicketEvent {
        event(
            "c",
            "2026-11-30T09:00:00Z",
            serde_json::json!({"kind": "created", "ticket": {
                "status": "open", "priority": "high", "group": "tier1", "assignee": "ana"}}),
        )
    }

    fn record_with(events: Vec<TicketEvent>) -> TicketRecord {
        let mut sla = TicketSla::default();
        for e in events {
            sla.ingest(e);
        }
        TicketRecord::new(TicketKey::new("acme", "1"), sla)
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn open_cycles_carry_deadline_attributes_and_risk() {
        let mut record = record_with(vec![created()]);
        let now = at("2026-11-30T09:40:00Z");
        record.sla.advance(&policies(), now);
        refresh(&mut record, &policies(), now);
        let first = record
            .read
            .open
            .iter()
            .find(|c| c.metric == Metric::FirstResponse)
            .unwrap();
        assert_eq!(first.deadline, Some(at("2026-11-30T10:00:00Z")));
        assert_eq!((first.state, first.at_risk), (OpenState::Running, true));
        assert_eq!(first.business_seconds_left, 20 * 60);
        assert_eq!(first.group.as_deref(), Some("tier1"));
        assert_eq!(first.assignee.as_deref(), Some("ana"));
        assert_eq!(record.read.open.len(), 2, "first response and resolution");
        assert!(record.read.completions.is_empty());
    }

    #[test]
    fn a_reply_moves_the_cycle_to_the_completions_and_closing_empties_the_queue() {
        let reply = event(
            "r",
            "2026-11-30T09:30:00Z",
            serde_json::json!({"kind": "comment", "ticket": {"status": "pending"},
                "comment": {"author": "agent", "public": true}}),
        );
        let solved = event(
            "s",
            "2026-11-30T11:00:00Z",
            serde_json::json!({"kind": "updated", "ticket": {"status": "solved"}}),
        );
        let mut record = record_with(vec![created(), reply]);
        let now = at("2026-11-30T10:00:00Z");
        refresh(&mut record, &policies(), now);
        assert_eq!(record.read.completions.len(), 1);
        let done = &record.read.completions[0];
        assert_eq!(
            (done.metric, done.outcome),
            (Metric::FirstResponse, Outcome::Met)
        );
        assert!(record
            .read
            .open
            .iter()
            .all(|c| c.metric == Metric::Resolution));

        record.sla.ingest(solved);
        refresh(&mut record, &policies(), at("2026-11-30T12:00:00Z"));
        assert!(record.read.open.is_empty(), "{:?}", record.read.open);
        assert_eq!(record.read.completions.len(), 2);
    }
}

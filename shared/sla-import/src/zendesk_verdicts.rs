//! Zendesk's ticket metric events as helpdesk verdicts for `sla report --agreement`.
//!
//! Mapping (documented in docs/import.md): `reply_time` instance 1 is our
//! `first_response` cycle 1, instance n >= 2 our `next_response` cycle n - 1;
//! `requester_wait_time` is our `resolution`; `pausable_update_time` and
//! `periodic_update_time` are our `periodic_update` (instance n, cycle n). `agent_work_time`,
//! `resolution_time` and `group_ownership_time` have no counterpart and are only counted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sla_core::Metric;
use sla_report::agreement::{HelpdeskOutcome, HelpdeskVerdicts, Verdict};

use crate::metric_events::{MetricEvent, MetricEventKind, ZendeskMetric};

/// Zendesk's name of a metric.
fn name(metric: ZendeskMetric) -> &'static str {
    match metric {
        ZendeskMetric::ReplyTime => "reply_time",
        ZendeskMetric::PeriodicUpdateTime => "periodic_update_time",
        ZendeskMetric::PausableUpdateTime => "pausable_update_time",
        ZendeskMetric::RequesterWaitTime => "requester_wait_time",
        ZendeskMetric::AgentWorkTime => "agent_work_time",
        ZendeskMetric::ResolutionTime => "resolution_time",
        ZendeskMetric::GroupOwnershipTime => "group_ownership_time",
    }
}

/// Our metric and cycle for a Zendesk metric instance, if it has one.
pub fn our_metric(metric: ZendeskMetric, instance: u64) -> Option<(Metric, u32)> {
    let n = u32::try_from(instance.max(1)).ok()?;
    match metric {
        ZendeskMetric::ReplyTime if n == 1 => Some((Metric::FirstResponse, 1)),
        ZendeskMetric::ReplyTime => Some((Metric::NextResponse, n - 1)),
        ZendeskMetric::RequesterWaitTime => Some((Metric::Resolution, 1)),
        ZendeskMetric::PausableUpdateTime | ZendeskMetric::PeriodicUpdateTime => {
            Some((Metric::PeriodicUpdate, n))
        }
        ZendeskMetric::AgentWorkTime
        | ZendeskMetric::ResolutionTime
        | ZendeskMetric::GroupOwnershipTime => None,
    }
}

/// Verdicts from metric events (any order). A metric instance with an `apply_sla` is
/// breached at its latest breach not withdrawn (`deleted`), else met at its latest
/// `fulfill`, else open; a ticket with no `apply_sla` on a comparable metric has no SLA.
pub fn zendesk_verdicts(events: &[MetricEvent]) -> HelpdeskVerdicts {
    let mut groups: BTreeMap<(&str, ZendeskMetric, u64), Vec<&MetricEvent>> = BTreeMap::new();
    for event in events {
        let key = (event.ticket_id.as_str(), event.metric, event.instance_id);
        groups.entry(key).or_default().push(event);
    }
    let mut out = HelpdeskVerdicts::default();
    for ((ticket, metric, instance), group) in groups {
        out.without_sla.insert(ticket.to_string());
        let Some(target) = group.iter().find_map(|e| sla_target(&e.kind)) else {
            continue;
        };
        let Some((ours, cycle)) = our_metric(metric, instance) else {
            *out.unmapped.entry(name(metric).to_string()).or_default() += 1;
            continue;
        };
        out.verdicts.push(Verdict {
            ticket_id: ticket.to_string(),
            metric: ours,
            cycle,
            name: format!("{}#{instance}", name(metric)),
            outcome: outcome(&group),
            target_seconds: Some(target),
        });
    }
    for verdict in &out.verdicts {
        out.without_sla.remove(&verdict.ticket_id);
    }
    out
}

fn sla_target(kind: &MetricEventKind) -> Option<i64> {
    match kind {
        MetricEventKind::ApplySla {
            target_minutes,
            group: false,
            ..
        } => i64::try_from(*target_minutes).ok()?.checked_mul(60),
        _ => None,
    }
}

fn outcome(group: &[&MetricEvent]) -> HelpdeskOutcome {
    let latest = |wanted: fn(&MetricEventKind) -> bool| -> Option<DateTime<Utc>> {
        group.iter().filter(|e| wanted(&e.kind)).map(|e| e.at).max()
    };
    if let Some(at) = latest(|k| matches!(k, MetricEventKind::Breach { deleted: false })) {
        HelpdeskOutcome::Breached { at }
    } else if let Some(at) = latest(|k| matches!(k, MetricEventKind::Fulfill)) {
        HelpdeskOutcome::Met { at }
    } else {
        HelpdeskOutcome::Open
    }
}

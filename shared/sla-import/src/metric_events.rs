//! Zendesk's Ticket Metric Events (`/api/v2/incremental/ticket_metric_events`): what
//! Zendesk's own SLA engine decided, as a typed list, for comparing its verdicts with ours.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::error::{ImportError, Location};
use crate::fields::{self, flag, text};
use crate::input::{json_records, Source};
use crate::report::Report;

/// The metrics Zendesk measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZendeskMetric {
    /// First reply (instance 1) and next replies (instance 2 and on).
    ReplyTime,
    /// Time between public agent updates.
    PeriodicUpdateTime,
    /// Same, not counting pending or on-hold time.
    PausableUpdateTime,
    /// Time the requester waits (new, open and on hold: everything but pending) until solved.
    RequesterWaitTime,
    /// Time agents work on the ticket (not pending or on hold).
    AgentWorkTime,
    /// Creation to solved.
    ResolutionTime,
    /// Time owned by a group (group SLAs).
    GroupOwnershipTime,
}

impl ZendeskMetric {
    fn parse(word: &str) -> Option<Self> {
        Some(match word {
            "reply_time" => Self::ReplyTime,
            "periodic_update_time" => Self::PeriodicUpdateTime,
            "pausable_update_time" => Self::PausableUpdateTime,
            "requester_wait_time" => Self::RequesterWaitTime,
            "agent_work_time" => Self::AgentWorkTime,
            "resolution_time" => Self::ResolutionTime,
            "group_ownership_time" => Self::GroupOwnershipTime,
            _ => return None,
        })
    }
}

/// What happened to a metric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricEventKind {
    /// An SLA target was applied (`apply_sla`, or `apply_group_sla`).
    ApplySla {
        /// The target in minutes.
        target_minutes: u64,
        /// Counted in business hours (Zendesk uses the ticket's latest schedule).
        business_hours: bool,
        /// The SLA policy's title, if given.
        policy: Option<String>,
        /// True for a group SLA.
        group: bool,
    },
    /// The target was missed; `deleted` if Zendesk later withdrew the breach.
    Breach {
        /// Zendesk later withdrew the breach (the event's `deleted` flag).
        deleted: bool,
    },
    /// The metric was fulfilled.
    Fulfill,
    /// The metric's clock paused.
    Pause,
    /// The metric's clock started.
    Activate,
    /// A measurement was taken.
    Measure,
    /// The metric's elapsed time, in calendar and business minutes.
    UpdateStatus {
        /// Elapsed wall-clock minutes.
        calendar_minutes: u64,
        /// Elapsed minutes inside the SLA's business hours.
        business_minutes: u64,
    },
}

/// One ticket metric event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricEvent {
    /// Zendesk's id of the event.
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// The metric.
    pub metric: ZendeskMetric,
    /// Which occurrence of the metric (reply_time: 1 is the first reply).
    pub instance_id: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: MetricEventKind,
}

/// Reads every `ticket_metric_events` page (or JSON line of one event) of the sources,
/// sorted by ticket, metric, instance and time; unusable records are counted.
pub fn read_metric_events(sources: &[Source]) -> Result<(Vec<MetricEvent>, Report), ImportError> {
    let mut report = Report::default();
    let mut events = Vec::new();
    for source in sources {
        for (index, value) in json_records(source)?.iter().enumerate() {
            let at = Location {
                file: source.name.clone(),
                record: index + 1,
                field: String::new(),
            };
            match value.get("ticket_metric_events").and_then(Value::as_array) {
                Some(list) => {
                    for (i, item) in list.iter().enumerate() {
                        let place = at.within(format!("ticket_metric_events[{i}]"));
                        push(item, &place, &mut events, &mut report);
                    }
                }
                None => push(value, &at, &mut events, &mut report),
            }
        }
    }
    events.sort_by(|a, b| {
        (&a.ticket_id, a.metric, a.instance_id, a.at).cmp(&(
            &b.ticket_id,
            b.metric,
            b.instance_id,
            b.at,
        ))
    });
    report.events = events.len();
    Ok((events, report))
}

fn push(value: &Value, at: &Location, events: &mut Vec<MetricEvent>, report: &mut Report) {
    match event(value) {
        Ok(event) => events.push(event),
        Err(reason) => report.skip(reason, at),
    }
}

fn event(value: &Value) -> Result<MetricEvent, String> {
    let id = text(value, "id").ok_or("metric event without id")?;
    let ticket_id = text(value, "ticket_id").ok_or("metric event without ticket_id")?;
    let word = text(value, "metric").ok_or("metric event without metric")?;
    let metric = ZendeskMetric::parse(&word).ok_or_else(|| format!("unknown metric {word:?}"))?;
    let at = value
        .get("time")
        .and_then(fields::instant)
        .ok_or("metric event without a readable time")?;
    let kind = kind(value)?;
    Ok(MetricEvent {
        id,
        ticket_id,
        metric,
        instance_id: value
            .get("instance_id")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        at,
        kind,
    })
}

fn kind(value: &Value) -> Result<MetricEventKind, String> {
    let word = text(value, "type").ok_or("metric event without type")?;
    Ok(match word.as_str() {
        "apply_sla" | "apply_group_sla" => {
            let group = word == "apply_group_sla";
            let sla = value
                .get(if group { "group_sla" } else { "sla" })
                .ok_or_else(|| format!("{word} without its sla object"))?;
            MetricEventKind::ApplySla {
                target_minutes: sla
                    .get("target")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| format!("{word} without a target in minutes"))?,
                business_hours: flag(sla, "business_hours").unwrap_or(false),
                policy: sla.get("policy").and_then(|p| text(p, "title")),
                group,
            }
        }
        "breach" => MetricEventKind::Breach {
            deleted: flag(value, "deleted").unwrap_or(false),
        },
        "fulfill" => MetricEventKind::Fulfill,
        "pause" => MetricEventKind::Pause,
        "activate" => MetricEventKind::Activate,
        "measure" => MetricEventKind::Measure,
        "update_status" => {
            let status = value.get("status").ok_or("update_status without status")?;
            let minutes = |key| status.get(key).and_then(Value::as_u64);
            MetricEventKind::UpdateStatus {
                calendar_minutes: minutes("calendar")
                    .ok_or("update_status without calendar minutes")?,
                business_minutes: minutes("business")
                    .ok_or("update_status without business minutes")?,
            }
        }
        other => return Err(format!("unknown metric event type {other:?}")),
    })
}

//! The SLA events we announce (warnings, breaches, met, cancelled, retractions).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::event::Priority;

/// One SLA clock kind.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// From creation to the first public reply by anyone but the customer.
    Acknowledgement,
    /// From creation to the first public agent reply.
    FirstResponse,
    /// From each customer reply to the next public agent reply.
    NextResponse,
    /// From creation, and after each public agent reply, to the next one, while unsolved.
    PeriodicUpdate,
    /// From creation to solved.
    Resolution,
}

/// Every metric, in order.
pub const METRICS: [Metric; 5] = [
    Metric::Acknowledgement,
    Metric::FirstResponse,
    Metric::NextResponse,
    Metric::PeriodicUpdate,
    Metric::Resolution,
];

impl Metric {
    /// Position in [`METRICS`].
    pub fn slot(self) -> usize {
        match self {
            Metric::Acknowledgement => 0,
            Metric::FirstResponse => 1,
            Metric::NextResponse => 2,
            Metric::PeriodicUpdate => 3,
            Metric::Resolution => 4,
        }
    }

    /// The snake_case name, as in JSON, policies and metric labels (`first_response`).
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Acknowledgement => "acknowledgement",
            Metric::FirstResponse => "first_response",
            Metric::NextResponse => "next_response",
            Metric::PeriodicUpdate => "periodic_update",
            Metric::Resolution => "resolution",
        }
    }
}

impl SlaEventType {
    /// The snake_case name, as in the event's JSON `type` (`breached`).
    pub fn as_str(self) -> &'static str {
        match self {
            SlaEventType::Warning => "warning",
            SlaEventType::Breached => "breached",
            SlaEventType::Met => "met",
            SlaEventType::Completed => "completed",
            SlaEventType::Cancelled => "cancelled",
            SlaEventType::Retracted => "retracted",
        }
    }
}

/// What an SLA event announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaEventType {
    /// A warning threshold was crossed.
    Warning,
    /// The target was used up.
    Breached,
    /// Stopped within the target.
    Met,
    /// The cycle was cancelled (no verdict).
    Cancelled,
    /// An earlier announcement is withdrawn (late data changed the past).
    Retracted,
    /// A breached cycle finally ended (a late reply, a solve): its final business time is
    /// `elapsed_seconds`, so an alert raised by the breach can be cleared.
    Completed,
}

/// An announcement about one cycle of one metric of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SlaEvent {
    /// Deterministic id: hash of tenant, ticket, metric, cycle, type (and threshold).
    pub event_id: String,
    /// What is announced.
    #[serde(rename = "type")]
    pub kind: SlaEventType,
    /// The tenant.
    pub tenant: String,
    /// The ticket's id.
    pub ticket_id: String,
    /// The metric.
    pub metric: Metric,
    /// 1-based cycle number of the metric on this ticket.
    pub cycle: u32,
    /// The policy measuring the cycle.
    pub policy: String,
    /// The priority of the target.
    pub priority: Priority,
    /// The target, in business seconds.
    pub target_seconds: i64,
    /// When the target is (was) used up.
    pub deadline: DateTime<Utc>,
    /// The instant the announced thing happened (warning time, breach time, stop time).
    pub at: DateTime<Utc>,
    /// Business time used by the cycle as of `at`.
    pub elapsed_seconds: i64,
    /// The warning threshold (`75%`, `15m`), warnings only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// The `event_id` this event withdraws, retractions only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracts: Option<String>,
    /// The ticket's attributes when the event was announced (top-level fields in JSON);
    /// shared by the announcements made while the attributes stay the same.
    #[serde(flatten, default)]
    pub context: Arc<TicketContext>,
}

/// The ticket's attributes carried by every SLA event, for consumers to route on
/// (e.g. an EventBridge rule on `detail.group`). Absent fields were unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TicketContext {
    /// The ticket's group (team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The customer segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The customer account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The agent responsible for the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The helpdesk that sent the ticket's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// The ticket's tags, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl TicketContext {
    /// The context of a ticket with these attributes.
    pub fn of(attributes: &crate::attributes::TicketAttributes) -> TicketContext {
        TicketContext {
            group: attributes.group.clone(),
            segment: attributes.segment.clone(),
            channel: attributes.channel.clone(),
            organization: attributes.organization.clone(),
            assignee: attributes.assignee.clone(),
            vendor: attributes.vendor.clone(),
            tags: attributes.tags.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_serde_names() {
        for metric in METRICS {
            assert_eq!(serde_json::json!(metric), metric.as_str());
        }
        use SlaEventType::*;
        for kind in [Warning, Breached, Met, Cancelled, Retracted] {
            assert_eq!(serde_json::json!(kind), kind.as_str());
        }
    }
}

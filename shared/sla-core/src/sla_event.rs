//! The SLA events we announce (warnings, breaches, met, cancelled, retractions).

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
    FirstResponse,
    NextResponse,
    PeriodicUpdate,
    Resolution,
}

/// What an SLA event announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SlaEventType {
    Warning,
    Breached,
    Met,
    Cancelled,
    Retracted,
}

/// An announcement about one cycle of one metric of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SlaEvent {
    /// Deterministic id: hash of tenant, ticket, metric, cycle, type (and threshold).
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: SlaEventType,
    pub tenant: String,
    pub ticket_id: String,
    pub metric: Metric,
    /// 1-based cycle number of the metric on this ticket.
    pub cycle: u32,
    pub policy: String,
    pub priority: Priority,
    pub target_seconds: i64,
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
}

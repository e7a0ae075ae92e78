//! The evaluated state of a ticket's clocks: what `sla explain` prints and the local
//! server returns for `GET /tickets/...`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{Priority, Status};
use crate::policy::{Exclusion, PriorityRaise, StartOn};
use crate::sla_event::{Metric, SlaEvent};

/// A ticket's SLA clocks as of `at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketState {
    pub tenant: String,
    pub ticket_id: String,
    /// The instant evaluated.
    pub at: DateTime<Utc>,
    /// `at` of the ticket's first event (None when it has no event yet).
    pub created: Option<DateTime<Utc>>,
    pub status: Option<Status>,
    /// The priority targets use (`normal` when the helpdesk sent none), after
    /// `priority_rules`.
    pub priority: Priority,
    /// The priority rule that raised `priority` above the helpdesk's, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_raise: Option<PriorityRaise>,
    /// The policy version measuring the ticket (None before the first version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<PolicyVersion>,
    /// Why the ticket is excluded (it has no clocks); reports count these apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded: Option<Exclusion>,
    /// Things to know that are not errors (e.g. a requester time zone that fell back to
    /// the calendar's `default_timezone`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Metrics whose first cycle waits for an assignee (`start: assigned`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awaiting_assignment: Vec<Metric>,
    /// The policy that applies now; None when no policy matches (the ticket has no clocks).
    pub policy: Option<MatchedPolicy>,
    /// Every measured cycle of every metric, in start order.
    pub clocks: Vec<ClockState>,
    /// Everything the engine announces for this ticket as of `at`.
    pub announcements: Vec<SlaEvent>,
}

/// A policy version: its position in `versions` and the instant it applies from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub index: usize,
    /// None for a plain `policies:` list (in force from the beginning of time).
    pub effective_from: Option<DateTime<Utc>>,
}

/// Which policy applies and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedPolicy {
    pub name: String,
    /// Position in the policy file (0-based).
    pub index: usize,
    /// Why it matches, in words.
    pub reason: String,
}

/// One cycle of one metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    pub metric: Metric,
    pub cycle: u32,
    pub state: ClockPhase,
    pub policy: Option<String>,
    /// When the policy applying now starts this metric (`created` or `assigned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_on: Option<StartOn>,
    pub priority: Option<Priority>,
    pub calendar: Option<String>,
    /// `earliest` or `next_opening`.
    pub deadline_rule: Option<String>,
    pub target_seconds: Option<i64>,
    pub start: DateTime<Utc>,
    /// When the target is (was) used up; while paused, when it would be if resumed now.
    pub deadline: Option<DateTime<Utc>>,
    /// Business seconds used as of `at` (or as of the stop).
    pub elapsed_seconds: i64,
    pub stopped_at: Option<DateTime<Utc>>,
    pub timeline: Vec<ClockStep>,
}

/// A clock's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockPhase {
    Running,
    Paused,
    Met,
    Breached,
    Cancelled,
    /// No policy target measures it any more.
    Untracked,
}

/// Something that happened to a clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ClockStep {
    Started {
        at: DateTime<Utc>,
        reason: String,
    },
    Measured {
        at: DateTime<Utc>,
        policy: String,
        priority: Priority,
        target_seconds: i64,
        calendar: String,
    },
    Unmeasured {
        at: DateTime<Utc>,
    },
    Paused {
        at: DateTime<Utc>,
        status: Status,
    },
    Resumed {
        at: DateTime<Utc>,
    },
    Warned {
        at: DateTime<Utc>,
        threshold: String,
    },
    Breached {
        at: DateTime<Utc>,
        deadline: DateTime<Utc>,
    },
    Met {
        at: DateTime<Utc>,
    },
    Cancelled {
        at: DateTime<Utc>,
        reason: String,
    },
    Stopped {
        at: DateTime<Utc>,
        reason: String,
    },
}

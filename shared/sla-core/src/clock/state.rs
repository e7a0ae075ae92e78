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
    /// The tenant.
    pub tenant: String,
    /// The ticket's id.
    pub ticket_id: String,
    /// The instant evaluated.
    pub at: DateTime<Utc>,
    /// `at` of the ticket's first event (None when it has no event yet).
    pub created: Option<DateTime<Utc>>,
    /// Current status.
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
    /// Position in the file's `versions` (0-based).
    pub index: usize,
    /// None for a plain `policies:` list (in force from the beginning of time).
    pub effective_from: Option<DateTime<Utc>>,
}

/// Which policy applies and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedPolicy {
    /// The policy's name.
    pub name: String,
    /// Position in the policy file (0-based).
    pub index: usize,
    /// Why it matches, in words.
    pub reason: String,
}

/// One cycle of one metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockState {
    /// The metric measured.
    pub metric: Metric,
    /// 1-based cycle number of the metric on this ticket.
    pub cycle: u32,
    /// Where the clock stands.
    pub state: ClockPhase,
    /// The policy measuring it (None when no policy target applies).
    pub policy: Option<String>,
    /// When the policy applying now starts this metric (`created` or `assigned`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_on: Option<StartOn>,
    /// The priority its target is for.
    pub priority: Option<Priority>,
    /// The business-hours calendar it runs on.
    pub calendar: Option<String>,
    /// `earliest` or `next_opening`.
    pub deadline_rule: Option<String>,
    /// The target, in business seconds.
    pub target_seconds: Option<i64>,
    /// When the cycle started.
    pub start: DateTime<Utc>,
    /// When the target is (was) used up; while paused, when it would be if resumed now.
    pub deadline: Option<DateTime<Utc>>,
    /// Business seconds used as of `at` (or as of the stop).
    pub elapsed_seconds: i64,
    /// When the cycle stopped (met, breached and stopped, cancelled).
    pub stopped_at: Option<DateTime<Utc>>,
    /// What happened to the clock, in order.
    pub timeline: Vec<ClockStep>,
}

/// A clock's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockPhase {
    /// Counting business time.
    Running,
    /// Paused by a pausing status.
    Paused,
    /// Stopped within the target.
    Met,
    /// The target was used up.
    Breached,
    /// Ended without a verdict (neither met nor breached).
    Cancelled,
    /// No policy target measures it any more.
    Untracked,
}

/// Something that happened to a clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ClockStep {
    /// The cycle started.
    Started {
        /// When.
        at: DateTime<Utc>,
        /// Why (the event that started it).
        reason: String,
    },
    /// A policy target began measuring it.
    Measured {
        /// When.
        at: DateTime<Utc>,
        /// The policy.
        policy: String,
        /// The priority of the target.
        priority: Priority,
        /// The target, in business seconds.
        target_seconds: i64,
        /// The calendar.
        calendar: String,
    },
    /// No policy target measures it any more.
    Unmeasured {
        /// When.
        at: DateTime<Utc>,
    },
    /// Paused.
    Paused {
        /// When.
        at: DateTime<Utc>,
        /// The pausing status.
        status: Status,
    },
    /// Resumed.
    Resumed {
        /// When.
        at: DateTime<Utc>,
    },
    /// A warning threshold was crossed.
    Warned {
        /// When.
        at: DateTime<Utc>,
        /// The threshold (`75%`, `15m`).
        threshold: String,
    },
    /// The target was used up.
    Breached {
        /// When the breach was noticed.
        at: DateTime<Utc>,
        /// The deadline.
        deadline: DateTime<Utc>,
    },
    /// Met within the target.
    Met {
        /// When.
        at: DateTime<Utc>,
    },
    /// Cancelled.
    Cancelled {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: String,
    },
    /// Stopped.
    Stopped {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: String,
    },
}

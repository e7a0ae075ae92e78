//! The evaluated state of a ticket's clocks: what `sla explain` prints and the local
//! server returns for `GET /tickets/...`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::event::{Priority, Status};
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
    /// The priority targets use (`normal` when the helpdesk sent none).
    pub priority: Priority,
    /// The policy that applies now; None when no policy matches (the ticket has no clocks).
    pub policy: Option<MatchedPolicy>,
    /// Every measured cycle of every metric, in start order.
    pub clocks: Vec<ClockState>,
    /// Everything the engine announces for this ticket as of `at`.
    pub announcements: Vec<SlaEvent>,
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

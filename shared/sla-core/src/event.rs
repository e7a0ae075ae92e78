//! The canonical ticket event: the contract every helpdesk adapter produces.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One thing that happened to a ticket, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketEvent {
    /// Tenant (customer account) the ticket belongs to.
    pub tenant: String,
    /// The helpdesk's ticket id, as a string.
    pub ticket_id: String,
    /// Stable id of this event; a second event with the same id is a duplicate.
    pub event_id: String,
    /// When it happened (UTC on output; any offset accepted on input).
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: EventKind,
    /// The ticket as of `at`; missing fields keep their last known value.
    #[serde(default)]
    pub ticket: TicketSnapshot,
    /// The comment, with kind `comment` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Comment>,
    /// The helpdesk that sent it (`zendesk`, `canonical`, ...), for policy matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

/// What kind of event this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The ticket was created.
    Created,
    /// The ticket's attributes changed.
    Updated,
    /// A comment was added.
    Comment,
}

/// The ticket's attributes as of an event. `None` means "unchanged / unknown".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketSnapshot {
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// Channel (`email`, `chat`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Group (team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Customer segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// Tags (the whole set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The requester's IANA time zone, for `timezone: requester` calendars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_timezone: Option<String>,
    /// The agent responsible for the ticket, as the helpdesk identifies them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    /// The customer account (organization, company) the requester belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The customer who asked (requester id, as the helpdesk identifies them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
}

/// Canonical ticket status.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// New, not yet worked on.
    New,
    /// Open: the team is working on it.
    Open,
    /// Pending: waiting for the customer.
    Pending,
    /// On hold: waiting for a third party.
    OnHold,
    /// Solved.
    Solved,
    /// Closed.
    Closed,
}

/// Canonical ticket priority.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Normal (the default).
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

/// A comment on the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// Who wrote it.
    pub author: Author,
    /// Whether the customer sees it.
    pub public: bool,
}

/// Who wrote a comment. Only a public `agent` comment counts as a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// An agent of the team.
    Agent,
    /// The customer.
    Customer,
    /// The helpdesk itself (automations, triggers).
    System,
}

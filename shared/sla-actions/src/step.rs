//! One action to carry out, as planned from an SLA event: the contract between planning
//! (this crate) and the executors (`sla-actions-http`).

use serde::{Deserialize, Serialize};
use sla_core::Priority;

/// Who a ticket is handed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assignee {
    /// A group (team) id or name as the helpdesk knows it.
    Group(String),
    /// An agent id as the helpdesk knows it.
    Agent(String),
}

/// What to do, with every template already rendered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStep {
    /// Add a tag (label) to the ticket.
    Tag(String),
    /// Remove a tag (label) from the ticket.
    Untag(String),
    /// Raise the ticket's priority to at least this one (never lowers it).
    RaisePriority(Priority),
    /// Hand the ticket to a group or an agent.
    Assign(Assignee),
    /// Add an internal note (never public) with this text.
    Note(String),
    /// Post this text to the chat destination named `channel` in the tenants file.
    Notify {
        /// The destination's name in the tenants file.
        channel: String,
        /// The message.
        text: String,
    },
}

/// One action an SLA event triggered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAction {
    /// Deterministic: `<sla event id>:<rule index>.<step index>`; the key that makes
    /// execution happen once.
    pub id: String,
    /// The SLA event that triggered it.
    pub event_id: String,
    /// The tenant.
    pub tenant: String,
    /// The ticket, as its helpdesk knows it.
    pub ticket_id: String,
    /// The helpdesk that sent the ticket's events (`zendesk`, ...), when known; the
    /// helpdesk a ticket action calls.
    pub vendor: Option<String>,
    /// What to do.
    pub step: ActionStep,
}

impl std::fmt::Display for ActionStep {
    /// In words: `tag sla_at_risk`, `raise priority to high`, `note: ...`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActionStep::Tag(tag) => write!(f, "tag {tag}"),
            ActionStep::Untag(tag) => write!(f, "untag {tag}"),
            ActionStep::RaisePriority(priority) => write!(
                f,
                "raise priority to {}",
                sla_core::policy::priority_name(priority)
            ),
            ActionStep::Assign(Assignee::Group(group)) => write!(f, "assign to group {group}"),
            ActionStep::Assign(Assignee::Agent(agent)) => write!(f, "assign to agent {agent}"),
            ActionStep::Note(text) => write!(f, "note: {text}"),
            ActionStep::Notify { channel, text } => write!(f, "notify {channel}: {text}"),
        }
    }
}

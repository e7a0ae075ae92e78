//! The ticket attributes the engine tracks, folded from event snapshots.

use serde::{Deserialize, Serialize};

use crate::event::{Priority, Status, TicketEvent};

/// A ticket's last known attributes. Missing snapshot fields keep their previous value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAttributes {
    /// Current status.
    pub status: Option<Status>,
    /// Current priority, as the helpdesk sent it.
    pub priority: Option<Priority>,
    /// Channel the ticket came in by (`email`, `chat`, ...).
    pub channel: Option<String>,
    /// Group (team) the ticket is assigned to.
    pub group: Option<String>,
    /// Customer segment (from the vendor mapping).
    pub segment: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// The helpdesk vendor the events came from.
    pub vendor: Option<String>,
    /// The agent responsible for the ticket.
    #[serde(default)]
    pub assignee: Option<String>,
    /// The customer account.
    #[serde(default)]
    pub organization: Option<String>,
    /// The requester id (context only: not used for matching).
    #[serde(default)]
    pub requester: Option<String>,
    /// The requester's time zone as first known (the ticket's creation, normally).
    #[serde(default)]
    pub requester_timezone: Option<String>,
}

/// Which kinds of attributes an event changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttributeChange {
    /// The status changed.
    pub status: bool,
    /// An attribute used for policy matching (priority, channel, group, segment, tags,
    /// vendor, assignee, organization) changed.
    pub matching: bool,
}

impl AttributeChange {
    /// True when the event changed nothing the SLA engine looks at.
    pub fn is_none(&self) -> bool {
        !self.status && !self.matching
    }
}

impl TicketAttributes {
    /// The priority used for targets: `normal` when the helpdesk never sent one.
    pub fn effective_priority(&self) -> Priority {
        self.priority.unwrap_or(Priority::Normal)
    }

    /// True when the ticket is solved or closed.
    pub fn is_solved(&self) -> bool {
        matches!(self.status, Some(Status::Solved | Status::Closed))
    }

    /// What applying `event` would change, without changing anything.
    pub fn change_from(&self, event: &TicketEvent) -> AttributeChange {
        let mut copy = self.clone();
        copy.apply(event)
    }

    /// Applies the event's snapshot (and vendor) and reports what changed.
    pub fn apply(&mut self, event: &TicketEvent) -> AttributeChange {
        let snapshot = &event.ticket;
        let mut change = AttributeChange::default();
        if let Some(status) = snapshot.status {
            change.status = self.status != Some(status);
            self.status = Some(status);
        }
        change.matching |= replace(&mut self.priority, snapshot.priority.as_ref());
        change.matching |= replace(&mut self.channel, snapshot.channel.as_ref());
        change.matching |= replace(&mut self.group, snapshot.group.as_ref());
        change.matching |= replace(&mut self.segment, snapshot.segment.as_ref());
        change.matching |= replace(&mut self.vendor, event.vendor.as_ref());
        change.matching |= replace(&mut self.assignee, snapshot.assignee.as_ref());
        change.matching |= replace(&mut self.organization, snapshot.organization.as_ref());
        replace(&mut self.requester, snapshot.requester.as_ref());
        if self.requester_timezone.is_none() {
            self.requester_timezone = snapshot.requester_timezone.clone();
        }
        if let Some(tags) = &snapshot.tags {
            let mut sorted = tags.clone();
            sorted.sort();
            sorted.dedup();
            change.matching |= sorted != self.tags;
            self.tags = sorted;
        }
        change
    }
}

/// Sets `slot` to `value` when given and different (cloning only then).
fn replace<T: PartialEq + Clone>(slot: &mut Option<T>, value: Option<&T>) -> bool {
    match value {
        Some(value) if slot.as_ref() != Some(value) => {
            *slot = Some(value.clone());
            true
        }
        _ => false,
    }
}

//! The ticket attributes the engine tracks, folded from event snapshots.

use serde::{Deserialize, Serialize};

use crate::event::{Priority, Status, TicketEvent};

/// A ticket's last known attributes. Missing snapshot fields keep their previous value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketAttributes {
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub channel: Option<String>,
    pub group: Option<String>,
    pub segment: Option<String>,
    pub tags: Vec<String>,
    pub vendor: Option<String>,
}

/// Which kinds of attributes an event changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AttributeChange {
    /// The status changed.
    pub status: bool,
    /// An attribute used for policy matching (priority, channel, group, segment, tags,
    /// vendor) changed.
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
        change.matching |= replace(&mut self.priority, snapshot.priority);
        change.matching |= replace(&mut self.channel, snapshot.channel.clone());
        change.matching |= replace(&mut self.group, snapshot.group.clone());
        change.matching |= replace(&mut self.segment, snapshot.segment.clone());
        change.matching |= replace(&mut self.vendor, event.vendor.clone());
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

fn replace<T: PartialEq>(slot: &mut Option<T>, value: Option<T>) -> bool {
    match value {
        Some(value) if slot.as_ref() != Some(&value) => {
            *slot = Some(value);
            true
        }
        _ => false,
    }
}

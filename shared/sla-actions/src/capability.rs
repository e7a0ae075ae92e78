//! Which steps each helpdesk's API can carry out, as each vendor's API reference documents
//! it. `sla check --tenants` reports a step a configured vendor cannot do; `notify` posts
//! to chat and does not depend on the vendor. The executors of `sla-actions-http` keep
//! the same matrix (`sla_actions_http::capability`, tested against what they do).
//!
//! What each API offers (the executors in `sla-actions-http` follow the same references):
//! - Zendesk (Support API): tags — `PUT`/`DELETE /api/v2/tickets/{id}/tags` (add, remove,
//!   with `safe_update`); priority — `PUT /api/v2/tickets/{id}` `priority`
//!   (low, normal, high, urgent); group — `group_id`; agent — `assignee_id`; internal
//!   note — a comment with `public: false`. Everything.
//! - Freshdesk (API v2): tags — `PUT /api/v2/tickets/{id}` `tags` (the whole list);
//!   priority — `priority` 1-4 (low, medium, high, urgent); group — `group_id`; agent —
//!   `responder_id`; private note — `POST /api/v2/tickets/{id}/notes` `private: true`.
//!   Everything.
//! - Jira Service Management (Jira platform REST v3 + servicedeskapi): labels —
//!   `PUT /rest/api/3/issue/{key}` `update.labels` `add`/`remove`; priority —
//!   `fields.priority` by name; agent — `PUT /rest/api/3/issue/{key}/assignee`
//!   (`accountId`); internal comment — `POST /rest/servicedeskapi/request/{key}/comment`
//!   `public: false`. An issue has no assignable group: `assign: {group}` is impossible.
//! - Intercom (conversations): tags — `POST`/`DELETE /conversations/{id}/tags` (by tag
//!   id); team or admin — `POST /conversations/{id}/parts` `message_type: assignment`,
//!   `type: team|admin`; note — `POST /conversations/{id}/reply` `message_type: note`.
//!   A conversation's `priority` (`priority`/`not_priority`) is read-only: "Update a
//!   conversation" (`PUT /conversations/{id}`) takes only `read` and `custom_attributes`.
//! - Help Scout (Mailbox API 2.0): tags — `PUT /v2/conversations/{id}/tags` (the whole
//!   list); agent — `PATCH /v2/conversations/{id}` `replace /assignTo` (a user id); note —
//!   `POST /v2/conversations/{id}/notes`. Conversations have no priority and no group
//!   (moving to another mailbox is not an assignment).
//! - Front (Core API): tags — `POST`/`DELETE /conversations/{id}/tags` (`tag_ids`);
//!   agent — `PUT /conversations/{id}/assignee` (a teammate id); internal comment —
//!   `POST /conversations/{id}/comments`. Conversations have no priority and are
//!   assigned to teammates, not teams.
//! - HubSpot (CRM v3 tickets): priority — `PATCH /crm/v3/objects/tickets/{id}`
//!   `hs_ticket_priority` (LOW, MEDIUM, HIGH, URGENT); agent — `hubspot_owner_id`; note —
//!   `POST /crm/v3/objects/notes` associated with the ticket. Tickets have no tags in
//!   the CRM API, and the team follows the owner: no `tag`, `untag` or group assignment.
//! - Canonical events have no helpdesk API: only `notify` works, unless the event names
//!   its helpdesk in `vendor`.

use sla_core::policy::actions::{AssignEntry, StepEntry};
use sla_helpdesk::Vendor;

use crate::step::{ActionStep, Assignee};

/// A kind of step, as far as a vendor's API is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Add a tag.
    Tag,
    /// Remove a tag.
    Untag,
    /// Raise the priority.
    RaisePriority,
    /// Assign to a group.
    AssignGroup,
    /// Assign to an agent.
    AssignAgent,
    /// Internal note.
    Note,
    /// Chat message.
    Notify,
}

impl StepKind {
    /// The kind of a step as written.
    pub fn of_entry(step: &StepEntry) -> StepKind {
        match step {
            StepEntry::Tag(_) => StepKind::Tag,
            StepEntry::Untag(_) => StepKind::Untag,
            StepEntry::Priority(_) => StepKind::RaisePriority,
            StepEntry::Assign(AssignEntry::Group(_)) => StepKind::AssignGroup,
            StepEntry::Assign(AssignEntry::Agent(_)) => StepKind::AssignAgent,
            StepEntry::Note(_) => StepKind::Note,
            StepEntry::Notify(_) => StepKind::Notify,
        }
    }

    /// What the step does, in words (`raise priority`).
    pub fn words(self) -> &'static str {
        match self {
            StepKind::Tag => "add tags",
            StepKind::Untag => "remove tags",
            StepKind::RaisePriority => "raise priority",
            StepKind::AssignGroup => "assign to a group",
            StepKind::AssignAgent => "assign to an agent",
            StepKind::Note => "add internal notes",
            StepKind::Notify => "post to chat",
        }
    }

    /// The kind of a planned step.
    pub fn of(step: &ActionStep) -> StepKind {
        match step {
            ActionStep::Tag(_) => StepKind::Tag,
            ActionStep::Untag(_) => StepKind::Untag,
            ActionStep::RaisePriority(_) => StepKind::RaisePriority,
            ActionStep::Assign(Assignee::Group(_)) => StepKind::AssignGroup,
            ActionStep::Assign(Assignee::Agent(_)) => StepKind::AssignAgent,
            ActionStep::Note(_) => StepKind::Note,
            ActionStep::Notify { .. } => StepKind::Notify,
        }
    }
}

/// Why `vendor`'s API cannot carry out a step of this kind; None when it can.
pub fn limitation(vendor: Vendor, kind: StepKind) -> Option<&'static str> {
    use StepKind::*;
    match (vendor, kind) {
        (_, Notify) => None,
        (Vendor::Canonical, _) => {
            Some("canonical events have no helpdesk API (give the events a `vendor`)")
        }
        (Vendor::Jira, AssignGroup) => {
            Some("a Jira issue has no assignable group; assign an agent (accountId)")
        }
        (Vendor::Intercom, RaisePriority) => {
            Some("Intercom's API does not set a conversation's priority")
        }
        (Vendor::HelpScout, RaisePriority) => Some("Help Scout conversations have no priority"),
        (Vendor::HelpScout, AssignGroup) => {
            Some("Help Scout assigns conversations to users only (assignTo)")
        }
        (Vendor::Front, RaisePriority) => Some("Front conversations have no priority"),
        (Vendor::Front, AssignGroup) => Some("Front assigns conversations to teammates only"),
        (Vendor::Hubspot, Tag | Untag) => Some("HubSpot tickets have no tags in the CRM API"),
        (Vendor::Hubspot, AssignGroup) => Some(
            "HubSpot tickets are assigned to owners (hubspot_owner_id); the team follows the owner",
        ),
        _ => None,
    }
}

/// [`limitation`] for a vendor name as SLA events carry it (`zendesk`); a missing or
/// unknown name has no helpdesk API.
pub fn limitation_by_name(vendor: Option<&str>, kind: StepKind) -> Option<&'static str> {
    if kind == StepKind::Notify {
        return None;
    }
    match vendor.and_then(|name| name.parse::<Vendor>().ok()) {
        Some(vendor) => limitation(vendor, kind),
        None => Some("the ticket's helpdesk is unknown (no `vendor`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [StepKind; 7] = [
        StepKind::Tag,
        StepKind::Untag,
        StepKind::RaisePriority,
        StepKind::AssignGroup,
        StepKind::AssignAgent,
        StepKind::Note,
        StepKind::Notify,
    ];

    fn impossible(vendor: Vendor) -> Vec<StepKind> {
        KINDS
            .into_iter()
            .filter(|kind| limitation(vendor, *kind).is_some())
            .collect()
    }

    #[test]
    fn each_vendor_can_do_what_its_api_documents() {
        use StepKind::*;
        assert_eq!(impossible(Vendor::Zendesk), vec![]);
        assert_eq!(impossible(Vendor::Freshdesk), vec![]);
        assert_eq!(impossible(Vendor::Intercom), vec![RaisePriority]);
        assert_eq!(impossible(Vendor::Jira), vec![AssignGroup]);
        assert_eq!(
            impossible(Vendor::HelpScout),
            vec![RaisePriority, AssignGroup]
        );
        assert_eq!(impossible(Vendor::Front), vec![RaisePriority, AssignGroup]);
        assert_eq!(impossible(Vendor::Hubspot), vec![Tag, Untag, AssignGroup]);
        assert_eq!(impossible(Vendor::Canonical).len(), KINDS.len() - 1);
    }

    #[test]
    fn notify_never_depends_on_the_helpdesk() {
        for vendor in Vendor::ALL {
            assert_eq!(limitation(vendor, StepKind::Notify), None);
        }
        assert_eq!(limitation_by_name(None, StepKind::Notify), None);
        assert!(limitation_by_name(None, StepKind::Tag).is_some());
        assert!(limitation_by_name(Some("zendesk"), StepKind::Tag).is_none());
    }
}

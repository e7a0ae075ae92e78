//! The fold's policy-file rules beyond matching: `start: assigned`, acknowledgements,
//! exclusions and dated policy versions.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::cycle::Ending;
use super::fold::{is_public_by, slot, Fold, METRICS};
use super::state::ClockStep;
use crate::calendar::{Calendar, ZoneFallback};
use crate::event::{Author, TicketEvent};
use crate::policy::{ApplyTo, PolicySet, StartOn};
use crate::sla_event::Metric;

/// Metrics a reply stops and a solve cancels.
pub(crate) const RESPONSE_METRICS: [Metric; 4] = [
    Metric::Acknowledgement,
    Metric::FirstResponse,
    Metric::NextResponse,
    Metric::PeriodicUpdate,
];

/// Metrics whose first cycle starts with the ticket (or its first assignment).
const CREATION_METRICS: [Metric; 4] = [
    Metric::Acknowledgement,
    Metric::FirstResponse,
    Metric::PeriodicUpdate,
    Metric::Resolution,
];

impl Fold {
    /// Starts the creation metrics at `at`, or marks those starting on assignment as
    /// waiting while the ticket has no assignee.
    pub(crate) fn start_created(&mut self, policies: &PolicySet, at: DateTime<Utc>) {
        let assigned = self.attrs.assignee.is_some();
        for metric in CREATION_METRICS {
            if metric == Metric::Acknowledgement && !policies.measures_acknowledgement() {
                continue;
            }
            let on_assignment = self.starts_on_assignment(policies, metric);
            if on_assignment && !assigned {
                self.waiting[slot(metric)] = true;
                continue;
            }
            let reason = if on_assignment {
                "ticket created already assigned (start: assigned)"
            } else {
                "ticket created"
            };
            self.start(policies, metric, at, reason.into());
        }
    }

    fn starts_on_assignment(&self, policies: &PolicySet, metric: Metric) -> bool {
        self.policy(policies)
            .is_some_and(|p| p.start_on(metric) == StartOn::Assigned)
    }

    /// True when `metric` still waits for the ticket's first assignee.
    pub(crate) fn waits_for_assignee(&self, metric: Metric) -> bool {
        self.waiting[slot(metric)] && self.attrs.assignee.is_none()
    }

    /// Starts waiting metrics that no longer wait: the ticket got an assignee, or the
    /// policy now applying starts them on creation.
    pub(crate) fn release_waiting(&mut self, policies: &PolicySet, at: DateTime<Utc>) {
        if self.attrs.is_solved() || !self.waiting.contains(&true) {
            return;
        }
        let assigned = self.attrs.assignee.is_some();
        for metric in METRICS {
            if !self.waiting[slot(metric)] {
                continue;
            }
            let reason = if assigned {
                "ticket assigned (start: assigned)"
            } else if !self.starts_on_assignment(policies, metric) {
                "the policy now applying starts it on creation"
            } else {
                continue;
            };
            self.waiting[slot(metric)] = false;
            self.start(policies, metric, at, reason.into());
        }
    }

    /// Metrics that will never wait again (they were answered or cancelled).
    pub(crate) fn clear_waiting(&mut self, metrics: &[Metric]) {
        for metric in metrics {
            self.waiting[slot(*metric)] = false;
        }
    }

    /// True when `event` is a public agent comment that adds an `acknowledgement_tags`
    /// tag (read before the event's attributes apply).
    pub(crate) fn adds_acknowledgement_tag(
        &self,
        policies: &PolicySet,
        event: &TicketEvent,
    ) -> bool {
        let listed = policies.acknowledgement_tags();
        if listed.is_empty() || !is_public_by(event, Author::Agent) {
            return false;
        }
        event.ticket.tags.as_ref().is_some_and(|tags| {
            tags.iter()
                .any(|t| listed.contains(t) && !self.attrs.tags.contains(t))
        })
    }

    /// A public comment by anyone but the customer meets `acknowledgement`.
    pub(crate) fn acknowledge(&mut self, event: &TicketEvent, tagged: bool) {
        let Some(comment) = event.comment.filter(|c| c.public) else {
            return;
        };
        let reason = match (comment.author, tagged) {
            (Author::Customer, _) => return,
            (Author::System, _) => "public automatic reply",
            (Author::Agent, true) => "public agent comment adding an acknowledgement tag",
            (Author::Agent, false) => "public agent comment",
        };
        self.waiting[slot(Metric::Acknowledgement)] = false;
        self.stop(Metric::Acknowledgement, event.at, Ending::Met, reason);
    }

    /// Applies `exclude`: when the ticket matches a rule, its clocks stop without an
    /// announcement and none starts again. True when it is (now) excluded.
    pub(crate) fn exclude(&mut self, policies: &PolicySet, at: DateTime<Utc>) -> bool {
        if !policies.has_exclusions() {
            return false;
        }
        let Some(exclusion) = policies.exclusion(&self.attrs) else {
            return false;
        };
        let reason = format!("ticket excluded ({exclusion})");
        for metric in METRICS {
            if let Some(index) = self.live[slot(metric)].take() {
                let cycle = &mut self.cycles[index];
                cycle.finish(at, Ending::Cancelled);
                cycle.steps.push(ClockStep::Stopped {
                    at,
                    reason: reason.clone(),
                });
            }
        }
        self.waiting = [false; 5];
        self.excluded = Some(exclusion);
        true
    }

    /// Sets the version measuring the ticket and when the next one takes over it.
    pub(crate) fn set_version(&mut self, policies: &PolicySet, version: Option<usize>) {
        self.version = version;
        let next = version.map_or(0, |v| v + 1);
        self.switch_at = match policies.apply_to() {
            ApplyTo::OpenTickets => policies.versions().get(next).and_then(|v| v.effective_from),
            ApplyTo::NewTickets => None,
        };
    }

    /// The next version switch, while the ticket can still have clocks.
    pub(crate) fn pending_switch(&self) -> Option<DateTime<Utc>> {
        self.switch_at
            .filter(|_| self.created.is_some() && !self.closed && self.excluded.is_none())
    }

    /// The next version takes over at `at` (`apply_to: open_tickets`).
    pub(crate) fn switch_version(&mut self, policies: &PolicySet, at: DateTime<Utc>) {
        let next = self.version.map_or(0, |v| v + 1);
        self.set_version(policies, Some(next));
        self.rematch(policies, at, true);
        self.release_waiting(policies, at);
    }

    /// `calendar` as it applies to this ticket: a `timezone: requester` calendar read in
    /// the requester's zone as of creation, with the fallback warning when there is one.
    pub(crate) fn localized(
        &self,
        calendar: &Arc<Calendar>,
    ) -> (Arc<Calendar>, Option<ZoneFallback>) {
        if !calendar.is_requester_zoned() {
            return (Arc::clone(calendar), None);
        }
        calendar.for_requester(self.attrs.requester_timezone.as_deref())
    }

    /// True when live cycle `index` would get the terms it has.
    pub(crate) fn same_terms(&self, policies: &PolicySet, index: usize) -> bool {
        let cycle = &self.cycles[index];
        let new = self.terms_for(policies, cycle.metric);
        match (&cycle.terms, &new) {
            (Some(a), Some(b)) => {
                a.policy == b.policy
                    && a.priority == b.priority
                    && a.target == b.target
                    && a.calendar_name == b.calendar_name
            }
            (None, None) => true,
            _ => false,
        }
    }
}

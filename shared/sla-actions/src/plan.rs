//! Planning: an SLA event and the policy file's rules give the actions to carry out,
//! each with a deterministic id, `<sla event id>:<rule index>.<step index>`, so a
//! redelivered SLA event plans the same actions and an executor acts once per id.

use chrono_tz::Tz;
use sla_core::policy::actions::{AssignEntry, StepEntry, Template, DEFAULT_NOTIFY_TEXT};
use sla_core::{PolicySet, SlaEvent};

use crate::rules::triggered;
use crate::step::{ActionStep, Assignee, PlannedAction};
use crate::template::Fields;

/// What planning needs beyond the SLA event: the tenant's policy file and its
/// `ticket_url` template (tenants file), when configured.
#[derive(Debug, Clone, Copy)]
pub struct Planner<'a> {
    /// The tenant's compiled policy file.
    pub policies: &'a PolicySet,
    /// The tenant's `ticket_url` (`{id}` is the ticket's id), for `{{ticket_url}}`.
    pub ticket_url: Option<&'a str>,
}

impl<'a> Planner<'a> {
    /// A planner without a ticket URL (`{{ticket_url}}` renders empty).
    pub fn new(policies: &'a PolicySet) -> Self {
        Planner {
            policies,
            ticket_url: None,
        }
    }

    /// The actions `event` triggers, in rule then step order. A `tag`, `untag` or `note`
    /// whose text renders empty is left out (the other steps keep their ids).
    pub fn plan(&self, event: &SlaEvent) -> Vec<PlannedAction> {
        let fields = Fields {
            event,
            zone: zone_of(self.policies, event),
            ticket_url: self.ticket_url,
        };
        let mut actions = Vec::new();
        for rule in triggered(self.policies, event) {
            for (index, step) in rule.entry.steps.iter().enumerate() {
                let Some(step) = render_step(step, &fields) else {
                    continue;
                };
                actions.push(PlannedAction {
                    id: format!("{}:{}.{index}", event.event_id, rule.index),
                    event_id: event.event_id.clone(),
                    tenant: event.tenant.clone(),
                    ticket_id: event.ticket_id.clone(),
                    vendor: event.context.vendor.clone(),
                    step,
                });
            }
        }
        actions
    }
}

fn render_step(step: &StepEntry, fields: &Fields) -> Option<ActionStep> {
    let text = |template: &Template| Some(fields.render(template)).filter(|t| !t.is_empty());
    Some(match step {
        StepEntry::Tag(template) => ActionStep::Tag(text(template)?),
        StepEntry::Untag(template) => ActionStep::Untag(text(template)?),
        StepEntry::Priority(raise) => ActionStep::RaisePriority(raise.raise_to),
        StepEntry::Assign(AssignEntry::Group(id)) => {
            ActionStep::Assign(Assignee::Group(id.0.clone()))
        }
        StepEntry::Assign(AssignEntry::Agent(id)) => {
            ActionStep::Assign(Assignee::Agent(id.0.clone()))
        }
        StepEntry::Note(template) => ActionStep::Note(text(template)?),
        StepEntry::Notify(notify) => {
            let text = match &notify.text {
                Some(template) => fields.render(template),
                None => Template::parse(DEFAULT_NOTIFY_TEXT)
                    .map(|template| fields.render(&template))
                    .unwrap_or_else(|_| DEFAULT_NOTIFY_TEXT.to_string()),
            };
            ActionStep::Notify {
                channel: notify.channel.clone(),
                text: text.trim_end().to_string(),
            }
        }
    })
}

/// The zone of the calendar measuring the event's target: the policy (by name, in the
/// version in force at the event, else the latest that has it) at the event's priority
/// and metric; UTC when the file no longer has it.
pub fn zone_of(policies: &PolicySet, event: &SlaEvent) -> Tz {
    let versions = policies.versions();
    let in_force = policies.version_at(event.at).and_then(|v| versions.get(v));
    in_force
        .into_iter()
        .chain(versions.iter().rev())
        .find_map(|version| version.policies.iter().find(|p| p.name == event.policy))
        .and_then(|policy| policy.target(event.priority, event.metric))
        .map_or(Tz::UTC, |target| target.calendar.timezone())
}

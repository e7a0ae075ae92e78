//! The `actions:` of a policy file as written (autopilot): which SLA events trigger which
//! steps. Plain data, checked while deserializing so errors carry the YAML line and field
//! path; planning and executing the steps belong to `sla-actions`.
//!
//! ```yaml
//! actions:
//!   - on: {type: warning, metric: first_response}
//!     do:
//!       - tag: sla_at_risk
//!       - priority: {raise_to: high}
//!       - assign: {group: tier2}
//!       - note: "First response due {{deadline_local}} ({{time_left}} left)"
//!       - notify: {channel: support-leads}
//! ```

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use super::document::ThresholdText;
use crate::duration::WarnThreshold;
use crate::event::Priority;
use crate::sla_event::{Metric, SlaEvent, SlaEventType};

/// One rule: when an SLA event matches `on`, carry out `do`, in order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRuleEntry {
    /// Which SLA events trigger the rule.
    pub on: OnEntry,
    /// The steps, in order.
    #[serde(rename = "do")]
    pub steps: Vec<StepEntry>,
}

/// Which SLA events trigger a rule: its type and, optionally, metric and threshold.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnEntry {
    /// `warning`, `breached`, `met`, `completed`, `cancelled` or `retracted`.
    #[serde(rename = "type")]
    pub kind: SlaEventType,
    /// Only events of this metric.
    #[serde(default)]
    pub metric: Option<Metric>,
    /// Only events carrying this warning threshold (`75%`, `15m`); a retraction carries
    /// the threshold of the warning it withdraws.
    #[serde(default)]
    pub threshold: Option<ThresholdText>,
}

impl OnEntry {
    /// True when `event` has this type, and this metric and threshold when given.
    pub fn matches(&self, event: &SlaEvent) -> bool {
        let threshold = || {
            let wanted = self.threshold.as_ref().map(|t| &t.0);
            let carried = event
                .threshold
                .as_deref()
                .and_then(|t| WarnThreshold::parse(t).ok());
            wanted.is_none_or(|wanted| carried.as_ref() == Some(wanted))
        };
        event.kind == self.kind && self.metric.is_none_or(|m| m == event.metric) && threshold()
    }
}

/// One step of a rule, written as a one-key map (`tag: x`, `assign: {group: tier2}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", try_from = "RawStep")]
pub enum StepEntry {
    /// Add a tag (label) in the helpdesk.
    Tag(Template),
    /// Remove a tag (label) in the helpdesk.
    Untag(Template),
    /// Raise the ticket's priority (never lowers it).
    Priority(RaiseEntry),
    /// Hand the ticket to a group or an agent.
    Assign(AssignEntry),
    /// Add an internal note (never public).
    Note(Template),
    /// Post to a chat destination named in the tenants file.
    Notify(NotifyEntry),
}

impl StepEntry {
    /// The step's key as written (`tag`, `priority`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            StepEntry::Tag(_) => "tag",
            StepEntry::Untag(_) => "untag",
            StepEntry::Priority(_) => "priority",
            StepEntry::Assign(_) => "assign",
            StepEntry::Note(_) => "note",
            StepEntry::Notify(_) => "notify",
        }
    }
}

/// A step as read: YAML enums are tags (`!tag x`), so a one-key map is read as a struct
/// of optional keys, exactly one of them set.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawStep {
    tag: Option<Template>,
    untag: Option<Template>,
    priority: Option<RaiseEntry>,
    assign: Option<RawAssign>,
    note: Option<Template>,
    notify: Option<NotifyEntry>,
}

impl TryFrom<RawStep> for StepEntry {
    type Error = String;

    fn try_from(raw: RawStep) -> Result<Self, String> {
        let steps: Vec<StepEntry> = [
            raw.tag.map(StepEntry::Tag),
            raw.untag.map(StepEntry::Untag),
            raw.priority.map(StepEntry::Priority),
            raw.assign
                .map(AssignEntry::try_from)
                .transpose()?
                .map(StepEntry::Assign),
            raw.note.map(StepEntry::Note),
            raw.notify.map(StepEntry::Notify),
        ]
        .into_iter()
        .flatten()
        .collect();
        match <[StepEntry; 1]>::try_from(steps) {
            Ok([step]) => Ok(step),
            Err(_) => Err(ONE_OF.replace("{}", "tag, untag, priority, assign, note or notify")),
        }
    }
}

const ONE_OF: &str = "give exactly one key: {}";

/// `assign:` as read (see [`RawStep`]).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawAssign {
    group: Option<IdText>,
    agent: Option<IdText>,
}

impl TryFrom<RawAssign> for AssignEntry {
    type Error = String;

    fn try_from(raw: RawAssign) -> Result<Self, String> {
        match (raw.group, raw.agent) {
            (Some(group), None) => Ok(AssignEntry::Group(group)),
            (None, Some(agent)) => Ok(AssignEntry::Agent(agent)),
            _ => Err(format!(
                "assign: {}",
                ONE_OF.replace("{}", "group or agent")
            )),
        }
    }
}

/// `priority: {raise_to: high}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseEntry {
    /// The priority to raise to; a higher one is kept.
    pub raise_to: Priority,
}

/// `assign: {group: tier2}` or `assign: {agent: "12345"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", try_from = "RawAssign")]
pub enum AssignEntry {
    /// A group (team) id or name as the helpdesk knows it.
    Group(IdText),
    /// An agent id as the helpdesk knows it.
    Agent(IdText),
}

/// `notify: {channel: support-leads}`, with an optional `text` template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotifyEntry {
    /// A chat destination named under the tenant's `channels:` in the tenants file.
    pub channel: String,
    /// The message; default [`DEFAULT_NOTIFY_TEXT`].
    #[serde(default)]
    pub text: Option<Template>,
}

/// The message of a `notify` step without `text`.
pub const DEFAULT_NOTIFY_TEXT: &str =
    "SLA {{type}}: ticket {{ticket_id}} {{metric}} (policy {{policy}}, {{priority}}), due {{deadline_local}} ({{time_left}} left) {{ticket_url}}";

/// An id written as text or a number (`agent: 12345`).
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(with = "String")]
pub struct IdText(pub String);

impl<'de> Deserialize<'de> for IdText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = IdText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id (text or number)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<IdText, E> {
                Ok(IdText(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A field a template can name as `{{field}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateField {
    /// The ticket's id.
    TicketId,
    /// The tenant.
    Tenant,
    /// The metric (`first_response`).
    Metric,
    /// The metric's cycle number.
    Cycle,
    /// The SLA event's type (`warning`).
    Type,
    /// The policy's name.
    Policy,
    /// The measured priority.
    Priority,
    /// The ticket's assignee.
    Assignee,
    /// The ticket's group.
    Group,
    /// The deadline in UTC.
    DeadlineUtc,
    /// The deadline in the zone of the calendar measuring the target.
    DeadlineLocal,
    /// Wall-clock time from the event to the deadline (`14 min`).
    TimeLeft,
    /// The ticket's URL in the helpdesk (the tenant's `ticket_url`).
    TicketUrl,
}

impl TemplateField {
    /// Every field, in documentation order.
    pub const ALL: [TemplateField; 13] = [
        TemplateField::TicketId,
        TemplateField::Tenant,
        TemplateField::Metric,
        TemplateField::Cycle,
        TemplateField::Type,
        TemplateField::Policy,
        TemplateField::Priority,
        TemplateField::Assignee,
        TemplateField::Group,
        TemplateField::DeadlineUtc,
        TemplateField::DeadlineLocal,
        TemplateField::TimeLeft,
        TemplateField::TicketUrl,
    ];

    /// The name written between braces.
    pub fn name(self) -> &'static str {
        match self {
            TemplateField::TicketId => "ticket_id",
            TemplateField::Tenant => "tenant",
            TemplateField::Metric => "metric",
            TemplateField::Cycle => "cycle",
            TemplateField::Type => "type",
            TemplateField::Policy => "policy",
            TemplateField::Priority => "priority",
            TemplateField::Assignee => "assignee",
            TemplateField::Group => "group",
            TemplateField::DeadlineUtc => "deadline_utc",
            TemplateField::DeadlineLocal => "deadline_local",
            TemplateField::TimeLeft => "time_left",
            TemplateField::TicketUrl => "ticket_url",
        }
    }
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplatePart {
    /// Literal text.
    Text(String),
    /// A `{{field}}`.
    Field(TemplateField),
}

/// A text with `{{field}}` placeholders, parsed and checked while reading the file.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(with = "String")]
pub struct Template {
    /// The text as written.
    pub text: String,
    /// Its pieces, in order.
    pub parts: Vec<TemplatePart>,
}

impl Template {
    /// Parses `text`; an unknown field or an unclosed `{{` is an error naming it.
    pub fn parse(text: &str) -> Result<Template, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(TemplatePart::Text(rest[..open].to_string()));
            }
            let after = &rest[open + 2..];
            let close = after
                .find("}}")
                .ok_or_else(|| format!("{text:?}: `{{{{` without a closing `}}}}`"))?;
            let name = after[..close].trim();
            let field = TemplateField::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| {
                    let known: Vec<&str> = TemplateField::ALL.iter().map(|f| f.name()).collect();
                    format!(
                        "unknown template field {{{{{name}}}}}; known: {}",
                        known.join(", ")
                    )
                })?;
            parts.push(TemplatePart::Field(field));
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            parts.push(TemplatePart::Text(rest.to_string()));
        }
        Ok(Template {
            text: text.to_string(),
            parts,
        })
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = IdText::deserialize(deserializer)?.0;
        Template::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split_into_text_and_fields() {
        let template = Template::parse("due {{ deadline_local }} ({{time_left}} left)").unwrap();
        assert_eq!(
            template.parts,
            vec![
                TemplatePart::Text("due ".into()),
                TemplatePart::Field(TemplateField::DeadlineLocal),
                TemplatePart::Text(" (".into()),
                TemplatePart::Field(TemplateField::TimeLeft),
                TemplatePart::Text(" left)".into()),
            ]
        );
        assert!(Template::parse("{{deadline}}")
            .unwrap_err()
            .starts_with("unknown template field {{deadline}}; known: ticket_id, tenant"));
        assert!(Template::parse("x {{ticket_id")
            .unwrap_err()
            .contains("without a closing"));
        assert!(Template::parse(DEFAULT_NOTIFY_TEXT).is_ok());
    }

    #[test]
    fn every_field_name_parses_to_itself() {
        for field in TemplateField::ALL {
            let template = Template::parse(&format!("{{{{{}}}}}", field.name())).unwrap();
            assert_eq!(template.parts, vec![TemplatePart::Field(field)]);
        }
    }
}

//! The policy file as written (YAML), with its JSON Schema (`sla schema policy`).
//!
//! Values that can be checked locally (durations, thresholds, priorities, metric names)
//! are checked while deserializing, so their errors carry the YAML line and field path.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::actions::ActionRuleEntry;
use crate::attributes::TicketAttributes;
use crate::calendar::CalendarSpec;
use crate::duration::{parse_duration, WarnThreshold};
use crate::event::Priority;
use crate::sla_event::Metric;

/// A policy file: named calendars and an ordered list of policies (or dated versions
/// of it), plus rules shared by every version.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// Business-hours calendars by name (the calendar JSON of `sla calc`, in YAML).
    /// The name `24x7` is built in and always open.
    #[serde(default)]
    pub calendars: BTreeMap<String, CalendarSpec>,
    /// Ordered: the first policy whose `when` holds applies to a ticket. One version in
    /// force from the beginning of time; give either `policies` or `versions`.
    #[serde(default)]
    pub policies: Option<Vec<PolicyEntry>>,
    /// Dated versions of the policy list, in `effective_from` order; each replaces the
    /// previous one from its instant.
    #[serde(default)]
    pub versions: Option<Vec<VersionEntry>>,
    /// Which tickets a new version measures: `new_tickets` (created from its
    /// `effective_from`, the default) or `open_tickets` (also re-matches running ones).
    #[serde(default)]
    pub apply_to: ApplyTo,
    /// Tickets that get no clocks at all.
    #[serde(default)]
    pub exclude: ExcludeEntry,
    /// Priorities derived from ticket facts, applied before matching; they never lower.
    #[serde(default)]
    pub priority_rules: Vec<PriorityRuleEntry>,
    /// A public agent reply in an event adding one of these tags (a "we got your
    /// request" macro) stops `acknowledgement` only.
    #[serde(default)]
    pub acknowledgement_tags: Vec<String>,
    /// Autopilot rules for every policy (see `docs/autopilot.md`).
    #[serde(default)]
    pub actions: Vec<ActionRuleEntry>,
}

impl PolicyDocument {
    /// Each policy list with its field path (`policies` or `versions[1].policies`).
    pub fn policy_lists(&self) -> Vec<(String, &[PolicyEntry])> {
        let plain = self
            .policies
            .iter()
            .map(|p| ("policies".to_string(), &p[..]));
        let dated = self
            .versions
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, v)| (format!("versions[{i}].policies"), &v.policies[..]));
        plain.chain(dated).collect()
    }
}

/// One dated version of the policy list.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionEntry {
    /// The instant (RFC 3339) from which this version applies.
    pub effective_from: DateTime<Utc>,
    /// The complete ordered policy list of this version.
    pub policies: Vec<PolicyEntry>,
}

/// Which tickets a new policy version measures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplyTo {
    /// Tickets created from its `effective_from`; older tickets keep their version.
    #[default]
    NewTickets,
    /// Also tickets open at its `effective_from`, re-matched then (as a priority change).
    OpenTickets,
}

/// Exclusion rules: a ticket matching any listed value gets no clocks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcludeEntry {
    /// Tickets with one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Tickets from one of these channels.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Tickets of one of these organizations.
    #[serde(default)]
    pub organizations: Vec<String>,
}

/// A rule raising the measured priority of the tickets its `when` holds for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityRuleEntry {
    /// Conditions, as in a policy's `when` (`priority` is the helpdesk's).
    pub when: WhenEntry,
    /// The priority to measure at; a higher helpdesk priority is kept.
    pub raise_to: Priority,
}

/// When a metric's first cycle starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StartOn {
    /// When the ticket is created.
    #[default]
    Created,
    /// When the ticket first has an assignee (at creation if created assigned).
    Assigned,
}

/// One policy as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    /// Unique name, carried by every SLA event.
    pub name: String,
    /// Conditions; all keys must hold, any listed value within a key. `{}` matches all.
    #[serde(default)]
    pub when: WhenEntry,
    /// Calendar name, or `24x7` (the default).
    #[serde(default = "always_open_name")]
    pub calendar: String,
    /// Targets per priority, per metric.
    #[serde(default)]
    pub targets: BTreeMap<Priority, PriorityTargetsEntry>,
    /// Warnings: a percent of the target (`75%`) or a lead time before the deadline (`15m`).
    #[serde(default)]
    pub warn_at: Vec<ThresholdText>,
    /// Statuses that pause each metric. Metrics not listed keep their default
    /// (resolution pauses on `pending` and `on_hold`; the others never pause).
    #[serde(default)]
    pub pause: BTreeMap<Metric, Vec<String>>,
    /// When each metric's first cycle starts (`created`, the default, or `assigned`);
    /// for `acknowledgement`, `first_response`, `periodic_update` and `resolution`.
    #[serde(default)]
    pub start: BTreeMap<Metric, StartOn>,
    /// What a running clock does when the priority or another matched attribute changes.
    #[serde(default)]
    pub on_priority_change: OnPriorityChange,
    /// Overrides the calendar's deadline rule for this policy.
    #[serde(default)]
    pub deadline_rule: Option<DeadlineRuleName>,
    /// Autopilot rules of this policy, after the top-level ones.
    #[serde(default)]
    pub actions: Vec<ActionRuleEntry>,
}

/// The name of the built-in always-open calendar.
pub const ALWAYS_OPEN: &str = "24x7";

fn always_open_name() -> String {
    ALWAYS_OPEN.to_string()
}

/// A policy's conditions as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WhenEntry {
    /// Holds for these priorities.
    #[serde(default)]
    pub priority: Vec<Priority>,
    /// Holds for these channels.
    #[serde(default)]
    pub channel: Vec<String>,
    /// Holds for these groups.
    #[serde(default)]
    pub group: Vec<String>,
    /// Holds for these segments.
    #[serde(default)]
    pub segment: Vec<String>,
    /// Holds when the ticket has at least one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The helpdesk that sent the events (`zendesk`, `freshdesk`, ...).
    #[serde(default)]
    pub vendor: Vec<String>,
    /// The customer account (organization) of the ticket.
    #[serde(default)]
    pub organization: Vec<String>,
    /// The agent the ticket is assigned to.
    #[serde(default)]
    pub assignee: Vec<String>,
}

impl WhenEntry {
    /// The conditions in words (`segment is one of [enterprise]`).
    pub fn describe(&self) -> String {
        let priorities: Vec<String> = self.priority.iter().map(super::priority_name).collect();
        let clauses: Vec<String> = [
            ("priority", &priorities),
            ("channel", &self.channel),
            ("group", &self.group),
            ("segment", &self.segment),
            ("tags", &self.tags),
            ("vendor", &self.vendor),
            ("organization", &self.organization),
            ("assignee", &self.assignee),
        ]
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(key, values)| match key {
            "tags" => format!("tags include one of [{}]", values.join(", ")),
            _ => format!("{key} is one of [{}]", values.join(", ")),
        })
        .collect();
        if clauses.is_empty() {
            "its `when` is empty, so it matches every ticket".into()
        } else {
            clauses.join(" and ")
        }
    }

    /// True when every key holds for a ticket with these attributes measured at
    /// `priority` (any listed value per key).
    pub fn holds(&self, ticket: &TicketAttributes, priority: Priority) -> bool {
        let one_of = |allowed: &[String], value: &Option<String>| {
            allowed.is_empty() || value.as_ref().is_some_and(|v| allowed.contains(v))
        };
        (self.priority.is_empty() || self.priority.contains(&priority))
            && one_of(&self.channel, &ticket.channel)
            && one_of(&self.group, &ticket.group)
            && one_of(&self.segment, &ticket.segment)
            && one_of(&self.vendor, &ticket.vendor)
            && one_of(&self.organization, &ticket.organization)
            && one_of(&self.assignee, &ticket.assignee)
            && (self.tags.is_empty() || self.tags.iter().any(|t| ticket.tags.contains(t)))
    }
}

/// Targets of one priority.
#[derive(Debug, Clone, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargetsEntry {
    /// Overrides the policy's calendar for this priority.
    #[serde(default)]
    pub calendar: Option<String>,
    /// Acknowledgement target.
    #[serde(default)]
    pub acknowledgement: Option<DurationText>,
    /// First-response target.
    #[serde(default)]
    pub first_response: Option<DurationText>,
    /// Next-response target.
    #[serde(default)]
    pub next_response: Option<DurationText>,
    /// Periodic-update target.
    #[serde(default)]
    pub periodic_update: Option<DurationText>,
    /// Resolution target.
    #[serde(default)]
    pub resolution: Option<DurationText>,
}

impl PriorityTargetsEntry {
    /// The targets that are set, in metric order.
    pub fn metrics(&self) -> Vec<(Metric, i64)> {
        [
            (Metric::Acknowledgement, &self.acknowledgement),
            (Metric::FirstResponse, &self.first_response),
            (Metric::NextResponse, &self.next_response),
            (Metric::PeriodicUpdate, &self.periodic_update),
            (Metric::Resolution, &self.resolution),
        ]
        .into_iter()
        .filter_map(|(metric, value)| value.as_ref().map(|d| (metric, d.seconds)))
        .collect()
    }
}

/// Read key by key so an error names its field (`first_response: "3d": ...`); serde
/// reports errors inside a flow mapping at the mapping itself.
impl<'de> Deserialize<'de> for PriorityTargetsEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PriorityTargetsEntry;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of metric targets, e.g. {first_response: 1h, resolution: 8h}")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                use serde::de::Error;
                let mut entry = PriorityTargetsEntry::default();
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "calendar" => {
                            entry.calendar = Some(map.next_value()?);
                            continue;
                        }
                        "acknowledgement" => &mut entry.acknowledgement,
                        "first_response" => &mut entry.first_response,
                        "next_response" => &mut entry.next_response,
                        "periodic_update" => &mut entry.periodic_update,
                        "resolution" => &mut entry.resolution,
                        other => {
                            return Err(A::Error::custom(format!(
                                "{other}: unknown key; expected calendar, acknowledgement, first_response, next_response, periodic_update or resolution"
                            )))
                        }
                    };
                    let text = map.next_value::<ScalarText>()?.0;
                    let seconds = parse_duration(&text)
                        .map_err(|reason| A::Error::custom(format!("{key}: {reason}")))?;
                    *slot = Some(DurationText { seconds });
                }
                Ok(entry)
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

/// What a running clock does when the matched policy or priority changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnPriorityChange {
    /// Keep the cycle's start; measure it again under the new target and calendar.
    #[default]
    KeepStart,
    /// End the running cycle and start a new one at the change.
    Restart,
}

/// `earliest` or `next_opening` (see the calendar's deadline rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineRuleName {
    /// The earliest instant the budget is used up.
    Earliest,
    /// The next opening, when the deadline falls on a closing.
    NextOpening,
}

/// A business duration written as `30m`, `4h`, `1h30m` or `90s` (no `d` unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(with = "String")]
pub struct DurationText {
    /// The duration in seconds.
    pub seconds: i64,
}

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = ScalarText::deserialize(deserializer)?.0;
        parse_duration(&text)
            .map(|seconds| DurationText { seconds })
            .map_err(serde::de::Error::custom)
    }
}

/// A warning threshold written as `75%` or a lead time such as `15m`.
#[derive(Debug, Clone, PartialEq, Eq, JsonSchema)]
#[schemars(with = "String")]
pub struct ThresholdText(pub WarnThreshold);

impl<'de> Deserialize<'de> for ThresholdText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = ScalarText::deserialize(deserializer)?.0;
        WarnThreshold::parse(&text)
            .map(ThresholdText)
            .map_err(serde::de::Error::custom)
    }
}

/// A YAML scalar read as text, so `90` gets "missing unit" rather than a type error.
struct ScalarText(String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ScalarText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a duration such as 30m, 4h or 1h30m")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ScalarText, E> {
                Ok(ScalarText(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ScalarText, E> {
                Ok(ScalarText(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ScalarText, E> {
                Ok(ScalarText(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ScalarText, E> {
                Ok(ScalarText(v.to_string()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

//! The policy file as written (YAML), with its JSON Schema (`sla schema policy`).
//!
//! Values that can be checked locally (durations, thresholds, priorities, metric names)
//! are checked while deserializing, so their errors carry the YAML line and field path.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use crate::calendar::CalendarSpec;
use crate::duration::{parse_duration, WarnThreshold};
use crate::event::Priority;
use crate::sla_event::Metric;

/// A policy file: named calendars and an ordered list of policies.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// Business-hours calendars by name (the calendar JSON of `sla calc`, in YAML).
    /// The name `24x7` is built in and always open.
    #[serde(default)]
    pub calendars: BTreeMap<String, CalendarSpec>,
    /// Ordered: the first policy whose `when` holds applies to a ticket.
    pub policies: Vec<PolicyEntry>,
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
    /// What a running clock does when the priority or another matched attribute changes.
    #[serde(default)]
    pub on_priority_change: OnPriorityChange,
    /// Overrides the calendar's deadline rule for this policy.
    #[serde(default)]
    pub deadline_rule: Option<DeadlineRuleName>,
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
    #[serde(default)]
    pub priority: Vec<Priority>,
    #[serde(default)]
    pub channel: Vec<String>,
    #[serde(default)]
    pub group: Vec<String>,
    #[serde(default)]
    pub segment: Vec<String>,
    /// Holds when the ticket has at least one of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The helpdesk that sent the events (`zendesk`, `freshdesk`, ...).
    #[serde(default)]
    pub vendor: Vec<String>,
}

/// Targets of one priority.
#[derive(Debug, Clone, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargetsEntry {
    /// Overrides the policy's calendar for this priority.
    #[serde(default)]
    pub calendar: Option<String>,
    #[serde(default)]
    pub first_response: Option<DurationText>,
    #[serde(default)]
    pub next_response: Option<DurationText>,
    #[serde(default)]
    pub periodic_update: Option<DurationText>,
    #[serde(default)]
    pub resolution: Option<DurationText>,
}

impl PriorityTargetsEntry {
    /// The targets that are set, in metric order.
    pub fn metrics(&self) -> Vec<(Metric, i64)> {
        [
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
                        "first_response" => &mut entry.first_response,
                        "next_response" => &mut entry.next_response,
                        "periodic_update" => &mut entry.periodic_update,
                        "resolution" => &mut entry.resolution,
                        other => {
                            return Err(A::Error::custom(format!(
                                "{other}: unknown key; expected calendar, first_response, next_response, periodic_update or resolution"
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
    Earliest,
    NextOpening,
}

/// A business duration written as `30m`, `4h`, `1h30m` or `90s` (no `d` unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(with = "String")]
pub struct DurationText {
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

//! Policy files: parsing, validation, matching tickets to a policy, and the lint
//! warnings and target table `sla check` prints.

mod compile;
pub mod document;
mod lint;
mod locate;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::attributes::TicketAttributes;
use crate::calendar::Calendar;
use crate::duration::WarnThreshold;
use crate::event::{Priority, Status};
use crate::sla_event::Metric;

pub use document::{OnPriorityChange, PolicyDocument, WhenEntry, ALWAYS_OPEN};
pub use lint::PolicyWarning;

/// Why a policy file was rejected. Displays as one line naming the source, the line,
/// the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The YAML does not parse or does not fit the format.
    #[error("{file}: {}{message}", line_prefix(*.line))]
    Syntax {
        file: String,
        line: Option<usize>,
        message: String,
    },
    /// A value is well-formed but wrong (unknown calendar, invalid calendar, duplicate name).
    #[error("{file}: {}{field}: {reason}", line_prefix(*.line))]
    Invalid {
        file: String,
        line: Option<usize>,
        field: String,
        reason: String,
    },
}

fn line_prefix(line: Option<usize>) -> String {
    line.map(|line| format!("line {line}: "))
        .unwrap_or_default()
}

/// A compiled, validated policy file.
#[derive(Debug, Clone)]
pub struct PolicySet {
    source: String,
    fingerprint: u64,
    document: PolicyDocument,
    calendars: BTreeMap<String, Arc<Calendar>>,
    policies: Vec<Policy>,
}

/// One compiled policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy's name, carried by SLA events.
    pub name: String,
    /// Position in the file (0-based).
    pub index: usize,
    /// Its conditions as written.
    pub when: WhenEntry,
    /// The policy-wide calendar name.
    pub calendar: String,
    /// Warning thresholds, in file order.
    pub warn_at: Vec<WarnThreshold>,
    /// What happens to running clocks when the matched policy or priority changes.
    pub on_priority_change: OnPriorityChange,
    targets: BTreeMap<Priority, BTreeMap<Metric, Target>>,
    pause: BTreeMap<Metric, Vec<Status>>,
}

/// One metric's target under one policy and priority.
#[derive(Debug, Clone)]
pub struct Target {
    /// Business seconds allowed.
    pub seconds: i64,
    /// Name of the calendar measuring it (`24x7` or a `calendars` key).
    pub calendar_name: String,
    /// The compiled calendar, with the policy's deadline rule applied.
    pub calendar: Arc<Calendar>,
}

/// Statuses that pause each metric when no policy says otherwise.
pub fn default_pause(metric: Metric, status: Status) -> bool {
    metric == Metric::Resolution && matches!(status, Status::Pending | Status::OnHold)
}

impl PolicySet {
    /// Parses and validates a YAML policy file; `source` names it in errors.
    pub fn from_yaml(source: &str, yaml: &str) -> Result<PolicySet, PolicyError> {
        compile::compile(source, yaml)
    }

    /// The name given to `from_yaml` (usually the file name).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A hash of the file's source and text; equal files give equal fingerprints.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The policies, in file order.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The policy that applies to a ticket with these attributes: the first whose
    /// `when` holds.
    pub fn select(&self, attributes: &TicketAttributes) -> Option<&Policy> {
        self.policies.iter().find(|p| p.matches(attributes))
    }

    /// Ambiguities worth a warning (see `sla check`).
    pub fn warnings(&self) -> Vec<PolicyWarning> {
        lint::warnings(self)
    }

    /// Calendars by name, including `24x7`.
    pub fn calendars(&self) -> &BTreeMap<String, Arc<Calendar>> {
        &self.calendars
    }

    pub(crate) fn document(&self) -> &PolicyDocument {
        &self.document
    }
}

impl Policy {
    /// True when every key of `when` holds for the ticket (any listed value per key).
    pub fn matches(&self, ticket: &TicketAttributes) -> bool {
        let when = &self.when;
        let one_of = |allowed: &[String], value: &Option<String>| {
            allowed.is_empty() || value.as_ref().is_some_and(|v| allowed.contains(v))
        };
        (when.priority.is_empty() || when.priority.contains(&ticket.effective_priority()))
            && one_of(&when.channel, &ticket.channel)
            && one_of(&when.group, &ticket.group)
            && one_of(&when.segment, &ticket.segment)
            && one_of(&when.vendor, &ticket.vendor)
            && (when.tags.is_empty() || when.tags.iter().any(|t| ticket.tags.contains(t)))
    }

    /// Why this policy matches, in words (`segment is one of [enterprise]`).
    pub fn match_reason(&self) -> String {
        let when = &self.when;
        let priorities: Vec<String> = when.priority.iter().map(priority_name).collect();
        let clauses: Vec<String> = [
            ("priority", &priorities),
            ("channel", &when.channel),
            ("group", &when.group),
            ("segment", &when.segment),
            ("tags", &when.tags),
            ("vendor", &when.vendor),
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

    /// The target of `metric` for `priority`, if the policy sets one.
    pub fn target(&self, priority: Priority, metric: Metric) -> Option<&Target> {
        self.targets.get(&priority)?.get(&metric)
    }

    /// All targets of a priority, in metric order.
    pub fn targets_of(&self, priority: Priority) -> Option<&BTreeMap<Metric, Target>> {
        self.targets.get(&priority)
    }

    /// True when `status` pauses `metric` under this policy.
    pub fn pauses(&self, metric: Metric, status: Status) -> bool {
        match self.pause.get(&metric) {
            Some(statuses) => statuses.contains(&status),
            None => default_pause(metric, status),
        }
    }
}

/// The snake_case name of a priority.
pub fn priority_name(priority: &Priority) -> String {
    enum_name(priority)
}

/// The snake_case name of a metric.
pub fn metric_name(metric: &Metric) -> String {
    enum_name(metric)
}

/// The snake_case name of a status.
pub fn status_name(status: &Status) -> String {
    enum_name(status)
}

fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {}",
            crate::duration::format_duration(self.seconds),
            self.calendar_name
        )
    }
}
